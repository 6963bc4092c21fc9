package storage

import (
	"encoding/binary"
	"testing"
)

// BenchmarkCommit commits batches of 1000 small keys (16-byte keys, 16-byte values).
func BenchmarkCommit(b *testing.B) {
	const keysPerBatch = 1000
	for _, bc := range []struct {
		name  string
		batch func(db *DB) *Batch
		dir   func(b *testing.B) Options
	}{
		{"indexed/mem", (*DB).NewBatch, func(*testing.B) Options { return DefaultOptions(MemoryDir) }},
		{"writeonly/mem", (*DB).NewWriteBatch, func(*testing.B) Options { return DefaultOptions(MemoryDir) }},
		{"indexed/disk-sync", (*DB).NewBatch, func(b *testing.B) Options { return DefaultOptions(b.TempDir()) }},
	} {
		b.Run(bc.name, func(b *testing.B) {
			db, err := Open(bc.dir(b))
			if err != nil {
				b.Fatal(err)
			}
			defer db.Close()
			key := make([]byte, 0, 32)
			val := make([]byte, 16)
			rowKey := make([]byte, 8)
			n := uint64(0)
			b.ReportAllocs()
			b.ResetTimer()
			for i := 0; i < b.N; i++ {
				batch := bc.batch(db)
				for j := 0; j < keysPerBatch; j++ {
					n++
					binary.BigEndian.PutUint64(rowKey, n)
					key = TableRowKey(key[:0], 1, rowKey)
					if err := batch.Set(key, val); err != nil {
						b.Fatal(err)
					}
				}
				if err := batch.Commit(true); err != nil {
					b.Fatal(err)
				}
				batch.Close()
			}
			b.ReportMetric(float64(b.N*keysPerBatch)/b.Elapsed().Seconds(), "keys/s")
		})
	}
}
