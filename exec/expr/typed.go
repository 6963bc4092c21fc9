package expr

import (
	"github.com/apache/arrow-go/v18/arrow"
	"github.com/apache/arrow-go/v18/arrow/array"
	"github.com/apache/arrow-go/v18/arrow/memory"

	"github.com/runnel-db/runnel/exec/types"
)

// Typed accessors and sinks let datetime kernels loop over raw buffers in their Datum-level
// types (TimestampValue, IntervalValue, ...) without boxing a value per row.

func tsAcc(o operand) func(int) types.TimestampValue {
	if o.arr == nil {
		v, _ := o.scalar.(types.TimestampValue)
		return func(int) types.TimestampValue { return v }
	}
	vs := values[int64](o.arr)
	return func(i int) types.TimestampValue { return types.TimestampValue(vs[i]) }
}

func dateAcc(o operand) func(int) types.DateValue {
	if o.arr == nil {
		v, _ := o.scalar.(types.DateValue)
		return func(int) types.DateValue { return v }
	}
	vs := values[int32](o.arr)
	return func(i int) types.DateValue { return types.DateValue(vs[i]) }
}

func ivAcc(o operand) func(int) types.IntervalValue {
	if o.arr == nil {
		v, _ := o.scalar.(types.IntervalValue)
		return func(int) types.IntervalValue { return v }
	}
	a := o.arr.(*array.MonthDayNanoInterval)
	return func(i int) types.IntervalValue {
		v := a.Value(i)
		return types.IntervalValue{Months: v.Months, Days: v.Days, Micros: v.Nanoseconds / 1000}
	}
}

// intAcc reads any integer operand as int64.
func intAcc(o operand) func(int) int64 {
	if o.arr == nil {
		v, _ := o.scalar.(int64)
		return func(int) int64 { return v }
	}
	switch o.t.Kind {
	case types.Int16:
		vs := values[int16](o.arr)
		return func(i int) int64 { return int64(vs[i]) }
	case types.Int32:
		vs := values[int32](o.arr)
		return func(i int) int64 { return int64(vs[i]) }
	}
	vs := values[int64](o.arr)
	return func(i int) int64 { return vs[i] }
}

// floatAcc reads a float4 or float8 operand as float64.
func floatAcc(o operand) func(int) float64 {
	if o.arr != nil && o.t.Kind == types.Float32 {
		vs := values[float32](o.arr)
		return func(i int) float64 { return float64(vs[i]) }
	}
	return f64Acc(o)
}

func f64Acc(o operand) func(int) float64 {
	if o.arr == nil {
		v, _ := o.scalar.(float64)
		return func(int) float64 { return v }
	}
	vs := values[float64](o.arr)
	return func(i int) float64 { return vs[i] }
}

// sink is an output buffer of n values with a typed setter.
type sink[R any] struct {
	buf *memory.Buffer
	put func(i int, v R)
}

func tsSink(mem memory.Allocator, n int) sink[types.TimestampValue] {
	buf, vs := newFixedBuf[int64](mem, n)
	return sink[types.TimestampValue]{buf: buf, put: func(i int, v types.TimestampValue) { vs[i] = int64(v) }}
}

func dateSink(mem memory.Allocator, n int) sink[types.DateValue] {
	buf, vs := newFixedBuf[int32](mem, n)
	return sink[types.DateValue]{buf: buf, put: func(i int, v types.DateValue) { vs[i] = int32(v) }}
}

func i32Sink(mem memory.Allocator, n int) sink[int64] {
	buf, vs := newFixedBuf[int32](mem, n)
	return sink[int64]{buf: buf, put: func(i int, v int64) { vs[i] = int32(v) }}
}

func ivSink(mem memory.Allocator, n int) sink[types.IntervalValue] {
	buf := memory.NewResizableBuffer(mem)
	buf.Resize(n * arrow.MonthDayNanoIntervalSizeBytes)
	clear(buf.Bytes())
	var vs []arrow.MonthDayNanoInterval
	if n > 0 {
		vs = arrow.GetData[arrow.MonthDayNanoInterval](buf.Bytes())[:n]
	}
	return sink[types.IntervalValue]{buf: buf, put: func(i int, v types.IntervalValue) {
		vs[i] = arrow.MonthDayNanoInterval{Months: v.Months, Days: v.Days, Nanoseconds: v.Micros * 1000}
	}}
}

// typed2 lifts a binary function over typed accessors into a kernel writing a typed sink.
func typed2[A, B, R any](ga func(operand) func(int) A, gb func(operand) func(int) B,
	mk func(memory.Allocator, int) sink[R], f func(ctx *Context, a A, b B) (R, error)) kernel {
	return func(ctx *Context, args []operand, n int, ret types.T) (arrow.Array, error) {
		mem := ctx.Allocator()
		mask := combineValidity(mem, n, args[0], args[1])
		a, b := ga(args[0]), gb(args[1])
		out := mk(mem, n)
		for i := 0; i < n; i++ {
			if !mask.valid(i) {
				continue
			}
			r, err := f(ctx, a(i), b(i))
			if err != nil {
				mask.release()
				out.buf.Release()
				return nil, err
			}
			out.put(i, r)
		}
		return finish(ret.ArrowType(), n, mask, out.buf), nil
	}
}

// swap2 adapts a kernel to take its two arguments in the other order (interval + timestamp).
func swap2(k kernel) kernel {
	return func(ctx *Context, args []operand, n int, ret types.T) (arrow.Array, error) {
		return k(ctx, []operand{args[1], args[0]}, n, ret)
	}
}

// typed1 lifts a unary function over a typed accessor into a kernel writing a typed sink.
func typed1[A, R any](ga func(operand) func(int) A, mk func(memory.Allocator, int) sink[R],
	f func(ctx *Context, a A) (R, error)) kernel {
	return func(ctx *Context, args []operand, n int, ret types.T) (arrow.Array, error) {
		mem := ctx.Allocator()
		mask := combineValidity(mem, n, args[0])
		a := ga(args[0])
		out := mk(mem, n)
		for i := 0; i < n; i++ {
			if !mask.valid(i) {
				continue
			}
			r, err := f(ctx, a(i))
			if err != nil {
				mask.release()
				out.buf.Release()
				return nil, err
			}
			out.put(i, r)
		}
		return finish(ret.ArrowType(), n, mask, out.buf), nil
	}
}

func numericSink(mem memory.Allocator, n int) sink[types.NumericValue] {
	buf := newNumericBuf(mem, n)
	b := buf.Bytes()
	return sink[types.NumericValue]{buf: buf, put: func(i int, v types.NumericValue) { v.Put(b[i*types.NumericWidth:]) }}
}

func numAcc(o operand) func(int) types.NumericValue { return newNumericReader(o).at }

func i64Sink(mem memory.Allocator, n int) sink[int64] {
	buf, vs := newFixedBuf[int64](mem, n)
	return sink[int64]{buf: buf, put: func(i int, v int64) { vs[i] = v }}
}

func i16Sink(mem memory.Allocator, n int) sink[int64] {
	buf, vs := newFixedBuf[int16](mem, n)
	return sink[int64]{buf: buf, put: func(i int, v int64) { vs[i] = int16(v) }}
}

// intSinkFor returns the sink writing int64 results into a column of integer kind k.
func intSinkFor(k types.Kind) func(memory.Allocator, int) sink[int64] {
	switch k {
	case types.Int16:
		return i16Sink
	case types.Int32:
		return i32Sink
	}
	return i64Sink
}
