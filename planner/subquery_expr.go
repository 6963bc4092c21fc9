package planner

import (
	pg_query "github.com/pganalyze/pg_query_go/v6"

	"github.com/runnel-db/runnel/exec"
	"github.com/runnel-db/runnel/exec/expr"
	"github.com/runnel-db/runnel/exec/sqlerr"
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
	if bq.sub.aggregated {
		return nil, b.s.correlatedNotSupported(sl.Location)
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

// inExpr evaluates x IN (uncorrelated subquery) as a value with SQL's NULL rules: true on a
// match; otherwise false for an empty subquery, NULL when x is NULL or the subquery holds a
// NULL, false otherwise.
func (b *bctx) inExpr(sl *pg_query.SubLink) (expr.Expr, error) {
	if sl.Testexpr.GetRowExpr() != nil {
		return nil, b.s.notSupported("row comparisons with subqueries", sl.Location)
	}
	bq, err := b.bindSub(sl)
	if err != nil {
		return nil, err
	}
	if bq.sub != nil {
		return nil, b.s.correlatedNotSupported(sl.Location)
	}
	if len(bq.cols) != 1 {
		return nil, b.s.errAt(sqlerr.New(sqlerr.SyntaxError, "subquery has too many columns"), sl.Location)
	}
	tb := b.with()
	x, err := tb.bind(sl.Testexpr)
	if err != nil {
		return nil, err
	}
	left := *b.in
	nl := len(left.types())
	yt := bq.cols[0].typ
	values := &distinctRel{in: project(bq.r, []expr.Expr{expr.Column(0, yt)})}
	y := expr.Column(nl, yt)
	eq, err := expr.Call("=", []expr.Expr{x, y})
	if err != nil {
		return nil, b.s.errAt(err, sl.Location)
	}
	cnt, err := exec.ResolveAggregate("count", []types.T{yt})
	if err != nil {
		return nil, err
	}
	counts, err := countAll(bq.r, exec.AggCall{Name: "count", Arg: 0, ArgType: yt, Filter: -1, ResultType: cnt})
	if err != nil {
		return nil, err
	}
	joined := &joinRel{kind: exec.LeftJoin, left: left, right: values, residual: []pred{{e: eq, l: x, r: y}}}
	*b.in = &joinRel{kind: exec.InnerJoin, left: joined, right: counts}
	all := expr.Column(nl+1, counts.ts[0])
	nonNull := expr.Column(nl+2, counts.ts[1])
	zero := expr.Const(int64(0), types.Int64T)
	empty, err := expr.Call("=", []expr.Expr{all, zero})
	if err != nil {
		return nil, err
	}
	hasNull, err := expr.Call("<", []expr.Expr{nonNull, all})
	if err != nil {
		return nil, err
	}
	unknown, err := expr.Or(expr.IsNull(x, false), hasNull)
	if err != nil {
		return nil, err
	}
	return expr.Case([]expr.When{
		{Cond: expr.IsNull(y, true), Result: expr.Const(true, types.BoolT)},
		{Cond: empty, Result: expr.Const(false, types.BoolT)},
		{Cond: unknown, Result: expr.Null(types.BoolT)},
	}, expr.Const(false, types.BoolT))
}
