package types

import "github.com/apache/arrow-go/v18/arrow/decimal128"

// Datum is one SQL value outside the hot loops: a constant, a parameter, a default.
// nil is NULL. Otherwise its Go type follows the SQL kind:
//
//	Bool → bool; Int16/Int32/Int64 → int64; Float32/Float64 → float64; Numeric → NumericValue;
//	Text/Varchar/JSONB → string; Date → DateValue; Timestamp/TimestampTZ → TimestampValue; Interval → IntervalValue.
type Datum = any

// NumericValue is a decimal number with its own display scale, as PostgreSQL's numeric keeps one per
// value: the value is Coef × 10^-Scale. Scale is 0..MaxNumericScale.
type NumericValue struct {
	Coef  decimal128.Num
	Scale int8
}

// MaxNumericScale is the largest display scale a NUMERIC value may carry.
const MaxNumericScale = 38

// DateValue is a calendar date as days since 1970-01-01.
type DateValue int32

// TimestampValue is microseconds since 1970-01-01 00:00:00 (UTC for timestamptz).
type TimestampValue int64

// IntervalValue is PostgreSQL's interval: months, days and microseconds, kept separately.
type IntervalValue struct {
	Months int32
	Days   int32
	Micros int64
}
