package engine

import (
	"fmt"
	"testing"
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
			const rows = 1000
			b.ResetTimer()
			for i := 0; i < b.N; i++ {
				insertPairs(b, e, "t", rows, func(j int) (int64, int64) { return int64(i*rows + j), int64(j % 97) })
			}
			b.ReportMetric(float64(b.Elapsed().Nanoseconds())/float64(b.N*rows), "ns/row")
		})
	}
}
