package planner

import (
	"github.com/runnel-db/runnel/exec"
	"github.com/runnel-db/runnel/exec/expr"
	"github.com/runnel-db/runnel/exec/types"
)

// lateralDomain joins a correlated subquery's FROM plan r with its correlation domain dom (k
// columns) when a set-returning function in r reads the enclosing query (arguments with
// Column(outerBase+j), j being domain column j). The domain is joined below that function, which
// then reads the domain's columns instead; the result has r's columns followed by the domain's,
// the layout joinDomain produces. ok is false when no function of r reads the enclosing query.
func lateralDomain(r rel, dom rel, k int) (rel, bool) {
	switch n := r.(type) {
	case *projectSetRel:
		outer := false
		for _, f := range n.funcs {
			for _, a := range f.Args {
				outer = outer || usesOuter(a)
			}
		}
		in, ok := lateralDomain(n.in, dom, k)
		if !ok && !outer {
			return nil, false
		}
		if !ok {
			in = &joinRel{kind: exec.InnerJoin, left: n.in, right: dom}
		}
		ni := len(n.in.types())
		funcs := make([]exec.SetFunc, len(n.funcs))
		for i, f := range n.funcs {
			funcs[i] = f
			funcs[i].Args = make([]expr.Expr, len(f.Args))
			for j, a := range f.Args {
				funcs[i].Args[j] = expr.Remap(a, remapWidth(a, func(c int) int {
					if c >= outerBase {
						return ni + c - outerBase
					}
					return c
				}))
			}
		}
		// in ++ dom ++ function columns → in ++ function columns ++ dom.
		ps := &projectSetRel{in: in, funcs: funcs}
		return project(ps, moveBlock(ps.types(), ni, k)), true
	case *joinRel:
		nl := len(n.left.types())
		if l, ok := lateralDomain(n.left, dom, k); ok {
			// left ++ dom ++ right: the conditions' right-side columns move by k.
			shift := func(c int) int {
				if c >= nl {
					return c + k
				}
				return c
			}
			j := &joinRel{kind: n.kind, left: l, right: n.right, lkeys: n.lkeys, rkeys: n.rkeys}
			for _, p := range n.residual {
				j.residual = append(j.residual, remapPred(p, remapWidth(p.e, shift)))
			}
			return project(j, moveBlock(j.types(), nl, k)), true
		}
		if n.kind != exec.InnerJoin {
			return nil, false // the domain must not be NULL-extended
		}
		if rr, ok := lateralDomain(n.right, dom, k); ok {
			// left ++ right ++ dom: the conditions are over left ++ right, unchanged.
			return &joinRel{kind: n.kind, left: n.left, right: rr, lkeys: n.lkeys, rkeys: n.rkeys, residual: n.residual}, true
		}
	case *filterRel:
		if in, ok := lateralDomain(n.in, dom, k); ok {
			return &filterRel{in: in, preds: n.preds}, true
		}
	}
	return nil, false
}

// moveBlock returns the projection of columns ts that moves the k columns at from to the end.
func moveBlock(ts []types.T, from, k int) []expr.Expr {
	out := make([]expr.Expr, 0, len(ts))
	for i, t := range ts {
		if i < from || i >= from+k {
			out = append(out, expr.Column(i, t))
		}
	}
	for i := from; i < from+k; i++ {
		out = append(out, expr.Column(i, ts[i]))
	}
	return out
}
