package planner

import (
	pg_query "github.com/pganalyze/pg_query_go/v6"

	"github.com/runnel-db/runnel/exec/expr"
	"github.com/runnel-db/runnel/exec/sqlerr"
	"github.com/runnel-db/runnel/exec/types"
	"github.com/runnel-db/runnel/exec/zset"
)

// usesOuter reports whether e references an outer column.
func usesOuter(e expr.Expr) bool { return maxCol(e) >= outerBase }

// bindSimple binds SELECT … FROM … WHERE … GROUP BY … HAVING … ORDER BY … LIMIT.
func (s *stmt) bindSimple(sel *pg_query.SelectStmt, e *env, corr *corrState, mode queryMode) (*boundQuery, error) {
	if len(sel.DistinctClause) > 0 && sel.DistinctClause[0] != nil && sel.DistinctClause[0].Node != nil {
		return nil, s.notSupported("SELECT DISTINCT ON", nodeLocation(sel.DistinctClause[0]))
	}
	distinct := len(sel.DistinctClause) > 0
	var refs []int
	var fromCorr *corrState // set-returning functions in FROM may read the enclosing query
	if corr != nil {
		fromCorr = &corrState{outer: corr.outer, refs: &refs, parent: corr.parent, allowed: true}
	}
	r, sc, err := s.bindFromCorr(sel.FromClause, e, fromCorr)
	if err != nil {
		return nil, err
	}
	// lateral: a function in FROM reads the enclosing query, so the subquery is evaluated per
	// correlation domain value (see joinDomain).
	lateral := len(refs) > 0
	b := &bctx{s: s, env: e, sc: sc, in: &r}
	if corr != nil {
		b.corr = &corrState{outer: corr.outer, refs: &refs, parent: corr.parent}
	}
	var preds, corrPreds []pred
	if sel.WhereClause != nil {
		bw := b.with()
		bw.noAgg = "WHERE"
		if b.corr != nil {
			c := *b.corr
			c.allowed = true
			bw.corr = &c
		}
		for _, conj := range splitAnd(sel.WhereClause) {
			if ok, err := bw.whereSubquery(conj); err != nil {
				return nil, err
			} else if ok {
				continue
			}
			p, err := bw.bindPred(conj, "WHERE")
			if err != nil {
				return nil, err
			}
			if usesOuter(p.e) {
				corrPreds = append(corrPreds, p)
			} else {
				preds = append(preds, p)
			}
		}
	}
	r = filter(r, preds)
	atMostOne := s.pkBound(sel, e, preds, corrPreds)

	hasAgg := len(sel.GroupClause) > 0 || sel.HavingClause != nil
	for _, t := range sel.TargetList {
		hasAgg = hasAgg || containsAggregate(t.GetResTarget().GetVal())
	}
	for _, o := range sel.SortClause {
		hasAgg = hasAgg || containsAggregate(o.GetSortBy().GetNode())
	}

	if hasAgg {
		for _, t := range sel.TargetList {
			v := t.GetResTarget().GetVal()
			if ind := v.GetAIndirection(); ind != nil {
				v = ind.Arg
			}
			if fc := v.GetFuncCall(); fc != nil && isSRF(fc) {
				return nil, s.notSupported("set-returning functions with aggregation", fc.Location)
			}
		}
	} else if err := b.selectListSRFs(sel.TargetList); err != nil {
		return nil, err
	}
	sc = b.sc

	// Outer references in the select list or HAVING clause need the correlation domain: the
	// prescan registers them before the domain is built.
	selOuter := corr != nil && b.prescanOuter(sel)

	ctx := b // the context the select list is bound in
	// A set-returning function in the select list may yield any number of rows per input row.
	setReturning := b.srf != nil
	bq := &boundQuery{atMostOneRow: !setReturning && (atMostOne || len(sel.FromClause) == 0)}
	bq.oneRow = !setReturning && len(sel.FromClause) == 0 && sel.WhereClause == nil
	var aggCorr *subInfo
	var dom *projectRel // set when the aggregation is evaluated per correlation domain value
	var domCols []int   // the domain's columns among the group keys
	if hasAgg {
		var keys, outerSides []expr.Expr
		var domRel rel
		if len(refs) > 0 {
			// Fast path: a scalar subquery correlated by equalities groups by their inner sides.
			fast := corr.scalar && len(sel.GroupClause) == 0 && sel.HavingClause == nil && !distinct && !selOuter && !lateral
			for _, p := range corrPreds {
				if !fast {
					break
				}
				in, out, ok := splitCorrEq(p)
				keys, outerSides, fast = append(keys, in), append(outerSides, out), ok
			}
			if !fast {
				keys, outerSides = nil, nil
				dom, domRel, keys = joinDomain(&r, sc, corr.outer, refs, corrPreds)
			}
		}
		st, rAgg, err := s.buildAgg(b, sel, keys)
		if err != nil {
			return nil, err
		}
		r = rAgg
		if dom != nil {
			if domCols, err = groupPositions(st, keys); err != nil {
				return nil, err
			}
			if len(sel.GroupClause) == 0 {
				if r, err = domainGroups(domRel, rAgg, st, domCols); err != nil {
					return nil, err
				}
			}
		}
		ctx = &bctx{s: s, env: e, sc: sc, in: &r, agg: st, corr: b.corr}
		if dom != nil && selOuter {
			c := *b.corr
			c.allowed = true
			st.pre.corr, ctx.corr = &c, &c
		}
		if sel.HavingClause != nil {
			hb := ctx.with()
			hb.noAgg = ""
			hb.noWindow = "HAVING"
			var hp []pred
			for _, conj := range splitAnd(sel.HavingClause) {
				p, err := hb.bindPred(conj, "HAVING")
				if err != nil {
					return nil, err
				}
				hp = append(hp, p)
			}
			if dom != nil {
				if hp, err = remapOuterPreds(hp, domCols); err != nil {
					return nil, s.errAt(err, nodeLocation(sel.HavingClause))
				}
			}
			r = filter(r, hp)
		}
		bq.oneRow = len(sel.GroupClause) == 0 && sel.HavingClause == nil
		bq.atMostOneRow = len(sel.GroupClause) == 0
		if len(keys) > 0 && dom == nil {
			aggCorr = &subInfo{refs: refs, aggregated: true}
			nKeys := len(st.groups)
			for i, o := range outerSides {
				k := nKeys - len(keys) + i
				col := expr.Column(k, st.groups[k].Type())
				eq, err := expr.Call("=", []expr.Expr{o, col})
				if err != nil {
					return nil, err
				}
				aggCorr.preds = append(aggCorr.preds, pred{e: eq, l: o, r: col})
			}
			for i, it := range st.items {
				if it.name == "count" {
					aggCorr.counts = append(aggCorr.counts, nKeys+i)
				}
			}
		}
	}
	if !hasAgg && (selOuter || lateral) {
		keys := []expr.Expr(nil)
		dom, _, keys = joinDomain(&r, sc, corr.outer, refs, corrPreds)
		for _, k := range keys {
			c, _ := colIndex(k)
			domCols = append(domCols, c)
		}
	}
	if ctx.agg == nil {
		ctx = b.with()
	}
	ctx.noAgg = ""
	if len(refs) > 0 {
		// Outer references are only allowed in WHERE, or anywhere when the subquery is
		// evaluated per domain value.
		c := *ctx.corr
		c.allowed = dom != nil && selOuter
		ctx.corr = &c
	}
	if calls := collectWindowCalls(sel); len(calls) > 0 {
		if len(refs) > 0 || dom != nil {
			return nil, s.notSupported("window functions in correlated subqueries", calls[0].Location)
		}
		if ctx.windows, err = s.bindWindows(sel, ctx, &r); err != nil {
			return nil, err
		}
	}
	targets, cols, err := s.bindTargets(ctx, sel.TargetList)
	if err != nil {
		return nil, err
	}
	if dom != nil {
		for i, t := range targets {
			if targets[i], err = remapOuter(t, domCols); err != nil {
				return nil, s.errAt(err, nodeLocation(sel.TargetList[i]))
			}
		}
	}
	if dom != nil {
		if sel.LimitCount != nil || sel.LimitOffset != nil {
			return nil, s.correlatedNotSupported(nodeLocation(sel.LimitCount))
		}
		out := make([]expr.Expr, 0, len(domCols)+len(targets))
		for _, g := range domCols {
			out = append(out, expr.Column(g, r.types()[g]))
		}
		var rr rel = project(r, append(out, targets...))
		if distinct {
			rr = &distinctRel{in: rr}
		}
		info := &subInfo{refs: refs, aggregated: hasAgg, dom: dom, distinct: distinct}
		one := hasAgg && len(sel.GroupClause) == 0 || !hasAgg && bq.atMostOneRow
		return &boundQuery{r: rr, cols: cols, sub: info, atMostOneRow: one}, nil
	}
	if aggCorr != nil {
		if distinct || len(sel.SortClause) > 0 && (sel.LimitCount != nil || sel.LimitOffset != nil) {
			return nil, s.correlatedNotSupported(-1)
		}
		aggCorr.exprs = targets
		return &boundQuery{r: r, cols: cols, sub: aggCorr, oneRow: true, atMostOneRow: true}, nil
	}
	if len(refs) > 0 {
		if sel.LimitCount != nil || sel.LimitOffset != nil {
			// EXISTS (… LIMIT n) with n ≥ 1 is EXISTS (…).
			n, nx, err := s.limitValue(sel.LimitCount, e, "LIMIT")
			if err != nil {
				return nil, err
			}
			if !corr.exists || sel.LimitOffset != nil || n == 0 || nx != nil {
				return nil, s.correlatedNotSupported(nodeLocation(sel.LimitCount))
			}
		}
		// Carry every input column so the correlated conditions can be evaluated by a join.
		nSel := len(targets)
		in := r.types()
		out := append(append([]expr.Expr{}, targets...), identity(in)...)
		var rr rel = project(r, out)
		if distinct {
			rr = &distinctRel{in: rr}
		}
		info := &subInfo{refs: refs, distinct: distinct}
		for _, p := range corrPreds {
			info.preds = append(info.preds, remapPred(p, remapWidth(p.e, func(c int) int {
				if c >= outerBase {
					return c
				}
				return nSel + c
			})))
		}
		return &boundQuery{r: rr, cols: cols, sub: info, atMostOneRow: bq.atMostOneRow}, nil
	}

	var keys []zset.SortKey
	var hidden []expr.Expr
	if len(sel.SortClause) > 0 {
		ob := ctx.with()
		ob.noAgg = ""
		if keys, hidden, err = s.orderBy(sel.SortClause, targets, cols, ob, distinct); err != nil {
			return nil, err
		}
	}
	bq.r = project(r, append(append([]expr.Expr{}, targets...), hidden...))
	if distinct {
		bq.r = &distinctRel{in: bq.r}
	}
	bq.cols = cols
	if err := s.finish(bq, sel, e, keys, len(hidden), mode); err != nil {
		return nil, err
	}
	return bq, nil
}

// splitCorrEq splits a correlated equality into its inner side (no outer columns) and outer side
// (only outer columns).
func splitCorrEq(p pred) (inner, outer expr.Expr, ok bool) {
	if p.l == nil {
		return nil, nil, false
	}
	isOuter := func(e expr.Expr) bool {
		cols := expr.Columns(e)
		if len(cols) == 0 {
			return false
		}
		for _, c := range cols {
			if c < outerBase {
				return false
			}
		}
		return true
	}
	isInner := func(e expr.Expr) bool { return len(expr.Columns(e)) > 0 && !usesOuter(e) }
	switch {
	case isInner(p.l) && isOuter(p.r):
		return p.l, p.r, true
	case isOuter(p.l) && isInner(p.r):
		return p.r, p.l, true
	}
	return nil, nil, false
}

// pkBound reports whether the WHERE clause fixes every primary-key column of the only table in
// FROM (so the query returns at most one row).
func (s *stmt) pkBound(sel *pg_query.SelectStmt, e *env, preds, corrPreds []pred) bool {
	if len(sel.FromClause) != 1 || sel.FromClause[0].GetRangeVar() == nil || len(sel.GroupClause) > 0 {
		return false
	}
	rv := sel.FromClause[0].GetRangeVar()
	if rv.Schemaname == "" && e.lookup(rv.Relname) != nil {
		return false
	}
	table, err := s.p.cat.Relation(rv.Schemaname, rv.Relname)
	if err != nil || table == nil || table.Kind != Table {
		return false
	}
	if table == nil || len(table.PrimaryKey) == 0 {
		return false
	}
	fixed := map[int]bool{}
	for _, p := range append(append([]pred{}, preds...), corrPreds...) {
		if p.l == nil {
			continue
		}
		for _, pair := range [][2]expr.Expr{{p.l, p.r}, {p.r, p.l}} {
			c, ok := colIndex(pair[0])
			if !ok || c >= len(table.Columns) {
				continue
			}
			other := true
			for _, oc := range expr.Columns(pair[1]) {
				if oc < outerBase {
					other = false
				}
			}
			if other {
				fixed[c] = true
			}
		}
	}
	for _, k := range table.PrimaryKey {
		if !fixed[k] {
			return false
		}
	}
	return true
}

// bindTargets binds the select list, expanding * and t.*.
func (s *stmt) bindTargets(b *bctx, list []*pg_query.Node) ([]expr.Expr, []colInfo, error) {
	var exprs []expr.Expr
	var cols []colInfo
	for _, n := range list {
		rt := n.GetResTarget()
		if cr := rt.Val.GetColumnRef(); cr != nil {
			f := strs(cr.Fields)
			if len(f) > 0 && f[len(f)-1] == "*" {
				idx, err := s.expandStar(b, f[:len(f)-1], cr.Location)
				if err != nil {
					return nil, nil, err
				}
				for _, i := range idx {
					e, err := b.starColumn(i, cr.Location)
					if err != nil {
						return nil, nil, err
					}
					exprs = append(exprs, e)
					cols = append(cols, b.sc.cols[i])
					cols[len(cols)-1].qualOnly = false
				}
				continue
			}
		}
		e, err := b.bind(rt.Val)
		if err != nil {
			return nil, nil, err
		}
		if e.Type().Kind == types.Unknown {
			if e, err = expr.Cast(e, types.TextT); err != nil {
				return nil, nil, s.errAt(err, rt.Location)
			}
		}
		name := rt.Name
		if name == "" {
			name = colname(rt.Val)
		}
		ci := colInfo{name: name, typ: e.Type()}
		if rt.Val.GetColumnRef() != nil {
			if src, ok := b.sourceColumn(e); ok {
				ci.tableOID, ci.attnum = src.tableOID, src.attnum
			}
		}
		exprs = append(exprs, e)
		cols = append(cols, ci)
	}
	return exprs, cols, nil
}

// sourceColumn returns the input column a bound column reference reads.
func (b *bctx) sourceColumn(e expr.Expr) (colInfo, bool) {
	c, ok := colIndex(e)
	if !ok {
		return colInfo{}, false
	}
	if b.agg != nil {
		if c >= len(b.agg.groups) {
			return colInfo{}, false
		}
		if c, ok = colIndex(b.agg.groups[c]); !ok {
			return colInfo{}, false
		}
	}
	if c >= len(b.sc.cols) {
		return colInfo{}, false
	}
	return b.sc.cols[c], true
}

// starColumn is input column i as a select-list item (a group key after aggregation).
func (b *bctx) starColumn(i int, loc int32) (expr.Expr, error) {
	c := b.sc.cols[i]
	if b.agg == nil {
		return expr.Column(i, c.typ), nil
	}
	want := expr.Column(i, c.typ).String()
	for g, ge := range b.agg.groupStr {
		if ge == want {
			return expr.Column(g, c.typ), nil
		}
	}
	return nil, b.s.errAt(groupingError(c), loc)
}

func groupingError(c colInfo) error {
	name := c.name
	if c.table != "" {
		name = c.table + "." + c.name
	}
	return sqlerr.New(sqlerr.GroupingError, "column %q must appear in the GROUP BY clause or be used in an aggregate function", name)
}

// expandStar returns the input columns * (qual empty) or qual.* stands for.
func (s *stmt) expandStar(b *bctx, qual []string, loc int32) ([]int, error) {
	var out []int
	if len(qual) == 0 {
		for i, c := range b.sc.cols {
			if !c.hidden && !c.qualOnly {
				out = append(out, i)
			}
		}
		if len(b.sc.cols) == 0 {
			return nil, s.errAt(sqlerr.New(sqlerr.SyntaxError, "SELECT * with no tables specified is not valid"), loc)
		}
		return out, nil
	}
	schema, table := "", qual[len(qual)-1]
	if len(qual) > 1 {
		schema = qual[len(qual)-2]
	}
	for i, c := range b.sc.cols {
		if !c.hidden && c.table == table && (schema == "" || c.schema == schema) {
			out = append(out, i)
		}
	}
	if len(out) == 0 {
		return nil, s.errAt(sqlerr.New(sqlerr.UndefinedTable, "missing FROM-clause entry for table %q", table), loc)
	}
	return out, nil
}
