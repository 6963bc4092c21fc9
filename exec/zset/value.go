package zset

import (
	"encoding/binary"
	"fmt"
	"math"
	"math/big"
	"strings"

	"github.com/apache/arrow-go/v18/arrow"
	"github.com/apache/arrow-go/v18/arrow/array"
	"github.com/apache/arrow-go/v18/arrow/decimal128"

	"github.com/runnel-db/runnel/exec/types"
)

// This file converts single values between Arrow arrays and types.Datum and orders Datums. It
// knows the Arrow layout of every SQL type (see package types) so that zset depends on nothing
// but the layout.

// numericAt decodes NUMERIC value i of a FixedSizeBinary(17) array.
func numericAt(a *array.FixedSizeBinary, i int) types.NumericValue {
	b := a.Value(i)
	lo := binary.LittleEndian.Uint64(b[0:8])
	hi := int64(binary.LittleEndian.Uint64(b[8:16]))
	return types.NumericValue{Coef: decimal128.New(hi, lo), Scale: int8(b[16])}
}

// putNumeric encodes v in the 17-byte layout.
func putNumeric(dst []byte, v types.NumericValue) {
	binary.LittleEndian.PutUint64(dst[0:8], v.Coef.LowBits())
	binary.LittleEndian.PutUint64(dst[8:16], uint64(v.Coef.HighBits()))
	dst[16] = byte(v.Scale)
}

var ten = decimal128.FromI64(10)

// normalizeNumeric strips trailing fractional zeros so that equal values have equal bits.
func normalizeNumeric(v types.NumericValue) types.NumericValue {
	if v.Scale <= 0 {
		return v
	}
	if h := v.Coef.HighBits(); (h == 0 && v.Coef.LowBits() <= math.MaxInt64) || (h == -1 && v.Coef.LowBits() > math.MaxInt64) {
		c := int64(v.Coef.LowBits())
		for v.Scale > 0 && c%10 == 0 {
			c /= 10
			v.Scale--
		}
		v.Coef = decimal128.FromI64(c)
		return v
	}
	for v.Scale > 0 {
		q, r := v.Coef.Div(ten)
		if r.Sign() != 0 {
			break
		}
		v.Coef = q
		v.Scale--
	}
	return v
}

// compareNumeric orders two NUMERIC values by value (1.5 = 1.50).
func compareNumeric(a, b types.NumericValue) int {
	if a.Scale == b.Scale {
		return a.Coef.Cmp(b.Coef)
	}
	if a.Coef.Sign() != b.Coef.Sign() {
		return cmpInt(int64(a.Coef.Sign()), int64(b.Coef.Sign()))
	}
	// Scale the one with the smaller scale up when that cannot overflow 38 digits.
	if a.Scale < b.Scale {
		k := int32(b.Scale) - int32(a.Scale)
		if k <= 38 && a.Coef.Abs().LessEqual(decimal128.GetMaxValue(38-k)) {
			return a.Coef.IncreaseScaleBy(k).Cmp(b.Coef)
		}
	} else {
		k := int32(a.Scale) - int32(b.Scale)
		if k <= 38 && b.Coef.Abs().LessEqual(decimal128.GetMaxValue(38-k)) {
			return a.Coef.Cmp(b.Coef.IncreaseScaleBy(k))
		}
	}
	x := new(big.Int).Mul(a.Coef.BigInt(), new(big.Int).Exp(big.NewInt(10), big.NewInt(int64(b.Scale)), nil))
	y := new(big.Int).Mul(b.Coef.BigInt(), new(big.Int).Exp(big.NewInt(10), big.NewInt(int64(a.Scale)), nil))
	return x.Cmp(y)
}

// intervalSpan is an interval's total length in microseconds with PostgreSQL's 30-day months
// and 24-hour days, as a 128-bit number (the comparison key of intervals).
func intervalSpan(months, days int32, micros int64) decimal128.Num {
	const usPerDay = 86_400_000_000
	s := decimal128.FromI64(int64(months)).Mul(decimal128.FromI64(30 * usPerDay))
	s = s.Add(decimal128.FromI64(int64(days) * usPerDay))
	return s.Add(decimal128.FromI64(micros))
}

// canonicalFloat maps -0 to +0 and every NaN to one NaN, for hashing and keys.
func canonicalFloat(f float64) uint64 {
	if f == 0 {
		return 0
	}
	if f != f {
		return 0x7ff8000000000001
	}
	return math.Float64bits(f)
}

// compareFloat orders floats as PostgreSQL does: NaN is greater than everything and equal to itself.
func compareFloat(a, b float64) int {
	switch {
	case a < b:
		return -1
	case a > b:
		return 1
	case a == b:
		return 0
	case a != a && b != b:
		return 0
	case a != a:
		return 1
	}
	return -1
}

func cmpInt(a, b int64) int {
	switch {
	case a < b:
		return -1
	case a > b:
		return 1
	}
	return 0
}

// datumAt returns value i of arr as a Datum (nil if null).
func datumAt(arr arrow.Array, i int) types.Datum {
	if arr.IsNull(i) {
		return nil
	}
	switch a := arr.(type) {
	case *array.Boolean:
		return a.Value(i)
	case *array.Int16:
		return int64(a.Value(i))
	case *array.Int32:
		return int64(a.Value(i))
	case *array.Int64:
		return a.Value(i)
	case *array.Float32:
		return float64(a.Value(i))
	case *array.Float64:
		return a.Value(i)
	case *array.FixedSizeBinary:
		return numericAt(a, i)
	case *array.String:
		// Value aliases the Arrow buffer; a Datum may outlive the batch (operator state).
		return strings.Clone(a.Value(i))
	case *array.Date32:
		return types.DateValue(a.Value(i))
	case *array.Timestamp:
		return types.TimestampValue(a.Value(i))
	case *array.MonthDayNanoInterval:
		v := a.Value(i)
		return types.IntervalValue{Months: v.Months, Days: v.Days, Micros: v.Nanoseconds / 1000}
	case *array.List:
		s, e := a.ValueOffsets(i)
		vals := a.ListValues()
		out := make(types.ArrayValue, e-s)
		for k := s; k < e; k++ {
			out[k-s] = datumAt(vals, int(k))
		}
		return out
	}
	panic(fmt.Sprintf("zset: unsupported Arrow type %s", arr.DataType()))
}

// appendDatum appends d (of the Go type that matches the builder's SQL type; nil is NULL).
func appendDatum(b array.Builder, d types.Datum) {
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
		var buf [types.NumericWidth]byte
		putNumeric(buf[:], d.(types.NumericValue))
		b.Append(buf[:])
	case *array.StringBuilder:
		b.Append(d.(string))
	case *array.Date32Builder:
		b.Append(arrow.Date32(d.(types.DateValue)))
	case *array.TimestampBuilder:
		b.Append(arrow.Timestamp(d.(types.TimestampValue)))
	case *array.MonthDayNanoIntervalBuilder:
		v := d.(types.IntervalValue)
		b.Append(arrow.MonthDayNanoInterval{Months: v.Months, Days: v.Days, Nanoseconds: v.Micros * 1000})
	case *array.ListBuilder:
		b.Append(true)
		vb := b.ValueBuilder()
		for _, e := range d.(types.ArrayValue) {
			appendDatum(vb, e)
		}
	default:
		panic(fmt.Sprintf("zset: unsupported builder %T", b))
	}
}

// CompareDatum orders two non-null Datums of the same SQL type the way PostgreSQL's default
// btree operator class does (numerics by value, NaN greatest, intervals by 30-day-month span,
// text bytewise as in the C collation).
func CompareDatum(a, b types.Datum) int {
	switch x := a.(type) {
	case bool:
		y := b.(bool)
		switch {
		case x == y:
			return 0
		case !x:
			return -1
		}
		return 1
	case int64:
		return cmpInt(x, b.(int64))
	case float64:
		return compareFloat(x, b.(float64))
	case types.NumericValue:
		return compareNumeric(x, b.(types.NumericValue))
	case string:
		y := b.(string)
		switch {
		case x < y:
			return -1
		case x > y:
			return 1
		}
		return 0
	case types.DateValue:
		return cmpInt(int64(x), int64(b.(types.DateValue)))
	case types.TimestampValue:
		return cmpInt(int64(x), int64(b.(types.TimestampValue)))
	case types.IntervalValue:
		y := b.(types.IntervalValue)
		return intervalSpan(x.Months, x.Days, x.Micros).Cmp(intervalSpan(y.Months, y.Days, y.Micros))
	case types.ArrayValue:
		y := b.(types.ArrayValue)
		for k := 0; k < len(x) && k < len(y); k++ {
			// A NULL element sorts after every value (array_cmp).
			if c := CompareNullable(x[k], y[k], false); c != 0 {
				return c
			}
		}
		return cmpInt(int64(len(x)), int64(len(y)))
	}
	panic(fmt.Sprintf("zset: cannot compare %T", a))
}

// CompareNullable is CompareDatum extended to NULLs, which sort after every value
// (before when nullsFirst).
func CompareNullable(a, b types.Datum, nullsFirst bool) int {
	switch {
	case a == nil && b == nil:
		return 0
	case a == nil:
		if nullsFirst {
			return -1
		}
		return 1
	case b == nil:
		if nullsFirst {
			return 1
		}
		return -1
	}
	return CompareDatum(a, b)
}
