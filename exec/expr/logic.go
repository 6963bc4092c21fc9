package expr

import (
	"strings"

	"github.com/apache/arrow-go/v18/arrow"
	"github.com/apache/arrow-go/v18/arrow/bitutil"

	"github.com/runnel-db/runnel/exec/sqlerr"
	"github.com/runnel-db/runnel/exec/types"
)

// boolBits returns the value and validity bitmaps of a boolean operand, aligned at bit 0 and
// padded to whole bytes. valid is all ones when no row is null.
func boolBits(o operand, n int) (vals, valid []byte) {
	nb := int(bitutil.BytesForBits(int64(n)))
	vals = make([]byte, nb)
	valid = make([]byte, nb)
	if n == 0 {
		return vals, valid
	}
	if o.arr == nil {
		if o.scalar == nil {
			return vals, valid
		}
		fill := byte(0)
		if o.scalar.(bool) {
			fill = 0xFF
		}
		for i := range vals {
			vals[i] = fill
			valid[i] = 0xFF
		}
		return vals, valid
	}
	d := o.arr.Data()
	bitutil.CopyBitmap(d.Buffers()[1].Bytes(), d.Offset(), n, vals, 0)
	if o.arr.NullN() == 0 {
		for i := range valid {
			valid[i] = 0xFF
		}
	} else {
		bitutil.CopyBitmap(d.Buffers()[0].Bytes(), d.Offset(), n, valid, 0)
	}
	return vals, valid
}

// boolArray builds a boolean array from aligned bitmaps (valid nil = no nulls).
func boolArray(ctx *Context, n int, vals, valid []byte) arrow.Array {
	mem := ctx.Allocator()
	vb := newBoolBuf(mem, n)
	copy(vb.Bytes(), vals)
	var mask nullMask
	if valid != nil {
		if c := bitutil.CountSetBits(valid, 0, n); c < n {
			mb := newBoolBuf(mem, n)
			copy(mb.Bytes(), valid)
			mask = nullMask{buf: mb, nulls: n - c}
		}
	}
	return finish(arrow.FixedWidthTypes.Boolean, n, mask, vb)
}

// coerceBool coerces e to boolean for the named construct ("AND", "IS TRUE", ...).
func coerceBool(e Expr, construct string) (Expr, error) {
	return Coerce(e, types.BoolT, "argument of "+construct)
}

// logicExpr is an n-ary AND or OR with three-valued logic.
type logicExpr struct {
	or   bool
	args []Expr
}

var _ node = (*logicExpr)(nil)

func newLogic(or bool, args []Expr) (Expr, error) {
	name := "AND"
	if or {
		name = "OR"
	}
	out := make([]Expr, 0, len(args))
	for _, a := range args {
		c, err := coerceBool(a, name)
		if err != nil {
			return nil, err
		}
		// Flatten nested ANDs/ORs for compact plans.
		if l, ok := c.(*logicExpr); ok && l.or == or {
			out = append(out, l.args...)
			continue
		}
		out = append(out, c)
	}
	if len(out) == 1 {
		return out[0], nil
	}
	return &logicExpr{or: or, args: out}, nil
}

// And is the conjunction of args (false AND NULL = false).
func And(args ...Expr) (Expr, error) { return newLogic(false, args) }

// Or is the disjunction of args (true OR NULL = true).
func Or(args ...Expr) (Expr, error) { return newLogic(true, args) }

func (l *logicExpr) Type() types.T { return types.BoolT }

func (l *logicExpr) Eval(ctx *Context, cols []arrow.Array, n int) (arrow.Array, error) {
	nb := int(bitutil.BytesForBits(int64(n)))
	decided := make([]byte, nb) // rows with a false (AND) / true (OR) argument
	nullAny := make([]byte, nb)
	open := make([]bool, n) // rows not decided yet: later arguments only need these
	for i := range open {
		open[i] = true
	}
	for k, a := range l.args {
		if k > 0 {
			for i := range open {
				open[i] = decided[i>>3]&(1<<(i&7)) == 0
			}
		}
		o, err := evalSel(ctx, a, cols, n, open)
		if err != nil {
			return nil, err
		}
		vals, valid := boolBits(o, n)
		releaseOperands([]operand{o})
		for i := range decided {
			if l.or {
				decided[i] |= valid[i] & vals[i]
			} else {
				decided[i] |= valid[i] &^ vals[i]
			}
			nullAny[i] |= ^valid[i]
		}
	}
	valid := make([]byte, nb)
	vals := make([]byte, nb)
	for i := range valid {
		valid[i] = decided[i] | ^nullAny[i]
		if l.or {
			vals[i] = decided[i]
		} else {
			vals[i] = valid[i] &^ decided[i]
		}
	}
	return boolArray(ctx, n, vals, valid), nil
}

func (l *logicExpr) String() string {
	parts := make([]string, len(l.args))
	for i, a := range l.args {
		parts[i] = a.String()
	}
	sep := " AND "
	if l.or {
		sep = " OR "
	}
	return "(" + strings.Join(parts, sep) + ")"
}

func (l *logicExpr) children() []Expr { return l.args }

func (l *logicExpr) withChildren(ch []Expr) Expr { return &logicExpr{or: l.or, args: ch} }

// boolTestExpr is NOT, IS [NOT] NULL and IS [NOT] TRUE/FALSE/UNKNOWN.
type boolTestExpr struct {
	kind string // "not", "null", "true", "false", "unknown"
	not  bool
	e    Expr
}

var _ node = (*boolTestExpr)(nil)

// Not is logical negation (NOT NULL is NULL).
func Not(e Expr) (Expr, error) {
	c, err := coerceBool(e, "NOT")
	if err != nil {
		return nil, err
	}
	return &boolTestExpr{kind: "not", e: c}, nil
}

// IsNull is e IS NULL (or IS NOT NULL when not is set); never NULL itself.
func IsNull(e Expr, not bool) Expr { return &boolTestExpr{kind: "null", not: not, e: e} }

// IsBool is e IS [NOT] TRUE/FALSE/UNKNOWN; want is "true", "false" or "unknown".
func IsBool(e Expr, want string, not bool) (Expr, error) {
	switch want {
	case "true", "false", "unknown":
	default:
		return nil, sqlerr.New(sqlerr.SyntaxError, "invalid boolean test %q", want)
	}
	c, err := coerceBool(e, "IS "+strings.ToUpper(want))
	if err != nil {
		return nil, err
	}
	return &boolTestExpr{kind: want, not: not, e: c}, nil
}

func (b *boolTestExpr) Type() types.T { return types.BoolT }

func (b *boolTestExpr) Eval(ctx *Context, cols []arrow.Array, n int) (arrow.Array, error) {
	o, err := evalOperand(ctx, b.e, cols, n)
	if err != nil {
		return nil, err
	}
	defer releaseOperands([]operand{o})
	nb := int(bitutil.BytesForBits(int64(n)))
	var vals, valid []byte
	if b.kind == "null" {
		valid = make([]byte, nb)
		if o.arr == nil {
			if o.scalar != nil {
				for i := range valid {
					valid[i] = 0xFF
				}
			}
		} else if o.arr.NullN() == 0 {
			for i := range valid {
				valid[i] = 0xFF
			}
		} else {
			bitutil.CopyBitmap(o.arr.Data().Buffers()[0].Bytes(), o.arr.Data().Offset(), n, valid, 0)
		}
	} else {
		vals, valid = boolBits(o, n)
	}
	res := make([]byte, nb)
	switch b.kind {
	case "not":
		for i := range res {
			res[i] = ^vals[i]
		}
		return boolArray(ctx, n, res, valid), nil
	case "null":
		for i := range res {
			res[i] = ^valid[i]
		}
	case "true":
		for i := range res {
			res[i] = valid[i] & vals[i]
		}
	case "false":
		for i := range res {
			res[i] = valid[i] &^ vals[i]
		}
	case "unknown":
		for i := range res {
			res[i] = ^valid[i]
		}
	}
	if b.not {
		for i := range res {
			res[i] = ^res[i]
		}
	}
	return boolArray(ctx, n, res, nil), nil
}

func (b *boolTestExpr) String() string {
	if b.kind == "not" {
		return "(NOT " + b.e.String() + ")"
	}
	s := "(" + b.e.String() + " IS "
	if b.not {
		s += "NOT "
	}
	return s + strings.ToUpper(b.kind) + ")"
}

func (b *boolTestExpr) children() []Expr { return []Expr{b.e} }

func (b *boolTestExpr) withChildren(ch []Expr) Expr {
	cp := *b
	cp.e = ch[0]
	return &cp
}
