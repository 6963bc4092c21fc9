package exec

import (
	"github.com/apache/arrow-go/v18/arrow"
	"github.com/apache/arrow-go/v18/arrow/array"
	"github.com/apache/arrow-go/v18/arrow/memory"

	"github.com/runnel-db/runnel/exec/expr"
	"github.com/runnel-db/runnel/exec/types"
	"github.com/runnel-db/runnel/exec/zset"
)

// Persisted operator state.
//
// Every stateful operator here keeps state that is a function of the multiset of rows it has
// consumed on each input (its "input arrangement"): a join's arrangements are those multisets,
// distinct, set operations and top-N count rows of them, an aggregate folds them into
// accumulators. So a graph's state is persisted generically: each stateful input is a state slot
// whose accumulated input is stored as a Z-set, and restoring feeds each slot's stored Z-set
// straight into its operator, whatever the operator does with it.
//
// Columns an operator's state does not depend on (an aggregate's input columns that are neither
// grouped nor aggregated) are stored as NULL, so their rows consolidate: count(*) GROUP BY k over
// millions of events stores one row per k.

// StateSlot is one input of a stateful operator.
type StateSlot struct {
	Node  NodeID
	Input int
	// Types are the input's column types.
	Types []types.T
	// Used marks the columns the operator's state depends on; the rest are recorded as NULL.
	Used []bool
}

// stateful is implemented by operators that keep state between epochs.
type stateful interface {
	// stateColumns returns, for input i, which columns the state depends on; nil when input i
	// leaves no state.
	stateColumns(input int) []bool
}

func allColumns(n int) []bool {
	used := make([]bool, n)
	for i := range used {
		used[i] = true
	}
	return used
}

// StateSlots lists the state slots of the graph in node order, then input order. The list is a
// function of the graph's shape, so a graph planned again from the same query has the same slots.
func (g *Graph) StateSlots() []StateSlot {
	if g.slotsKnown {
		return g.slots
	}
	g.slots, g.slotsKnown = nil, true
	for id, n := range g.nodes {
		st, ok := n.op.(stateful)
		if n.kind != opNode || !ok {
			continue
		}
		for k, in := range n.inputs {
			if used := st.stateColumns(k); used != nil {
				g.slots = append(g.slots, StateSlot{Node: NodeID(id), Input: k, Types: g.nodes[in].colTypes, Used: used})
			}
		}
	}
	return g.slots
}

// RecordState makes every later Step report the input delta of each state slot that changed:
// fn gets the slot's index in StateSlots and a consolidated batch, borrowed for the call, whose
// unused columns are NULL. Summed over all Steps (and RestoreState), these deltas are what
// RestoreState needs. An error from fn fails the Step.
func (g *Graph) RecordState(fn func(slot int, delta zset.Batch) error) {
	g.StateSlots()
	g.record = fn
}

// recordSlots reports the inputs of op node id to the state recorder.
func (g *Graph) recordSlots(mem memory.Allocator, id NodeID, in []zset.Batch) error {
	for s := range g.slots {
		slot := &g.slots[s]
		if slot.Node != id || in[slot.Input].Empty() {
			continue
		}
		b := stateProjection(mem, in[slot.Input], slot)
		err := g.record(s, b)
		b.Release()
		if err != nil {
			return err
		}
	}
	return nil
}

// stateProjection returns b with the slot's unused columns replaced by NULL, consolidated. The
// caller releases the result.
func stateProjection(mem memory.Allocator, b zset.Batch, slot *StateSlot) zset.Batch {
	all := true
	for _, u := range slot.Used {
		all = all && u
	}
	if all {
		b.Retain()
		return b
	}
	n := b.NumRows()
	cols := make([]arrow.Array, len(slot.Used))
	for i, u := range slot.Used {
		if u {
			cols[i] = b.Col(i)
			cols[i].Retain()
		} else {
			cols[i] = array.MakeArrayOfNull(mem, slot.Types[i].ArrowType(), n)
		}
	}
	out := zset.New(cols, b.WeightArray())
	for _, c := range cols {
		c.Release()
	}
	return zset.Consolidate(mem, out)
}

// RestoreState rebuilds the operator state of a graph that has not run yet from contents, the
// accumulated input of each state slot (indexed like StateSlots; borrowed; the zero Batch means
// empty). Every stateful operator consumes its slots once, its output discarded; constant inputs
// count as already emitted. Afterwards the graph continues as if it had run all along.
func (g *Graph) RestoreState(ctx *expr.Context, contents []zset.Batch) error {
	slots := g.StateSlots()
	if len(contents) != len(slots) {
		return internalf("restore state: %d slot contents, graph has %d slots", len(contents), len(slots))
	}
	if g.stepped {
		return internalf("restore state: the graph has already run")
	}
	mem := ctx.Allocator()
	for id, n := range g.nodes {
		if _, ok := n.op.(stateful); n.kind != opNode || !ok {
			continue
		}
		in := make([]zset.Batch, len(n.inputs))
		for k, src := range n.inputs {
			in[k] = zset.Empty(mem, g.nodes[src].colTypes)
		}
		for s, slot := range slots {
			if slot.Node == NodeID(id) && contents[s].Record() != nil {
				in[slot.Input].Release()
				contents[s].Retain()
				in[slot.Input] = contents[s]
			}
		}
		out, err := n.op.Step(ctx, in)
		for _, b := range in {
			b.Release()
		}
		if err != nil {
			return err
		}
		out.Release()
	}
	for _, n := range g.nodes {
		if n.kind == constNode && !n.done {
			n.constB.Release()
			n.constB, n.done = zset.Batch{}, true
		}
	}
	g.stepped = true
	return nil
}
