package engine

import (
	"context"
	"fmt"
	"math/rand"
	"runtime"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/apache/arrow-go/v18/arrow"
	"github.com/apache/arrow-go/v18/arrow/array"
	"github.com/apache/arrow-go/v18/arrow/memory"
)

// groupBySetup is the table and view of the ingest scenarios.
const groupBySetup = "CREATE TABLE t (k bigint, v bigint); CREATE MATERIALIZED VIEW g AS SELECT k, count(*) AS n, sum(v) AS s FROM t GROUP BY k"

// BenchmarkIngestGroupBy inserts batches of 1,000 rows into a table feeding
// SELECT k, count(*), sum(v) FROM t GROUP BY k with 100K groups, Pebble commit (fsync) included.
// Run: go test ./engine -run XXX -bench IngestGroupBy -benchtime 1000x
func BenchmarkIngestGroupBy(b *testing.B) {
	e, s := openDir(b, groupBySetup)
	const batchRows, groups = 1000, 100_000
	rng := rand.New(rand.NewSource(1))
	mem := memory.DefaultAllocator
	// Every batch its own random keys, as in `runnel bench`: batches used again would change the
	// same groups again, which lazily applied view rows absorb for free.
	batches := make([][]arrow.Array, min(b.N, 2000))
	for i := range batches {
		kb, vb := array.NewInt64Builder(mem), array.NewInt64Builder(mem)
		for j := 0; j < batchRows; j++ {
			kb.Append(rng.Int63n(groups))
			vb.Append(rng.Int63n(1000))
		}
		batches[i] = []arrow.Array{kb.NewArray(), vb.NewArray()}
		kb.Release()
		vb.Release()
	}
	ctx := context.Background()
	var before runtime.MemStats
	runtime.GC()
	runtime.ReadMemStats(&before)
	b.ReportAllocs()
	b.ResetTimer()
	cpu0 := processCPUSeconds()
	for i := 0; i < b.N; i++ {
		if err := e.Insert(ctx, "t", batches[i%len(batches)]); err != nil {
			b.Fatal(err)
		}
	}
	got := mustQuery(b, s, "SELECT count(*) FROM g") // until the view has every row
	b.StopTimer()
	b.ReportMetric(float64(b.N*batchRows)/b.Elapsed().Seconds(), "rows/s")
	b.ReportMetric(float64(b.N*batchRows)/(processCPUSeconds()-cpu0), "rows/cpu-s")
	var after runtime.MemStats
	runtime.GC()
	runtime.GC() // twice: sync.Pool buffers survive one collection
	runtime.ReadMemStats(&after)
	runtime.KeepAlive(batches) // in before, so in after too
	if b.N >= 1000 {
		var n int
		fmt.Sscan(got[0], &n)
		b.ReportMetric(float64(int64(after.HeapAlloc)-int64(before.HeapAlloc))/float64(n), "heap-bytes/group")
		// Without the view's changed rows kept in memory (view_overlay.go, at most overlayRows
		// rows or overlayMemory bytes whatever the number of groups): the aggregate's state.
		if err := e.materialize(); err != nil {
			b.Fatal(err)
		}
		runtime.GC()
		runtime.GC()
		runtime.ReadMemStats(&after)
		runtime.KeepAlive(batches)
		b.ReportMetric(float64(int64(after.HeapAlloc)-int64(before.HeapAlloc))/float64(n), "state-bytes/group")
	}
}

// BenchmarkJoinSingleRowInsert measures the per-update cost of a two-way join view updated by
// single-row inserts, at 10K and 1M rows per side: the cost should not grow with the tables.
// Run: go test ./engine -run XXX -bench JoinSingleRowInsert -benchtime 2000x
func BenchmarkJoinSingleRowInsert(b *testing.B) {
	for _, rows := range []int{10_000, 1_000_000} {
		b.Run(fmt.Sprintf("rows=%d", rows), func(b *testing.B) {
			opts := DefaultOptions()
			opts.DataDir = b.TempDir()
			e, err := Open(opts)
			if err != nil {
				b.Fatal(err)
			}
			defer e.Close()
			s := newSession(b, e)
			mustQuery(b, s, `CREATE TABLE a (k bigint, x bigint); CREATE TABLE b (k bigint, y bigint);
				CREATE MATERIALIZED VIEW j AS SELECT a.k, a.x, b.y FROM a JOIN b ON a.k = b.k`)
			ctx := context.Background()
			mem := memory.DefaultAllocator
			const chunk = 10_000
			for _, table := range []string{"a", "b"} {
				for lo := 0; lo < rows; lo += chunk {
					kb, vb := array.NewInt64Builder(mem), array.NewInt64Builder(mem)
					for k := lo; k < lo+chunk && k < rows; k++ {
						kb.Append(int64(k))
						vb.Append(int64(k % 97))
					}
					cols := []arrow.Array{kb.NewArray(), vb.NewArray()}
					kb.Release()
					vb.Release()
					if err := e.Insert(ctx, table, cols); err != nil {
						b.Fatal(err)
					}
					cols[0].Release()
					cols[1].Release()
				}
			}
			// Let the load's view rows be written (a read applies them) and background flushes
			// and compactions finish, and collect its garbage, so the measurement is of the
			// single-row updates alone.
			mustQuery(b, s, "SELECT count(*) FROM j")
			if err := e.db.WaitIdle(ctx); err != nil {
				b.Fatal(err)
			}
			runtime.GC()
			rng := rand.New(rand.NewSource(1))
			kb, vb := array.NewInt64Builder(mem), array.NewInt64Builder(mem)
			defer kb.Release()
			defer vb.Release()
			b.ReportAllocs()
			b.ResetTimer()
			for i := 0; i < b.N; i++ {
				kb.Append(rng.Int63n(int64(rows)))
				vb.Append(int64(i))
				cols := []arrow.Array{kb.NewArray(), vb.NewArray()}
				if err := e.Insert(ctx, "a", cols); err != nil {
					b.Fatal(err)
				}
				cols[0].Release()
				cols[1].Release()
			}
		})
	}
}

// BenchmarkInsertValuesSQL is the ingest scenario through SQL: INSERT … VALUES statements of
// 1,000 rows each (parsed, planned and committed with fsync), into the GROUP BY view of
// BenchmarkIngestGroupBy.
// Run: go test ./engine -run XXX -bench InsertValuesSQL -benchtime 300x
func BenchmarkInsertValuesSQL(b *testing.B) {
	_, s := openDir(b, groupBySetup)
	rng := rand.New(rand.NewSource(1))
	stmts := make([]string, 16)
	for i := range stmts {
		var sb strings.Builder
		sb.WriteString("INSERT INTO t VALUES ")
		for j := 0; j < 1000; j++ {
			if j > 0 {
				sb.WriteString(", ")
			}
			fmt.Fprintf(&sb, "(%d, %d)", rng.Intn(100_000), rng.Intn(1000))
		}
		stmts[i] = sb.String()
	}
	b.ReportAllocs()
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		mustQuery(b, s, stmts[i%len(stmts)])
	}
	b.ReportMetric(float64(b.N*1000)/b.Elapsed().Seconds(), "rows/s")
}

// BenchmarkPointReadDuringIngest reads one group of the GROUP BY view of BenchmarkIngestGroupBy
// after each 1,000-row batch (100K groups): a read right after a change, the case that costs a
// read most, whether the view's rows are written first or read through what is in memory.
// Run: go test ./engine -run XXX -bench PointReadDuringIngest -benchtime 1000x
func BenchmarkPointReadDuringIngest(b *testing.B) {
	e, s := openDir(b, groupBySetup)
	const batchRows, groups = 1000, 100_000
	rng := rand.New(rand.NewSource(1))
	insert := func() {
		insertPairs(b, e, "t", batchRows, func(int) (int64, int64) { return rng.Int63n(groups), rng.Int63n(1000) })
	}
	for range 200 { // 200K rows: nearly every group exists
		insert()
	}
	reads := make([]time.Duration, 0, b.N)
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		b.StopTimer()
		insert()
		b.StartTimer()
		start := time.Now()
		mustQuery(b, s, fmt.Sprintf("SELECT n, s FROM g WHERE k = %d", rng.Int63n(groups)))
		reads = append(reads, time.Since(start))
	}
	b.StopTimer()
	slices.Sort(reads)
	at := func(p float64) float64 { return float64(reads[int(p*float64(len(reads)-1))].Microseconds()) / 1000 }
	b.ReportMetric(at(0.5), "read-p50-ms")
	b.ReportMetric(at(0.99), "read-p99-ms")
	b.ReportMetric(at(1), "read-max-ms")
}

// insertPairs inserts n rows of two bigint columns into table as one batch, row j being pair(j).
func insertPairs(tb testing.TB, e *Engine, table string, n int, pair func(j int) (int64, int64)) {
	tb.Helper()
	mem := memory.DefaultAllocator
	kb, vb := array.NewInt64Builder(mem), array.NewInt64Builder(mem)
	for j := 0; j < n; j++ {
		k, v := pair(j)
		kb.Append(k)
		vb.Append(v)
	}
	cols := []arrow.Array{kb.NewArray(), vb.NewArray()}
	kb.Release()
	vb.Release()
	defer cols[0].Release()
	defer cols[1].Release()
	if err := e.Insert(context.Background(), table, cols); err != nil {
		tb.Fatal(err)
	}
}
