package planner

import (
	pg_query "github.com/pganalyze/pg_query_go/v6"

	"github.com/runnel-db/runnel/exec/expr"
	"github.com/runnel-db/runnel/exec/types"
)

// arrayAggOrder checks the ORDER BY of array_agg(x ORDER BY ...) and string_agg(x, sep ORDER BY
// ...): Runnel orders them by the aggregated value only, so the one sort key must be x itself, with the default NULLS placement.
// It returns whether the order is descending.
func arrayAggOrder(b *bctx, fc *pg_query.FuncCall, arg expr.Expr) (bool, error) {
	_, name := funcName(fc)
	if len(fc.AggOrder) != 1 || arg == nil {
		return false, b.s.notSupported(name+" with ORDER BY other than its argument", fc.Location)
	}
	sb := fc.AggOrder[0].GetSortBy()
	if sb == nil || sb.UseOp != nil {
		return false, b.s.notSupported(name+" with ORDER BY other than its argument", fc.Location)
	}
	e, err := b.bind(sb.Node)
	if err != nil {
		return false, err
	}
	if exprKey(e) != exprKey(arg) {
		return false, b.s.notSupported(name+" with ORDER BY other than its argument", fc.Location)
	}
	desc := sb.SortbyDir == pg_query.SortByDir_SORTBY_DESC
	switch sb.SortbyNulls {
	case pg_query.SortByNulls_SORTBY_NULLS_FIRST:
		if !desc {
			return false, b.s.notSupported(name+" ordered with NULLS FIRST", fc.Location)
		}
	case pg_query.SortByNulls_SORTBY_NULLS_LAST:
		if desc {
			return false, b.s.notSupported(name+" ordered DESC with NULLS LAST", fc.Location)
		}
	}
	return desc, nil
}

// stringAggArgs binds string_agg(x, sep): x as text, sep a constant (a delimiter that varies by row
// is not supported).
func stringAggArgs(b *bctx, fc *pg_query.FuncCall) (expr.Expr, string, error) {
	e, err := b.bind(fc.Args[0])
	if err != nil {
		return nil, "", err
	}
	if e.Type().Kind == types.Unknown || e.Type().Kind == types.Varchar {
		if e, err = expr.Cast(e, types.TextT); err != nil {
			return nil, "", b.s.errAt(err, fc.Location)
		}
	}
	sepExpr, err := b.bind(fc.Args[1])
	if err != nil {
		return nil, "", err
	}
	if sepExpr, err = expr.Coerce(sepExpr, types.TextT, "argument of string_agg"); err != nil {
		return nil, "", b.s.errAt(err, nodeLocation(fc.Args[1]))
	}
	v, ok := expr.ConstValue(sepExpr)
	if !ok {
		return nil, "", b.s.notSupported("string_agg with a delimiter that is not a constant", nodeLocation(fc.Args[1]))
	}
	sep, _ := v.(string) // NULL: values are concatenated without a delimiter, as in PostgreSQL
	return e, sep, nil
}
