package main

import (
	"bufio"
	"context"
	"fmt"
	"math/rand"
	"os"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/twmb/franz-go/pkg/kfake"
	"github.com/twmb/franz-go/pkg/kgo"
)

// TestKafkaBackfillMemoryBounded reads a long topic from the start into a GROUP BY view through
// the real server and checks that the server's peak RSS stays bounded: fetching is paced by the
// dataflow, so memory depends on the epoch size and the view's state, not on the topic's length.
// RUNNEL_BACKFILL_EVENTS sets the topic's length (default 300,000; the number in README was
// measured with 10,000,000):
//
//	RUNNEL_BACKFILL_EVENTS=10000000 go test ./cmd/runnel -run KafkaBackfill -v -timeout 30m
func TestKafkaBackfillMemoryBounded(t *testing.T) {
	events := 300_000
	if v := os.Getenv("RUNNEL_BACKFILL_EVENTS"); v != "" {
		n, err := strconv.Atoi(v)
		if err != nil {
			t.Fatalf("RUNNEL_BACKFILL_EVENTS=%q: %v", v, err)
		}
		events = n
	}
	r := backfill(t, events)
	t.Logf("backfilled %d events in %v (%.0f events/s, %.0f per CPU-second of the server); server peak RSS %d MiB",
		events, r.elapsed.Round(time.Millisecond), r.perSecond(), r.perCPUSecond(), r.peakRSS>>20)
	const bound = 1 << 30
	if r.peakRSS > bound {
		t.Errorf("peak RSS %d MiB exceeds %d MiB", r.peakRSS>>20, bound>>20)
	}
}

// BenchmarkKafkaIngest: JSON events from Kafka (kfake, in the benchmark's process) into
// SELECT k, count(*) FROM src GROUP BY k (100K groups) in the real server (its own process), from
// the view's creation until it has counted them all. events/cpu-s divides by the server's CPU
// time, so it is the throughput per core.
// Run: go test ./cmd/runnel -run XXX -bench KafkaIngest -benchtime 1x
func BenchmarkKafkaIngest(b *testing.B) {
	for i := 0; i < b.N; i++ {
		r := backfill(b, 1_000_000)
		b.ReportMetric(r.perSecond(), "events/s")
		b.ReportMetric(r.perCPUSecond(), "events/cpu-s")
		b.ReportMetric(float64(r.peakRSS>>20), "peak-RSS-MiB")
	}
}

type backfillResult struct {
	events     int
	elapsed    time.Duration
	cpuSeconds float64
	peakRSS    int64
}

func (r backfillResult) perSecond() float64    { return float64(r.events) / r.elapsed.Seconds() }
func (r backfillResult) perCPUSecond() float64 { return float64(r.events) / r.cpuSeconds }

// backfill produces events JSON events over 100K keys into a 3-partition topic of an in-process
// Kafka broker, then has a fresh server read them into a GROUP BY view and measures it.
func backfill(tb testing.TB, events int) backfillResult {
	const partitions, groups = 3, 100_000
	c, err := kfake.NewCluster(kfake.NumBrokers(1), kfake.SeedTopics(partitions, "backfill"))
	if err != nil {
		tb.Fatal(err)
	}
	defer c.Close()
	addr := c.ListenAddrs()[0]
	cl, err := kgo.NewClient(kgo.SeedBrokers(addr), kgo.DefaultProduceTopic("backfill"),
		kgo.RecordPartitioner(kgo.ManualPartitioner()), kgo.ProducerLinger(5*time.Millisecond))
	if err != nil {
		tb.Fatal(err)
	}
	defer cl.Close()
	rng := rand.New(rand.NewSource(7))
	errs := make(chan error, 1)
	for i := 0; i < events; i++ {
		v := fmt.Sprintf(`{"k": %d, "v": %d, "note": "backfill event %d"}`, rng.Intn(groups), rng.Intn(1000), i)
		cl.Produce(context.Background(), &kgo.Record{Partition: int32(i % partitions), Value: []byte(v)}, func(_ *kgo.Record, err error) {
			if err != nil {
				select {
				case errs <- err:
				default:
				}
			}
		})
	}
	if err := cl.Flush(context.Background()); err != nil {
		tb.Fatal(err)
	}
	select {
	case err := <-errs:
		tb.Fatal(err)
	default:
	}

	s := startServer(tb, tb.TempDir())
	db := connect(tb, s)
	mustExec(tb, db, "CREATE SOURCE backfill (k bigint, v bigint, note text) WITH (connector = 'kafka', topic = 'backfill', "+
		"properties.bootstrap.server = '"+addr+"') FORMAT PLAIN ENCODE JSON")
	pid := s.cmd.Process.Pid
	cpu0 := cpuSeconds(tb, pid)
	start := time.Now()
	mustExec(tb, db, "CREATE MATERIALIZED VIEW per_k AS SELECT k, count(*) AS n FROM backfill GROUP BY k")
	r := backfillResult{events: events}
	// The reader's position is cheap to watch; once it is at the end, the view's total (a scan
	// of 100K rows) is checked until the last epoch has committed.
	for rowsText(tb, db, "SELECT coalesce(sum(committed_offset), 0) FROM runnel_catalog.source_status") != strconv.Itoa(events) ||
		rowsText(tb, db, "SELECT sum(n) FROM per_k") != strconv.Itoa(events) {
		r.peakRSS = max(r.peakRSS, vmHWM(tb, pid))
		if time.Since(start) > 25*time.Minute {
			tb.Fatalf("backfill of %d events did not finish", events)
		}
		time.Sleep(10 * time.Millisecond)
	}
	r.elapsed = time.Since(start)
	r.cpuSeconds = cpuSeconds(tb, pid) - cpu0
	r.peakRSS = max(r.peakRSS, vmHWM(tb, pid))
	return r
}

// cpuSeconds is the user plus system CPU time process pid has used (Linux /proc).
func cpuSeconds(tb testing.TB, pid int) float64 {
	data, err := os.ReadFile(fmt.Sprintf("/proc/%d/stat", pid))
	if err != nil {
		tb.Skipf("no /proc/%d/stat on this system: %v", pid, err)
	}
	// Fields after the parenthesized command name; utime and stime are fields 14 and 15.
	rest := string(data[strings.LastIndexByte(string(data), ')')+2:])
	f := strings.Fields(rest)
	utime, err1 := strconv.ParseInt(f[11], 10, 64)
	stime, err2 := strconv.ParseInt(f[12], 10, 64)
	if err1 != nil || err2 != nil {
		tb.Fatalf("parse /proc/%d/stat: %q", pid, data)
	}
	const ticksPerSecond = 100 // USER_HZ on Linux
	return float64(utime+stime) / ticksPerSecond
}

// vmHWM is the peak resident set size of process pid in bytes (Linux /proc).
func vmHWM(t testing.TB, pid int) int64 {
	f, err := os.Open(fmt.Sprintf("/proc/%d/status", pid))
	if err != nil {
		t.Skipf("no /proc/%d/status on this system: %v", pid, err)
	}
	defer f.Close()
	sc := bufio.NewScanner(f)
	for sc.Scan() {
		if rest, ok := strings.CutPrefix(sc.Text(), "VmHWM:"); ok {
			kb, err := strconv.ParseInt(strings.TrimSpace(strings.TrimSuffix(strings.TrimSpace(rest), "kB")), 10, 64)
			if err != nil {
				t.Fatal(err)
			}
			return kb << 10
		}
	}
	t.Fatalf("no VmHWM in /proc/%d/status", pid)
	return 0
}
