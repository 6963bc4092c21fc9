package types

import (
	"cmp"
	"fmt"
	"math"
	"strings"

	"github.com/apache/arrow-go/v18/arrow"
	"github.com/apache/arrow-go/v18/arrow/array"
	"github.com/apache/arrow-go/v18/arrow/memory"
)

// DatumAt returns value i of arr, a column of type t, as a Datum (nil if null).
func DatumAt(arr arrow.Array, i int, t T) Datum {
	if arr.IsNull(i) {
		return nil
	}
	switch t.Kind {
	case Bool:
		return arr.(*array.Boolean).Value(i)
	case Int16:
		return int64(arr.(*array.Int16).Value(i))
	case Int32:
		return int64(arr.(*array.Int32).Value(i))
	case Int64:
		return arr.(*array.Int64).Value(i)
	case Float32:
		return float64(arr.(*array.Float32).Value(i))
	case Float64:
		return arr.(*array.Float64).Value(i)
	case Numeric:
		return NumericAt(arr.(*array.FixedSizeBinary), i)
	case Text, Varchar, JSONB, JSON, Unknown:
		return arr.(*array.String).Value(i)
	case Date:
		return DateValue(arr.(*array.Date32).Value(i))
	case Timestamp, TimestampTZ:
		return TimestampValue(arr.(*array.Timestamp).Value(i))
	case Interval:
		v := arr.(*array.MonthDayNanoInterval).Value(i)
		return IntervalValue{Months: v.Months, Days: v.Days, Micros: v.Nanoseconds / 1000}
	case Array:
		return arrayDatumAt(arr, i, t)
	}
	panic(fmt.Sprintf("types: DatumAt of kind %d", t.Kind))
}

// NewBuilder returns an Arrow builder for columns of type t; the caller releases it.
func NewBuilder(mem memory.Allocator, t T) array.Builder {
	return array.NewBuilder(mem, t.ArrowType())
}

// AppendDatum appends d, already of the Go type of the builder's SQL type (see Datum), to b, a
// builder from NewBuilder; nil appends a null.
func AppendDatum(b array.Builder, d Datum) {
	if d == nil {
		b.AppendNull()
		return
	}
	switch b := b.(type) {
	case *array.BooleanBuilder:
		b.Append(d.(bool))
	case *array.Int16Builder:
		b.Append(int16(d.(int64)))
	case *array.Int32Builder:
		b.Append(int32(d.(int64)))
	case *array.Int64Builder:
		b.Append(d.(int64))
	case *array.Float32Builder:
		b.Append(float32(d.(float64)))
	case *array.Float64Builder:
		b.Append(d.(float64))
	case *array.FixedSizeBinaryBuilder:
		var buf [NumericWidth]byte
		d.(NumericValue).Put(buf[:])
		b.Append(buf[:])
	case *array.StringBuilder:
		b.Append(d.(string))
	case *array.Date32Builder:
		b.Append(arrow.Date32(d.(DateValue)))
	case *array.TimestampBuilder:
		b.Append(arrow.Timestamp(d.(TimestampValue)))
	case *array.MonthDayNanoIntervalBuilder:
		v := d.(IntervalValue)
		b.Append(arrow.MonthDayNanoInterval{Months: v.Months, Days: v.Days, Nanoseconds: v.Micros * 1000})
	case *array.ListBuilder:
		b.Append(true)
		vb := b.ValueBuilder()
		for _, e := range d.(ArrayValue) {
			AppendDatum(vb, e)
		}
	default:
		panic(fmt.Sprintf("types: AppendDatum to %T", b))
	}
}

// MakeArray builds an array of type t holding ds (nil entries are nulls); the caller releases it.
func MakeArray(mem memory.Allocator, t T, ds []Datum) arrow.Array {
	b := NewBuilder(mem, t)
	defer b.Release()
	b.Reserve(len(ds))
	for _, d := range ds {
		AppendDatum(b, d)
	}
	return b.NewArray()
}

// CompareDatum orders two non-nil datums of type t as PostgreSQL's default btree operators do:
// false < true; NaN above every float and equal to itself, -0 = 0; numerics by value; text and
// varchar by bytes (the C collation); jsonb by jsonb ordering; intervals by 30-day-month span.
func CompareDatum(a, b Datum, t T) int {
	switch t.Kind {
	case Bool:
		x, y := a.(bool), b.(bool)
		switch {
		case x == y:
			return 0
		case !x:
			return -1
		}
		return 1
	case Int16, Int32, Int64:
		return cmp.Compare(a.(int64), b.(int64))
	case Float32, Float64:
		return CompareFloat(a.(float64), b.(float64))
	case Numeric:
		return NumericCmp(a.(NumericValue), b.(NumericValue))
	case Text, Varchar, JSON, Unknown:
		return strings.Compare(a.(string), b.(string))
	case JSONB:
		return CompareJSONB(a.(string), b.(string))
	case Date:
		return cmp.Compare(a.(DateValue), b.(DateValue))
	case Timestamp, TimestampTZ:
		return cmp.Compare(a.(TimestampValue), b.(TimestampValue))
	case Interval:
		return IntervalCmp(a.(IntervalValue), b.(IntervalValue))
	case Array:
		return CompareArrays(a.(ArrayValue), b.(ArrayValue), t.ElemType())
	}
	panic(fmt.Sprintf("types: CompareDatum of kind %d", t.Kind))
}

// CompareFloat is PostgreSQL's float8 ordering: NaN equals NaN and sorts above everything,
// -0 equals 0.
func CompareFloat(x, y float64) int {
	xn, yn := math.IsNaN(x), math.IsNaN(y)
	switch {
	case xn && yn:
		return 0
	case xn:
		return 1
	case yn:
		return -1
	case x < y:
		return -1
	case x > y:
		return 1
	}
	return 0
}
