package types

import (
	"strconv"
	"time"
)

// Output in DateStyle ISO: "2024-01-15", "2024-01-15 10:30:00.5", "2024-01-15 10:30:00+05:30",
// years zero-padded to four digits, " BC" last for years before 1 AD.

func append2(dst []byte, v int) []byte {
	return append(dst, byte('0'+v/10), byte('0'+v%10))
}

// appendYMD appends the date and reports whether it is BC (the suffix comes last).
func appendYMD(dst []byte, y int64, m, d int) ([]byte, bool) {
	bc := y <= 0
	if bc {
		y = 1 - y
	}
	if y < 1000 {
		dst = append(dst, "000"[:4-len(strconv.FormatInt(y, 10))]...)
	}
	dst = strconv.AppendInt(dst, y, 10)
	dst = append(dst, '-')
	dst = append2(dst, m)
	dst = append(dst, '-')
	return append2(dst, d), bc
}

// appendFraction appends ".ffffff" with trailing zeros trimmed; nothing for zero.
func appendFraction(dst []byte, us int64) []byte {
	if us == 0 {
		return dst
	}
	var b [7]byte
	b[0] = '.'
	for i := 6; i >= 1; i-- {
		b[i] = byte('0' + us%10)
		us /= 10
	}
	n := 7
	for b[n-1] == '0' {
		n--
	}
	return append(dst, b[:n]...)
}

// appendTOD appends HH:MM:SS[.ffffff] for microseconds within a day.
func appendTOD(dst []byte, tod int64) []byte {
	sec := tod / microsPerSecond
	dst = append2(dst, int(sec/3600))
	dst = append(dst, ':')
	dst = append2(dst, int(sec/60%60))
	dst = append(dst, ':')
	dst = append2(dst, int(sec%60))
	return appendFraction(dst, tod%microsPerSecond)
}

// AppendDate appends PostgreSQL's ISO text of d.
func AppendDate(dst []byte, d DateValue) []byte {
	switch d {
	case DateInfinity:
		return append(dst, "infinity"...)
	case DateNegInfinity:
		return append(dst, "-infinity"...)
	}
	y, m, day := civilFromDays(int64(d))
	dst, bc := appendYMD(dst, y, m, day)
	if bc {
		dst = append(dst, " BC"...)
	}
	return dst
}

// AppendTimestamp appends PostgreSQL's ISO text of a timestamp without time zone.
func AppendTimestamp(dst []byte, ts TimestampValue) []byte {
	switch ts {
	case TimestampInfinity:
		return append(dst, "infinity"...)
	case TimestampNegInfinity:
		return append(dst, "-infinity"...)
	}
	days, tod := splitTimestamp(int64(ts))
	y, m, d := civilFromDays(days)
	dst, bc := appendYMD(dst, y, m, d)
	dst = append(dst, ' ')
	dst = appendTOD(dst, tod)
	if bc {
		dst = append(dst, " BC"...)
	}
	return dst
}

// AppendTimestampTZ appends PostgreSQL's ISO text of a timestamptz shown in loc (nil: UTC), with
// the UTC offset as +HH, +HH:MM or +HH:MM:SS.
func AppendTimestampTZ(dst []byte, ts TimestampValue, loc *time.Location) []byte {
	switch ts {
	case TimestampInfinity:
		return append(dst, "infinity"...)
	case TimestampNegInfinity:
		return append(dst, "-infinity"...)
	}
	if loc == nil {
		loc = time.UTC
	}
	_, off := ts.Time().In(loc).Zone()
	local := int64(ts) + int64(off)*microsPerSecond
	days, tod := splitTimestamp(local)
	y, m, d := civilFromDays(days)
	dst, bc := appendYMD(dst, y, m, d)
	dst = append(dst, ' ')
	dst = appendTOD(dst, tod)
	dst = appendOffset(dst, off)
	if bc {
		dst = append(dst, " BC"...)
	}
	return dst
}

// appendOffset appends a UTC offset in seconds east as PostgreSQL prints it: +05:30, -08, +05:53:28.
func appendOffset(dst []byte, off int) []byte {
	if off < 0 {
		dst = append(dst, '-')
		off = -off
	} else {
		dst = append(dst, '+')
	}
	dst = append2(dst, off/3600)
	if off%3600 != 0 {
		dst = append(dst, ':')
		dst = append2(dst, off/60%60)
		if off%60 != 0 {
			dst = append(dst, ':')
			dst = append2(dst, off%60)
		}
	}
	return dst
}
