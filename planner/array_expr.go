package planner

import (
	pg_query "github.com/pganalyze/pg_query_go/v6"
	"google.golang.org/protobuf/proto"

	"github.com/runnel-db/runnel/exec/expr"
	"github.com/runnel-db/runnel/exec/sqlerr"
	"github.com/runnel-db/runnel/exec/types"
)

// arrayExpr binds ARRAY[e1, ...]; to is the type of an enclosing cast (ARRAY[]::int[]), or nil.
func (b *bctx) arrayExpr(ae *pg_query.A_ArrayExpr, to *types.T) (expr.Expr, error) {
	if len(ae.Elements) == 0 && to != nil && to.Kind == types.Array {
		return expr.EmptyArray(*to), nil
	}
	for _, el := range ae.Elements {
		if el.GetAArrayExpr() != nil {
			return nil, b.s.notSupported("multidimensional arrays", ae.Location)
		}
	}
	elems, err := b.bindList(ae.Elements)
	if err != nil {
		return nil, err
	}
	e, err := expr.ArrayCtor(elems)
	if err != nil {
		return nil, b.s.errAt(err, ae.Location)
	}
	return e, nil
}

// indirection binds subscripts a[i] of an expression. Slices and field selection are not
// supported (field selection of _pg_expandarray is rewritten before binding, see srf_rewrite.go).
func (b *bctx) indirection(ind *pg_query.A_Indirection) (expr.Expr, error) {
	if fc := ind.Arg.GetFuncCall(); fc != nil && len(ind.Indirection) == 1 && ind.Indirection[0].GetString_() != nil {
		if e, ok, err := b.srfExpr(fc, ind.Indirection[0].GetString_().Sval); ok {
			return e, err
		}
	}
	e, err := b.bind(ind.Arg)
	if err != nil {
		return nil, err
	}
	for _, s := range ind.Indirection {
		if f := s.GetString_(); f != nil {
			if e, err = expr.RecordField(e, f.Sval); err != nil {
				return nil, b.s.errAt(err, nodeLocation(ind.Arg))
			}
			continue
		}
		ix := s.GetAIndices()
		if ix == nil {
			return nil, b.s.notSupported("this form of indirection", nodeLocation(ind.Arg))
		}
		if ix.IsSlice {
			return nil, b.s.notSupported("array slices", nodeLocation(ind.Arg))
		}
		i, err := b.bind(ix.Uidx)
		if err != nil {
			return nil, err
		}
		if e, err = expr.Subscript(e, i); err != nil {
			return nil, b.s.errAt(err, nodeLocation(ind.Arg))
		}
	}
	return e, nil
}

// arraySubquery binds ARRAY(subquery) as the scalar subquery
// (SELECT array_agg(x ORDER BY x) FROM ...), which is '{}' rather than NULL over no rows. The
// subquery's ORDER BY, if any, must sort by its one output column (Runnel's array_agg orders by
// value).
func (b *bctx) arraySubquery(sl *pg_query.SubLink) (expr.Expr, error) {
	sel := sl.Subselect.GetSelectStmt()
	if e, ok, err := b.arrayMapSubquery(sel); ok || err != nil {
		return e, err
	}
	unsupported := func() (expr.Expr, error) {
		return nil, b.s.notSupported("this form of ARRAY(subquery)", sl.Location)
	}
	if sel == nil || sel.Op != pg_query.SetOperation_SETOP_NONE || len(sel.TargetList) != 1 ||
		sel.LimitCount != nil || sel.LimitOffset != nil || sel.WithClause != nil || len(sel.ValuesLists) > 0 {
		return unsupported()
	}
	rt := sel.TargetList[0].GetResTarget()
	if rt == nil || rt.Val == nil || rt.Val.GetColumnRef() != nil && isStarRef(rt.Val.GetColumnRef()) {
		return unsupported()
	}
	if len(sel.SortClause) > 1 {
		return unsupported()
	}
	simple := len(sel.GroupClause) == 0 && sel.HavingClause == nil && len(sel.DistinctClause) == 0 &&
		!containsAggregate(rt.Val) && len(sel.WindowClause) == 0
	if !simple {
		return b.arrayOfDerived(sl, sel, rt)
	}
	sortBy := &pg_query.SortBy{Node: rt.Val, SortbyDir: pg_query.SortByDir_SORTBY_DEFAULT, Location: -1}
	if len(sel.SortClause) == 1 {
		sb := sel.SortClause[0].GetSortBy()
		if sb == nil {
			return unsupported()
		}
		key := sb.Node
		if c := key.GetAConst(); c != nil && c.GetIval() != nil {
			if c.GetIval().Ival != 1 {
				return unsupported()
			}
			key = rt.Val
		} else if cr := key.GetColumnRef(); cr != nil && len(cr.Fields) == 1 && rt.Name != "" &&
			cr.Fields[0].GetString_().GetSval() == rt.Name {
			key = rt.Val
		}
		sortBy = &pg_query.SortBy{Node: key, SortbyDir: sb.SortbyDir, SortbyNulls: sb.SortbyNulls, UseOp: sb.UseOp, Location: sb.Location}
	}
	agg := &pg_query.FuncCall{
		Funcname:   []*pg_query.Node{pg_query.MakeStrNode("array_agg")},
		Args:       []*pg_query.Node{rt.Val},
		AggOrder:   []*pg_query.Node{{Node: &pg_query.Node_SortBy{SortBy: sortBy}}},
		Funcformat: pg_query.CoercionForm_COERCE_EXPLICIT_CALL,
		Location:   sl.Location,
	}
	rewritten := proto.Clone(sel).(*pg_query.SelectStmt)
	rewritten.TargetList = []*pg_query.Node{{Node: &pg_query.Node_ResTarget{ResTarget: &pg_query.ResTarget{
		Val: &pg_query.Node{Node: &pg_query.Node_FuncCall{FuncCall: agg}}, Location: rt.Location}}}}
	rewritten.SortClause = nil
	scalar := &pg_query.SubLink{SubLinkType: pg_query.SubLinkType_EXPR_SUBLINK,
		Subselect: &pg_query.Node{Node: &pg_query.Node_SelectStmt{SelectStmt: rewritten}}, Location: sl.Location}
	e, err := b.scalarSubquery(scalar)
	if err != nil {
		return nil, err
	}
	return expr.Coalesce([]expr.Expr{e, expr.EmptyArray(e.Type())})
}

func isStarRef(cr *pg_query.ColumnRef) bool {
	return len(cr.Fields) > 0 && cr.Fields[len(cr.Fields)-1].GetAStar() != nil
}

// arrayMapSubquery binds ARRAY(SELECT f(x) FROM unnest(arr) x [WHERE cond(x)]), whose only FROM
// item is unnest of an expression over the enclosing query (psql's
// array(select 'toast.' || x from unnest(tc.reloptions) x)), as a per-row map over arr. ok is false
// for any other shape.
func (b *bctx) arrayMapSubquery(sel *pg_query.SelectStmt) (expr.Expr, bool, error) {
	if sel == nil || sel.Op != pg_query.SetOperation_SETOP_NONE || len(sel.TargetList) != 1 || len(sel.FromClause) != 1 ||
		len(sel.GroupClause) > 0 || sel.HavingClause != nil || len(sel.DistinctClause) > 0 || len(sel.SortClause) > 0 ||
		sel.LimitCount != nil || sel.LimitOffset != nil || sel.WithClause != nil || len(sel.WindowClause) > 0 {
		return nil, false, nil
	}
	rf := sel.FromClause[0].GetRangeFunction()
	if rf == nil || rf.Ordinality || rf.IsRowsfrom || len(rf.Functions) != 1 {
		return nil, false, nil
	}
	items := rf.Functions[0].GetList().GetItems()
	if len(items) == 0 || items[0].GetFuncCall() == nil {
		return nil, false, nil
	}
	fc := items[0].GetFuncCall()
	if schema, name := funcName(fc); schema != "" || name != "unnest" || len(fc.Args) != 1 {
		return nil, false, nil
	}
	rt := sel.TargetList[0].GetResTarget()
	if rt == nil || rt.Val == nil || containsAggregate(rt.Val) || containsSubLink(rt.Val) ||
		(sel.WhereClause != nil && containsSubLink(sel.WhereClause)) {
		return nil, false, nil
	}
	arr, err := b.bind(fc.Args[0])
	if err != nil {
		return nil, true, err
	}
	if !isArrayType(arr.Type()) {
		return nil, false, nil
	}
	table, names := aliasNames(rf.Alias)
	col := "unnest"
	if table == "" {
		table = col
	} else {
		col = table
	}
	if len(names) > 0 {
		col = names[0]
	}
	// The select list and WHERE see only the element: anything else is the general path's.
	eb := &bctx{s: b.s, env: b.env, sc: &scope{cols: []colInfo{{table: table, name: col, typ: arr.Type().ElemType()}}}, noAgg: "ARRAY"}
	f, err := eb.bind(rt.Val)
	if err != nil {
		return nil, false, nil
	}
	var cond expr.Expr
	if sel.WhereClause != nil {
		if cond, err = eb.bind(sel.WhereClause); err != nil {
			return nil, false, nil
		}
		if cond, err = boolArg(cond, "WHERE"); err != nil {
			return nil, true, b.s.errAt(err, nodeLocation(sel.WhereClause))
		}
	}
	if f.Type().Kind == types.Unknown {
		if f, err = expr.Cast(f, types.TextT); err != nil {
			return nil, true, err
		}
	}
	e, err := expr.ArrayMap(arr, f, cond)
	if err != nil {
		return nil, true, b.s.errAt(err, fc.Location)
	}
	return e, true, nil
}

// arrayOfDerived binds ARRAY(subquery) for a subquery with grouping, DISTINCT or aggregates as
// (SELECT array_agg(x ORDER BY x) FROM (subquery) AS array(x)); its ORDER BY, if any, must sort
// by its output column. Outer references are not supported there (derived tables do not see the
// enclosing query).
func (b *bctx) arrayOfDerived(sl *pg_query.SubLink, sel *pg_query.SelectStmt, rt *pg_query.ResTarget) (expr.Expr, error) {
	unsupported := func() (expr.Expr, error) {
		return nil, b.s.notSupported("this form of ARRAY(subquery)", sl.Location)
	}
	x := &pg_query.Node{Node: &pg_query.Node_ColumnRef{ColumnRef: &pg_query.ColumnRef{
		Fields: []*pg_query.Node{pg_query.MakeStrNode("array"), pg_query.MakeStrNode("x")}, Location: -1}}}
	sortBy := &pg_query.SortBy{Node: x, SortbyDir: pg_query.SortByDir_SORTBY_DEFAULT, Location: -1}
	if len(sel.SortClause) == 1 {
		sb := sel.SortClause[0].GetSortBy()
		key := sb.GetNode()
		byFirst := key.GetAConst() != nil && key.GetAConst().GetIval() != nil && key.GetAConst().GetIval().Ival == 1
		if cr := key.GetColumnRef(); cr != nil && len(cr.Fields) == 1 && rt.Name != "" && cr.Fields[0].GetString_().GetSval() == rt.Name {
			byFirst = true
		}
		if kc, vc := key.GetColumnRef(), rt.Val.GetColumnRef(); kc != nil && vc != nil && joinDots(strs(kc.Fields)) == joinDots(strs(vc.Fields)) {
			byFirst = true
		}
		if !byFirst || sb.UseOp != nil {
			return unsupported()
		}
		sortBy.SortbyDir, sortBy.SortbyNulls = sb.SortbyDir, sb.SortbyNulls
	}
	inner := proto.Clone(sel).(*pg_query.SelectStmt)
	inner.SortClause = nil
	agg := &pg_query.FuncCall{
		Funcname:   []*pg_query.Node{pg_query.MakeStrNode("array_agg")},
		Args:       []*pg_query.Node{x},
		AggOrder:   []*pg_query.Node{{Node: &pg_query.Node_SortBy{SortBy: sortBy}}},
		Funcformat: pg_query.CoercionForm_COERCE_EXPLICIT_CALL,
		Location:   sl.Location,
	}
	outer := &pg_query.SelectStmt{
		TargetList: []*pg_query.Node{{Node: &pg_query.Node_ResTarget{ResTarget: &pg_query.ResTarget{
			Val: &pg_query.Node{Node: &pg_query.Node_FuncCall{FuncCall: agg}}, Location: rt.Location}}}},
		FromClause: []*pg_query.Node{{Node: &pg_query.Node_RangeSubselect{RangeSubselect: &pg_query.RangeSubselect{
			Subquery: &pg_query.Node{Node: &pg_query.Node_SelectStmt{SelectStmt: inner}},
			Alias:    &pg_query.Alias{Aliasname: "array", Colnames: []*pg_query.Node{pg_query.MakeStrNode("x")}}}}}},
	}
	scalar := &pg_query.SubLink{SubLinkType: pg_query.SubLinkType_EXPR_SUBLINK,
		Subselect: &pg_query.Node{Node: &pg_query.Node_SelectStmt{SelectStmt: outer}}, Location: sl.Location}
	e, err := b.scalarSubquery(scalar)
	if err != nil {
		if code := sqlerr.Code(err); code == sqlerr.UndefinedTable || code == sqlerr.UndefinedColumn {
			// An outer reference, which a derived table cannot see, or a real mistake: bound as a
			// correlated subquery, the former succeeds.
			probe := &pg_query.SubLink{SubLinkType: pg_query.SubLinkType_EXPR_SUBLINK,
				Subselect: &pg_query.Node{Node: &pg_query.Node_SelectStmt{SelectStmt: inner}}, Location: sl.Location}
			if _, perr := b.bindSub(probe); perr == nil || sqlerr.Code(perr) == sqlerr.FeatureNotSupported {
				return nil, b.s.notSupported("correlated ARRAY(subquery) with grouping, DISTINCT or aggregates", sl.Location)
			}
		}
		return nil, err
	}
	return expr.Coalesce([]expr.Expr{e, expr.EmptyArray(e.Type())})
}

// textArrayLiteral reports whether x = ANY(ARRAY[elems]) compares a typed x other than a string
// with an array of untyped literals, which PostgreSQL types text[] on their own.
func textArrayLiteral(x expr.Expr, elems []expr.Expr) bool {
	if t := x.Type(); t.Kind == types.Unknown || t.IsString() || len(elems) == 0 {
		return false
	}
	for _, e := range elems {
		if e.Type().Kind != types.Unknown {
			return false
		}
	}
	return true
}
