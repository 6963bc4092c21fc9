package zset

import (
	"math/rand"
	"testing"

	"github.com/apache/arrow-go/v18/arrow/memory"

	"github.com/runnel-db/runnel/exec/types"
)

// BenchmarkConsolidate merges 1024 rows (int64, text) of which about half are duplicates.
func BenchmarkConsolidate(b *testing.B) {
	mem := memory.NewGoAllocator()
	rng := rand.New(rand.NewSource(1))
	bld := NewBuilder(mem, []types.T{types.Int64T, types.TextT})
	for i := 0; i < 1024; i++ {
		bld.Append(1, int64(rng.Intn(512)), []string{"a", "bb"}[rng.Intn(2)])
	}
	in := bld.Build()
	defer in.Release()
	b.ReportAllocs()
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		in.Retain()
		out := Consolidate(mem, in)
		out.Release()
	}
	b.ReportMetric(float64(b.N)*1024/b.Elapsed().Seconds(), "rows/s")
}
