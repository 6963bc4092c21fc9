package planner

import (
	"cmp"
	pg_query "github.com/pganalyze/pg_query_go/v6"

	"github.com/runnel-db/runnel/exec"
	"github.com/runnel-db/runnel/exec/expr"
	"github.com/runnel-db/runnel/exec/sqlerr"
)

func opName(names []*pg_query.Node) string {
	parts := strs(names)
	if len(parts) == 0 {
		return ""
	}
	return parts[len(parts)-1]
}

func (b *bctx) aExpr(a *pg_query.A_Expr) (expr.Expr, error) {
	op := opName(a.Name)
	at := func(e expr.Expr, err error) (expr.Expr, error) {
		if err != nil {
			return nil, b.s.errAt(err, literalLocation(err, a.Location, a.Lexpr, a.Rexpr))
		}
		return e, nil
	}
	if e, ok, err := b.rowCompare(a, op); ok || err != nil {
		return e, err
	}
	switch a.Kind {
	case pg_query.A_Expr_Kind_AEXPR_OP:
		if a.Lexpr == nil {
			r, err := b.bind(a.Rexpr)
			if err != nil {
				return nil, err
			}
			return at(expr.Call(op, []expr.Expr{r}))
		}
		if a.Rexpr == nil {
			return nil, b.s.notSupported("postfix operators", a.Location)
		}
		l, r, err := b.bind2(a.Lexpr, a.Rexpr)
		if err != nil {
			return nil, err
		}
		return at(expr.Call(op, []expr.Expr{l, r}))
	case pg_query.A_Expr_Kind_AEXPR_DISTINCT, pg_query.A_Expr_Kind_AEXPR_NOT_DISTINCT:
		l, r, err := b.bind2(a.Lexpr, a.Rexpr)
		if err != nil {
			return nil, err
		}
		return at(expr.IsDistinctFrom(l, r, a.Kind == pg_query.A_Expr_Kind_AEXPR_NOT_DISTINCT))
	case pg_query.A_Expr_Kind_AEXPR_NULLIF:
		l, r, err := b.bind2(a.Lexpr, a.Rexpr)
		if err != nil {
			return nil, err
		}
		return at(expr.NullIf(l, r))
	case pg_query.A_Expr_Kind_AEXPR_IN:
		l, err := b.bind(a.Lexpr)
		if err != nil {
			return nil, err
		}
		list, err := b.bindList(a.Rexpr.GetList().GetItems())
		if err != nil {
			return nil, err
		}
		return at(expr.In(l, list, op == "<>"))
	case pg_query.A_Expr_Kind_AEXPR_LIKE, pg_query.A_Expr_Kind_AEXPR_ILIKE:
		l, err := b.bind(a.Lexpr)
		if err != nil {
			return nil, err
		}
		patNode := a.Rexpr
		var esc expr.Expr
		if fc := patNode.GetFuncCall(); fc != nil {
			if _, name := funcName(fc); name == "like_escape" && len(fc.Args) == 2 {
				if esc, err = b.bind(fc.Args[1]); err != nil {
					return nil, err
				}
				patNode = fc.Args[0]
			}
		}
		pat, err := b.bind(patNode)
		if err != nil {
			return nil, err
		}
		not := op == "!~~" || op == "!~~*"
		return at(expr.Like(l, pat, esc, a.Kind == pg_query.A_Expr_Kind_AEXPR_ILIKE, not))
	case pg_query.A_Expr_Kind_AEXPR_BETWEEN, pg_query.A_Expr_Kind_AEXPR_NOT_BETWEEN,
		pg_query.A_Expr_Kind_AEXPR_BETWEEN_SYM, pg_query.A_Expr_Kind_AEXPR_NOT_BETWEEN_SYM:
		items := a.Rexpr.GetList().GetItems()
		if len(items) != 2 {
			return nil, sqlerr.New(sqlerr.SyntaxError, "malformed BETWEEN")
		}
		x, err := b.bind(a.Lexpr)
		if err != nil {
			return nil, err
		}
		lo, hi, err := b.bind2(items[0], items[1])
		if err != nil {
			return nil, err
		}
		not := a.Kind == pg_query.A_Expr_Kind_AEXPR_NOT_BETWEEN || a.Kind == pg_query.A_Expr_Kind_AEXPR_NOT_BETWEEN_SYM
		e, err := between(x, lo, hi, not)
		if err != nil {
			return at(nil, err)
		}
		if a.Kind == pg_query.A_Expr_Kind_AEXPR_BETWEEN_SYM || a.Kind == pg_query.A_Expr_Kind_AEXPR_NOT_BETWEEN_SYM {
			e2, err := between(x, hi, lo, not)
			if err != nil {
				return at(nil, err)
			}
			if not {
				return at(expr.And(e, e2))
			}
			return at(expr.Or(e, e2))
		}
		return e, nil
	case pg_query.A_Expr_Kind_AEXPR_OP_ANY, pg_query.A_Expr_Kind_AEXPR_OP_ALL:
		arr := a.Rexpr.GetAArrayExpr()
		if arr == nil || !((op == "=" && a.Kind == pg_query.A_Expr_Kind_AEXPR_OP_ANY) || (op == "<>" && a.Kind == pg_query.A_Expr_Kind_AEXPR_OP_ALL)) {
			l, r, err := b.bind2(a.Lexpr, a.Rexpr)
			if err != nil {
				return nil, err
			}
			return at(expr.AnyAll(op, l, r, a.Kind == pg_query.A_Expr_Kind_AEXPR_OP_ALL))
		}
		l, err := b.bind(a.Lexpr)
		if err != nil {
			return nil, err
		}
		list, err := b.bindList(arr.Elements)
		if err != nil {
			return nil, err
		}
		if textArrayLiteral(l, list) {
			// ARRAY['1', ...] is a text[] whatever x is (IN would type the literals as x).
			a, err := expr.ArrayCtor(list)
			if err != nil {
				return at(nil, err)
			}
			return at(expr.AnyAll(op, l, a, op == "<>"))
		}
		return at(expr.In(l, list, op == "<>"))
	case pg_query.A_Expr_Kind_AEXPR_SIMILAR:
		return nil, b.s.notSupported("SIMILAR TO", a.Location)
	}
	return nil, b.s.notSupported("this operator form", a.Location)
}

func between(x, lo, hi expr.Expr, not bool) (expr.Expr, error) {
	if not {
		a, err := expr.Call("<", []expr.Expr{x, lo})
		if err != nil {
			return nil, err
		}
		c, err := expr.Call(">", []expr.Expr{x, hi})
		if err != nil {
			return nil, err
		}
		return expr.Or(a, c)
	}
	a, err := expr.Call(">=", []expr.Expr{x, lo})
	if err != nil {
		return nil, err
	}
	c, err := expr.Call("<=", []expr.Expr{x, hi})
	if err != nil {
		return nil, err
	}
	return expr.And(a, c)
}

func (b *bctx) bind2(x, y *pg_query.Node) (expr.Expr, expr.Expr, error) {
	l, err := b.bind(x)
	if err != nil {
		return nil, nil, err
	}
	r, err := b.bind(y)
	if err != nil {
		return nil, nil, err
	}
	return l, r, nil
}

// nowFunctions are the functions that return the statement time.
var nowFunctions = map[string]bool{
	"now": true, "transaction_timestamp": true, "statement_timestamp": true, "clock_timestamp": true,
	"current_timestamp": true,
}

func (b *bctx) funcCall(fc *pg_query.FuncCall) (expr.Expr, error) {
	schema, name := funcName(fc)
	if fc.Over != nil {
		if col, ok := b.windowColumn(fc); ok {
			return col, nil
		}
		if clause := cmp.Or(b.noAgg, b.noWindow); clause != "" {
			return nil, b.s.errAt(sqlerr.New(sqlerr.WindowingError, "window functions are not allowed in %s", clause), fc.Location)
		}
		if b.windowArg {
			return nil, b.s.errAt(sqlerr.New(sqlerr.WindowingError, "window function calls cannot be nested"), fc.Location)
		}
		return nil, b.s.notSupported("window functions here", fc.Location)
	}
	if schema == "" && windowOnly[name] {
		return nil, b.s.errAt(sqlerr.New(sqlerr.WrongObjectType, "window function %s requires an OVER clause", name), fc.Location)
	}
	if schema == "" && exec.IsAggregate(name) {
		switch {
		case b.inAggArg:
			return nil, b.s.errAt(sqlerr.New(sqlerr.GroupingError, "aggregate function calls cannot be nested"), fc.Location)
		case b.noAgg != "":
			return nil, b.s.errAt(sqlerr.New(sqlerr.GroupingError, "aggregate functions are not allowed in %s", b.noAgg), fc.Location)
		}
		return nil, b.s.errAt(sqlerr.New(sqlerr.GroupingError, "aggregate function %s used outside an aggregation", name), fc.Location)
	}
	if fc.AggStar {
		return nil, b.s.errAt(sqlerr.New(sqlerr.WrongObjectType, "%s(*) specified, but %s is not an aggregate function", name, name), fc.Location)
	}
	if isSRF(fc) {
		return nil, b.s.notSupported("set-returning function "+name+" here (only as a whole select-list item or in FROM)", fc.Location)
	}
	if fc.AggDistinct {
		return nil, b.s.errAt(sqlerr.New(sqlerr.WrongObjectType, "DISTINCT specified, but %s is not an aggregate function", name), fc.Location)
	}
	if fc.AggFilter != nil {
		return nil, b.s.errAt(sqlerr.New(sqlerr.WrongObjectType, "FILTER specified, but %s is not an aggregate function", name), fc.Location)
	}
	if len(fc.AggOrder) > 0 || fc.AggWithinGroup || fc.FuncVariadic {
		return nil, b.s.notSupported("this form of function call", fc.Location)
	}
	if schema != "" {
		return nil, b.s.errAt(sqlerr.New(sqlerr.UndefinedFunction, "function %s.%s does not exist", schema, name), fc.Location)
	}
	for _, a := range fc.Args {
		if a.GetNamedArgExpr() != nil {
			return nil, b.s.notSupported("named function arguments", fc.Location)
		}
	}
	args, err := b.bindList(fc.Args)
	if err != nil {
		return nil, err
	}
	if nowFunctions[name] {
		b.s.markNow(fc.Location)
	}
	e, err := expr.Call(name, args)
	if err != nil {
		return nil, b.s.errAt(err, fc.Location)
	}
	return e, nil
}

// literalLocation is where PostgreSQL reports a data error of an operator: at the string
// literal whose conversion failed, else at the operator.
func literalLocation(err error, loc int32, operands ...*pg_query.Node) int32 {
	if code := sqlerr.Code(err); len(code) < 2 || code[:2] != "22" {
		return loc
	}
	for _, o := range operands {
		if c := o.GetAConst(); c != nil && c.GetSval() != nil {
			return c.Location
		}
	}
	return loc
}

// rowCompare expands (a, b) = (x, y), (a, b) <> (x, y) and (a, b) [NOT] IN ((x, y), …) into
// comparisons of the elements. ok is false for any other expression.
func (b *bctx) rowCompare(a *pg_query.A_Expr, op string) (expr.Expr, bool, error) {
	l := a.Lexpr.GetRowExpr()
	if l == nil {
		return nil, false, nil
	}
	var rows []*pg_query.RowExpr
	switch {
	case a.Kind == pg_query.A_Expr_Kind_AEXPR_OP && (op == "=" || op == "<>") && a.Rexpr.GetRowExpr() != nil:
		rows = []*pg_query.RowExpr{a.Rexpr.GetRowExpr()}
	case a.Kind == pg_query.A_Expr_Kind_AEXPR_IN:
		for _, it := range a.Rexpr.GetList().GetItems() {
			r := it.GetRowExpr()
			if r == nil {
				return nil, true, b.s.notSupported("IN with a mix of rows and values", a.Location)
			}
			rows = append(rows, r)
		}
	default:
		return nil, true, b.s.notSupported("row comparisons of this kind", a.Location)
	}
	left, err := b.bindList(l.Args)
	if err != nil {
		return nil, true, err
	}
	var alts []expr.Expr
	for _, r := range rows {
		if len(r.Args) != len(l.Args) {
			return nil, true, b.s.errAt(sqlerr.New(sqlerr.SyntaxError, "unequal number of entries in row expressions"), a.Location)
		}
		right, err := b.bindList(r.Args)
		if err != nil {
			return nil, true, err
		}
		eqs := make([]expr.Expr, len(left))
		for i := range left {
			if eqs[i], err = expr.Call("=", []expr.Expr{left[i], right[i]}); err != nil {
				return nil, true, b.s.errAt(err, a.Location)
			}
		}
		all, err := expr.And(eqs...)
		if len(eqs) == 1 {
			all = eqs[0]
		}
		if err != nil {
			return nil, true, err
		}
		alts = append(alts, all)
	}
	any := alts[0]
	if len(alts) > 1 {
		if any, err = expr.Or(alts...); err != nil {
			return nil, true, err
		}
	}
	if op == "<>" {
		e, err := expr.Not(any)
		return e, true, err
	}
	return any, true, nil
}
