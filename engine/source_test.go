package engine

import (
	"context"
	"fmt"
	"math/rand"
	"sort"
	"strings"
	"testing"
	"time"

	"github.com/apache/arrow-go/v18/arrow"
	"github.com/apache/arrow-go/v18/arrow/array"
	"github.com/apache/arrow-go/v18/arrow/memory"
	"github.com/twmb/franz-go/pkg/kfake"
	"github.com/twmb/franz-go/pkg/kgo"

	"github.com/runnel-db/runnel/connectors/kafka"
	"github.com/runnel-db/runnel/exec/sqlerr"
	"github.com/runnel-db/runnel/storage"
)

// kafkaTopic is an in-process Kafka cluster (kfake) with one topic and a producer for it.
type kafkaTopic struct {
	cluster *kfake.Cluster
	client  *kgo.Client
	topic   string
	addr    string
}

func newKafkaTopic(t testing.TB, topic string, partitions int) *kafkaTopic {
	t.Helper()
	c, err := kfake.NewCluster(kfake.NumBrokers(1), kfake.SeedTopics(int32(partitions), topic))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(c.Close)
	addr := c.ListenAddrs()[0]
	cl, err := kgo.NewClient(kgo.SeedBrokers(addr), kgo.DefaultProduceTopic(topic),
		kgo.RecordPartitioner(kgo.ManualPartitioner()))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(cl.Close)
	return &kafkaTopic{cluster: c, client: cl, topic: topic, addr: addr}
}

// produce writes values (nil: a tombstone) with keys to partition p and waits for the acks.
func (k *kafkaTopic) produce(t testing.TB, p int32, keys, values []string) {
	t.Helper()
	recs := make([]*kgo.Record, len(values))
	for i, v := range values {
		r := &kgo.Record{Partition: p}
		if v != "\x00tombstone" {
			r.Value = []byte(v)
		}
		if keys != nil {
			r.Key = []byte(keys[i])
		}
		recs[i] = r
	}
	if err := k.client.ProduceSync(context.Background(), recs...).FirstErr(); err != nil {
		t.Fatal(err)
	}
}

// with is the WITH clause of a source or table reading k.
func (k *kafkaTopic) with() string {
	return fmt.Sprintf("WITH (connector = 'kafka', topic = '%s', properties.bootstrap.server = '%s', scan.startup.mode = 'earliest')", k.topic, k.addr)
}

// opener returns a function that opens the file-backed engine in dir (fsync on) and a session;
// the caller closes the engine.
func opener(t *testing.T, dir string) func() (*Engine, *Session) {
	return func() (*Engine, *Session) {
		opts := DefaultOptions()
		opts.DataDir = dir
		e, err := Open(opts)
		if err != nil {
			t.Fatal(err)
		}
		return e, newSession(t, e)
	}
}

// waitRows polls query until it returns want (as joined lines) or fails after a while.
func waitRows(t *testing.T, s *Session, q string, want ...string) {
	t.Helper()
	deadline := time.Now().Add(20 * time.Second)
	var got []string
	for time.Now().Before(deadline) {
		var err error
		if got, err = query(t, s, q); err != nil {
			t.Fatalf("%s: %v", q, err)
		}
		if strings.Join(got, "\n") == strings.Join(want, "\n") {
			return
		}
		time.Sleep(20 * time.Millisecond)
	}
	t.Fatalf("%s: waited 20s for\n%s\nlast got:\n%s", q, strings.Join(want, "\n"), strings.Join(got, "\n"))
}

// TestSourceViewExactlyOnceAcrossRestarts feeds a GROUP BY view from three partitions, restarts
// the engine between batches (while more is produced), and checks the view counts every message
// exactly once.
func TestSourceViewExactlyOnceAcrossRestarts(t *testing.T) {
	k := newKafkaTopic(t, "clicks", 3)
	dir := t.TempDir()
	open := opener(t, dir)
	e, s := open()
	mustQuery(t, s, "CREATE SOURCE clicks (user_id bigint, url text, ts timestamptz) "+k.with()+" FORMAT PLAIN ENCODE JSON")
	rng := rand.New(rand.NewSource(1))
	want := map[int64]int{}
	total := 0
	batch := func(n int) {
		per := make([][]string, 3)
		for i := 0; i < n; i++ {
			u := rng.Int63n(50)
			want[u]++
			per[i%3] = append(per[i%3], fmt.Sprintf(`{"user_id": %d, "url": "/p/%d", "ts": "2026-11-22T10:00:%02dZ"}`, u, i, i%60))
		}
		for p, vs := range per {
			k.produce(t, int32(p), nil, vs)
		}
		total += n
	}
	batch(1500) // before the view exists: scan.startup.mode = earliest reads it
	mustQuery(t, s, "CREATE MATERIALIZED VIEW per_user AS SELECT user_id, count(*) AS n FROM clicks GROUP BY user_id")
	mustQuery(t, s, "CREATE MATERIALIZED VIEW total AS SELECT count(*) AS n, count(DISTINCT user_id) AS users FROM clicks")
	expected := func() []string {
		var lines []string
		var users []int64
		for u := range want {
			users = append(users, u)
		}
		sort.Slice(users, func(i, j int) bool { return users[i] < users[j] })
		for _, u := range users {
			lines = append(lines, fmt.Sprintf("%d|%d", u, want[u]))
		}
		return lines
	}
	waitRows(t, s, "SELECT n FROM total", fmt.Sprint(total))
	// Each view reads the topic on its own feed: wait for both.
	waitRows(t, s, "SELECT user_id, n FROM per_user ORDER BY user_id", expected()...)
	for round := 0; round < 3; round++ {
		batch(700)
		if round%2 == 0 {
			time.Sleep(time.Duration(rng.Intn(30)) * time.Millisecond) // close while ingesting, or after
		} else {
			waitRows(t, s, "SELECT n FROM total", fmt.Sprint(total))
		}
		s.Close()
		if round == 1 {
			if err := e.Close(); err != nil {
				t.Fatal(err)
			}
		} else {
			crash(t, e) // the views' logs keep the deltas not yet in their rows
		}
		batch(300) // produced while the engine is down
		e, s = open()
		if n := countKind(t, e, storage.KindViewLog); n != 0 {
			t.Fatalf("round %d: %d view log entries left after recovery", round, n)
		}
		waitRows(t, s, "SELECT n FROM total", fmt.Sprint(total))
		waitRows(t, s, "SELECT user_id, n FROM per_user ORDER BY user_id", expected()...)
		expectRows(t, s, "SELECT users FROM total", fmt.Sprint(len(want)))
	}
	// Each view reads the topic on its own; both are at its end.
	waitRows(t, s, "SELECT consumer, sum(committed_offset), sum(lag), sum(rejected) FROM runnel_catalog.source_status GROUP BY consumer ORDER BY consumer",
		fmt.Sprintf("per_user|%d|0|0", total), fmt.Sprintf("total|%d|0|0", total))
	s.Close()
	e.Close()
}

// TestSourceBadMessages: undecodable messages and rows a view cannot compute are skipped,
// counted and listed in runnel_catalog.source_errors; everything else flows.
func TestSourceBadMessages(t *testing.T) {
	k := newKafkaTopic(t, "events", 1)
	_, s := openDir(t, "")
	mustQuery(t, s, "CREATE SOURCE events (k int, v int) "+k.with()+" FORMAT PLAIN ENCODE JSON")
	mustQuery(t, s, "CREATE MATERIALIZED VIEW ratios AS SELECT k, 100 / v AS r FROM events")
	k.produce(t, 0, nil, []string{`{"k": 1, "v": 4}`, `not json`, `{"k": 2, "v": 0}`, `{"k": "three", "v": 1}`, `{"k": 4, "v": 5}`})
	waitRows(t, s, "SELECT k, r FROM ratios ORDER BY k", "1|25", "4|20")
	expectRows(t, s, `SELECT "offset", payload FROM runnel_catalog.source_errors ORDER BY "offset"`,
		"1|not json", `2|{"k": 2, "v": 0}`, `3|{"k": "three", "v": 1}`)
	reasons := mustQuery(t, s, `SELECT reason FROM runnel_catalog.source_errors ORDER BY "offset"`)
	if !strings.Contains(reasons[1], "division by zero") || !strings.Contains(reasons[2], "k") {
		t.Errorf("reasons do not say what went wrong: %q", reasons)
	}
	k.produce(t, 0, nil, []string{`{"k": 5, "v": 10}`})
	waitRows(t, s, "SELECT k, r FROM ratios ORDER BY k", "1|25", "4|20", "5|10")
	expectRows(t, s, "SELECT committed_offset, rejected FROM runnel_catalog.source_status", "6|3")
}

// TestUpsertTableAndJoin feeds a table with FORMAT UPSERT (updates and tombstones by key) and
// joins it with a plain source in a view.
func TestUpsertTableAndJoin(t *testing.T) {
	users := newKafkaTopic(t, "users", 2)
	clicks := newKafkaTopic(t, "clicks", 1)
	_, s := openDir(t, "")
	mustQuery(t, s, "CREATE TABLE users (id bigint PRIMARY KEY, name text) "+users.with()+" FORMAT UPSERT ENCODE JSON")
	mustQuery(t, s, "CREATE SOURCE clicks (user_id bigint, url text) "+clicks.with()+" FORMAT PLAIN ENCODE JSON")
	mustQuery(t, s, "CREATE MATERIALIZED VIEW named AS SELECT u.name, count(*) AS n FROM clicks c JOIN users u ON u.id = c.user_id GROUP BY u.name")
	users.produce(t, 0, []string{`{"id": 1}`, `{"id": 2}`}, []string{`{"id": 1, "name": "ann"}`, `{"id": 2, "name": "bob"}`})
	users.produce(t, 1, []string{`{"id": 3}`}, []string{`{"id": 3, "name": "cy"}`})
	waitRows(t, s, "SELECT id, name FROM users ORDER BY id", "1|ann", "2|bob", "3|cy")
	clicks.produce(t, 0, nil, []string{`{"user_id": 1, "url": "/a"}`, `{"user_id": 1, "url": "/b"}`, `{"user_id": 2, "url": "/a"}`, `{"user_id": 9, "url": "/x"}`})
	waitRows(t, s, "SELECT name, n FROM named ORDER BY name", "ann|2", "bob|1")
	// An update renames user 1; a tombstone deletes user 2 (the key alone says which).
	users.produce(t, 0, []string{`{"id": 1}`, `{"id": 2}`}, []string{`{"id": 1, "name": "anna"}`, "\x00tombstone"})
	waitRows(t, s, "SELECT id, name FROM users ORDER BY id", "1|anna", "3|cy")
	waitRows(t, s, "SELECT name, n FROM named ORDER BY name", "anna|2")
	// A scalar key works for a one-column key.
	users.produce(t, 1, []string{`3`}, []string{"\x00tombstone"})
	waitRows(t, s, "SELECT id, name FROM users ORDER BY id", "1|anna")
	expectError(t, s, "INSERT INTO named VALUES ('x', 1)", sqlerr.WrongObjectType)
}

// TestSourceCSV reads CSV messages.
func TestSourceCSV(t *testing.T) {
	k := newKafkaTopic(t, "bids", 1)
	_, s := openDir(t, "")
	mustQuery(t, s, "CREATE SOURCE bids (auction int, price numeric(10,2), bidder text) "+k.with()+
		" FORMAT PLAIN ENCODE CSV (delimiter = ';', without_header = 'true')")
	mustQuery(t, s, "CREATE MATERIALIZED VIEW top AS SELECT auction, max(price) AS best, count(*) AS n FROM bids GROUP BY auction")
	k.produce(t, 0, nil, []string{"1;10.50;ann", "1;12.00;bob", "2;3;cy", "oops"})
	waitRows(t, s, "SELECT auction, best, n FROM top ORDER BY auction", "1|12.00|2", "2|3.00|1")
}

// TestSourceDDL: reading a source directly, dependencies, options errors and SHOW.
func TestSourceDDL(t *testing.T) {
	k := newKafkaTopic(t, "t", 1)
	_, s := openDir(t, "")
	mustQuery(t, s, "CREATE SOURCE src (a int, b text) "+k.with()+" FORMAT PLAIN ENCODE JSON")
	mustQuery(t, s, "CREATE SOURCE IF NOT EXISTS src (a int) "+k.with()+" FORMAT PLAIN ENCODE JSON")
	expectError(t, s, "SELECT * FROM src", sqlerr.FeatureNotSupported)
	mustQuery(t, s, "CREATE VIEW v AS SELECT a FROM src WHERE a > 1")
	expectError(t, s, "SELECT * FROM v", sqlerr.FeatureNotSupported)
	mustQuery(t, s, "CREATE MATERIALIZED VIEW m AS SELECT count(*) AS n FROM v")
	expectRows(t, s, "SHOW SOURCES", "src")
	expectError(t, s, "INSERT INTO src VALUES (1, 'x')", sqlerr.WrongObjectType)
	e := expectError(t, s, "DROP SOURCE src", sqlerr.DependentObjectsStillExist)
	if !strings.Contains(e.Detail, "view v depends on source src") {
		t.Errorf("detail %q does not name the dependent", e.Detail)
	}
	bad := "CREATE SOURCE s2 (a int) WITH (connector = 'kafka', topic = 't', properties.bootstrap.server = 'x:1', bogus.option = 1) FORMAT PLAIN ENCODE JSON"
	e = expectError(t, s, bad, sqlerr.InvalidParameterValue)
	if !strings.Contains(e.Message, "bogus.option") || e.Position != strings.Index(bad, "bogus")+1 {
		t.Errorf("unknown option: %q at %d, want it named and positioned at %d", e.Message, e.Position, strings.Index(bad, "bogus")+1)
	}
	e = expectError(t, s, "CREATE SOURCE s2 (a int) WITH (connector = 'kafka', properties.bootstrap.server = 'x:1') FORMAT PLAIN ENCODE JSON", sqlerr.InvalidParameterValue)
	if !strings.Contains(e.Message, "topic") {
		t.Errorf("missing option: %q does not name topic", e.Message)
	}
	expectError(t, s, "CREATE SOURCE s2 (a int) WITH (connector = 'kafka', topic = 't', properties.bootstrap.server = 'x:1') FORMAT UPSERT ENCODE JSON", sqlerr.FeatureNotSupported)
	expectError(t, s, "CREATE TABLE t2 (a int) WITH (connector = 'kafka', topic = 't', properties.bootstrap.server = 'x:1') FORMAT UPSERT ENCODE JSON", sqlerr.InvalidTableDefinition)
	e = expectError(t, s, "CREATE SOURCE s2 (a int) WITH (connector = 'kafka', topic = 'nope', properties.bootstrap.server = '"+k.addr+"') FORMAT PLAIN ENCODE JSON", sqlerr.UndefinedObject)
	if !strings.Contains(e.Message, "nope") {
		t.Errorf("missing topic: %q does not name it", e.Message)
	}
	k.produce(t, 0, nil, []string{`{"a": 1}`, `{"a": 2}`, `{"a": 3}`})
	waitRows(t, s, "SELECT n FROM m", "2")
	mustQuery(t, s, "DROP SOURCE src CASCADE")
	expectRows(t, s, "SHOW SOURCES")
	expectError(t, s, "SELECT * FROM m", sqlerr.UndefinedTable)
	expectRows(t, s, "SELECT count(*) FROM runnel_catalog.source_status", "0")
}

// TestConcatChunks: chunks gathered into one epoch keep every row, its partition and offset,
// tombstones, and the latest offset per partition.
func TestConcatChunks(t *testing.T) {
	mem := memory.NewCheckedAllocator(memory.NewGoAllocator())
	defer mem.AssertSize(t, 0)
	mk := func(ids []int64, parts []int32, offs []int64, deletes []bool, next map[int32]int64) *kafka.Chunk {
		b := array.NewInt64Builder(mem)
		defer b.Release()
		b.AppendValues(ids, nil)
		return &kafka.Chunk{Cols: []arrow.Array{b.NewArray()}, Partitions: parts, RowOffsets: offs, Deletes: deletes, Offsets: next, Rejected: 1}
	}
	got, err := concatChunks(mem, []*kafka.Chunk{
		mk([]int64{1, 2}, []int32{0, 1}, []int64{10, 20}, nil, map[int32]int64{0: 11, 1: 21}),
		mk([]int64{3}, []int32{0}, []int64{12}, []bool{true}, map[int32]int64{0: 13, 2: 5}),
	})
	if err != nil {
		t.Fatal(err)
	}
	defer got.Release()
	ids := got.Cols[0].(*array.Int64).Int64Values()
	if fmt.Sprint(ids, got.Partitions, got.RowOffsets, got.Deletes, got.Offsets, got.Rejected) !=
		"[1 2 3] [0 1 0] [10 20 12] [false false true] map[0:13 1:21 2:5] 2" {
		t.Fatalf("got %v %v %v %v %v %d", ids, got.Partitions, got.RowOffsets, got.Deletes, got.Offsets, got.Rejected)
	}
}

// TestSourceJoinTableAcrossRestart: a view joining a source with a table keeps both sides'
// state across a restart (the table side too, since the view's state is stored as a whole), and
// a view over that view is rebuilt from its stored contents.
func TestSourceJoinTableAcrossRestart(t *testing.T) {
	k := newKafkaTopic(t, "orders", 2)
	dir := t.TempDir()
	open := opener(t, dir)
	e, s := open()
	mustQuery(t, s, "CREATE TABLE products (id int PRIMARY KEY, name text, price numeric(8,2));"+
		"INSERT INTO products VALUES (1, 'pen', 1.50), (2, 'ink', 7.25);"+
		"CREATE SOURCE orders (product int, qty int) "+k.with()+" FORMAT PLAIN ENCODE JSON;"+
		"CREATE MATERIALIZED VIEW revenue AS SELECT p.name, sum(o.qty * p.price) AS total, count(*) AS n FROM orders o JOIN products p ON p.id = o.product GROUP BY p.name;"+
		"CREATE MATERIALIZED VIEW big AS SELECT name FROM revenue WHERE total > 10")
	k.produce(t, 0, nil, []string{`{"product": 1, "qty": 2}`, `{"product": 2, "qty": 1}`})
	k.produce(t, 1, nil, []string{`{"product": 1, "qty": 4}`, `{"product": 3, "qty": 1}`})
	waitRows(t, s, "SELECT name, total, n FROM revenue ORDER BY name", "ink|7.25|1", "pen|9.00|2")
	expectRows(t, s, "SELECT name FROM big")
	s.Close()
	e.Close()

	e, s = open()
	defer e.Close()
	// The table side of the join was restored: a new product and a price change join with the
	// orders read before the restart.
	mustQuery(t, s, "INSERT INTO products VALUES (3, 'pad', 4.00); UPDATE products SET price = 2.00 WHERE id = 1")
	expectRows(t, s, "SELECT name, total, n FROM revenue ORDER BY name", "ink|7.25|1", "pad|4.00|1", "pen|12.00|2")
	expectRows(t, s, "SELECT name FROM big", "pen")
	k.produce(t, 0, nil, []string{`{"product": 2, "qty": 2}`})
	waitRows(t, s, "SELECT name, total, n FROM revenue ORDER BY name", "ink|21.75|2", "pad|4.00|1", "pen|12.00|2")
	waitRows(t, s, "SELECT name FROM big ORDER BY name", "ink", "pen")
	expectRows(t, s, "SHOW CREATE SOURCE orders", "public.orders|CREATE SOURCE orders (product int, qty int) "+k.with()+" FORMAT PLAIN ENCODE JSON")
}

// TestSystemViewsWhileSplitting reads the system views while a feed splits epochs around rows its
// view cannot compute (each failed attempt rebuilds the view's state under the write lock): reads
// must neither deadlock nor block on it for long.
func TestSystemViewsWhileSplitting(t *testing.T) {
	k := newKafkaTopic(t, "ev", 1)
	vals := make([]string, 20_000)
	for i := range vals {
		v := 1
		if i%500 == 0 {
			v = 0
		}
		vals[i] = fmt.Sprintf(`{"v": %d}`, v)
	}
	k.produce(t, 0, nil, vals)
	_, s := openDir(t, "CREATE SOURCE ev (v int) "+k.with()+" FORMAT PLAIN ENCODE JSON;"+
		"CREATE MATERIALIZED VIEW r AS SELECT count(*) AS n, sum(10 / v) AS s FROM ev")
	deadline := time.Now().Add(60 * time.Second)
	for time.Now().Before(deadline) {
		done := make(chan error, 1)
		go func() {
			_, err := query(t, s, "SELECT count(*), sum(rejected) FROM runnel_catalog.source_status")
			done <- err
		}()
		select {
		case err := <-done:
			if err != nil {
				t.Fatal(err)
			}
		case <-time.After(10 * time.Second):
			t.Fatal("a query of runnel_catalog.source_status hung")
		}
		if got := mustQuery(t, s, "SELECT n FROM r"); got[0] == "19960" {
			expectRows(t, s, "SELECT count(*) FROM runnel_catalog.source_errors", "40")
			return
		}
	}
	t.Fatal("the view did not count the 19,960 good rows")
}

// TestSourceStateDependentError: a row that fails only together with the view's state (a sum
// that no longer fits its cast) is found by committing the chunk in halves and skipped.
func TestSourceStateDependentError(t *testing.T) {
	k := newKafkaTopic(t, "ev", 1)
	_, s := openDir(t, "CREATE SOURCE ev (k int, v int) "+k.with()+" FORMAT PLAIN ENCODE JSON;"+
		"CREATE MATERIALIZED VIEW sums AS SELECT k, sum(v)::smallint AS s FROM ev GROUP BY k")
	k.produce(t, 0, nil, []string{`{"k": 1, "v": 20000}`, `{"k": 2, "v": 5}`})
	waitRows(t, s, "SELECT k, s FROM sums ORDER BY k", "1|20000", "2|5")
	k.produce(t, 0, nil, []string{`{"k": 2, "v": 6}`, `{"k": 1, "v": 20000}`, `{"k": 1, "v": 1}`, `{"k": 2, "v": 7}`})
	waitRows(t, s, "SELECT k, s FROM sums ORDER BY k", "1|20001", "2|18")
	expectRows(t, s, `SELECT "offset", payload FROM runnel_catalog.source_errors`, `3|{"k": 1, "v": 20000}`)
	if got := mustQuery(t, s, "SELECT reason FROM runnel_catalog.source_errors"); !strings.Contains(got[0], "out of range") {
		t.Errorf("reason %q", got[0])
	}
}

// TestPlanChangedState: a view whose stored operator state was written by another plan of its
// query is taken out of service on open (reads still see its rows; its feed does not run and
// says why) instead of computing from state that does not fit, and it can be dropped.
func TestPlanChangedState(t *testing.T) {
	k := newKafkaTopic(t, "ev", 1)
	dir := t.TempDir()
	open := opener(t, dir)
	e, s := open()
	mustQuery(t, s, "CREATE SOURCE ev (k int) "+k.with()+" FORMAT PLAIN ENCODE JSON;"+
		"CREATE MATERIALIZED VIEW per_k AS SELECT k, count(*) AS n FROM ev GROUP BY k")
	k.produce(t, 0, nil, []string{`{"k": 1}`, `{"k": 1}`})
	waitRows(t, s, "SELECT k, n FROM per_k", "1|2")
	id := e.cat.lookup("", "per_k").ID
	s.Close()
	e.Close()
	db, err := storage.Open(storage.DefaultOptions(dir))
	if err != nil {
		t.Fatal(err)
	}
	wb := db.NewBatch()
	if err := wb.Set(planKey(id), []byte("a plan of another version")); err != nil {
		t.Fatal(err)
	}
	if err := wb.Commit(true); err != nil {
		t.Fatal(err)
	}
	wb.Close()
	db.Close()

	e, s = open()
	defer e.Close()
	k.produce(t, 0, nil, []string{`{"k": 1}`})
	expectRows(t, s, "SELECT k, n FROM per_k", "1|2")
	waitRows(t, s, "SELECT state, last_error LIKE '%different plan%' FROM runnel_catalog.source_status", "stopped|t")
	mustQuery(t, s, "DROP MATERIALIZED VIEW per_k")
	mustQuery(t, s, "CREATE MATERIALIZED VIEW per_k AS SELECT k, count(*) AS n FROM ev GROUP BY k")
	waitRows(t, s, "SELECT k, n FROM per_k", "1|3")
}
