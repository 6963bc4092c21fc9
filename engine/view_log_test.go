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
	e.views.limitRows, e.views.limitRuns, e.views.limitOverlay, e.views.chunk = 12, 7, 9, 3
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
	crashes, staleAtCrash, overlaidAtCheck := 0, 0, 0
	for stretch := 0; stretch < 40; stretch++ {
		// Overlays written out every few rows, or kept through the stretch and its reads.
		e.views.mu.Lock()
		e.views.limitOverlay = []int{2, 9, 1 << 20}[rng.Intn(3)]
		e.views.mu.Unlock()
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
		e.views.mu.Lock()
		if e.views.overlayRows > 0 {
			overlaidAtCheck++
		}
		e.views.mu.Unlock()
		checkRecomputation(t, s, views, fmt.Sprintf("after stretch %d %q", stretch, stmts))
	}
	if crashes == 0 || staleAtCrash == 0 || overlaidAtCheck == 0 {
		t.Fatalf("no crash left views stale (%d crashes), or no check read overlays (%d): the test lost its point", crashes, overlaidAtCheck)
	}
	t.Logf("%d crashes, %d of them with views stale; %d checks read overlays", crashes, staleAtCrash, overlaidAtCheck)
}

// TestReadsSeePendingDeltas checks that a read right after a write sees it although the views'
// rows are written later: a read of a multiset view applies its pending deltas first, a read of a
// uniquely keyed view reads its overlay over its stored rows and leaves the overlay in memory.
func TestReadsSeePendingDeltas(t *testing.T) {
	e, s := openDir(t, `CREATE TABLE t (k int, v int); CREATE MATERIALIZED VIEW g AS SELECT k, sum(v) AS s FROM t GROUP BY k;
		CREATE MATERIALIZED VIEW m AS SELECT k, v FROM t WHERE v > 1`)
	pending := func() (runs, overlaid int) {
		e.views.mu.Lock()
		defer e.views.mu.Unlock()
		return e.views.runs, e.views.overlayRows
	}
	for i := 1; i <= 5; i++ {
		mustQuery(t, s, fmt.Sprintf("INSERT INTO t VALUES (1, %d), (2, %d)", i, 10*i))
	}
	if runs, overlaid := pending(); runs != 5 || overlaid != 2 || !isStale(t, e) {
		t.Fatalf("%d deltas pending and %d rows overlaid before the reads (stale: %t), want one per epoch (5) and one per group (2)", runs, overlaid, isStale(t, e))
	}
	g := e.cat.lookup("", "g")
	if n := countRange(t, e, storage.Prefix(storage.KindView, g.ID)); n != 0 {
		t.Fatalf("g has %d stored rows before the reads, want none", n)
	}
	expectRows(t, s, "SELECT * FROM g ORDER BY k", "1|15", "2|150")
	expectRows(t, s, "SELECT * FROM g WHERE k = 2", "2|150") // a point read through the overlay
	if runs, overlaid := pending(); runs != 5 || overlaid != 2 {
		t.Fatalf("%d deltas pending and %d rows overlaid after reading g, want 5 and 2", runs, overlaid)
	}
	expectRows(t, s, "SELECT count(*), sum(v) FROM m", "9|164")
	if runs, overlaid := pending(); runs != 0 || overlaid != 2 {
		t.Fatalf("%d deltas pending and %d rows overlaid after reading m, want 0 and 2", runs, overlaid)
	}
	mustQuery(t, s, "DELETE FROM t WHERE k = 1")
	mustQuery(t, s, "INSERT INTO t VALUES (1, 7)")
	mustQuery(t, s, "DELETE FROM t WHERE k = 2")
	expectRows(t, s, "SELECT * FROM g ORDER BY k", "1|7")
	// Written out, the deleted group is gone from the stored rows too.
	if err := e.materialize(); err != nil {
		t.Fatal(err)
	}
	if n := countRange(t, e, storage.Prefix(storage.KindView, g.ID)); n != 1 {
		t.Fatalf("g has %d stored rows after they were written, want 1", n)
	}
	expectRows(t, s, "SELECT * FROM g ORDER BY k", "1|7")
	mustQuery(t, s, "INSERT INTO t VALUES (3, 1)")
	mustQuery(t, s, "DROP MATERIALIZED VIEW g; DROP MATERIALIZED VIEW m")
	if runs, overlaid := pending(); runs != 0 || overlaid != 0 {
		t.Fatalf("%d deltas pending and %d rows overlaid after DROP, want none", runs, overlaid)
	}
}

// countRange counts the stored keys under prefix.
func countRange(t *testing.T, e *Engine, prefix []byte) int {
	t.Helper()
	it, err := e.db.NewIter(prefix, storage.PrefixEnd(prefix))
	if err != nil {
		t.Fatal(err)
	}
	n := 0
	for it.First(); it.Valid(); it.Next() {
		n++
	}
	if err := it.Close(); err != nil {
		t.Fatal(err)
	}
	return n
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
	e.views.limitRows, e.views.limitRuns, e.views.limitOverlay = 1000, 1000, 1000 // nothing is applied before the crash
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
	// A crash right after recovery applied the logs, before it recomputed the table's view: the
	// next recovery must still find that view stale.
	if before, after := recoverViewLogsOnly(t, opts); after != before {
		t.Fatalf("applying the view logs at recovery marked the views complete through epoch %d (from %d) before the others were recomputed", after, before)
	}
	e = openLazy(t, opts)
	defer e.Close()
	s = newSession(t, e)
	if n := countKind(t, e, storage.KindViewLog); n != 0 || isStale(t, e) {
		t.Fatalf("after recovery: %d view log entries, stale %t", n, isStale(t, e))
	}
	expectRows(t, s, "SELECT k, n FROM from_table ORDER BY k", "7|2", "8|1")
	waitRows(t, s, "SELECT k, n FROM from_source ORDER BY k", "1|2", "2|1")
}

// recoverViewLogsOnly runs recovery as Open does up to applying the views' logs and stops there,
// as a crash right after would. It returns the epoch the views were marked complete through
// before and after.
func recoverViewLogsOnly(t *testing.T, opts Options) (before, after uint64) {
	t.Helper()
	if err := opts.validate(); err != nil {
		t.Fatal(err)
	}
	db, err := storage.Open(storage.Options{Dir: opts.DataDir, Sync: opts.Sync})
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	e := &Engine{opts: opts, db: db, mem: opts.Mem, cat: newCatalog(), flows: map[uint64]*dataflow{}}
	e.views.limitRows, e.views.limitRuns, e.views.limitOverlay, e.views.chunk = materializeRows, materializeRuns, overlayRows, applyChunk
	e.views.epoch = &e.epoch
	if err := e.cat.load(db); err != nil {
		t.Fatal(err)
	}
	epoch, err := readEpoch(db)
	if err != nil {
		t.Fatal(err)
	}
	e.epoch.Store(epoch)
	if before, err = e.materializedThrough(); err != nil {
		t.Fatal(err)
	}
	if err := e.recoverViewLogs(); err != nil {
		t.Fatal(err)
	}
	if after, err = e.materializedThrough(); err != nil {
		t.Fatal(err)
	}
	return before, after
}
