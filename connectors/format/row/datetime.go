package row

import (
	"time"

	"github.com/runnel-db/runnel/exec/types"
)

const (
	microsPerSecond = int64(1_000_000)
	microsPerDay    = 86_400 * microsPerSecond
)

// isoDate reads exactly "YYYY-MM-DD" (year 0001–9999, a real calendar day) as days since
// 1970-01-01; ok is false for any other form, which the general path then handles.
func isoDate(s []byte) (int64, bool) {
	if len(s) != 10 {
		return 0, false
	}
	y, m, d, ok := ymd(s)
	if !ok {
		return 0, false
	}
	return types.DaysFromCivil(y, m, d), true
}

func ymd(s []byte) (y int64, m, d int, ok bool) {
	if s[4] != '-' || s[7] != '-' {
		return 0, 0, 0, false
	}
	y4, ok1 := digits(s[0:4])
	m2, ok2 := digits(s[5:7])
	d2, ok3 := digits(s[8:10])
	if !ok1 || !ok2 || !ok3 || y4 < 1 || m2 < 1 || m2 > 12 || d2 < 1 || d2 > types.DaysInMonth(int64(y4), m2) {
		return 0, 0, 0, false
	}
	return int64(y4), m2, d2, true
}

// isoTimestamp reads the RFC 3339 / ISO 8601 forms "YYYY-MM-DD[T ]HH:MM:SS[.ffffff][Z|±HH[[:]MM]]"
// as microseconds since 1970-01-01 (UTC for timestamptz, where a missing zone means loc; the zone
// is ignored for timestamp, as PostgreSQL does). ok is false for any other form, an out-of-range
// field, or timestamptz text without a zone when loc is not UTC; the general path handles those.
func isoTimestamp(s []byte, tz bool, loc *time.Location) (int64, bool) {
	if len(s) < 19 || (s[10] != 'T' && s[10] != ' ') || s[13] != ':' || s[16] != ':' {
		return 0, false
	}
	y, m, d, ok := ymd(s)
	if !ok {
		return 0, false
	}
	hh, ok1 := digits(s[11:13])
	mi, ok2 := digits(s[14:16])
	ss, ok3 := digits(s[17:19])
	if !ok1 || !ok2 || !ok3 || hh > 23 || mi > 59 || ss > 59 {
		return 0, false
	}
	tod := (int64(hh)*3600 + int64(mi)*60 + int64(ss)) * microsPerSecond
	i := 19
	if i < len(s) && s[i] == '.' {
		i++
		start := i
		var frac int64
		for i < len(s) && s[i] >= '0' && s[i] <= '9' && i-start < 6 {
			frac = frac*10 + int64(s[i]-'0')
			i++
		}
		n := i - start
		if n == 0 || (i < len(s) && s[i] >= '0' && s[i] <= '9') {
			return 0, false // no digits, or more than 6 (PostgreSQL rounds those)
		}
		for ; n < 6; n++ {
			frac *= 10
		}
		tod += frac
	}
	hasZone, off := false, int64(0)
	if i < len(s) {
		switch s[i] {
		case 'Z':
			hasZone = true
			i++
		case '+', '-':
			sign := int64(1)
			if s[i] == '-' {
				sign = -1
			}
			i++
			if i+2 > len(s) {
				return 0, false
			}
			oh, ok := digits(s[i : i+2])
			if !ok || oh > 14 {
				return 0, false
			}
			i += 2
			om := 0
			colon := i < len(s) && s[i] == ':'
			if colon {
				i++
			}
			if colon || i < len(s) {
				if i+2 > len(s) {
					return 0, false
				}
				if om, ok = digits(s[i : i+2]); !ok || om > 59 {
					return 0, false
				}
				i += 2
			}
			hasZone, off = true, sign*int64(oh*3600+om*60)
		default:
			return 0, false
		}
	}
	if i != len(s) {
		return 0, false
	}
	us := types.DaysFromCivil(y, m, d)*microsPerDay + tod
	if !tz {
		return us, true
	}
	if !hasZone {
		if loc != nil && loc != time.UTC {
			return 0, false
		}
		return us, true
	}
	return us - off*microsPerSecond, true
}

// digits reads a run of ASCII digits.
func digits(s []byte) (int, bool) {
	v := 0
	for _, c := range s {
		if c < '0' || c > '9' {
			return 0, false
		}
		v = v*10 + int(c-'0')
	}
	return v, true
}
