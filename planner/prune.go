package planner

import (
	"github.com/runnel-db/runnel/exec"
	"github.com/runnel-db/runnel/exec/expr"
)

// pruner drops columns no consumer needs, so joins and aggregations carry only what is used.
// A node with several parents (a CTE, a table read twice) keeps all its columns so that it stays
// one shared dataflow node.
type pruner struct {
	refs map[rel]int
	memo map[rel]rel
}

// pruneColumns rewrites r so that every node outputs only needed columns; r's own output is
// unchanged.
func pruneColumns(r rel) rel {
	p := &pruner{refs: map[rel]int{}, memo: map[rel]rel{}}
	p.count(r)
	out, _ := p.prune(r, allNeeded(len(r.types())))
	return out
}

func allNeeded(n int) []bool {
	b := make([]bool, n)
	for i := range b {
		b[i] = true
	}
	return b
}

func children(r rel) []rel {
	switch n := r.(type) {
	case *filterRel:
		return []rel{n.in}
	case *projectRel:
		return []rel{n.in}
	case *joinRel:
		return []rel{n.left, n.right}
	case *aggRel:
		return []rel{n.in}
	case *distinctRel:
		return []rel{n.in}
	case *unionRel:
		return n.ins
	case *setOpRel:
		return []rel{n.l, n.r}
	case *topNRel:
		return []rel{n.in}
	case *windowRel:
		return []rel{n.in}
	case *guardRel:
		return []rel{n.in, n.violations}
	case *projectSetRel:
		return []rel{n.in}
	case *dynTopNRel:
		return []rel{n.in}
	}
	return nil
}

func (p *pruner) count(r rel) {
	p.refs[r]++
	if p.refs[r] > 1 {
		return
	}
	for _, c := range children(r) {
		p.count(c)
	}
}

func markCols(need []bool, e expr.Expr) {
	for _, c := range expr.Columns(e) {
		if c < len(need) {
			need[c] = true
		}
	}
}

func remapExpr(e expr.Expr, m []int) expr.Expr {
	return expr.Remap(e, remapWidth(e, func(c int) int { return m[c] }))
}

func remapPredBy(ps []pred, m []int) []pred {
	out := make([]pred, len(ps))
	for i, q := range ps {
		out[i] = pred{e: remapExpr(q.e, m), strict: q.strict}
		if q.l != nil {
			out[i].l, out[i].r = remapExpr(q.l, m), remapExpr(q.r, m)
		}
	}
	return out
}

func identityMap(n int) []int {
	m := make([]int, n)
	for i := range m {
		m[i] = i
	}
	return m
}

// prune returns r rewritten to output at least the needed columns, and for each old output
// column its new index (meaningful for needed columns).
func (p *pruner) prune(r rel, need []bool) (rel, []int) {
	n := len(r.types())
	if p.refs[r] > 1 {
		need = allNeeded(n)
		if out, ok := p.memo[r]; ok {
			return out, identityMap(n)
		}
		out, _ := p.pruneNode(r, need)
		p.memo[r] = out
		return out, identityMap(n)
	}
	return p.pruneNode(r, need)
}

// keepAll prunes the children of a node that needs all its input columns.
func (p *pruner) keepAll(in rel) rel {
	out, _ := p.prune(in, allNeeded(len(in.types())))
	return out
}

func (p *pruner) pruneNode(r rel, need []bool) (rel, []int) {
	switch n := r.(type) {
	case *filterRel:
		needIn := append([]bool{}, need...)
		for _, q := range n.preds {
			markCols(needIn, q.e)
		}
		in, m := p.prune(n.in, needIn)
		return &filterRel{in: in, preds: remapPredBy(n.preds, m)}, m
	case *projectRel:
		needIn := make([]bool, len(n.in.types()))
		var kept []expr.Expr
		m := make([]int, len(n.exprs))
		for i, e := range n.exprs {
			if need[i] {
				m[i] = len(kept)
				kept = append(kept, e)
				markCols(needIn, e)
			}
		}
		in, im := p.prune(n.in, needIn)
		for i, e := range kept {
			kept[i] = remapExpr(e, im)
		}
		return project(in, kept), m
	case *joinRel:
		lt, rt := n.left.types(), n.right.types()
		nl := len(lt)
		needL, needR := make([]bool, nl), make([]bool, len(rt))
		copy(needL, need)
		if len(need) > nl {
			copy(needR, need[nl:])
		}
		for _, k := range n.lkeys {
			markCols(needL, k)
		}
		for _, k := range n.rkeys {
			markCols(needR, k)
		}
		both := append(append([]bool{}, needL...), needR...)
		for _, q := range n.residual {
			markCols(both, q.e)
		}
		copy(needL, both[:nl])
		copy(needR, both[nl:])
		left, lm := narrow(p.prune(n.left, needL))(needL)
		right, rm := narrow(p.prune(n.right, needR))(needR)
		newNL := len(left.types())
		m := make([]int, nl+len(rt))
		for i := 0; i < nl; i++ {
			m[i] = lm[i]
		}
		for i := range rt {
			m[nl+i] = newNL + rm[i]
		}
		out := &joinRel{kind: n.kind, left: left, right: right, residual: remapPredBy(n.residual, m)}
		for _, k := range n.lkeys {
			out.lkeys = append(out.lkeys, remapExpr(k, lm))
		}
		for _, k := range n.rkeys {
			out.rkeys = append(out.rkeys, remapExpr(k, rm))
		}
		switch n.kind {
		case exec.SemiJoin, exec.AntiJoin, exec.NullAwareAntiJoin:
			return out, m[:nl]
		}
		return out, m
	case *aggRel:
		needIn := make([]bool, len(n.in.types()))
		for _, g := range n.groupBy {
			needIn[g] = true
		}
		for _, a := range n.aggs {
			if a.Arg >= 0 {
				needIn[a.Arg] = true
			}
			if a.Filter >= 0 {
				needIn[a.Filter] = true
			}
		}
		in, m := p.prune(n.in, needIn)
		out := &aggRel{in: in, ts: n.ts, groupBy: make([]int, len(n.groupBy)), aggs: make([]exec.AggCall, len(n.aggs))}
		for i, g := range n.groupBy {
			out.groupBy[i] = m[g]
		}
		for i, a := range n.aggs {
			if a.Arg >= 0 {
				a.Arg = m[a.Arg]
			}
			if a.Filter >= 0 {
				a.Filter = m[a.Filter]
			}
			out.aggs[i] = a
		}
		return out, identityMap(len(n.ts))
	case *distinctRel:
		return &distinctRel{in: p.keepAll(n.in)}, identityMap(len(need))
	case *unionRel:
		// UNION ALL is per row: every input keeps exactly the needed columns.
		ins := make([]rel, len(n.ins))
		var m []int
		for i, in := range n.ins {
			ins[i], m = narrow(p.prune(in, need))(need)
		}
		return &unionRel{ins: ins}, m
	case *setOpRel:
		return &setOpRel{kind: n.kind, l: p.keepAll(n.l), r: p.keepAll(n.r)}, identityMap(len(need))
	case *topNRel:
		return &topNRel{in: p.keepAll(n.in), keys: n.keys, limit: n.limit, offset: n.offset}, identityMap(len(need))
	case *dynTopNRel:
		c := *n
		c.in = p.keepAll(n.in)
		return &c, identityMap(len(need))
	case *windowRel:
		c := *n
		c.in = p.keepAll(n.in)
		return &c, identityMap(len(need))
	case *guardRel:
		return &guardRel{in: p.keepAll(n.in), violations: p.keepAll(n.violations)}, identityMap(len(need))
	case *projectSetRel:
		return &projectSetRel{in: p.keepAll(n.in), funcs: n.funcs}, identityMap(len(need))
	}
	// Leaves: scans, constants, values. Narrow them with a projection when columns are unused.
	all := true
	for _, b := range need {
		all = all && b
	}
	if all {
		return r, identityMap(len(need))
	}
	ts := r.types()
	m := make([]int, len(ts))
	var exprs []expr.Expr
	for i, t := range ts {
		if need[i] {
			m[i] = len(exprs)
			exprs = append(exprs, expr.Column(i, t))
		}
	}
	return &projectRel{in: r, exprs: exprs}, m
}

// narrow returns a function that projects a pruned relation (with mapping m) onto exactly the
// needed columns, so that a join does not carry columns only a filter below it used.
func narrow(r rel, m []int) func(need []bool) (rel, []int) {
	return func(need []bool) (rel, []int) {
		ts := r.types()
		var exprs []expr.Expr
		nm := make([]int, len(m))
		for i, ok := range need {
			if ok {
				nm[i] = len(exprs)
				exprs = append(exprs, expr.Column(m[i], ts[m[i]]))
			}
		}
		if len(exprs) == len(ts) {
			return r, m
		}
		return project(r, exprs), nm
	}
}
