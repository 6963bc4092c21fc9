package types

import (
	"fmt"
	"strconv"
	"time"

	"github.com/apache/arrow-go/v18/arrow"
	"github.com/apache/arrow-go/v18/arrow/array"
)

// AppendText appends PostgreSQL's text output of value i of arr, a column of type t, to dst.
// The value must be non-null. loc is the session TimeZone for timestamptz (nil: UTC). It does not
// allocate beyond growing dst, except for timestamptz in a non-UTC zone.
func AppendText(dst []byte, arr arrow.Array, i int, t T, loc *time.Location) []byte {
	switch t.Kind {
	case Bool:
		if arr.(*array.Boolean).Value(i) {
			return append(dst, 't')
		}
		return append(dst, 'f')
	case Int16:
		return strconv.AppendInt(dst, int64(arr.(*array.Int16).Value(i)), 10)
	case Int32:
		return strconv.AppendInt(dst, int64(arr.(*array.Int32).Value(i)), 10)
	case Int64:
		return strconv.AppendInt(dst, arr.(*array.Int64).Value(i), 10)
	case Float32:
		return AppendFloat32(dst, arr.(*array.Float32).Value(i))
	case Float64:
		return AppendFloat64(dst, arr.(*array.Float64).Value(i))
	case Numeric:
		return NumericAt(arr.(*array.FixedSizeBinary), i).appendText(dst)
	case Text, Varchar, JSONB, JSON, Unknown:
		return append(dst, arr.(*array.String).Value(i)...)
	case Date:
		return AppendDate(dst, DateValue(arr.(*array.Date32).Value(i)))
	case Timestamp:
		return AppendTimestamp(dst, TimestampValue(arr.(*array.Timestamp).Value(i)))
	case TimestampTZ:
		return AppendTimestampTZ(dst, TimestampValue(arr.(*array.Timestamp).Value(i)), loc)
	case Interval:
		v := arr.(*array.MonthDayNanoInterval).Value(i)
		return AppendInterval(dst, IntervalValue{Months: v.Months, Days: v.Days, Micros: v.Nanoseconds / 1000})
	case Array:
		return appendArrayText(dst, arrayDatumAt(arr, i, t), t, loc)
	}
	panic(fmt.Sprintf("types: AppendText of kind %d", t.Kind))
}

// AppendDatumText appends PostgreSQL's text output of a non-nil datum of type t.
func AppendDatumText(dst []byte, d Datum, t T, loc *time.Location) []byte {
	switch t.Kind {
	case Bool:
		if d.(bool) {
			return append(dst, 't')
		}
		return append(dst, 'f')
	case Int16, Int32, Int64:
		return strconv.AppendInt(dst, d.(int64), 10)
	case Float32:
		return AppendFloat32(dst, float32(d.(float64)))
	case Float64:
		return AppendFloat64(dst, d.(float64))
	case Numeric:
		return d.(NumericValue).appendText(dst)
	case Text, Varchar, JSONB, JSON, Unknown:
		return append(dst, d.(string)...)
	case Date:
		return AppendDate(dst, d.(DateValue))
	case Timestamp:
		return AppendTimestamp(dst, d.(TimestampValue))
	case TimestampTZ:
		return AppendTimestampTZ(dst, d.(TimestampValue), loc)
	case Interval:
		return AppendInterval(dst, d.(IntervalValue))
	case Array:
		return appendArrayText(dst, d.(ArrayValue), t, loc)
	}
	panic(fmt.Sprintf("types: text output of kind %d", t.Kind))
}

// FormatDatum is PostgreSQL's text output of a non-nil datum of type t (loc: session TimeZone for
// timestamptz, nil meaning UTC).
func FormatDatum(d Datum, t T, loc *time.Location) string {
	if s, ok := d.(string); ok && (t.IsString() || t.Kind == JSONB || t.Kind == JSON || t.Kind == Unknown) {
		return s
	}
	var buf [64]byte
	return string(AppendDatumText(buf[:0], d, t, loc))
}
