package json

import (
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/apache/arrow-go/v18/arrow"
	"github.com/apache/arrow-go/v18/arrow/memory"
	"github.com/runnel-db/runnel/exec/sqlerr"
	"github.com/runnel-db/runnel/exec/types"
)

// allTypes has one column of every type; the expectations below come from PostgreSQL 15's
// jsonb_populate_record over a table of these columns.
var allTypes = []Column{
	{Name: "a", Type: types.Int16T}, {Name: "b", Type: types.Int32T}, {Name: "c", Type: types.Int64T}, {Name: "d", Type: types.Float32T},
	{Name: "e", Type: types.Float64T}, {Name: "f", Type: types.NumericT}, {Name: "g", Type: types.T{Kind: types.Numeric, Precision: 6, Scale: 2}},
	{Name: "h", Type: types.TextT}, {Name: "i", Type: types.T{Kind: types.Varchar, Precision: 3}}, {Name: "j", Type: types.BoolT},
	{Name: "k", Type: types.DateT}, {Name: "l", Type: types.TimestampT}, {Name: "m", Type: types.TimestampTZT}, {Name: "n", Type: types.IntervalT},
	{Name: "o", Type: types.JSONBT},
}

// render formats every row of arrs as "v1|v2|…" with PostgreSQL's text output ("" for NULL).
func render(arrs []arrow.Array, cols []Column) []string {
	if len(arrs) == 0 {
		return nil
	}
	var rows []string
	for r := 0; r < arrs[0].Len(); r++ {
		var sb strings.Builder
		for c, a := range arrs {
			if c > 0 {
				sb.WriteByte('|')
			}
			if a.IsValid(r) {
				sb.Write(types.AppendText(nil, a, r, cols[c].Type, time.UTC))
			}
		}
		rows = append(rows, sb.String())
	}
	return rows
}

// decodeAll decodes msgs and returns the rows and one error (or nil) per message.
func decodeAll(t *testing.T, cols []Column, msgs ...string) ([]string, []error) {
	t.Helper()
	mem := memory.NewCheckedAllocator(memory.NewGoAllocator())
	defer mem.AssertSize(t, 0)
	d := NewDecoder(mem, cols, nil)
	defer d.Release()
	var errs []error
	for _, m := range msgs {
		before := d.Len()
		err := d.Decode([]byte(m))
		want := before + 1
		if err != nil {
			want = before
			if sqlerr.From(err) == nil {
				t.Errorf("%q: error %v is not a *sqlerr.Error", m, err)
			}
		}
		if d.Len() != want {
			t.Fatalf("%q: Len %d after Decode, want %d (err %v)", m, d.Len(), want, err)
		}
		errs = append(errs, err)
	}
	arrs := d.Finish()
	defer func() {
		for _, a := range arrs {
			a.Release()
		}
	}()
	if d.Len() != 0 {
		t.Fatalf("Len %d after Finish", d.Len())
	}
	return render(arrs, cols), errs
}

func TestDecodeEveryType(t *testing.T) {
	msg := `{"a": 1e2, "c": -0, "d": 1.5e-3, "e": 0.1, "f": 1.50, "g": 3.14159, "h": 1e2, "i": "ab ",
		"j": 0, "k": "2024-02-29", "l": "2024-05-01T10:00:00+02:00", "m": "2024-05-01T10:00:00.123456+02:00",
		"n": "1 day 2 hours", "o": {"b": [1, 1.0, "x\u00e9"], "a": null, "b": 2e1}}`
	rows, errs := decodeAll(t, allTypes, msg,
		`{"h": -0.0, "o": "str", "j": true, "b": "42", "e": -1E+2}`,
		`{"h": 1E+2, "o": 1e2, "j": "yes", "c": 9223372036854775807, "f": -1.5e-3}`,
		`{"h": true, "i": "abc", "o": [true, false, null], "a": -32768, "b": 2147483647}`,
		`{"m": 1714557600000, "l": -1.5, "k": "May 1, 2024", "n": "PT1H30M", "d": 3.4e38}`,
		`{}`, `{"a": null, "o": null}`)
	want := []string{
		"100||0|0.0015|0.1|1.50|3.14|100|ab |f|2024-02-29|2024-05-01 10:00:00|2024-05-01 08:00:00.123456+00|1 day 02:00:00|{\"a\": null, \"b\": 20}",
		"|42|||-100|||0.0||t|||||\"str\"",
		"||9223372036854775807|||-0.0015||100||t|||||100",
		"-32768|2147483647||||||true|abc||||||[true, false, null]",
		"|||3.4e+38|||||||2024-05-01|1969-12-31 23:59:59.9985|2024-05-01 10:00:00+00|01:30:00|",
		"||||||||||||||",
		"||||||||||||||",
	}
	for i, err := range errs {
		if err != nil {
			t.Errorf("message %d: %v", i, err)
		}
	}
	if got, w := strings.Join(rows, "\n"), strings.Join(want, "\n"); got != w {
		t.Errorf("rows:\n%s\nwant:\n%s", got, w)
	}
}

func TestDecodeConversionErrors(t *testing.T) {
	cases := []struct{ msg, code, text string }{
		{`{"b": 1.5}`, "22P02", `field "b": invalid input syntax for type integer: "1.5"`},
		{`{"b": 1.0}`, "22P02", `field "b": invalid input syntax for type integer: "1.0"`},
		{`{"b": true}`, "22P02", `field "b": invalid input syntax for type integer: "true"`},
		{`{"b": "x"}`, "22P02", `field "b": invalid input syntax for type integer: "x"`},
		{`{"a": 40000}`, "22003", `field "a": value "40000" is out of range for type smallint`},
		{`{"b": 99999999999}`, "22003", `field "b": value "99999999999" is out of range for type integer`},
		{`{"c": 9223372036854775808}`, "22003", `field "c": value "9223372036854775808" is out of range for type bigint`},
		{`{"e": 1e400}`, "22003", `field "e": "1e400" is out of range for type double precision`},
		{`{"d": 1e39}`, "22003", `field "d": "1e39" is out of range for type real`},
		{`{"i": false}`, "22001", `field "i": value too long for type character varying(3)`},
		{`{"g": 12345.678}`, "22003", `field "g": numeric field overflow`},
		{`{"i": "abcd"}`, "22001", `field "i": value too long for type character varying(3)`},
		{`{"j": 2}`, "22P02", `field "j": invalid input syntax for type boolean: "2"`},
		{`{"k": "2024-02-30"}`, "22008", `field "k": date/time field value out of range: "2024-02-30"`},
		{`{"l": "yesterday-ish"}`, "22007", `field "l": invalid input syntax for type timestamp: "yesterday-ish"`},
		{`{"m": 1e30}`, "22008", `field "m": timestamp out of range: "1e30" (epoch milliseconds)`},
		{`{"h": {"x": 1}}`, "22P02", `field "h": cannot convert a JSON object to type text`},
		{`{"b": [1]}`, "22P02", `field "b": cannot convert a JSON array to type integer`},
		{`{"B": "x"}`, "22P02", `field "B": invalid input syntax for type integer: "x"`},
		// last wins: a bad value replaced by a good one is fine, the reverse is not
		{`{"b": 5, "b": "bad"}`, "22P02", `field "b": invalid input syntax for type integer: "bad"`},
	}
	for _, c := range cases {
		// a good message before and after: neither is affected by the rejected one
		rows, errs := decodeAll(t, allTypes, `{"b": 1}`, c.msg, `{"b": 2}`)
		if errs[0] != nil || errs[2] != nil || len(rows) != 2 || rows[0] != "|1|||||||||||||" || rows[1] != "|2|||||||||||||" {
			t.Errorf("%s: neighbours disturbed: %q %v", c.msg, rows, errs)
		}
		e := sqlerr.From(errs[1])
		if e == nil {
			t.Errorf("%s: accepted", c.msg)
			continue
		}
		if e.Code != c.code || e.Message != c.text {
			t.Errorf("%s: got %s %q, want %s %q", c.msg, e.Code, e.Message, c.code, c.text)
		}
	}
	rows, errs := decodeAll(t, allTypes, `{"b": "bad", "b": 7, "a": [1, {"x": 2}], "a": 3}`)
	if errs[0] != nil || rows[0] != "3|7|||||||||||||" {
		t.Errorf("duplicate replacing a bad value: %q %v", rows, errs[0])
	}
}

func TestDecodeFieldNames(t *testing.T) {
	cols := []Column{{Name: "user_id", Type: types.Int64T}, {Name: "URL", Type: types.TextT}, {Name: "x", Type: types.Int32T}, {Name: "X", Type: types.Int32T}, {Name: "é", Type: types.TextT}}
	rows, errs := decodeAll(t, cols,
		`{"USER_ID": 1, "url": "/a", "x": 1, "X": 2, "É": "e"}`,
		`{"User_Id": 2, "Url": "/b", "extra": {"deep": [1, 2, {"z": null}]}, "more": "\u00e9"}`,
		`{"url": "/c"}`,
		`{"user_\u0069d": 4, "url": "/d", "url": "/e"}`)
	want := "1|/a|1|2|e\n2|/b|||\n|/c|||\n4|/e|||"
	for _, err := range errs {
		if err != nil {
			t.Fatal(err)
		}
	}
	if got := strings.Join(rows, "\n"); got != want {
		t.Errorf("got\n%s\nwant\n%s", got, want)
	}
}

func TestDecodeStrings(t *testing.T) {
	cols := []Column{{Name: "s", Type: types.TextT}}
	msgs := []string{
		`{"s": "plain"}`,
		`{"s": "caf\u00e9 \"q\" \\ \/ \b\f\n\r\t"}`,
		`{"s": "\ud83d\ude00 and é and 日本"}`,
		`{"s": ""}`,
		`{"s": "\u00E9\u00e9"}`,
	}
	rows, errs := decodeAll(t, cols, msgs...)
	want := []string{"plain", "café \"q\" \\ / \b\f\n\r\t", "😀 and é and 日本", "", "éé"}
	for i := range msgs {
		if errs[i] != nil {
			t.Errorf("%s: %v", msgs[i], errs[i])
		}
	}
	if fmt.Sprint(rows) != fmt.Sprint(want) {
		t.Errorf("got %q, want %q", rows, want)
	}
}

func TestDecodeMalformed(t *testing.T) {
	deep := strings.Repeat("[", maxDepth+1) + strings.Repeat("]", maxDepth+1)
	okDeep := strings.Repeat("[", 100) + strings.Repeat("]", 100)
	bad := []string{
		``, ` `, `{`, `{"b"`, `{"b":`, `{"b": 1`, `{"b": 1,`, `{"b": 1,}`, `{"b" 1}`, `{b: 1}`,
		`{"b": 1} x`, `{"b": 1}}`, `{"b": 1}{}`, `[1]`, `"s"`, `42`, `null`,
		`{"b": 01}`, `{"b": 1.}`, `{"b": .5}`, `{"b": -}`, `{"b": 1e}`, `{"b": +1}`, `{"b": 0x10}`,
		`{"b": tru}`, `{"b": nul}`, `{"b": True}`, `{"b": NaN}`, `{"b": Infinity}`,
		`{"h": "abc}`, `{"h": "a` + "\n" + `b"}`, `{"h": "\x"}`, `{"h": "\u12"}`, `{"h": "\u12G4"}`,
		`{"h": "\ud800"}`, `{"h": "\udc00"}`, `{"h": "\ud800\u0041"}`, `{"h": "\u0000"}`, "{\"h\": \"\xff\"}",
		"{\"h\": \"\xc3\"}", `{"h": "\`, `{"zz": [1, 2}`, `{"zz": {"a" 1}}`, `{"zz": {"a": 1,}}`, `{"zz": [1,]}`,
		`{"zz": [` + deep + `]}`, `{"o": ` + deep + `}`, `{"zz": "\q"}`, `{"zz": [1 2]}`, `{"zz": {1: 2}}`,
		`{"b": 1 "h": "x"}`, "{\"b\": 1}\x00",
	}
	for _, m := range bad {
		rows, errs := decodeAll(t, allTypes, `{"b": 1}`, m, `{"b": 2}`)
		if errs[1] == nil {
			t.Errorf("%.60q accepted", m)
		}
		if len(rows) != 2 {
			t.Errorf("%.60q: %d rows", m, len(rows))
		}
	}
	if _, errs := decodeAll(t, allTypes, `{"zz": `+okDeep+`, "o": `+okDeep+`}`); errs[0] != nil {
		t.Errorf("nesting 100 deep: %v", errs[0])
	}
	_, errs := decodeAll(t, allTypes, `{"b": 1`, `{"o": `+deep+`}`)
	if e := sqlerr.From(errs[0]); e == nil || e.Code != "22P02" || !strings.Contains(e.Message, "ended unexpectedly") {
		t.Errorf("truncated: %v", errs[0])
	}
	if e := sqlerr.From(errs[1]); e == nil || e.Code != "54001" {
		t.Errorf("too deep: %v", errs[1])
	}
}

func TestDecodeTimestamps(t *testing.T) {
	la, err := time.LoadLocation("America/Los_Angeles")
	if err != nil {
		t.Skip("no tzdata")
	}
	cols := []Column{{Name: "ts", Type: types.TimestampTZT}, {Name: "t", Type: types.TimestampT}}
	mem := memory.NewCheckedAllocator(memory.NewGoAllocator())
	defer mem.AssertSize(t, 0)
	d := NewDecoder(mem, cols, la)
	defer d.Release()
	msgs := []string{
		`{"ts": "2024-05-01T10:00:00Z", "t": "2024-05-01T10:00:00Z"}`,
		`{"ts": "2024-05-01 10:00:00", "t": "2024-05-01 10:00:00.5"}`, // zone-less: loc (PDT)
		`{"ts": "2024-05-01T10:00:00-0130", "t": 1714557600123}`,
		`{"ts": "2024-05-01T10:00:00 Europe/Paris", "t": 1714557600123.4567}`,
		`{"ts": -1, "t": "1999-12-31T23:59:59.999999+14:00"}`,
	}
	for _, m := range msgs {
		if err := d.Decode([]byte(m)); err != nil {
			t.Fatalf("%s: %v", m, err)
		}
	}
	arrs := d.Finish()
	defer func() {
		for _, a := range arrs {
			a.Release()
		}
	}()
	got := strings.Join(render(arrs, cols), "\n")
	want := strings.Join([]string{
		"2024-05-01 10:00:00+00|2024-05-01 10:00:00",
		"2024-05-01 17:00:00+00|2024-05-01 10:00:00.5",
		"2024-05-01 11:30:00+00|2024-05-01 10:00:00.123",
		"2024-05-01 08:00:00+00|2024-05-01 10:00:00.123457",
		"1969-12-31 23:59:59.999+00|1999-12-31 23:59:59.999999",
	}, "\n")
	if got != want {
		t.Errorf("got\n%s\nwant\n%s", got, want)
	}
}

func TestDecodeJSONColumn(t *testing.T) {
	// A json column keeps the field's text exactly; jsonb normalizes it.
	cols := []Column{{Name: "j", Type: types.JSONT}, {Name: "b", Type: types.JSONBT}}
	rows, errs := decodeAll(t, cols, `{"j": {"z": 1,  "a": [1.50]}, "b": {"z": 1,  "a": [1.50]}}`, `{"j": "x", "b": null}`)
	for i, err := range errs {
		if err != nil {
			t.Errorf("message %d: %v", i, err)
		}
	}
	want := "{\"z\": 1,  \"a\": [1.50]}|{\"a\": [1.50], \"z\": 1}\n\"x\"|"
	if got := strings.Join(rows, "\n"); got != want {
		t.Errorf("rows:\n%s\nwant:\n%s", got, want)
	}
}
