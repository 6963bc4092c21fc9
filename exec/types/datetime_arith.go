package types

import (
	"time"

	"github.com/runnel-db/runnel/exec/sqlerr"
)

func errTimestampRange() error {
	return sqlerr.New(sqlerr.DatetimeFieldOverflow, "timestamp out of range")
}

// toLocal returns the wall-clock timestamp of ts in loc (nil: ts is already wall-clock).
func toLocal(ts TimestampValue, loc *time.Location) TimestampValue {
	if loc == nil || loc == time.UTC {
		return ts
	}
	_, off := ts.Time().In(loc).Zone()
	return ts + TimestampValue(int64(off)*microsPerSecond)
}

// fromLocal converts a wall-clock timestamp back to an instant in loc (nil: unchanged).
func fromLocal(ts TimestampValue, loc *time.Location) TimestampValue {
	if loc == nil {
		return ts
	}
	return localToUTC(ts, loc)
}

// AddInterval is PostgreSQL's timestamp + interval: months are added to the calendar month (the
// day clamped to the month's last day), then days to the calendar date (both in loc's wall clock for
// timestamptz, so a day stays a day across DST), then the microseconds. loc nil means timestamp
// without time zone. Infinite timestamps are returned unchanged; 22008 when out of range.
func AddInterval(ts TimestampValue, iv IntervalValue, loc *time.Location) (TimestampValue, error) {
	if !ts.IsFinite() {
		return ts, nil
	}
	if iv.Months != 0 || iv.Days != 0 {
		local := toLocal(ts, loc)
		days, tod := splitTimestamp(int64(local))
		y, m, d := civilFromDays(days)
		if iv.Months != 0 {
			total := y*12 + int64(m-1) + int64(iv.Months)
			y = floorDiv64(total, 12)
			m = int(total-y*12) + 1
			if dim := DaysInMonth(y, m); d > dim {
				d = dim
			}
		}
		nd := DaysFromCivil(y, m, d) + int64(iv.Days)
		if nd < minDateDays || nd > maxDateDays || nd > maxTimestamp/microsPerDay-1 {
			return 0, errTimestampRange()
		}
		ts = fromLocal(TimestampValue(nd*microsPerDay+tod), loc)
	}
	r := int64(ts) + iv.Micros
	if (iv.Micros > 0 && r < int64(ts)) || (iv.Micros < 0 && r > int64(ts)) || r < minTimestamp || r > maxTimestamp {
		return 0, errTimestampRange()
	}
	return TimestampValue(r), nil
}

// TimestampDiff is PostgreSQL's timestamp - timestamp: the microsecond difference with whole
// 24-hour days moved into the days field (justify_hours), never months.
func TimestampDiff(a, b TimestampValue) IntervalValue {
	return justifyHours(IntervalValue{Micros: int64(a) - int64(b)})
}

// DateAddDays returns d + n days; 22008 "date out of range" when the result leaves the range.
func DateAddDays(d DateValue, n int64) (DateValue, error) {
	if !d.IsFinite() {
		return d, nil
	}
	r := int64(d) + n
	if r < minDateDays || r > maxDateDays {
		return 0, sqlerr.New(sqlerr.DatetimeFieldOverflow, "date out of range")
	}
	return DateValue(r), nil
}

// DateToTimestamp returns midnight of d as a timestamp without time zone.
func DateToTimestamp(d DateValue) TimestampValue {
	switch d {
	case DateInfinity:
		return TimestampInfinity
	case DateNegInfinity:
		return TimestampNegInfinity
	}
	return TimestampValue(int64(d) * microsPerDay)
}

// TimestampToDate returns the date of a timestamp without time zone (wall clock).
func TimestampToDate(ts TimestampValue) DateValue {
	switch ts {
	case TimestampInfinity:
		return DateInfinity
	case TimestampNegInfinity:
		return DateNegInfinity
	}
	days, _ := splitTimestamp(int64(ts))
	return DateValue(days)
}

// TimestampTZToLocal converts an instant to the wall-clock timestamp in loc (timestamptz → timestamp).
func TimestampTZToLocal(ts TimestampValue, loc *time.Location) TimestampValue {
	if !ts.IsFinite() {
		return ts
	}
	return toLocal(ts, loc)
}

// TimestampLocalToTZ interprets a wall-clock timestamp in loc (timestamp → timestamptz).
func TimestampLocalToTZ(ts TimestampValue, loc *time.Location) TimestampValue {
	if !ts.IsFinite() {
		return ts
	}
	if loc == nil {
		loc = time.UTC
	}
	return localToUTC(ts, loc)
}
