package rowcodec

import (
	"math/bits"

	"github.com/apache/arrow-go/v18/arrow"
)

const (
	microsPerDay = 86_400_000_000
	daysPerMonth = 30
)

// intervalSpan is PostgreSQL's interval_cmp_value: the interval as a signed 128-bit count of
// microseconds with 30-day months and 24-hour days, so intervals compare (and key-encode) by it.
func intervalSpan(v arrow.MonthDayNanoInterval) (lo uint64, hi int64) {
	days := int64(v.Months)*daysPerMonth + int64(v.Days) // |days| < 2^37: no overflow
	neg := days < 0
	mag := uint64(days)
	if neg {
		mag = uint64(-days)
	}
	h, l := bits.Mul64(mag, microsPerDay)
	if neg {
		var borrow uint64
		l, borrow = bits.Sub64(0, l, 0)
		h, _ = bits.Sub64(0, h, borrow)
	}
	micros := v.Nanoseconds / 1000
	ext := uint64(micros >> 63) // sign extension of micros into the high word
	var carry uint64
	l, carry = bits.Add64(l, uint64(micros), 0)
	h, _ = bits.Add64(h, ext, carry)
	return l, int64(h)
}

// intervalFromSpan is the canonical interval of a span: whole 30-day months, remaining days and
// remaining time, every part carrying the span's sign.
func intervalFromSpan(lo uint64, hi int64) (arrow.MonthDayNanoInterval, bool) {
	neg := hi < 0
	mlo, mhi := lo, uint64(hi)
	if neg {
		var borrow uint64
		mlo, borrow = bits.Sub64(0, lo, 0)
		mhi, _ = bits.Sub64(0, uint64(hi), borrow)
	}
	if mhi >= microsPerDay {
		return arrow.MonthDayNanoInterval{}, false
	}
	days, micros := bits.Div64(mhi, mlo, microsPerDay)
	months := days / daysPerMonth
	if months > 1<<31-1 && !(neg && months == 1<<31) { // int32(1<<31) negates to itself below
		return arrow.MonthDayNanoInterval{}, false
	}
	v := arrow.MonthDayNanoInterval{
		Months:      int32(months),
		Days:        int32(days % daysPerMonth),
		Nanoseconds: int64(micros) * 1000,
	}
	if neg {
		v.Months, v.Days, v.Nanoseconds = -v.Months, -v.Days, -v.Nanoseconds
	}
	return v, true
}
