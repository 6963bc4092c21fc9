package planner

import (
	pg_query "github.com/pganalyze/pg_query_go/v6"

	"github.com/runnel-db/runnel/exec/expr"
	"github.com/runnel-db/runnel/exec/sqlerr"
	"github.com/runnel-db/runnel/exec/types"
	"github.com/runnel-db/runnel/exec/zset"
)

// boundQuery is a bound SELECT: its plan and output columns.
type boundQuery struct {
	r rel
	// cols are the visible output columns: the first len(cols) columns of r.
	cols []colInfo
	// order, limit and offset are set in modeTop (over r's columns, which may include hidden
	// sort columns after cols).
	order         []zset.SortKey
	limit, offset int64
	// sub is set for a correlated subquery.
	sub *subInfo
	// oneRow: the query returns exactly one row (aggregation without GROUP BY).
	oneRow bool
	// atMostOneRow: the query provably returns at most one row.
	atMostOneRow bool
}

// subInfo describes how a correlated subquery's output relates to the enclosing query.
type subInfo struct {
	// preds are over the subquery output's columns, with Column(outerBase+k) standing for the
	// outer column refs[k].
	preds []pred
	refs  []int
	// aggregated: the output is group keys ++ aggregates and exprs compute the select list over
	// it; counts are the output columns holding count() results (0 when no row matches).
	aggregated bool
	exprs      []expr.Expr
	counts     []int
	// dom is set when the subquery was bound against a correlation domain (see domain.go):
	// the plan's output is the domain's columns (len(refs)) ++ the select list, and the
	// consumer fills dom with fillDomain. preds are then empty.
	dom *projectRel
	// distinct: SELECT DISTINCT (the plan of a correlated subquery without dom is distinct over
	// its select list ++ input columns, which only EXISTS and IN may use as it is).
	distinct bool
}

// bindSelectNode binds a SELECT, VALUES or set operation. corr is non-nil for subqueries of an
// expression (outer references allowed in WHERE).
func (s *stmt) bindSelectNode(n *pg_query.Node, e *env, corr *corrState, mode queryMode) (*boundQuery, error) {
	sel := n.GetSelectStmt()
	if sel == nil {
		return nil, s.notSupported("this statement as a query", nodeLocation(n))
	}
	return s.bindSelect(sel, e, corr, mode)
}

func (s *stmt) bindSelect(sel *pg_query.SelectStmt, e *env, corr *corrState, mode queryMode) (*boundQuery, error) {
	if sel.IntoClause != nil {
		return nil, s.notSupported("SELECT INTO", -1)
	}
	if len(sel.LockingClause) > 0 {
		return nil, s.notSupported("SELECT FOR UPDATE/SHARE", nodeLocation(sel.LockingClause[0]))
	}
	if sel.WithClause != nil {
		var err error
		if e, err = s.bindWith(sel.WithClause, e); err != nil {
			return nil, err
		}
	}
	var bq *boundQuery
	var hidden int
	var err error
	switch {
	case sel.Op != pg_query.SetOperation_SETOP_NONE && sel.Op != pg_query.SetOperation_SET_OPERATION_UNDEFINED:
		bq, err = s.bindSetOp(sel, e)
	case len(sel.ValuesLists) > 0:
		bq, err = s.bindValues(sel, e)
	default:
		return s.bindSimple(sel, e, corr, mode)
	}
	if err != nil {
		return nil, err
	}
	// ORDER BY over the output columns of a set operation or VALUES.
	var keys []zset.SortKey
	if len(sel.SortClause) > 0 {
		in := bq.r
		b := &bctx{s: s, env: e, sc: &scope{cols: bq.cols}, noAgg: "ORDER BY"}
		targets := make([]expr.Expr, len(bq.cols))
		for i, c := range bq.cols {
			targets[i] = expr.Column(i, c.typ)
		}
		var extra []expr.Expr
		keys, extra, err = s.orderBy(sel.SortClause, targets, bq.cols, b, false)
		if err != nil {
			return nil, err
		}
		if len(extra) > 0 {
			bq.r = &projectRel{in: in, exprs: append(targets, extra...)}
			hidden = len(extra)
		}
	}
	if err := s.finish(bq, sel, e, keys, hidden, mode); err != nil {
		return nil, err
	}
	return bq, nil
}

// finish applies ORDER BY / LIMIT / OFFSET by mode and drops hidden sort columns where the
// caller does not sort.
func (s *stmt) finish(bq *boundQuery, sel *pg_query.SelectStmt, e *env, keys []zset.SortKey, hidden int, mode queryMode) error {
	limit, limitExpr, err := s.limitValue(sel.LimitCount, e, "LIMIT")
	if err != nil {
		return err
	}
	offset, offsetExpr, err := s.limitValue(sel.LimitOffset, e, "OFFSET")
	if err != nil {
		return err
	}
	if sel.LimitOption == pg_query.LimitOption_LIMIT_OPTION_WITH_TIES {
		return s.notSupported("FETCH ... WITH TIES", -1)
	}
	dynamic := limitExpr != nil || offsetExpr != nil
	if dynamic {
		// A parameter: the graph cuts the window once the values are known.
		bq.r = &dynTopNRel{in: bq.r, keys: keys, limit: limit, offset: offset, limitE: limitExpr, offsetE: offsetExpr}
		limit, offset = -1, -1
		bq.oneRow = false
	}
	if mode == modeTop {
		bq.order, bq.limit, bq.offset = keys, limit, offset
		if limit >= 0 {
			// Keep only the rows the final sort can return; the caller still sorts and cuts.
			bq.r = &topNRel{in: bq.r, keys: keys, limit: limit + max(offset, 0)}
		}
		return nil
	}
	if limit >= 0 || offset > 0 {
		bq.r = &topNRel{in: bq.r, keys: keys, limit: limit, offset: max(offset, 0)}
		if limit == 1 || limit == 0 {
			bq.atMostOneRow = true
		}
		if limit == 0 || offset > 0 {
			bq.oneRow = false
		}
	}
	if hidden > 0 {
		bq.r = project(bq.r, identity(colTypes(bq.cols)))
	}
	return nil
}

// limitValue evaluates a LIMIT or OFFSET clause: a constant (-1 for none) or an expression to
// evaluate at run time (parameters).
func (s *stmt) limitValue(n *pg_query.Node, e *env, clause string) (int64, expr.Expr, error) {
	if n == nil {
		return -1, nil, nil
	}
	if c := n.GetAConst(); c != nil && c.Isnull {
		return -1, nil, nil
	}
	b := &bctx{s: s, env: e, sc: &scope{}, noAgg: clause}
	x, err := b.bind(n)
	if err != nil {
		return 0, nil, err
	}
	x, err = expr.Coerce(x, types.Int64T, "argument of "+clause)
	if err != nil {
		return 0, nil, s.errAt(err, nodeLocation(n))
	}
	if v, ok := expr.ConstValue(x); ok {
		if v == nil {
			return -1, nil, nil
		}
		i, _ := v.(int64)
		if i < 0 {
			code := "2201W"
			if clause == "OFFSET" {
				code = "2201X"
			}
			return 0, nil, s.errAt(sqlerr.New(code, "%s must not be negative", clause), nodeLocation(n))
		}
		return i, nil, nil
	}
	return -1, x, nil
}

// splitAnd flattens a conjunction into its conjuncts.
func splitAnd(n *pg_query.Node) []*pg_query.Node {
	if n == nil {
		return nil
	}
	if be := n.GetBoolExpr(); be != nil && be.Boolop == pg_query.BoolExprType_AND_EXPR {
		var out []*pg_query.Node
		for _, a := range be.Args {
			out = append(out, splitAnd(a)...)
		}
		return out
	}
	return []*pg_query.Node{n}
}

// bindPred binds one conjunct of a WHERE or ON clause, keeping the operands of an equality.
func (b *bctx) bindPred(n *pg_query.Node, clause string) (pred, error) {
	if a := n.GetAExpr(); a != nil && a.Kind == pg_query.A_Expr_Kind_AEXPR_OP && opName(a.Name) == "=" && a.Lexpr != nil && a.Rexpr != nil {
		l, r, err := b.bind2(a.Lexpr, a.Rexpr)
		if err != nil {
			return pred{}, err
		}
		e, err := expr.Call("=", []expr.Expr{l, r})
		if err != nil {
			return pred{}, b.s.errAt(err, literalLocation(err, a.Location, a.Lexpr, a.Rexpr))
		}
		return pred{e: e, l: l, r: r, strict: isStrict(n)}, nil
	}
	e, err := b.bind(n)
	if err != nil {
		return pred{}, err
	}
	if e, err = boolArg(e, clause); err != nil {
		return pred{}, b.s.errAt(err, nodeLocation(n))
	}
	return pred{e: e, strict: isStrict(n)}, nil
}

// sortDirection is the sort key (without its column) that an ORDER BY item asks for: NULLs sort
// as larger than every value unless NULLS FIRST/LAST says otherwise.
func sortDirection(sb *pg_query.SortBy) zset.SortKey {
	desc := sb.SortbyDir == pg_query.SortByDir_SORTBY_DESC
	key := zset.SortKey{Desc: desc, NullsFirst: desc}
	switch sb.SortbyNulls {
	case pg_query.SortByNulls_SORTBY_NULLS_FIRST:
		key.NullsFirst = true
	case pg_query.SortByNulls_SORTBY_NULLS_LAST:
		key.NullsFirst = false
	}
	return key
}

// orderBy binds ORDER BY items against the select list (targets, with names from cols) and the
// input (b). It returns the sort keys and the hidden expressions to append to the output.
func (s *stmt) orderBy(sorts []*pg_query.Node, targets []expr.Expr, cols []colInfo, b *bctx, distinct bool) ([]zset.SortKey, []expr.Expr, error) {
	var keys []zset.SortKey
	var hidden []expr.Expr
	for _, n := range sorts {
		sb := n.GetSortBy()
		if len(sb.UseOp) > 0 {
			return nil, nil, s.notSupported("ORDER BY USING", sb.Location)
		}
		key := sortDirection(sb)
		col := -1
		if c := sb.Node.GetAConst(); c != nil && c.GetIval() != nil {
			k := int(c.GetIval().Ival)
			if k < 1 || k > len(targets) {
				return nil, nil, s.errAt(sqlerr.New(sqlerr.InvalidColumnReference, "ORDER BY position %d is not in select list", k), c.Location)
			}
			col = k - 1
		} else if cr := sb.Node.GetColumnRef(); cr != nil && len(cr.Fields) == 1 && cr.Fields[0].GetString_() != nil {
			name := cr.Fields[0].GetString_().Sval
			for i, c := range cols {
				if c.name == name {
					if col >= 0 && targets[col].String() != targets[i].String() {
						return nil, nil, s.errAt(sqlerr.New(sqlerr.AmbiguousColumn, "ORDER BY %q is ambiguous", name), cr.Location)
					}
					if col < 0 {
						col = i
					}
				}
			}
		}
		if col < 0 {
			e, err := b.bind(sb.Node)
			if err != nil {
				return nil, nil, err
			}
			str := e.String()
			for i, t := range targets {
				if t.String() == str {
					col = i
					break
				}
			}
			if col < 0 {
				if distinct {
					return nil, nil, s.errAt(sqlerr.New(sqlerr.InvalidColumnReference,
						"for SELECT DISTINCT, ORDER BY expressions must appear in select list"), nodeLocation(sb.Node))
				}
				if e.Type().Kind == types.Unknown {
					if e, err = expr.Cast(e, types.TextT); err != nil {
						return nil, nil, err
					}
				}
				col = len(targets) + len(hidden)
				hidden = append(hidden, e)
			}
		}
		key.Col = col
		keys = append(keys, key)
	}
	return keys, hidden, nil
}
