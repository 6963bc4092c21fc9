package types

import (
	"math"

	"github.com/apache/arrow-go/v18/arrow/decimal128"
	"github.com/runnel-db/runnel/exec/sqlerr"
)

func errIntervalRange() error {
	return sqlerr.New(sqlerr.DatetimeFieldOverflow, "interval out of range")
}

// intervalSpan is PostgreSQL's interval_cmp_value: months count 30 days, days 24 hours, as one
// 128-bit number of microseconds.
func intervalSpan(a IntervalValue) decimal128.Num {
	days := int64(a.Months)*30 + int64(a.Days)
	return decimal128.FromI64(days).Mul(decimal128.FromI64(microsPerDay)).Add(decimal128.FromI64(a.Micros))
}

// IntervalCmp compares intervals as PostgreSQL does: by total span with 30-day months and 24-hour
// days, so '1 mon' = '30 days' and '1 day' = '24:00:00'.
func IntervalCmp(a, b IntervalValue) int {
	if a == b {
		return 0
	}
	return intervalSpan(a).Cmp(intervalSpan(b))
}

// IntervalAdd adds field by field; 22008 "interval out of range" on overflow (the time part is
// limited to about ±292 years, what Arrow's month-day-nano layout holds).
func IntervalAdd(a, b IntervalValue) (IntervalValue, error) {
	m := int64(a.Months) + int64(b.Months)
	d := int64(a.Days) + int64(b.Days)
	us := a.Micros + b.Micros
	if m != int64(int32(m)) || d != int64(int32(d)) || (b.Micros > 0 && us < a.Micros) || (b.Micros < 0 && us > a.Micros) ||
		!checkIntervalMicros(us) {
		return IntervalValue{}, errIntervalRange()
	}
	return IntervalValue{Months: int32(m), Days: int32(d), Micros: us}, nil
}

// IntervalSub subtracts field by field; 22008 on overflow.
func IntervalSub(a, b IntervalValue) (IntervalValue, error) {
	if b.Months == math.MinInt32 || b.Days == math.MinInt32 || b.Micros == math.MinInt64 {
		return IntervalValue{}, errIntervalRange()
	}
	return IntervalAdd(a, IntervalNeg(b))
}

// IntervalNeg returns -a field by field (unary minus).
func IntervalNeg(a IntervalValue) IntervalValue {
	return IntervalValue{Months: -a.Months, Days: -a.Days, Micros: -a.Micros}
}

// tsRound is PostgreSQL's TSROUND: round to microsecond precision to undo float noise.
func tsRound(x float64) float64 { return math.RoundToEven(x*1e6) / 1e6 }

// IntervalMul is PostgreSQL's interval_mul: months and days are multiplied separately and their
// fractional parts cascade down (30-day months, 86400-second days), never up.
func IntervalMul(a IntervalValue, f float64) (IntervalValue, error) {
	return intervalScale(a, func(x float64) float64 { return x * f })
}

// IntervalDiv is PostgreSQL's interval_div; 22012 "division by zero" when f is 0.
func IntervalDiv(a IntervalValue, f float64) (IntervalValue, error) {
	if f == 0 {
		return IntervalValue{}, errDivisionByZero()
	}
	return intervalScale(a, func(x float64) float64 { return x / f })
}

func intervalScale(a IntervalValue, op func(float64) float64) (IntervalValue, error) {
	mf := op(float64(a.Months))
	if math.IsNaN(mf) || mf > math.MaxInt32 || mf < math.MinInt32 {
		return IntervalValue{}, errIntervalRange()
	}
	df := op(float64(a.Days))
	if math.IsNaN(df) || df > math.MaxInt32 || df < math.MinInt32 {
		return IntervalValue{}, errIntervalRange()
	}
	months := int32(mf)
	days := int32(df)
	monthRemDays := tsRound((mf - float64(months)) * 30)
	secRem := tsRound((df - float64(days) + monthRemDays - math.Trunc(monthRemDays)) * 86400)
	if math.Abs(secRem) >= 86400 {
		whole := math.Trunc(secRem / 86400)
		days += int32(whole)
		secRem -= whole * 86400
	}
	days += int32(monthRemDays)
	t := math.RoundToEven(op(float64(a.Micros)) + secRem*1e6)
	if math.IsNaN(t) || t < -maxIntervalMicros || t > maxIntervalMicros {
		return IntervalValue{}, errIntervalRange()
	}
	return IntervalValue{Months: months, Days: days, Micros: int64(t)}, nil
}

// justifyHours moves whole days out of Micros into Days with PostgreSQL's sign rules
// (interval_justify_hours).
func justifyHours(iv IntervalValue) IntervalValue {
	whole := iv.Micros / microsPerDay
	iv.Micros -= whole * microsPerDay
	iv.Days += int32(whole)
	if iv.Days > 0 && iv.Micros < 0 {
		iv.Micros += microsPerDay
		iv.Days--
	} else if iv.Days < 0 && iv.Micros > 0 {
		iv.Micros -= microsPerDay
		iv.Days++
	}
	return iv
}
