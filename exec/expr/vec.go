package expr

import (
	"unsafe"

	"github.com/apache/arrow-go/v18/arrow"
	"github.com/apache/arrow-go/v18/arrow/array"
	"github.com/apache/arrow-go/v18/arrow/bitutil"
	"github.com/apache/arrow-go/v18/arrow/memory"

	"github.com/runnel-db/runnel/exec/types"
)

// fixed is the Go element type of the fixed-width Arrow columns the kernels loop over.
type fixed interface {
	~int16 | ~int32 | ~int64 | ~float32 | ~float64
}

// intT is the element type of integer columns.
type intT interface{ ~int16 | ~int32 | ~int64 }

// values is the raw value slice of a fixed-width array (offset applied).
func values[T fixed](a arrow.Array) []T {
	v := arrow.GetValues[T](a.Data(), 1)
	if v == nil {
		return make([]T, 0)
	}
	return v
}

// operand is one evaluated argument: a column of n values, or a scalar that stands for n equal
// values without being materialized. A scalar nil is NULL.
type operand struct {
	arr    arrow.Array // nil when scalar
	scalar types.Datum
	t      types.T
}

func (o operand) isScalar() bool { return o.arr == nil }

// isNullScalar reports whether the operand is a NULL constant.
func (o operand) isNullScalar() bool { return o.arr == nil && o.scalar == nil }

// datum returns row i as a Datum (allocates for boxed values: not for hot loops).
func (o operand) datum(i int) types.Datum {
	if o.arr == nil {
		return o.scalar
	}
	return types.DatumAt(o.arr, i, o.t)
}

// valid reports whether row i is non-null.
func (o operand) valid(i int) bool {
	if o.arr == nil {
		return o.scalar != nil
	}
	return o.arr.IsValid(i)
}

// materialize returns the operand as an array of n values (a new reference the caller releases).
func (o operand) materialize(mem memory.Allocator, n int) arrow.Array {
	if o.arr != nil {
		o.arr.Retain()
		return o.arr
	}
	return constArray(mem, o.t, o.scalar, n)
}

// constArray builds n copies of d (nil = NULL) as an array of type t.
func constArray(mem memory.Allocator, t types.T, d types.Datum, n int) arrow.Array {
	if t.Kind == types.Unknown {
		t = types.TextT
	}
	if d == nil {
		return array.MakeArrayOfNull(mem, t.ArrowType(), n)
	}
	b := types.NewBuilder(mem, t)
	defer b.Release()
	b.Reserve(n)
	for i := 0; i < n; i++ {
		types.AppendDatum(b, d)
	}
	return b.NewArray()
}

// scalarAs converts a fixed-width Datum to the kernel element type.
func scalarAs[T fixed](d types.Datum) T {
	switch v := d.(type) {
	case int64:
		return T(v)
	case float64:
		return T(v)
	case types.DateValue:
		return T(v)
	case types.TimestampValue:
		return T(v)
	case bool:
		if v {
			return 1
		}
	}
	return 0
}

// nullMask is the combined validity of some operands over n rows: nil when no row is null.
type nullMask struct {
	buf   *memory.Buffer
	nulls int
}

// bits is the bitmap (nil when all valid).
func (m nullMask) bits() []byte {
	if m.buf == nil {
		return nil
	}
	return m.buf.Bytes()
}

// valid reports whether row i is valid under the mask.
func (m nullMask) valid(i int) bool {
	return m.buf == nil || bitutil.BitIsSet(m.buf.Bytes(), i)
}

// allNull reports whether every row is null.
func (m nullMask) allNull(n int) bool { return m.nulls == n && n > 0 }

func (m nullMask) release() {
	if m.buf != nil {
		m.buf.Release()
	}
}

// combineValidity ANDs the validity of the operands. A NULL scalar makes every row null.
func combineValidity(mem memory.Allocator, n int, ops ...operand) nullMask {
	var buf *memory.Buffer
	for _, o := range ops {
		if o.arr == nil {
			if o.scalar == nil {
				if buf == nil {
					buf = memory.NewResizableBuffer(mem)
					buf.Resize(int(bitutil.BytesForBits(int64(n))))
				}
				clear(buf.Bytes())
				return nullMask{buf: buf, nulls: n}
			}
			continue
		}
		if o.arr.NullN() == 0 {
			continue
		}
		src := o.arr.Data().Buffers()[0].Bytes()
		off := o.arr.Data().Offset()
		if buf == nil {
			buf = memory.NewResizableBuffer(mem)
			buf.Resize(int(bitutil.BytesForBits(int64(n))))
			bitutil.CopyBitmap(src, off, n, buf.Bytes(), 0)
		} else {
			bitutil.BitmapAnd(buf.Bytes(), src, 0, int64(off), buf.Bytes(), 0, int64(n))
		}
	}
	if buf == nil {
		return nullMask{}
	}
	nulls := n - bitutil.CountSetBits(buf.Bytes(), 0, n)
	if nulls == 0 {
		buf.Release()
		return nullMask{}
	}
	return nullMask{buf: buf, nulls: nulls}
}

// newFixedBuf allocates a zeroed value buffer of n elements of T.
func newFixedBuf[T fixed](mem memory.Allocator, n int) (*memory.Buffer, []T) {
	var z T
	size := n * int(unsafe.Sizeof(z))
	buf := memory.NewResizableBuffer(mem)
	buf.Resize(size)
	clear(buf.Bytes())
	if n == 0 {
		return buf, nil
	}
	return buf, arrow.GetData[T](buf.Bytes())[:n]
}

// finish wraps buffers into an array of type dt, releasing the caller's references to them.
func finish(dt arrow.DataType, n int, mask nullMask, bufs ...*memory.Buffer) arrow.Array {
	all := append([]*memory.Buffer{mask.buf}, bufs...)
	data := array.NewData(dt, n, all, nil, mask.nulls, 0)
	arr := array.MakeFromData(data)
	data.Release()
	for _, b := range all {
		if b != nil {
			b.Release()
		}
	}
	return arr
}

// newBoolBuf allocates a zeroed boolean value bitmap for n rows.
func newBoolBuf(mem memory.Allocator, n int) *memory.Buffer {
	buf := memory.NewResizableBuffer(mem)
	buf.Resize(int(bitutil.BytesForBits(int64(n))))
	clear(buf.Bytes())
	return buf
}

// boolValue reads row i of a boolean array's value bitmap (ignoring validity).
func boolValue(a *array.Boolean, i int) bool { return a.Value(i) }

// newNumericBuf allocates a zeroed NUMERIC value buffer for n rows.
func newNumericBuf(mem memory.Allocator, n int) *memory.Buffer {
	buf := memory.NewResizableBuffer(mem)
	buf.Resize(n * types.NumericWidth)
	clear(buf.Bytes())
	return buf
}
