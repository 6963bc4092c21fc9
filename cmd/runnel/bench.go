package main

import (
	"context"
	"flag"
	"fmt"
	"io"
	"math/rand"
	"os"
	"path/filepath"
	"runtime"
	"slices"
	"time"

	"github.com/apache/arrow-go/v18/arrow"
	"github.com/apache/arrow-go/v18/arrow/array"
	"github.com/apache/arrow-go/v18/arrow/memory"

	"github.com/runnel-db/runnel/engine"
	"github.com/runnel-db/runnel/exec/types"
)

// runBench is `runnel bench`: the project's own load test. It runs the core scenarios in process
// on a fresh data directory (fsync on, as in production) and prints throughput, latency
// percentiles and state size.
//
//	runnel bench [--rows 1000000] [--batch 1000] [--groups 100000] [--single 2000] [--data-dir DIR]
func runBench(args []string, out io.Writer) error {
	fs := flag.NewFlagSet("runnel bench", flag.ContinueOnError)
	rows := fs.Int("rows", 1_000_000, "rows to ingest in the GROUP BY scenario")
	batch := fs.Int("batch", 1000, "rows per INSERT batch (one epoch each)")
	groups := fs.Int("groups", 100_000, "distinct group keys")
	single := fs.Int("single", 2000, "single-row inserts in the latency scenario")
	dir := fs.String("data-dir", "", "data directory (default: a new temporary directory, removed after)")
	if err := fs.Parse(args); err != nil {
		return err
	}
	if *dir == "" {
		tmp, err := os.MkdirTemp("", "runnel-bench")
		if err != nil {
			return err
		}
		defer os.RemoveAll(tmp)
		*dir = tmp
	}
	opts := engine.DefaultOptions()
	opts.DataDir = filepath.Join(*dir, "ingest")
	if err := benchIngest(opts, *rows, *batch, *groups, out); err != nil {
		return fmt.Errorf("ingest scenario: %w", err)
	}
	opts.DataDir = filepath.Join(*dir, "single")
	if err := benchSingleRow(opts, *single, out); err != nil {
		return fmt.Errorf("single-row scenario: %w", err)
	}
	return nil
}

func execSQL(ctx context.Context, s *engine.Session, sql string) error {
	p, err := s.Prepare(ctx, sql, nil)
	if err != nil {
		return err
	}
	r, err := s.Execute(ctx, p, nil)
	if err == nil && r.Rows != nil {
		r.Rows.Close()
	}
	return err
}

// openWith opens an engine and a session on it and runs the setup statements.
func openWith(opts engine.Options, setup ...string) (*engine.Engine, *engine.Session, error) {
	e, err := engine.Open(opts)
	if err != nil {
		return nil, nil, err
	}
	s, err := e.NewSession("runnel", "runnel", nil)
	for _, q := range setup {
		if err == nil {
			err = execSQL(context.Background(), s, q)
		}
	}
	if err != nil {
		e.Close()
		return nil, nil, err
	}
	return e, s, nil
}

// benchIngest inserts rows in batches into t(k, v) feeding
// SELECT k, count(*), sum(v) FROM t GROUP BY k.
func benchIngest(opts engine.Options, rows, batch, groups int, out io.Writer) error {
	e, s, err := openWith(opts, "CREATE TABLE t (k bigint, v bigint)",
		"CREATE MATERIALIZED VIEW g AS SELECT k, count(*) AS n, sum(v) AS s FROM t GROUP BY k")
	if err != nil {
		return err
	}
	defer e.Close()
	ctx := context.Background()
	rng := rand.New(rand.NewSource(1))
	mem := memory.DefaultAllocator
	var before, after runtime.MemStats
	runtime.GC()
	runtime.ReadMemStats(&before)
	lat := make([]time.Duration, 0, rows/batch+1)
	start := time.Now()
	for done := 0; done < rows; done += batch {
		n := min(batch, rows-done)
		kb, vb := array.NewInt64Builder(mem), array.NewInt64Builder(mem)
		for i := 0; i < n; i++ {
			kb.Append(rng.Int63n(int64(groups)))
			vb.Append(rng.Int63n(1000))
		}
		cols := []arrow.Array{kb.NewArray(), vb.NewArray()}
		kb.Release()
		vb.Release()
		t0 := time.Now()
		err := e.Insert(ctx, "t", cols)
		lat = append(lat, time.Since(t0))
		cols[0].Release()
		cols[1].Release()
		if err != nil {
			return err
		}
	}
	// Until the view has every row: reading it applies the deltas still pending.
	if err := checkSum(ctx, s, "SELECT sum(n)::bigint FROM g", rows); err != nil {
		return err
	}
	elapsed := time.Since(start)
	runtime.GC()
	runtime.GC() // twice: sync.Pool buffers survive one collection
	runtime.ReadMemStats(&after)
	// On disk once closed: the view's rows kept in memory are written by then.
	if err := e.Close(); err != nil {
		return err
	}
	disk, _ := dirSize(opts.DataDir)
	fmt.Fprintf(out, "ingest: %d rows in batches of %d into a GROUP BY view of %d groups: %.0f rows/s (%.2fs)\n",
		rows, batch, groups, float64(rows)/elapsed.Seconds(), elapsed.Seconds())
	fmt.Fprintf(out, "ingest: per-batch commit latency %s\n", percentiles(lat))
	fmt.Fprintf(out, "ingest: %.0f heap bytes per group (operator state, and view rows not yet written: at most 256K rows or 64 MB); data dir %.1f bytes per ingested row\n",
		float64(int64(after.HeapAlloc)-int64(before.HeapAlloc))/float64(groups), float64(disk)/float64(rows))
	return nil
}

// checkSum fails unless query returns the single integer want.
func checkSum(ctx context.Context, s *engine.Session, query string, want int) error {
	p, err := s.Prepare(ctx, query, nil)
	if err != nil {
		return err
	}
	r, err := s.Execute(ctx, p, nil)
	if err != nil {
		return err
	}
	defer r.Rows.Close()
	rec, err := r.Rows.Next(ctx)
	if err != nil {
		return err
	}
	got := "no rows"
	if rec != nil {
		defer rec.Release()
		if rec.NumRows() > 0 {
			got = rec.Column(0).ValueStr(0)
		}
	}
	if got != fmt.Sprint(want) {
		return fmt.Errorf("%s = %s, want %d", query, got, want)
	}
	return nil
}

// benchSingleRow measures single-row INSERTs into a table with three dependent views.
func benchSingleRow(opts engine.Options, n int, out io.Writer) error {
	e, s, err := openWith(opts, "CREATE TABLE ev (id bigint PRIMARY KEY, k int, v bigint)",
		"CREATE MATERIALIZED VIEW by_k AS SELECT k, count(*) AS n, sum(v) AS s FROM ev GROUP BY k",
		"CREATE MATERIALIZED VIEW big AS SELECT id, v FROM ev WHERE v > 900",
		"CREATE MATERIALIZED VIEW top AS SELECT k, n FROM by_k ORDER BY n DESC LIMIT 5")
	if err != nil {
		return err
	}
	defer e.Close()
	ctx := context.Background()
	p, err := s.Prepare(ctx, "INSERT INTO ev VALUES ($1, $2, $3)", []types.T{types.Int64T, types.Int32T, types.Int64T})
	if err != nil {
		return err
	}
	lat := make([]time.Duration, 0, n)
	for i := 0; i < n; i++ {
		t0 := time.Now()
		if _, err := s.Execute(ctx, p, []types.Datum{int64(i), int64(i % 100), int64(i % 1000)}); err != nil {
			return err
		}
		lat = append(lat, time.Since(t0))
	}
	fmt.Fprintf(out, "single-row INSERT with 3 dependent views (in process, fsync): %s\n", percentiles(lat))
	return nil
}

func percentiles(lat []time.Duration) string {
	if len(lat) == 0 {
		return "no samples"
	}
	slices.Sort(lat)
	at := func(p float64) time.Duration { return lat[int(p*float64(len(lat)-1))] }
	return fmt.Sprintf("p50 %v, p99 %v, max %v", at(0.5).Round(time.Microsecond), at(0.99).Round(time.Microsecond), lat[len(lat)-1].Round(time.Microsecond))
}

func dirSize(dir string) (int64, error) {
	var total int64
	err := filepath.Walk(dir, func(_ string, info os.FileInfo, err error) error {
		if err == nil && !info.IsDir() {
			total += info.Size()
		}
		return nil
	})
	return total, err
}
