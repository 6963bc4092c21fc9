package types

import (
	"math"
	"time"
)

// Special values, as PostgreSQL keeps them: the extremes of the representation.
const (
	DateInfinity         DateValue      = math.MaxInt32
	DateNegInfinity      DateValue      = math.MinInt32
	TimestampInfinity    TimestampValue = math.MaxInt64
	TimestampNegInfinity TimestampValue = math.MinInt64
)

const (
	microsPerSecond = int64(1_000_000)
	microsPerMinute = 60 * microsPerSecond
	microsPerHour   = 60 * microsPerMinute
	microsPerDay    = 24 * microsPerHour
)

// Time returns ts as a UTC time.Time (meaningless for the infinities).
func (ts TimestampValue) Time() time.Time { return time.UnixMicro(int64(ts)).UTC() }

// TimestampFromTime returns the instant t truncated to microseconds.
func TimestampFromTime(t time.Time) TimestampValue {
	return TimestampValue(t.Unix()*microsPerSecond + int64(t.Nanosecond()/1000))
}

// IsFinite reports whether d is neither infinity nor -infinity.
func (d DateValue) IsFinite() bool { return d != DateInfinity && d != DateNegInfinity }

// IsFinite reports whether ts is neither infinity nor -infinity.
func (ts TimestampValue) IsFinite() bool {
	return ts != TimestampInfinity && ts != TimestampNegInfinity
}

// civilFromDays converts days since 1970-01-01 to a proleptic Gregorian date (year 0 = 1 BC),
// after Howard Hinnant's days_from_civil inverse.
func civilFromDays(z int64) (year int64, month, day int) {
	z += 719468
	era := floorDiv64(z, 146097)
	doe := z - era*146097
	yoe := (doe - doe/1460 + doe/36524 - doe/146096) / 365
	y := yoe + era*400
	doy := doe - (365*yoe + yoe/4 - yoe/100)
	mp := (5*doy + 2) / 153
	d := doy - (153*mp+2)/5 + 1
	m := mp + 3
	if m > 12 {
		m -= 12
	}
	if m <= 2 {
		y++
	}
	return y, int(m), int(d)
}

// DaysFromCivil converts a proleptic Gregorian date to days since 1970-01-01.
func DaysFromCivil(y int64, m, d int) int64 {
	if m <= 2 {
		y--
	}
	era := floorDiv64(y, 400)
	yoe := y - era*400
	mm := int64(m)
	if mm > 2 {
		mm -= 3
	} else {
		mm += 9
	}
	doy := (153*mm+2)/5 + int64(d) - 1
	doe := yoe*365 + yoe/4 - yoe/100 + doy
	return era*146097 + doe - 719468
}

func floorDiv64(a, b int64) int64 {
	q := a / b
	if (a%b != 0) && ((a < 0) != (b < 0)) {
		q--
	}
	return q
}

func isLeap(y int64) bool { return y%4 == 0 && (y%100 != 0 || y%400 == 0) }

var monthDays = [13]int{0, 31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31}

// DaysInMonth is the number of days in month m (1–12) of year y.
func DaysInMonth(y int64, m int) int {
	if m == 2 && isLeap(y) {
		return 29
	}
	return monthDays[m]
}

// splitTimestamp splits micros since the epoch into days and microseconds within the day.
func splitTimestamp(us int64) (days, tod int64) {
	days = floorDiv64(us, microsPerDay)
	return days, us - days*microsPerDay
}

// Valid ranges, as PostgreSQL's: dates from 4714-11-24 BC (julian day 0) to 5874897-12-31;
// timestamps from 4714-11-24 00:00:00 BC up to the largest value below infinity (PostgreSQL allows
// up to 294276 AD; with a 1970 epoch int64 microseconds end in 294247 AD).
const (
	minDateDays  = -2440588                 // julian day 0
	maxDateDays  = 2147483494 - 2440588 - 1 // 5874897-12-31
	minTimestamp = int64(minDateDays) * microsPerDay
	maxTimestamp = math.MaxInt64 - 1
)
