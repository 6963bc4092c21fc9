package types

import (
	"time"

	"github.com/runnel-db/runnel/exec/sqlerr"
)

// DateTrunc is PostgreSQL's date_trunc(field, v) for timestamp, timestamptz (truncated in loc's
// wall clock; for day and larger units the offset is recomputed, so the result is local midnight)
// and interval. Infinite timestamps are returned unchanged. 22023 for unknown fields, 0A000 for
// fields that do not apply.
func DateTrunc(field string, v Datum, t T, loc *time.Location) (Datum, error) {
	if t.Kind == Timestamp || t.Kind == TimestampTZ {
		if ts := v.(TimestampValue); !ts.IsFinite() {
			return ts, nil // checked before the unit, as PostgreSQL does
		}
	}
	u, ok := dtUnits[field]
	switch u {
	case duEpoch, duDow, duIsodow, duDoy, duIsoyear, duJulian:
		ok = false // not truncation units at all in PostgreSQL
	}
	if !ok {
		return nil, unitNotRecognized(field, t)
	}
	switch t.Kind {
	case Timestamp, TimestampTZ:
		ts := v.(TimestampValue)
		if t.Kind == Timestamp {
			r, err := truncWallClock(u, ts, field, t)
			return r, err
		}
		if loc == nil {
			loc = time.UTC
		}
		_, o := ts.Time().In(loc).Zone()
		off := TimestampValue(int64(o) * microsPerSecond)
		r, err := truncWallClock(u, ts+off, field, t)
		if err != nil {
			return nil, err
		}
		if u >= duDay {
			return localToUTC(r, loc), nil
		}
		return r - off, nil
	case Interval:
		r, err := truncInterval(u, v.(IntervalValue), field, t)
		if err != nil {
			return nil, err
		}
		return r, nil
	}
	return nil, sqlerr.New(sqlerr.UndefinedFunction, "function date_trunc(unknown, %s) does not exist", t)
}

func truncWallClock(u dtUnit, ts TimestampValue, field string, t T) (TimestampValue, error) {
	days, tod := splitTimestamp(int64(ts))
	switch u {
	case duMicro:
		return ts, nil
	case duMilli:
		return TimestampValue(days*microsPerDay + tod - tod%1000), nil
	case duSecond:
		return TimestampValue(days*microsPerDay + tod - tod%microsPerSecond), nil
	case duMinute:
		return TimestampValue(days*microsPerDay + tod - tod%microsPerMinute), nil
	case duHour:
		return TimestampValue(days*microsPerDay + tod - tod%microsPerHour), nil
	case duDay:
		return TimestampValue(days * microsPerDay), nil
	case duWeek:
		wd := weekday(days) // Monday-based ISO week
		if wd == 0 {
			wd = 7
		}
		return TimestampValue((days - (wd - 1)) * microsPerDay), nil
	}
	y, m, _ := civilFromDays(days)
	switch u {
	case duMonth:
	case duQuarter:
		m = 3*((m-1)/3) + 1
	case duYear:
		m = 1
	case duDecade:
		m = 1
		if y > 0 {
			y = y / 10 * 10
		} else {
			y = -((8 - (y - 1)) / 10) * 10
		}
	case duCentury:
		m = 1
		if y > 0 {
			y = (y+99)/100*100 - 99
		} else {
			y = -((99-(y-1))/100)*100 + 1
		}
	case duMillennium:
		m = 1
		if y > 0 {
			y = (y+999)/1000*1000 - 999
		} else {
			y = -((999-(y-1))/1000)*1000 + 1
		}
	default:
		return 0, unitNotSupported(field, t)
	}
	return TimestampValue(DaysFromCivil(y, m, 1) * microsPerDay), nil
}

func truncInterval(u dtUnit, iv IntervalValue, field string, t T) (IntervalValue, error) {
	year := int64(iv.Months / 12)
	mon := int64(iv.Months % 12)
	day := int64(iv.Days)
	hour := iv.Micros / microsPerHour
	min := iv.Micros / microsPerMinute % 60
	sec := iv.Micros / microsPerSecond % 60
	us := iv.Micros % microsPerSecond
	switch {
	case u == duMicro:
	case u == duMilli:
		us = us / 1000 * 1000
	case u == duWeek || u > duMillennium:
		return IntervalValue{}, unitNotSupported(field, t)
	default:
		// Units are ordered from smallest to largest: clear everything below u.
		if u >= duSecond {
			us = 0
		}
		if u >= duMinute {
			sec = 0
		}
		if u >= duHour {
			min = 0
		}
		if u >= duDay {
			hour = 0
		}
		if u >= duMonth {
			day = 0
		}
		if u >= duQuarter {
			mon = 3 * (mon / 3)
		}
		if u >= duYear {
			mon = 0
		}
		if u >= duDecade {
			year = year / 10 * 10
		}
		if u >= duCentury {
			year = year / 100 * 100
		}
		if u >= duMillennium {
			year = year / 1000 * 1000
		}
	}
	return IntervalValue{
		Months: int32(year*12 + mon),
		Days:   int32(day),
		Micros: ((hour*60+min)*60+sec)*microsPerSecond + us,
	}, nil
}
