package exec

import (
	"runtime"
	"testing"

	"github.com/apache/arrow-go/v18/arrow/memory"

	"github.com/runnel-db/runnel/exec/expr"
	"github.com/runnel-db/runnel/exec/types"
	"github.com/runnel-db/runnel/exec/zset"
)

// Temporary: heap kept by the operator alone (input allocated after the first reading and released before the second).
func BenchmarkAggregateStateBytesExact(b *testing.B) {
	const groups = 100_000
	for i := 0; i < b.N; i++ {
		var before, after runtime.MemStats
		runtime.GC()
		runtime.ReadMemStats(&before)
		mem := memory.NewGoAllocator()
		ctx := &expr.Context{Mem: mem}
		k, v := make([]int64, groups), make([]int64, groups)
		for j := range k {
			k[j], v[j] = int64(j), int64(j%1000)
		}
		in := int64Batch(mem, [][]int64{k, v}, 1)
		op := NewAggregate(pairTypes, []int{0}, []AggCall{
			{Name: "count", Arg: -1, Filter: -1, ResultType: types.Int64T},
			{Name: "sum", Arg: 1, ArgType: types.Int64T, Filter: -1, ResultType: types.NumericT}})
		out, err := op.Step(ctx, []zset.Batch{in})
		if err != nil {
			b.Fatal(err)
		}
		out.Release()
		in.Release()
		runtime.GC()
		runtime.ReadMemStats(&after)
		perGroup := float64(after.HeapAlloc-before.HeapAlloc) / groups
		b.ReportMetric(perGroup, "bytes/group")
		runtime.KeepAlive(op)
	}
}
