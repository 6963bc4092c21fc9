package zset

import (
	"fmt"

	"github.com/apache/arrow-go/v18/arrow"
	"github.com/apache/arrow-go/v18/arrow/array"
	"github.com/apache/arrow-go/v18/arrow/memory"
)

// Take gathers rows idx of b into a new batch. weights, when non-nil, replaces the weights
// (len(weights) == len(idx)); otherwise each row keeps its weight. Borrows b.
func Take(mem memory.Allocator, b Batch, idx []int32, weights []int64) Batch {
	cols := make([]arrow.Array, b.NumCols())
	for c := range cols {
		cols[c] = TakeArray(mem, b.Col(c), idx)
	}
	wb := array.NewInt64Builder(mem)
	if weights != nil {
		wb.AppendValues(weights, nil)
	} else {
		src := b.Weights()
		wb.Reserve(len(idx))
		for _, i := range idx {
			wb.UnsafeAppend(src[i])
		}
	}
	w := wb.NewArray()
	wb.Release()
	out := New(cols, w)
	w.Release()
	for _, c := range cols {
		c.Release()
	}
	return out
}

type unsafeBuilder[T any] interface {
	array.Builder
	UnsafeAppend(T)
}

func gather[T any, B unsafeBuilder[T]](b B, vals []T, arr arrow.Array, idx []int32) {
	b.Reserve(len(idx))
	if arr.NullN() == 0 {
		for _, i := range idx {
			b.UnsafeAppend(vals[i])
		}
		return
	}
	for _, i := range idx {
		if arr.IsNull(int(i)) {
			b.UnsafeAppendBoolToBitmap(false)
		} else {
			b.UnsafeAppend(vals[i])
		}
	}
}

// TakeArray gathers values idx of arr into a new array the caller releases. One typed loop.
func TakeArray(mem memory.Allocator, arr arrow.Array, idx []int32) arrow.Array {
	bld := array.NewBuilder(mem, arr.DataType())
	defer bld.Release()
	switch a := arr.(type) {
	case *array.Int16:
		gather(bld.(*array.Int16Builder), a.Int16Values(), arr, idx)
	case *array.Int32:
		gather(bld.(*array.Int32Builder), a.Int32Values(), arr, idx)
	case *array.Int64:
		gather(bld.(*array.Int64Builder), a.Int64Values(), arr, idx)
	case *array.Float32:
		gather(bld.(*array.Float32Builder), a.Float32Values(), arr, idx)
	case *array.Float64:
		gather(bld.(*array.Float64Builder), a.Float64Values(), arr, idx)
	case *array.Date32:
		gather(bld.(*array.Date32Builder), a.Date32Values(), arr, idx)
	case *array.Timestamp:
		gather(bld.(*array.TimestampBuilder), a.TimestampValues(), arr, idx)
	case *array.MonthDayNanoInterval:
		gather(bld.(*array.MonthDayNanoIntervalBuilder), a.MonthDayNanoIntervalValues(), arr, idx)
	case *array.Boolean:
		b := bld.(*array.BooleanBuilder)
		b.Reserve(len(idx))
		for _, i := range idx {
			if a.IsNull(int(i)) {
				b.UnsafeAppendBoolToBitmap(false)
			} else {
				b.UnsafeAppend(a.Value(int(i)))
			}
		}
	case *array.String:
		b := bld.(*array.StringBuilder)
		b.Reserve(len(idx))
		size := 0
		for _, i := range idx {
			size += a.ValueLen(int(i))
		}
		b.ReserveData(size)
		for _, i := range idx {
			if a.IsNull(int(i)) {
				b.AppendNull()
			} else {
				b.Append(a.Value(int(i)))
			}
		}
	case *array.FixedSizeBinary:
		b := bld.(*array.FixedSizeBinaryBuilder)
		b.Reserve(len(idx))
		for _, i := range idx {
			if a.IsNull(int(i)) {
				b.AppendNull()
			} else {
				b.Append(a.Value(int(i)))
			}
		}
	case *array.List:
		b := bld.(*array.ListBuilder)
		vb := b.ValueBuilder()
		vals := a.ListValues()
		for _, i := range idx {
			if a.IsNull(int(i)) {
				b.AppendNull()
				continue
			}
			b.Append(true)
			s, e := a.ValueOffsets(int(i))
			for k := int(s); k < int(e); k++ {
				AppendValue(vb, vals, k)
			}
		}
	default:
		panic(fmt.Sprintf("zset: cannot gather Arrow type %s", arr.DataType()))
	}
	return bld.NewArray()
}

// AppendValue appends value i of arr (null or not) to b, a builder of arr's type.
func AppendValue(b array.Builder, arr arrow.Array, i int) {
	appendDatum(b, datumAt(arr, i))
}
