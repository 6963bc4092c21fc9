package types

import (
	"time"

	"github.com/apache/arrow-go/v18/arrow/decimal128"
	"github.com/runnel-db/runnel/exec/sqlerr"
)

// dtUnit is a canonical date/time field name, as PostgreSQL's DecodeUnits resolves them.
type dtUnit int

const (
	duMicro dtUnit = iota + 1
	duMilli
	duSecond
	duMinute
	duHour
	duDay
	duWeek
	duMonth
	duQuarter
	duYear
	duDecade
	duCentury
	duMillennium
	duEpoch
	duDow
	duIsodow
	duDoy
	duIsoyear
	duJulian
	duTimezone
	duTimezoneHour
	duTimezoneMinute
)

var dtUnits = map[string]dtUnit{
	"microsecond": duMicro, "microseconds": duMicro, "us": duMicro, "usec": duMicro, "usecs": duMicro, "useconds": duMicro,
	"millisecond": duMilli, "milliseconds": duMilli, "ms": duMilli, "msec": duMilli, "msecs": duMilli, "mseconds": duMilli,
	"second": duSecond, "seconds": duSecond, "s": duSecond, "sec": duSecond, "secs": duSecond,
	"minute": duMinute, "minutes": duMinute, "m": duMinute, "min": duMinute, "mins": duMinute,
	"hour": duHour, "hours": duHour, "h": duHour, "hr": duHour, "hrs": duHour,
	"day": duDay, "days": duDay, "d": duDay,
	"week": duWeek, "weeks": duWeek, "w": duWeek,
	"month": duMonth, "months": duMonth, "mon": duMonth, "mons": duMonth,
	"quarter": duQuarter, "qtr": duQuarter,
	"year": duYear, "years": duYear, "y": duYear, "yr": duYear, "yrs": duYear,
	"decade": duDecade, "decades": duDecade, "dec": duDecade, "decs": duDecade,
	"century": duCentury, "centuries": duCentury, "c": duCentury, "cent": duCentury,
	"millennium": duMillennium, "millennia": duMillennium, "mil": duMillennium, "mils": duMillennium,
	"epoch": duEpoch, "dow": duDow, "isodow": duIsodow, "doy": duDoy, "isoyear": duIsoyear,
	"julian": duJulian, "j": duJulian,
	"timezone": duTimezone, "timezone_h": duTimezoneHour, "timezone_hour": duTimezoneHour,
	"timezone_m": duTimezoneMinute, "timezone_minute": duTimezoneMinute,
}

func unitNotRecognized(field string, t T) error {
	return sqlerr.New(sqlerr.InvalidParameterValue, "unit \"%s\" not recognized for type %s", field, t)
}

func unitNotSupported(field string, t T) error {
	return sqlerr.New(sqlerr.FeatureNotSupported, "unit \"%s\" not supported for type %s", field, t)
}

// numScaled returns x × 10^-scale.
func numScaled(x int64, scale int8) NumericValue {
	return NumericValue{Coef: decimal128.FromI64(x), Scale: scale}
}

// julianOffset is the Julian day number of 1970-01-01.
const julianOffset = 2440588

// isoWeek returns the ISO 8601 week-numbering year and week of a day count.
func isoWeek(days int64) (year int64, week int) {
	y, m, d := civilFromDays(days)
	t := time.Date(int(y), time.Month(m), d, 0, 0, 0, 0, time.UTC)
	yy, ww := t.ISOWeek()
	return int64(yy), ww
}

// Extract is PostgreSQL 14+'s EXTRACT(field FROM v), which returns numeric, for date, timestamp,
// timestamptz (fields in loc's wall clock) and interval values. Unknown fields fail with 22023,
// fields that do not apply to the type with 0A000. Infinite inputs (PostgreSQL answers ±Infinity
// or NULL) fail with 0A000.
func Extract(field string, v Datum, t T, loc *time.Location) (NumericValue, error) {
	u, ok := dtUnits[field]
	if !ok {
		return NumericValue{}, unitNotRecognized(field, t)
	}
	switch t.Kind {
	case Date:
		d := v.(DateValue)
		if !d.IsFinite() {
			return NumericValue{}, sqlerr.NotSupported("extract from infinite date")
		}
		switch u {
		case duMicro, duMilli, duSecond, duMinute, duHour, duTimezone, duTimezoneHour, duTimezoneMinute:
			return NumericValue{}, unitNotSupported(field, t)
		case duEpoch:
			return NumericFromInt64(int64(d) * 86400), nil
		case duJulian:
			return NumericFromInt64(int64(d) + julianOffset), nil
		}
		return extractCalendar(u, int64(d), 0, field, t)
	case Timestamp, TimestampTZ:
		ts := v.(TimestampValue)
		if !ts.IsFinite() {
			return NumericValue{}, sqlerr.NotSupported("extract from infinite timestamp")
		}
		if u == duEpoch {
			return numScaled(int64(ts), 6), nil
		}
		local := ts
		var off int64
		if t.Kind == TimestampTZ {
			if loc == nil {
				loc = time.UTC
			}
			_, o := ts.Time().In(loc).Zone()
			off = int64(o)
			local = ts + TimestampValue(off*microsPerSecond)
		}
		switch u {
		case duTimezone, duTimezoneHour, duTimezoneMinute:
			if t.Kind != TimestampTZ {
				return NumericValue{}, unitNotSupported(field, t)
			}
			switch u {
			case duTimezone:
				return NumericFromInt64(off), nil
			case duTimezoneHour:
				return NumericFromInt64(off / 3600), nil
			}
			return NumericFromInt64(off / 60 % 60), nil
		}
		days, tod := splitTimestamp(int64(local))
		return extractCalendar(u, days, tod, field, t)
	case Interval:
		return extractInterval(u, v.(IntervalValue), field, t)
	}
	return NumericValue{}, sqlerr.New(sqlerr.UndefinedFunction, "function extract(unknown, %s) does not exist", t)
}

// extractCalendar extracts a field from a wall-clock date and time of day.
func extractCalendar(u dtUnit, days, tod int64, field string, t T) (NumericValue, error) {
	y, m, d := civilFromDays(days)
	secUs := tod % microsPerMinute
	switch u {
	case duMicro:
		return NumericFromInt64(secUs), nil
	case duMilli:
		return numScaled(secUs, 3), nil
	case duSecond:
		return numScaled(secUs, 6), nil
	case duMinute:
		return NumericFromInt64(tod / microsPerMinute % 60), nil
	case duHour:
		return NumericFromInt64(tod / microsPerHour), nil
	case duDay:
		return NumericFromInt64(int64(d)), nil
	case duMonth:
		return NumericFromInt64(int64(m)), nil
	case duQuarter:
		return NumericFromInt64(int64((m-1)/3 + 1)), nil
	case duYear:
		if y > 0 {
			return NumericFromInt64(y), nil
		}
		return NumericFromInt64(y - 1), nil
	case duDecade:
		if y >= 0 {
			return NumericFromInt64(y / 10), nil
		}
		return NumericFromInt64(-((8 - (y - 1)) / 10)), nil
	case duCentury:
		if y > 0 {
			return NumericFromInt64((y + 99) / 100), nil
		}
		return NumericFromInt64(-((99 - (y - 1)) / 100)), nil
	case duMillennium:
		if y > 0 {
			return NumericFromInt64((y + 999) / 1000), nil
		}
		return NumericFromInt64(-((999 - (y - 1)) / 1000)), nil
	case duDow:
		return NumericFromInt64(weekday(days)), nil
	case duIsodow:
		wd := weekday(days)
		if wd == 0 {
			wd = 7
		}
		return NumericFromInt64(wd), nil
	case duDoy:
		return NumericFromInt64(days - DaysFromCivil(y, 1, 1) + 1), nil
	case duWeek:
		_, w := isoWeek(days)
		return NumericFromInt64(int64(w)), nil
	case duIsoyear:
		iy, _ := isoWeek(days)
		if iy <= 0 {
			iy--
		}
		return NumericFromInt64(iy), nil
	case duJulian:
		frac, err := NumericDiv(NumericFromInt64(tod), NumericFromInt64(microsPerDay))
		if err != nil {
			return NumericValue{}, err
		}
		return NumericAdd(NumericFromInt64(days+julianOffset), frac)
	}
	return NumericValue{}, unitNotSupported(field, t)
}

// weekday returns 0 (Sunday) .. 6 (Saturday); 1970-01-01 was a Thursday.
func weekday(days int64) int64 {
	w := (days + 4) % 7
	if w < 0 {
		w += 7
	}
	return w
}

func extractInterval(u dtUnit, iv IntervalValue, field string, t T) (NumericValue, error) {
	year := int64(iv.Months / 12)
	mon := int64(iv.Months % 12)
	secUs := iv.Micros % microsPerMinute
	switch u {
	case duMicro:
		return NumericFromInt64(secUs), nil
	case duMilli:
		return numScaled(secUs, 3), nil
	case duSecond:
		return numScaled(secUs, 6), nil
	case duMinute:
		return NumericFromInt64(iv.Micros / microsPerMinute % 60), nil
	case duHour:
		return NumericFromInt64(iv.Micros / microsPerHour), nil
	case duDay:
		return NumericFromInt64(int64(iv.Days)), nil
	case duMonth:
		return NumericFromInt64(mon), nil
	case duQuarter:
		return NumericFromInt64(mon/3 + 1), nil
	case duYear:
		return NumericFromInt64(year), nil
	case duDecade:
		return NumericFromInt64(year / 10), nil
	case duCentury:
		return NumericFromInt64(year / 100), nil
	case duMillennium:
		return NumericFromInt64(year / 1000), nil
	case duEpoch:
		// 365.25-day years, 30-day months, 86400-second days (PostgreSQL's interval epoch).
		secs4 := (4*365*year + year + 4*30*mon + 4*int64(iv.Days)) * (86400 / 4)
		return NumericAdd(numScaled(iv.Micros, 6), NumericFromInt64(secs4))
	}
	return NumericValue{}, unitNotSupported(field, t)
}
