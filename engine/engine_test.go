package engine

import (
	"context"
	"fmt"
	"math/rand"
	"sort"
	"strings"
	"testing"

	"github.com/apache/arrow-go/v18/arrow/memory"

	"github.com/runnel-db/runnel/exec/sqlerr"
	"github.com/runnel-db/runnel/exec/types"
	"github.com/runnel-db/runnel/sql"
)

func openMem(t testing.TB) *Engine {
	t.Helper()
	opts := DefaultOptions()
	opts.DataDir = MemoryDir
	e, err := Open(opts)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { e.Close() })
	return e
}

// openDir opens a file-backed engine in a fresh temporary directory (fsync on, as in production)
// and a session on it, running the setup statements.
func openDir(t testing.TB, setup string) (*Engine, *Session) {
	t.Helper()
	opts := DefaultOptions()
	opts.DataDir = t.TempDir()
	e, err := Open(opts)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { e.Close() })
	s := newSession(t, e)
	if setup != "" {
		mustQuery(t, s, setup)
	}
	return e, s
}

// openChecked opens an in-memory engine whose Arrow buffers come from a checked allocator.
func openChecked(t testing.TB) (*Engine, *memory.CheckedAllocator) {
	t.Helper()
	mem := memory.NewCheckedAllocator(memory.NewGoAllocator())
	opts := DefaultOptions()
	opts.DataDir = MemoryDir
	opts.Mem = mem
	e, err := Open(opts)
	if err != nil {
		t.Fatal(err)
	}
	return e, mem
}

func newSession(t testing.TB, e *Engine) *Session {
	t.Helper()
	s, err := e.NewSession("runnel", "runnel", nil)
	if err != nil {
		t.Fatal(err)
	}
	return s
}

// query runs every statement in text and returns the last result's rows as "a|b" lines (NULL as
// "NULL"), in the order the statement produced them.
func query(t testing.TB, s *Session, text string) ([]string, error) {
	t.Helper()
	ctx := context.Background()
	texts, _, err := sql.Split(text)
	if err != nil {
		return nil, err
	}
	var lines []string
	for _, one := range texts {
		p, err := s.Prepare(ctx, one, nil)
		if err != nil {
			return nil, err
		}
		params := make([]types.Datum, len(p.ParamTypes))
		r, err := s.Execute(ctx, p, params)
		if err != nil {
			return nil, err
		}
		lines = nil
		if r.Rows == nil {
			continue
		}
		for {
			rec, err := r.Rows.Next(ctx)
			if err != nil {
				r.Rows.Close()
				return nil, err
			}
			if rec == nil {
				break
			}
			for i := 0; i < int(rec.NumRows()); i++ {
				parts := make([]string, rec.NumCols())
				for j := range parts {
					col := rec.Column(j)
					if col.IsNull(i) {
						parts[j] = "NULL"
					} else {
						parts[j] = string(types.AppendText(nil, col, i, r.Columns[j].Type, s.location()))
					}
				}
				lines = append(lines, strings.Join(parts, "|"))
			}
			rec.Release()
		}
		r.Rows.Close()
	}
	return lines, nil
}

func mustQuery(t testing.TB, s *Session, text string) []string {
	t.Helper()
	lines, err := query(t, s, text)
	if err != nil {
		t.Fatalf("%s: %v", text, err)
	}
	return lines
}

func expectRows(t *testing.T, s *Session, text string, want ...string) {
	t.Helper()
	got := mustQuery(t, s, text)
	if strings.Join(got, "\n") != strings.Join(want, "\n") {
		t.Errorf("%s\ngot:\n%s\nwant:\n%s", text, strings.Join(got, "\n"), strings.Join(want, "\n"))
	}
}

func expectError(t *testing.T, s *Session, text, code string) *sqlerr.Error {
	t.Helper()
	_, err := query(t, s, text)
	e := sqlerr.From(err)
	if e == nil || e.Code != code {
		t.Fatalf("%s: want SQLSTATE %s, got %v", text, code, err)
	}
	return e
}

func TestTablesViewsAndDML(t *testing.T) {
	e := openMem(t)
	s := newSession(t, e)
	mustQuery(t, s, `CREATE TABLE t (k int, v bigint);
		CREATE MATERIALIZED VIEW agg AS SELECT k, count(*) AS n, sum(v) AS s, min(v) AS lo, max(v) AS hi FROM t GROUP BY k;
		CREATE VIEW big AS SELECT k, s FROM agg WHERE s > 10;
		CREATE MATERIALIZED VIEW big_mv AS SELECT * FROM big`)
	mustQuery(t, s, "INSERT INTO t VALUES (1, 5), (1, 7), (2, 20), (3, NULL)")
	expectRows(t, s, "SELECT * FROM agg ORDER BY k", "1|2|12|5|7", "2|1|20|20|20", "3|1|NULL|NULL|NULL")
	expectRows(t, s, "SELECT * FROM big_mv ORDER BY k", "1|12", "2|20")
	mustQuery(t, s, "DELETE FROM t WHERE v = 7")
	expectRows(t, s, "SELECT * FROM agg ORDER BY k", "1|1|5|5|5", "2|1|20|20|20", "3|1|NULL|NULL|NULL")
	expectRows(t, s, "SELECT * FROM big_mv ORDER BY k", "2|20")
	mustQuery(t, s, "UPDATE t SET v = v * 10 WHERE k = 1")
	expectRows(t, s, "SELECT * FROM big ORDER BY k", "1|50", "2|20")
	mustQuery(t, s, "DELETE FROM t")
	expectRows(t, s, "SELECT count(*) FROM agg", "0")
	expectRows(t, s, "SELECT count(*) FROM big_mv", "0")
}

func TestPrimaryKeyAndNotNull(t *testing.T) {
	e := openMem(t)
	s := newSession(t, e)
	mustQuery(t, s, "CREATE TABLE p (id int PRIMARY KEY, name text NOT NULL DEFAULT 'x')")
	mustQuery(t, s, "INSERT INTO p (id) VALUES (1)")
	expectRows(t, s, "SELECT * FROM p", "1|x")
	err := expectError(t, s, "INSERT INTO p VALUES (2, 'a'), (1, 'b')", sqlerr.UniqueViolation)
	if err.Detail != "Key (id)=(1) already exists." {
		t.Errorf("detail %q", err.Detail)
	}
	expectRows(t, s, "SELECT count(*) FROM p", "1") // the failed statement left nothing behind
	expectError(t, s, "INSERT INTO p VALUES (3, NULL)", sqlerr.NotNullViolation)
	mustQuery(t, s, "UPDATE p SET id = 2 WHERE id = 1")
	expectRows(t, s, "SELECT * FROM p", "2|x")
}

func TestDropDependencies(t *testing.T) {
	e := openMem(t)
	s := newSession(t, e)
	mustQuery(t, s, "CREATE TABLE t (a int); CREATE MATERIALIZED VIEW m AS SELECT a FROM t; CREATE VIEW v AS SELECT a FROM m")
	err := expectError(t, s, "DROP TABLE t", sqlerr.DependentObjectsStillExist)
	if !strings.Contains(err.Detail, "materialized view m depends on table t") {
		t.Errorf("detail %q does not name the dependent", err.Detail)
	}
	expectError(t, s, "DROP VIEW m", sqlerr.WrongObjectType)
	mustQuery(t, s, "DROP TABLE t CASCADE")
	expectRows(t, s, "SHOW TABLES")
	expectError(t, s, "SELECT * FROM v", sqlerr.UndefinedTable)
	mustQuery(t, s, "DROP TABLE IF EXISTS t")
}

// TestFailedEpochLeavesViewsIntact makes a view's query fail for a new row and checks the write is
// rejected, and that the view's operator state was restored (later writes still maintain it).
func TestFailedEpochLeavesViewsIntact(t *testing.T) {
	e := openMem(t)
	s := newSession(t, e)
	mustQuery(t, s, "CREATE TABLE t (a int, b int); CREATE MATERIALIZED VIEW q AS SELECT sum(a / b) AS s, count(*) AS n FROM t")
	mustQuery(t, s, "INSERT INTO t VALUES (4, 2)")
	expectError(t, s, "INSERT INTO t VALUES (1, 2), (1, 0)", sqlerr.DivisionByZero)
	expectRows(t, s, "SELECT * FROM q", "2|1")
	mustQuery(t, s, "INSERT INTO t VALUES (9, 3)")
	expectRows(t, s, "SELECT * FROM q", "5|2")
	expectRows(t, s, "SELECT count(*) FROM t", "2")
}

// recomputationViews are views over a(k, v) and b(k PRIMARY KEY, w) that tests keep equal to their
// queries under random changes.
var recomputationViews = []string{
	"SELECT k, count(*) AS n, sum(v) AS s, min(v) AS lo, max(v) AS hi, avg(v) AS a FROM a GROUP BY k",
	"SELECT count(*) AS n, sum(v) AS s, count(DISTINCT k) AS dk FROM a",
	"SELECT a.k, a.v, b.w FROM a JOIN b ON a.k = b.k",
	"SELECT a.k, a.v, b.w FROM a LEFT JOIN b ON a.k = b.k AND b.w > a.v",
	"SELECT b.k, sum(a.v) AS s FROM a FULL JOIN b ON a.k = b.k GROUP BY b.k",
	"SELECT DISTINCT k FROM a WHERE v > 3",
	"SELECT k FROM a UNION SELECT k FROM b",
	"SELECT k FROM a EXCEPT ALL SELECT k FROM b",
	"SELECT k, v FROM a ORDER BY v DESC, k LIMIT 3",
	"SELECT k FROM a WHERE k IN (SELECT k FROM b WHERE w > 2)",
	"SELECT k, v FROM a WHERE NOT EXISTS (SELECT 1 FROM b WHERE b.k = a.k)",
	"SELECT k, v * 2 + 1 AS x, CASE WHEN v > 5 THEN 'big' ELSE 'small' END AS size FROM a WHERE v IS NOT NULL",
	"SELECT k FROM a WHERE k NOT IN (SELECT w FROM b)",
	"SELECT k, (SELECT max(w) FROM b WHERE b.k = a.k) AS m FROM a",
	"SELECT a.k, count(b.w) AS n FROM a LEFT JOIN b ON a.k = b.k GROUP BY a.k HAVING count(*) > 1",
	"SELECT k, v FROM a ORDER BY k, v LIMIT 2 OFFSET 1",
	"SELECT a.k, b.w FROM a RIGHT JOIN b ON a.v < b.w",
	"SELECT k, sum(v) FILTER (WHERE v > 2) AS s, count(DISTINCT v) AS d FROM a GROUP BY k",
	"SELECT k FROM a INTERSECT SELECT w FROM b",
	"SELECT x.k, x.n FROM (SELECT k, count(*) AS n FROM a GROUP BY k) x JOIN (SELECT DISTINCT k FROM b) y ON x.k = y.k",
	"SELECT coalesce(v, -1) AS v, k::text || '-' || coalesce(v::text, 'null') AS label FROM a",
}

// TestViewsEqualRecomputation applies random inserts, updates and deletes to two tables and after
// every statement checks that each materialized view equals its query run from scratch.
func TestViewsEqualRecomputation(t *testing.T) {
	views := recomputationViews
	opts := DefaultOptions()
	opts.DataDir = t.TempDir()
	opts.Sync = false
	e, err := Open(opts)
	if err != nil {
		t.Fatal(err)
	}
	defer func() { e.Close() }()
	s := newSession(t, e)
	createRecomputationViews(t, s)
	rng := rand.New(rand.NewSource(7))
	for step := 0; step < 150; step++ {
		if step%50 == 49 {
			// Restart: operator state is rebuilt from the stored contents and must carry on.
			e.Close()
			if e, err = Open(opts); err != nil {
				t.Fatal(err)
			}
			s = newSession(t, e)
		}
		stmt := randomChange(rng)
		if _, err := query(t, s, stmt); err != nil && sqlerr.Code(err) != sqlerr.UniqueViolation {
			t.Fatalf("step %d: %s: %v", step, stmt, err)
		}
		checkRecomputation(t, s, views, fmt.Sprintf("after step %d (%s)", step, stmt))
	}
}

// createRecomputationViews creates tables a and b and views v<i> AS recomputationViews[i].
func createRecomputationViews(t *testing.T, s *Session) {
	t.Helper()
	mustQuery(t, s, "CREATE TABLE a (k int, v int); CREATE TABLE b (k int PRIMARY KEY, w int)")
	for i, v := range recomputationViews {
		mustQuery(t, s, fmt.Sprintf("CREATE MATERIALIZED VIEW v%d AS %s", i, v))
	}
}

// randomChange returns a random INSERT, UPDATE or DELETE of a(k, v) or b(k PRIMARY KEY, w).
func randomChange(rng *rand.Rand) string {
	val := func() string {
		if rng.Intn(8) == 0 {
			return "NULL"
		}
		return fmt.Sprint(rng.Intn(10))
	}
	table := []string{"a", "b"}[rng.Intn(2)]
	switch r := rng.Intn(10); {
	case r < 5 && table == "b":
		// b has a primary key: a duplicate fails the whole statement and changes nothing.
		return fmt.Sprintf("INSERT INTO b VALUES (%d, %s), (%d, %s)", rng.Intn(12), val(), rng.Intn(12), val())
	case r < 5:
		var rows []string
		for n := rng.Intn(4) + 1; n > 0; n-- {
			rows = append(rows, fmt.Sprintf("(%s, %s)", val(), val()))
		}
		return fmt.Sprintf("INSERT INTO %s VALUES %s", table, strings.Join(rows, ", "))
	case r < 7:
		return fmt.Sprintf("DELETE FROM %s WHERE k = %d", table, rng.Intn(10))
	case r < 9 && table == "b":
		return fmt.Sprintf("UPDATE b SET w = %s WHERE k = %d", val(), rng.Intn(12))
	case r < 9:
		return fmt.Sprintf("UPDATE a SET k = %d WHERE k = %d", rng.Intn(10), rng.Intn(10))
	}
	return fmt.Sprintf("DELETE FROM %s", table)
}

// checkRecomputation fails unless each view v<i> equals views[i] run from scratch.
func checkRecomputation(t *testing.T, s *Session, views []string, when string) {
	t.Helper()
	for i, v := range views {
		got := mustQuery(t, s, fmt.Sprintf("SELECT * FROM v%d", i))
		want := mustQuery(t, s, v)
		sort.Strings(got)
		sort.Strings(want)
		if strings.Join(got, "\n") != strings.Join(want, "\n") {
			t.Fatalf("%s, view v%d = %s\ngot:\n%s\nwant:\n%s", when, i, v, strings.Join(got, "\n"), strings.Join(want, "\n"))
		}
	}
}

// TestRecoveryRebuildsViews reopens a file-backed database and checks tables, views and their
// maintenance survive.
func TestRecoveryRebuildsViews(t *testing.T) {
	dir := t.TempDir()
	opts := DefaultOptions()
	opts.DataDir = dir
	opts.Sync = false
	e, err := Open(opts)
	if err != nil {
		t.Fatal(err)
	}
	s := newSession(t, e)
	mustQuery(t, s, "CREATE TABLE t (k text PRIMARY KEY, v numeric(8,2)); CREATE MATERIALIZED VIEW m AS SELECT count(*) AS n, sum(v) AS s FROM t")
	mustQuery(t, s, "INSERT INTO t VALUES ('a', 1.25), ('b', 2)")
	e.Close()
	e, err = Open(opts)
	if err != nil {
		t.Fatal(err)
	}
	defer e.Close()
	s = newSession(t, e)
	expectRows(t, s, "SELECT * FROM m", "2|3.25")
	mustQuery(t, s, "DELETE FROM t WHERE k = 'a'")
	expectRows(t, s, "SELECT * FROM m", "1|2.00")
	expectRows(t, s, "SHOW MATERIALIZED VIEWS", "m")
}

func TestCopyFromText(t *testing.T) {
	e := openMem(t)
	s := newSession(t, e)
	mustQuery(t, s, "CREATE TABLE c (id int, name text, note text DEFAULT 'd')")
	ctx := context.Background()
	for _, tc := range []struct{ stmt, data string }{
		{"COPY c (id, name) FROM STDIN", "1\tone\n2\t\\N\n3\ttab\\there\n\\.\n"},
		{"COPY c FROM STDIN WITH (FORMAT csv, HEADER)", "id,name,note\n4,\"a,b\",\n5,\"\",\"x\"\"y\"\n"},
	} {
		p, err := s.Prepare(ctx, tc.stmt, nil)
		if err != nil {
			t.Fatal(err)
		}
		r, err := s.Execute(ctx, p, nil)
		if err != nil {
			t.Fatal(err)
		}
		if r.CopyIn == nil {
			t.Fatalf("%s: no CopyIn", tc.stmt)
		}
		if err := r.CopyIn.Write([]byte(tc.data)); err != nil {
			t.Fatal(err)
		}
		if _, err := r.CopyIn.Done(ctx); err != nil {
			t.Fatalf("%s: %v", tc.stmt, err)
		}
	}
	expectRows(t, s, "SELECT * FROM c ORDER BY id", "1|one|d", "2|NULL|d", "3|tab\there|d", "4|a,b|NULL", "5||x\"y")
}

func TestUnsupportedStatementsAreNamed(t *testing.T) {
	e := openMem(t)
	s := newSession(t, e)
	mustQuery(t, s, "CREATE TABLE t (a int)")
	for stmt, want := range map[string]string{
		"CREATE INDEX i ON t ((a + 1))":     "CREATE INDEX on an expression is not supported",
		"ALTER TABLE t ADD COLUMN b int":    "ALTER TABLE is not supported",
		"CREATE SEQUENCE s":                 "CREATE SEQUENCE is not supported",
		"CREATE TABLE u AS SELECT * FROM t": "CREATE TABLE AS is not supported",
	} {
		err := expectError(t, s, stmt, sqlerr.FeatureNotSupported)
		if err.Message != want {
			t.Errorf("%s: message %q, want %q", stmt, err.Message, want)
		}
	}
}

func TestTruncate(t *testing.T) {
	e := openMem(t)
	s := newSession(t, e)
	mustQuery(t, s, `CREATE TABLE a (x int); CREATE TABLE b (id int PRIMARY KEY, y numeric);
		CREATE MATERIALIZED VIEW n AS SELECT (SELECT count(*) FROM a) AS na, (SELECT count(*) FROM b) AS nb;
		INSERT INTO a VALUES (1), (1), (2); INSERT INTO b VALUES (1, 1.50), (2, 2)`)
	expectRows(t, s, "SELECT * FROM n", "3|2")
	mustQuery(t, s, "TRUNCATE a, b")
	expectRows(t, s, "SELECT * FROM n", "0|0")
	expectRows(t, s, "SELECT count(*) FROM a", "0")
	mustQuery(t, s, "INSERT INTO b VALUES (1, 3)")
	expectRows(t, s, "SELECT * FROM n", "0|1")
	expectError(t, s, "TRUNCATE n", sqlerr.WrongObjectType)
}

// TestNoArrowLeaks runs a mixed workload on a checked allocator: every Arrow buffer the engine
// allocates for statements (scans, deltas, results) must be released by the time they finish.
func TestNoArrowLeaks(t *testing.T) {
	e, mem := openChecked(t)
	s := newSession(t, e)
	mustQuery(t, s, `CREATE TABLE a (k int, v numeric, s text); CREATE TABLE b (k int PRIMARY KEY, w text);
		CREATE MATERIALIZED VIEW g AS SELECT k, count(*) AS n, sum(v) AS sv FROM a GROUP BY k;
		CREATE MATERIALIZED VIEW j AS SELECT a.k, a.s, b.w FROM a JOIN b ON a.k = b.k;
		INSERT INTO a VALUES (1, 1.5, 'x'), (2, 2, 'y'), (1, 3, NULL);
		INSERT INTO b VALUES (1, 'one'), (2, 'two');
		UPDATE a SET v = v * 2 WHERE k = 1;
		DELETE FROM b WHERE k = 2`)
	expectRows(t, s, "SELECT * FROM g ORDER BY k", "1|2|9.0", "2|1|2")
	expectRows(t, s, "SELECT k, w FROM j ORDER BY k", "1|one", "1|one")
	expectRows(t, s, "SELECT * FROM b WHERE k = 1", "1|one")
	expectError(t, s, "INSERT INTO b VALUES (1, 'dup')", sqlerr.UniqueViolation)
	expectError(t, s, "SELECT 1 / (k - 1) FROM a", sqlerr.DivisionByZero)
	mustQuery(t, s, "DROP MATERIALIZED VIEW j; TRUNCATE a")
	// The remaining view's operator state may legitimately hold buffers; dropping it frees them.
	mustQuery(t, s, "DROP MATERIALIZED VIEW g")
	if err := e.Close(); err != nil {
		t.Fatal(err)
	}
	mem.AssertSize(t, 0)
}

// TestEqualValuesInAnotherForm replaces values by equal ones written differently (3 by 3.0): a
// change PostgreSQL shows, which tables and views of every storage layout must keep.
func TestEqualValuesInAnotherForm(t *testing.T) {
	e := openMem(t)
	s := newSession(t, e)
	mustQuery(t, s, `CREATE TABLE m (k int, v numeric); CREATE TABLE p (k int PRIMARY KEY, v numeric);
		CREATE MATERIALIZED VIEW mv AS SELECT v FROM m;
		CREATE MATERIALIZED VIEW kv AS SELECT k, max(v) AS v FROM m GROUP BY k;
		INSERT INTO m VALUES (1, 3), (2, 3); INSERT INTO p VALUES (1, 3)`)
	mustQuery(t, s, "UPDATE m SET v = v * 1.0 WHERE k = 1; UPDATE p SET v = v * 1.0")
	expectRows(t, s, "SELECT * FROM m ORDER BY k", "1|3.0", "2|3")
	expectRows(t, s, "SELECT * FROM p", "1|3.0")
	expectRows(t, s, "SELECT v::text FROM mv ORDER BY 1", "3", "3.0")
	expectRows(t, s, "SELECT * FROM kv ORDER BY k", "1|3.0", "2|3")
}

// TestReturningErrorFailsTheStatement: an error while computing RETURNING rows fails the whole
// statement, which then changes nothing.
func TestReturningErrorFailsTheStatement(t *testing.T) {
	e := openMem(t)
	s := newSession(t, e)
	mustQuery(t, s, "CREATE TABLE r (a int, b int); INSERT INTO r VALUES (1, 1)")
	expectError(t, s, "INSERT INTO r VALUES (2, 0) RETURNING a / b", sqlerr.DivisionByZero)
	expectError(t, s, "UPDATE r SET b = 0 RETURNING a / b", sqlerr.DivisionByZero)
	expectRows(t, s, "SELECT * FROM r", "1|1")
	expectRows(t, s, "INSERT INTO r VALUES (4, 2) RETURNING a / b", "2")
}
