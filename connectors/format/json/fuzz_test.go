package json

import (
	stdjson "encoding/json"
	"testing"

	"github.com/apache/arrow-go/v18/arrow/memory"
	"github.com/runnel-db/runnel/exec/types"
)

// FuzzDecode checks that Decode never panics, appends exactly one row or nothing, and accepts
// only valid JSON (encoding/json.Valid is the oracle for syntax).
func FuzzDecode(f *testing.F) {
	for _, s := range []string{
		`{"a": 1, "b": 2, "c": 3, "d": 1.5, "e": -2e3, "f": 1.50, "g": 3.14159}`,
		`{"h": "x\u00e9\ud83d\ude00", "i": "ab", "j": true, "k": "2024-02-29"}`,
		`{"l": "2024-05-01T10:00:00Z", "m": 1714557600000, "n": "1 day", "o": {"x": [1, null]}}`,
		`{"zz": [[[{}]]], "A": null, "B": "1"}`,
		`{"b": 1`, `[1]`, `{"h": "\ud800"}`, `{"o": 1e1000}`, `{"m": 1e30}`, `{"k": "May 1 2024"}`,
	} {
		f.Add([]byte(s))
	}
	f.Fuzz(func(t *testing.T, payload []byte) {
		mem := memory.NewCheckedAllocator(memory.NewGoAllocator())
		defer mem.AssertSize(t, 0)
		d := NewDecoder(mem, allTypes, nil)
		defer d.Release()
		if err := d.Decode([]byte(`{"b": 7}`)); err != nil {
			t.Fatal(err)
		}
		err := d.Decode(payload)
		want := 2
		if err != nil {
			want = 1
		} else if !stdjson.Valid(payload) {
			t.Fatalf("accepted invalid JSON %q", payload)
		}
		if d.Len() != want {
			t.Fatalf("%q: Len %d, want %d (err %v)", payload, d.Len(), want, err)
		}
		arrs := d.Finish()
		defer func() {
			for _, a := range arrs {
				a.Release()
			}
		}()
		for _, a := range arrs {
			if a.Len() != want {
				t.Fatalf("%q: array of %d rows, want %d", payload, a.Len(), want)
			}
		}
		if got := types.DatumAt(arrs[1], 0, allTypes[1].Type); got != int64(7) {
			t.Fatalf("%q: the earlier row changed: b = %v", payload, got)
		}
	})
}
