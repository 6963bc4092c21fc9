package engine

import (
	"context"
	"testing"

	"github.com/runnel-db/runnel/exec/types"
	"github.com/runnel-db/runnel/sql"
)

func TestKeyRangeReads(t *testing.T) {
	e := openMem(t)
	s := newSession(t, e)
	mustQuery(t, s, `CREATE TABLE p (a int, b text, c numeric, PRIMARY KEY (a, b));
		INSERT INTO p VALUES (1, 'x', 1.50), (1, 'y', 2), (2, 'x', 3), (10, 'x', 4);
		CREATE MATERIALIZED VIEW per_b AS SELECT b, count(*) AS n, sum(c) AS s FROM p GROUP BY b`)
	expectRows(t, s, "SELECT * FROM p WHERE a = 1 ORDER BY b", "1|x|1.50", "1|y|2")
	expectRows(t, s, "SELECT c FROM p WHERE b = 'x' AND a = 1", "1.50")
	expectRows(t, s, "SELECT a FROM p WHERE b = 'x' ORDER BY a", "1", "2", "10")
	expectRows(t, s, "SELECT * FROM per_b WHERE b = 'x'", "x|3|8.50")
	expectRows(t, s, "SELECT * FROM per_b WHERE b = 'zz'")
	mustQuery(t, s, "UPDATE p SET c = c + 1 WHERE a = 1 AND b = 'y'")
	expectRows(t, s, "SELECT * FROM p WHERE a = 1 ORDER BY b", "1|x|1.50", "1|y|3")

	// A parameterized point read (the extended protocol's usual shape).
	ctx := context.Background()
	p, err := s.Prepare(ctx, "SELECT b, c FROM p WHERE a = $1 ORDER BY b", nil)
	if err != nil {
		t.Fatal(err)
	}
	if len(p.ParamTypes) != 1 || p.ParamTypes[0] != types.Int32T {
		t.Fatalf("param types %v, want [integer]", p.ParamTypes)
	}
	r, err := s.Execute(ctx, p, []types.Datum{int64(2)})
	if err != nil {
		t.Fatal(err)
	}
	rec, err := r.Rows.Next(ctx)
	if err != nil || rec == nil || rec.NumRows() != 1 {
		t.Fatalf("point read by parameter: %v rows, err %v", rec, err)
	}
	rec.Release()
	r.Rows.Close()

	// The range is chosen only for equalities on a leading key prefix.
	o := e.cat.lookup("", "p")
	l := layoutOf(o)
	for _, c := range []struct {
		where string
		want  bool
	}{{"a = 1", true}, {"a = 1 AND b = 'x'", true}, {"b = 'x'", false}, {"a > 1", false}, {"a = 1 OR a = 2", false}} {
		st, err := sql.ParseOne("SELECT * FROM p WHERE " + c.where)
		if err != nil {
			t.Fatal(err)
		}
		q, err := e.planner().PlanQuery(st, nil)
		if err != nil {
			t.Fatal(err)
		}
		pred, ok := q.Graph.InputFilter(o.ID)
		if !ok {
			t.Fatalf("%s: the plan has no filter on p", c.where)
		}
		if _, _, got := l.keyRange(e.evalContext(s, nil), e.mem, pred); got != c.want {
			t.Errorf("WHERE %s: key range %v, want %v", c.where, got, c.want)
		}
	}
}
