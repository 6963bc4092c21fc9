package types

import (
	"testing"
	"time"

	"github.com/apache/arrow-go/v18/arrow/memory"
	"github.com/runnel-db/runnel/exec/sqlerr"
)

// pgTextCase is one input/output expectation taken from PostgreSQL 15: ParseText(in) then the
// type's output function gives want, or fails with code and msg.
type pgTextCase struct {
	typ       T
	tz        string
	in, want  string
	code, msg string
}

// runnelLimits are inputs PostgreSQL accepts that lie beyond Runnel's documented representation
// limits (38 numeric digits, timestamps up to 294247 AD, interval time parts up to ~292 years):
// Runnel must reject them with this SQLSTATE rather than answer differently.
var runnelLimits = map[string]string{
	"1E38": "22003",
	"9.99999999999999999999999999999999999999e37": "22003",
	"294276-12-31 23:59:59":                       "22008",
	"9999999 hours":                               "22015",
}

func TestTextRoundTripMatchesPostgres(t *testing.T) {
	mem := memory.NewCheckedAllocator(memory.NewGoAllocator())
	defer mem.AssertSize(t, 0)
	for _, c := range pgTextCases {
		loc, err := time.LoadLocation(c.tz)
		if err != nil {
			t.Fatalf("zone %s: %v", c.tz, err)
		}
		d, err := ParseText(c.in, c.typ, loc)
		if code, ok := runnelLimits[c.in]; ok {
			c.code, c.msg = code, ""
			if e := sqlerr.From(err); e != nil {
				c.msg = e.Message
			}
		}
		if c.code != "" {
			e := sqlerr.From(err)
			if e == nil {
				t.Errorf("%s %q (tz %s): got %v (%v), want error %s %q", c.typ, c.in, c.tz, d, err, c.code, c.msg)
				continue
			}
			if e.Code != c.code || e.Message != c.msg {
				t.Errorf("%s %q: got error %s %q, want %s %q", c.typ, c.in, e.Code, e.Message, c.code, c.msg)
			}
			continue
		}
		if err != nil {
			t.Errorf("%s %q (tz %s): unexpected error %v", c.typ, c.in, c.tz, err)
			continue
		}
		if got := FormatDatum(d, c.typ, loc); got != c.want {
			t.Errorf("%s %q (tz %s): got %q, want %q", c.typ, c.in, c.tz, got, c.want)
			continue
		}
		// The same value through an Arrow column.
		arr := MakeArray(mem, c.typ, []Datum{nil, d})
		if got := string(AppendText(nil, arr, 1, c.typ, loc)); got != c.want {
			t.Errorf("%s %q: AppendText got %q, want %q", c.typ, c.in, got, c.want)
		}
		if back := DatumAt(arr, 1, c.typ); CompareDatum(back, d, c.typ) != 0 || DatumAt(arr, 0, c.typ) != nil {
			t.Errorf("%s %q: DatumAt round trip got %v, want %v", c.typ, c.in, back, d)
		}
		arr.Release()
		// Output is valid input for the same value.
		d2, err := ParseText(c.want, c.typ, loc)
		if err != nil || CompareDatum(d, d2, c.typ) != 0 {
			t.Errorf("%s: re-reading output %q gave %v, %v", c.typ, c.want, d2, err)
		}
	}
}
