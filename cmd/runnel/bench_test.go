package main

import (
	"context"
	"slices"
	"strings"
	"testing"
	"time"
)

// BenchmarkSingleRowInsert measures the round trip of a single-row INSERT over pgwire (pgx,
// prepared statement) into a table with three dependent materialized views, fsync included.
// Run: go test ./cmd/runnel -run XXX -bench SingleRowInsert -benchtime 3000x
func BenchmarkSingleRowInsert(b *testing.B) {
	t := &testing.T{}
	s := startServer(t, b.TempDir())
	defer s.kill()
	c := connect(t, s)
	for _, q := range []string{
		"CREATE TABLE ev (id bigint PRIMARY KEY, k int, v bigint)",
		"CREATE MATERIALIZED VIEW by_k AS SELECT k, count(*) AS n, sum(v) AS s FROM ev GROUP BY k",
		"CREATE MATERIALIZED VIEW big AS SELECT id, v FROM ev WHERE v > 900",
		"CREATE MATERIALIZED VIEW top AS SELECT k, n FROM by_k ORDER BY n DESC LIMIT 5",
	} {
		if _, err := c.Exec(context.Background(), q); err != nil {
			b.Fatal(err)
		}
	}
	lat := make([]time.Duration, 0, b.N)
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		start := time.Now()
		if _, err := c.Exec(context.Background(), "INSERT INTO ev VALUES ($1, $2, $3)", int64(i), i%100, int64(i%1000)); err != nil {
			b.Fatal(err)
		}
		lat = append(lat, time.Since(start))
	}
	b.StopTimer()
	slices.Sort(lat)
	pct := func(p float64) float64 { return float64(lat[int(p*float64(len(lat)-1))].Microseconds()) }
	b.ReportMetric(pct(0.50), "p50-µs")
	b.ReportMetric(pct(0.99), "p99-µs")
	b.ReportMetric(float64(lat[len(lat)-1].Microseconds()), "max-µs")
}

// TestBenchCommand runs `runnel bench` on a small scale and checks that it reports every figure.
func TestBenchCommand(t *testing.T) {
	var out strings.Builder
	if err := runBench([]string{"--rows", "3000", "--batch", "500", "--groups", "100", "--single", "20", "--data-dir", t.TempDir()}, &out); err != nil {
		t.Fatal(err)
	}
	for _, want := range []string{"rows/s", "per-batch commit latency p50", "heap bytes per group", "single-row INSERT with 3 dependent views", "p99"} {
		if !strings.Contains(out.String(), want) {
			t.Errorf("bench output lacks %q:\n%s", want, out.String())
		}
	}
}
