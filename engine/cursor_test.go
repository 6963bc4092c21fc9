package engine

import (
	"context"
	"slices"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/runnel-db/runnel/exec/sqlerr"
)

// TestCursorFetchMoveClose follows PostgreSQL's answers for a query cursor: FETCH n hands out
// the rows in order, MOVE skips, FETCH past the end returns nothing, and the tags carry counts.
func TestCursorFetchMoveClose(t *testing.T) {
	e := openMem(t)
	s := newSession(t, e)
	mustQuery(t, s, "CREATE TABLE t (k int PRIMARY KEY, v text); INSERT INTO t SELECT g, 'v' || g FROM generate_series(1, 2500) g")
	expectError(t, s, "DECLARE c CURSOR FOR SELECT k FROM t", "25P01")
	mustQuery(t, s, "BEGIN")
	mustQuery(t, s, "DECLARE c NO SCROLL CURSOR WITHOUT HOLD FOR SELECT k, v FROM t ORDER BY k")
	expectRows(t, s, "FETCH 2 FROM c", "1|v1", "2|v2")
	expectRows(t, s, "FETCH NEXT IN c", "3|v3")
	if tag := execTag(t, s, "MOVE FORWARD 5 c"); tag != "MOVE 5" {
		t.Errorf("MOVE tag %q", tag)
	}
	expectRows(t, s, "FETCH c", "9|v9")
	// Across the protocol layer's 1024-row chunks.
	if got := mustQuery(t, s, "FETCH FORWARD 2000 c"); len(got) != 2000 || got[0] != "10|v10" || got[1999] != "2009|v2009" {
		t.Errorf("FETCH 2000: %d rows, %q … %q", len(got), got[0], got[len(got)-1])
	}
	if got := mustQuery(t, s, "FETCH ALL FROM c"); len(got) != 491 || got[490] != "2500|v2500" {
		t.Errorf("FETCH ALL: %d rows", len(got))
	}
	expectRows(t, s, "FETCH c")
	expectError(t, s, "DECLARE c CURSOR FOR SELECT 1", "42P03")
	mustQuery(t, s, "ROLLBACK")

	mustQuery(t, s, "BEGIN; DECLARE c CURSOR FOR SELECT k FROM t ORDER BY k")
	e55 := expectError(t, s, "FETCH BACKWARD 1 FROM c", sqlerr.ObjectNotInPrerequisiteState)
	if e55.Message != "cursor can only scan forward" {
		t.Errorf("backward: %q", e55.Message)
	}
	expectError(t, s, "FETCH 1 FROM c", "25P02") // the block failed
	mustQuery(t, s, "ROLLBACK")
	expectError(t, s, "FETCH 1 FROM c", sqlerr.InvalidCursorName) // closed by ROLLBACK
	expectError(t, s, "CLOSE nope", sqlerr.InvalidCursorName)
	expectError(t, s, "BEGIN; DECLARE c SCROLL CURSOR FOR SELECT 1", sqlerr.FeatureNotSupported)
	mustQuery(t, s, "ROLLBACK")
}

// TestCursorHold checks that WITH HOLD cursors survive COMMIT (and may be declared outside a
// block), other cursors do not, and ROLLBACK closes the held cursors it declared.
func TestCursorHold(t *testing.T) {
	e, mem := openChecked(t)
	s := newSession(t, e)
	mustQuery(t, s, "CREATE TABLE t (k int); INSERT INTO t VALUES (1), (2), (3)")
	mustQuery(t, s, "BEGIN; DECLARE h CURSOR WITH HOLD FOR SELECT k FROM t ORDER BY k; DECLARE n CURSOR FOR SELECT k FROM t; COMMIT")
	expectRows(t, s, "FETCH 1 h", "1")
	expectError(t, s, "FETCH 1 n", sqlerr.InvalidCursorName)
	// The held cursor's rows are those of its snapshot.
	mustQuery(t, s, "INSERT INTO t VALUES (4)")
	expectRows(t, s, "FETCH ALL h", "2", "3")
	mustQuery(t, s, "CLOSE h")
	mustQuery(t, s, "DECLARE o CURSOR WITH HOLD FOR SELECT count(*) FROM t")
	mustQuery(t, s, "BEGIN; DECLARE r CURSOR WITH HOLD FOR SELECT 1; ROLLBACK")
	expectError(t, s, "FETCH r", sqlerr.InvalidCursorName)
	expectRows(t, s, "FETCH o", "4")
	if tag := execTag(t, s, "CLOSE ALL"); tag != "CLOSE CURSOR ALL" {
		t.Errorf("CLOSE ALL tag %q", tag)
	}
	expectError(t, s, "FETCH o", sqlerr.InvalidCursorName)
	mustQuery(t, s, "DECLARE left_open CURSOR WITH HOLD FOR SELECT k FROM t")
	s.Close()
	if err := e.Close(); err != nil {
		t.Fatal(err)
	}
	mem.AssertSize(t, 0)
}

// TestCursorSubscribe reads a subscription through a cursor: FETCH returns the buffered rows,
// waits for the first one without TIMEOUT, returns nothing at TIMEOUT, and COMMIT ends the
// subscription and frees what it held.
func TestCursorSubscribe(t *testing.T) {
	e, mem := openChecked(t)
	s, w := newSession(t, e), newSession(t, e)
	mustQuery(t, w, "CREATE TABLE t (k int, v text); CREATE MATERIALIZED VIEW c AS SELECT count(*) AS n FROM t; INSERT INTO t VALUES (1, 'a')")
	expectError(t, s, "DECLARE s CURSOR FOR SUBSCRIBE c", "25P01")
	mustQuery(t, s, "BEGIN; DECLARE s CURSOR FOR SUBSCRIBE c")
	e0 := e.Epoch()
	expectRows(t, s, "FETCH 10 s", itoa(e0)+"|1|1")
	expectRows(t, s, "FETCH 10 s WITH (TIMEOUT = '0s')")
	expectRows(t, s, "FETCH ALL s WITH (timeout = '20ms')")
	mustQuery(t, w, "INSERT INTO t VALUES (2, 'b')")
	expectRows(t, s, "FETCH 1 s WITH (timeout = '0')", itoa(e0+1)+"|-1|1")
	expectRows(t, s, "FETCH ALL s", itoa(e0+1)+"|1|2")

	// Without TIMEOUT, FETCH waits for the next change.
	done := make(chan []string)
	go func() {
		lines, err := query(t, s, "FETCH ALL s")
		if err != nil {
			t.Error(err)
		}
		done <- lines
	}()
	time.Sleep(20 * time.Millisecond)
	mustQuery(t, w, "INSERT INTO t VALUES (3, 'c')")
	got := <-done
	if want := itoa(e0+2) + "|-1|2\n" + itoa(e0+2) + "|1|3"; sortedLines(got) != want {
		t.Errorf("waiting FETCH: got %q, want %q", got, want)
	}

	mustQuery(t, s, "DECLARE raw CURSOR FOR SUBSCRIBE TO t WITH (SNAPSHOT = false)")
	mustQuery(t, w, "INSERT INTO t VALUES (4, 'd')")
	expectRows(t, s, "FETCH 5 raw", itoa(e0+3)+"|1|4|d")
	if n := e.subs.count.Load(); n != 2 {
		t.Errorf("%d subscriptions, want 2", n)
	}
	mustQuery(t, w, "INSERT INTO t VALUES (5, 'e')") // left unread in both buffers
	mustQuery(t, s, "COMMIT")
	if n := e.subs.count.Load(); n != 0 {
		t.Errorf("%d subscriptions after COMMIT", n)
	}
	expectError(t, s, "FETCH s", sqlerr.InvalidCursorName)

	// A FETCH that waits is cancelled with its statement.
	mustQuery(t, s, "BEGIN; DECLARE s CURSOR FOR SUBSCRIBE c WITH (SNAPSHOT = false)")
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Millisecond)
	defer cancel()
	p, err := s.Prepare(ctx, "FETCH 1 s", nil)
	if err != nil {
		t.Fatal(err)
	}
	r, err := s.Execute(ctx, p, nil)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := r.Rows.Next(ctx); err == nil {
		t.Error("FETCH with a cancelled context returned")
	}
	r.Rows.Close()
	mustQuery(t, s, "ROLLBACK")
	if n := e.subs.count.Load(); n != 0 {
		t.Errorf("%d subscriptions after ROLLBACK", n)
	}

	// The session's end closes its cursors and their subscriptions.
	mustQuery(t, s, "BEGIN; DECLARE s CURSOR FOR SUBSCRIBE t")
	mustQuery(t, w, "INSERT INTO t VALUES (6, 'f')")
	s.Close()
	if n := e.subs.count.Load(); n != 0 {
		t.Errorf("%d subscriptions after the session closed", n)
	}
	s = newSession(t, e)

	expectError(t, s, "FETCH 1 s WITH (TIMEOUT = 'soon')", sqlerr.InvalidParameterValue)
	expectError(t, s, "FETCH 1 s WITH (WAIT = '1s')", sqlerr.SyntaxError)
	mustQuery(t, s, "DROP MATERIALIZED VIEW c")
	s.Close()
	w.Close()
	if err := e.Close(); err != nil {
		t.Fatal(err)
	}
	mem.AssertSize(t, 0)
}

func itoa(n uint64) string { return strconv.FormatUint(n, 10) }

func sortedLines(lines []string) string {
	out := slices.Clone(lines)
	slices.Sort(out)
	return strings.Join(out, "\n")
}

// execTag runs one statement and returns its CommandComplete tag.
func execTag(t *testing.T, s *Session, text string) string {
	t.Helper()
	r := prepareExecute(t, s, text)
	if r.Rows != nil {
		r.Rows.Close()
	}
	return r.Tag
}

// TestCursorImplicitBlock: the statements of one multi-statement Query form an implicit block,
// in which a cursor may be declared and fetched from; it closes when the Query ends.
func TestCursorImplicitBlock(t *testing.T) {
	e := openMem(t)
	s := newSession(t, e)
	mustQuery(t, s, "CREATE TABLE t (k int); INSERT INTO t VALUES (1), (2)")
	s.BeginImplicit()
	mustQuery(t, s, "DECLARE c CURSOR FOR SELECT k FROM t ORDER BY k")
	mustQuery(t, s, "DECLARE h CURSOR WITH HOLD FOR SELECT k FROM t ORDER BY k")
	expectRows(t, s, "FETCH 1 c", "1")
	s.EndImplicit(false)
	expectError(t, s, "FETCH c", sqlerr.InvalidCursorName)
	expectRows(t, s, "FETCH 1 h", "1")
	// A failed Query closes even the held cursors it declared.
	s.BeginImplicit()
	mustQuery(t, s, "DECLARE h2 CURSOR WITH HOLD FOR SELECT 1")
	s.EndImplicit(true)
	expectError(t, s, "FETCH h2", sqlerr.InvalidCursorName)
	// BEGIN inside the Query makes the block explicit: the cursor lives on until COMMIT.
	s.BeginImplicit()
	mustQuery(t, s, "DECLARE c CURSOR FOR SELECT k FROM t ORDER BY k")
	mustQuery(t, s, "BEGIN")
	s.EndImplicit(false)
	expectRows(t, s, "FETCH ALL c", "1", "2")
	mustQuery(t, s, "COMMIT")
	expectError(t, s, "FETCH c", sqlerr.InvalidCursorName)
}
