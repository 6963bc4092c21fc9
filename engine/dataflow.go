package engine

import (
	"context"
	"fmt"

	"github.com/apache/arrow-go/v18/arrow"

	"github.com/runnel-db/runnel/exec"
	"github.com/runnel-db/runnel/exec/expr"
	"github.com/runnel-db/runnel/exec/types"
	"github.com/runnel-db/runnel/exec/zset"
	"github.com/runnel-db/runnel/planner"
	"github.com/runnel-db/runnel/sql"
)

// dataflow is a materialized view's running incremental computation.
type dataflow struct {
	view   *object
	graph  *exec.Graph
	layout *layout
}

// planView plans a view's defining query text against the current catalog.
func (e *Engine) planView(queryText string) (*planner.Query, error) {
	st, err := sql.ParseOne(queryText)
	if err != nil {
		return nil, err
	}
	return e.planner().PlanView(st, st.AST)
}

// buildDataflow plans the view's query into a fresh graph with empty operator state.
func (e *Engine) buildDataflow(o *object) (*dataflow, error) {
	q, err := e.planView(o.Query)
	if err != nil {
		return nil, err
	}
	return &dataflow{view: o, graph: q.Graph, layout: layoutOf(o)}, nil
}

// inputContents reads the committed contents of every input of g from r. With an expression
// context (ad-hoc queries, which run once), inputs filtered by key equalities are read by key
// range; views (ectx nil) always read everything, as their operators keep state for all of it.
func (e *Engine) inputContents(g *exec.Graph, r reader, ectx *expr.Context) (map[uint64]zset.Batch, error) {
	in := map[uint64]zset.Batch{}
	for _, id := range g.Inputs() {
		if _, ok := in[id]; ok {
			continue
		}
		o := e.cat.byID[id]
		if o == nil {
			releaseAll(in)
			return nil, fmt.Errorf("internal error: dataflow input %d is not in the catalog", id)
		}
		b, err := e.readInput(g, ectx, o, r)
		if err != nil {
			releaseAll(in)
			return nil, fmt.Errorf("read %s: %w", o.Name, err)
		}
		in[id] = b
	}
	return in, nil
}

// backfill feeds the committed contents of f's inputs through its graph once, so its operator
// state matches them, and returns the view's full contents (the caller releases them).
func (e *Engine) backfill(ctx context.Context, f *dataflow, r reader) (zset.Batch, error) {
	in, err := e.inputContents(f.graph, r, nil)
	if err != nil {
		return zset.Batch{}, err
	}
	defer releaseAll(in)
	return f.graph.Step(e.viewContext(f.view), in)
}

// viewContext is the expression context a materialized view's dataflow runs with: the time zone
// it was created in (DESIGN: a view's contents may not depend on who changes its inputs).
func (e *Engine) viewContext(o *object) *expr.Context {
	ctx := e.evalContext(nil, nil)
	if o.TimeZone != "" {
		if loc, err := loadLocation(o.TimeZone); err == nil {
			ctx.Location = loc
		}
	}
	return ctx
}

// warmDataflow rebuilds f's operator state from r and discards the output (already stored).
func (e *Engine) warmDataflow(ctx context.Context, f *dataflow, r reader) error {
	out, err := e.backfill(ctx, f, r)
	out.Release()
	return err
}

func releaseAll(m map[uint64]zset.Batch) {
	for _, b := range m {
		b.Release()
	}
}

func arrowTypes(ts []types.T) []arrow.DataType {
	out := make([]arrow.DataType, len(ts))
	for i, t := range ts {
		out[i] = t.ArrowType()
	}
	return out
}
