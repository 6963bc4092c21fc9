package engine

import (
	"bytes"
	"context"
	"fmt"
	"strings"

	"github.com/apache/arrow-go/v18/arrow"
	"github.com/apache/arrow-go/v18/arrow/memory"

	"github.com/runnel-db/runnel/exec"
	"github.com/runnel-db/runnel/exec/expr"
	"github.com/runnel-db/runnel/exec/sqlerr"
	"github.com/runnel-db/runnel/exec/types"
	"github.com/runnel-db/runnel/exec/zset"
	"github.com/runnel-db/runnel/planner"
	"github.com/runnel-db/runnel/sql"
	"github.com/runnel-db/runnel/storage"
)

// dataflow is a materialized view's running incremental computation.
type dataflow struct {
	view   *object
	graph  *exec.Graph
	layout *layout
	// slots, for a view that reads a source directly, store the graph's operator state (one
	// multiset per state slot): the source's rows are not stored, so the state cannot be rebuilt
	// from the inputs. pending holds the slot deltas of the Step in progress.
	slots   []*slotLog
	pending []slotDelta
	// recomputable means the view's contents can be computed again from what is stored (it reads
	// no source directly): its deltas need no log (view_log.go).
	recomputable bool
	// broken is set when the stored state could not be restored (planChangedError): the view
	// is not maintained, and changes that reach it fail.
	broken error
}

// planChangedError says a view's stored operator state was written by another plan.
type planChangedError struct{ view string }

func (e *planChangedError) Error() string {
	return fmt.Sprintf("materialized view %s: its stored operator state was written by a different plan of its query; drop and re-create it", e.view)
}

type slotDelta struct {
	slot  int
	delta zset.Batch
}

// stateID is the storage id of state slot slot of view viewID: the slots of a view are a
// contiguous id range (stateRange).
func stateID(viewID uint64, slot int) uint64 { return viewID<<16 | uint64(slot) }

// stateRange is the key range of every state slot of view viewID.
func stateRange(viewID uint64) (lower, upper []byte) {
	return storage.Prefix(storage.KindState, viewID<<16), storage.Prefix(storage.KindState, (viewID+1)<<16)
}

// readsSource reports whether o's dataflow reads a source directly.
func (e *Engine) readsSource(g *exec.Graph) bool {
	for _, id := range g.Inputs() {
		if in := e.cat.byID[id]; in != nil && in.Kind == planner.Source {
			return true
		}
	}
	return false
}

// persistState makes f record its operator state for writeState; bg compacts the logs.
func (f *dataflow) persistState(bg *backgroundCompactor) error {
	slots := f.graph.StateSlots()
	if len(slots) >= planSlot {
		return sqlerr.NotSupported(fmt.Sprintf("a materialized view over a source with %d stateful operator inputs", len(slots)))
	}
	for i, s := range slots {
		l := newSlotLog(stateID(f.view.ID, i), s.Types)
		l.bg = bg
		f.slots = append(f.slots, l)
	}
	f.graph.RecordState(func(slot int, d zset.Batch) error {
		d.Retain()
		f.pending = append(f.pending, slotDelta{slot, d})
		return nil
	})
	return nil
}

// writeState writes the state deltas of the last Step into wb.
func (f *dataflow) writeState(wb *storage.Batch, mem memory.Allocator) error {
	defer f.dropPending()
	for _, p := range f.pending {
		if err := f.slots[p.slot].append(wb, mem, p.delta); err != nil {
			return fmt.Errorf("materialized view %s: operator state: %w", f.view.Name, err)
		}
	}
	return nil
}

func (f *dataflow) dropPending() {
	for _, p := range f.pending {
		p.delta.Release()
	}
	f.pending = f.pending[:0]
}

// planKey is where a view with state slots keeps the fingerprint of the plan that wrote them:
// state written by one plan cannot be fed to another (say, after an upgrade that plans the query
// differently), so restoring checks it.
func planKey(viewID uint64) []byte { return storage.StateKey(nil, stateID(viewID, planSlot), nil) }

// planSlot is the slot number of the plan fingerprint (above every real slot).
const planSlot = 1<<16 - 1

// planFingerprint identifies f's plan and the layout of its state slots.
func (f *dataflow) planFingerprint() []byte {
	var b strings.Builder
	b.WriteString(f.graph.Explain())
	for _, s := range f.graph.StateSlots() {
		fmt.Fprintf(&b, "slot %d/%d:", s.Node, s.Input)
		for _, t := range s.Types {
			fmt.Fprintf(&b, " %s", t)
		}
		b.WriteByte('\n')
	}
	return []byte(b.String())
}

// restoreState loads f's operator state from r (a fresh dataflow of a view with state slots).
func (e *Engine) restoreState(f *dataflow, r reader) error {
	if stored, ok, err := getFrom(r, planKey(f.view.ID)); err != nil {
		return err
	} else if ok && !bytes.Equal(stored, f.planFingerprint()) {
		return &planChangedError{f.view.Name}
	}
	slots := f.graph.StateSlots()
	contents := make([]zset.Batch, len(slots))
	defer func() {
		for _, b := range contents {
			b.Release()
		}
	}()
	for i := range slots {
		b, err := f.slots[i].load(r, e.mem)
		if err != nil {
			return fmt.Errorf("read operator state of %s: %w", f.view.Name, err)
		}
		contents[i] = b
	}
	return f.graph.RestoreState(e.viewContext(f.view), contents)
}

// planView plans a view's defining query text against the current catalog.
func (e *Engine) planView(queryText string) (*planner.Query, error) {
	st, err := sql.ParseOne(queryText)
	if err != nil {
		return nil, err
	}
	return e.planner().PlanView(st, st.AST)
}

// buildDataflow plans the view's query into a fresh graph with empty operator state; a view
// reading a source records its state (persistState).
func (e *Engine) buildDataflow(o *object) (*dataflow, error) {
	q, err := e.planView(o.Query)
	if err != nil {
		return nil, err
	}
	return e.newDataflow(o, q.Graph)
}

func (e *Engine) newDataflow(o *object, g *exec.Graph) (*dataflow, error) {
	f := &dataflow{view: o, graph: g, layout: layoutOf(o), recomputable: !e.readsSource(g)}
	if !f.recomputable {
		if err := f.persistState(&e.compactor); err != nil {
			return nil, err
		}
	}
	return f, nil
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
		if sys := systemByID(id); sys != nil {
			if ectx == nil {
				releaseAll(in)
				return nil, sqlerr.NotSupported(fmt.Sprintf("materialized views over system view %s.%s", sys.schema, sys.name))
			}
			in[id] = sys.contents(e, ectx)
			continue
		}
		o := e.cat.byID[id]
		if o == nil {
			releaseAll(in)
			return nil, fmt.Errorf("internal error: dataflow input %d is not in the catalog", id)
		}
		if o.Kind == planner.Source {
			// Nothing of a source is stored: a view starts from what its feed reads next.
			if ectx != nil {
				releaseAll(in)
				return nil, errSourceRead(o.Name)
			}
			in[id] = zset.Empty(e.mem, o.columnTypes())
			continue
		}
		if err := ectx.Err(); err != nil { // an ad-hoc query cancelled while it reads its inputs
			releaseAll(in)
			return nil, err
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

// warmDataflow rebuilds f's operator state from r: from its stored state slots when it has them,
// otherwise by feeding its inputs' contents through it and discarding the output (already stored).
func (e *Engine) warmDataflow(ctx context.Context, f *dataflow, r reader) error {
	if f.slots != nil {
		return e.restoreState(f, r)
	}
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

// getFrom reads one key from r (a snapshot or batch) through an iterator.
func getFrom(r reader, key []byte) ([]byte, bool, error) {
	it, err := r.NewIter(key, append(append([]byte(nil), key...), 0))
	if err != nil {
		return nil, false, err
	}
	defer it.Close()
	if !it.First() {
		return nil, false, it.Error()
	}
	return append([]byte(nil), it.Value()...), true, nil
}
