package types

import (
	"math"
	"testing"
	"time"

	"github.com/runnel-db/runnel/exec/sqlerr"
)

func TestIntConversions(t *testing.T) {
	// Expectations from PostgreSQL 15: 2.5::float8::int4 = 2, 3.5 → 4, -2.5::float8::int2 = -2,
	// 2.5::numeric::int4 = 3; 'nan'::float8::int4 and 1e10::float8::int4 fail "integer out of
	// range"; 40000::int2 "smallint out of range"; 1e19::numeric::int8 "bigint out of range".
	for _, c := range []struct {
		f    float64
		typ  T
		want int64
		err  string
	}{
		{2.5, Int32T, 2, ""}, {3.5, Int32T, 4, ""}, {-2.5, Int16T, -2, ""},
		{math.NaN(), Int32T, 0, "integer out of range"}, {1e10, Int32T, 0, "integer out of range"},
		{40000, Int16T, 0, "smallint out of range"}, {9.3e18, Int64T, 0, "bigint out of range"},
		{-9.223372036854775808e18, Int64T, math.MinInt64, ""},
	} {
		got, err := FloatToInt(c.f, c.typ)
		if c.err != "" {
			if e := sqlerr.From(err); e == nil || e.Code != "22003" || e.Message != c.err {
				t.Errorf("%v::%s: got %d, %v; want %s", c.f, c.typ, got, err, c.err)
			}
		} else if err != nil || got != c.want {
			t.Errorf("%v::%s = %d, %v; want %d", c.f, c.typ, got, err, c.want)
		}
	}
	if v, err := NumericToInt(mustNumeric(t, "2.5"), Int32T); err != nil || v != 3 {
		t.Errorf("2.5::numeric::int4 = %d, %v", v, err)
	}
	if _, err := NumericToInt(mustNumeric(t, "1e19"), Int64T); err == nil || err.Error() != "bigint out of range" {
		t.Errorf("1e19::int8: %v", err)
	}
	if _, err := NumericToInt(mustNumeric(t, "1e10"), Int32T); err == nil || err.Error() != "integer out of range" {
		t.Errorf("1e10::int4: %v", err)
	}
	if TextCast(true, BoolT, nil) != "true" || TextCast(false, BoolT, nil) != "false" ||
		TextCast(NumericFromInt64(5), NumericT, nil) != "5" {
		t.Error("TextCast")
	}
	// Zone names match case-insensitively, as in PostgreSQL:
	// '2024-01-15 10:30:00 america/new_york'::timestamptz = 2024-01-15 15:30:00+00.
	ts, err := ParseTimestampTZ("2024-01-15 10:30:00 america/new_york", time.UTC)
	if err != nil || FormatDatum(ts, TimestampTZT, nil) != "2024-01-15 15:30:00+00" {
		t.Errorf("lower-case zone: %v, %v", ts, err)
	}
}
