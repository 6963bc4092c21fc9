package engine

import (
	"context"
	"fmt"
	"testing"

	"github.com/apache/arrow-go/v18/arrow"
	"github.com/apache/arrow-go/v18/arrow/array"
	"github.com/apache/arrow-go/v18/arrow/memory"
)

// BenchmarkInsertIndexed measures bulk inserts of 1000-row batches into a table without and with
// secondary indexes (a unique one reads once per row to check for an existing value).
func BenchmarkInsertIndexed(b *testing.B) {
	for _, ddl := range []string{"", "CREATE INDEX t_v ON t (v)", "CREATE UNIQUE INDEX t_k ON t (k)"} {
		b.Run(fmt.Sprintf("index=%q", ddl), func(b *testing.B) {
			e := openMem(b)
			s := newSession(b, e)
			mustQuery(b, s, "CREATE TABLE t (k bigint, v bigint)")
			if ddl != "" {
				mustQuery(b, s, ddl)
			}
			ctx := context.Background()
			mem := memory.DefaultAllocator
			const rows = 1000
			b.ResetTimer()
			for i := 0; i < b.N; i++ {
				kb, vb := array.NewInt64Builder(mem), array.NewInt64Builder(mem)
				for j := 0; j < rows; j++ {
					kb.Append(int64(i*rows + j))
					vb.Append(int64(j % 97))
				}
				cols := []arrow.Array{kb.NewArray(), vb.NewArray()}
				kb.Release()
				vb.Release()
				if err := e.Insert(ctx, "t", cols); err != nil {
					b.Fatal(err)
				}
				cols[0].Release()
				cols[1].Release()
			}
			b.ReportMetric(float64(b.Elapsed().Nanoseconds())/float64(b.N*rows), "ns/row")
		})
	}
}
