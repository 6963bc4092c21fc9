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
	const partitions, groups = 3, 100_000
	c, err := kfake.NewCluster(kfake.NumBrokers(1), kfake.SeedTopics(partitions, "backfill"))
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close()
	addr := c.ListenAddrs()[0]
	cl, err := kgo.NewClient(kgo.SeedBrokers(addr), kgo.DefaultProduceTopic("backfill"),
		kgo.RecordPartitioner(kgo.ManualPartitioner()), kgo.ProducerLinger(5*time.Millisecond))
	if err != nil {
		t.Fatal(err)
	}
	defer cl.Close()
	rng := rand.New(rand.NewSource(7))
	start := time.Now()
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
		t.Fatal(err)
	}
	select {
	case err := <-errs:
		t.Fatal(err)
	default:
	}
	t.Logf("produced %d events in %v", events, time.Since(start).Round(time.Millisecond))

	s := startServer(t, t.TempDir())
	db := connect(t, s)
	mustExec(t, db, "CREATE SOURCE backfill (k bigint, v bigint, note text) WITH (connector = 'kafka', topic = 'backfill', "+
		"properties.bootstrap.server = '"+addr+"') FORMAT PLAIN ENCODE JSON")
	start = time.Now()
	mustExec(t, db, "CREATE MATERIALIZED VIEW per_k AS SELECT k, count(*) AS n, sum(v) AS s FROM backfill GROUP BY k")
	peak := int64(0)
	for {
		if rss := vmHWM(t, s.cmd.Process.Pid); rss > peak {
			peak = rss
		}
		got := rowsText(t, db, "SELECT coalesce(sum(next_offset), 0) FROM runnel_catalog.source_status")
		if got == strconv.Itoa(events) {
			break
		}
		if time.Since(start) > 25*time.Minute {
			t.Fatalf("backfill did not finish: %s of %d", got, events)
		}
		time.Sleep(100 * time.Millisecond)
	}
	// next_offset is the reader's; wait for the view to have committed everything.
	for rowsText(t, db, "SELECT sum(n) FROM per_k") != strconv.Itoa(events) {
		if time.Since(start) > 25*time.Minute {
			t.Fatal("the view did not count every event")
		}
		time.Sleep(50 * time.Millisecond)
	}
	elapsed := time.Since(start)
	peak = max(peak, vmHWM(t, s.cmd.Process.Pid))
	t.Logf("backfilled %d events in %v (%.0f events/s); server peak RSS %d MiB", events, elapsed.Round(time.Millisecond),
		float64(events)/elapsed.Seconds(), peak>>20)
	const bound = 1 << 30
	if peak > bound {
		t.Errorf("peak RSS %d MiB exceeds %d MiB", peak>>20, bound>>20)
	}
}

// vmHWM is the peak resident set size of process pid in bytes (Linux /proc).
func vmHWM(t *testing.T, pid int) int64 {
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
