package types

import (
	"testing"
	"time"
)

// FuzzParseText checks that every input function either fails with an error or returns a value
// whose text output reads back as the same value; none may panic.
func FuzzParseText(f *testing.F) {
	for _, c := range pgTextCases {
		f.Add(c.in, uint8(c.typ.Kind))
	}
	kinds := []T{BoolT, Int16T, Int32T, Int64T, Float32T, Float64T, NumericT, DateT, TimestampT,
		TimestampTZT, IntervalT, JSONBT, {Kind: Numeric, Precision: 5, Scale: 2}}
	loc, _ := time.LoadLocation("America/Los_Angeles")
	f.Fuzz(func(t *testing.T, s string, k uint8) {
		typ := kinds[int(k)%len(kinds)]
		d, err := ParseText(s, typ, loc)
		if err != nil {
			return
		}
		out := FormatDatum(d, typ, loc)
		d2, err := ParseText(out, typ, loc)
		if err != nil {
			t.Fatalf("%s %q → %q does not read back: %v", typ, s, out, err)
		}
		if CompareDatum(d, d2, typ) != 0 {
			t.Fatalf("%s %q → %q → %v, want %v", typ, s, out, d2, d)
		}
	})
}
