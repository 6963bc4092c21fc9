package expr

import (
	"github.com/apache/arrow-go/v18/arrow"
	"github.com/apache/arrow-go/v18/arrow/array"
	"github.com/apache/arrow-go/v18/arrow/bitutil"

	"github.com/runnel-db/runnel/exec/types"
)

// map1Fixed lifts f over a fixed-width column into a fixed-width column. f runs on valid rows only.
func map1Fixed[A, R fixed](f func(A) (R, error)) kernel {
	return func(ctx *Context, args []operand, n int, ret types.T) (arrow.Array, error) {
		mem := ctx.Allocator()
		in := args[0].materialize(mem, n)
		defer in.Release()
		mask := combineValidity(mem, n, operand{arr: in})
		buf, out := newFixedBuf[R](mem, n)
		a := values[A](in)
		for i := 0; i < n; i++ {
			if mask.buf != nil && !mask.valid(i) {
				continue
			}
			r, err := f(a[i])
			if err != nil {
				mask.release()
				buf.Release()
				return nil, err
			}
			out[i] = r
		}
		return finish(ret.ArrowType(), n, mask, buf), nil
	}
}

// map2Fixed lifts f over two fixed-width operands, either of which may be a scalar.
func map2Fixed[A, B, R fixed](f func(A, B) (R, error)) kernel {
	return func(ctx *Context, args []operand, n int, ret types.T) (arrow.Array, error) {
		mem := ctx.Allocator()
		mask := combineValidity(mem, n, args[0], args[1])
		buf, out := newFixedBuf[R](mem, n)
		var a []A
		var b []B
		var as A
		var bs B
		if args[0].isScalar() {
			as = scalarAs[A](args[0].scalar)
		} else {
			a = values[A](args[0].arr)
		}
		if args[1].isScalar() {
			bs = scalarAs[B](args[1].scalar)
		} else {
			b = values[B](args[1].arr)
		}
		checkNulls := mask.buf != nil
		for i := 0; i < n; i++ {
			if checkNulls && !mask.valid(i) {
				continue
			}
			x, y := as, bs
			if a != nil {
				x = a[i]
			}
			if b != nil {
				y = b[i]
			}
			r, err := f(x, y)
			if err != nil {
				mask.release()
				buf.Release()
				return nil, err
			}
			out[i] = r
		}
		return finish(ret.ArrowType(), n, mask, buf), nil
	}
}

// rowKernel evaluates f row by row over Datums: the general path for functions that are not hot.
// Unless lenient, rows with a NULL argument yield NULL without calling f.
func rowKernel(lenient bool, f func(ctx *Context, args []types.Datum) (types.Datum, error)) kernel {
	return func(ctx *Context, args []operand, n int, ret types.T) (arrow.Array, error) {
		b := types.NewBuilder(ctx.Allocator(), ret)
		defer b.Release()
		b.Reserve(n)
		ds := make([]types.Datum, len(args))
		for i := 0; i < n; i++ {
			null := false
			for j, o := range args {
				ds[j] = o.datum(i)
				if ds[j] == nil {
					null = true
				}
			}
			if null && !lenient {
				b.AppendNull()
				continue
			}
			d, err := f(ctx, ds)
			if err != nil {
				return nil, err
			}
			types.AppendDatum(b, d)
		}
		return b.NewArray(), nil
	}
}

// stringAt reads row i of a string-typed operand (scalar or *array.String) without allocating.
type stringReader struct {
	arr    *array.String
	scalar string
}

func newStringReader(o operand) stringReader {
	if o.arr == nil {
		s, _ := o.scalar.(string)
		return stringReader{scalar: s}
	}
	return stringReader{arr: o.arr.(*array.String)}
}

func (r stringReader) at(i int) string {
	if r.arr == nil {
		return r.scalar
	}
	return r.arr.Value(i)
}

// strMap lifts a string → string function over a string column.
func strMap(f func(s string) string) kernel {
	return func(ctx *Context, args []operand, n int, ret types.T) (arrow.Array, error) {
		mem := ctx.Allocator()
		mask := combineValidity(mem, n, args...)
		defer mask.release()
		rd := newStringReader(args[0])
		b := array.NewStringBuilder(mem)
		defer b.Release()
		b.Reserve(n)
		for i := 0; i < n; i++ {
			if !mask.valid(i) {
				b.AppendNull()
				continue
			}
			b.Append(f(rd.at(i)))
		}
		return b.NewArray(), nil
	}
}

// strToInt lifts a string → int32 function over a string column.
func strToInt(f func(s string) int32) kernel {
	return func(ctx *Context, args []operand, n int, ret types.T) (arrow.Array, error) {
		mem := ctx.Allocator()
		mask := combineValidity(mem, n, args...)
		rd := newStringReader(args[0])
		buf, out := newFixedBuf[int32](mem, n)
		for i := 0; i < n; i++ {
			if mask.valid(i) {
				out[i] = f(rd.at(i))
			}
		}
		return finish(ret.ArrowType(), n, mask, buf), nil
	}
}

// setBit sets bit i when v.
func setBit(bits []byte, i int, v bool) {
	if v {
		bitutil.SetBit(bits, i)
	}
}
