package main

import (
	"context"
	"database/sql/driver"
	"fmt"
	"math/rand"
	"os"
	"sort"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/twmb/franz-go/pkg/kfake"
	"github.com/twmb/franz-go/pkg/kgo"
)

// End-to-end tests of Kafka sources: an in-process Kafka (kfake, the real Kafka protocol) in the
// test process feeds the real runnel binary, which is killed, restarted and queried with pgx.

// kafkaCluster is an in-process Kafka cluster and a producer that picks partitions by hand.
type kafkaCluster struct {
	c      *kfake.Cluster
	addr   string
	prod   *kgo.Client
	closed sync.Once
}

func startKafka(t *testing.T, opts ...kfake.Opt) *kafkaCluster {
	t.Helper()
	c, err := kfake.NewCluster(append([]kfake.Opt{kfake.NumBrokers(1)}, opts...)...)
	if err != nil {
		t.Fatalf("start kfake: %v", err)
	}
	addr := c.ListenAddrs()[0]
	prod, err := kgo.NewClient(kgo.SeedBrokers(addr), kgo.RecordPartitioner(kgo.ManualPartitioner()),
		kgo.ProducerLinger(0))
	if err != nil {
		c.Close()
		t.Fatal(err)
	}
	k := &kafkaCluster{c: c, addr: addr, prod: prod}
	t.Cleanup(k.close)
	return k
}

// close stops the producer and the cluster (idempotent).
func (k *kafkaCluster) close() {
	k.closed.Do(func() {
		k.prod.Close()
		k.c.Close()
	})
}

// produce writes values to partition p of topic and waits for the acks.
func (k *kafkaCluster) produce(t *testing.T, topic string, p int32, values ...string) {
	t.Helper()
	recs := make([]*kgo.Record, len(values))
	for i, v := range values {
		recs[i] = &kgo.Record{Topic: topic, Partition: p, Value: []byte(v)}
	}
	if err := k.prod.ProduceSync(context.Background(), recs...).FirstErr(); err != nil {
		t.Fatalf("produce to %s/%d: %v", topic, p, err)
	}
}

// with is the WITH clause of a source reading topic from the start.
func (k *kafkaCluster) with(topic string) string {
	return fmt.Sprintf("WITH (connector = 'kafka', topic = '%s', properties.bootstrap.server = '%s', scan.startup.mode = 'earliest')", topic, k.addr)
}

// envInt is the integer environment variable name, or def when it is unset.
func envInt(t *testing.T, name string, def int) int {
	t.Helper()
	s := os.Getenv(name)
	if s == "" {
		return def
	}
	n, err := strconv.Atoi(s)
	if err != nil || n <= 0 {
		t.Fatalf("%s=%q: want a positive integer", name, s)
	}
	return n
}

// queryText is rowsText that returns errors instead of failing the test.
func queryText(c *pgx.Conn, sql string) (string, error) {
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	rows, err := c.Query(ctx, sql)
	if err != nil {
		return "", err
	}
	defer rows.Close()
	var lines []string
	for rows.Next() {
		vals, err := rows.Values()
		if err != nil {
			return "", err
		}
		parts := make([]string, len(vals))
		for i, v := range vals {
			if dv, ok := v.(driver.Valuer); ok {
				v, _ = dv.Value()
			}
			parts[i] = fmt.Sprint(v)
		}
		lines = append(lines, strings.Join(parts, "|"))
	}
	return strings.Join(lines, "\n"), rows.Err()
}

// waitText polls sql until it returns want (rows as "a|b" lines) and fails after timeout.
func waitText(t *testing.T, s *server, c *pgx.Conn, timeout time.Duration, sql, want string) {
	t.Helper()
	deadline := time.Now().Add(timeout)
	var got string
	var err error
	for time.Now().Before(deadline) {
		if got, err = queryText(c, sql); err == nil && got == want {
			return
		}
		time.Sleep(25 * time.Millisecond)
	}
	t.Fatalf("%s: waited %v for\n%s\nlast got (err %v):\n%s\nserver logs (tail):\n%s", sql, timeout, want, err, got, tail(s.logs.String(), 3000))
}

// waitFor polls sql until ok accepts its text and returns that text; it fails after timeout.
func waitFor(t *testing.T, s *server, c *pgx.Conn, timeout time.Duration, sql string, ok func(string) bool) string {
	t.Helper()
	deadline := time.Now().Add(timeout)
	var got string
	var err error
	for time.Now().Before(deadline) {
		if got, err = queryText(c, sql); err == nil && ok(got) {
			return got
		}
		time.Sleep(25 * time.Millisecond)
	}
	t.Fatalf("%s: condition not met within %v; last got (err %v):\n%s\nserver logs (tail):\n%s", sql, timeout, err, got, tail(s.logs.String(), 3000))
	return ""
}

func tail(s string, n int) string {
	if len(s) > n {
		return "..." + s[len(s)-n:]
	}
	return s
}

// crashEvents is what the crash test produced: per key, the count and sum of v, and the
// upserted row of the key ("k|v|id"; absent after a tombstone).
type crashEvents struct {
	mu       sync.Mutex
	produced int // acknowledged events
	n, sum   map[int64]int64
	last     map[int64]string
	// rn and r are per key the count and sum of 1000000 / (v + 500 + k % 8) over events where
	// the divisor is not 0 (the others fail with a division by zero and are skipped).
	rn, r map[int64]int64
}

func (ev *crashEvents) latest() string {
	ev.mu.Lock()
	defer ev.mu.Unlock()
	return latestLines(ev.last)
}

func latestLines(last map[int64]string) string {
	keys := make([]int64, 0, len(last))
	for k := range last {
		keys = append(keys, k)
	}
	sort.Slice(keys, func(i, j int) bool { return keys[i] < keys[j] })
	lines := make([]string, len(keys))
	for i, k := range keys {
		lines[i] = last[k]
	}
	return strings.Join(lines, "\n")
}

func (ev *crashEvents) lines() string {
	ev.mu.Lock()
	defer ev.mu.Unlock()
	return groupLines(ev.n, ev.sum)
}

func groupLines(n, sum map[int64]int64) string {
	keys := make([]int64, 0, len(n))
	for k := range n {
		keys = append(keys, k)
	}
	sort.Slice(keys, func(i, j int) bool { return keys[i] < keys[j] })
	lines := make([]string, len(keys))
	for i, k := range keys {
		lines[i] = fmt.Sprintf("%d|%d|%d", k, n[k], sum[k])
	}
	return strings.Join(lines, "\n")
}

// TestKafkaCrashExactlyOnce: SIGKILL the server at random moments while it ingests 100K events,
// 20 times, restart it each time, and check that the views equal what was computed from the
// topic, exactly. Views: per key count and sum; a global count, count(DISTINCT id) (a duplicate
// shows at once) and count(DISTINCT k); per key a sum that divides by zero for about one event in
// 10000 (skipped by splitting the epoch). Each event also upserts (or, one in 16, deletes) its key
// in a second topic that feeds a FORMAT UPSERT table. RUNNEL_KAFKA_CRASH_EVENTS, _KILLS and _SEED
// change the size and the seed.
func TestKafkaCrashExactlyOnce(t *testing.T) {
	total := envInt(t, "RUNNEL_KAFKA_CRASH_EVENTS", 100_000)
	kills := envInt(t, "RUNNEL_KAFKA_CRASH_KILLS", 20)
	seed := int64(envInt(t, "RUNNEL_KAFKA_CRASH_SEED", int(time.Now().UnixNano()%1_000_000)+1))
	t.Logf("%d events, %d kills, seed %d (RUNNEL_KAFKA_CRASH_SEED=%d reproduces the schedule)", total, kills, seed, seed)
	start := time.Now()
	const topic, upserts, partitions = "events", "latest", 3
	k := startKafka(t, kfake.SeedTopics(partitions, topic, upserts))
	rng := rand.New(rand.NewSource(seed))

	// The producer writes events {id, k, v} in batches up to the targets the rounds set: some
	// rounds let it finish before the server starts (a backlog to catch up on), others start the
	// server while it produces. Keys are skewed: a few hot keys and a long tail. A key's upserts
	// all go to one partition, so the last one wins.
	ev := &crashEvents{n: map[int64]int64{}, sum: map[int64]int64{}, last: map[int64]string{},
		rn: map[int64]int64{}, r: map[int64]int64{}}
	target := make(chan int, kills+1)
	reached := make(chan error, kills+1)
	go func() {
		prng := rand.New(rand.NewSource(seed + 1))
		id := 0
		for goal := range target {
			for id < goal {
				n := min(goal-id, 200+prng.Intn(1800))
				recs := make([]*kgo.Record, 2*n)
				ks, vs, del := make([]int64, n), make([]int64, n), make([]bool, n)
				for i := 0; i < n; i++ {
					ks[i] = int64(prng.Intn(prng.Intn(300) + 1))
					vs[i] = int64(prng.Intn(2000) - 500)
					del[i] = prng.Intn(16) == 0
					recs[2*i] = &kgo.Record{Topic: topic, Partition: int32(prng.Intn(partitions)),
						Value: fmt.Appendf(nil, `{"id": %d, "k": %d, "v": %d}`, id+i, ks[i], vs[i])}
					up := &kgo.Record{Topic: upserts, Partition: int32(ks[i] % partitions), Key: fmt.Appendf(nil, "%d", ks[i])}
					if !del[i] {
						up.Value = fmt.Appendf(nil, `{"k": %d, "v": %d, "id": %d}`, ks[i], vs[i], id+i)
					}
					recs[2*i+1] = up
				}
				if err := k.prod.ProduceSync(context.Background(), recs...).FirstErr(); err != nil {
					reached <- err
					return
				}
				ev.mu.Lock()
				for i := 0; i < n; i++ {
					ev.n[ks[i]]++
					ev.sum[ks[i]] += vs[i]
					if d := vs[i] + 500 + ks[i]%8; d != 0 {
						ev.rn[ks[i]]++
						ev.r[ks[i]] += 1000000 / d
					}
					if del[i] {
						delete(ev.last, ks[i])
					} else {
						ev.last[ks[i]] = fmt.Sprintf("%d|%d|%d", ks[i], vs[i], id+i)
					}
				}
				ev.produced += n
				ev.mu.Unlock()
				id += n
				time.Sleep(time.Duration(prng.Intn(20)) * time.Millisecond)
			}
			reached <- nil
		}
	}()
	defer close(target)
	waitProduced := func() {
		if err := <-reached; err != nil {
			t.Fatalf("producer: %v", err)
		}
	}
	produced := func() int {
		ev.mu.Lock()
		defer ev.mu.Unlock()
		return ev.produced
	}

	dir := t.TempDir()
	// Production ends a few rounds before the last kill, so that the last rounds kill while
	// the server catches up or idles.
	prodRounds := max(1, kills*3/4)
	killedBusy := 0
	for round := 0; round < kills; round++ {
		target <- min(total, total*(round+1)/prodRounds)
		backlog := rng.Intn(2) == 0
		if backlog {
			waitProduced()
		}
		s := startServer(t, dir)
		c := connect(t, s)
		if round == 0 {
			mustExec(t, c, "CREATE SOURCE events (id bigint, k int, v bigint) "+k.with(topic)+" FORMAT PLAIN ENCODE JSON")
			mustExec(t, c, "CREATE MATERIALIZED VIEW per_k AS SELECT k, count(*) AS n, sum(v) AS s FROM events GROUP BY k")
			mustExec(t, c, "CREATE MATERIALIZED VIEW uniq AS SELECT count(*) AS n, count(DISTINCT id) AS ids, count(DISTINCT k) AS ks FROM events")
			// About one event in 10000 makes this view divide by zero: it skips the event,
			// splitting the epoch that carries it.
			mustExec(t, c, "CREATE MATERIALIZED VIEW ratio AS SELECT k, count(*) AS n, sum(1000000 / (v + 500 + k % 8)) AS r FROM events GROUP BY k")
			mustExec(t, c, "CREATE TABLE latest (k int PRIMARY KEY, v bigint, id bigint) "+k.with(upserts)+" FORMAT UPSERT ENCODE JSON")
			mustExec(t, c, "CREATE MATERIALIZED VIEW latest_sum AS SELECT count(*) AS n, sum(v) AS s FROM latest")
		}
		// Whatever the moment, a view never counts an event twice and never counts more than
		// was produced.
		before := produced()
		var n, ids, perK int64
		ctx, cancel := context.WithTimeout(context.Background(), 15*time.Second)
		err := c.QueryRow(ctx, "SELECT coalesce(sum(n), 0), coalesce(sum(ids), 0) FROM uniq").Scan(&n, &ids)
		if err == nil {
			err = c.QueryRow(ctx, "SELECT coalesce(sum(n), 0) FROM per_k").Scan(&perK)
		}
		cancel()
		if err != nil {
			t.Fatalf("round %d: %v\nlogs:\n%s", round, err, s.logs)
		}
		if after := produced(); n != ids || n > int64(after) || perK > int64(after) {
			t.Fatalf("round %d after restart: uniq counts %d events with %d distinct ids, per_k %d; %d..%d were produced", round, n, ids, perK, before, after)
		}
		// Kill while the server ingests (as soon as a feed knows of records it has not
		// committed yet), at once, or later.
		var how string
		switch mode := rng.Intn(4); {
		case mode <= 1:
			how = "mid-ingest"
			deadline := time.Now().Add(2 * time.Second)
			for time.Now().Before(deadline) {
				var lag int64
				ctx, cancel := context.WithTimeout(context.Background(), 15*time.Second)
				err := c.QueryRow(ctx, "SELECT coalesce(sum(lag), 0) FROM runnel_catalog.source_status").Scan(&lag)
				cancel()
				if err != nil {
					t.Fatalf("round %d: source_status: %v (the server stopped answering?)\nserver logs (tail):\n%s", round, err, tail(s.logs.String(), 3000))
				}
				if lag > 0 {
					break
				}
				time.Sleep(time.Millisecond)
			}
		case mode == 2:
			wait := time.Duration(rng.Intn(30)) * time.Millisecond
			how = fmt.Sprintf("after %v", wait)
			time.Sleep(wait)
		default:
			wait := time.Duration(30+rng.Intn(1200)) * time.Millisecond
			how = fmt.Sprintf("after %v", wait)
			time.Sleep(wait)
		}
		lag, _ := queryText(c, "SELECT coalesce(sum(lag), 0) FROM runnel_catalog.source_status")
		s.kill()
		if lag != "0" {
			killedBusy++
		}
		t.Logf("round %d: killed %s (backlog %v); produced %d, per_k had %d at restart, lag at the kill %s", round, how, backlog, produced(), perK, lag)
		if !backlog {
			waitProduced()
		}
	}
	if got := produced(); got != total {
		t.Fatalf("produced %d events, want %d", got, total)
	}

	s := startServer(t, dir)
	c := connect(t, s)
	catchUp := time.Now()
	waitText(t, s, c, 90*time.Second, "SELECT sum(n) FROM per_k", fmt.Sprint(total))
	waitText(t, s, c, 90*time.Second, "SELECT n, ids FROM uniq", fmt.Sprintf("%d|%d", total, total))
	t.Logf("final catch-up took %v; %d of %d kills hit the server with records still to read", time.Since(catchUp).Round(time.Millisecond), killedBusy, kills)
	want := ev.lines()
	if got := rowsText(t, c, "SELECT k, n, s FROM per_k ORDER BY k"); got != want {
		t.Errorf("per_k differs from the produced events:\n%s", lineDiff(got, want))
	}
	ev.mu.Lock()
	wantRatio := groupLines(ev.rn, ev.r)
	ev.mu.Unlock()
	waitText(t, s, c, 90*time.Second, "SELECT k, n, r FROM ratio ORDER BY k", wantRatio)
	wantLatest := ev.latest()
	waitText(t, s, c, 90*time.Second, "SELECT k, v, id FROM latest ORDER BY k", wantLatest)
	var latestN, latestSum int64
	for _, l := range strings.Split(wantLatest, "\n") {
		var k, v, id int64
		if _, err := fmt.Sscanf(l, "%d|%d|%d", &k, &v, &id); err != nil {
			t.Fatal(err)
		}
		latestN++
		latestSum += v
	}
	waitText(t, s, c, 20*time.Second, "SELECT n, s FROM latest_sum", fmt.Sprintf("%d|%d", latestN, latestSum))
	// A view created now reads the whole topic in one go: same answer.
	fresh := time.Now()
	mustExec(t, c, "CREATE MATERIALIZED VIEW per_k_fresh AS SELECT k, count(*) AS n, sum(v) AS s FROM events GROUP BY k")
	waitText(t, s, c, 90*time.Second, "SELECT sum(n) FROM per_k_fresh", fmt.Sprint(total))
	t.Logf("a new view read the %d events in %v", total, time.Since(fresh).Round(time.Millisecond))
	if got := rowsText(t, c, "SELECT k, n, s FROM per_k_fresh ORDER BY k"); got != want {
		t.Errorf("per_k_fresh differs from the produced events:\n%s", lineDiff(got, want))
	}
	ev.mu.Lock()
	keys := len(ev.n)
	ev.mu.Unlock()
	if got, want := rowsText(t, c, "SELECT n, ids, ks FROM uniq"), fmt.Sprintf("%d|%d|%d", total, total, keys); got != want {
		t.Errorf("uniq = %s, want %s", got, want)
	}
	// Each view's feed is at the end of every partition, with nothing rejected but by ratio.
	if got, want := rowsText(t, c, "SELECT consumer, sum(committed_offset), sum(lag), sum(CASE WHEN consumer = 'ratio' THEN 0 ELSE rejected END) FROM runnel_catalog.source_status GROUP BY consumer ORDER BY consumer"),
		fmt.Sprintf("latest|%d|0|0\nper_k|%d|0|0\nper_k_fresh|%d|0|0\nratio|%d|0|0\nuniq|%d|0|0", total, total, total, total, total); got != want {
		t.Errorf("source_status:\n%s\nwant:\n%s", got, want)
	}

	// Cross-check the bookkeeping against the topic itself.
	fromTopic := consumeGroups(t, k.addr, topic, total)
	if fromTopic != want {
		t.Errorf("the topic's events differ from the producer's bookkeeping:\n%s", lineDiff(fromTopic, want))
	}
	if fromTopic := consumeLatest(t, k.addr, upserts, total); fromTopic != wantLatest {
		t.Errorf("the upserts in the topic differ from the producer's bookkeeping:\n%s", lineDiff(fromTopic, wantLatest))
	}

	// The feeds still run after all this.
	k.produce(t, topic, 0, `{"id": -1, "k": -7, "v": 3}`)
	waitText(t, s, c, 20*time.Second, "SELECT n, s FROM per_k WHERE k = -7", "1|3")
	waitText(t, s, c, 20*time.Second, "SELECT n, ids FROM uniq", fmt.Sprintf("%d|%d", total+1, total+1))
	s.stop(t)
	t.Logf("total %v", time.Since(start).Round(time.Millisecond))
}

// consumeGroups reads topic from the start with its own client until it has want records and
// returns per k "k|count|sum(v)" lines.
func consumeGroups(t *testing.T, addr, topic string, want int) string {
	t.Helper()
	cl, err := kgo.NewClient(kgo.SeedBrokers(addr), kgo.ConsumeTopics(topic), kgo.ConsumeResetOffset(kgo.NewOffset().AtStart()))
	if err != nil {
		t.Fatal(err)
	}
	defer cl.Close()
	n, sum := map[int64]int64{}, map[int64]int64{}
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	got := 0
	for got < want {
		fs := cl.PollFetches(ctx)
		if err := ctx.Err(); err != nil {
			t.Fatalf("consumed %d of %d records from %s: %v", got, want, topic, err)
		}
		fs.EachError(func(_ string, p int32, err error) { t.Fatalf("consume %s/%d: %v", topic, p, err) })
		var decodeErr error
		fs.EachRecord(func(r *kgo.Record) {
			var id, key, v int64
			if _, err := fmt.Sscanf(string(r.Value), `{"id": %d, "k": %d, "v": %d}`, &id, &key, &v); err != nil && decodeErr == nil {
				decodeErr = fmt.Errorf("record %s/%d@%d %q: %w", topic, r.Partition, r.Offset, r.Value, err)
			}
			n[key]++
			sum[key] += v
			got++
		})
		if decodeErr != nil {
			t.Fatal(decodeErr)
		}
	}
	return groupLines(n, sum)
}

// consumeLatest reads topic from the start until it has want records and returns the
// last "k|v|id" per key, dropping keys whose last record is a tombstone.
func consumeLatest(t *testing.T, addr, topic string, want int) string {
	t.Helper()
	cl, err := kgo.NewClient(kgo.SeedBrokers(addr), kgo.ConsumeTopics(topic), kgo.ConsumeResetOffset(kgo.NewOffset().AtStart()))
	if err != nil {
		t.Fatal(err)
	}
	defer cl.Close()
	last := map[int64]string{}
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	for got := 0; got < want; {
		fs := cl.PollFetches(ctx)
		if err := ctx.Err(); err != nil {
			t.Fatalf("consumed %d of %d records from %s: %v", got, want, topic, err)
		}
		fs.EachError(func(_ string, p int32, err error) { t.Fatalf("consume %s/%d: %v", topic, p, err) })
		var decodeErr error
		fs.EachRecord(func(r *kgo.Record) { // in offset order within each partition
			got++
			key, err := strconv.ParseInt(string(r.Key), 10, 64)
			if err != nil && decodeErr == nil {
				decodeErr = fmt.Errorf("record %s/%d@%d key %q: %w", topic, r.Partition, r.Offset, r.Key, err)
			}
			if r.Value == nil {
				delete(last, key)
				return
			}
			var k, v, id int64
			if _, err := fmt.Sscanf(string(r.Value), `{"k": %d, "v": %d, "id": %d}`, &k, &v, &id); err != nil && decodeErr == nil {
				decodeErr = fmt.Errorf("record %s/%d@%d %q: %w", topic, r.Partition, r.Offset, r.Value, err)
			}
			last[key] = fmt.Sprintf("%d|%d|%d", k, v, id)
		})
		if decodeErr != nil {
			t.Fatal(decodeErr)
		}
	}
	return latestLines(last)
}

// lineDiff lists the lines only in got or only in want.
func lineDiff(got, want string) string {
	in := func(s string) map[string]bool {
		m := map[string]bool{}
		for _, l := range strings.Split(s, "\n") {
			m[l] = true
		}
		return m
	}
	g, w := in(got), in(want)
	var b strings.Builder
	for _, l := range strings.Split(got, "\n") {
		if !w[l] {
			fmt.Fprintf(&b, "+ %s\n", l)
		}
	}
	for _, l := range strings.Split(want, "\n") {
		if !g[l] {
			fmt.Fprintf(&b, "- %s\n", l)
		}
	}
	return b.String()
}

// produceTicks writes events {"id": i, "k": i%7} for i in [from, to) round-robin over partitions.
func produceTicks(t *testing.T, k *kafkaCluster, topic string, partitions, from, to int) {
	t.Helper()
	var recs []*kgo.Record
	for i := from; i < to; i++ {
		recs = append(recs, &kgo.Record{Topic: topic, Partition: int32(i % partitions), Value: fmt.Appendf(nil, `{"id": %d, "k": %d}`, i, i%7)})
	}
	if err := k.prod.ProduceSync(context.Background(), recs...).FirstErr(); err != nil {
		t.Fatalf("produce: %v", err)
	}
}

// tickLines is what SELECT k, n FROM per_k ORDER BY k returns after events [0, n) of produceTicks.
func tickLines(n int) string {
	var lines []string
	for k := 0; k < 7 && k < n; k++ {
		lines = append(lines, fmt.Sprintf("%d|%d", k, (n-k+6)/7))
	}
	return strings.Join(lines, "\n")
}

// TestKafkaBrokerRestart stops the Kafka cluster under a running server, checks that the
// source reports it is retrying (across a server restart too) while its views still answer,
// then starts the cluster again on the same address with the same data (kfake.DataDir
// persists the log) and checks that the views catch up with the new records, none twice.
func TestKafkaBrokerRestart(t *testing.T) {
	const topic, partitions = "ticks", 2
	kdir := t.TempDir()
	k := startKafka(t, kfake.DataDir(kdir), kfake.SeedTopics(partitions, topic))
	_, portText, _ := strings.Cut(k.addr, ":")
	port, err := strconv.Atoi(portText)
	if err != nil {
		t.Fatalf("kfake address %q: %v", k.addr, err)
	}
	dir := t.TempDir()
	s := startServer(t, dir)
	c := connect(t, s)
	mustExec(t, c, "CREATE SOURCE ticks (id bigint, k int) "+k.with(topic)+" FORMAT PLAIN ENCODE JSON")
	mustExec(t, c, "CREATE MATERIALIZED VIEW per_k AS SELECT k, count(*) AS n FROM ticks GROUP BY k")
	mustExec(t, c, "CREATE MATERIALIZED VIEW uniq AS SELECT count(*) AS n, count(DISTINCT id) AS ids FROM ticks")
	produceTicks(t, k, topic, partitions, 0, 1000)
	waitText(t, s, c, 20*time.Second, "SELECT n, ids FROM uniq", "1000|1000")
	waitText(t, s, c, 20*time.Second, "SELECT k, n FROM per_k ORDER BY k", tickLines(1000))
	waitText(t, s, c, 20*time.Second, "SELECT DISTINCT state FROM runnel_catalog.source_status", "running")

	k.close()
	stopped := time.Now()
	retrying := func(s string) bool {
		return s != "" && !strings.Contains(s, "running") && strings.Count(s, "retrying") == len(strings.Split(s, "\n"))
	}
	st := waitFor(t, s, c, 30*time.Second, "SELECT DISTINCT state FROM runnel_catalog.source_status", retrying)
	t.Logf("%v after the broker stopped: state %q", time.Since(stopped).Round(time.Millisecond), st)
	if got := rowsText(t, c, "SELECT count(*) FROM runnel_catalog.source_status WHERE last_error IS NULL OR last_error_at IS NULL"); got != "0" {
		t.Errorf("%s source_status rows without last_error while the broker is down:\n%s", got,
			rowsText(t, c, "SELECT consumer, partition, state, last_error, last_error_at FROM runnel_catalog.source_status"))
	}
	if got := rowsText(t, c, "SELECT n, ids FROM uniq"); got != "1000|1000" {
		t.Errorf("uniq while the broker is down = %s, want 1000|1000", got)
	}

	// A server restarted while the broker is down starts its feeds anyway and reports them.
	s.kill()
	s = startServer(t, dir)
	c = connect(t, s)
	waitFor(t, s, c, 30*time.Second, "SELECT DISTINCT state FROM runnel_catalog.source_status", func(s string) bool {
		return s != "" && !strings.Contains(s, "running")
	})
	waitFor(t, s, c, 30*time.Second, "SELECT DISTINCT state FROM runnel_catalog.source_status", retrying)
	if got := rowsText(t, c, "SELECT k, n FROM per_k ORDER BY k"); got != tickLines(1000) {
		t.Errorf("per_k after a restart without the broker:\n%s\nwant:\n%s", got, tickLines(1000))
	}

	// The same cluster comes back on the same port with its log; more records arrive.
	k2 := startKafka(t, kfake.DataDir(kdir), kfake.Ports(port))
	if k2.addr != k.addr {
		t.Fatalf("kfake restarted on %s, not %s", k2.addr, k.addr)
	}
	back := time.Now()
	produceTicks(t, k2, topic, partitions, 1000, 1500)
	waitText(t, s, c, 30*time.Second, "SELECT n, ids FROM uniq", "1500|1500")
	waitText(t, s, c, 30*time.Second, "SELECT k, n FROM per_k ORDER BY k", tickLines(1500))
	t.Logf("the views caught up %v after the broker came back", time.Since(back).Round(time.Millisecond))
	waitText(t, s, c, 30*time.Second, "SELECT consumer, partition, committed_offset, lag, state FROM runnel_catalog.source_status ORDER BY consumer, partition",
		"per_k|0|750|0|running\nper_k|1|750|0|running\nuniq|0|750|0|running\nuniq|1|750|0|running")
	s.stop(t)
}

// TestKafkaBadMessages: malformed messages among good ones are skipped and listed in
// runnel_catalog.source_errors with their partition, offset and payload prefix; the server keeps
// going, and after a restart they are not read (nor counted) again.
func TestKafkaBadMessages(t *testing.T) {
	const topic = "orders"
	k := startKafka(t, kfake.SeedTopics(2, topic))
	dir := t.TempDir()
	s := startServer(t, dir)
	c := connect(t, s)
	mustExec(t, c, "CREATE SOURCE orders (id bigint, qty int, item text) "+k.with(topic)+" FORMAT PLAIN ENCODE JSON")
	mustExec(t, c, "CREATE MATERIALIZED VIEW per_item AS SELECT item, count(*) AS n, sum(qty) AS q FROM orders GROUP BY item")
	mustExec(t, c, "CREATE MATERIALIZED VIEW per_unit AS SELECT id, 100 / qty AS share FROM orders")

	long := `{"id": 99, "qty": "lots", "item": "` + strings.Repeat("x", 100) + `"}`
	k.produce(t, topic, 0,
		`{"id": 1, "qty": 2, "item": "pen"}`, // 0
		`{"id": 2, "qty": 1, "item": "ink"`,  // 1: truncated
		`{"id": 3, "qty": 5, "item": "pen"}`, // 2
		long,                                 // 3: qty is not a number; the payload is cut
		"\xff\xfe binary \x00",               // 4: not UTF-8 (one U+FFFD in the payload), not JSON
		`{"id": 4, "qty": 0, "item": "cap"}`, // 5: decodes, but 100 / 0 fails in per_unit only
	)
	k.produce(t, topic, 1,
		`[1, 2, 3]`,                          // 0: not an object
		`{"id": 5, "qty": 1, "item": "ink"}`, // 1
		``,                                   // 2: empty
		`{"id": 6, "qty": 3, "item": "ink"}`, // 3
	)
	waitText(t, s, c, 20*time.Second, "SELECT item, n, q FROM per_item ORDER BY item", "cap|1|0\nink|2|4\npen|2|7")
	waitText(t, s, c, 20*time.Second, "SELECT id, share FROM per_unit ORDER BY id", "1|50\n3|20\n5|100\n6|33")
	errs := `SELECT consumer, partition, "offset", payload FROM runnel_catalog.source_errors ORDER BY consumer, partition, "offset"`
	cut := long[:64]
	wantErrs := strings.Join([]string{
		"per_item|0|1|" + `{"id": 2, "qty": 1, "item": "ink"`,
		"per_item|0|3|" + cut,
		"per_item|0|4|\ufffd binary \x00",
		"per_item|1|0|[1, 2, 3]",
		"per_item|1|2|",
		"per_unit|0|1|" + `{"id": 2, "qty": 1, "item": "ink"`,
		"per_unit|0|3|" + cut,
		"per_unit|0|4|\ufffd binary \x00",
		`per_unit|0|5|{"id": 4, "qty": 0}`,
		"per_unit|1|0|[1, 2, 3]",
		"per_unit|1|2|",
	}, "\n")
	waitText(t, s, c, 20*time.Second, errs, wantErrs)
	for _, r := range strings.Split(rowsText(t, c, `SELECT consumer, partition, "offset", reason, at FROM runnel_catalog.source_errors WHERE source = 'orders'`), "\n") {
		f := strings.Split(r, "|")
		if len(f) != 5 || strings.TrimSpace(f[3]) == "" || f[4] == "" || f[4] == "<nil>" {
			t.Errorf("source_errors row without a reason or time: %q", r)
		}
	}
	if got := rowsText(t, c, `SELECT reason FROM runnel_catalog.source_errors WHERE consumer = 'per_unit' AND "offset" = 5`); !strings.Contains(got, "division by zero") {
		t.Errorf("reason for 100 / 0: %q", got)
	}
	waitText(t, s, c, 20*time.Second, "SELECT consumer, partition, committed_offset, lag, records, rejected FROM runnel_catalog.source_status ORDER BY consumer, partition",
		"per_item|0|6|0|6|3\nper_item|1|4|0|4|2\nper_unit|0|6|0|6|4\nper_unit|1|4|0|4|2")

	// The server keeps going: more good and bad messages. Once both views show the record after
	// the bad one, they have committed past it.
	k.produce(t, topic, 1, `{"id": 7, "qty": 10, "item": "pen"}`, `nope`, `{"id": 9, "qty": 5, "item": "ink"}`)
	waitText(t, s, c, 20*time.Second, "SELECT item, n, q FROM per_item ORDER BY item", "cap|1|0\nink|3|9\npen|3|17")
	waitText(t, s, c, 20*time.Second, "SELECT id, share FROM per_unit ORDER BY id", "1|50\n3|20\n5|100\n6|33\n7|10\n9|20")
	waitText(t, s, c, 20*time.Second, `SELECT consumer, payload FROM runnel_catalog.source_errors WHERE partition = 1 AND "offset" = 5 ORDER BY consumer`, "per_item|nope\nper_unit|nope")

	// After a restart the views resume past the rejected records: nothing is counted again and
	// nothing is rejected again.
	s.kill()
	s = startServer(t, dir)
	c = connect(t, s)
	k.produce(t, topic, 0, `{"id": 8, "qty": 1, "item": "cap"}`)
	waitText(t, s, c, 20*time.Second, "SELECT item, n, q FROM per_item ORDER BY item", "cap|2|1\nink|3|9\npen|3|17")
	waitText(t, s, c, 20*time.Second, "SELECT id, share FROM per_unit ORDER BY id", "1|50\n3|20\n5|100\n6|33\n7|10\n8|100\n9|20")
	if got := rowsText(t, c, "SELECT count(*) FROM runnel_catalog.source_errors"); got != "0" {
		t.Errorf("after the restart source_errors has %s rows, want 0 (the rejected records are behind the committed offsets):\n%s", got, rowsText(t, c, errs))
	}
	s.stop(t)
}
