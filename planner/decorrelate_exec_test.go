package planner

import (
	"sort"
	"strings"
	"testing"
	"time"

	"github.com/apache/arrow-go/v18/arrow/array"
	"github.com/apache/arrow-go/v18/arrow/memory"

	"github.com/runnel-db/runnel/exec/expr"
	"github.com/runnel-db/runnel/exec/sqlerr"
	"github.com/runnel-db/runnel/exec/types"
	"github.com/runnel-db/runnel/exec/zset"
	"github.com/runnel-db/runnel/sql"
)

// TestExecuteDecorrelated runs subqueries correlated by conditions other than equalities
// (evaluated per correlation domain value), and ANY/ALL comparisons, over the test tables:
// the outer input has a NULL correlation value (t.c, t.d), duplicates (t.b) and rows whose
// subquery is empty. Expected results verified against PostgreSQL 15 with the same data.
func TestExecuteDecorrelated(t *testing.T) {
	cases := []struct {
		sql  string
		want []string
	}{
		{"SELECT a, (SELECT count(*) FROM s WHERE s.x < t.c) FROM t",
			[]string{"1|3", "2|3", "3|0"}},
		{"SELECT a, (SELECT count(*) FROM s WHERE s.k <> t.a OR s.x > t.c - 5) FROM t",
			[]string{"1|2", "2|3", "3|2"}},
		{"SELECT b, (SELECT count(*) FROM t AS x WHERE x.b < t.b) FROM t",
			[]string{"x|0", "x|0", "y|2"}},
		{"SELECT a, (SELECT count(*) + 1 FROM s WHERE s.x < t.c), (SELECT sum(x) FROM s WHERE s.k < t.a) FROM t",
			[]string{"1|4|NULL", "2|4|12", "3|1|12"}},
		{"SELECT a, (SELECT max(x) FROM s WHERE s.k < t.a), (SELECT count(x) FROM s WHERE s.k >= t.a) FROM t",
			[]string{"1|NULL|2", "2|7|0", "3|7|0"}},
		{"SELECT a, (SELECT count(*) FROM s WHERE s.x IS NOT DISTINCT FROM t.c) FROM t",
			[]string{"1|0", "2|0", "3|1"}},
		{"SELECT a, (SELECT count(*) FROM t AS x WHERE x.d < t.d) FROM t",
			[]string{"1|0", "2|0", "3|1"}},
		{"SELECT a, (SELECT y FROM s WHERE s.x + t.a = 8) FROM t",
			[]string{"1|q", "2|NULL", "3|p"}},
		{"SELECT a, (SELECT DISTINCT k FROM s WHERE s.k < t.a) FROM t",
			[]string{"1|NULL", "2|1", "3|1"}},
		{"SELECT a FROM t WHERE EXISTS (SELECT 1 FROM s WHERE s.x > t.c - 5)",
			[]string{"1"}},
		{"SELECT a FROM t WHERE NOT EXISTS (SELECT 1 FROM s WHERE s.x > t.c - 5)",
			[]string{"2", "3"}},
		{"SELECT a, EXISTS (SELECT 1 FROM s WHERE s.x > t.c - 5), NOT EXISTS (SELECT 1 FROM s WHERE s.k < t.a) FROM t",
			[]string{"1|t|t", "2|f|f", "3|f|f"}},
		{"SELECT a FROM t WHERE EXISTS (SELECT 1 FROM s WHERE s.x > t.c - 5) OR a = 1",
			[]string{"1"}},
		{"SELECT a FROM t WHERE EXISTS (SELECT count(*) FROM s WHERE s.k < t.a HAVING count(*) > 1)",
			[]string{"2", "3"}},
		{"SELECT a FROM t WHERE NOT EXISTS (SELECT count(*) FROM s WHERE s.k < t.a HAVING count(*) > 1)",
			[]string{"1"}},
		{"SELECT a, (SELECT count(*) FROM s WHERE s.k <= t.a HAVING count(*) > 2) FROM t",
			[]string{"1|NULL", "2|NULL", "3|3"}},
		{"SELECT a, (SELECT count(*) FROM s WHERE s.x > t.c HAVING count(*) = 0) FROM t",
			[]string{"1|0", "2|0", "3|0"}},
		{"SELECT a, (SELECT count(*) FROM s WHERE s.k < t.a GROUP BY k) FROM t",
			[]string{"1|NULL", "2|2", "3|2"}},
		{"SELECT b, (SELECT count(*) FROM s WHERE s.y >= chr(ascii(t.b) - 7)) FROM t GROUP BY b",
			[]string{"x|3", "y|2"}},
		{"SELECT a, a IN (SELECT k FROM s WHERE s.x > t.a), a IN (SELECT k FROM s WHERE s.x >= t.a AND k IS NOT NULL) FROM t",
			[]string{"1|t|t", "2|f|f", "3|f|f"}},
		{"SELECT a, c IN (SELECT x * 2 FROM s WHERE s.k <> t.a) FROM t",
			[]string{"1|NULL", "2|NULL", "3|NULL"}},
		{"SELECT a FROM t WHERE a IN (SELECT k FROM s WHERE s.x > t.a)",
			[]string{"1"}},
		{"SELECT a FROM t WHERE a NOT IN (SELECT k FROM s WHERE s.x < t.c)",
			[]string{"3"}},
		{"SELECT a FROM t WHERE a NOT IN (SELECT k FROM s WHERE s.x < t.a AND k IS NOT NULL)",
			[]string{"1", "2", "3"}},
		{"SELECT a FROM t WHERE a IN (SELECT max(k) FROM s WHERE s.k <= t.a)",
			[]string{"1", "3"}},
		{"SELECT a, a > ALL (SELECT k FROM s), a < ANY (SELECT k FROM s WHERE k IS NOT NULL), a <> ALL (SELECT x FROM s) FROM t",
			[]string{"1|f|t|f", "2|f|t|NULL", "3|f|f|NULL"}},
		{"SELECT a, a = ALL (SELECT k FROM s WHERE k = 1), a >= ANY (SELECT k FROM s WHERE false), a < ALL (SELECT k FROM s WHERE false) FROM t",
			[]string{"1|t|f|t", "2|f|f|t", "3|f|f|t"}},
		{"SELECT a, a <> ANY (SELECT k FROM s), a <= SOME (SELECT x FROM s), a > ANY (SELECT x FROM s WHERE x IS NULL) FROM t",
			[]string{"1|t|t|NULL", "2|t|t|NULL", "3|t|t|NULL"}},
		{"SELECT a, c > ALL (SELECT x FROM s WHERE s.k = t.a), c <= ANY (SELECT x * 3 FROM s WHERE s.k <> t.a) FROM t",
			[]string{"1|t|NULL", "2|t|t", "3|NULL|NULL"}},
		{"SELECT a, a < ALL (SELECT x FROM s WHERE s.k < t.a), a = ANY (SELECT k FROM s WHERE s.k >= t.a), a <> ALL (SELECT k FROM s WHERE s.x > t.a) FROM t",
			[]string{"1|t|t|f", "2|t|f|t", "3|t|t|t"}},
		{"SELECT a FROM t WHERE a > ALL (SELECT k FROM s WHERE s.x < t.c)",
			[]string{"3"}},
		{"SELECT a FROM t WHERE c >= ANY (SELECT x FROM s)",
			[]string{"1", "2"}},
		{"SELECT a, (SELECT count(*) FROM s WHERE s.x < t.c AND s.k = t.a) FROM t",
			[]string{"1|2", "2|0", "3|0"}},
		{"SELECT a, (SELECT min(y) FROM s WHERE s.k < t.a OR s.k IS NULL) FROM t WHERE a > 1",
			[]string{"2|p", "3|p"}},
		{"SELECT a, c IN (SELECT x * 2 FROM s WHERE s.k = t.a OR t.a = 2) FROM t",
			[]string{"1|t", "2|NULL", "3|NULL"}},
		// Nested subqueries, several per query, outer aggregation, GROUP BY/HAVING, FILTER.
		{"SELECT a, (SELECT count(*) FROM s WHERE s.x > t.c - 8 AND (SELECT count(*) FROM s AS s2 WHERE s2.k < s.k) >= 1) FROM t",
			[]string{"1|0", "2|0", "3|0"}},
		{"SELECT a FROM t WHERE EXISTS (SELECT 1 FROM s WHERE s.x < t.a * 3 AND EXISTS (SELECT 1 FROM s AS s2 WHERE s2.x > s.x))",
			[]string{"1", "2", "3"}},
		{"SELECT a, (SELECT count(*) FROM s WHERE s.k < t.a AND s.x NOT IN (SELECT x FROM s AS s2 WHERE s2.x > s.x + 1)) FROM t",
			[]string{"1|0", "2|2", "3|2"}},
		{"SELECT a, (SELECT count(*) FROM s WHERE s.k < t.a) + (SELECT count(*) FROM s WHERE s.k > t.a) AS both FROM t WHERE (SELECT count(*) FROM s WHERE s.x < t.c) > 0",
			[]string{"1|1", "2|3"}},
		{"SELECT b, count(*) FROM t WHERE EXISTS (SELECT 1 FROM s WHERE s.k <> t.a) GROUP BY b",
			[]string{"x|2", "y|1"}},
		{"SELECT a, (SELECT count(*) FROM s WHERE s.y < t.b AND s.k IS NOT NULL) FROM t WHERE a IN (SELECT k FROM s WHERE s.x > t.a - 10)",
			[]string{"1|3"}},
		{"SELECT a, (SELECT sum(k) FROM s WHERE s.x < t.c GROUP BY y HAVING y = 'p') FROM t",
			[]string{"1|1", "2|1", "3|NULL"}},
		{"SELECT a, (SELECT count(DISTINCT k) FROM s WHERE s.x <= t.c OR t.c IS NULL) FROM t",
			[]string{"1|1", "2|1", "3|2"}},
		{"SELECT a, (SELECT max(x) FILTER (WHERE k = 1) FROM s WHERE s.x <= t.c) FROM t",
			[]string{"1|7", "2|7", "3|NULL"}},
		{"SELECT a, (SELECT count(*) FROM s WHERE s.y < t.b AND s.x < t.c) FROM t",
			[]string{"1|3", "2|3", "3|0"}},
		{"SELECT a, (SELECT bool_and(x > 2) FROM s WHERE s.x <= t.c) FROM t",
			[]string{"1|f", "2|f", "3|NULL"}},
		// NOT IN whose operand has no column (no join key).
		{"SELECT a FROM t WHERE 1 NOT IN (SELECT k FROM s WHERE k IS NOT NULL)", nil},
		{"SELECT a FROM t WHERE 2 NOT IN (SELECT k FROM s WHERE k IS NOT NULL)", []string{"1", "2", "3"}},
		{"SELECT a FROM t WHERE 2 NOT IN (SELECT k FROM s)", nil},
		// Outer references in the select list and HAVING clause.
		{"SELECT a, (SELECT t.a + count(*) FROM s WHERE s.k < t.a) FROM t",
			[]string{"1|1", "2|4", "3|5"}},
		{"SELECT a, (SELECT count(*) FROM s WHERE s.k <= t.a HAVING count(*) > t.a) FROM t",
			[]string{"1|2", "2|NULL", "3|NULL"}},
		{"SELECT a, (SELECT t.c FROM s WHERE s.k = 3) FROM t",
			[]string{"1|10", "2|20", "3|NULL"}},
		{"SELECT a, (SELECT max(x) + t.a FROM s) FROM t",
			[]string{"1|8", "2|9", "3|10"}},
		{"SELECT a, (SELECT t.b || y FROM s WHERE s.x > t.c - 5) FROM t",
			[]string{"1|xq", "2|NULL", "3|NULL"}},
		{"SELECT a FROM t WHERE EXISTS (SELECT t.a FROM s WHERE s.k = t.a)",
			[]string{"1", "3"}},
		{"SELECT a, (SELECT s.x * t.a FROM s WHERE s.k = t.a AND s.x = 5) FROM t",
			[]string{"1|5", "2|NULL", "3|NULL"}},
		{"SELECT a, a IN (SELECT s.k + t.a - 1 FROM s) FROM t",
			[]string{"1|t", "2|t", "3|t"}},
		{"SELECT a, c > ALL (SELECT s.x + t.a FROM s WHERE s.k IS NOT NULL) FROM t",
			[]string{"1|NULL", "2|NULL", "3|NULL"}},
		{"SELECT b, (SELECT count(*) + length(t.b) FROM s WHERE s.y < t.b) FROM t GROUP BY b",
			[]string{"x|5", "y|5"}},
		{"SELECT a, (SELECT k FROM s WHERE s.x < t.c GROUP BY k HAVING k > t.a - 2) FROM t",
			[]string{"1|1", "2|1", "3|NULL"}},
		{"SELECT a, (SELECT DISTINCT t.b FROM s WHERE s.k < t.a) FROM t",
			[]string{"1|NULL", "2|y", "3|x"}},
	}
	for _, c := range cases {
		st, err := sql.ParseOne(c.sql)
		if err != nil {
			t.Fatal(err)
		}
		q, err := New(testCatalog()).PlanQuery(st, nil)
		if err != nil {
			t.Errorf("%s: %v", c.sql, err)
			continue
		}
		got := runGraph(t, q, nil)
		if strings.Join(got, "\n") != strings.Join(c.want, "\n") {
			t.Errorf("%s:\ngot  %q\nwant %q\nplan:\n%s", c.sql, got, c.want, Explain(q))
		}
	}
}

// weightedBatch is makeBatch with each row's weight given.
func weightedBatch(t *testing.T, mem memory.Allocator, rel *Relation, rows [][]string, weights []int64) zset.Batch {
	t.Helper()
	b := makeBatch(t, mem, rel, rows)
	defer b.Release()
	wb := array.NewInt64Builder(mem)
	defer wb.Release()
	wb.AppendValues(weights, nil)
	w := wb.NewArray()
	defer w.Release()
	return zset.New(b.Cols(), w)
}

// TestExecuteDecorrelatedIncremental steps decorrelated plans twice: over the test tables,
// then over a delta that deletes and inserts rows of both tables (a new duplicate correlation
// value and a new NULL one), and checks the integrated output after each step. Expected
// results verified against PostgreSQL 15 on the tables before and after the change.
func TestExecuteDecorrelatedIncremental(t *testing.T) {
	mem := memory.NewCheckedAllocator(memory.NewGoAllocator())
	defer mem.AssertSize(t, 0)
	cases := []struct {
		sql          string
		first, after string
	}{
		{"SELECT a, (SELECT count(*) FROM s WHERE s.x < t.c OR s.k > t.a) FROM t", "1|4 2|4 3|0", "1|4 3|0 4|0"},
		{"SELECT a, EXISTS (SELECT 1 FROM s WHERE s.x > t.c - 5) FROM t", "1|t 2|f 3|f", "1|t 3|f 4|f"},
		{"SELECT a FROM t WHERE a NOT IN (SELECT k FROM s WHERE s.x < t.c)", "3", "3 4"},
		{"SELECT a, c > ALL (SELECT x FROM s WHERE s.k <> t.a), a IN (SELECT k FROM s WHERE s.x >= t.a) FROM t",
			"1|NULL|t 2|NULL|f 3|NULL|f", "1|f|t 3|NULL|f 4|NULL|f"},
		{"SELECT b, (SELECT count(*) FROM s WHERE s.k <= t.a HAVING count(*) > 1) FROM t", "x|2 x|3 y|2", "x|3 x|3 x|NULL"},
		{"SELECT a, (SELECT max(y) FROM s WHERE s.x < t.c) FROM t", "1|s 2|s 3|NULL", "1|s 3|NULL 4|NULL"},
	}
	cat := testCatalog()
	for _, c := range cases {
		st, err := sql.ParseOne(c.sql)
		if err != nil {
			t.Fatal(err)
		}
		q, err := New(cat).PlanQuery(st, nil)
		if err != nil {
			t.Errorf("%s: %v", c.sql, err)
			continue
		}
		steps := []map[uint64]zset.Batch{
			{1: makeBatch(t, mem, cat["public.t"], testRows["t"]), 2: makeBatch(t, mem, cat["public.s"], testRows["s"])},
			{
				1: weightedBatch(t, mem, cat["public.t"], [][]string{{"2", "y", "20", ""}, {"4", "x", "", ""}}, []int64{-1, 1}),
				2: weightedBatch(t, mem, cat["public.s"], [][]string{{"1", "7", "q"}, {"2", "30", "z"}}, []int64{-1, 1}),
			},
		}
		total := map[string]int64{}
		for i, deltas := range steps {
			out, err := q.Graph.Step(&expr.Context{Mem: mem}, deltas)
			for _, d := range deltas {
				d.Release()
			}
			if err != nil {
				t.Fatalf("%s: step %d: %v", c.sql, i, err)
			}
			ts := q.Graph.OutputTypes()
			for r := 0; r < out.NumRows(); r++ {
				var parts []string
				for j := range q.Columns {
					if d := types.DatumAt(out.Col(j), r, ts[j]); d == nil {
						parts = append(parts, "NULL")
					} else {
						parts = append(parts, types.FormatDatum(d, ts[j], time.UTC))
					}
				}
				total[strings.Join(parts, "|")] += out.Weights()[r]
			}
			out.Release()
			var rows []string
			for row, w := range total {
				if w < 0 {
					t.Errorf("%s: step %d: row %s has weight %d", c.sql, i, row, w)
				}
				for ; w > 0; w-- {
					rows = append(rows, row)
				}
			}
			sort.Strings(rows)
			want := c.first
			if i == 1 {
				want = c.after
			}
			if got := strings.Join(rows, " "); got != want {
				t.Errorf("%s: step %d: got %q, want %q", c.sql, i, got, want)
			}
		}
	}
}

// TestExecuteDecorrelatedCardinality checks the 21000 error of a scalar subquery evaluated per
// domain value: raised when some outer row's value has several rows, not for values that the
// outer query's WHERE clause removed.
func TestExecuteDecorrelatedCardinality(t *testing.T) {
	for _, c := range []struct {
		sql  string
		fail bool
	}{
		{"SELECT a, (SELECT x FROM s WHERE s.k < t.a) FROM t", true},
		{"SELECT a, (SELECT x FROM s WHERE s.k < t.a) FROM t WHERE a = 1", false},
		{"SELECT a, (SELECT k FROM s WHERE s.k < t.a GROUP BY k) FROM t", false},
	} {
		st, _ := sql.ParseOne(c.sql)
		plan, err := New(testCatalog()).PlanQuery(st, nil)
		if err != nil {
			t.Fatalf("%s: %v", c.sql, err)
		}
		mem := memory.DefaultAllocator
		cat := testCatalog()
		in := map[uint64]zset.Batch{
			1: makeBatch(t, mem, cat["public.t"], testRows["t"]),
			2: makeBatch(t, mem, cat["public.s"], testRows["s"]),
		}
		out, err := plan.Graph.Step(&expr.Context{Mem: mem}, in)
		for _, b := range in {
			b.Release()
		}
		if err == nil {
			out.Release()
		}
		if got := sqlerr.Code(err) == sqlerr.CardinalityViolation; got != c.fail || (err != nil && !got) {
			t.Errorf("%s: error %v, want failure %v", c.sql, err, c.fail)
		}
	}
}
