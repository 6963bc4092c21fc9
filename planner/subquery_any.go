package planner

import (
	pg_query "github.com/pganalyze/pg_query_go/v6"

	"github.com/runnel-db/runnel/exec"
	"github.com/runnel-db/runnel/exec/expr"
	"github.com/runnel-db/runnel/exec/sqlerr"
	"github.com/runnel-db/runnel/exec/types"
)

// negatedOps maps each comparison to its negation: x op ALL (S) is NOT (x negop ANY (S)) in
// three-valued logic, an empty S included.
var negatedOps = map[string]string{"=": "<>", "<>": "=", "<": ">=", ">=": "<", ">": "<=", "<=": ">"}

// quantified binds x op ANY|SOME|ALL (subquery) as a value, with PostgreSQL's NULL rules.
func (b *bctx) quantified(sl *pg_query.SubLink) (expr.Expr, error) {
	op := opName(sl.OperName)
	if op == "" {
		op = "="
	}
	if op == "!=" {
		op = "<>"
	}
	neg, ok := negatedOps[op]
	if !ok {
		return nil, b.s.notSupported("operator "+op+" with ANY or ALL (subquery)", sl.Location)
	}
	if sl.Testexpr.GetRowExpr() != nil {
		return nil, b.s.notSupported("row comparisons with subqueries", sl.Location)
	}
	bq, err := b.bindSub(sl)
	if err != nil {
		return nil, err
	}
	if len(bq.cols) != 1 {
		msg := "subquery has too many columns"
		if len(bq.cols) == 0 {
			msg = "subquery has too few columns"
		}
		return nil, b.s.errAt(sqlerr.New(sqlerr.SyntaxError, "%s", msg), sl.Location)
	}
	x, err := b.with().bind(sl.Testexpr)
	if err != nil {
		return nil, err
	}
	all := sl.SubLinkType == pg_query.SubLinkType_ALL_SUBLINK
	if all {
		op = neg
	}
	var v expr.Expr
	if op == "=" {
		v, err = b.inValue(sl, bq, x)
	} else {
		v, err = b.anyByExtremes(sl, bq, x, op)
	}
	if err != nil || !all {
		return v, err
	}
	return expr.Not(v)
}

// anyResult is x op ANY (S) from S's row count cnt, non-NULL count nn (both NULL when S is
// empty) and a condition that is true exactly when some non-NULL element satisfies op: false
// for an empty S, true on a match, otherwise NULL when x is NULL or S holds a NULL, else false.
func anyResult(x, match, cnt, nn expr.Expr) (expr.Expr, error) {
	zero := expr.Const(int64(0), types.Int64T)
	c, err := expr.Coalesce([]expr.Expr{cnt, zero})
	if err != nil {
		return nil, err
	}
	empty, err := expr.Call("=", []expr.Expr{c, zero})
	if err != nil {
		return nil, err
	}
	hasNull, err := expr.Call("<", []expr.Expr{nn, cnt})
	if err != nil {
		return nil, err
	}
	unknown, err := expr.Or(expr.IsNull(x, false), hasNull)
	if err != nil {
		return nil, err
	}
	return expr.Case([]expr.When{
		{Cond: empty, Result: expr.Const(false, types.BoolT)},
		{Cond: match, Result: expr.Const(true, types.BoolT)},
		{Cond: unknown, Result: expr.Null(types.BoolT)},
	}, expr.Const(false, types.BoolT))
}

// anyByExtremes evaluates x op ANY (S) for an ordering comparison or <> through S's count,
// non-NULL count, min and max (per correlation value when S is correlated): x < ANY (S) is
// x < max(S), x > ANY (S) is x > min(S), x <> ANY (S) is x <> min(S) OR x <> max(S).
func (b *bctx) anyByExtremes(sl *pg_query.SubLink, bq *boundQuery, x expr.Expr, op string) (expr.Expr, error) {
	yt := bq.cols[0].typ
	if _, err := expr.Call(op, []expr.Expr{x, expr.Column(0, yt)}); err != nil {
		return nil, b.s.errAt(err, sl.Location)
	}
	left := *b.in
	nl := len(left.types())
	calls := []exec.AggCall{}
	for _, name := range []string{"count", "min", "max"} {
		t, err := exec.ResolveAggregate(name, []types.T{yt})
		if err != nil {
			return nil, b.s.errAt(err, sl.Location)
		}
		calls = append(calls, exec.AggCall{Name: name, ArgType: yt, Filter: -1, ResultType: t})
	}
	base := nl // the first of cnt, nn, min, max over the joined input
	if bq.sub == nil {
		for i := range calls {
			calls[i].Arg = 0
		}
		agg, err := countAll(project(bq.r, []expr.Expr{expr.Column(0, yt)}), calls...)
		if err != nil {
			return nil, err
		}
		*b.in = &joinRel{kind: exec.InnerJoin, left: left, right: agg}
	} else {
		res, k, err := b.domainResult(bq, left)
		if err != nil {
			return nil, err
		}
		for i := range calls {
			calls[i].Arg = k
		}
		agg, err := perDomainCount(res, k, calls...)
		if err != nil {
			return nil, err
		}
		jr, err := joinOnDomain(exec.LeftJoin, left, bq.sub.refs, agg, firstCols(k))
		if err != nil {
			return nil, err
		}
		*b.in = jr
		base += k
	}
	cnt := expr.Column(base, types.Int64T)
	nn := expr.Column(base+1, calls[0].ResultType)
	mn := expr.Column(base+2, calls[1].ResultType)
	mx := expr.Column(base+3, calls[2].ResultType)
	var match expr.Expr
	var err error
	switch op {
	case "<", "<=":
		match, err = expr.Call(op, []expr.Expr{x, mx})
	case ">", ">=":
		match, err = expr.Call(op, []expr.Expr{x, mn})
	default: // <>
		var a, c expr.Expr
		if a, err = expr.Call(op, []expr.Expr{x, mn}); err != nil {
			return nil, err
		}
		if c, err = expr.Call(op, []expr.Expr{x, mx}); err != nil {
			return nil, err
		}
		match, err = expr.Or(a, c)
	}
	if err != nil {
		return nil, b.s.errAt(err, sl.Location)
	}
	return anyResult(x, match, cnt, nn)
}

// inValue evaluates x IN (subquery) as a value with SQL's NULL rules: true on a match;
// otherwise false for an empty subquery, NULL when x is NULL or the subquery holds a NULL,
// false otherwise.
func (b *bctx) inValue(sl *pg_query.SubLink, bq *boundQuery, x expr.Expr) (expr.Expr, error) {
	if bq.sub != nil {
		return b.inCorrelated(sl, bq, x)
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
	return anyResult(x, expr.IsNull(y, true), expr.Column(nl+1, counts.ts[0]), expr.Column(nl+2, counts.ts[1]))
}

// inCorrelated evaluates x IN (correlated subquery) as a value. Each outer row is marked
// matched or not by a semi and an anti join (which partition the input exactly), then joined
// with its correlation value's row count and non-NULL count.
func (b *bctx) inCorrelated(sl *pg_query.SubLink, bq *boundQuery, x expr.Expr) (expr.Expr, error) {
	left := *b.in
	lt := left.types()
	nl := len(lt)
	res, k, err := b.domainResult(bq, left)
	if err != nil {
		return nil, err
	}
	yt := bq.cols[0].typ
	y := expr.Column(nl+k, yt)
	eq, err := expr.Call("=", []expr.Expr{x, y})
	if err != nil {
		return nil, b.s.errAt(err, sl.Location)
	}
	var parts []rel
	for _, kind := range []exec.JoinKind{exec.SemiJoin, exec.AntiJoin} {
		jr, err := joinOnDomain(kind, left, bq.sub.refs, res, firstCols(k))
		if err != nil {
			return nil, err
		}
		jr.residual = []pred{{e: eq, l: x, r: y}}
		parts = append(parts, project(jr, append(identity(lt), expr.Const(kind == exec.SemiJoin, types.BoolT))))
	}
	cnt, err := exec.ResolveAggregate("count", []types.T{yt})
	if err != nil {
		return nil, err
	}
	counts, err := perDomainCount(res, k, exec.AggCall{Name: "count", Arg: k, ArgType: yt, Filter: -1, ResultType: cnt})
	if err != nil {
		return nil, err
	}
	jr, err := joinOnDomain(exec.LeftJoin, &unionRel{ins: parts}, bq.sub.refs, counts, firstCols(k))
	if err != nil {
		return nil, err
	}
	*b.in = jr
	base := nl + 1 + k
	return anyResult(x, expr.Column(nl, types.BoolT), expr.Column(base, types.Int64T), expr.Column(base+1, cnt))
}
