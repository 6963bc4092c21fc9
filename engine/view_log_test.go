package engine

import (
	"fmt"
	"math/rand"
	"testing"
	"time"

	"github.com/runnel-db/runnel/exec/sqlerr"
	"github.com/runnel-db/runnel/storage"
)

// openLazy opens the engine in opts with low materialization thresholds, so that random changes
// cross them often: deltas pile up over several epochs, are summed, and large ones skip the log.
func openLazy(t *testing.T, opts Options) *Engine {
	t.Helper()
	e, err := Open(opts)
	if err != nil {
		t.Fatal(err)
	}
	e.views.limitRows, e.views.limitRuns, e.views.chunk = 12, 7, 3
	return e
}

// crash closes e as a killed process would leave it: the pending view deltas are not applied,
// only their log entries are on disk.
func crash(t *testing.T, e *Engine) {
	t.Helper()
	e.closed.Store(true)
	e.stopAllFeeds()
	e.writeMu.Lock()
	defer e.writeMu.Unlock()
	e.views.bg.Wait() // a killed process would not finish it; its batch is unsynced either way
	e.compactor.wg.Wait()
	if err := e.db.Close(); err != nil {
		t.Fatal(err)
	}
}

// isStale reports whether epochs were committed after the last materialization: a crash now
// makes recovery recompute the views over tables.
func isStale(t *testing.T, e *Engine) bool {
	t.Helper()
	through, err := e.materializedThrough()
	if err != nil {
		t.Fatal(err)
	}
	return e.Epoch() > through
}

// TestLazyViewsEqualRecomputation runs random changes in stretches without reads, so that each
// view's deltas of several epochs are applied together (uniquely keyed views take the latest
// row per key, others sum), then checks every view against its query from scratch. Some
// stretches end in a crash that loses the deltas not yet applied, which recovery must find by
// recomputing the views.
func TestLazyViewsEqualRecomputation(t *testing.T) {
	views := recomputationViews
	opts := DefaultOptions()
	opts.DataDir = t.TempDir()
	opts.Sync = false
	e := openLazy(t, opts)
	defer func() { e.Close() }()
	s := newSession(t, e)
	createRecomputationViews(t, s)
	rng := rand.New(rand.NewSource(11))
	crashes, staleAtCrash := 0, 0
	for stretch := 0; stretch < 40; stretch++ {
		var stmts []string
		for n := rng.Intn(12) + 1; n > 0; n-- {
			stmt := randomChange(rng)
			if _, err := query(t, s, stmt); err != nil && sqlerr.Code(err) != sqlerr.UniqueViolation {
				t.Fatalf("stretch %d: %s: %v", stretch, stmt, err)
			}
			stmts = append(stmts, stmt)
		}
		if rng.Intn(4) == 0 {
			if isStale(t, e) {
				staleAtCrash++
			}
			crash(t, e)
			crashes++
			e = openLazy(t, opts)
			s = newSession(t, e)
			if isStale(t, e) {
				t.Fatalf("stretch %d: views still marked stale after recovery", stretch)
			}
		}
		checkRecomputation(t, s, views, fmt.Sprintf("after stretch %d %q", stretch, stmts))
	}
	if crashes == 0 || staleAtCrash == 0 {
		t.Fatalf("no crash left views stale (%d crashes): the test lost its point", crashes)
	}
}

// TestReadsSeePendingDeltas checks that a read right after a write sees it although the view's
// rows are written later: the read applies what is pending first.
func TestReadsSeePendingDeltas(t *testing.T) {
	e, s := openDir(t, "CREATE TABLE t (k int, v int); CREATE MATERIALIZED VIEW g AS SELECT k, sum(v) AS s FROM t GROUP BY k")
	pending := func() int {
		e.views.mu.Lock()
		defer e.views.mu.Unlock()
		return e.views.runs
	}
	for i := 1; i <= 5; i++ {
		mustQuery(t, s, fmt.Sprintf("INSERT INTO t VALUES (1, %d), (2, %d)", i, 10*i))
	}
	if n := pending(); n != 5 || !isStale(t, e) {
		t.Fatalf("%d deltas pending before the read (stale: %t), want one per epoch (5)", n, isStale(t, e))
	}
	expectRows(t, s, "SELECT * FROM g ORDER BY k", "1|15", "2|150")
	if n := pending(); n != 0 || isStale(t, e) {
		t.Fatalf("%d deltas pending after the read (stale: %t), want none", n, isStale(t, e))
	}
	mustQuery(t, s, "DELETE FROM t WHERE k = 1")
	mustQuery(t, s, "INSERT INTO t VALUES (1, 7)")
	mustQuery(t, s, "DELETE FROM t WHERE k = 2")
	expectRows(t, s, "SELECT * FROM g ORDER BY k", "1|7")
	mustQuery(t, s, "INSERT INTO t VALUES (3, 1)")
	mustQuery(t, s, "DROP MATERIALIZED VIEW g")
	if n := pending(); n != 0 {
		t.Fatalf("%d deltas pending after DROP, want none", n)
	}
}

// TestConcurrentReadsSeeWholeEpochs reads a table and two views over it while another session
// writes in small epochs and materializations run in the background: every read must find the
// views exactly as of the table it sees.
func TestConcurrentReadsSeeWholeEpochs(t *testing.T) {
	opts := DefaultOptions()
	opts.DataDir = t.TempDir()
	opts.Sync = false
	e := openLazy(t, opts)
	defer e.Close()
	w := newSession(t, e)
	mustQuery(t, w, "CREATE TABLE t (k int, v int); "+
		"CREATE MATERIALIZED VIEW g AS SELECT k, count(*) AS n FROM t GROUP BY k; "+
		"CREATE MATERIALIZED VIEW total AS SELECT count(*) AS n FROM t")
	const writes = 300
	done := make(chan error, 1)
	go func() {
		rng := rand.New(rand.NewSource(3))
		for i := 0; i < writes; i++ {
			stmt := fmt.Sprintf("INSERT INTO t VALUES (%d, %d), (%d, %d)", rng.Intn(20), i, rng.Intn(20), i)
			if i%5 == 4 {
				stmt = fmt.Sprintf("DELETE FROM t WHERE k = %d", rng.Intn(20))
			}
			if _, err := query(t, w, stmt); err != nil {
				done <- fmt.Errorf("%s: %w", stmt, err)
				return
			}
		}
		done <- nil
	}()
	r := newSession(t, e)
	reads := 0
	for finished := false; !finished; reads++ {
		select {
		case err := <-done:
			if err != nil {
				t.Fatal(err)
			}
			finished = true
		default:
		}
		got := mustQuery(t, r, "SELECT (SELECT count(*) FROM t), (SELECT coalesce(sum(n), 0) FROM g), (SELECT n FROM total)")
		var a, b, c int
		if _, err := fmt.Sscanf(got[0], "%d|%d|%d", &a, &b, &c); err != nil || a != b || a != c {
			t.Fatalf("read %d saw table and views disagree: %s", reads, got[0])
		}
	}
	t.Logf("%d reads", reads)
}

// TestCrashWithLoggedAndRecomputedViews crashes with deltas pending in both kinds of view: one
// over a source (its log holds them) and one over a table (recovery recomputes it).
func TestCrashWithLoggedAndRecomputedViews(t *testing.T) {
	k := newKafkaTopic(t, "events", 1)
	opts := DefaultOptions()
	opts.DataDir = t.TempDir()
	e := openLazy(t, opts)
	e.views.limitRows, e.views.limitRuns = 1000, 1000 // nothing is applied before the crash
	s := newSession(t, e)
	mustQuery(t, s, "CREATE SOURCE events (k bigint) "+k.with()+" FORMAT PLAIN ENCODE JSON")
	mustQuery(t, s, "CREATE MATERIALIZED VIEW from_source AS SELECT k, count(*) AS n FROM events GROUP BY k")
	mustQuery(t, s, "CREATE TABLE t (k bigint); CREATE MATERIALIZED VIEW from_table AS SELECT k, count(*) AS n FROM t GROUP BY k")
	k.produce(t, 0, nil, []string{`{"k": 1}`, `{"k": 2}`, `{"k": 1}`})
	deadline := time.Now().Add(20 * time.Second)
	for countKind(t, e, storage.KindViewLog) == 0 {
		if time.Now().After(deadline) {
			t.Fatal("the source's epoch never reached the view's log")
		}
		time.Sleep(5 * time.Millisecond)
	}
	mustQuery(t, s, "INSERT INTO t VALUES (7), (7), (8)")
	if !isStale(t, e) {
		t.Fatal("the table's view is not stale before the crash")
	}
	crash(t, e)
	e = openLazy(t, opts)
	defer e.Close()
	s = newSession(t, e)
	if n := countKind(t, e, storage.KindViewLog); n != 0 || isStale(t, e) {
		t.Fatalf("after recovery: %d view log entries, stale %t", n, isStale(t, e))
	}
	expectRows(t, s, "SELECT k, n FROM from_table ORDER BY k", "7|2", "8|1")
	waitRows(t, s, "SELECT k, n FROM from_source ORDER BY k", "1|2", "2|1")
}
