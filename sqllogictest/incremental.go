package sqllogictest

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"strings"

	"github.com/jackc/pgx/v5/pgconn"
)

// viewState is where a query stands in incremental mode.
type viewState int

const (
	viewPending viewState = iota // its relations did not exist yet
	viewCreated                  // the materialized view exists
	viewNever                    // it cannot be a view (or is done): run normally
)

// incremental keeps, for each query record of a file, the materialized view standing for it.
type incremental struct {
	recs  []Record
	state map[int]viewState // by record index; only queries that may become views
}

func newIncremental(recs []Record, names []string) *incremental {
	inc := &incremental{recs: recs, state: map[int]viewState{}}
	for i := range recs {
		r := &recs[i]
		if r.Kind == KindQuery && !r.ExpectError && !r.skipped(names) {
			inc.state[i] = viewPending
		}
	}
	return inc
}

func viewName(idx int) string { return fmt.Sprintf("slt_incremental_%d", idx) }

func firstWord(sql string) string {
	f := strings.Fields(sql)
	if len(f) == 0 {
		return ""
	}
	return strings.ToUpper(f[0])
}

// beforeStatement drops every existing view before a DROP, so the file's own DDL is never
// blocked by them, and before a SET or RESET, so no view is computed under settings (such as
// TimeZone) other than those in force where its query stands. They are created again after the
// statement.
func (inc *incremental) beforeStatement(ctx context.Context, r *fileRun, rec *Record) {
	switch firstWord(rec.SQL) {
	case "DROP", "SET", "RESET":
	default:
		return
	}
	for idx, st := range inc.state {
		if st == viewCreated {
			inc.dropView(ctx, r, idx)
			inc.state[idx] = viewPending
		}
	}
}

// afterStatement creates the views of later queries once a CREATE, DROP, SET or RESET
// statement succeeded.
func (inc *incremental) afterStatement(ctx context.Context, r *fileRun, idx int, rec *Record) {
	switch firstWord(rec.SQL) {
	case "CREATE", "DROP", "SET", "RESET":
		inc.tryCreate(ctx, r, idx)
	}
}

// tryCreate creates the views of pending queries after record index pos.
func (inc *incremental) tryCreate(ctx context.Context, r *fileRun, pos int) {
	var idxs []int
	for idx, st := range inc.state {
		if st == viewPending && idx > pos {
			idxs = append(idxs, idx)
		}
	}
	slices.Sort(idxs)
	for _, idx := range idxs {
		rec := &inc.recs[idx]
		// Naming the columns lets queries with duplicate output names (two "?column?") be views.
		cols := ""
		if n := len(rec.Types); n > 0 {
			names := make([]string, n)
			for i := range names {
				names[i] = fmt.Sprintf("c%d", i+1)
			}
			cols = " (" + strings.Join(names, ", ") + ")"
		}
		sql := fmt.Sprintf("CREATE MATERIALIZED VIEW %s%s AS %s", viewName(idx), cols, strings.TrimRight(strings.TrimSpace(rec.SQL), ";"))
		_, err := r.exec(ctx, sql)
		var pe *pgconn.PgError
		switch {
		case err == nil:
			inc.state[idx] = viewCreated
		case errors.As(err, &pe) && pe.Code == "42P01":
			// A relation does not exist yet: retry after the next CREATE.
		default:
			inc.state[idx] = viewNever
		}
	}
}

// dropView drops the view of query idx if it exists; the query is then done.
func (inc *incremental) dropView(ctx context.Context, r *fileRun, idx int) {
	if inc.state[idx] == viewCreated {
		r.exec(ctx, "DROP MATERIALIZED VIEW IF EXISTS "+viewName(idx)+" CASCADE")
	}
	inc.state[idx] = viewNever
}

// check compares the view of query idx with the query's own rendered rows and drops the view.
// It returns "" when they agree or there is no view.
func (inc *incremental) check(ctx context.Context, r *fileRun, idx int, rec *Record, rows [][]string) string {
	if inc.state[idx] != viewCreated {
		inc.state[idx] = viewNever
		return ""
	}
	defer inc.dropView(ctx, r, idx)
	r.sum.ViewChecks++
	res, err := r.exec(ctx, "SELECT * FROM "+viewName(idx))
	if err != nil {
		return "SELECT from its materialized view: " + err.Error()
	}
	var got [][]string
	for _, x := range res {
		if x.fields != nil {
			got = renderRows(x.rows, rec.Types)
		}
	}
	want, _ := sortRows(rows, RowSort)
	got, _ = sortRows(got, RowSort)
	if slices.EqualFunc(want, got, slices.Equal) {
		return ""
	}
	return "materialized view rows:\n" + strings.Join(formatResults(got, flatten(got), 0, false), "\n")
}
