package planner

import (
	"fmt"
	"sort"
	"strings"
	"testing"
	"time"

	"github.com/apache/arrow-go/v18/arrow"
	"github.com/apache/arrow-go/v18/arrow/array"
	"github.com/apache/arrow-go/v18/arrow/memory"

	"github.com/runnel-db/runnel/exec"
	"github.com/runnel-db/runnel/exec/expr"
	"github.com/runnel-db/runnel/exec/sqlerr"
	"github.com/runnel-db/runnel/exec/types"
	"github.com/runnel-db/runnel/exec/zset"
	"github.com/runnel-db/runnel/sql"
)

// testRows are the contents of the test tables, in text form ("" is NULL).
var testRows = map[string][][]string{
	"t": {{"1", "x", "10", "1.50"}, {"2", "y", "20", ""}, {"3", "x", "", "2.25"}},
	"s": {{"1", "5", "p"}, {"1", "7", "q"}, {"3", "", "r"}, {"", "1", "s"}},
	"u": {{"10", "ten", "2024-01-02 03:04:05", "1.5"}, {"20", "twenty", "", "2"}},
}

func makeBatch(t *testing.T, mem memory.Allocator, rel *Relation, rows [][]string) zset.Batch {
	t.Helper()
	cols := make([]arrow.Array, len(rel.Columns))
	for j, c := range rel.Columns {
		ds := make([]types.Datum, len(rows))
		for i, r := range rows {
			if r[j] == "" {
				continue
			}
			d, err := types.ParseText(r[j], c.Type, time.UTC)
			if err != nil {
				t.Fatalf("%s.%s %q: %v", rel.Name, c.Name, r[j], err)
			}
			ds[i] = d
		}
		cols[j] = types.MakeArray(mem, c.Type, ds)
	}
	wb := array.NewInt64Builder(mem)
	for range rows {
		wb.Append(1)
	}
	w := wb.NewArray()
	wb.Release()
	b := zset.New(cols, w)
	w.Release()
	for _, c := range cols {
		c.Release()
	}
	return b
}

// runGraph steps q's graph once over the test tables and renders its rows sorted, each
// repeated by its weight.
func runGraph(t *testing.T, q *Query, params []types.Datum) []string {
	t.Helper()
	mem := memory.DefaultAllocator
	cat := testCatalog()
	deltas := map[uint64]zset.Batch{}
	for _, id := range q.Graph.Inputs() {
		for _, r := range cat {
			if r.ID == id {
				deltas[id] = makeBatch(t, mem, r, testRows[r.Name])
			}
		}
	}
	ctx := &expr.Context{Mem: mem, Now: types.TimestampFromTime(time.Date(2024, 5, 6, 7, 8, 9, 0, time.UTC)), Params: params}
	out, err := q.Graph.Step(ctx, deltas)
	for _, d := range deltas {
		d.Release()
	}
	if err != nil {
		t.Fatalf("Step: %v", err)
	}
	defer out.Release()
	ts := q.Graph.OutputTypes()
	var rows []string
	w := out.Weights()
	for i := 0; i < out.NumRows(); i++ {
		var parts []string
		for j := range q.Columns {
			d := types.DatumAt(out.Col(j), i, ts[j])
			if d == nil {
				parts = append(parts, "NULL")
			} else {
				parts = append(parts, types.FormatDatum(d, ts[j], time.UTC))
			}
		}
		for k := int64(0); k < w[i]; k++ {
			rows = append(rows, strings.Join(parts, "|"))
		}
		if w[i] < 0 {
			rows = append(rows, fmt.Sprintf("%s (weight %d)", strings.Join(parts, "|"), w[i]))
		}
	}
	sort.Strings(rows)
	return rows
}

func TestExecutePlans(t *testing.T) {
	// Expected results verified against PostgreSQL 15 with the same data.
	cases := []struct {
		sql    string
		params []types.Datum
		want   []string
	}{
		{"SELECT a, b FROM t WHERE a > 1", nil, []string{"2|y", "3|x"}},
		{"SELECT t.b, count(*), sum(s.x) FROM t JOIN s ON t.a = s.k GROUP BY t.b", nil, []string{"x|3|12"}},
		{"SELECT a, (SELECT count(*) FROM s WHERE s.k = t.a) FROM t", nil, []string{"1|2", "2|0", "3|1"}},
		{"SELECT a, (SELECT count(*) + 1 FROM s WHERE s.k = t.a), (SELECT sum(x) FROM s WHERE s.k = t.a) FROM t", nil,
			[]string{"1|3|12", "2|1|NULL", "3|2|NULL"}},
		{"SELECT a FROM t WHERE a NOT IN (SELECT k FROM s)", nil, nil},
		{"SELECT a FROM t WHERE a NOT IN (SELECT k FROM s WHERE k IS NOT NULL)", nil, []string{"2"}},
		{"SELECT a FROM t WHERE a IN (SELECT k FROM s)", nil, []string{"1", "3"}},
		{"SELECT a FROM t WHERE NOT EXISTS (SELECT 1 FROM s WHERE s.k = t.a AND s.x > 5)", nil, []string{"2", "3"}},
		{"SELECT * FROM t LEFT JOIN s ON t.a = s.k AND s.x > 5", nil,
			[]string{"1|x|10|1.50|1|7|q", "2|y|20|NULL|NULL|NULL|NULL", "3|x|NULL|2.25|NULL|NULL|NULL"}},
		{"SELECT k, count(*) FROM s s1 FULL JOIN t ON s1.k = t.a GROUP BY k", nil, []string{"1|2", "3|1", "NULL|2"}},
		{"SELECT b, count(*) FROM t GROUP BY b HAVING count(*) > 1", nil, []string{"x|2"}},
		{"SELECT count(*), sum(c), max(b) FROM t WHERE a > 100", nil, []string{"0|NULL|NULL"}},
		{"SELECT a FROM t UNION SELECT k FROM s", nil, []string{"1", "2", "3", "NULL"}},
		{"SELECT k FROM s EXCEPT ALL SELECT a FROM t", nil, []string{"1", "NULL"}},
		{"SELECT $1::int + a FROM t WHERE b = $2", []types.Datum{int64(100), "x"}, []string{"101", "103"}},
		{"VALUES (1, 'a'), (2, NULL)", nil, []string{"1|a", "2|NULL"}},
		{"SELECT 1 + 1, now()", nil, []string{"2|2024-05-06 07:08:09+00"}},
		{"SELECT * FROM v", nil, []string{"2|y", "3|x"}},
		{"SELECT name FROM u WHERE id = (SELECT max(c) FROM t)", nil, []string{"twenty"}},
		{"WITH w AS (SELECT k, x FROM s WHERE x IS NOT NULL) SELECT w1.k, w2.x FROM w w1 JOIN w w2 ON w1.k = w2.k", nil,
			[]string{"1|5", "1|5", "1|7", "1|7"}},
		{"SELECT * FROM s s1 JOIN s s2 USING (k)", nil,
			[]string{"1|5|p|5|p", "1|5|p|7|q", "1|7|q|5|p", "1|7|q|7|q", "3|NULL|r|NULL|r"}},
		{"SELECT t.a, s.y FROM t LEFT JOIN s ON t.a = s.k WHERE s.y IS NULL", nil, []string{"2|NULL"}},
		{"SELECT a, b FROM t WHERE NOT EXISTS (SELECT 1 FROM s WHERE s.k = t.a AND s.x > t.a * 2)", nil, []string{"2|y", "3|x"}},
		{"SELECT a, c::int + x FROM t, s WHERE t.a = s.k AND t.c IS NOT NULL", nil, []string{"1|15", "1|17"}},
		{"SELECT b, sum(d), avg(c) FROM t GROUP BY b", nil, []string{"x|3.75|10.0000000000000000", "y|NULL|20.0000000000000000"}},
		{"SELECT a, (SELECT name FROM u WHERE u.id = t.c) FROM t", nil, []string{"1|ten", "2|twenty", "3|NULL"}},
		{"SELECT k, x FROM s WHERE x BETWEEN 2 AND 7 AND y IN ('p', 'q', 'z')", nil, []string{"1|5", "1|7"}},
		{"SELECT a FROM t INTERSECT SELECT k FROM s", nil, []string{"1", "3"}},
		{"SELECT DISTINCT b FROM t WHERE a IN (SELECT k FROM s WHERE x IS NULL OR x > 6)", nil, []string{"x"}},
		{"SELECT a, a IN (SELECT k FROM s), a NOT IN (SELECT x FROM s), a IN (SELECT k FROM s WHERE k > 5) FROM t", nil,
			[]string{"1|t|f|f", "2|NULL|NULL|f", "3|t|NULL|f"}},
		{"SELECT a, EXISTS (SELECT 1 FROM s WHERE s.k = t.a), a = 2 OR EXISTS (SELECT 1 FROM s WHERE s.k = t.a AND s.x > 6) FROM t", nil,
			[]string{"1|t|t", "2|f|t", "3|t|f"}},
		{"SELECT a, (SELECT y FROM s WHERE s.k = t.a) FROM t WHERE a > 1", nil, []string{"2|NULL", "3|r"}},
		{"SELECT (SELECT x FROM s WHERE y = 'p'), (SELECT x FROM s WHERE y = 'none')", nil, []string{"5|NULL"}},
		{"SELECT k FROM s WHERE k NOT IN (SELECT a FROM t WHERE a > 100)", nil, []string{"1", "1", "3", "NULL"}},
		{"SELECT count(*) FROM s WHERE k NOT IN (SELECT a FROM t WHERE a <> 2)", nil, []string{"0"}},
		{"SELECT x FROM s WHERE x NOT IN (SELECT a FROM t)", nil, []string{"5", "7"}},
		{"SELECT t.a, s.y FROM t LEFT JOIN s ON t.a = s.k WHERE s.x > 5", nil, []string{"1|q"}},
		{"SELECT t.a, s.y FROM t FULL JOIN s ON t.a = s.k WHERE t.b LIKE 'x%'", nil, []string{"1|p", "1|q", "3|r"}},
		{"SELECT t.a, s.y FROM t LEFT JOIN s ON t.a = s.k WHERE coalesce(s.x, 0) = 0", nil, []string{"2|NULL", "3|r"}},
		{"SELECT a, (SELECT 1 LIMIT 0), (SELECT 2), (SELECT 3 WHERE a > 1) FROM t", nil, []string{"1|NULL|2|NULL", "2|NULL|2|3", "3|NULL|2|3"}},
		{"SELECT * FROM generate_series(10, 1, -3) AS x(v)", nil, []string{"1", "10", "4", "7"}},
		{"SELECT generate_series FROM generate_series(2, 3)", nil, []string{"2", "3"}},
		{"SELECT name, window_start, window_end FROM TUMBLE(u, ts, INTERVAL '1' DAY)", nil,
			[]string{"ten|2024-01-02 00:00:00|2024-01-03 00:00:00", "twenty|NULL|NULL"}},
		{"SELECT name, window_start, window_end FROM HOP(u, ts, INTERVAL '1' HOUR, INTERVAL '2' HOUR) WHERE ts IS NOT NULL", nil,
			[]string{"ten|2024-01-02 02:00:00|2024-01-02 04:00:00", "ten|2024-01-02 03:00:00|2024-01-02 05:00:00"}},
		{"SELECT a FROM t WHERE (a, b) = (1, 'x') OR (a, b) IN ((2, 'y'), (3, 'y'))", nil, []string{"1", "2"}},
		{"SELECT a, (a, b) <> (1, 'x'), (a, c) NOT IN ((2, 20), (3, 30)) FROM t", nil, []string{"1|f|t", "2|t|f", "3|t|NULL"}},
		{"SELECT a FROM t ORDER BY a DESC LIMIT $1 OFFSET $2", []types.Datum{int64(1), int64(1)}, []string{"2"}},
		{"SELECT a FROM t ORDER BY a LIMIT $1", []types.Datum{nil}, []string{"1", "2", "3"}},
		{"SELECT b, c, (SELECT count(*) FROM s WHERE s.y = t.b), EXISTS (SELECT 1 FROM s WHERE s.k = t.a) FROM t GROUP BY a, b, c", nil,
			[]string{"x|10|0|t", "x|NULL|0|t", "y|20|0|f"}},
		{"SELECT s.y, t.b FROM s FULL JOIN t ON s.k = t.a AND t.b = 'y'", nil,
			[]string{"NULL|x", "NULL|x", "NULL|y", "p|NULL", "q|NULL", "r|NULL", "s|NULL"}},
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
		got := runGraph(t, q, c.params)
		if strings.Join(got, "\n") != strings.Join(c.want, "\n") {
			t.Errorf("%s:\ngot  %q\nwant %q\nplan:\n%s", c.sql, got, c.want, Explain(q))
		}
	}
}

func TestExecuteDML(t *testing.T) {
	p := New(testCatalog())
	st, _ := sql.ParseOne("INSERT INTO d (id, note) VALUES (1, 'x'), (2, DEFAULT)")
	ins, err := p.PlanInsert(st, nil)
	if err != nil {
		t.Fatal(err)
	}
	got := runGraph(t, ins.Source, nil)
	want := []string{"1|42|x|2024-05-06 07:08:09+00", "2|42|hi|2024-05-06 07:08:09+00"}
	if strings.Join(got, "\n") != strings.Join(want, "\n") {
		t.Errorf("insert rows %q, want %q", got, want)
	}
	st, _ = sql.ParseOne("INSERT INTO t (a, b) VALUES ((SELECT max(a) + 1 FROM t), 'n'), (7, 'm')")
	if ins, err = p.PlanInsert(st, nil); err != nil {
		t.Fatal(err)
	}
	got = runGraph(t, ins.Source, nil)
	want = []string{"4|n|NULL|NULL", "7|m|NULL|NULL"}
	if strings.Join(got, "\n") != strings.Join(want, "\n") {
		t.Errorf("insert rows %q, want %q", got, want)
	}
	st, _ = sql.ParseOne("UPDATE t SET c = c * 2 WHERE b = 'x'")
	up, err := p.PlanUpdate(st, nil)
	if err != nil {
		t.Fatal(err)
	}
	got = runGraph(t, up.Rows, nil)
	want = []string{"1|x|10|1.50|1|x|20|1.50", "3|x|NULL|2.25|3|x|NULL|2.25"}
	if strings.Join(got, "\n") != strings.Join(want, "\n") {
		t.Errorf("update rows %q, want %q", got, want)
	}
}

func TestExecuteOrderAndTopN(t *testing.T) {
	p := New(testCatalog())
	st, _ := sql.ParseOne("SELECT b FROM t ORDER BY c DESC NULLS LAST, a")
	q, err := p.PlanQuery(st, nil)
	if err != nil {
		t.Fatal(err)
	}
	mem := memory.DefaultAllocator
	cat := testCatalog()
	in := map[uint64]zset.Batch{1: makeBatch(t, mem, cat["public.t"], testRows["t"])}
	ctx := &expr.Context{Mem: mem}
	out, err := q.Graph.Step(ctx, in)
	in[1].Release()
	if err != nil {
		t.Fatal(err)
	}
	sorted, err := exec.SortRows(ctx, out, q.OrderBy)
	out.Release()
	if err != nil {
		t.Fatal(err)
	}
	defer sorted.Release()
	var got []string
	for i := 0; i < sorted.NumRows(); i++ {
		got = append(got, types.FormatDatum(types.DatumAt(sorted.Col(0), i, types.TextT), types.TextT, time.UTC))
	}
	if strings.Join(got, ",") != "y,x,x" {
		t.Errorf("ordered rows %v, want y,x,x", got)
	}

	st, _ = sql.ParseOne("SELECT a FROM t ORDER BY c DESC NULLS LAST LIMIT 2")
	v, err := p.PlanView(st, st.AST)
	if err != nil {
		t.Fatal(err)
	}
	if rows := runGraph(t, v, nil); strings.Join(rows, ",") != "1,2" {
		t.Errorf("top-2 view rows %v, want 1,2", rows)
	}
}

func TestExecuteCardinalityViolation(t *testing.T) {
	for _, q := range []string{
		"SELECT a, (SELECT x FROM s WHERE s.k = t.a) FROM t",
		"SELECT (SELECT x FROM s)",
	} {
		st, _ := sql.ParseOne(q)
		plan, err := New(testCatalog()).PlanQuery(st, nil)
		if err != nil {
			t.Fatalf("%s: %v", q, err)
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
		if sqlerr.Code(err) != sqlerr.CardinalityViolation {
			t.Errorf("%s: error %v, want 21000", q, err)
		}
	}
}
