package expr

import (
	"github.com/apache/arrow-go/v18/arrow"

	"github.com/runnel-db/runnel/exec/sqlerr"
	"github.com/runnel-db/runnel/exec/types"
)

// greatestExpr is GREATEST/LEAST: NULL arguments are ignored; NULL only if all are NULL.
type greatestExpr struct {
	least bool
	args  []Expr
	t     types.T
}

var _ node = (*greatestExpr)(nil)

// Greatest is GREATEST(args) (LEAST when least is set) over the arguments' common type.
func Greatest(args []Expr, least bool) (Expr, error) {
	name := "GREATEST"
	if least {
		name = "LEAST"
	}
	ts := make([]types.T, len(args))
	for i, a := range args {
		ts[i] = a.Type()
	}
	t, err := CommonType(ts, name)
	if err != nil {
		return nil, err
	}
	if t.Kind == types.JSONB || t.Kind == types.JSON {
		return nil, undefinedCall(name, false, ts, false)
	}
	out := make([]Expr, len(args))
	for i, a := range args {
		if out[i], err = coerceTo(a, t, castImplicit); err != nil {
			return nil, err
		}
	}
	return &greatestExpr{least: least, args: out, t: t}, nil
}

func (g *greatestExpr) Type() types.T { return g.t }

func (g *greatestExpr) Eval(ctx *Context, cols []arrow.Array, n int) (arrow.Array, error) {
	ops := make([]operand, 0, len(g.args))
	defer func() { releaseOperands(ops) }()
	for _, a := range g.args {
		o, err := evalOperand(ctx, a, cols, n)
		if err != nil {
			return nil, err
		}
		ops = append(ops, o)
	}
	choice := make([]int, n)
	var best types.Datum
	for i := 0; i < n; i++ {
		choice[i] = -1
		best = nil
		for k, o := range ops {
			d := o.datum(i)
			if d == nil {
				continue
			}
			c := 0
			if best != nil {
				c = types.CompareDatum(d, best, g.t)
			}
			if best == nil || (c > 0 && !g.least) || (c < 0 && g.least) {
				best, choice[i] = d, k
			}
		}
	}
	return pickRows(ctx, g.t, n, choice, ops), nil
}

func (g *greatestExpr) String() string {
	if g.least {
		return "LEAST(" + joinExprs(g.args) + ")"
	}
	return "GREATEST(" + joinExprs(g.args) + ")"
}

func (g *greatestExpr) children() []Expr { return g.args }

func (g *greatestExpr) withChildren(ch []Expr) Expr {
	return &greatestExpr{least: g.least, args: ch, t: g.t}
}

// inExpr is e [NOT] IN (list): the OR of e = item with SQL NULL semantics (no match and a NULL
// item or NULL e gives NULL).
type inExpr struct {
	e, list []Expr // e has one element: the left operand as coerced
	not     bool
	inner   Expr // OR of the equalities, negated for NOT IN
	// For a list of constants of an integer-like or string type, a hash set replaces the ORs.
	ints    map[int64]struct{}
	strs    map[string]struct{}
	hasNull bool // the constant list contains NULL
}

var _ node = (*inExpr)(nil)

// In is e IN (list), or e NOT IN (list) when not is set.
func In(e Expr, list []Expr, not bool) (Expr, error) {
	if len(list) == 0 {
		return nil, sqlerr.New(sqlerr.SyntaxError, "IN list must not be empty")
	}
	ts := []types.T{e.Type()}
	for _, x := range list {
		ts = append(ts, x.Type())
	}
	lhs := e
	items := list
	if t, err := CommonType(ts, "IN"); err == nil {
		if lhs, err = coerceTo(e, t, castImplicit); err != nil {
			return nil, err
		}
		items = make([]Expr, len(list))
		for i, x := range list {
			if items[i], err = coerceTo(x, t, castImplicit); err != nil {
				return nil, err
			}
		}
	}
	return buildIn(lhs, items, not)
}

func buildIn(lhs Expr, items []Expr, not bool) (Expr, error) {
	eqs := make([]Expr, len(items))
	for i, x := range items {
		eq, err := Call("=", []Expr{lhs, x})
		if err != nil {
			return nil, err
		}
		eqs[i] = eq
	}
	inner, err := Or(eqs...)
	if err != nil {
		return nil, err
	}
	if not {
		if inner, err = Not(inner); err != nil {
			return nil, err
		}
	}
	in := &inExpr{e: []Expr{lhs}, list: items, not: not, inner: inner}
	in.buildSet()
	return in, nil
}

// buildSet prepares the hash-set path when every item is a constant of the left side's type.
func (in *inExpr) buildSet() {
	t := in.e[0].Type()
	for _, x := range in.list {
		if x.Type() != t {
			return
		}
		if _, ok := x.(*constExpr); !ok {
			return
		}
	}
	switch t.Kind {
	case types.Int16, types.Int32, types.Int64, types.Date, types.Timestamp, types.TimestampTZ:
		in.ints = make(map[int64]struct{}, len(in.list))
		for _, x := range in.list {
			v, _ := ConstValue(x)
			if v == nil {
				in.hasNull = true
				continue
			}
			in.ints[scalarAs[int64](v)] = struct{}{}
		}
	case types.Text, types.Varchar:
		in.strs = make(map[string]struct{}, len(in.list))
		for _, x := range in.list {
			v, _ := ConstValue(x)
			if v == nil {
				in.hasNull = true
				continue
			}
			in.strs[v.(string)] = struct{}{}
		}
	}
}

// evalSet is the hash-set path: true on a match, else NULL if the list holds NULL, else false
// (inverted for NOT IN); NULL for a NULL left side.
func (in *inExpr) evalSet(ctx *Context, cols []arrow.Array, n int) (arrow.Array, error) {
	o, err := evalOperand(ctx, in.e[0], cols, n)
	if err != nil {
		return nil, err
	}
	defer releaseOperands([]operand{o})
	mem := ctx.Allocator()
	mask := combineValidity(mem, n, o)
	if !in.hasNull && mask.buf == nil && o.arr != nil && in.ints != nil && o.t.Kind == types.Int64 {
		// Hot case: non-null bigint column.
		buf := newBoolBuf(mem, n)
		out := buf.Bytes()
		for i, v := range values[int64](o.arr)[:n] {
			if _, ok := in.ints[v]; ok != in.not {
				out[i>>3] |= 1 << (i & 7)
			}
		}
		return finish(arrow.FixedWidthTypes.Boolean, n, mask, buf), nil
	}
	var ia func(int) int64
	var sr stringReader
	if in.ints != nil {
		ia = intAccAny(o)
	} else {
		sr = newStringReader(o)
	}
	vals := newBoolBuf(mem, n)
	valid := newBoolBuf(mem, n)
	vb, mb := vals.Bytes(), valid.Bytes()
	nulls := 0
	for i := 0; i < n; i++ {
		if !mask.valid(i) {
			nulls++
			continue
		}
		var found bool
		if ia != nil {
			_, found = in.ints[ia(i)]
		} else {
			_, found = in.strs[sr.at(i)]
		}
		if !found && in.hasNull {
			nulls++
			continue
		}
		mb[i>>3] |= 1 << (i & 7)
		if found != in.not {
			vb[i>>3] |= 1 << (i & 7)
		}
	}
	mask.release()
	if nulls == 0 {
		valid.Release()
		return finish(arrow.FixedWidthTypes.Boolean, n, nullMask{}, vals), nil
	}
	return finish(arrow.FixedWidthTypes.Boolean, n, nullMask{buf: valid, nulls: nulls}, vals), nil
}

// intAccAny reads an integer-like operand (integers, date, timestamps) as int64.
func intAccAny(o operand) func(int) int64 {
	if o.arr == nil {
		v := scalarAs[int64](o.scalar)
		return func(int) int64 { return v }
	}
	switch o.t.Kind {
	case types.Int16:
		vs := values[int16](o.arr)
		return func(i int) int64 { return int64(vs[i]) }
	case types.Int32, types.Date:
		vs := values[int32](o.arr)
		return func(i int) int64 { return int64(vs[i]) }
	}
	vs := values[int64](o.arr)
	return func(i int) int64 { return vs[i] }
}

func (in *inExpr) Type() types.T { return types.BoolT }

func (in *inExpr) Eval(ctx *Context, cols []arrow.Array, n int) (arrow.Array, error) {
	if in.ints != nil || in.strs != nil {
		return in.evalSet(ctx, cols, n)
	}
	return in.inner.Eval(ctx, cols, n)
}

func (in *inExpr) String() string {
	op := " IN ("
	if in.not {
		op = " NOT IN ("
	}
	return "(" + in.e[0].String() + op + joinExprs(in.list) + "))"
}

func (in *inExpr) children() []Expr { return append([]Expr{in.e[0]}, in.list...) }

func (in *inExpr) withChildren(ch []Expr) Expr {
	r, err := buildIn(ch[0], ch[1:], in.not)
	if err != nil {
		// The types are unchanged by remapping, so resolution cannot fail.
		panic(err)
	}
	return r
}
