package expr

import (
	"strings"
	"time"

	"github.com/apache/arrow-go/v18/arrow"

	"github.com/runnel-db/runnel/exec/sqlerr"
	"github.com/runnel-db/runnel/exec/types"
)

// castExpr converts its input to another type (or applies a typmod).
type castExpr struct {
	e        Expr
	to       types.T
	explicit bool
	k        kernel
}

var _ node = (*castExpr)(nil)

func (c *castExpr) Type() types.T { return c.to }

func (c *castExpr) Eval(ctx *Context, cols []arrow.Array, n int) (arrow.Array, error) {
	o, err := evalOperand(ctx, c.e, cols, n)
	if err != nil {
		return nil, err
	}
	defer releaseOperands([]operand{o})
	if o.isNullScalar() {
		return constArray(ctx.Allocator(), c.to, nil, n), nil
	}
	if o.isScalar() && n > 1 {
		one, err := c.k(ctx, []operand{o}, 1, c.to)
		if err != nil {
			return nil, err
		}
		defer one.Release()
		return constArray(ctx.Allocator(), c.to, types.DatumAt(one, 0, c.to), n), nil
	}
	return c.k(ctx, []operand{o}, n, c.to)
}

func (c *castExpr) String() string {
	if c.explicit {
		return c.e.String() + "::" + c.to.String()
	}
	return c.e.String()
}

func (c *castExpr) children() []Expr { return []Expr{c.e} }

func (c *castExpr) withChildren(ch []Expr) Expr {
	cp := *c
	cp.e = ch[0]
	return &cp
}

// Cast is an explicit CAST(e AS to) / e::to. Impossible casts fail with 42846 "cannot cast type
// boolean to date". A constant input is folded (so a bad literal fails here, as in PostgreSQL),
// except where the result depends on the session time zone.
func Cast(e Expr, to types.T) (Expr, error) {
	return coerceTo(e, to, castExplicit)
}

// Coerce converts e to type to implicitly for a purpose named by context. Contexts that start with
// "column" (INSERT/UPDATE targets, e.g. `column "x"`) or "argument of" (WHERE, LIMIT, ...: PostgreSQL's
// coerce_to_specific_type) allow assignment casts (bigint → integer, numeric → bigint for LIMIT 2.5,
// anything → text, numeric typmod rounding); other contexts allow only implicit casts. Failures
// are 42804: `column "x" is of type integer but expression is of type text`, or for contexts
// starting with "argument of" (e.g. "argument of WHERE"): `argument of WHERE must be type boolean,
// not type integer`.
func Coerce(e Expr, to types.T, context string) (Expr, error) {
	level := castImplicit
	if strings.HasPrefix(context, "column") || strings.HasPrefix(context, "argument of") {
		level = castAssignment
	}
	from := e.Type()
	if from.Kind != types.Unknown && castContext(from.Kind, to.Kind) < level {
		if strings.HasPrefix(context, "argument of") {
			return nil, sqlerr.New(sqlerr.DatatypeMismatch, "%s must be type %s, not type %s", context, to, from)
		}
		return nil, &sqlerr.Error{Code: sqlerr.DatatypeMismatch,
			Message: context + " is of type " + to.String() + " but expression is of type " + from.String(),
			Hint:    "You will need to rewrite or cast the expression."}
	}
	return coerceTo(e, to, level)
}

// locDependent reports whether converting from → to depends on the session time zone.
func locDependent(from, to types.Kind) bool {
	return (from == types.TimestampTZ) != (to == types.TimestampTZ)
}

// coerceTo converts e to type to if a cast at level (or more permissive) exists.
func coerceTo(e Expr, to types.T, level castLevel) (Expr, error) {
	from := e.Type()
	if from == to {
		return e, nil
	}
	if from.Kind == types.Array || to.Kind == types.Array {
		if to.Kind == types.Unknown || to.Kind == anyKind || (to.Kind == types.Array && to.Elem == types.Unknown && from.Kind == types.Array) {
			return e, nil
		}
		return coerceArray(e, to, level)
	}
	if p, ok := e.(*ParamRef); ok && from.Kind == types.Unknown {
		p.Infer(types.T{Kind: to.Kind})
		if to.Kind == types.Unknown || (to.Precision == 0) {
			return p, nil
		}
		return coerceTo(p, to, level)
	}
	if from.Kind == to.Kind && to.Precision == 0 && level != castExplicit {
		return e, nil // numeric(10,2) is a numeric; varchar(5) a varchar
	}
	if to.Kind == types.Unknown || to.Kind == anyKind {
		return e, nil
	}
	if _, ok := e.(*constExpr); ok && from.Kind == types.Unknown && to.Reg.Named() {
		r, _ := regCast(e, to, level)
		return r, nil
	}
	if c, ok := e.(*constExpr); ok && from.Kind == types.Unknown {
		return coerceUnknownConst(c, to, level)
	}
	if cl := castContext(from.Kind, to.Kind); cl == castNone || cl < level {
		return nil, sqlerr.New(sqlerr.CannotCoerce, "cannot cast type %s to %s", from, to)
	}
	if r, ok := regCast(e, to, level); ok {
		return r, nil
	}
	k, err := castKernel(from, to, level == castExplicit)
	if err != nil {
		return nil, err
	}
	ce := &castExpr{e: e, to: to, explicit: level == castExplicit, k: k}
	if c, ok := e.(*constExpr); ok && !locDependent(from.Kind, to.Kind) {
		if d, ok, err := castIntConst(c.v, from, to); ok || err != nil {
			if err != nil {
				return nil, err
			}
			return Const(d, to), nil
		}
		d, err := EvalConst(nil, ce)
		if err != nil {
			return nil, err
		}
		_ = c
		return Const(d, to), nil
	}
	return ce, nil
}

// coerceUnknownConst types a string literal: it is parsed by the target type's input function.
func coerceUnknownConst(c *constExpr, to types.T, level castLevel) (Expr, error) {
	if c.v == nil {
		return Null(to), nil
	}
	s, _ := c.v.(string)
	text := Const(s, types.TextT)
	base := types.T{Kind: to.Kind}
	if locDependent(types.Text, to.Kind) {
		// Validate now (the error class does not depend on the zone), convert at run time.
		if _, err := types.ParseText(s, base, time.UTC); err != nil {
			return nil, err
		}
		k, err := castKernel(types.TextT, to, level == castExplicit)
		if err != nil {
			return nil, err
		}
		return &castExpr{e: text, to: to, explicit: level == castExplicit, k: k}, nil
	}
	d, err := types.ParseText(s, base, time.UTC)
	if err != nil {
		return nil, err
	}
	if to.Precision == 0 {
		return Const(d, to), nil
	}
	return coerceTo(Const(d, base), to, level)
}

// castIntConst folds the casts of integer constants that planning big VALUES lists meets on every
// value (int4 literal into a bigint, numeric or double column) without building Arrow arrays;
// ok is false for the casts it leaves to the general kernels.
func castIntConst(v types.Datum, from, to types.T) (types.Datum, bool, error) {
	x, isInt := v.(int64)
	if !from.IsInteger() || (v != nil && !isInt) {
		return nil, false, nil
	}
	if v == nil {
		return nil, true, nil
	}
	switch {
	case to.IsInteger():
		n, err := types.CheckIntRange(x, to)
		return n, true, err
	case to.Kind == types.Float64:
		return float64(x), true, nil
	case to.Kind == types.Numeric:
		n := types.NumericFromInt64(x)
		if to.Precision > 0 {
			var err error
			n, err = types.NumericApplyTypmod(n, to.Precision, to.Scale)
			return n, true, err
		}
		return n, true, nil
	}
	return nil, false, nil
}
