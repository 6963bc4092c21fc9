package planner

import (
	"github.com/runnel-db/runnel/exec"
	"github.com/runnel-db/runnel/exec/expr"
	"github.com/runnel-db/runnel/exec/sqlerr"
	"github.com/runnel-db/runnel/exec/types"
)

// General decorrelation ("unnesting arbitrary queries", Neumann and Kemper). A subquery
// correlated on outer columns C whose correlation is not a plain equality is evaluated once
// per row of the domain D = SELECT DISTINCT C FROM outer: D is joined with the subquery's input
// on the correlated conditions (any predicate), aggregates group by D's columns as well, and
// the result (D's columns ++ the subquery's columns) is joined back onto the outer input on C
// IS NOT DISTINCT FROM D, so that a NULL correlation value finds its own domain row.
//
// The domain is bound before the outer input it reads is final (the subquery is bound first),
// so it starts as a placeholder projection that the consumer of the subquery fills with
// fillDomain before the plan is rewritten.

// newDomain returns the placeholder projection of a domain with columns ts and the domain
// relation itself (its distinct rows).
func newDomain(ts []types.T) (*projectRel, rel) {
	p := &projectRel{exprs: make([]expr.Expr, len(ts))}
	for j, t := range ts {
		p.exprs[j] = expr.Column(j, t)
	}
	return p, &distinctRel{in: p}
}

// fillDomain makes the placeholder p read the columns refs of left.
func fillDomain(p *projectRel, left rel, refs []int) error {
	lt := left.types()
	if len(refs) != len(p.exprs) {
		return sqlerr.New(sqlerr.Internal, "domain: %d correlation columns, want %d", len(refs), len(p.exprs))
	}
	exprs := make([]expr.Expr, len(refs))
	for j, c := range refs {
		if c < 0 || c >= len(lt) || lt[c] != p.exprs[j].Type() {
			return sqlerr.New(sqlerr.Internal, "domain: correlation column #%d does not match", c)
		}
		exprs[j] = expr.Column(c, lt[c])
	}
	p.in, p.exprs = left, exprs
	return nil
}

// nullSafeKeys returns equi-join keys for e under which two values match exactly when they
// are not distinct: (e IS NULL, coalesce(e, zero)). Kinds whose equality is coarser than their
// row identity (numeric 3 = 3.0, float -0 = 0, interval '1 month' = '30 days') are compared by
// their text form, so that a value matches only the domain row holding that same value and no
// outer row is duplicated.
func nullSafeKeys(e expr.Expr) ([]expr.Expr, error) {
	t := e.Type()
	var zero expr.Expr
	switch t.Kind {
	case types.Bool:
		zero = expr.Const(false, t)
	case types.Int16, types.Int32, types.Int64:
		zero = expr.Const(int64(0), t)
	case types.Text, types.Varchar:
		zero = expr.Const("", t)
	case types.Date:
		zero = expr.Const(types.DateValue(0), t)
	case types.Timestamp, types.TimestampTZ:
		zero = expr.Const(types.TimestampValue(0), t)
	default:
		var err error
		if e, err = expr.Cast(e, types.TextT); err != nil {
			return nil, err
		}
		zero = expr.Const("", types.TextT)
	}
	v, err := expr.Coalesce([]expr.Expr{e, zero})
	if err != nil {
		return nil, err
	}
	return []expr.Expr{expr.IsNull(e, false), v}, nil
}

// joinOnDomain joins left with right on left's columns lcols IS NOT DISTINCT FROM right's
// columns rcols (a domain's columns).
func joinOnDomain(kind exec.JoinKind, left rel, lcols []int, right rel, rcols []int) (*joinRel, error) {
	lt, rt := left.types(), right.types()
	jr := &joinRel{kind: kind, left: left, right: right}
	for j, c := range lcols {
		lk, err := nullSafeKeys(expr.Column(c, lt[c]))
		if err != nil {
			return nil, err
		}
		rk, err := nullSafeKeys(expr.Column(rcols[j], rt[rcols[j]]))
		if err != nil {
			return nil, err
		}
		jr.lkeys = append(jr.lkeys, lk...)
		jr.rkeys = append(jr.rkeys, rk...)
	}
	return jr, nil
}

// firstCols returns 0, 1, …, k-1.
func firstCols(k int) []int { return identityMap(k) }

// domainResult evaluates a correlated subquery once per distinct correlation value of left
// (b's input). It returns a relation of the domain's columns (k of them, matching left's
// columns bq.sub.refs) followed by the subquery's output columns, one row per result row.
func (b *bctx) domainResult(bq *boundQuery, left rel) (rel, int, error) {
	info := bq.sub
	k := len(info.refs)
	if info.dom != nil {
		// Bound as a domain query already (aggregates grouped by the domain).
		if err := fillDomain(info.dom, left, info.refs); err != nil {
			return nil, 0, err
		}
		return bq.r, k, nil
	}
	if info.aggregated {
		return nil, 0, sqlerr.New(sqlerr.Internal, "domainResult: aggregated subquery bound without a domain")
	}
	lt := left.types()
	ts := make([]types.T, k)
	for j, c := range info.refs {
		ts[j] = lt[c]
	}
	p, dom := newDomain(ts)
	if err := fillDomain(p, left, info.refs); err != nil {
		return nil, 0, err
	}
	// D ⋈ subquery on the correlated conditions: outer column j is domain column j.
	preds := make([]pred, len(info.preds))
	for i, q := range info.preds {
		preds[i] = remapPred(q, remapWidth(q.e, func(c int) int {
			if c >= outerBase {
				return c - outerBase
			}
			return k + c
		}))
	}
	join := &joinRel{kind: exec.InnerJoin, left: dom, right: bq.r, residual: preds}
	out := identity(ts)
	for i, c := range bq.cols {
		out = append(out, expr.Column(k+i, c.typ))
	}
	var res rel = project(join, out)
	if info.distinct {
		res = &distinctRel{in: res}
	}
	return res, k, nil
}

// perDomainCount counts res's rows per domain value (its first k columns): domain columns ++
// count.
func perDomainCount(res rel, k int, extra ...exec.AggCall) (*aggRel, error) {
	cnt, err := exec.ResolveAggregate("count", nil)
	if err != nil {
		return nil, err
	}
	rt := res.types()
	groupBy := make([]int, k)
	ts := make([]types.T, 0, k+1+len(extra))
	for j := range groupBy {
		groupBy[j] = j
		ts = append(ts, rt[j])
	}
	calls := append([]exec.AggCall{{Name: "count", Arg: -1, Filter: -1, ResultType: cnt}}, extra...)
	for _, c := range calls {
		ts = append(ts, c.ResultType)
	}
	return &aggRel{in: res, groupBy: groupBy, aggs: calls, ts: ts}, nil
}

// guardPerDomain fails with 21000 when res (domain columns ++ value) holds more than one row
// for some domain value.
func guardPerDomain(res rel, k int) (rel, error) {
	agg, err := perDomainCount(res, k)
	if err != nil {
		return nil, err
	}
	many, err := expr.Call(">", []expr.Expr{expr.Column(k, agg.ts[k]), expr.Const(int64(1), types.Int64T)})
	if err != nil {
		return nil, err
	}
	return &guardRel{in: res, violations: &filterRel{in: agg, preds: []pred{{e: many}}}}, nil
}
