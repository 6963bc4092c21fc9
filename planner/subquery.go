package planner

import (
	pg_query "github.com/pganalyze/pg_query_go/v6"

	"github.com/runnel-db/runnel/exec"
	"github.com/runnel-db/runnel/exec/expr"
	"github.com/runnel-db/runnel/exec/sqlerr"
	"github.com/runnel-db/runnel/exec/types"
)

// bindSub binds the query of a subquery expression with b's scope as its outer scope.
func (b *bctx) bindSub(sl *pg_query.SubLink) (*boundQuery, error) {
	if b.in == nil {
		return nil, b.s.notSupported("subqueries in this clause", sl.Location)
	}
	var refs []int
	corr := &corrState{outer: b.sc, refs: &refs, parent: b.corr,
		exists: sl.SubLinkType == pg_query.SubLinkType_EXISTS_SUBLINK, scalar: sl.SubLinkType == pg_query.SubLinkType_EXPR_SUBLINK}
	bq, err := b.s.bindSelectNode(sl.Subselect, b.env, corr, modeSub)
	if err != nil {
		return nil, err
	}
	if bq.sub != nil && b.agg != nil {
		// After aggregation the outer query's rows are groups: an outer reference must be a
		// group key, found by position in the aggregation's output.
		refs := make([]int, len(bq.sub.refs))
		for i, r := range bq.sub.refs {
			refs[i] = -1
			for g, ge := range b.agg.groups {
				if c, ok := colIndex(ge); ok && c == r {
					refs[i] = g
				}
			}
			if refs[i] < 0 {
				return nil, b.s.errAt(groupingError(b.sc.cols[r]), sl.Location)
			}
		}
		info := *bq.sub
		info.refs = refs
		bq.sub = &info
	}
	return bq, nil
}

// outerPreds places a correlated subquery's conditions over left ++ subquery output, where left
// has nl columns.
func outerPreds(info *subInfo, nl int) []pred {
	if info == nil {
		return nil
	}
	out := make([]pred, len(info.preds))
	for i, p := range info.preds {
		out[i] = remapPred(p, remapWidth(p.e, func(c int) int {
			if c >= outerBase {
				return info.refs[c-outerBase]
			}
			return nl + c
		}))
	}
	return out
}

// whereSubquery turns a WHERE conjunct [NOT] EXISTS (…) or x [NOT] IN (…) into a semi or anti
// join onto the input. It reports false when n is not of that form.
func (b *bctx) whereSubquery(n *pg_query.Node) (bool, error) {
	not := false
	if be := n.GetBoolExpr(); be != nil && be.Boolop == pg_query.BoolExprType_NOT_EXPR && len(be.Args) == 1 {
		n, not = be.Args[0], true
	}
	sl := n.GetSubLink()
	if sl == nil {
		return false, nil
	}
	switch sl.SubLinkType {
	case pg_query.SubLinkType_EXISTS_SUBLINK:
	case pg_query.SubLinkType_ANY_SUBLINK:
		if op := opName(sl.OperName); op != "=" && op != "" {
			return false, nil
		}
	default:
		return false, nil
	}
	bq, err := b.bindSub(sl)
	if err != nil {
		return true, err
	}
	left := *b.in
	nl := len(left.types())
	kind := exec.SemiJoin
	if not {
		kind = exec.AntiJoin
	}
	var jr *joinRel
	var preds []pred
	if bq.sub != nil && bq.sub.dom != nil {
		// Evaluated per correlation value: match the outer row's own domain row.
		res, k, err := b.domainResult(bq, left)
		if err != nil {
			return true, err
		}
		if jr, err = joinOnDomain(kind, left, bq.sub.refs, res, firstCols(k)); err != nil {
			return true, err
		}
		nl += k // the subquery's columns follow the domain's
	} else {
		preds = outerPreds(bq.sub, nl)
		jr = &joinRel{kind: kind, left: left, right: bq.r}
	}
	if sl.SubLinkType == pg_query.SubLinkType_ANY_SUBLINK {
		if sl.Testexpr.GetRowExpr() != nil {
			return true, b.s.notSupported("row comparisons with subqueries", sl.Location)
		}
		if len(bq.cols) != 1 {
			msg := "subquery has too many columns"
			if len(bq.cols) == 0 {
				msg = "subquery has too few columns"
			}
			return true, b.s.errAt(sqlerr.New(sqlerr.SyntaxError, "%s", msg), sl.Location)
		}
		tb := b.with()
		tb.in = nil
		x, err := tb.bind(sl.Testexpr)
		if err != nil {
			return true, err
		}
		y := expr.Column(nl, bq.cols[0].typ)
		eq, err := expr.Call("=", []expr.Expr{x, y})
		if err != nil {
			return true, b.s.errAt(err, sl.Location)
		}
		p := pred{e: eq, l: x, r: y}
		if not {
			lk, rk, ok := joinKey(p, nl, nl+len(bq.r.types()))
			if bq.sub != nil || !ok {
				// NOT IN's NULL rules need the per-row value: keep the rows where it is true.
				v, err := b.inValue(sl, bq, x)
				if err != nil {
					return true, err
				}
				if v, err = expr.Not(v); err != nil {
					return true, err
				}
				*b.in = filter(*b.in, []pred{{e: v}})
				return true, nil
			}
			jr.kind = exec.NullAwareAntiJoin
			jr.lkeys, jr.rkeys = []expr.Expr{lk}, []expr.Expr{rk}
		} else {
			preds = append(preds, p)
		}
	}
	jr.residual = preds
	*b.in = jr
	return true, nil
}

// subLinkExpr binds a subquery used as a value: a scalar subquery, or EXISTS.
func (b *bctx) subLinkExpr(sl *pg_query.SubLink) (expr.Expr, error) {
	switch sl.SubLinkType {
	case pg_query.SubLinkType_EXPR_SUBLINK:
		return b.scalarSubquery(sl)
	case pg_query.SubLinkType_EXISTS_SUBLINK:
		return b.existsExpr(sl)
	case pg_query.SubLinkType_ANY_SUBLINK, pg_query.SubLinkType_ALL_SUBLINK:
		return b.quantified(sl)
	case pg_query.SubLinkType_ARRAY_SUBLINK:
		return b.arraySubquery(sl)
	case pg_query.SubLinkType_ROWCOMPARE_SUBLINK:
		return nil, b.s.notSupported("row comparisons with subqueries", sl.Location)
	}
	return nil, b.s.notSupported("this form of subquery expression", sl.Location)
}

// scalarSubquery joins the subquery onto the input and returns its value column.
func (b *bctx) scalarSubquery(sl *pg_query.SubLink) (expr.Expr, error) {
	bq, err := b.bindSub(sl)
	if err != nil {
		return nil, err
	}
	if len(bq.cols) != 1 {
		return nil, b.s.errAt(sqlerr.New(sqlerr.SyntaxError, "subquery must return only one column"), sl.Location)
	}
	left := *b.in
	nl := len(left.types())
	lt := left.types()
	if bq.sub == nil {
		right := bq.r
		if !bq.atMostOneRow {
			if right, err = guardSingleRow(right, nil, nil, nil); err != nil {
				return nil, err
			}
		}
		kind := exec.LeftJoin
		if bq.oneRow {
			kind = exec.InnerJoin
		}
		*b.in = &joinRel{kind: kind, left: left, right: right}
		return expr.Column(nl, bq.cols[0].typ), nil
	}
	if bq.sub.dom != nil || !bq.sub.aggregated && bq.sub.distinct || !bq.sub.aggregated && !bq.atMostOneRow && !allCorrEq(bq.sub.preds) {
		return b.scalarDomain(bq)
	}
	preds := outerPreds(bq.sub, nl)
	if !bq.sub.aggregated {
		right := bq.r
		if !bq.atMostOneRow {
			var inner, outer []expr.Expr
			for _, p := range bq.sub.preds {
				in, out, ok := splitCorrEq(p)
				if !ok {
					return nil, b.s.correlatedNotSupported(sl.Location)
				}
				inner = append(inner, in)
				outer = append(outer, expr.Remap(out, remapWidth(out, func(c int) int {
					if c >= outerBase {
						return bq.sub.refs[c-outerBase]
					}
					return c
				})))
			}
			if right, err = guardSingleRow(right, left, inner, outer); err != nil {
				return nil, err
			}
		}
		*b.in = &joinRel{kind: exec.LeftJoin, left: left, right: right, residual: preds}
		return expr.Column(nl, bq.cols[0].typ), nil
	}
	join := &joinRel{kind: exec.LeftJoin, left: left, right: bq.r, residual: preds}
	// Aggregated: no matching group means count() = 0 and every other aggregate NULL, which
	// the select expression then sees, as if it ran over an empty group.
	rt := bq.r.types()
	exprs := identity(lt)
	for i, t := range rt {
		var e expr.Expr = expr.Column(nl+i, t)
		for _, c := range bq.sub.counts {
			if c == i {
				if e, err = expr.Coalesce([]expr.Expr{e, expr.Const(int64(0), types.Int64T)}); err != nil {
					return nil, err
				}
			}
		}
		exprs = append(exprs, e)
	}
	*b.in = project(join, exprs)
	v := bq.sub.exprs[0]
	return expr.Remap(v, shiftMapping(maxCol(v)+1, 0, nl)), nil
}

// allCorrEq reports whether every correlated condition is an equality between an inner and an
// outer expression (the fast paths' keys).
func allCorrEq(preds []pred) bool {
	for _, p := range preds {
		if _, _, ok := splitCorrEq(p); !ok {
			return false
		}
	}
	return true
}

// scalarDomain joins a scalar subquery evaluated per correlation value onto the input: a left
// join on the outer row's domain row, failing with 21000 when a domain value has several rows.
func (b *bctx) scalarDomain(bq *boundQuery) (expr.Expr, error) {
	left := *b.in
	nl := len(left.types())
	res, k, err := b.domainResult(bq, left)
	if err != nil {
		return nil, err
	}
	if !bq.atMostOneRow {
		if res, err = guardPerDomain(res, k); err != nil {
			return nil, err
		}
	}
	jr, err := joinOnDomain(exec.LeftJoin, left, bq.sub.refs, res, firstCols(k))
	if err != nil {
		return nil, err
	}
	*b.in = jr
	return expr.Column(nl+k, bq.cols[0].typ), nil
}
