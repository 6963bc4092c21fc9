package rowcodec

import (
	"math/rand/v2"
	"testing"

	"github.com/apache/arrow-go/v18/arrow/memory"

	"github.com/runnel-db/runnel/exec/types"
)

// BenchmarkRows encodes and decodes 1024 rows of (bigint key, text, numeric): the key holds the
// bigint, the value the text and numeric, as a table scan would store them.
func BenchmarkRows(b *testing.B) {
	const rows = 1024
	mem := memory.NewGoAllocator()
	colTypes := []types.T{types.Int64T, types.TextT, types.NumericT}
	c := New(colTypes)
	cols := randomColumns(b, mem, rand.New(rand.NewPCG(5, 5)), colTypes, rows, genOpts{nullEvery: 10})
	defer release(cols)
	keyCols, valCols := []int{0}, []int{1, 2}
	keys := make([][]byte, rows)
	vals := make([][]byte, rows)
	for r := 0; r < rows; r++ {
		keys[r] = c.AppendKey(nil, cols, r, keyCols)
		vals[r] = c.AppendValue(nil, cols, r, valCols)
	}

	b.Run("encode", func(b *testing.B) {
		var key, val []byte
		b.ReportAllocs()
		for i := 0; i < b.N; i++ {
			for r := 0; r < rows; r++ {
				key = c.AppendKey(key[:0], cols, r, keyCols)
				val = c.AppendValue(val[:0], cols, r, valCols)
			}
		}
		b.ReportMetric(float64(b.N*rows)/b.Elapsed().Seconds(), "rows/s")
	})
	b.Run("encode-all-key", func(b *testing.B) {
		all := []int{0, 1, 2}
		var key []byte
		b.ReportAllocs()
		for i := 0; i < b.N; i++ {
			for r := 0; r < rows; r++ {
				key = c.AppendKey(key[:0], cols, r, all)
			}
		}
		b.ReportMetric(float64(b.N*rows)/b.Elapsed().Seconds(), "rows/s")
	})
	b.Run("decode", func(b *testing.B) {
		d := c.NewDecoder(mem)
		defer d.Release()
		b.ReportAllocs()
		for i := 0; i < b.N; i++ {
			d.Reserve(rows)
			for r := 0; r < rows; r++ {
				if err := d.DecodeKey(keys[r], keyCols); err != nil {
					b.Fatal(err)
				}
				if err := d.DecodeValue(vals[r], valCols); err != nil {
					b.Fatal(err)
				}
			}
			release(d.Finish())
		}
		b.ReportMetric(float64(b.N*rows)/b.Elapsed().Seconds(), "rows/s")
	})
}
