package exec

import "github.com/runnel-db/runnel/exec/expr"

// setProducer is implemented by operators whose accumulated output is always a set: every row
// has multiplicity 0 or 1 after every epoch.
type setProducer interface {
	outputIsSet() bool
}

// An aggregate emits one row per group, and the group columns lead the row.
func (*aggregateOp) outputIsSet() bool { return true }

func (*distinctOp) outputIsSet() bool { return true }

func (o *setOpOp) outputIsSet() bool { return o.kind == Intersect || o.kind == Except }

// OutputIsSet reports whether the graph's accumulated output is a set (each row at most once):
// aggregates, DISTINCT, INTERSECT and EXCEPT, and filters, top-N and column-preserving
// projections over them. The engine then stores the output without reading multiplicities back:
// a retraction deletes the row and an insertion writes it. It errs on the side of false.
func (g *Graph) OutputIsSet() bool {
	if g.output < 0 {
		return false
	}
	return g.isSet(g.output)
}

func (g *Graph) isSet(id NodeID) bool {
	n := g.nodes[id]
	if n.kind != opNode {
		return false
	}
	switch op := n.op.(type) {
	case setProducer:
		return op.outputIsSet()
	case *filterOp, *topNOp:
		return g.isSet(n.inputs[0])
	case *projectOp:
		// A projection keeps distinct rows distinct when it passes every input column through.
		kept := make([]bool, len(g.nodes[n.inputs[0]].colTypes))
		for _, e := range op.exprs {
			if i, ok := expr.ColumnIndex(e); ok && i < len(kept) {
				kept[i] = true
			}
		}
		for _, k := range kept {
			if !k {
				return false
			}
		}
		return g.isSet(n.inputs[0])
	}
	return false
}
