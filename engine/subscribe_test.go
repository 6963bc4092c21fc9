package engine

import (
	"context"
	"errors"
	"fmt"
	"math/rand"
	"sort"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/runnel-db/runnel/exec/sqlerr"
	"github.com/runnel-db/runnel/exec/types"
)

// subRow is one SUBSCRIBE row: its epoch and the rest as "diff|col|col".
type subRow struct {
	epoch uint64
	rest  string
}

// prepareExecute prepares and executes one statement, failing the test on an error.
func prepareExecute(t *testing.T, s *Session, text string) *Result {
	t.Helper()
	ctx := context.Background()
	p, err := s.Prepare(ctx, text, nil)
	if err != nil {
		t.Fatalf("%s: %v", text, err)
	}
	r, err := s.Execute(ctx, p, nil)
	if err != nil {
		t.Fatalf("%s: %v", text, err)
	}
	return r
}

// startSubscribe prepares and executes a SUBSCRIBE; the caller reads and closes the rows.
func startSubscribe(t *testing.T, s *Session, text string) *Result {
	t.Helper()
	r := prepareExecute(t, s, text)
	t.Cleanup(r.Rows.Close)
	return r
}

// nextRows reads one chunk of a subscription, waiting at most d.
func nextRows(s *Session, r *Result, d time.Duration) ([]subRow, error) {
	ctx, cancel := context.WithTimeout(context.Background(), d)
	defer cancel()
	rec, err := r.Rows.Next(ctx)
	if err != nil {
		return nil, err
	}
	if rec == nil {
		return nil, errors.New("subscription ended")
	}
	defer rec.Release()
	var out []subRow
	for i := 0; i < int(rec.NumRows()); i++ {
		parts := make([]string, rec.NumCols())
		for j := range parts {
			if col := rec.Column(j); col.IsNull(i) {
				parts[j] = "NULL"
			} else {
				parts[j] = string(types.AppendText(nil, col, i, r.Columns[j].Type, s.location()))
			}
		}
		ep, err := strconv.ParseUint(parts[0], 10, 64)
		if err != nil {
			return nil, fmt.Errorf("mz_timestamp %q: %v", parts[0], err)
		}
		out = append(out, subRow{ep, strings.Join(parts[1:], "|")})
	}
	return out, nil
}

// readSub reads exactly n rows of a subscription and checks nothing more is buffered. Rows are
// returned as "epoch-base|diff|cols", sorted by epoch then text (the order within an epoch is
// unspecified); epochs must arrive in order.
func readSub(t *testing.T, s *Session, r *Result, base uint64, n int) []string {
	t.Helper()
	var rows []subRow
	for len(rows) < n {
		got, err := nextRows(s, r, 10*time.Second)
		if err != nil {
			t.Fatalf("after %d of %d rows: %v", len(rows), n, err)
		}
		rows = append(rows, got...)
	}
	if len(rows) > n {
		t.Fatalf("got %d rows, want %d: %v", len(rows), n, rows)
	}
	if r.Rows.(StreamingRows).Buffered() {
		t.Fatalf("more rows buffered after the %d expected", n)
	}
	for i := 1; i < len(rows); i++ {
		if rows[i].epoch < rows[i-1].epoch {
			t.Fatalf("epoch %d after epoch %d", rows[i].epoch, rows[i-1].epoch)
		}
	}
	sort.SliceStable(rows, func(i, j int) bool {
		if rows[i].epoch != rows[j].epoch {
			return rows[i].epoch < rows[j].epoch
		}
		return rows[i].rest < rows[j].rest
	})
	lines := make([]string, len(rows))
	for i, row := range rows {
		lines[i] = fmt.Sprintf("%d|%s", int64(row.epoch-base), row.rest)
	}
	return lines
}

func expectLines(t *testing.T, what string, got []string, want ...string) {
	t.Helper()
	if strings.Join(got, "\n") != strings.Join(want, "\n") {
		t.Errorf("%s\ngot:\n%s\nwant:\n%s", what, strings.Join(got, "\n"), strings.Join(want, "\n"))
	}
}

func TestSubscribeMaterializedView(t *testing.T) {
	e := openMem(t)
	s, sub := newSession(t, e), newSession(t, e)
	mustQuery(t, s, `CREATE TABLE t (k int, v text);
		INSERT INTO t VALUES (1, 'a'), (2, 'b'), (2, 'b');
		CREATE MATERIALIZED VIEW mv AS SELECT k, v FROM t WHERE k < 10`)
	base := e.Epoch()
	r := startSubscribe(t, sub, "SUBSCRIBE mv")
	if got := fmt.Sprint(r.Columns); !strings.HasPrefix(got, "[{mz_timestamp numeric") {
		t.Errorf("columns %s", got)
	}
	expectLines(t, "snapshot", readSub(t, sub, r, base, 2), "0|1|1|a", "0|2|2|b")
	mustQuery(t, s, "INSERT INTO t VALUES (3, 'c')")
	mustQuery(t, s, "UPDATE t SET v = 'z' WHERE k = 2")
	mustQuery(t, s, "DELETE FROM t WHERE k = 1")
	mustQuery(t, s, "INSERT INTO t VALUES (20, 'x')") // outside the view: no rows for epoch 4
	mustQuery(t, s, "INSERT INTO t VALUES (4, 'd'), (4, 'd'), (5, 'e')")
	expectLines(t, "changes", readSub(t, sub, r, base, 6),
		"1|1|3|c", "2|-2|2|b", "2|2|2|z", "3|-1|1|a", "5|1|5|e", "5|2|4|d")
}

func TestSubscribeAggregateAndTable(t *testing.T) {
	e := openMem(t)
	s, sub := newSession(t, e), newSession(t, e)
	mustQuery(t, s, `CREATE TABLE t (k int PRIMARY KEY, g text, n int);
		CREATE TABLE bag (x int);
		CREATE MATERIALIZED VIEW agg AS SELECT g, sum(n) AS total, count(*) AS c FROM t GROUP BY g;
		INSERT INTO t VALUES (1, 'a', 10), (2, 'b', 5)`)
	base := e.Epoch()
	ra := startSubscribe(t, sub, "SUBSCRIBE TO agg WITH (SNAPSHOT = true)")
	sub2 := newSession(t, e)
	rt := startSubscribe(t, sub2, "SUBSCRIBE t WITH (SNAPSHOT = false)")
	sub3 := newSession(t, e)
	rb := startSubscribe(t, sub3, "SUBSCRIBE bag")
	mustQuery(t, s, "INSERT INTO t VALUES (3, 'a', 1)")
	mustQuery(t, s, "UPDATE t SET n = n + 1 WHERE k = 2")
	mustQuery(t, s, "INSERT INTO bag VALUES (7), (7), (8)")
	mustQuery(t, s, "DELETE FROM bag WHERE x = 7")
	// A failed statement commits no epoch and publishes nothing.
	expectError(t, s, "INSERT INTO t VALUES (4, 'c', 1), (1, 'a', 1)", sqlerr.UniqueViolation)
	mustQuery(t, s, "TRUNCATE t")
	expectLines(t, "agg", readSub(t, sub, ra, base, 8),
		"0|1|a|10|1", "0|1|b|5|1",
		"1|-1|a|10|1", "1|1|a|11|2",
		"2|-1|b|5|1", "2|1|b|6|1",
		"5|-1|a|11|2", "5|-1|b|6|1")
	expectLines(t, "table t", readSub(t, sub2, rt, base, 6),
		"1|1|3|a|1",
		"2|-1|2|b|5", "2|1|2|b|6",
		"5|-1|1|a|10", "5|-1|2|b|6", "5|-1|3|a|1")
	expectLines(t, "table bag (no primary key)", readSub(t, sub3, rb, base, 3),
		"3|1|8", "3|2|7", "4|-2|7")
}

func TestSubscribeRejects(t *testing.T) {
	e := openMem(t)
	s := newSession(t, e)
	mustQuery(t, s, "CREATE TABLE t (k int); CREATE VIEW v AS SELECT k FROM t")
	err := expectError(t, s, "SUBSCRIBE v", sqlerr.FeatureNotSupported)
	if !strings.Contains(err.Message, `view "v"`) || err.Position != 11 {
		t.Errorf("view: %q at %d", err.Message, err.Position)
	}
	err = expectError(t, s, "SUBSCRIBE nope", sqlerr.UndefinedTable)
	if err.Message != `relation "nope" does not exist` || err.Position != 11 {
		t.Errorf("missing: %q at %d", err.Message, err.Position)
	}
	expectError(t, s, "SUBSCRIBE t WITH (PROGRESS)", sqlerr.FeatureNotSupported)
	expectError(t, s, "SUBSCRIBE t WITH (PROGRESS = false, SNAPSHOT = maybe)", sqlerr.InvalidParameterValue)
	expectError(t, s, "DECLARE c CURSOR FOR SUBSCRIBE t", "25P01")                              // outside a transaction block
	expectError(t, s, "DECLARE c CURSOR WITH HOLD FOR SUBSCRIBE v", sqlerr.FeatureNotSupported) // a plain view
	expectError(t, s, "COPY (SUBSCRIBE t) TO STDOUT WITH (FORMAT binary)", sqlerr.FeatureNotSupported)
	expectError(t, s, "COPY (SUBSCRIBE v) TO STDOUT", sqlerr.FeatureNotSupported)
	if n := e.subs.count.Load(); n != 0 {
		t.Errorf("%d subscriptions registered after failures", n)
	}
}

// TestSubscribeConcurrentWriters starts a subscription while other sessions write: the snapshot
// plus every later epoch must add up to the final contents exactly (a missed or repeated epoch
// would not), each epoch's rows must arrive together, in order.
func TestSubscribeConcurrentWriters(t *testing.T) {
	e := openMem(t)
	s := newSession(t, e)
	mustQuery(t, s, `CREATE TABLE t (w int, i int);
		CREATE MATERIALIZED VIEW mv AS SELECT w, count(*) AS n FROM t GROUP BY w`)
	const writers, each = 4, 150
	var wg sync.WaitGroup
	started := make(chan struct{})
	for w := range writers {
		wg.Add(1)
		go func() {
			defer wg.Done()
			ws := newSession(t, e)
			rng := rand.New(rand.NewSource(int64(w)))
			for i := range each {
				if i == each/3 && w == 0 {
					close(started)
				}
				q := fmt.Sprintf("INSERT INTO t VALUES (%d, %d)", rng.Intn(5), i)
				if i%7 == 6 {
					q = fmt.Sprintf("DELETE FROM t WHERE i = %d AND w = %d", i-1, rng.Intn(5))
				}
				if _, err := query(t, ws, q); err != nil {
					t.Error(err)
					return
				}
			}
		}()
	}
	<-started
	sub := newSession(t, e)
	r := startSubscribe(t, sub, "SUBSCRIBE mv")
	wg.Wait()
	final := mustQuery(t, s, "SELECT w, n FROM mv ORDER BY w")
	want := map[string]int64{}
	for _, l := range final {
		want[l]++
	}
	state := map[string]int64{}
	var last uint64
	seen := map[uint64]bool{}
	for {
		rows, err := nextRows(sub, r, 10*time.Second)
		if err != nil {
			t.Fatalf("state %v, want %v: %v", state, want, err)
		}
		for _, row := range rows {
			if row.epoch < last || row.epoch != last && seen[row.epoch] {
				t.Fatalf("epoch %d arrived after epoch %d", row.epoch, last)
			}
			seen[row.epoch], last = true, row.epoch
			diff, rest, _ := strings.Cut(row.rest, "|")
			d, _ := strconv.ParseInt(diff, 10, 64)
			state[rest] += d
			if state[rest] == 0 {
				delete(state, rest)
			}
		}
		if fmt.Sprint(state) == fmt.Sprint(want) && !r.Rows.(StreamingRows).Buffered() {
			break
		}
	}
	if last > e.Epoch() {
		t.Errorf("mz_timestamp %d beyond the last epoch %d", last, e.Epoch())
	}
}

func TestSubscribeSlowSubscriberIsEnded(t *testing.T) {
	e := openMem(t)
	s, sub := newSession(t, e), newSession(t, e)
	mustQuery(t, s, "CREATE TABLE t (k int)")
	r := startSubscribe(t, sub, "SUBSCRIBE t WITH (SNAPSHOT = false)")
	for i := range subscribeMaxEpochs + 1 {
		mustQuery(t, s, fmt.Sprintf("INSERT INTO t VALUES (%d)", i))
	}
	if n := e.subs.count.Load(); n != 0 {
		t.Errorf("%d subscriptions still registered after overflow", n)
	}
	_, err := nextRows(sub, r, time.Second)
	if e := sqlerr.From(err); e == nil || e.Code != "53400" || !strings.Contains(e.Message, "fell behind") {
		t.Fatalf("want 53400 fell behind, got %v", err)
	}
	// The writer was never slowed down, and other statements go on.
	expectRows(t, s, "SELECT count(*) FROM t", fmt.Sprint(subscribeMaxEpochs+1))
}

func TestSubscribeByteBudget(t *testing.T) {
	defer func(old int64) { subscribeMaxBytes = old }(subscribeMaxBytes)
	subscribeMaxBytes = 64 << 10
	e := openMem(t)
	s, sub := newSession(t, e), newSession(t, e)
	mustQuery(t, s, "CREATE TABLE t (k int, pad text)")
	base := e.Epoch()
	r := startSubscribe(t, sub, "SUBSCRIBE t WITH (SNAPSHOT = false)")
	big := "INSERT INTO t SELECT g, repeat('x', 1000) FROM generate_series(1, 40) AS g"
	mustQuery(t, s, big) // ~40 kB: buffered
	if n := e.subs.count.Load(); n != 1 {
		t.Fatalf("%d subscriptions after one epoch", n)
	}
	if got := readSub(t, sub, r, base, 40); len(got) != 40 || !strings.HasPrefix(got[0], "1|1|") {
		t.Fatalf("first epoch: %v", got[:1])
	}
	mustQuery(t, s, big)
	mustQuery(t, s, big) // over 64 KiB unread: ended
	if n := e.subs.count.Load(); n != 0 {
		t.Fatalf("%d subscriptions after overflowing the byte budget", n)
	}
	_, err := nextRows(sub, r, time.Second)
	if e := sqlerr.From(err); e == nil || e.Code != "53400" {
		t.Fatalf("want 53400, got %v", err)
	}
}

func TestSubscribeEndsOnDrop(t *testing.T) {
	e := openMem(t)
	s := newSession(t, e)
	mustQuery(t, s, `CREATE TABLE t (k int); CREATE MATERIALIZED VIEW mv AS SELECT k FROM t;
		CREATE MATERIALIZED VIEW mv2 AS SELECT k FROM mv`)
	sub1, sub2 := newSession(t, e), newSession(t, e)
	r1 := startSubscribe(t, sub1, "SUBSCRIBE mv2 WITH (SNAPSHOT = false)")
	r2 := startSubscribe(t, sub2, "SUBSCRIBE t WITH (SNAPSHOT = false)")
	base := e.Epoch()
	mustQuery(t, s, "INSERT INTO t VALUES (1)")
	expectLines(t, "before drop", readSub(t, sub1, r1, base, 1), "1|1|1")
	mustQuery(t, s, "INSERT INTO t VALUES (2)")
	mustQuery(t, s, "DROP MATERIALIZED VIEW mv CASCADE")
	// The epochs before the drop are still delivered, then the error.
	if rows, err := nextRows(sub1, r1, 5*time.Second); err != nil || len(rows) != 1 || rows[0] != (subRow{base + 2, "1|2"}) {
		t.Fatalf("epoch before the drop: %v, %v", rows, err)
	}
	_, err := nextRows(sub1, r1, 5*time.Second)
	if e := sqlerr.From(err); e == nil || e.Code != sqlerr.UndefinedTable || !strings.Contains(e.Message, `"mv2" was dropped`) {
		t.Fatalf("want 42P01 dropped, got %v", err)
	}
	expectLines(t, "table", readSub(t, sub2, r2, base, 2), "1|1|1", "2|1|2")
	mustQuery(t, s, "DROP TABLE t")
	if _, err := nextRows(sub2, r2, 5*time.Second); sqlerr.From(err) == nil || sqlerr.From(err).Code != sqlerr.UndefinedTable {
		t.Fatalf("want 42P01 for the dropped table, got %v", err)
	}
	if n := e.subs.count.Load(); n != 0 {
		t.Errorf("%d subscriptions registered after the drops", n)
	}
}

func TestSubscribeCancel(t *testing.T) {
	e := openMem(t)
	s, sub := newSession(t, e), newSession(t, e)
	mustQuery(t, s, "CREATE TABLE t (k int)")
	r := startSubscribe(t, sub, "SUBSCRIBE t")
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan error, 1)
	go func() {
		_, err := r.Rows.Next(ctx) // the snapshot is empty: this waits
		done <- err
	}()
	time.Sleep(20 * time.Millisecond)
	cancel()
	select {
	case err := <-done:
		if !errors.Is(err, context.Canceled) {
			t.Fatalf("Next after cancel: %v", err)
		}
	case <-time.After(5 * time.Second):
		t.Fatal("Next did not return after cancel")
	}
	r.Rows.Close()
	if n := e.subs.count.Load(); n != 0 {
		t.Errorf("%d subscriptions registered after Close", n)
	}
	mustQuery(t, s, "INSERT INTO t VALUES (1)") // publishes to nobody
	r.Rows.Close()                              // idempotent
	if rec, err := r.Rows.Next(context.Background()); rec != nil || err != nil {
		t.Errorf("Next after Close: %v, %v", rec, err)
	}
}

// TestSubscribeNoLeaks checks the retained deltas are all released: after reading, after
// overflow, and with epochs still buffered at Close.
func TestSubscribeNoLeaks(t *testing.T) {
	e, mem := openChecked(t)
	s := newSession(t, e)
	mustQuery(t, s, `CREATE TABLE t (k int, v numeric);
		CREATE MATERIALIZED VIEW g AS SELECT k, sum(v) AS sv FROM t GROUP BY k;
		INSERT INTO t VALUES (1, 1.5), (2, 2)`)
	sub1, sub2 := newSession(t, e), newSession(t, e)
	r1 := startSubscribe(t, sub1, "SUBSCRIBE g")
	r2 := startSubscribe(t, sub2, "SUBSCRIBE t")
	mustQuery(t, s, "INSERT INTO t VALUES (1, 3)")
	mustQuery(t, s, "UPDATE t SET v = v * 2")
	expectLines(t, "g", readSub(t, sub1, r1, e.Epoch()-2, 8),
		"0|1|1|1.5", "0|1|2|2",
		"1|-1|1|1.5", "1|1|1|4.5",
		"2|-1|1|4.5", "2|-1|2|2", "2|1|1|9.0", "2|1|2|4")
	r1.Rows.Close()
	r2.Rows.Close() // with epochs unread
	mustQuery(t, s, "DROP MATERIALIZED VIEW g")
	if err := e.Close(); err != nil {
		t.Fatal(err)
	}
	mem.AssertSize(t, 0)
}

// TestSubscribeKafkaView subscribes to a view over a Kafka source: the feed's epochs are
// published like DML epochs.
func TestSubscribeKafkaView(t *testing.T) {
	k := newKafkaTopic(t, "clicks", 2)
	e := openMem(t)
	s, sub := newSession(t, e), newSession(t, e)
	mustQuery(t, s, "CREATE SOURCE clicks (user_id bigint, url text) "+k.with()+" FORMAT PLAIN ENCODE JSON")
	mustQuery(t, s, "CREATE MATERIALIZED VIEW per_user AS SELECT user_id, count(*) AS n FROM clicks GROUP BY user_id")
	r := startSubscribe(t, sub, "SUBSCRIBE per_user")
	k.produce(t, 0, nil, []string{`{"user_id": 1, "url": "/a"}`, `{"user_id": 2, "url": "/b"}`})
	k.produce(t, 1, nil, []string{`{"user_id": 1, "url": "/c"}`})
	state := map[string]int64{}
	var last uint64
	deadline := time.Now().Add(20 * time.Second)
	for fmt.Sprint(state) != "map[1|2:1 2|1:1]" {
		if time.Now().After(deadline) {
			t.Fatalf("state %v", state)
		}
		rows, err := nextRows(sub, r, 20*time.Second)
		if err != nil {
			t.Fatalf("state %v: %v", state, err)
		}
		for _, row := range rows {
			if row.epoch < last {
				t.Fatalf("epoch %d after %d", row.epoch, last)
			}
			last = row.epoch
			diff, rest, _ := strings.Cut(row.rest, "|")
			d, _ := strconv.ParseInt(diff, 10, 64)
			if state[rest] += d; state[rest] == 0 {
				delete(state, rest)
			}
		}
	}
}
