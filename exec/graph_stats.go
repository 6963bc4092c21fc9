package exec

import (
	"sync/atomic"
	"time"

	"github.com/runnel-db/runnel/exec/zset"
)

// nodeStats counts an operator's work. Step updates them; system views read them concurrently,
// so they are atomics.
type nodeStats struct {
	steps, rowsIn, rowsOut, stateRows, busyNanos atomic.Int64
}

// stateSizer is implemented by operators that keep state: the number of rows (or groups) it
// holds.
type stateSizer interface {
	stateRows() int64
}

func (s *nodeStats) record(op Operator, in []zset.Batch, out zset.Batch, busy time.Duration) {
	s.steps.Add(1)
	for _, b := range in {
		s.rowsIn.Add(int64(b.NumRows()))
	}
	s.rowsOut.Add(int64(out.NumRows()))
	s.busyNanos.Add(int64(busy))
	if sz, ok := op.(stateSizer); ok {
		s.stateRows.Store(sz.stateRows())
	}
}

// OperatorStats describes one operator of a graph and the work it has done since the graph was
// built.
type OperatorStats struct {
	// ID is the node's position in the graph (inputs come first).
	ID int
	// Operator is the operator's Explain line.
	Operator string
	// Inputs are the IDs of the nodes it reads.
	Inputs []int
	// Steps counts the epochs it ran in (a node whose inputs did not change is skipped).
	Steps int64
	// RowsIn and RowsOut count delta rows read and written.
	RowsIn, RowsOut int64
	// StateRows is the number of rows or groups its state holds after its last step; -1 for
	// stateless operators.
	StateRows int64
	// Busy is the time spent in its Step.
	Busy time.Duration
}

// Operators returns the graph's operators in topological order with their statistics.
func (g *Graph) Operators() []OperatorStats {
	var out []OperatorStats
	for i, n := range g.nodes {
		if n.kind != opNode {
			continue
		}
		st := OperatorStats{ID: i, Operator: n.op.Explain(), Steps: n.stats.steps.Load(), RowsIn: n.stats.rowsIn.Load(),
			RowsOut: n.stats.rowsOut.Load(), StateRows: -1, Busy: time.Duration(n.stats.busyNanos.Load())}
		for _, in := range n.inputs {
			st.Inputs = append(st.Inputs, int(in))
		}
		if _, ok := n.op.(stateSizer); ok {
			st.StateRows = n.stats.stateRows.Load()
		}
		out = append(out, st)
	}
	return out
}

func (t *topNOp) stateRows() int64 { return int64(len(t.rows)) }

func (w *windowOp) stateRows() int64 {
	var n int64
	for _, p := range w.parts {
		if p != nil {
			n += int64(len(p.rows))
		}
	}
	return n
}

func (a *aggregateOp) stateRows() int64 { return int64(len(a.rows) - len(a.free)) }

func (d *distinctOp) stateRows() int64 { return int64(len(d.counts)) }

func (s *setOpOp) stateRows() int64 { return int64(len(s.counts)) }

func (j *joinOp) stateRows() int64 { return int64(len(j.left.rows) + len(j.right.rows)) }
