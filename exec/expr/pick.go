package expr

import (
	"github.com/apache/arrow-go/v18/arrow"
	"github.com/apache/arrow-go/v18/arrow/array"

	"github.com/runnel-db/runnel/exec/types"
)

// appendFrom appends row i of operand o (of the builder's type) to b, NULL included. It is the
// per-row copy used by CASE, COALESCE, NULLIF and GREATEST to assemble results from several
// sources without going through Datums for column values.
func appendFrom(b array.Builder, o operand, i int) {
	if o.arr == nil {
		types.AppendDatum(b, o.scalar)
		return
	}
	if o.arr.IsNull(i) {
		b.AppendNull()
		return
	}
	switch bb := b.(type) {
	case *array.BooleanBuilder:
		bb.Append(o.arr.(*array.Boolean).Value(i))
	case *array.Int16Builder:
		bb.Append(o.arr.(*array.Int16).Value(i))
	case *array.Int32Builder:
		bb.Append(o.arr.(*array.Int32).Value(i))
	case *array.Int64Builder:
		bb.Append(o.arr.(*array.Int64).Value(i))
	case *array.Float32Builder:
		bb.Append(o.arr.(*array.Float32).Value(i))
	case *array.Float64Builder:
		bb.Append(o.arr.(*array.Float64).Value(i))
	case *array.Date32Builder:
		bb.Append(o.arr.(*array.Date32).Value(i))
	case *array.TimestampBuilder:
		bb.Append(o.arr.(*array.Timestamp).Value(i))
	case *array.StringBuilder:
		bb.Append(o.arr.(*array.String).Value(i))
	case *array.FixedSizeBinaryBuilder:
		bb.Append(o.arr.(*array.FixedSizeBinary).Value(i))
	case *array.MonthDayNanoIntervalBuilder:
		bb.Append(o.arr.(*array.MonthDayNanoInterval).Value(i))
	default:
		types.AppendDatum(b, o.datum(i))
	}
}

// pickRows builds n rows of type t where row i comes from srcs[choice[i]] (NULL when choice[i] < 0).
func pickRows(ctx *Context, t types.T, n int, choice []int, srcs []operand) arrow.Array {
	b := types.NewBuilder(ctx.Allocator(), t)
	defer b.Release()
	b.Reserve(n)
	for i := 0; i < n; i++ {
		if c := choice[i]; c >= 0 {
			appendFrom(b, srcs[c], i)
		} else {
			b.AppendNull()
		}
	}
	return b.NewArray()
}

// evalSel evaluates e for the rows where sel is true, as PostgreSQL evaluates CASE branches and
// COALESCE arguments lazily: a row that does not need e cannot fail because of it. The common case
// evaluates the whole batch at once; only if that fails are the selected rows evaluated one by one
// so that an error from an unselected row is ignored. Values at unselected rows are unspecified.
func evalSel(ctx *Context, e Expr, cols []arrow.Array, n int, sel []bool) (operand, error) {
	some, all := false, true
	for _, s := range sel[:n] {
		some = some || s
		all = all && s
	}
	t := e.Type()
	if t.Kind == types.Unknown {
		t = types.TextT
	}
	if !some {
		return operand{t: t}, nil
	}
	o, err := evalOperand(ctx, e, cols, n)
	if err == nil || all {
		return o, err
	}
	b := types.NewBuilder(ctx.Allocator(), t)
	defer b.Release()
	one := make([]arrow.Array, len(cols))
	for i := 0; i < n; i++ {
		if !sel[i] {
			b.AppendNull()
			continue
		}
		for j, c := range cols {
			if c != nil {
				one[j] = array.NewSlice(c, int64(i), int64(i+1))
			}
		}
		r, err := e.Eval(ctx, one, 1)
		for _, c := range one {
			if c != nil {
				c.Release()
			}
		}
		if err != nil {
			return operand{}, err
		}
		appendFrom(b, operand{arr: r, t: t}, 0)
		r.Release()
	}
	return operand{arr: b.NewArray(), t: t}, nil
}
