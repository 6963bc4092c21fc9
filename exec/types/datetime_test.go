package types

import (
	"strconv"
	"testing"
	"time"

	"github.com/runnel-db/runnel/exec/sqlerr"
)

func kindT(kind string) T {
	switch kind {
	case "date":
		return DateT
	case "timestamp":
		return TimestampT
	case "timestamptz":
		return TimestampTZT
	case "interval":
		return IntervalT
	}
	panic(kind)
}

func mustLoc(t testing.TB, tz string) *time.Location {
	t.Helper()
	loc, err := time.LoadLocation(tz)
	if err != nil {
		t.Fatal(err)
	}
	return loc
}

func mustParse(t testing.TB, s string, typ T, loc *time.Location) Datum {
	t.Helper()
	d, err := ParseText(s, typ, loc)
	if err != nil {
		t.Fatalf("ParseText(%q, %s): %v", s, typ, err)
	}
	return d
}

func TestAddIntervalMatchesPostgres(t *testing.T) {
	for _, c := range pgAddIntervalCases {
		loc := mustLoc(t, c.tz)
		typ := kindT(c.kind)
		ts := mustParse(t, c.ts, typ, loc).(TimestampValue)
		iv := mustParse(t, c.iv, IntervalT, nil).(IntervalValue)
		var argLoc *time.Location
		if typ.Kind == TimestampTZ {
			argLoc = loc
		}
		got, err := AddInterval(ts, iv, argLoc)
		if err != nil {
			t.Errorf("%s + %s: %v", c.ts, c.iv, err)
			continue
		}
		if s := FormatDatum(got, typ, loc); s != c.want {
			t.Errorf("%s %s + %s (%s) = %s, want %s", c.kind, c.ts, c.iv, c.tz, s, c.want)
		}
	}
}

func TestTimestampDiffMatchesPostgres(t *testing.T) {
	for _, c := range pgTimestampDiffCases {
		a := mustParse(t, c.a, TimestampT, nil).(TimestampValue)
		b := mustParse(t, c.b, TimestampT, nil).(TimestampValue)
		if got := FormatDatum(TimestampDiff(a, b), IntervalT, nil); got != c.want {
			t.Errorf("%s - %s = %s, want %s", c.a, c.b, got, c.want)
		}
	}
}

func TestIntervalCmpMatchesPostgres(t *testing.T) {
	for _, c := range pgIntervalCmpCases {
		a := mustParse(t, c.a, IntervalT, nil).(IntervalValue)
		b := mustParse(t, c.b, IntervalT, nil).(IntervalValue)
		if got := IntervalCmp(a, b); got != c.want {
			t.Errorf("cmp(%s, %s) = %d, want %d", c.a, c.b, got, c.want)
		}
	}
}

func TestIntervalArithmeticMatchesPostgres(t *testing.T) {
	for _, c := range pgIntervalArithCases {
		a := mustParse(t, c.a, IntervalT, nil).(IntervalValue)
		var got IntervalValue
		var err error
		switch c.op {
		case "+", "-":
			b := mustParse(t, c.b, IntervalT, nil).(IntervalValue)
			if c.op == "+" {
				got, err = IntervalAdd(a, b)
			} else {
				got, err = IntervalSub(a, b)
			}
		default:
			f, _ := strconv.ParseFloat(c.b, 64)
			if c.op == "*" {
				got, err = IntervalMul(a, f)
			} else {
				got, err = IntervalDiv(a, f)
			}
		}
		if c.code != "" {
			if sqlerr.Code(err) != c.code {
				t.Errorf("%s %s %s: got %v, %v; want %s", c.a, c.op, c.b, got, err, c.code)
			}
			continue
		}
		if err != nil {
			t.Errorf("%s %s %s: %v", c.a, c.op, c.b, err)
			continue
		}
		if s := FormatDatum(got, IntervalT, nil); s != c.want {
			t.Errorf("%s %s %s = %s, want %s", c.a, c.op, c.b, s, c.want)
		}
	}
}

func TestExtractMatchesPostgres(t *testing.T) {
	for _, c := range pgExtractCases {
		loc := mustLoc(t, c.tz)
		typ := kindT(c.kind)
		v := mustParse(t, c.in, typ, loc)
		got, err := Extract(c.field, v, typ, loc)
		if c.code != "" {
			if sqlerr.Code(err) != c.code {
				t.Errorf("extract(%s from %s '%s'): got %v, %v; want %s", c.field, c.kind, c.in, got, err, c.code)
			}
			continue
		}
		if err != nil || got.String() != c.want {
			t.Errorf("extract(%s from %s '%s') [%s] = %v, %v; want %s", c.field, c.kind, c.in, c.tz, got, err, c.want)
		}
	}
}

func TestDateTruncMatchesPostgres(t *testing.T) {
	for _, c := range pgDateTruncCases {
		loc := mustLoc(t, c.tz)
		typ := kindT(c.kind)
		v := mustParse(t, c.in, typ, loc)
		got, err := DateTrunc(c.field, v, typ, loc)
		if c.code != "" {
			if sqlerr.Code(err) != c.code {
				t.Errorf("date_trunc(%s, %s '%s'): got %v, %v; want %s", c.field, c.kind, c.in, got, err, c.code)
			}
			continue
		}
		if err != nil {
			t.Errorf("date_trunc(%s, %s '%s'): %v", c.field, c.kind, c.in, err)
			continue
		}
		if s := FormatDatum(got, typ, loc); s != c.want {
			t.Errorf("date_trunc(%s, %s '%s') [%s] = %s, want %s", c.field, c.kind, c.in, c.tz, s, c.want)
		}
	}
}

func TestDatetimeRandomMatchesPostgres(t *testing.T) {
	for _, c := range pgDatetimeRandomCases {
		loc := mustLoc(t, c[0])
		a := mustParse(t, c[1], TimestampTZT, loc).(TimestampValue)
		b := mustParse(t, c[1], TimestampT, loc).(TimestampValue)
		iv := mustParse(t, c[2], IntervalT, nil).(IntervalValue)
		f, _ := strconv.ParseFloat(c[3], 64)
		got := []string{FormatDatum(a, TimestampTZT, loc)}
		add := func(ts TimestampValue, iv IntervalValue, l *time.Location, typ T) string {
			r, err := AddInterval(ts, iv, l)
			if err != nil {
				return err.Error()
			}
			return FormatDatum(r, typ, loc)
		}
		got = append(got, add(a, iv, loc, TimestampTZT), add(a, IntervalNeg(iv), loc, TimestampTZT), add(b, iv, nil, TimestampT))
		m, err1 := IntervalMul(iv, f)
		d, err2 := IntervalDiv(iv, f)
		if err1 != nil || err2 != nil {
			t.Fatalf("%v %v", err1, err2)
		}
		got = append(got, FormatDatum(m, IntervalT, nil), FormatDatum(d, IntervalT, nil))
		tr, err := DateTrunc("day", a, TimestampTZT, loc)
		if err != nil {
			t.Fatal(err)
		}
		got = append(got, FormatDatum(tr, TimestampTZT, loc))
		sum, _ := AddInterval(a, iv, loc)
		ep, err := Extract("epoch", sum, TimestampTZT, loc)
		if err != nil {
			t.Fatal(err)
		}
		got = append(got, ep.String())
		got = append(got, FormatDatum(TimestampDiff(a, TimestampLocalToTZ(b, loc)), IntervalT, nil))
		for k, g := range got {
			if g != c[4+k] {
				t.Errorf("%s a=%s i=%s f=%s column %d: got %s, want %s", c[0], c[1], c[2], c[3], k, g, c[4+k])
			}
		}
	}
}
