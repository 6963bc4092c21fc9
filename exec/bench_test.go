package exec

import (
	"fmt"
	"math/rand"
	"runtime"
	"testing"

	"github.com/apache/arrow-go/v18/arrow"
	"github.com/apache/arrow-go/v18/arrow/array"
	"github.com/apache/arrow-go/v18/arrow/memory"

	"github.com/runnel-db/runnel/exec/expr"
	"github.com/runnel-db/runnel/exec/types"
	"github.com/runnel-db/runnel/exec/zset"
)

// int64Batch builds a batch of int64 columns from raw values with weight w for every row.
func int64Batch(mem memory.Allocator, cols [][]int64, w int64) zset.Batch {
	arrs := make([]arrow.Array, len(cols))
	for i, c := range cols {
		b := array.NewInt64Builder(mem)
		b.AppendValues(c, nil)
		arrs[i] = b.NewArray()
		b.Release()
	}
	ws := make([]int64, len(cols[0]))
	for i := range ws {
		ws[i] = w
	}
	wb := array.NewInt64Builder(mem)
	wb.AppendValues(ws, nil)
	wa := wb.NewArray()
	wb.Release()
	out := zset.New(arrs, wa)
	wa.Release()
	for _, a := range arrs {
		a.Release()
	}
	return out
}

// BenchmarkAggregate is `SELECT k, count(*), sum(v) GROUP BY k` over 100K groups, fed
// batches of 1000 inserted rows.
func BenchmarkAggregate(b *testing.B) {
	mem := memory.NewGoAllocator()
	ctx := &expr.Context{Mem: mem}
	op := NewAggregate(pairTypes, []int{0}, []AggCall{
		{Name: "count", Arg: -1, Filter: -1, ResultType: types.Int64T},
		{Name: "sum", Arg: 1, ArgType: types.Int64T, Filter: -1, ResultType: types.NumericT}})
	rng := rand.New(rand.NewSource(1))
	const batches = 64
	var in []zset.Batch
	for i := 0; i < batches; i++ {
		k, v := make([]int64, 1000), make([]int64, 1000)
		for j := range k {
			k[j], v[j] = rng.Int63n(100_000), rng.Int63n(1000)
		}
		in = append(in, int64Batch(mem, [][]int64{k, v}, 1))
	}
	defer func() {
		for _, x := range in {
			x.Release()
		}
	}()
	b.ReportAllocs()
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		out, err := op.Step(ctx, []zset.Batch{in[i%batches]})
		if err != nil {
			b.Fatal(err)
		}
		out.Release()
	}
	b.ReportMetric(float64(b.N)*1000/b.Elapsed().Seconds(), "rows/s")
}

// BenchmarkJoinUpdate is a single-row insert or delete on the left of an inner join whose
// right side holds n rows.
func BenchmarkJoinUpdate(b *testing.B) {
	for _, n := range []int{10_000, 1_000_000} {
		b.Run(fmt.Sprintf("rows=%d", n), func(b *testing.B) {
			mem := memory.NewGoAllocator()
			ctx := &expr.Context{Mem: mem}
			op := NewJoin(InnerJoin, pairTypes, pairTypes, []int{0}, []int{0}, nil)
			empty := zset.Empty(mem, pairTypes)
			defer empty.Release()
			for start := 0; start < n; start += 100_000 {
				k, v := make([]int64, min(100_000, n-start)), make([]int64, min(100_000, n-start))
				for j := range k {
					k[j], v[j] = int64(start+j), int64(j)
				}
				r := int64Batch(mem, [][]int64{k, v}, 1)
				out, err := op.Step(ctx, []zset.Batch{empty, r})
				if err != nil {
					b.Fatal(err)
				}
				out.Release()
				r.Release()
			}
			ins := int64Batch(mem, [][]int64{{int64(n / 2)}, {7}}, 1)
			del := int64Batch(mem, [][]int64{{int64(n / 2)}, {7}}, -1)
			defer ins.Release()
			defer del.Release()
			b.ReportAllocs()
			b.ResetTimer()
			for i := 0; i < b.N; i++ {
				d := ins
				if i%2 == 1 {
					d = del
				}
				out, err := op.Step(ctx, []zset.Batch{d, empty})
				if err != nil {
					b.Fatal(err)
				}
				if out.NumRows() != 1 {
					b.Fatalf("output rows %d", out.NumRows())
				}
				out.Release()
			}
		})
	}
}

// BenchmarkFilterProject is a filter then a two-column projection over 1024 rows.
func BenchmarkFilterProject(b *testing.B) {
	mem := memory.NewGoAllocator()
	ctx := &expr.Context{Mem: mem}
	rng := rand.New(rand.NewSource(1))
	x, y := make([]int64, 1024), make([]int64, 1024)
	for i := range x {
		x[i], y[i] = rng.Int63n(1000), rng.Int63n(1000)
	}
	in := int64Batch(mem, [][]int64{x, y}, 1)
	defer in.Release()
	f := NewFilter(lessThan{0, 1})
	p := NewProject([]expr.Expr{colRef{1, types.Int64T}, colRef{0, types.Int64T}})
	b.ReportAllocs()
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		fo, err := f.Step(ctx, []zset.Batch{in})
		if err != nil {
			b.Fatal(err)
		}
		po, err := p.Step(ctx, []zset.Batch{fo})
		if err != nil {
			b.Fatal(err)
		}
		fo.Release()
		po.Release()
	}
	b.ReportMetric(float64(b.N)*1024/b.Elapsed().Seconds(), "rows/s")
}

// BenchmarkJoinLoad is the first epoch of an ad-hoc inner join: both sides arrive whole
// (n rows each, one match per row), as a query over a snapshot does.
func BenchmarkJoinLoad(b *testing.B) {
	const n = 100_000
	mem := memory.NewGoAllocator()
	ctx := &expr.Context{Mem: mem}
	k, v := make([]int64, n), make([]int64, n)
	for j := range k {
		k[j], v[j] = int64(j), int64(j%100)
	}
	l := int64Batch(mem, [][]int64{k, v}, 1)
	r := int64Batch(mem, [][]int64{k, v}, 1)
	defer l.Release()
	defer r.Release()
	b.ReportAllocs()
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		op := NewJoin(InnerJoin, pairTypes, pairTypes, []int{0}, []int{0}, nil)
		out, err := op.Step(ctx, []zset.Batch{l, r})
		if err != nil {
			b.Fatal(err)
		}
		out.Release()
	}
	b.ReportMetric(float64(b.N)*2*n/b.Elapsed().Seconds(), "rows/s")
}

// BenchmarkAggregateStateBytes reports the heap the aggregate `k, count(*), sum(v) GROUP BY k`
// keeps per group (100K groups), and the part of it beyond the data itself (an int64 key, an
// int64 count and a sum: 32 bytes).
// Run: go test ./exec -run XXX -bench AggregateStateBytes -benchtime 1x
func BenchmarkAggregateStateBytes(b *testing.B) {
	const groups = 100_000
	for i := 0; i < b.N; i++ {
		// The first reading comes before the input is built: the input is freed before the
		// second, and would otherwise be subtracted from the state.
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
		k, v = nil, nil
		runtime.GC()
		runtime.ReadMemStats(&after)
		perGroup := float64(after.HeapAlloc-before.HeapAlloc) / groups
		b.ReportMetric(perGroup, "bytes/group")
		b.ReportMetric(perGroup-32, "overhead-bytes/group")
		runtime.KeepAlive(op)
	}
}
