package types

import (
	"math"
	"time"

	"github.com/runnel-db/runnel/exec/sqlerr"
)

// IntOutOfRange is PostgreSQL's 22003 error for an integer kind: "smallint out of range",
// "integer out of range" or "bigint out of range".
func IntOutOfRange(t T) error {
	name := "bigint"
	switch t.Kind {
	case Int16:
		name = "smallint"
	case Int32:
		name = "integer"
	}
	return sqlerr.New(sqlerr.NumericValueOutOfRange, "%s out of range", name)
}

// CheckIntRange returns v if it fits integer type t, else IntOutOfRange(t).
func CheckIntRange(v int64, t T) (int64, error) {
	switch t.Kind {
	case Int16:
		if v < math.MinInt16 || v > math.MaxInt16 {
			return 0, IntOutOfRange(t)
		}
	case Int32:
		if v < math.MinInt32 || v > math.MaxInt32 {
			return 0, IntOutOfRange(t)
		}
	}
	return v, nil
}

// FloatToInt is PostgreSQL's float → integer cast: round half to even (rint), then range-check
// for t; NaN and infinities are out of range.
func FloatToInt(f float64, t T) (int64, error) {
	r := math.RoundToEven(f)
	if math.IsNaN(r) || r < -9.223372036854775808e18 || r >= 9.223372036854775808e18 {
		return 0, IntOutOfRange(t)
	}
	return CheckIntRange(int64(r), t)
}

// NumericToInt is PostgreSQL's numeric → integer cast: round half away from zero, then
// range-check for t.
func NumericToInt(v NumericValue, t T) (int64, error) {
	i, err := v.Int64()
	if err != nil {
		return 0, IntOutOfRange(t)
	}
	return CheckIntRange(i, t)
}

// TextCast is the text an explicit ::text cast gives for a non-nil datum of type t: the output
// function's text, except that boolean casts to "true"/"false" (its output function says t/f).
func TextCast(d Datum, t T, loc *time.Location) string {
	if t.Kind == Bool {
		if d.(bool) {
			return "true"
		}
		return "false"
	}
	return FormatDatum(d, t, loc)
}
