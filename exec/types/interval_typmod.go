package types

// Interval field masks: PostgreSQL's INTERVAL_MASK bits, as an interval typmod's range (and
// pg_query's first typmod of INTERVAL '…' SECOND, YEAR TO MONTH, …) carries them.
const (
	IntervalMaskMonth  int32 = 1 << 1
	IntervalMaskYear   int32 = 1 << 2
	IntervalMaskDay    int32 = 1 << 3
	IntervalMaskHour   int32 = 1 << 10
	IntervalMaskMinute int32 = 1 << 11
	IntervalMaskSecond int32 = 1 << 12
	IntervalFullRange  int32 = 0x7FFF
)

// bareUnit is the unit PostgreSQL gives a number without one, by the typmod's field range.
func bareUnit(rangeMask int32) intervalUnit {
	const (
		y, mo, d = IntervalMaskYear, IntervalMaskMonth, IntervalMaskDay
		h, mi    = IntervalMaskHour, IntervalMaskMinute
	)
	switch rangeMask {
	case y:
		return unitYear
	case mo, y | mo:
		return unitMonth
	case d:
		return unitDay
	case h, d | h:
		return unitHour
	case mi, h | mi, d | h | mi:
		return unitMinute
	}
	return unitSecond
}

// ParseIntervalTypmod reads interval text for INTERVAL fields [(precision)]: rangeMask is the
// IntervalMask* bits of the fields (IntervalFullRange for none) and precision the fractional
// second digits (-1 for none). INTERVAL '10' MINUTE is 00:10:00; INTERVAL '1 day 02:03:04' HOUR
// is 1 day 02:00:00; INTERVAL '1:30' MINUTE TO SECOND is 00:01:30.
func ParseIntervalTypmod(s string, rangeMask, precision int32) (IntervalValue, error) {
	iv, err := parseInterval(s, rangeMask)
	if err != nil {
		return iv, err
	}
	return ApplyIntervalTypmod(iv, rangeMask, precision), nil
}

// ApplyIntervalTypmod is PostgreSQL's AdjustIntervalForTypmod: fields below the range's last field
// are dropped (toward zero) and seconds rounded half away from zero to precision digits (-1: none).
func ApplyIntervalTypmod(iv IntervalValue, rangeMask, precision int32) IntervalValue {
	const (
		y, mo, d = IntervalMaskYear, IntervalMaskMonth, IntervalMaskDay
		h, mi    = IntervalMaskHour, IntervalMaskMinute
	)
	switch rangeMask {
	case y:
		iv.Months = iv.Months / 12 * 12
		iv.Days, iv.Micros = 0, 0
	case mo, y | mo:
		iv.Days, iv.Micros = 0, 0
	case d:
		iv.Micros = 0
	case h, d | h:
		iv.Micros = iv.Micros / microsPerHour * microsPerHour
	case mi, h | mi, d | h | mi:
		iv.Micros = iv.Micros / microsPerMinute * microsPerMinute
	}
	if precision >= 0 && precision < 6 {
		scale := int64(1)
		for i := precision; i < 6; i++ {
			scale *= 10
		}
		if iv.Micros >= 0 {
			iv.Micros = (iv.Micros + scale/2) / scale * scale
		} else {
			iv.Micros = -((-iv.Micros + scale/2) / scale * scale)
		}
	}
	return iv
}
