package types

import "strconv"

// AppendInterval appends PostgreSQL's IntervalStyle postgres text of iv:
// "1 year 2 mons 3 days 04:05:06.5", "-1 days +02:00:00", "00:00:00".
func AppendInterval(dst []byte, iv IntervalValue) []byte {
	year := int64(iv.Months / 12)
	mon := int64(iv.Months % 12)
	isZero, isBefore := true, false
	dst = appendIntervalPart(dst, year, "year", &isZero, &isBefore)
	dst = appendIntervalPart(dst, mon, "mon", &isZero, &isBefore)
	dst = appendIntervalPart(dst, int64(iv.Days), "day", &isZero, &isBefore)
	us := iv.Micros
	if !isZero && us == 0 {
		return dst
	}
	minus := us < 0
	if !isZero {
		dst = append(dst, ' ')
	}
	if minus {
		dst = append(dst, '-')
	} else if isBefore {
		dst = append(dst, '+')
	}
	// magnitude, careful with MinInt64
	u := uint64(us)
	if minus {
		u = uint64(-us)
	}
	hours := u / uint64(microsPerHour)
	rem := u % uint64(microsPerHour)
	if hours < 10 {
		dst = append(dst, '0')
	}
	dst = strconv.AppendUint(dst, hours, 10)
	dst = append(dst, ':')
	dst = append2(dst, int(rem/uint64(microsPerMinute)))
	rem %= uint64(microsPerMinute)
	dst = append(dst, ':')
	dst = append2(dst, int(rem/uint64(microsPerSecond)))
	return appendFraction(dst, int64(rem%uint64(microsPerSecond)))
}

// appendIntervalPart is PostgreSQL's AddPostgresIntPart: a non-zero field with its unit; a
// positive field right after a negative one gets an explicit '+'.
func appendIntervalPart(dst []byte, v int64, unit string, isZero, isBefore *bool) []byte {
	if v == 0 {
		return dst
	}
	if !*isZero {
		dst = append(dst, ' ')
	}
	if *isBefore && v > 0 {
		dst = append(dst, '+')
	}
	dst = strconv.AppendInt(dst, v, 10)
	dst = append(dst, ' ')
	dst = append(dst, unit...)
	if v != 1 {
		dst = append(dst, 's')
	}
	*isBefore = v < 0
	*isZero = false
	return dst
}
