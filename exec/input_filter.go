package exec

import "github.com/runnel-db/runnel/exec/expr"

// InputFilter returns the predicate that every row read from relation relID must pass: the
// predicate of the Filter that is the only consumer of the relation's only input node. A reader
// may use it to fetch fewer rows (see expr.KeyEqualities); the Filter still runs. ok is false when
// the relation is read unfiltered or in more than one place.
func (g *Graph) InputFilter(relID uint64) (pred expr.Expr, ok bool) {
	input := NodeID(-1)
	for id, n := range g.nodes {
		if n.kind == inputNode && n.relID == relID {
			if input >= 0 {
				return nil, false
			}
			input = NodeID(id)
		}
	}
	if input < 0 {
		return nil, false
	}
	var consumer *node
	for _, n := range g.nodes {
		for _, in := range n.inputs {
			if in == input {
				if consumer != nil {
					return nil, false
				}
				consumer = n
			}
		}
	}
	if consumer == nil || consumer.kind != opNode {
		return nil, false
	}
	f, isFilter := consumer.op.(*filterOp)
	if !isFilter {
		return nil, false
	}
	return f.pred, true
}
