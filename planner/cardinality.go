package planner

import (
	"github.com/runnel-db/runnel/exec"
	"github.com/runnel-db/runnel/exec/expr"
	"github.com/runnel-db/runnel/exec/sqlerr"
	"github.com/runnel-db/runnel/exec/types"
	"github.com/runnel-db/runnel/exec/zset"
)

// guardRel passes its input through unchanged and fails with 21000 as soon as the violations
// relation holds a row: a scalar subquery that returned more than one row for some outer row.
type guardRel struct {
	in, violations rel
}

func (n *guardRel) types() []types.T { return n.in.types() }

// cardinalityGuard is guardRel's operator. It keeps the running row count of its second
// input, so it is exact both for a query run once and for a view maintained incrementally.
type cardinalityGuard struct {
	violations int64
}

var _ exec.Operator = (*cardinalityGuard)(nil)

func (g *cardinalityGuard) Explain() string { return "AssertSingleRow" }

func (g *cardinalityGuard) Step(_ *expr.Context, in []zset.Batch) (zset.Batch, error) {
	if len(in) != 2 {
		return zset.Batch{}, sqlerr.New(sqlerr.Internal, "AssertSingleRow: %d inputs, want 2", len(in))
	}
	for _, w := range in[1].Weights() {
		g.violations += w
	}
	if g.violations > 0 {
		return zset.Batch{}, sqlerr.New(sqlerr.CardinalityViolation, "more than one row returned by a subquery used as an expression")
	}
	in[0].Retain()
	return in[0], nil
}

// guardSingleRow wraps a scalar subquery's plan sub so that it fails when it yields more than
// one row for any outer row. innerKeys (over sub) and outerKeys (over outer) are the
// correlation equalities; both empty for an uncorrelated subquery.
func guardSingleRow(sub, outer rel, innerKeys, outerKeys []expr.Expr) (rel, error) {
	cnt, err := exec.ResolveAggregate("count", nil)
	if err != nil {
		return nil, err
	}
	groupBy := make([]int, len(innerKeys))
	ts := make([]types.T, 0, len(innerKeys)+1)
	for i, k := range innerKeys {
		groupBy[i] = i
		ts = append(ts, k.Type())
	}
	ts = append(ts, cnt)
	var keyed rel = sub
	if len(innerKeys) > 0 || len(sub.types()) > 0 {
		keyed = &projectRel{in: sub, exprs: innerKeys}
	}
	agg := &aggRel{in: keyed, groupBy: groupBy, aggs: []exec.AggCall{{Name: "count", Arg: -1, Filter: -1, ResultType: cnt}}, ts: ts}
	many, err := expr.Call(">", []expr.Expr{expr.Column(len(innerKeys), cnt), expr.Const(int64(1), types.Int64T)})
	if err != nil {
		return nil, err
	}
	var violations rel = &filterRel{in: agg, preds: []pred{{e: many}}}
	if len(innerKeys) > 0 {
		// Only keys some outer row looks up count.
		nk := len(ts)
		var preds []pred
		for i, o := range outerKeys {
			k := expr.Column(i, innerKeys[i].Type())
			ro := expr.Remap(o, shiftMapping(maxCol(o)+1, 0, nk))
			eq, err := expr.Call("=", []expr.Expr{k, ro})
			if err != nil {
				return nil, err
			}
			preds = append(preds, pred{e: eq, l: k, r: ro})
		}
		violations = &joinRel{kind: exec.SemiJoin, left: violations, right: outer, residual: preds}
	}
	return &guardRel{in: sub, violations: violations}, nil
}
