package expr

import (
	"strings"

	"github.com/apache/arrow-go/v18/arrow"
	"github.com/apache/arrow-go/v18/arrow/array"

	"github.com/runnel-db/runnel/exec/types"
)

// cmpMask encodes a comparison operator as the set of three-way outcomes (-1, 0, 1 at bits 0, 1,
// 2) for which it is true, so one loop serves all six operators.
var cmpMask = map[string]uint8{"=": 0b010, "<>": 0b101, "<": 0b001, "<=": 0b011, ">": 0b100, ">=": 0b110}

func b2i(b bool) int {
	if b {
		return 1
	}
	return 0
}

// cmpInts compares integer-like columns.
func cmpInts[T intT](mask uint8) kernel {
	return func(ctx *Context, args []operand, n int, ret types.T) (arrow.Array, error) {
		mem := ctx.Allocator()
		nm := combineValidity(mem, n, args[0], args[1])
		buf := newBoolBuf(mem, n)
		out := buf.Bytes()
		switch {
		case !args[0].isScalar() && !args[1].isScalar():
			a, b := values[T](args[0].arr)[:n], values[T](args[1].arr)[:n]
			for i := range a {
				c := b2i(a[i] > b[i]) - b2i(a[i] < b[i]) + 1
				out[i>>3] |= ((mask >> c) & 1) << (i & 7)
			}
		case !args[0].isScalar():
			a, y := values[T](args[0].arr)[:n], scalarAs[T](args[1].scalar)
			for i := range a {
				c := b2i(a[i] > y) - b2i(a[i] < y) + 1
				out[i>>3] |= ((mask >> c) & 1) << (i & 7)
			}
		case !args[1].isScalar():
			x, b := scalarAs[T](args[0].scalar), values[T](args[1].arr)[:n]
			for i := range b {
				c := b2i(x > b[i]) - b2i(x < b[i]) + 1
				out[i>>3] |= ((mask >> c) & 1) << (i & 7)
			}
		default:
			x, y := scalarAs[T](args[0].scalar), scalarAs[T](args[1].scalar)
			c := b2i(x > y) - b2i(x < y) + 1
			for i := 0; i < n; i++ {
				out[i>>3] |= ((mask >> c) & 1) << (i & 7)
			}
		}
		return finish(arrow.FixedWidthTypes.Boolean, n, nm, buf), nil
	}
}

// floatCmp orders floats as PostgreSQL does: NaN equals NaN and sorts above everything.
func floatCmp[F float32 | float64](a, b F) int {
	switch {
	case a < b:
		return -1
	case a > b:
		return 1
	case a == b:
		return 0
	}
	an, bn := a != a, b != b
	switch {
	case an && bn:
		return 0
	case an:
		return 1
	}
	return -1
}

// cmpRows compares two operands row by row with a typed reader-based comparator.
func cmpRows(mask uint8, cmp func(i int) int) func(ctx *Context, n int, nm nullMask) arrow.Array {
	return func(ctx *Context, n int, nm nullMask) arrow.Array {
		buf := newBoolBuf(ctx.Allocator(), n)
		out := buf.Bytes()
		for i := 0; i < n; i++ {
			if nm.valid(i) {
				c := cmp(i) + 1
				out[i>>3] |= ((mask >> c) & 1) << (i & 7)
			}
		}
		return finish(arrow.FixedWidthTypes.Boolean, n, nm, buf)
	}
}

func cmpFloats[F float32 | float64](mask uint8) kernel {
	return func(ctx *Context, args []operand, n int, ret types.T) (arrow.Array, error) {
		nm := combineValidity(ctx.Allocator(), n, args[0], args[1])
		var a, b []F
		x, y := scalarAs[F](args[0].scalar), scalarAs[F](args[1].scalar)
		if !args[0].isScalar() {
			a = values[F](args[0].arr)
		}
		if !args[1].isScalar() {
			b = values[F](args[1].arr)
		}
		return cmpRows(mask, func(i int) int {
			p, q := x, y
			if a != nil {
				p = a[i]
			}
			if b != nil {
				q = b[i]
			}
			return floatCmp(p, q)
		})(ctx, n, nm), nil
	}
}

func cmpStrings(mask uint8) kernel {
	return func(ctx *Context, args []operand, n int, ret types.T) (arrow.Array, error) {
		nm := combineValidity(ctx.Allocator(), n, args[0], args[1])
		ra, rb := newStringReader(args[0]), newStringReader(args[1])
		return cmpRows(mask, func(i int) int { return strings.Compare(ra.at(i), rb.at(i)) })(ctx, n, nm), nil
	}
}

func cmpNumerics(mask uint8) kernel {
	return func(ctx *Context, args []operand, n int, ret types.T) (arrow.Array, error) {
		nm := combineValidity(ctx.Allocator(), n, args[0], args[1])
		ra, rb := newNumericReader(args[0]), newNumericReader(args[1])
		return cmpRows(mask, func(i int) int { return types.NumericCmp(ra.at(i), rb.at(i)) })(ctx, n, nm), nil
	}
}

func cmpBools(mask uint8) kernel {
	return func(ctx *Context, args []operand, n int, ret types.T) (arrow.Array, error) {
		nm := combineValidity(ctx.Allocator(), n, args[0], args[1])
		ra, rb := newBoolReader(args[0]), newBoolReader(args[1])
		return cmpRows(mask, func(i int) int { return b2i(ra.at(i)) - b2i(rb.at(i)) })(ctx, n, nm), nil
	}
}

// cmpDatums is the general comparator over Datums (allocates per row; for rare types).
func cmpDatums(mask uint8) kernel {
	return func(ctx *Context, args []operand, n int, ret types.T) (arrow.Array, error) {
		nm := combineValidity(ctx.Allocator(), n, args[0], args[1])
		t := args[0].t
		return cmpRows(mask, func(i int) int {
			return types.CompareDatum(args[0].datum(i), args[1].datum(i), t)
		})(ctx, n, nm), nil
	}
}

// boolReader reads a boolean operand without allocating.
type boolReader struct {
	arr    *array.Boolean
	scalar bool
}

func newBoolReader(o operand) boolReader {
	if o.arr == nil {
		b, _ := o.scalar.(bool)
		return boolReader{scalar: b}
	}
	return boolReader{arr: o.arr.(*array.Boolean)}
}

func (r boolReader) at(i int) bool {
	if r.arr == nil {
		return r.scalar
	}
	return r.arr.Value(i)
}

// cmpKernelFor returns the comparison kernel for operands of kind k.
func cmpKernelFor(k types.Kind, mask uint8) kernel {
	switch k {
	case types.Int16:
		return cmpInts[int16](mask)
	case types.Int32, types.Date:
		return cmpInts[int32](mask)
	case types.Int64, types.Timestamp, types.TimestampTZ:
		return cmpInts[int64](mask)
	case types.Float32:
		return cmpFloats[float32](mask)
	case types.Float64:
		return cmpFloats[float64](mask)
	case types.Numeric:
		return cmpNumerics(mask)
	case types.Text, types.Varchar, types.JSONB:
		return cmpStrings(mask)
	case types.Bool:
		return cmpBools(mask)
	}
	return cmpDatums(mask)
}

func init() {
	kinds := []types.Kind{types.Bool, types.Int16, types.Int32, types.Int64, types.Float32, types.Float64,
		types.Numeric, types.Text, types.Date, types.Timestamp, types.TimestampTZ, types.Interval}
	for op, m := range cmpMask {
		for _, k := range kinds {
			register(op, sig(types.BoolT, cmpKernelFor(k, m), k, k))
		}
		register(op,
			&overload{args: []types.Kind{types.Float32, types.Float64}, ret: types.BoolT,
				kernelArgs: []types.Kind{types.Float64, types.Float64}, kernel: cmpKernelFor(types.Float64, m)},
			&overload{args: []types.Kind{types.Float64, types.Float32}, ret: types.BoolT,
				kernelArgs: []types.Kind{types.Float64, types.Float64}, kernel: cmpKernelFor(types.Float64, m)})
		if op == "=" || op == "<>" {
			register(op, sig(types.BoolT, cmpKernelFor(types.JSONB, m), types.JSONB, types.JSONB))
		}
	}
}
