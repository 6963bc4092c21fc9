package engine

import (
	"bytes"
	"fmt"
	"math/rand"
	"slices"
	"sort"
	"strings"
	"testing"

	"github.com/runnel-db/runnel/exec/sqlerr"
	"github.com/runnel-db/runnel/exec/zset"
	"github.com/runnel-db/runnel/sql"
	"github.com/runnel-db/runnel/storage"
)

// checkIndexes verifies that the entries of every index of table name are exactly one per stored
// row copy: key = index prefix + key encoding of the index columns + the row's key suffix.
func checkIndexes(t *testing.T, e *Engine, name string) {
	t.Helper()
	o := e.cat.lookup("", name)
	if o == nil {
		t.Fatalf("no table %s", name)
	}
	snap := e.db.NewSnapshot()
	defer snap.Close()
	l := layoutOf(o)
	want := map[uint64][]string{}
	lower := l.prefix()
	err := l.scanRangeKeys(snap, e.mem, lower, storage.PrefixEnd(lower), true, func(b zset.Batch, keys [][]byte) error {
		for row, key := range keys {
			if w := b.Weights()[row]; w != 1 {
				return fmt.Errorf("stored row with weight %d", w)
			}
			for _, ix := range o.Indexes {
				k := l.codec.AppendKey(storage.IndexEntryKey(nil, ix.ID, nil), b.Cols(), row, ix.Columns)
				want[ix.ID] = append(want[ix.ID], string(append(k, key[storage.PrefixLen:]...)))
			}
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	for _, ix := range o.Indexes {
		got := indexKeys(t, snap, ix.ID)
		w := want[ix.ID]
		sort.Strings(w)
		if !slices.Equal(got, w) {
			t.Fatalf("index %s of %s: %d entries, want %d (entries differ from the rows)", ix.Name, name, len(got), len(w))
		}
	}
}

// indexKeys returns the keys of index id's entries in order.
func indexKeys(t *testing.T, r reader, id uint64) []string {
	t.Helper()
	p := storage.Prefix(storage.KindIndex, id)
	it, err := r.NewIter(p, storage.PrefixEnd(p))
	if err != nil {
		t.Fatal(err)
	}
	defer it.Close()
	var out []string
	for ok := it.First(); ok; ok = it.Next() {
		if len(it.Value()) != 0 {
			t.Fatalf("index entry %x has a value", it.Key())
		}
		out = append(out, string(it.Key()))
	}
	return out
}

// countKind counts the stored keys of a kind.
func countKind(t *testing.T, e *Engine, kind storage.Kind) int {
	t.Helper()
	snap := e.db.NewSnapshot()
	defer snap.Close()
	p := storage.KindPrefix(kind)
	it, err := snap.NewIter(p, storage.PrefixEnd(p))
	if err != nil {
		t.Fatal(err)
	}
	defer it.Close()
	n := 0
	for ok := it.First(); ok; ok = it.Next() {
		n++
	}
	return n
}

func TestIndexDDL(t *testing.T) {
	e := openMem(t)
	s := newSession(t, e)
	mustQuery(t, s, `CREATE TABLE ti (a int UNIQUE, b text, c int, UNIQUE (b, c));
		CREATE VIEW vv AS SELECT 1 AS x;
		CREATE MATERIALIZED VIEW mm AS SELECT a FROM ti`)
	o := e.cat.lookup("", "ti")
	var names []string
	for _, ix := range o.Indexes {
		names = append(names, ix.Name)
	}
	if strings.Join(names, ",") != "ti_a_key,ti_b_c_key" {
		t.Fatalf("constraint indexes %v", names)
	}
	// Wording verified against PostgreSQL 15.
	err := expectError(t, s, "INSERT INTO ti VALUES (1,'x',1),(1,'y',2)", sqlerr.UniqueViolation)
	if err.Message != `duplicate key value violates unique constraint "ti_a_key"` || err.Detail != "Key (a)=(1) already exists." {
		t.Errorf("got %q / %q", err.Message, err.Detail)
	}
	mustQuery(t, s, "INSERT INTO ti VALUES (NULL,'x',NULL),(NULL,'x',NULL)")
	err = expectError(t, s, "INSERT INTO ti VALUES (2,'x',1),(3,'x',1)", sqlerr.UniqueViolation)
	if err.Message != `duplicate key value violates unique constraint "ti_b_c_key"` || err.Detail != "Key (b, c)=(x, 1) already exists." {
		t.Errorf("got %q / %q", err.Message, err.Detail)
	}
	mustQuery(t, s, "CREATE UNIQUE INDEX ON ti (c); CREATE INDEX ON ti (c); CREATE INDEX ON ti (c)")
	err = expectError(t, s, "CREATE UNIQUE INDEX uu ON ti (b)", sqlerr.UniqueViolation)
	if err.Message != `could not create unique index "uu"` || err.Detail != "Key (b)=(x) is duplicated." {
		t.Errorf("got %q / %q", err.Message, err.Detail)
	}
	err = expectError(t, s, "CREATE INDEX ti_c_idx ON ti (a)", sqlerr.DuplicateTable)
	if err.Message != `relation "ti_c_idx" already exists` {
		t.Errorf("got %q", err.Message)
	}
	mustQuery(t, s, "CREATE INDEX IF NOT EXISTS ti_c_idx ON ti (a)")
	expectError(t, s, "CREATE INDEX ti ON ti (a)", sqlerr.DuplicateTable)
	expectError(t, s, "CREATE TABLE ti_c_idx1 (x int)", sqlerr.DuplicateTable)
	names = names[:0]
	for _, ix := range e.cat.lookup("", "ti").Indexes {
		names = append(names, ix.Name)
	}
	if strings.Join(names, ",") != "ti_a_key,ti_b_c_key,ti_c_idx,ti_c_idx1,ti_c_idx2" {
		t.Errorf("index names %v", names)
	}
	for _, stmt := range []string{
		"CREATE INDEX zz ON ti (a DESC)", "CREATE INDEX zz ON ti (a) WHERE a > 1", "CREATE INDEX zz ON ti ((a + 1))",
		"CREATE INDEX zz ON ti USING hash (a)", "CREATE INDEX zz ON ti (a) INCLUDE (b)", "CREATE INDEX CONCURRENTLY zz ON ti (a)",
		"CREATE INDEX zz ON ti (a NULLS FIRST)", "CREATE INDEX zz ON mm (a)", "CREATE TABLE tk (a int UNIQUE NULLS NOT DISTINCT)",
	} {
		expectError(t, s, stmt, sqlerr.FeatureNotSupported)
	}
	mustQuery(t, s, "CREATE INDEX zz ON ti USING btree (a ASC)")
	err = expectError(t, s, "CREATE INDEX ON vv (x)", sqlerr.WrongObjectType)
	if err.Message != `cannot create index on relation "vv"` || err.Detail != "This operation is not supported for views." {
		t.Errorf("got %q / %q", err.Message, err.Detail)
	}
	expectError(t, s, "CREATE INDEX ON nosuch (a)", sqlerr.UndefinedTable)
	expectError(t, s, "CREATE INDEX ON ti (zzz)", sqlerr.UndefinedColumn)
	expectError(t, s, "CREATE TABLE tz (a int, UNIQUE (q))", sqlerr.UndefinedColumn)

	err = expectError(t, s, "DROP INDEX ti_a_key", sqlerr.DependentObjectsStillExist)
	if err.Message != "cannot drop index ti_a_key because constraint ti_a_key on table ti requires it" ||
		err.Hint != "You can drop constraint ti_a_key on table ti instead." {
		t.Errorf("got %q / %q", err.Message, err.Hint)
	}
	err = expectError(t, s, "DROP INDEX nosuch", sqlerr.UndefinedObject)
	if err.Message != `index "nosuch" does not exist` {
		t.Errorf("got %q", err.Message)
	}
	mustQuery(t, s, "DROP INDEX IF EXISTS nosuch")
	err = expectError(t, s, "DROP INDEX ti", sqlerr.WrongObjectType)
	if err.Message != `"ti" is not an index` || err.Hint != "Use DROP TABLE to remove a table." {
		t.Errorf("got %q / %q", err.Message, err.Hint)
	}
	err = expectError(t, s, "DROP TABLE ti_c_idx", sqlerr.WrongObjectType)
	if err.Message != `"ti_c_idx" is not a table` || err.Hint != "Use DROP INDEX to remove an index." {
		t.Errorf("got %q / %q", err.Message, err.Hint)
	}
	checkIndexes(t, e, "ti")
	mustQuery(t, s, "DROP INDEX ti_c_idx, zz")
	expectError(t, s, "DROP INDEX ti_c_idx", sqlerr.UndefinedObject)
	if n := len(e.cat.lookup("", "ti").Indexes); n != 4 {
		t.Errorf("%d indexes after DROP INDEX, want 4", n)
	}
	checkIndexes(t, e, "ti")
	// Four remaining indexes over two rows: 8 entries; DROP TABLE removes them all.
	if n := countKind(t, e, storage.KindIndex); n != 8 {
		t.Errorf("%d index entries, want 8", n)
	}
	mustQuery(t, s, "DROP TABLE ti CASCADE")
	if n := countKind(t, e, storage.KindIndex); n != 0 {
		t.Errorf("%d index entries after DROP TABLE, want 0", n)
	}
	// The names are free again.
	mustQuery(t, s, "CREATE TABLE ti_a_key (x int); CREATE INDEX ti_c_idx ON ti_a_key (x)")
	expectRows(t, s, "SHOW CREATE TABLE ti_a_key", "public.ti_a_key|CREATE TABLE ti_a_key (x int)")
}

func TestUniqueNullsAndFailedStatements(t *testing.T) {
	e := openMem(t)
	s := newSession(t, e)
	mustQuery(t, s, `CREATE TABLE u (id int PRIMARY KEY, a int UNIQUE, b text);
		CREATE TABLE r (a int, b text, CONSTRAINT r_one UNIQUE (a, b));
		CREATE MATERIALIZED VIEW uc AS SELECT count(*) AS n, count(a) AS na FROM u;
		INSERT INTO u VALUES (1, NULL, 'x'), (2, NULL, 'y'), (3, 3, 'z');
		INSERT INTO r VALUES (1, NULL), (1, NULL), (NULL, 'q'), (NULL, 'q'), (1, 'q')`)
	expectRows(t, s, "SELECT * FROM uc", "3|1")
	before := func() []string {
		return []string{
			strings.Join(mustQuery(t, s, "SELECT * FROM u ORDER BY id"), ";"),
			strings.Join(mustQuery(t, s, "SELECT * FROM r ORDER BY a, b"), ";"),
			strings.Join(mustQuery(t, s, "SELECT * FROM uc"), ";"),
		}
	}
	snap := before()
	entries := countKind(t, e, storage.KindIndex)
	for _, stmt := range []string{
		"INSERT INTO u VALUES (4, 4, 'a'), (5, 3, 'b')",          // collides with a stored row
		"INSERT INTO u VALUES (4, 7, 'a'), (5, 7, 'b')",          // collides within the statement
		"UPDATE u SET a = 3 WHERE id = 1",                        // update into a taken value
		"UPDATE u SET a = 9",                                     // two rows to one value (NULLs too)
		"INSERT INTO r VALUES (1, 'q')",                          // multi-column, row-id table
		"UPDATE r SET b = 'q' WHERE a = 1 AND b IS NULL",         // two copies become one value
		"INSERT INTO u SELECT id + 10, 3, b FROM u WHERE id = 1", // INSERT … SELECT
	} {
		if _, err := query(t, s, stmt); sqlerr.From(err) == nil || sqlerr.From(err).Code != sqlerr.UniqueViolation {
			t.Errorf("%s: want a unique violation, got %v", stmt, err)
		}
		if got := before(); !slices.Equal(got, snap) {
			t.Fatalf("%s changed the contents:\n%v\nwant\n%v", stmt, got, snap)
		}
		if n := countKind(t, e, storage.KindIndex); n != entries {
			t.Fatalf("%s: %d index entries, want %d", stmt, n, entries)
		}
		checkIndexes(t, e, "u")
		checkIndexes(t, e, "r")
	}
	// A value freed by a DELETE in an earlier statement, and a swap within one statement.
	mustQuery(t, s, "DELETE FROM u WHERE id = 3; INSERT INTO u VALUES (4, 3, 'w')")
	mustQuery(t, s, "UPDATE u SET a = NULL WHERE id = 4; UPDATE u SET a = 3 WHERE id = 1")
	expectRows(t, s, "SELECT id FROM u WHERE a = 3", "1")
	checkIndexes(t, e, "u")
	mustQuery(t, s, "TRUNCATE u, r")
	if n := countKind(t, e, storage.KindIndex); n != 0 {
		t.Errorf("%d index entries after TRUNCATE, want 0", n)
	}
	mustQuery(t, s, "INSERT INTO u VALUES (1, 3, 'again')")
	checkIndexes(t, e, "u")
}

// TestIndexMaintenanceRandom applies random statements to tables with and without a primary key
// and checks after each that index entries match the rows and index reads match full scans.
func TestIndexMaintenanceRandom(t *testing.T) {
	e := openMem(t)
	s := newSession(t, e)
	mustQuery(t, s, `CREATE TABLE k (id int PRIMARY KEY, a int, b text, c numeric);
		CREATE INDEX k_a ON k (a); CREATE INDEX k_bc ON k (b, c); CREATE UNIQUE INDEX k_c ON k (c);
		CREATE TABLE m (a int, b text, c numeric);
		CREATE INDEX m_a ON m (a); CREATE INDEX m_ba ON m (b, a)`)
	rng := rand.New(rand.NewSource(7))
	val := func(n int) string {
		if rng.Intn(6) == 0 {
			return "NULL::int"
		}
		return fmt.Sprint(rng.Intn(n))
	}
	txt := func() string {
		if rng.Intn(6) == 0 {
			return "NULL::text"
		}
		return fmt.Sprintf("'%c'", 'p'+rng.Intn(4))
	}
	failures := 0
	for step := 0; step < 300; step++ {
		var stmt string
		tbl := []string{"k", "m"}[rng.Intn(2)]
		switch r := rng.Intn(20); {
		case r < 9:
			var rows []string
			for i := rng.Intn(4) + 1; i > 0; i-- {
				// c from a small range with a varying scale: 1.5 and 1.50 are one unique value.
				c := "NULL::numeric"
				if rng.Intn(3) > 0 {
					c = fmt.Sprintf("%d.%s", rng.Intn(30), []string{"5", "50", "0"}[rng.Intn(3)])
				}
				rows = append(rows, fmt.Sprintf("(%d, %s, %s, %s)", rng.Intn(40), val(8), txt(), c))
			}
			if tbl == "k" {
				stmt = "INSERT INTO k VALUES " + strings.Join(rows, ", ")
			} else {
				stmt = "INSERT INTO m SELECT a, b, c FROM (VALUES " + strings.Join(rows, ", ") + ") v(id, a, b, c)"
			}
		case r < 14:
			stmt = fmt.Sprintf("UPDATE %s SET a = %s, b = %s WHERE a = %s", tbl, val(8), txt(), val(8))
			if rng.Intn(3) == 0 {
				stmt = fmt.Sprintf("UPDATE %s SET c = c + 1 WHERE b = %s", tbl, txt())
			}
		case r < 19:
			stmt = fmt.Sprintf("DELETE FROM %s WHERE a = %s OR b = %s", tbl, val(8), txt())
		default:
			stmt = "TRUNCATE " + tbl
		}
		if _, err := query(t, s, stmt); err != nil {
			if e := sqlerr.From(err); e == nil || e.Code != sqlerr.UniqueViolation {
				t.Fatalf("%s: %v", stmt, err)
			}
			failures++
		}
		checkIndexes(t, e, "k")
		checkIndexes(t, e, "m")
		if step%10 == 0 {
			compareIndexReads(t, e, s, rng)
		}
	}
	t.Logf("%d of 300 statements violated a unique index", failures)
	if failures == 0 || failures > 200 {
		t.Errorf("%d of 300 statements violated a unique index; the mix does not exercise both paths", failures)
	}
	mustQuery(t, s, "DROP INDEX k_bc, m_ba")
	checkIndexes(t, e, "k")
	compareIndexReads(t, e, s, rng)
}

// compareIndexReads checks that queries answered through an index equal the full scans.
func compareIndexReads(t *testing.T, e *Engine, s *Session, rng *rand.Rand) {
	t.Helper()
	for _, tbl := range []string{"k", "m"} {
		all := mustQuery(t, s, "SELECT a, b, c FROM "+tbl+" ORDER BY a, b, c")
		for i := 0; i < 4; i++ {
			a, b := fmt.Sprint(rng.Intn(8)), fmt.Sprintf("%c", 'p'+rng.Intn(4))
			where := fmt.Sprintf("a = %s", a)
			match := func(f []string) bool { return f[0] == a }
			if i%2 == 1 {
				where = fmt.Sprintf("b = '%s' AND a = %s", b, a)
				match = func(f []string) bool { return f[0] == a && f[1] == b }
			}
			var want []string
			for _, line := range all {
				if match(strings.Split(line, "|")) {
					want = append(want, line)
				}
			}
			q := "SELECT a, b, c FROM " + tbl + " WHERE " + where + " ORDER BY a, b, c"
			if !usesIndex(t, e, s, tbl, where) {
				t.Fatalf("%s does not read through an index", q)
			}
			if got := mustQuery(t, s, q); !slices.Equal(got, want) {
				t.Fatalf("%s\ngot  %v\nwant %v", q, got, want)
			}
		}
	}
}

// usesIndex reports whether a query on tbl filtered by where reads tbl through an index.
func usesIndex(t *testing.T, e *Engine, s *Session, tbl, where string) bool {
	t.Helper()
	st, err := sql.ParseOne("SELECT * FROM " + tbl + " WHERE " + where)
	if err != nil {
		t.Fatal(err)
	}
	e.mu.RLock()
	defer e.mu.RUnlock()
	q, err := e.planner().PlanQuery(st, nil)
	if err != nil {
		t.Fatal(err)
	}
	o := e.cat.lookup("", tbl)
	pred, ok := q.Graph.InputFilter(o.ID)
	if !ok {
		return false
	}
	l := layoutOf(o)
	if _, _, ok := l.keyRange(e.evalContext(s, nil), e.mem, pred); ok {
		return false
	}
	lower, _, ok := l.indexRange(e.evalContext(s, nil), e.mem, o, pred)
	return ok && bytes.HasPrefix(lower, storage.KindPrefix(storage.KindIndex))
}

func TestIndexReadsChooseIndexes(t *testing.T) {
	e := openMem(t)
	s := newSession(t, e)
	mustQuery(t, s, `CREATE TABLE p (id int PRIMARY KEY, a int, b text);
		CREATE INDEX p_ab ON p (a, b);
		INSERT INTO p VALUES (1, 1, 'x'), (2, 1, 'y'), (3, 2, 'x'), (4, NULL, 'x')`)
	expectError(t, s, "CREATE INDEX p_pkey ON p (a)", sqlerr.DuplicateTable)
	for _, c := range []struct {
		where string
		want  bool
	}{{"a = 1 AND b = 'x'", true}, {"a = 1", false}, {"id = 1 AND a = 1 AND b = 'x'", false}, {"a = 1 OR b = 'x'", false}} {
		if got := usesIndex(t, e, s, "p", c.where); got != c.want {
			t.Errorf("WHERE %s: index read %v, want %v", c.where, got, c.want)
		}
	}
	expectRows(t, s, "SELECT id FROM p WHERE a = 1 AND b = 'x'", "1")
	expectRows(t, s, "SELECT id FROM p WHERE b = 'y' AND a = 1 AND id > 0", "2")
	expectRows(t, s, "SELECT id FROM p WHERE a = 5 AND b = 'x'")
	// DML finds its rows through the index too.
	mustQuery(t, s, "UPDATE p SET b = 'z' WHERE a = 1 AND b = 'x'; DELETE FROM p WHERE a = 2 AND b = 'x'")
	expectRows(t, s, "SELECT * FROM p ORDER BY id", "1|1|z", "2|1|y", "4|NULL|x")
	checkIndexes(t, e, "p")
}

func TestIndexesSurviveRestart(t *testing.T) {
	opts := DefaultOptions()
	opts.DataDir = t.TempDir()
	opts.Sync = false
	e, err := Open(opts)
	if err != nil {
		t.Fatal(err)
	}
	s := newSession(t, e)
	mustQuery(t, s, `CREATE TABLE t (a int UNIQUE, b text); CREATE INDEX t_b ON t (b);
		INSERT INTO t VALUES (1, 'x'), (2, 'x'), (NULL, 'y')`)
	e.Close()
	e, err = Open(opts)
	if err != nil {
		t.Fatal(err)
	}
	defer e.Close()
	s = newSession(t, e)
	checkIndexes(t, e, "t")
	expectError(t, s, "INSERT INTO t VALUES (2, 'z')", sqlerr.UniqueViolation)
	expectError(t, s, "CREATE INDEX t_b ON t (a)", sqlerr.DuplicateTable)
	expectRows(t, s, "SELECT a FROM t WHERE b = 'x' ORDER BY a", "1", "2")
	// New objects get ids past the indexes', so no entries are shared.
	mustQuery(t, s, "CREATE TABLE t2 (a int UNIQUE); INSERT INTO t2 VALUES (1)")
	ids := map[uint64]bool{}
	for _, name := range []string{"t", "t2"} {
		o := e.cat.lookup("", name)
		for _, id := range append([]uint64{o.ID}, func() (x []uint64) {
			for _, ix := range o.Indexes {
				x = append(x, ix.ID)
			}
			return
		}()...) {
			if ids[id] {
				t.Fatalf("id %d used twice", id)
			}
			ids[id] = true
		}
	}
	mustQuery(t, s, "DELETE FROM t WHERE a = 2; INSERT INTO t VALUES (2, 'w')")
	expectRows(t, s, "SELECT a FROM t WHERE b = 'w'", "2")
	checkIndexes(t, e, "t")
	checkIndexes(t, e, "t2")
}
