package types

import (
	"strings"
	"time"

	"github.com/runnel-db/runnel/exec/sqlerr"
)

func dtErr(e dtError, typeName, s, zone string) error {
	switch e {
	case dtRange:
		return sqlerr.New(sqlerr.DatetimeFieldOverflow, "date/time field value out of range: \"%s\"", s)
	case dtBadZone:
		return sqlerr.New(sqlerr.InvalidParameterValue, "time zone \"%s\" not recognized", strings.ToLower(zone))
	case dtUnsupported:
		return sqlerr.NotSupported("special " + typeName + " value \"" + zone + "\"")
	}
	return sqlerr.New(sqlerr.InvalidDatetimeFormat, "invalid input syntax for type %s: \"%s\"", typeName, s)
}

// ParseDate reads a date literal (a time part, if any, is ignored as PostgreSQL does).
func ParseDate(s string) (DateValue, error) {
	p, zone, e := parseDateTime(s)
	if e != 0 {
		return 0, dtErr(e, "date", s, zone)
	}
	switch p.special {
	case 1:
		return DateInfinity, nil
	case -1:
		return DateNegInfinity, nil
	case 2:
		return 0, nil
	}
	d := DaysFromCivil(p.year, p.month, p.day)
	if d < minDateDays || d > maxDateDays {
		return 0, sqlerr.New(sqlerr.DatetimeFieldOverflow, "date out of range: \"%s\"", s)
	}
	return DateValue(d), nil
}

// ParseTimestamp reads a timestamp without time zone; a zone in the text is ignored, as
// PostgreSQL does.
func ParseTimestamp(s string) (TimestampValue, error) {
	p, zone, e := parseDateTime(s)
	if e != 0 {
		return 0, dtErr(e, "timestamp", s, zone)
	}
	switch p.special {
	case 1:
		return TimestampInfinity, nil
	case -1:
		return TimestampNegInfinity, nil
	case 2:
		return 0, nil
	}
	return civilToTimestamp(p, s)
}

func civilToTimestamp(p parsedDateTime, s string) (TimestampValue, error) {
	d := DaysFromCivil(p.year, p.month, p.day)
	if d < minDateDays || d > maxDateDays || d > (maxTimestamp-p.tod)/microsPerDay {
		return 0, sqlerr.New(sqlerr.DatetimeFieldOverflow, "timestamp out of range: \"%s\"", s)
	}
	return TimestampValue(d*microsPerDay + p.tod), nil
}

// ParseTimestampTZ reads a timestamp with time zone; without a zone in the text the local time is
// taken in loc (nil: UTC).
func ParseTimestampTZ(s string, loc *time.Location) (TimestampValue, error) {
	const name = "timestamp with time zone"
	p, zone, e := parseDateTime(s)
	if e != 0 {
		return 0, dtErr(e, name, s, zone)
	}
	switch p.special {
	case 1:
		return TimestampInfinity, nil
	case -1:
		return TimestampNegInfinity, nil
	case 2:
		return 0, nil
	}
	local, err := civilToTimestamp(p, s)
	if err != nil {
		return 0, err
	}
	switch {
	case p.hasZone && p.zoneLoc == nil:
		return TimestampValue(int64(local) - int64(p.offset)*microsPerSecond), nil
	case p.zoneLoc != nil:
		loc = p.zoneLoc
	case loc == nil:
		loc = time.UTC
	}
	return localToUTC(local, loc), nil
}

// localToUTC interprets a wall-clock timestamp in loc as PostgreSQL's DetermineTimeZoneOffset
// does: a wall time in a DST gap uses the offset before the transition (02:30 on a spring-forward
// day becomes 03:30), an ambiguous one the offset after it (01:30 on a fall-back day is standard time).
func localToUTC(local TimestampValue, loc *time.Location) TimestampValue {
	if loc == time.UTC {
		return local
	}
	sec := floorDiv64(int64(local), microsPerSecond)
	frac := int64(local) - sec*microsPerSecond
	before := offsetAt(sec-86400, loc)
	after := offsetAt(sec+86400, loc)
	u := sec - before
	if before != after {
		// Prefer the offset after the transition when it is consistent (an ambiguous or
		// post-transition time), else the one before it (a time in the gap, or before).
		if u2 := sec - after; offsetAt(u2, loc) == after {
			u = u2
		}
	} else if off := offsetAt(u, loc); off != before {
		// two transitions within the window: trust the zone at the candidate instant
		u = sec - off
	}
	return TimestampValue(u*microsPerSecond + frac)
}

// offsetAt returns loc's UTC offset in seconds east at the Unix second sec.
func offsetAt(sec int64, loc *time.Location) int64 {
	_, off := time.Unix(sec, 0).In(loc).Zone()
	return int64(off)
}
