package row

import (
	"fmt"
	"math/rand"
	"strings"
	"testing"
	"time"

	"github.com/apache/arrow-go/v18/arrow/memory"
	"github.com/runnel-db/runnel/exec/sqlerr"
	"github.com/runnel-db/runnel/exec/types"
)

// setTextDatum runs SetText on a one-column Builder and reads the committed value back.
func setTextDatum(t *testing.T, mem memory.Allocator, typ types.T, loc *time.Location, s string) (types.Datum, error) {
	t.Helper()
	b := NewBuilder(mem, []Column{{Name: "c", Type: typ}}, loc)
	defer b.Release()
	if err := b.SetText(0, []byte(s)); err != nil {
		if b.Len() != 0 {
			t.Fatalf("SetText failed but committed")
		}
		return nil, err
	}
	b.Commit()
	arrs := b.Finish()
	defer arrs[0].Release()
	return types.DatumAt(arrs[0], 0, typ), nil
}

// checkSame asserts SetText agrees with types.ParseText on s: same value, or same SQLSTATE and
// message.
func checkSame(t *testing.T, mem memory.Allocator, typ types.T, loc *time.Location, s string) {
	t.Helper()
	got, err := setTextDatum(t, mem, typ, loc, s)
	want, werr := types.ParseText(s, typ, loc)
	switch {
	case err != nil || werr != nil:
		if sqlerr.Code(err) != sqlerr.Code(werr) || fmt.Sprint(err) != fmt.Sprint(werr) {
			t.Errorf("%s %q: error %v, ParseText %v", typ, s, err, werr)
		}
	case types.CompareDatum(got, want, typ) != 0 || fmt.Sprint(got) != fmt.Sprint(want):
		t.Errorf("%s %q: %v, ParseText %v", typ, s, got, want)
	}
}

func TestSetTextMatchesParseText(t *testing.T) {
	mem := memory.NewCheckedAllocator(memory.NewGoAllocator())
	defer mem.AssertSize(t, 0)
	la, err := time.LoadLocation("America/Los_Angeles")
	if err != nil {
		t.Skip("no tzdata")
	}
	fixed := map[types.T][]string{
		types.Int16T:   {"0", "-0", "32767", "-32768", "32768", " 5", "+5", "5 ", "", "-", "1.0", "007", "99999999999999999999"},
		types.Int32T:   {"2147483647", "-2147483648", "2147483648", "123456789012345678", "-123456789012345678"},
		types.Int64T:   {"9223372036854775807", "-9223372036854775808", "9223372036854775808", "999999999999999999", "1e3"},
		types.Float32T: {"1.5", "3.4e38", "3.5e38", "1e-46", "1e-45", "0.0", "-0", "1e", "NaN", "-Infinity", "0x10", "1_0"},
		types.Float64T: {"0.1", "1e308", "1e309", "1e-400", "4.9e-324", "0e-400", "-0.0", ".5", "5.", "+1.5", " 2 ", "1..2"},
		types.NumericT: {"1.50", "-0.0", "0", ".5", "5.", "-.5", "123456789012345678", "1234567890123456789",
			"12345678901234567.8", "1e5", "abc", "", "-", "1.2.3", "000.000100"},
		{Kind: types.Numeric, Precision: 6, Scale: 2}: {"3.14159", "1234.567", "9999.995", "-0.005"},
		types.BoolT:                         {"true", "f", "YES", "on", "1", "2", ""},
		types.TextT:                         {"", "x", "é"},
		{Kind: types.Varchar, Precision: 3}: {"abc", "abcd", "ab  ", "日本語", "日本語x", "ab c "},
		types.DateT: {"2024-02-29", "2023-02-29", "2024-13-01", "0000-01-01", "0001-01-01", "9999-12-31",
			"2024-1-01", "2024/02/01", "May 1, 2024", "20240501", "2024-02-29 10:00", "infinity"},
		types.TimestampT: {"2024-05-01T10:00:00Z", "2024-05-01 10:00:00", "2024-05-01T10:00:00.5+02:00",
			"2024-05-01T10:00:00.1234567", "2024-05-01T24:00:00", "2024-05-01T23:59:60", "2024-05-01T10:00:00+0530",
			"2024-05-01T10:00:00+05:", "2024-05-01T10:00:00+5", "2024-05-01T10:00", "2024-05-01t10:00:00",
			"2024-05-01T10:00:00.", "2024-05-01T10:00:00z", "2024-05-01T10:00:00+15:00", "epoch"},
		types.TimestampTZT: {"2024-05-01T10:00:00Z", "2024-05-01 10:00:00", "2024-11-03 01:30:00",
			"2024-05-01T10:00:00-07:00", "2024-05-01T10:00:00+14", "2024-05-01T10:00:00 UTC", "2024-05-01T10:00:00+14:59"},
		types.IntervalT: {"1 day", "PT1H", "x"},
		types.JSONBT:    {`{"b": 1, "a": [1e2]}`, `[`},
	}
	for typ, ins := range fixed {
		for _, s := range ins {
			checkSame(t, mem, typ, nil, s)
			checkSame(t, mem, typ, la, s)
		}
	}
	// random ISO timestamps, dates and decimals around the fast paths' edges
	r := rand.New(rand.NewSource(1))
	for i := 0; i < 3000; i++ {
		y, mo, d := 1+r.Intn(9999), 1+r.Intn(13), 1+r.Intn(31)
		hh, mi, ss := r.Intn(25), r.Intn(61), r.Intn(61)
		s := fmt.Sprintf("%04d-%02d-%02d", y, mo, d)
		checkSame(t, mem, types.DateT, nil, s)
		s += []string{"T", " "}[r.Intn(2)] + fmt.Sprintf("%02d:%02d:%02d", hh, mi, ss)
		if r.Intn(2) == 0 {
			s += "." + fmt.Sprintf("%07d", r.Intn(10000000))[:1+r.Intn(7)]
		}
		switch r.Intn(4) {
		case 0:
			s += "Z"
		case 1:
			s += fmt.Sprintf("%+03d:%02d", r.Intn(29)-14, r.Intn(60))
		case 2:
			s += fmt.Sprintf("%+03d%02d", r.Intn(29)-14, 15*r.Intn(4))
		}
		checkSame(t, mem, types.TimestampT, nil, s)
		checkSame(t, mem, types.TimestampTZT, nil, s)
		n := fmt.Sprint(r.Int63n(1 << uint(1+r.Intn(62))))
		if p := r.Intn(len(n) + 1); p < len(n) {
			n = n[:p] + "." + n[p:]
		}
		if r.Intn(2) == 0 {
			n = "-" + n
		}
		checkSame(t, mem, types.NumericT, nil, n)
		checkSame(t, mem, types.Float64T, nil, n)
		checkSame(t, mem, types.Float32T, nil, n)
		checkSame(t, mem, types.Int32T, nil, strings.TrimSuffix(n, "."))
	}
}

func TestBuilderStagesWholeRows(t *testing.T) {
	mem := memory.NewCheckedAllocator(memory.NewGoAllocator())
	defer mem.AssertSize(t, 0)
	cols := []Column{{Name: "a", Type: types.Int64T}, {Name: "b", Type: types.TextT}}
	b := NewBuilder(mem, cols, nil)
	defer b.Release()
	b.PutInt(0, 1)
	b.PutBytes(1, []byte("x"))
	b.Commit()
	b.PutInt(0, 2) // staged, then abandoned
	b.Reset()
	b.PutBytes(1, []byte("y"))
	b.PutBytes(1, []byte("z")) // last value wins
	b.Commit()
	if b.Len() != 2 {
		t.Fatalf("Len %d", b.Len())
	}
	arrs := b.Finish()
	defer func() {
		for _, a := range arrs {
			a.Release()
		}
	}()
	got := fmt.Sprintf("%v %v %v %v", types.DatumAt(arrs[0], 0, cols[0].Type), types.DatumAt(arrs[1], 0, cols[1].Type),
		types.DatumAt(arrs[0], 1, cols[0].Type), types.DatumAt(arrs[1], 1, cols[1].Type))
	if got != "1 x <nil> z" {
		t.Errorf("got %s", got)
	}
	if b.Len() != 0 {
		t.Errorf("Len %d after Finish", b.Len())
	}
}
