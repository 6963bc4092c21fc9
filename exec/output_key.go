package exec

import "github.com/runnel-db/runnel/exec/expr"

// keyProducer is implemented by operators whose accumulated output has a unique key: output
// columns whose values identify at most one row after every epoch.
type keyProducer interface {
	outputKey() []int
}

// An aggregate emits one row per group, and the group columns lead the row; without GROUP BY it
// emits exactly one row, whose key is empty.
func (a *aggregateOp) outputKey() []int { return prefixCols(len(a.groupBy)) }

func (d *distinctOp) outputKey() []int { return prefixCols(len(d.colTypes)) }

func (o *setOpOp) outputKey() []int {
	if o.kind == Intersect || o.kind == Except {
		return prefixCols(len(o.colTypes))
	}
	return nil
}

func prefixCols(n int) []int {
	cols := make([]int, n)
	for i := range cols {
		cols[i] = i
	}
	return cols
}

// OutputKey returns output columns that uniquely identify a row of the graph's accumulated output
// (so the output is a set), with ok false when no such key is known. Aggregates are keyed by
// their group columns, DISTINCT, INTERSECT and EXCEPT by all columns, and filters, top-N and
// projections that pass the key columns through keep their input's key. The engine then stores
// the output by that key and writes it without reading anything back.
func (g *Graph) OutputKey() (key []int, ok bool) {
	if g.output < 0 {
		return nil, false
	}
	return g.outputKeyOf(g.output)
}

// OutputIsSet reports whether the graph's accumulated output never holds a row twice.
func (g *Graph) OutputIsSet() bool {
	_, ok := g.OutputKey()
	return ok
}

func (g *Graph) outputKeyOf(id NodeID) ([]int, bool) {
	n := g.nodes[id]
	if n.kind != opNode {
		return nil, false
	}
	switch op := n.op.(type) {
	case keyProducer:
		k := op.outputKey()
		return k, k != nil
	case *filterOp, *topNOp:
		return g.outputKeyOf(n.inputs[0])
	case *projectOp:
		inKey, ok := g.outputKeyOf(n.inputs[0])
		if !ok {
			return nil, false
		}
		// Each input key column must pass through unchanged; its output position joins the key.
		out := make([]int, 0, len(inKey))
		for _, k := range inKey {
			found := -1
			for i, e := range op.exprs {
				if c, ok := expr.ColumnIndex(e); ok && c == k {
					found = i
					break
				}
			}
			if found < 0 {
				return nil, false
			}
			out = append(out, found)
		}
		return out, true
	}
	return nil, false
}
