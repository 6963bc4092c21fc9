package planner

import (
	pg_query "github.com/pganalyze/pg_query_go/v6"

	"github.com/runnel-db/runnel/exec"
	"github.com/runnel-db/runnel/exec/expr"
	"github.com/runnel-db/runnel/exec/types"
)

// countAll is count(*) over a relation: one row, always.
func countAll(in rel, extra ...exec.AggCall) (*aggRel, error) {
	cnt, err := exec.ResolveAggregate("count", nil)
	if err != nil {
		return nil, err
	}
	calls := append([]exec.AggCall{{Name: "count", Arg: -1, Filter: -1, ResultType: cnt}}, extra...)
	ts := make([]types.T, len(calls))
	for i, c := range calls {
		ts[i] = c.ResultType
	}
	return &aggRel{in: in, aggs: calls, ts: ts}, nil
}

// existsExpr evaluates EXISTS as a value. Uncorrelated: count(*) of the subquery > 0.
// Correlated by equalities: a left join with the distinct correlation keys of the subquery;
// a row exists when the join found a match.
func (b *bctx) existsExpr(sl *pg_query.SubLink) (expr.Expr, error) {
	bq, err := b.bindSub(sl)
	if err != nil {
		return nil, err
	}
	left := *b.in
	nl := len(left.types())
	if bq.sub == nil {
		agg, err := countAll(bq.r)
		if err != nil {
			return nil, err
		}
		*b.in = &joinRel{kind: exec.InnerJoin, left: left, right: agg}
		return expr.Call(">", []expr.Expr{expr.Column(nl, agg.ts[0]), expr.Const(int64(0), types.Int64T)})
	}
	if bq.sub.dom != nil || !allCorrEq(bq.sub.preds) {
		return b.existsDomain(bq)
	}
	// Keys: the inner sides of the correlated equalities, over the subquery's output.
	var inner, outer []expr.Expr
	for _, p := range bq.sub.preds {
		in, out, ok := splitCorrEq(p)
		if !ok {
			return nil, b.s.correlatedNotSupported(sl.Location)
		}
		inner = append(inner, in)
		outer = append(outer, out)
	}
	keys := &distinctRel{in: &projectRel{in: bq.r, exprs: inner}}
	var preds []pred
	for i, o := range outer {
		o = expr.Remap(o, remapWidth(o, func(c int) int {
			if c >= outerBase {
				return bq.sub.refs[c-outerBase]
			}
			return c
		}))
		k := expr.Column(nl+i, inner[i].Type())
		eq, err := expr.Call("=", []expr.Expr{o, k})
		if err != nil {
			return nil, err
		}
		preds = append(preds, pred{e: eq, l: o, r: k})
	}
	*b.in = &joinRel{kind: exec.LeftJoin, left: left, right: keys, residual: preds}
	return expr.IsNull(expr.Column(nl, inner[0].Type()), true), nil
}

// existsDomain evaluates EXISTS of a subquery evaluated per correlation value: a left join
// of the input with the distinct domain values that have a row.
func (b *bctx) existsDomain(bq *boundQuery) (expr.Expr, error) {
	left := *b.in
	nl := len(left.types())
	res, k, err := b.domainResult(bq, left)
	if err != nil {
		return nil, err
	}
	rt := res.types()
	marks := append(identity(rt[:k]), expr.Const(true, types.BoolT))
	jr, err := joinOnDomain(exec.LeftJoin, left, bq.sub.refs, &distinctRel{in: project(res, marks)}, firstCols(k))
	if err != nil {
		return nil, err
	}
	*b.in = jr
	return expr.IsNull(expr.Column(nl+k, types.BoolT), true), nil
}
