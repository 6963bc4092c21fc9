// Package expr evaluates scalar SQL expressions over Arrow columns, a whole batch per call.
//
// An Expr is a typed, resolved expression tree built by the planner through this package's
// constructors (Column, Const, Param, Cast, Call, And, Or, Case, ...). Constructors do overload
// resolution and implicit coercion the way PostgreSQL does, and return *sqlerr.Error values
// (42883 undefined function, 42804 datatype mismatch, 42846 cannot coerce) for bad input.
//
// Eval computes one output value per input row with SQL three-valued logic, returning a new array
// that the caller releases. Columns are borrowed. Evaluation errors are *sqlerr.Error values
// (22003 overflow, 22012 division by zero, 22P02 bad text, ...). Hot paths are typed loops over
// the arrays' buffers: no per-row allocation, reflection or interface dispatch per value.
//
// Expressions are immutable after construction except for parameter type inference (see Param),
// and safe for concurrent Eval calls with distinct Contexts.
//
// Typing follows PostgreSQL's parse analysis:
//   - An untyped string literal (Const with types.UnknownT) or parameter keeps type Unknown until
//     an operator, function, cast or coercion needs it as some type; it is then parsed by that
//     type's input function at construction (so `1 + 'a'` fails with 22P02 there) or, for a
//     parameter, inferred (ParamRef.Infer). A literal that stays Unknown evaluates as text.
//   - Overloads are chosen as func_select_candidate does (exact matches, then preferred types, then
//     the string category for unknowns); implicit casts are PostgreSQL's (int2→int4→int8→numeric→
//     float4→float8, date→timestamp→timestamptz, text↔varchar). Coerce additionally allows
//     assignment casts for contexts that start with "column" or "argument of".
//   - Constant casts are folded at construction unless they depend on the session time zone.
//
// Evaluation order: CASE results, COALESCE arguments and the later arguments of AND/OR count only
// for the rows that need them: an error in a row already decided (x <> 0 AND 10 / x > 1 at x = 0)
// is not raised, as PostgreSQL's left-to-right short circuit would not raise it. The batch is
// evaluated whole first; only when that fails are the rows that need the argument retried one by
// one (see evalSel), so the common case costs nothing.
//
// Constant and parameter operands stay scalars inside kernels instead of being materialized per
// row; a call whose arguments are all constant is computed once and broadcast.
package expr
