package pgwire

import (
	"testing"
	"time"

	"github.com/runnel-db/runnel/engine"
	"github.com/runnel-db/runnel/exec/types"
)

// BenchmarkDataRows measures encoding a 1024-row chunk of bigint, double, numeric, text and
// timestamptz into DataRow messages.
func BenchmarkDataRows(b *testing.B) {
	b.ReportAllocs()
	fb := newFakeBackend()
	cols := []engine.Column{
		{Name: "id", Type: types.Int64T}, {Name: "f", Type: types.Float64T}, {Name: "n", Type: types.NumericT},
		{Name: "s", Type: types.TextT}, {Name: "ts", Type: types.TimestampTZT},
	}
	data := make([][]types.Datum, 1024)
	for i := range data {
		data[i] = []types.Datum{int64(i * 7919), float64(i) / 3, mustNumeric("12345.67"), "some customer name", types.TimestampValue(1704164645123456 + int64(i))}
	}
	rows := (&fakeSession{b: fb}).rows(cols, data, len(data))
	batch, err := rows.Next(b.Context())
	if err != nil {
		b.Fatal(err)
	}
	defer batch.Release()
	for _, bc := range []struct {
		name   string
		format int16
	}{{"text", formatText}, {"binary", formatBinary}} {
		b.Run(bc.name, func(b *testing.B) {
			b.ReportAllocs()
			formats := []int16{bc.format, bc.format, bc.format, bc.format, bc.format}
			var buf []byte
			for b.Loop() {
				enc, err := newRowEncoder(batch, cols, formats, textFormat{loc: time.UTC, extraFloatDigits: 1})
				if err != nil {
					b.Fatal(err)
				}
				buf = buf[:0]
				for i := range len(data) {
					buf = enc.appendRow(buf, i)
				}
			}
			b.SetBytes(int64(len(buf)))
		})
	}
}
