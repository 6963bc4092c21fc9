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
package expr
