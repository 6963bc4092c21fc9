package types

import "testing"

func TestParseIntervalTypmodMatchesPostgres(t *testing.T) {
	const (
		y, mo, d = IntervalMaskYear, IntervalMaskMonth, IntervalMaskDay
		h, mi, s = IntervalMaskHour, IntervalMaskMinute, IntervalMaskSecond
	)
	// Outputs of PostgreSQL 15: select interval '10' second, interval '10' minute, ...
	cases := []struct {
		in        string
		mask      int32
		precision int32
		want      string
	}{
		{"10", s, -1, "00:00:10"},
		{"10", mi, -1, "00:10:00"},
		{"1 day 02:03:04.5", h, -1, "1 day 02:00:00"},
		{"1-2", y | mo, -1, "1 year 2 mons"},
		{"2", y, -1, "2 years"},
		{"1:30", mi | s, -1, "00:01:30"},
		{"1:30", h | mi, -1, "01:30:00"},
		{"14 months 3 days", y, -1, "1 year"},
		{"-1 day -02:30:45", d | h | mi, -1, "-1 days -02:30:00"},
		{"1.23456", s, 2, "00:00:01.23"},
		{"5", d, -1, "5 days"},
		{"3", mo, -1, "3 mons"},
		{"1 day 10:20:30.555", IntervalFullRange, 1, "1 day 10:20:30.6"},
		{"10", h, -1, "10:00:00"},
		{"5", d | h, -1, "05:00:00"},
		{"-1.5", s, 0, "-00:00:02"},
		{"1 year 2 mons 3 days 04:05:06", d | h | mi | s, -1, "1 year 2 mons 3 days 04:05:06"},
		{"-2.5", s, 0, "-00:00:03"},
		{"1 2", d | h, -1, "1 day 02:00:00"},
		{"7", d | h | mi, -1, "00:07:00"},
		{"-14 mons", y, -1, "-1 years"},
	}
	for _, c := range cases {
		iv, err := ParseIntervalTypmod(c.in, c.mask, c.precision)
		if err != nil {
			t.Errorf("%q mask %#x: %v", c.in, c.mask, err)
			continue
		}
		if got := FormatDatum(iv, IntervalT, nil); got != c.want {
			t.Errorf("%q mask %#x (%d) = %s, want %s", c.in, c.mask, c.precision, got, c.want)
		}
	}
}
