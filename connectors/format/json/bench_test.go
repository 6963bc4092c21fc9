package json

import (
	"testing"

	"github.com/apache/arrow-go/v18/arrow/memory"
	"github.com/runnel-db/runnel/exec/types"
)

func benchDecode(b *testing.B, cols []Column, msg string) {
	mem := memory.NewGoAllocator()
	d := NewDecoder(mem, cols, nil)
	defer d.Release()
	payload := []byte(msg)
	const batch = 1024
	b.ReportAllocs()
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		if err := d.Decode(payload); err != nil {
			b.Fatal(err)
		}
		if d.Len() == batch {
			for _, a := range d.Finish() {
				a.Release()
			}
		}
	}
	b.ReportMetric(float64(b.N)/b.Elapsed().Seconds(), "rows/s")
}

func BenchmarkDecode(b *testing.B) {
	b.Run("click", func(b *testing.B) {
		benchDecode(b, []Column{{Name: "user_id", Type: types.Int64T}, {Name: "url", Type: types.TextT}, {Name: "ts", Type: types.TimestampTZT}},
			`{"user_id": 42, "url": "/a/b", "ts": "2024-05-01T10:00:00Z"}`)
	})
	b.Run("numeric-fields", func(b *testing.B) {
		benchDecode(b, []Column{{Name: "auction", Type: types.Int64T}, {Name: "bidder", Type: types.Int64T}, {Name: "price", Type: types.Int64T},
			{Name: "rate", Type: types.Float64T}, {Name: "date_time", Type: types.TimestampT}},
			`{"auction": 1001, "bidder": 2002, "price": 4500, "rate": 0.25, "date_time": 1714557600000}`)
	})
	b.Run("bid-strings", func(b *testing.B) {
		benchDecode(b, []Column{{Name: "auction", Type: types.Int64T}, {Name: "bidder", Type: types.Int64T}, {Name: "price", Type: types.NumericT},
			{Name: "channel", Type: types.VarcharT}, {Name: "url", Type: types.TextT}, {Name: "date_time", Type: types.TimestampT}},
			`{"auction": 1001, "bidder": 2002, "price": 45.50, "channel": "Google", "url": "https://www.nexmark.com/abc/item.htm?query=1", "date_time": "2024-05-01 10:00:00.123"}`)
	})
	b.Run("extra-fields-mixed-case", func(b *testing.B) {
		benchDecode(b, []Column{{Name: "user_id", Type: types.Int64T}, {Name: "url", Type: types.TextT}, {Name: "ts", Type: types.TimestampTZT}},
			`{"ts": "2024-05-01T10:00:00+02:00", "User_Id": 42, "extra": {"a": [1, 2, "x"]}, "URL": "/a/\u00e9"}`)
	})
	b.Run("jsonb", func(b *testing.B) {
		benchDecode(b, []Column{{Name: "id", Type: types.Int64T}, {Name: "payload", Type: types.JSONBT}},
			`{"id": 1, "payload": {"b": [1, 2], "a": "x"}}`)
	})
}

// TestDecodeDoesNotAllocate keeps the hot path free of per-message allocations for numbers,
// booleans, RFC 3339 timestamps and strings without escapes (builder growth is amortized away).
func TestDecodeDoesNotAllocate(t *testing.T) {
	cols := []Column{{Name: "user_id", Type: types.Int64T}, {Name: "url", Type: types.TextT},
		{Name: "ts", Type: types.TimestampTZT}, {Name: "price", Type: types.NumericT},
		{Name: "rate", Type: types.Float64T}, {Name: "ok", Type: types.BoolT}, {Name: "d", Type: types.DateT}}
	mem := memory.NewCheckedAllocator(memory.NewGoAllocator())
	defer mem.AssertSize(t, 0)
	d := NewDecoder(mem, cols, nil)
	defer d.Release()
	payload := []byte(`{"user_id": 42, "URL": "/a/b", "ts": "2024-05-01T10:00:00.25Z", "price": 45.50,
		"rate": 0.25, "ok": true, "d": "2024-05-01", "extra": [1, {"x": "y"}]}`)
	allocs := testing.AllocsPerRun(2000, func() {
		if err := d.Decode(payload); err != nil {
			t.Fatal(err)
		}
	})
	if allocs != 0 {
		t.Errorf("%v allocations per message", allocs)
	}
	for _, a := range d.Finish() {
		a.Release()
	}
}
