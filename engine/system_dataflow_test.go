package engine

import "testing"

func TestSystemDataflowViews(t *testing.T) {
	_, s := openDir(t, "CREATE TABLE t (k int, v int);"+
		"CREATE MATERIALIZED VIEW g AS SELECT k, count(*) AS n FROM t GROUP BY k;"+
		"CREATE MATERIALIZED VIEW top AS SELECT k, v FROM t ORDER BY v DESC LIMIT 2")
	mustQuery(t, s, "INSERT INTO t VALUES (1, 10), (1, 20), (2, 30)")
	mustQuery(t, s, "INSERT INTO t VALUES (3, 40)")
	// Every operator has run in each epoch since the view was created (the backfill and two
	// inserts). Rows are counted after consolidation: the aggregate reads the k column only,
	// where the first insert is 2 rows, (1) twice and (2). It holds 3 groups; the top-N holds
	// all 4 rows.
	expectRows(t, s, "SELECT view, operator, inputs, epochs, rows_in, rows_out, state_rows FROM runnel_catalog.dataflow_operators ORDER BY view, id",
		"public.g|Project #0|0|3|4|3|NULL",
		"public.g|Aggregate group by #0: count(*)|1|3|3|3|3",
		"public.top|TopN order by #1 DESC limit 2|0|3|4|4|4")
	// The last epoch changed t by 1 row, g by 1 and top by 2 (40 in, 20 out); the one before, t by
	// 3, g by 2 and top by 2.
	expectRows(t, s, "SELECT changed_rows FROM runnel_catalog.epochs ORDER BY epoch DESC LIMIT 2", "4", "7")
	expectRows(t, s, "SELECT count(*) FROM runnel_catalog.epochs WHERE commit_ms >= 0 AND committed_at <= now()", "5")
	expectRows(t, s, "SELECT object, kind, disk_bytes >= 0, state_rows FROM runnel_catalog.sizes ORDER BY object",
		"public.g|materialized view|t|3", "public.t|table|t|NULL", "public.top|materialized view|t|4")
}
