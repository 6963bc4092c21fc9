package planner

import (
	"github.com/runnel-db/runnel/exec"
	"github.com/runnel-db/runnel/exec/expr"
	"github.com/runnel-db/runnel/exec/types"
	"github.com/runnel-db/runnel/exec/zset"
)

// rel is a node of the logical plan. Nodes are immutable once built: rewrites build new nodes, so
// a node shared by several parents (a CTE, a subquery input) stays one dataflow node.
type rel interface {
	types() []types.T
}

// scanRel reads a table or materialized view (a Graph input).
type scanRel struct {
	r  *Relation
	ts []types.T
}

// constRel is a constant set of rows known at plan time.
type constRel struct {
	rows [][]types.Datum
	ts   []types.T
}

// valuesRel is a list of rows of expressions evaluated when the graph runs (parameters, now()).
type valuesRel struct {
	rows [][]expr.Expr
	ts   []types.T
}

// pred is one conjunct of a filter or join condition. When the conjunct is an equality l = r,
// l and r are its operands so that a join can use it as an equi-join key. strict means the
// conjunct is never true when any column it references is NULL (it rejects the NULL-extended
// rows of an outer join).
type pred struct {
	e, l, r expr.Expr
	strict  bool
}

type filterRel struct {
	in    rel
	preds []pred
}

type projectRel struct {
	in    rel
	exprs []expr.Expr
}

type joinRel struct {
	kind        exec.JoinKind
	left, right rel
	// lkeys[i] (over left) = rkeys[i] (over right); both of the same type.
	lkeys, rkeys []expr.Expr
	// residual is over left ++ right columns.
	residual []pred
}

type aggRel struct {
	in      rel
	groupBy []int
	aggs    []exec.AggCall
	ts      []types.T
}

type distinctRel struct{ in rel }

// unionRel is UNION ALL of inputs with equal column types.
type unionRel struct{ ins []rel }

type setOpRel struct {
	kind exec.SetOpKind
	l, r rel
}

// windowRel appends one column per window function to its input's columns.
type windowRel struct {
	in        rel
	partition []int
	order     []zset.SortKey
	funcs     []exec.WindowFunc
}

type topNRel struct {
	in            rel
	keys          []zset.SortKey
	limit, offset int64
}

func (n *scanRel) types() []types.T   { return n.ts }
func (n *constRel) types() []types.T  { return n.ts }
func (n *valuesRel) types() []types.T { return n.ts }
func (n *filterRel) types() []types.T { return n.in.types() }
func (n *projectRel) types() []types.T {
	out := make([]types.T, len(n.exprs))
	for i, e := range n.exprs {
		out[i] = e.Type()
	}
	return out
}
func (n *joinRel) types() []types.T {
	lt := n.left.types()
	switch n.kind {
	case exec.SemiJoin, exec.AntiJoin, exec.NullAwareAntiJoin:
		return lt
	}
	return append(append([]types.T{}, lt...), n.right.types()...)
}
func (n *aggRel) types() []types.T      { return n.ts }
func (n *distinctRel) types() []types.T { return n.in.types() }
func (n *unionRel) types() []types.T    { return n.ins[0].types() }
func (n *setOpRel) types() []types.T    { return n.l.types() }
func (n *topNRel) types() []types.T     { return n.in.types() }
func (n *windowRel) types() []types.T {
	ts := append([]types.T{}, n.in.types()...)
	for _, f := range n.funcs {
		ts = append(ts, f.ResultType)
	}
	return ts
}

// colIndex reports whether e is exactly the input column reference #i.
func colIndex(e expr.Expr) (int, bool) { return expr.ColumnIndex(e) }

// identity returns Column(i) for every column of ts.
func identity(ts []types.T) []expr.Expr {
	out := make([]expr.Expr, len(ts))
	for i, t := range ts {
		out[i] = expr.Column(i, t)
	}
	return out
}

// project returns a projection of in onto exprs, or in itself when exprs is the identity.
func project(in rel, exprs []expr.Expr) rel {
	ts := in.types()
	if len(exprs) == len(ts) {
		same := true
		for i, e := range exprs {
			if c, ok := colIndex(e); !ok || c != i || e.Type() != ts[i] {
				same = false
				break
			}
		}
		if same {
			return in
		}
	}
	return &projectRel{in: in, exprs: exprs}
}

// filter returns in filtered by preds (in itself when there are none).
func filter(in rel, preds []pred) rel {
	if len(preds) == 0 {
		return in
	}
	return &filterRel{in: in, preds: preds}
}

// shiftMapping returns a mapping for expr.Remap that adds delta to columns >= from, over width
// columns.
func shiftMapping(width, from, delta int) []int {
	m := make([]int, width)
	for i := range m {
		m[i] = i
		if i >= from {
			m[i] = i + delta
		}
	}
	return m
}

func remapPred(p pred, m []int) pred {
	out := pred{e: expr.Remap(p.e, m), strict: p.strict}
	if p.l != nil {
		out.l, out.r = expr.Remap(p.l, m), expr.Remap(p.r, m)
	}
	return out
}

func maxCol(e expr.Expr) int {
	mx := -1
	for _, c := range expr.Columns(e) {
		mx = max(mx, c)
	}
	return mx
}

// remapWidth builds a Remap mapping large enough for every column e uses.
func remapWidth(e expr.Expr, f func(int) int) []int {
	m := make([]int, maxCol(e)+1)
	for i := range m {
		m[i] = f(i)
	}
	return m
}
