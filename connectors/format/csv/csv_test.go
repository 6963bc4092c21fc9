package csv

import (
	"strings"
	"testing"
	"time"

	"github.com/apache/arrow-go/v18/arrow"
	"github.com/apache/arrow-go/v18/arrow/memory"
	"github.com/runnel-db/runnel/exec/sqlerr"
	"github.com/runnel-db/runnel/exec/types"
)

var cols = []Column{
	{Name: "id", Type: types.Int64T},
	{Name: "name", Type: types.TextT},
	{Name: "price", Type: types.T{Kind: types.Numeric, Precision: 8, Scale: 2}},
	{Name: "ts", Type: types.TimestampTZT},
	{Name: "ok", Type: types.BoolT},
}

func render(arrs []arrow.Array, cols []Column) []string {
	var rows []string
	for r := 0; len(arrs) > 0 && r < arrs[0].Len(); r++ {
		var sb strings.Builder
		for c, a := range arrs {
			if c > 0 {
				sb.WriteByte('|')
			}
			if a.IsNull(r) {
				sb.WriteString("NULL")
			} else {
				sb.Write(types.AppendText(nil, a, r, cols[c].Type, time.UTC))
			}
		}
		rows = append(rows, sb.String())
	}
	return rows
}

// decodeAll decodes lines, checking that each rejected line leaves Len unchanged, and returns
// the rows and one error (or nil) per line.
func decodeAll(t *testing.T, opts Options, lines ...string) ([]string, []error) {
	t.Helper()
	mem := memory.NewCheckedAllocator(memory.NewGoAllocator())
	defer mem.AssertSize(t, 0)
	d, err := NewDecoder(mem, cols, opts)
	if err != nil {
		t.Fatal(err)
	}
	defer d.Release()
	var errs []error
	for _, l := range lines {
		before := d.Len()
		err := d.Decode([]byte(l))
		if err != nil && d.Len() != before {
			t.Fatalf("%q rejected (%v) but Len changed", l, err)
		}
		if err != nil && sqlerr.From(err) == nil {
			t.Errorf("%q: %v is not a *sqlerr.Error", l, err)
		}
		errs = append(errs, err)
	}
	arrs := d.Finish()
	defer func() {
		for _, a := range arrs {
			a.Release()
		}
	}()
	return render(arrs, cols), errs
}

func TestDecodeWithoutHeader(t *testing.T) {
	rows, errs := decodeAll(t, Options{WithoutHeader: true},
		"1,plain,1.5,2024-05-01T10:00:00Z,t\n",
		`2,"with, comma",2,2024-05-01 10:00:00+02,false`+"\r\n",
		"3,\"multi\nline \"\"quoted\"\"\",,,",
		`4,"",0.005,,"y"`,
		`5,a"b,c"d,1,,1`,
		`6, spaced ,  7.25 ,,`,
		`,,,,`)
	want := []string{
		"1|plain|1.50|2024-05-01 10:00:00+00|t",
		"2|with, comma|2.00|2024-05-01 08:00:00+00|f",
		"3|multi\nline \"quoted\"|NULL|NULL|NULL",
		"4||0.01|NULL|t",
		"5|ab,cd|1.00|NULL|t",
		"6| spaced |7.25|NULL|NULL",
		"NULL|NULL|NULL|NULL|NULL",
	}
	for i, err := range errs {
		if err != nil {
			t.Errorf("line %d: %v", i, err)
		}
	}
	if got, w := strings.Join(rows, "\n"), strings.Join(want, "\n"); got != w {
		t.Errorf("got\n%s\nwant\n%s", got, w)
	}
}

func TestDecodeRejects(t *testing.T) {
	cases := []struct{ line, code, msg string }{
		{`1,a,1,,t,extra`, "22P04", "extra data after last expected column"},
		{`1,a,1`, "22P04", `missing data for column "ts"`},
		{`1,"unterminated,1,,t`, "22P04", "unterminated CSV quoted field"},
		{"1,a\nb,1,,t", "22P04", "unquoted newline found in CSV data"},
		{"1,a\rb,1,,t", "22P04", "unquoted newline found in CSV data"},
		{`x,a,1,,t`, "22P02", `field "id": invalid input syntax for type bigint: "x"`},
		{`1,a,1234567.891,,t`, "22003", `field "price": numeric field overflow`},
		{`1,a,1,2024-13-01,t`, "22008", `field "ts": date/time field value out of range: "2024-13-01"`},
		{`1,a,1,,maybe`, "22P02", `field "ok": invalid input syntax for type boolean: "maybe"`},
		{`1,a,1,,""`, "22P02", `field "ok": invalid input syntax for type boolean: ""`},
	}
	for _, c := range cases {
		rows, errs := decodeAll(t, Options{WithoutHeader: true}, `1,x,1,,t`, c.line, `2,y,2,,f`)
		if errs[0] != nil || errs[2] != nil || len(rows) != 2 || rows[0] != "1|x|1.00|NULL|t" || rows[1] != "2|y|2.00|NULL|f" {
			t.Errorf("%q: neighbours disturbed: %q %v", c.line, rows, errs)
		}
		e := sqlerr.From(errs[1])
		if e == nil || e.Code != c.code || e.Message != c.msg {
			t.Errorf("%q: got %v, want %s %s", c.line, errs[1], c.code, c.msg)
		}
	}
}

func TestDecodeHeader(t *testing.T) {
	rows, errs := decodeAll(t, Options{Delimiter: ';'},
		"OK;extra;Id;\"ts\"\n",
		"t;ignored;1;2024-05-01T10:00:00Z",
		"f;;2;",
		"f;x;3",
		"f;x;3;;4")
	if errs[0] != nil || errs[1] != nil || errs[2] != nil {
		t.Fatal(errs)
	}
	if sqlerr.Code(errs[3]) != "22P04" || sqlerr.Code(errs[4]) != "22P04" {
		t.Errorf("wrong field counts accepted: %v", errs[3:])
	}
	want := "1|NULL|NULL|2024-05-01 10:00:00+00|t\n2|NULL|NULL|NULL|f"
	if got := strings.Join(rows, "\n"); got != want {
		t.Errorf("got\n%s\nwant\n%s", got, want)
	}
	_, errs = decodeAll(t, Options{}, "id,ID,name", "nothing,here", "a,b")
	if sqlerr.Code(errs[0]) != "22P04" {
		t.Errorf("duplicate header column: %v", errs[0])
	}
	if _, errs = decodeAll(t, Options{}, "nothing,here"); sqlerr.Code(errs[0]) != "22P04" {
		t.Errorf("header naming no column: %v", errs[0])
	}
	if _, err := NewDecoder(memory.NewGoAllocator(), cols, Options{Delimiter: '"'}); sqlerr.Code(err) != sqlerr.InvalidParameterValue {
		t.Errorf("quote as delimiter: %v", err)
	}
}

// TestEncodeRoundTrip encodes rows with awkward values and decodes them back.
func TestEncodeRoundTrip(t *testing.T) {
	mem := memory.NewCheckedAllocator(memory.NewGoAllocator())
	defer mem.AssertSize(t, 0)
	all := []Column{
		{Name: "i", Type: types.Int32T}, {Name: "s", Type: types.TextT}, {Name: "n", Type: types.NumericT},
		{Name: "b", Type: types.BoolT}, {Name: "ts", Type: types.TimestampTZT}, {Name: "j", Type: types.JSONBT},
		{Name: "f", Type: types.Float64T}, {Name: "iv", Type: types.IntervalT}, {Name: "d", Type: types.DateT},
	}
	must := func(s string, typ types.T) types.Datum {
		v, err := types.ParseText(s, typ, nil)
		if err != nil {
			t.Fatal(err)
		}
		return v
	}
	data := [][]types.Datum{
		{int64(1), "a;b", must("1.50", types.NumericT), true, must("2024-05-01 10:00:00.5+00", types.TimestampTZT),
			must(`{"a": "x\"y", "b": [1, 2]}`, types.JSONBT), 0.1, must("1 day 02:00:00", types.IntervalT), must("2024-02-29", types.DateT)},
		{nil, "", nil, false, nil, nil, nil, nil, nil},
		{int64(-3), "line\nbreak \"q\"", must("-0.001", types.NumericT), nil, nil, must(`"s"`, types.JSONBT), 1e300, nil, nil},
		{int64(4), `\.`, nil, nil, nil, nil, nil, nil, nil},
	}
	var arrs []arrow.Array
	for c, col := range all {
		ds := make([]types.Datum, len(data))
		for r := range data {
			ds[r] = data[r][c]
		}
		arrs = append(arrs, types.MakeArray(mem, col.Type, ds))
	}
	defer func() {
		for _, a := range arrs {
			a.Release()
		}
	}()
	opts := Options{Delimiter: ';'}
	enc, err := NewEncoder(all, opts)
	if err != nil {
		t.Fatal(err)
	}
	out := enc.AppendHeader(nil)
	var lines [][]byte
	for r := range data {
		start := len(out)
		if out, err = enc.AppendRow(out, arrs, r); err != nil {
			t.Fatal(err)
		}
		lines = append(lines, out[start:])
	}
	wantText := "i;s;n;b;ts;j;f;iv;d\n" +
		"1;\"a;b\";1.50;t;2024-05-01 10:00:00.5+00;\"{\"\"a\"\": \"\"x\\\"\"y\"\", \"\"b\"\": [1, 2]}\";0.1;1 day 02:00:00;2024-02-29\n" +
		";\"\";;f;;;;;\n" +
		"-3;\"line\nbreak \"\"q\"\"\";-0.001;;;\"\"\"s\"\"\";1e+300;;\n" +
		"4;\"\\.\";;;;;;;\n"
	if string(out) != wantText {
		t.Errorf("encoded:\n%s\nwant:\n%s", out, wantText)
	}
	dec, err := NewDecoder(mem, all, opts)
	if err != nil {
		t.Fatal(err)
	}
	defer dec.Release()
	if err := dec.Decode(enc.AppendHeader(nil)); err != nil {
		t.Fatal(err)
	}
	for _, l := range lines {
		if err := dec.Decode(l); err != nil {
			t.Fatalf("%q: %v", l, err)
		}
	}
	back := dec.Finish()
	defer func() {
		for _, a := range back {
			a.Release()
		}
	}()
	if got, want := strings.Join(render(back, all), "\n"), strings.Join(render(arrs, all), "\n"); got != want {
		t.Errorf("round trip:\n%s\nwant\n%s", got, want)
	}
	noHeader, _ := NewEncoder(all, Options{WithoutHeader: true})
	if h := noHeader.AppendHeader(nil); len(h) != 0 {
		t.Errorf("WithoutHeader wrote a header %q", h)
	}
}
