package csv

import (
	"testing"

	"github.com/apache/arrow-go/v18/arrow"
	"github.com/apache/arrow-go/v18/arrow/memory"
	"github.com/runnel-db/runnel/exec/types"
)

var benchCols = []Column{{Name: "auction", Type: types.Int64T}, {Name: "bidder", Type: types.Int64T},
	{Name: "price", Type: types.NumericT}, {Name: "url", Type: types.TextT}, {Name: "date_time", Type: types.TimestampT}}

func BenchmarkDecode(b *testing.B) {
	for _, c := range []struct{ name, line string }{
		{"plain", "1001,2002,45.50,https://www.nexmark.com/abc/item.htm?query=1,2024-05-01 10:00:00.123\n"},
		{"quoted", `1001,2002,"45.50","https://www.nexmark.com/a,b/item.htm?q=""1""",2024-05-01T10:00:00Z` + "\n"},
	} {
		b.Run(c.name, func(b *testing.B) {
			d, err := NewDecoder(memory.NewGoAllocator(), benchCols, Options{WithoutHeader: true})
			if err != nil {
				b.Fatal(err)
			}
			defer d.Release()
			line := []byte(c.line)
			b.ReportAllocs()
			b.ResetTimer()
			for i := 0; i < b.N; i++ {
				if err := d.Decode(line); err != nil {
					b.Fatal(err)
				}
				if d.Len() == 1024 {
					for _, a := range d.Finish() {
						a.Release()
					}
				}
			}
			b.ReportMetric(float64(b.N)/b.Elapsed().Seconds(), "rows/s")
		})
	}
}

func BenchmarkEncode(b *testing.B) {
	mem := memory.NewGoAllocator()
	d, _ := NewDecoder(mem, benchCols, Options{WithoutHeader: true})
	defer d.Release()
	for i := 0; i < 1024; i++ {
		if err := d.Decode([]byte(`1001,2002,45.50,"https://x.com/a,b",2024-05-01 10:00:00.123`)); err != nil {
			b.Fatal(err)
		}
	}
	arrs := d.Finish()
	defer func() {
		for _, a := range arrs {
			a.Release()
		}
	}()
	enc, _ := NewEncoder(benchCols, Options{})
	var out []byte
	b.ReportAllocs()
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		out = appendAt(enc, out[:0], arrs, i%1024)
	}
	b.ReportMetric(float64(b.N)/b.Elapsed().Seconds(), "rows/s")
}

func appendAt(enc *Encoder, dst []byte, arrs []arrow.Array, i int) []byte {
	dst, _ = enc.AppendRow(dst, arrs, i)
	return dst
}
