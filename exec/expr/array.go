package expr

import (
	"strings"

	"github.com/apache/arrow-go/v18/arrow"
	"github.com/apache/arrow-go/v18/arrow/array"
	"github.com/apache/arrow-go/v18/arrow/memory"

	"github.com/runnel-db/runnel/exec/sqlerr"
	"github.com/runnel-db/runnel/exec/types"
)

// Array expressions: constructors, casts, subscripts, comparisons, ANY/ALL and the array
// functions. Arrays serve catalog queries, not hot loops: these expressions work row by row on
// Datums (see rowExpr), except ANY/ALL, which evaluates its comparison once over the flattened
// elements of the whole batch.

// rowExpr computes its value row by row from its arguments' Datums. Unless lenient, a row with a
// NULL argument is NULL without calling fn.
type rowExpr struct {
	name    string
	args    []Expr
	ret     types.T
	lenient bool
	fn      func(ctx *Context, row []types.Datum) (types.Datum, error)
}

var _ node = (*rowExpr)(nil)

func (r *rowExpr) Type() types.T { return r.ret }

func (r *rowExpr) Eval(ctx *Context, cols []arrow.Array, n int) (arrow.Array, error) {
	ops := make([]operand, len(r.args))
	defer func() { releaseOperands(ops) }()
	for i, a := range r.args {
		o, err := evalOperand(ctx, a, cols, n)
		if err != nil {
			return nil, err
		}
		ops[i] = o
	}
	b := types.NewBuilder(ctx.Allocator(), r.ret)
	defer b.Release()
	row := make([]types.Datum, len(ops))
rows:
	for i := 0; i < n; i++ {
		for k, o := range ops {
			row[k] = o.datum(i)
			if row[k] == nil && !r.lenient {
				b.AppendNull()
				continue rows
			}
		}
		d, err := r.fn(ctx, row)
		if err != nil {
			return nil, err
		}
		types.AppendDatum(b, d)
	}
	return b.NewArray(), nil
}

func (r *rowExpr) String() string {
	parts := make([]string, len(r.args))
	for i, a := range r.args {
		parts[i] = a.String()
	}
	if r.name == "ARRAY" {
		return "ARRAY[" + strings.Join(parts, ", ") + "]"
	}
	return r.name + "(" + strings.Join(parts, ", ") + ")"
}

func (r *rowExpr) children() []Expr { return r.args }

func (r *rowExpr) withChildren(ch []Expr) Expr {
	cp := *r
	cp.args = ch
	return &cp
}

// foldRow folds a rowExpr whose arguments are all constants.
func foldRow(r *rowExpr) (Expr, error) {
	for _, a := range r.args {
		if _, ok := a.(*constExpr); !ok {
			return r, nil
		}
	}
	d, err := EvalConst(nil, r)
	if err != nil {
		return nil, err
	}
	return Const(d, r.ret), nil
}

// ArrayCtor is ARRAY[e1, e2, ...]: the elements are coerced to their common type.
func ArrayCtor(elems []Expr) (Expr, error) {
	if len(elems) == 0 {
		return nil, &sqlerr.Error{Code: "42P18", Message: "cannot determine type of empty array",
			Hint: `Explicitly cast to the desired type, for example ARRAY[]::integer[].`}
	}
	et, err := CommonType(exprTypes(elems), "ARRAY")
	if err != nil {
		return nil, err
	}
	if et.Kind == types.Array {
		return nil, sqlerr.NotSupported("multidimensional arrays")
	}
	at, ok := types.ArrayOf(et)
	if !ok {
		return nil, sqlerr.NotSupported("arrays of type " + et.String())
	}
	args := make([]Expr, len(elems))
	for i, e := range elems {
		if args[i], err = coerceTo(e, et, castImplicit); err != nil {
			return nil, err
		}
	}
	return foldRow(&rowExpr{name: "ARRAY", args: args, ret: at, lenient: true,
		fn: func(_ *Context, row []types.Datum) (types.Datum, error) {
			return append(types.ArrayValue{}, row...), nil
		}})
}

// EmptyArray is ARRAY[]::t or the value of ARRAY(subquery) over no rows.
func EmptyArray(t types.T) Expr { return Const(types.ArrayValue{}, t) }

// coerceArray converts e to or from an array type.
func coerceArray(e Expr, to types.T, level castLevel) (Expr, error) {
	from := e.Type()
	cannot := func() error {
		return sqlerr.New(sqlerr.CannotCoerce, "cannot cast type %s to %s", from, to)
	}
	if to.IsRecord() || (from.IsRecord() && !to.IsString()) {
		return nil, cannot()
	}
	switch {
	case from.Kind == types.Unknown:
		if c, ok := e.(*constExpr); ok {
			if c.v == nil {
				return Null(to), nil
			}
			d, err := types.ParseText(c.v.(string), to, nil)
			if err != nil {
				return nil, err
			}
			return Const(d, to), nil
		}
		if p, ok := e.(*ParamRef); ok {
			p.Infer(to)
			return p, nil
		}
		return parseArrayExpr(e, to), nil
	case to.Kind != types.Array:
		if (to.Kind == types.Text || to.Kind == types.Varchar) && level <= castAssignment {
			return foldRow(&rowExpr{name: "text", args: []Expr{e}, ret: to,
				fn: func(ctx *Context, row []types.Datum) (types.Datum, error) {
					return types.FormatDatum(row[0], from, ctx.Loc()), nil
				}})
		}
		return nil, cannot()
	case from.Kind != types.Array:
		if from.IsString() && level == castExplicit {
			return parseArrayExpr(e, to), nil
		}
		return nil, cannot()
	}
	// Array to array.
	if from.Elem == to.Elem && from.ElemType() == to.ElemType() {
		// Same elements: int2vector → int2[] keeps its zero lower bound, as in PostgreSQL.
		if to.IsVector() && !from.IsVector() && from.LowerBound() != 0 {
			return nil, cannot()
		}
		if !to.IsVector() && from.LowerBound() == 0 {
			to = from.PlainArray()
		}
		return retype(e, to), nil
	}
	if from.LowerBound() != to.LowerBound() {
		return nil, sqlerr.NotSupported("casts between arrays of different lower bounds")
	}
	ft, tt := from.ElemType(), to.ElemType()
	elemCast, err := coerceTo(Column(0, ft), tt, level)
	if err != nil {
		return nil, cannot()
	}
	return foldRow(&rowExpr{name: "cast", args: []Expr{e}, ret: to,
		fn: func(ctx *Context, row []types.Datum) (types.Datum, error) {
			return mapElems(ctx, row[0].(types.ArrayValue), ft, tt, elemCast)
		}})
}

// mapElems evaluates f, an expression over Column(0) of type ft, for every element of a.
func mapElems(ctx *Context, a types.ArrayValue, ft, tt types.T, f Expr) (types.ArrayValue, error) {
	in := types.MakeArray(ctx.Allocator(), ft, a)
	defer in.Release()
	out, err := f.Eval(ctx, []arrow.Array{in}, len(a))
	if err != nil {
		return nil, err
	}
	defer out.Release()
	res := make(types.ArrayValue, len(a))
	for i := range res {
		res[i] = types.DatumAt(out, i, tt)
	}
	return res, nil
}

func parseArrayExpr(e Expr, to types.T) Expr {
	return &rowExpr{name: "cast", args: []Expr{e}, ret: to,
		fn: func(ctx *Context, row []types.Datum) (types.Datum, error) {
			return types.ParseText(row[0].(string), to, ctx.Loc())
		}}
}

// retypeExpr is e seen as another type of the same representation.
type retypeExpr struct {
	e Expr
	t types.T
}

var _ node = (*retypeExpr)(nil)

func retype(e Expr, t types.T) Expr {
	if c, ok := e.(*constExpr); ok {
		return Const(c.v, t)
	}
	return &retypeExpr{e: e, t: t}
}

func (r *retypeExpr) Type() types.T { return r.t }
func (r *retypeExpr) Eval(ctx *Context, cols []arrow.Array, n int) (arrow.Array, error) {
	return r.e.Eval(ctx, cols, n)
}
func (r *retypeExpr) String() string             { return r.e.String() + "::" + r.t.String() }
func (r *retypeExpr) children() []Expr           { return []Expr{r.e} }
func (r *retypeExpr) withChildren(c []Expr) Expr { return &retypeExpr{e: c[0], t: r.t} }

// Subscript is a[i]: NULL when i is outside the array's bounds.
func Subscript(a, idx Expr) (Expr, error) {
	at := a.Type()
	if at.Kind == types.Unknown {
		return nil, sqlerr.New(sqlerr.DatatypeMismatch, "cannot subscript type unknown because it does not support subscripting")
	}
	if at.Kind != types.Array || at.IsRecord() {
		return nil, sqlerr.New(sqlerr.DatatypeMismatch, "cannot subscript type %s because it does not support subscripting", at)
	}
	i, err := Coerce(idx, types.Int32T, "array subscript")
	if err != nil {
		return nil, &sqlerr.Error{Code: sqlerr.DatatypeMismatch, Message: "array subscript must have type integer"}
	}
	lb := at.LowerBound()
	return &rowExpr{name: "subscript", args: []Expr{a, i}, ret: at.ElemType(),
		fn: func(_ *Context, row []types.Datum) (types.Datum, error) {
			arr, k := row[0].(types.ArrayValue), row[1].(int64)-lb
			if k < 0 || k >= int64(len(arr)) {
				return nil, nil
			}
			return arr[k], nil
		}}, nil
}

// arrayOperand coerces an unknown-typed operand to the array type of the other one.
func arrayOperands(a, b Expr) (Expr, Expr, error) {
	var err error
	if a.Type().Kind == types.Unknown {
		a, err = coerceTo(a, b.Type(), castImplicit)
	} else if b.Type().Kind == types.Unknown {
		b, err = coerceTo(b, a.Type(), castImplicit)
	}
	return a, b, err
}

// arrayCompare is =, <>, <, <=, >, >= between arrays (array_eq, array_cmp).
func arrayCompare(op string, a, b Expr) (Expr, error) {
	a, b, err := arrayOperands(a, b)
	if err != nil {
		return nil, err
	}
	at, bt := a.Type(), b.Type()
	if at.Kind != types.Array || bt.Kind != types.Array || at.ElemType() != bt.ElemType() && !sameElems(at, bt) {
		return nil, undefinedCall(op, true, []types.T{at, bt}, false)
	}
	if at.ElemType() != bt.ElemType() {
		if b, err = coerceTo(b, at, castImplicit); err != nil {
			return nil, err
		}
	}
	et, lbDiffer := at.ElemType(), at.LowerBound() != bt.LowerBound()
	return &rowExpr{name: op, args: []Expr{a, b}, ret: types.BoolT,
		fn: func(_ *Context, row []types.Datum) (types.Datum, error) {
			x, y := row[0].(types.ArrayValue), row[1].(types.ArrayValue)
			c := types.CompareArrays(x, y, et)
			if c == 0 && lbDiffer && len(x) > 0 {
				c = int(at.LowerBound() - bt.LowerBound())
			}
			switch op {
			case "=":
				return c == 0, nil
			case "<>":
				return c != 0, nil
			case "<":
				return c < 0, nil
			case "<=":
				return c <= 0, nil
			case ">":
				return c > 0, nil
			}
			return c >= 0, nil
		}}, nil
}

// sameElems reports whether arrays of at and bt hold the same kind of elements (for int2vector
// against int2[]).
func sameElems(at, bt types.T) bool {
	return at.Elem == bt.Elem && at.ElemType().Reg == bt.ElemType().Reg
}

// AnyAll is `x op ANY (array)` (all=false) or `x op ALL (array)`: true if the comparison holds
// for some (every) element, NULL when it holds for none (fails for none) but some element or x is
// NULL, as PostgreSQL's ScalarArrayOpExpr.
func AnyAll(op string, x, arr Expr, all bool) (Expr, error) {
	var err error
	if arr.Type().Kind == types.Unknown {
		// x = ANY('{...}'): the literal is an array of x's type.
		xt := x.Type()
		if xt.Kind == types.Unknown {
			xt = types.TextT
		}
		at, ok := types.ArrayOf(xt)
		if !ok {
			return nil, sqlerr.NotSupported("arrays of type " + xt.String())
		}
		if arr, err = coerceTo(arr, at, castImplicit); err != nil {
			return nil, err
		}
	}
	at := arr.Type()
	if at.Kind != types.Array || at.IsRecord() {
		return nil, &sqlerr.Error{Code: sqlerr.DatatypeMismatch, Message: "op ANY/ALL (array) requires array on right side"}
	}
	et := at.ElemType()
	xt := x.Type()
	if xt.Kind == types.Unknown {
		if x, err = coerceTo(x, et, castImplicit); err != nil {
			return nil, err
		}
		xt = et
	}
	if xt.Kind == types.Unknown {
		xt = types.TextT
	}
	cmp, err := Call(op, []Expr{Column(0, xt), Column(1, et)})
	if err != nil {
		return nil, err
	}
	if cmp.Type().Kind != types.Bool {
		return nil, &sqlerr.Error{Code: sqlerr.DatatypeMismatch, Message: "op ANY/ALL (array) requires operator to yield boolean"}
	}
	return &anyAllExpr{op: op, x: x, xt: xt, arr: arr, cmp: cmp, all: all}, nil
}

type anyAllExpr struct {
	op     string
	x, arr Expr
	xt     types.T // type of x (text for an unknown literal)
	cmp    Expr    // over Column(0) = x, Column(1) = element
	all    bool
}

var _ node = (*anyAllExpr)(nil)

func (a *anyAllExpr) Type() types.T { return types.BoolT }

func (a *anyAllExpr) Eval(ctx *Context, cols []arrow.Array, n int) (arrow.Array, error) {
	mem := ctx.Allocator()
	xo, err := evalOperand(ctx, a.x, cols, n)
	if err != nil {
		return nil, err
	}
	xs := xo.materialize(mem, n)
	releaseOperands([]operand{xo})
	defer xs.Release()
	ao, err := evalOperand(ctx, a.arr, cols, n)
	if err != nil {
		return nil, err
	}
	arrs := ao.materialize(mem, n)
	releaseOperands([]operand{ao})
	defer arrs.Release()
	list := arrs.(*array.List)
	// Flatten: one comparison per (row, element).
	var idx []int32
	var elemIdx []int32
	for i := 0; i < n; i++ {
		if list.IsNull(i) {
			continue
		}
		s, e := list.ValueOffsets(i)
		for k := s; k < e; k++ {
			idx = append(idx, int32(i))
			elemIdx = append(elemIdx, int32(k))
		}
	}
	left := takeArray(mem, xs, a.xt, idx)
	defer left.Release()
	right := takeArray(mem, list.ListValues(), a.arr.Type().ElemType(), elemIdx)
	defer right.Release()
	res, err := a.cmp.Eval(ctx, []arrow.Array{left, right}, len(idx))
	if err != nil {
		return nil, err
	}
	defer res.Release()
	bools := res.(*array.Boolean)
	b := array.NewBooleanBuilder(mem)
	defer b.Release()
	p := 0
	for i := 0; i < n; i++ {
		if list.IsNull(i) {
			b.AppendNull()
			continue
		}
		s, e := list.ValueOffsets(i)
		decided, sawNull := false, false
		for k := s; k < e; k++ {
			switch {
			case bools.IsNull(p):
				sawNull = true
			case bools.Value(p) != a.all:
				decided = true
			}
			p++
		}
		switch {
		case decided:
			b.Append(!a.all)
		case sawNull:
			b.AppendNull()
		default:
			b.Append(a.all)
		}
	}
	return b.NewArray(), nil
}

// takeArray gathers values idx of arr (nulls kept).
func takeArray(mem memory.Allocator, arr arrow.Array, t types.T, idx []int32) arrow.Array {
	b := array.NewBuilder(mem, arr.DataType())
	defer b.Release()
	for _, i := range idx {
		types.AppendDatum(b, types.DatumAt(arr, int(i), t))
	}
	return b.NewArray()
}

func (a *anyAllExpr) String() string {
	q := " ANY ("
	if a.all {
		q = " ALL ("
	}
	return "(" + a.x.String() + " " + a.op + q + a.arr.String() + "))"
}

func (a *anyAllExpr) children() []Expr { return []Expr{a.x, a.arr} }

func (a *anyAllExpr) withChildren(ch []Expr) Expr {
	cp := *a
	cp.x, cp.arr = ch[0], ch[1]
	return &cp
}

// ExpandRecord builds the (x, n) record of _pg_expandarray from its two fields.
func ExpandRecord(x, n Expr) (Expr, error) {
	t, ok := types.ExpandRecordOf(x.Type())
	if !ok {
		return nil, sqlerr.NotSupported("_pg_expandarray as a record over " + x.Type().String())
	}
	n, err := coerceTo(n, types.T{Kind: t.Elem}, castAssignment)
	if err != nil {
		return nil, err
	}
	return &rowExpr{name: "ROW", args: []Expr{x, n}, ret: t, lenient: true,
		fn: func(_ *Context, row []types.Datum) (types.Datum, error) {
			if row[0] == nil && row[1] == nil {
				return nil, nil // the set-returning function had no row here
			}
			return types.ArrayValue{row[0], row[1]}, nil
		}}, nil
}

// RecordField selects field x or n of a _pg_expandarray record: (r).x, (r).n.
func RecordField(r Expr, field string) (Expr, error) {
	t := r.Type()
	if !t.IsRecord() {
		return nil, sqlerr.NotSupported("field selection from type " + t.String())
	}
	k := 0
	switch field {
	case "x":
	case "n":
		k = 1
	default:
		return nil, &sqlerr.Error{Code: sqlerr.UndefinedColumn, Message: "could not identify column \"" + field + "\" in record data type"}
	}
	ft := t.RecordFieldType(k)
	return &rowExpr{name: "field_" + field, args: []Expr{r}, ret: ft,
		fn: func(_ *Context, row []types.Datum) (types.Datum, error) {
			return row[0].(types.ArrayValue)[k], nil
		}}, nil
}

// ArrayMap is ARRAY(SELECT f(x) FROM unnest(arr) x [WHERE cond(x)]) evaluated per row without a
// subquery: f and cond are expressions over Column(0), the element (cond may be nil). Elements
// keep the array's order, as PostgreSQL's function scan returns them. A NULL array gives '{}'.
func ArrayMap(arr, f, cond Expr) (Expr, error) {
	at, ok := types.ArrayOf(f.Type())
	if !ok {
		return nil, sqlerr.NotSupported("arrays of type " + f.Type().String())
	}
	src := arr.Type()
	et := src.ElemType()
	return &rowExpr{name: "array_map", args: []Expr{arr}, ret: at, lenient: true,
		fn: func(ctx *Context, row []types.Datum) (types.Datum, error) {
			if row[0] == nil {
				return types.ArrayValue{}, nil
			}
			a := row[0].(types.ArrayValue)
			vals, err := mapElems(ctx, a, et, f.Type(), f)
			if err != nil {
				return nil, err
			}
			if cond == nil {
				return vals, nil
			}
			keep, err := mapElems(ctx, a, et, types.BoolT, cond)
			if err != nil {
				return nil, err
			}
			out := types.ArrayValue{}
			for i, k := range keep {
				if k == true {
					out = append(out, vals[i])
				}
			}
			return out, nil
		}}, nil
}
