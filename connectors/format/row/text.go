package row

import (
	"math"
	"strconv"
	"unsafe"

	"github.com/apache/arrow-go/v18/arrow/decimal128"
	"github.com/runnel-db/runnel/exec/sqlerr"
	"github.com/runnel-db/runnel/exec/types"
)

// SetText sets column i from the text s as the column type's PostgreSQL input function would
// (exec/types.ParseText), or returns its error and leaves the column unchanged. s is retained until
// Commit when the column is text or varchar.
func (b *Builder) SetText(i int, s []byte) error {
	t := b.cols[i].Type
	switch t.Kind {
	case types.Text, types.Unknown:
		b.PutBytes(i, s)
		return nil
	case types.Varchar:
		if t.Precision > 0 && len(s) > int(t.Precision) {
			v, err := types.ApplyVarcharLength(bytesString(s), t.Precision, false)
			if err != nil {
				return err
			}
			s = s[:len(v)] // the result is a prefix of s
		}
		b.PutBytes(i, s)
		return nil
	case types.Int16, types.Int32, types.Int64:
		if v, ok := plainInt(s); ok {
			if _, err := types.CheckIntRange(v, t); err == nil {
				b.PutInt(i, v)
				return nil
			}
		}
	case types.Float32, types.Float64:
		if f, ok := plainFloat(s, t); ok {
			b.PutFloat(i, f)
			return nil
		}
	case types.Numeric:
		v, ok := plainNumeric(s)
		var err error
		if !ok {
			v, err = types.ParseNumeric(bytesString(s))
		}
		if err == nil && t.Precision > 0 {
			v, err = types.NumericApplyTypmod(v, t.Precision, t.Scale)
		}
		if err != nil {
			return err
		}
		b.PutNumeric(i, v)
		return nil
	case types.Bool:
		v, err := types.ParseBool(bytesString(s))
		if err != nil {
			return err
		}
		b.PutBool(i, v)
		return nil
	case types.Date:
		if d, ok := isoDate(s); ok {
			b.PutInt(i, d)
			return nil
		}
	case types.Timestamp, types.TimestampTZ:
		if ts, ok := isoTimestamp(s, t.Kind == types.TimestampTZ, b.loc); ok {
			b.PutInt(i, ts)
			return nil
		}
	}
	// The general path copies s: exec/types may keep parts of its input (zone names in a cache).
	d, err := types.ParseText(string(s), t, b.loc)
	if err != nil {
		return err
	}
	return b.putDatum(i, d)
}

// putDatum sets column i from a Datum of its type (the result of types.ParseText).
func (b *Builder) putDatum(i int, d types.Datum) error {
	switch v := d.(type) {
	case nil:
		b.PutNull(i)
	case bool:
		b.PutBool(i, v)
	case int64:
		b.PutInt(i, v)
	case float64:
		b.PutFloat(i, v)
	case types.NumericValue:
		b.PutNumeric(i, v)
	case string:
		b.PutBytes(i, []byte(v))
	case types.DateValue:
		b.PutInt(i, int64(v))
	case types.TimestampValue:
		b.PutInt(i, int64(v))
	case types.IntervalValue:
		b.PutInterval(i, v)
	default:
		return sqlerr.New(sqlerr.Internal, "row: unexpected datum %T for column %q", d, b.cols[i].Name)
	}
	return nil
}

// bytesString views b as a string without copying; the string must not outlive b's contents.
func bytesString(b []byte) string { return unsafe.String(unsafe.SliceData(b), len(b)) }

// plainInt parses an optional '-' and 1 to 18 decimal digits (no spaces, no '+'): the forms that
// cannot overflow int64 and need no PostgreSQL special cases. ok is false for anything else.
func plainInt(s []byte) (int64, bool) {
	neg := false
	if len(s) > 0 && s[0] == '-' {
		neg, s = true, s[1:]
	}
	if len(s) == 0 || len(s) > 18 {
		return 0, false
	}
	var v int64
	for _, c := range s {
		if c < '0' || c > '9' {
			return 0, false
		}
		v = v*10 + int64(c-'0')
	}
	if neg {
		v = -v
	}
	return v, true
}

// plainNumeric parses an optional '-', digits and an optional '.' with digits, at most 18 digits
// in all: the numeric literals whose coefficient fits int64. The display scale is the number of
// fractional digits, as numeric_in gives.
func plainNumeric(s []byte) (types.NumericValue, bool) {
	neg := false
	if len(s) > 0 && s[0] == '-' {
		neg, s = true, s[1:]
	}
	var coef int64
	nd, scale, point := 0, 0, false
	for _, c := range s {
		switch {
		case c >= '0' && c <= '9':
			coef = coef*10 + int64(c-'0')
			nd++
			if point {
				scale++
			}
		case c == '.' && !point:
			point = true
		default:
			return types.NumericValue{}, false
		}
	}
	if nd == 0 || nd > 18 || (point && scale == 0) || (point && nd == scale) {
		return types.NumericValue{}, false // "", "5.", ".5": leave them to numeric_in
	}
	if neg {
		coef = -coef
	}
	return types.NumericValue{Coef: decimal128.FromI64(coef), Scale: int8(scale)}, true
}

// plainFloat parses a decimal literal made only of digits, '.', 'e', 'E', '+' and '-' when it is
// finite, in range and not an underflow to zero; ok is false otherwise (the general path then
// gives PostgreSQL's answer or error).
func plainFloat(s []byte, t types.T) (float64, bool) {
	if len(s) == 0 {
		return 0, false
	}
	nonzero := false
	for _, c := range s {
		switch {
		case c >= '1' && c <= '9':
			nonzero = true
		case c == '0' || c == '.' || c == 'e' || c == 'E' || c == '+' || c == '-':
		default:
			return 0, false
		}
	}
	bits := 64
	if t.Kind == types.Float32 {
		bits = 32
	}
	f, err := strconv.ParseFloat(bytesString(s), bits)
	if err != nil || math.IsInf(f, 0) || (f == 0 && nonzero && !zeroMantissa(s)) {
		return 0, false
	}
	return f, true
}

// zeroMantissa reports whether the digits before any exponent are all zero ("0.0e5").
func zeroMantissa(s []byte) bool {
	for _, c := range s {
		if c == 'e' || c == 'E' {
			return true
		}
		if c >= '1' && c <= '9' {
			return false
		}
	}
	return true
}
