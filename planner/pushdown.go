package planner

import (
	"github.com/runnel-db/runnel/exec"
	"github.com/runnel-db/runnel/exec/expr"
	"github.com/runnel-db/runnel/exec/types"
)

// optimize pushes every filter as close to the inputs as is safe, turns equalities across
// joins into equi-join keys and merges stacked projections.
func optimize(r rel) rel {
	p := &pusher{memo: map[rel]rel{}}
	return p.push(r, nil)
}

// pusher rewrites a plan; memo keeps a node shared by several parents shared when nothing is
// pushed into it.
type pusher struct {
	memo map[rel]rel
}

// push returns r with preds (over r's columns) applied, each as deep as is safe.
func (p *pusher) push(r rel, preds []pred) rel {
	if len(preds) > 0 {
		return p.pushNode(r, preds)
	}
	if out, ok := p.memo[r]; ok {
		return out
	}
	out := p.pushNode(r, nil)
	p.memo[r] = out
	return out
}

// mergeProject projects in onto exprs, folding a projection below when one side is only
// column references.
func mergeProject(in rel, exprs []expr.Expr) rel {
	inner, ok := in.(*projectRel)
	if !ok {
		return project(in, exprs)
	}
	outerCols := make([]int, len(exprs))
	allOuter := true
	for i, e := range exprs {
		c, ok := colIndex(e)
		if !ok {
			allOuter = false
			break
		}
		outerCols[i] = c
	}
	if allOuter {
		out := make([]expr.Expr, len(exprs))
		for i, c := range outerCols {
			out[i] = inner.exprs[c]
		}
		return project(inner.in, out)
	}
	src := make([]int, len(inner.exprs))
	for i, e := range inner.exprs {
		c, ok := colIndex(e)
		if !ok {
			return project(in, exprs)
		}
		src[i] = c
	}
	out := make([]expr.Expr, len(exprs))
	for i, e := range exprs {
		out[i] = expr.Remap(e, src)
	}
	return project(inner.in, out)
}

func (p *pusher) pushNode(r rel, preds []pred) rel {
	push := p.push
	switch n := r.(type) {
	case *filterRel:
		return push(n.in, append(append([]pred{}, n.preds...), preds...))
	case *joinRel:
		return p.pushJoin(n, preds)
	case *projectRel:
		src := make([]int, len(n.exprs))
		for i, e := range n.exprs {
			if c, ok := colIndex(e); ok {
				src[i] = c
			} else {
				src[i] = -1
			}
		}
		var down, keep []pred
		for _, p := range preds {
			ok := true
			for _, c := range expr.Columns(p.e) {
				if c >= len(src) || src[c] < 0 {
					ok = false
				}
			}
			if ok {
				down = append(down, remapPred(p, src))
			} else {
				keep = append(keep, p)
			}
		}
		return filter(mergeProject(push(n.in, down), n.exprs), keep)
	case *aggRel:
		var down, keep []pred
		for _, p := range preds {
			// A condition on no column must stay above: an aggregation without GROUP BY
			// returns a row even for empty input.
			ok := len(expr.Columns(p.e)) > 0
			for _, c := range expr.Columns(p.e) {
				if c >= len(n.groupBy) {
					ok = false
				}
			}
			if ok {
				down = append(down, remapPred(p, n.groupBy))
			} else {
				keep = append(keep, p)
			}
		}
		return filter(&aggRel{in: push(n.in, down), groupBy: n.groupBy, aggs: n.aggs, ts: n.ts}, keep)
	case *distinctRel:
		return &distinctRel{in: push(n.in, preds)}
	case *unionRel:
		ins := make([]rel, len(n.ins))
		for i, in := range n.ins {
			ins[i] = push(in, preds)
		}
		return &unionRel{ins: ins}
	case *setOpRel:
		return &setOpRel{kind: n.kind, l: push(n.l, preds), r: push(n.r, preds)}
	case *topNRel:
		return filter(&topNRel{in: push(n.in, nil), keys: n.keys, limit: n.limit, offset: n.offset}, preds)
	case *dynTopNRel:
		c := *n
		c.in = push(n.in, nil)
		return filter(&c, preds)
	case *windowRel:
		c := *n
		c.in = push(n.in, nil)
		return filter(&c, preds)
	case *guardRel:
		return filter(&guardRel{in: push(n.in, nil), violations: push(n.violations, nil)}, preds)
	case *projectSetRel:
		return filter(&projectSetRel{in: push(n.in, nil), funcs: n.funcs}, preds)
	}
	return filter(r, preds)
}

// side classifies the columns of an expression over left ++ right: 0 none, 1 left only,
// 2 right only, 3 both.
func side(e expr.Expr, nl int) int {
	s := 0
	for _, c := range expr.Columns(e) {
		if c < nl {
			s |= 1
		} else {
			s |= 2
		}
	}
	return s
}

// joinKey turns an equality across the two sides of a join into a pair of key expressions of
// the same type, or reports false.
func joinKey(p pred, nl, width int) (lk, rk expr.Expr, ok bool) {
	if p.l == nil {
		return nil, nil, false
	}
	a, b := p.l, p.r
	switch {
	case side(a, nl) == 1 && side(b, nl) == 2:
	case side(a, nl) == 2 && side(b, nl) == 1:
		a, b = b, a
	default:
		return nil, nil, false
	}
	b = expr.Remap(b, shiftMapping(width, nl, -nl))
	at, bt := a.Type(), b.Type()
	if at.Kind != bt.Kind && !(at.IsString() && bt.IsString()) {
		ct, err := expr.CommonType([]types.T{at, bt}, "JOIN")
		if err != nil {
			return nil, nil, false
		}
		if a, err = expr.Cast(a, ct); err != nil {
			return nil, nil, false
		}
		if b, err = expr.Cast(b, ct); err != nil {
			return nil, nil, false
		}
	}
	return a, b, true
}

// simplifyOuter turns an outer join into an inner (or one-sided) join when a condition above it
// rejects the NULL-extended rows.
func simplifyOuter(n *joinRel, above []pred, nl int) *joinRel {
	if n.kind != exec.LeftJoin && n.kind != exec.RightJoin && n.kind != exec.FullJoin {
		return n
	}
	rejL, rejR := false, false
	for _, p := range above {
		if p.strict {
			s := side(p.e, nl)
			rejL = rejL || s&1 != 0
			rejR = rejR || s&2 != 0
		}
	}
	kind := n.kind
	switch {
	case kind == exec.LeftJoin && rejR, kind == exec.RightJoin && rejL, kind == exec.FullJoin && rejL && rejR:
		kind = exec.InnerJoin
	case kind == exec.FullJoin && rejL:
		kind = exec.LeftJoin
	case kind == exec.FullJoin && rejR:
		kind = exec.RightJoin
	}
	if kind == n.kind {
		return n
	}
	c := *n
	c.kind = kind
	return &c
}

func (p *pusher) pushJoin(n *joinRel, above []pred) rel {
	push := p.push
	nl := len(n.left.types())
	n = simplifyOuter(n, above, nl)
	width := nl + len(n.right.types())
	toRight := func(p pred) pred { return remapPred(p, shiftMapping(width, nl, -nl)) }
	out := &joinRel{kind: n.kind, lkeys: append([]expr.Expr{}, n.lkeys...), rkeys: append([]expr.Expr{}, n.rkeys...)}
	var lp, rp, keep []pred
	addKeyOrResidual := func(p pred) {
		if n.kind != exec.NullAwareAntiJoin {
			if lk, rk, ok := joinKey(p, nl, width); ok {
				out.lkeys = append(out.lkeys, lk)
				out.rkeys = append(out.rkeys, rk)
				return
			}
		}
		out.residual = append(out.residual, p)
	}
	switch n.kind {
	case exec.InnerJoin:
		for _, p := range append(append([]pred{}, n.residual...), above...) {
			switch side(p.e, nl) {
			case 0, 1:
				lp = append(lp, p)
			case 2:
				rp = append(rp, toRight(p))
			default:
				addKeyOrResidual(p)
			}
		}
	case exec.LeftJoin, exec.RightJoin, exec.FullJoin:
		preserved, supplying := 1, 2
		if n.kind == exec.RightJoin {
			preserved, supplying = 2, 1
		}
		for _, p := range above {
			s := side(p.e, nl)
			switch {
			case n.kind != exec.FullJoin && (s == preserved || (s == 0 && preserved == 1)):
				if s == 2 {
					rp = append(rp, toRight(p))
				} else {
					lp = append(lp, p)
				}
			default:
				keep = append(keep, p)
			}
		}
		for _, p := range n.residual {
			s := side(p.e, nl)
			switch {
			case n.kind != exec.FullJoin && s == supplying:
				if s == 2 {
					rp = append(rp, toRight(p))
				} else {
					lp = append(lp, p)
				}
			case s == 3:
				addKeyOrResidual(p)
			default:
				out.residual = append(out.residual, p)
			}
		}
	default: // semi, anti, null-aware anti: output is the left side
		lp = append(lp, above...)
		for _, p := range n.residual {
			s := side(p.e, nl)
			switch {
			case s == 2 && n.kind != exec.NullAwareAntiJoin:
				rp = append(rp, toRight(p))
			case s == 3:
				addKeyOrResidual(p)
			default:
				out.residual = append(out.residual, p)
			}
		}
	}
	out.left = push(n.left, lp)
	out.right = push(n.right, rp)
	return filter(out, keep)
}
