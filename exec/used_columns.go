package exec

import "github.com/runnel-db/runnel/exec/expr"

// Which input columns a graph needs.
//
// A source's rows are decoded for the views that read them, and a view usually needs only some of
// the source's columns; InputColumns tells which, so that the others need not be decoded, hashed
// or stored (they are fed as NULL). Operators that know which of their input columns produce
// which output columns say so (columnUser); any other operator is taken to need all of them.

// columnUser is implemented by operators that can tell which input columns an output needs.
type columnUser interface {
	// inputColumns returns, per input (of the widths given), the columns needed to compute the
	// output columns marked in out.
	inputColumns(out []bool, widths []int) [][]bool
}

// InputColumns returns which columns of relation relID the graph's output depends on (all false
// when the graph does not read relID).
func (g *Graph) InputColumns(relID uint64) []bool {
	need := make([][]bool, len(g.nodes))
	if g.output < 0 {
		return nil
	}
	need[g.output] = allColumns(len(g.nodes[g.output].colTypes))
	var out []bool
	for id := len(g.nodes) - 1; id >= 0; id-- {
		n := g.nodes[id]
		if need[id] == nil {
			continue
		}
		switch n.kind {
		case inputNode:
			if n.relID == relID {
				if out == nil {
					out = make([]bool, len(n.colTypes))
				}
				for i, u := range need[id] {
					out[i] = out[i] || u
				}
			}
		case opNode:
			var per [][]bool
			if cu, ok := n.op.(columnUser); ok {
				widths := make([]int, len(n.inputs))
				for k, in := range n.inputs {
					widths[k] = len(g.nodes[in].colTypes)
				}
				per = cu.inputColumns(need[id], widths)
			}
			for k, in := range n.inputs {
				width := len(g.nodes[in].colTypes)
				use := allColumns(width)
				if per != nil {
					use = per[k]
				}
				if need[in] == nil {
					need[in] = make([]bool, width)
				}
				for i, u := range use {
					need[in][i] = need[in][i] || u
				}
			}
		}
	}
	if out == nil {
		for _, n := range g.nodes {
			if n.kind == inputNode && n.relID == relID {
				return make([]bool, len(n.colTypes))
			}
		}
	}
	return out
}

// markExprColumns marks the columns e reads in used; it marks them all when it cannot tell.
func markExprColumns(used []bool, e expr.Expr) {
	cols, ok := expr.ColumnsKnown(e)
	if !ok {
		for i := range used {
			used[i] = true
		}
		return
	}
	for _, c := range cols {
		if c < len(used) {
			used[c] = true
		}
	}
}

func (p *projectOp) inputColumns(out []bool, widths []int) [][]bool {
	used := make([]bool, widths[0])
	for i, e := range p.exprs {
		if i < len(out) && out[i] {
			markExprColumns(used, e)
		}
	}
	return [][]bool{used}
}

// A filter passes its input's columns through and reads its predicate's.
func (f *filterOp) inputColumns(out []bool, widths []int) [][]bool {
	used := append(make([]bool, 0, widths[0]), out...)
	markExprColumns(used, f.pred)
	return [][]bool{used}
}

// An aggregate's output depends on the group, aggregated and FILTER columns whichever output
// columns are used: a group exists because of its rows.
func (a *aggregateOp) inputColumns(_ []bool, _ []int) [][]bool {
	return [][]bool{a.stateColumns(0)}
}

func (u *unionOp) inputColumns(out []bool, widths []int) [][]bool {
	per := make([][]bool, len(widths))
	for k := range per {
		per[k] = append([]bool(nil), out...)
	}
	return per
}

func (negateOp) inputColumns(out []bool, _ []int) [][]bool {
	return [][]bool{append([]bool(nil), out...)}
}
