package csv

import (
	"strings"
	"testing"

	"github.com/apache/arrow-go/v18/arrow/memory"
	"github.com/runnel-db/runnel/exec/types"
)

// FuzzDecode checks that Decode never panics, appends one row or nothing, and that an accepted
// record re-encoded by the Encoder decodes to the same row.
func FuzzDecode(f *testing.F) {
	for _, s := range []string{"a,b,c", `"x,y",,""`, "\"multi\nline\",\"q\"\"\",z\r\n", `a"b,c"d,e`, `"open,b,c`, "a,b", "a\nb,c,d"} {
		f.Add([]byte(s), byte(','))
	}
	f.Add([]byte("a;b;c"), byte(';'))
	f.Fuzz(func(t *testing.T, line []byte, delim byte) {
		text := []Column{{Name: "a", Type: types.TextT}, {Name: "b", Type: types.TextT}, {Name: "c", Type: types.TextT}}
		opts := Options{Delimiter: delim, WithoutHeader: true}
		mem := memory.NewCheckedAllocator(memory.NewGoAllocator())
		defer mem.AssertSize(t, 0)
		d, err := NewDecoder(mem, text, opts)
		if err != nil {
			return // an invalid delimiter
		}
		defer d.Release()
		if err := d.Decode(line); err != nil {
			if d.Len() != 0 {
				t.Fatalf("%q rejected (%v) but appended", line, err)
			}
			return
		}
		if d.Len() != 1 {
			t.Fatalf("%q: Len %d", line, d.Len())
		}
		arrs := d.Finish()
		defer func() {
			for _, a := range arrs {
				a.Release()
			}
		}()
		enc, _ := NewEncoder(text, opts)
		out, err := enc.AppendRow(nil, arrs, 0)
		if err != nil {
			t.Fatal(err)
		}
		if err := d.Decode(out); err != nil {
			t.Fatalf("%q → %q does not decode: %v", line, out, err)
		}
		again := d.Finish()
		defer func() {
			for _, a := range again {
				a.Release()
			}
		}()
		if g, w := strings.Join(render(again, text), "\n"), strings.Join(render(arrs, text), "\n"); g != w {
			t.Fatalf("%q → %q → %q, want %q", line, out, g, w)
		}
	})
}
