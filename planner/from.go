package planner

import (
	pg_query "github.com/pganalyze/pg_query_go/v6"

	"github.com/runnel-db/runnel/exec"
	"github.com/runnel-db/runnel/exec/expr"
	"github.com/runnel-db/runnel/exec/sqlerr"
	"github.com/runnel-db/runnel/exec/types"
	"github.com/runnel-db/runnel/sql"
)

// maxViewDepth bounds view expansion (a view cannot refer to itself, but be safe).
const maxViewDepth = 32

// oneRow is the plan of a query without FROM: one row of no columns.
func oneRow() rel { return &constRel{rows: [][]types.Datum{{}}} }

// bindFrom binds a FROM list; comma-separated items are cross joins.
func (s *stmt) bindFrom(items []*pg_query.Node, e *env) (rel, *scope, error) {
	return s.bindFromCorr(items, e, nil)
}

// bindFromCorr is bindFrom for a subquery's FROM list: corr, when set, lets set-returning
// functions read the enclosing query's columns.
func (s *stmt) bindFromCorr(items []*pg_query.Node, e *env, corr *corrState) (rel, *scope, error) {
	if len(items) == 0 {
		return oneRow(), &scope{}, nil
	}
	var r rel
	var cols []colInfo
	for _, it := range items {
		if rf := it.GetRangeFunction(); rf != nil && len(rf.Functions) == 1 {
			if fc := rf.Functions[0].GetList().GetItems()[0].GetFuncCall(); fc != nil && isSRF(fc) && (rf.Ordinality || !constantSeries(s, fc, e)) {
				nr, ncols, err := s.fromSRF(rf, fc, r, cols, e, corr)
				if err != nil {
					return nil, nil, err
				}
				r, cols = nr, ncols
				continue
			}
		}
		ir, icols, err := s.fromItem(it, e)
		if err != nil {
			return nil, nil, err
		}
		if r == nil {
			r, cols = ir, icols
			continue
		}
		if err := s.checkDupTables(cols, icols, it); err != nil {
			return nil, nil, err
		}
		r = &joinRel{kind: exec.InnerJoin, left: r, right: ir}
		cols = append(append([]colInfo{}, cols...), icols...)
	}
	return r, &scope{cols: cols}, nil
}

func aliasNames(a *pg_query.Alias) (string, []string) {
	if a == nil {
		return "", nil
	}
	return a.Aliasname, strs(a.Colnames)
}

func (s *stmt) fromItem(n *pg_query.Node, e *env) (rel, []colInfo, error) {
	switch x := n.Node.(type) {
	case *pg_query.Node_RangeVar:
		return s.rangeVar(x.RangeVar, e)
	case *pg_query.Node_RangeSubselect:
		rs := x.RangeSubselect
		if rs.Lateral {
			return nil, nil, s.notSupported("LATERAL", nodeLocation(rs.Subquery))
		}
		bq, err := s.bindSelectNode(rs.Subquery, e, nil, modeSub)
		if err != nil {
			return nil, nil, err
		}
		alias, names := aliasNames(rs.Alias)
		cols, err := withAlias(bq.cols, alias, names)
		if err != nil {
			return nil, nil, err
		}
		return bq.r, cols, nil
	case *pg_query.Node_JoinExpr:
		return s.join(x.JoinExpr, e)
	case *pg_query.Node_RangeFunction:
		return s.rangeFunction(x.RangeFunction, e)
	}
	return nil, nil, s.notSupported("this FROM item", nodeLocation(n))
}

func (s *stmt) rangeVar(rv *pg_query.RangeVar, e *env) (rel, []colInfo, error) {
	alias, names := aliasNames(rv.Alias)
	if rv.Schemaname == "" {
		if c := e.lookup(rv.Relname); c != nil {
			if alias == "" {
				alias = rv.Relname
			}
			cols, err := withAlias(c.cols, alias, names)
			if err != nil {
				return nil, nil, s.errAt(err, rv.Location)
			}
			return c.r, cols, nil
		}
	}
	rel0, err := s.p.cat.Relation(rv.Schemaname, rv.Relname)
	if err != nil {
		return nil, nil, err
	}
	if rel0 == nil {
		name := rv.Relname
		if rv.Schemaname != "" {
			name = rv.Schemaname + "." + name
		}
		return nil, nil, s.errAt(sqlerr.New(sqlerr.UndefinedTable, "relation %q does not exist", name), rv.Location)
	}
	s.addRelation(rel0)
	table := rel0.Name
	schema := rel0.Schema
	if alias != "" {
		table, schema = alias, ""
	}
	cols := make([]colInfo, len(rel0.Columns))
	ts := make([]types.T, len(rel0.Columns))
	for i, c := range rel0.Columns {
		cols[i] = colInfo{table: table, schema: schema, name: c.Name, typ: c.Type, tableOID: rel0.OID, attnum: int16(i + 1)}
		if i < len(names) {
			cols[i].name = names[i]
		}
		ts[i] = c.Type
	}
	if len(names) > len(cols) {
		return nil, nil, s.errAt(sqlerr.New(sqlerr.InvalidColumnReference,
			"table \"%s\" has %d columns available but %d columns specified", table, len(cols), len(names)), rv.Location)
	}
	if rel0.Kind != View {
		return &scanRel{r: rel0, ts: ts}, cols, nil
	}
	r, err := s.expandView(rel0)
	if err != nil {
		return nil, nil, s.errAt(err, rv.Location)
	}
	if got := r.types(); len(got) != len(ts) {
		return nil, nil, s.errAt(sqlerr.New(sqlerr.Internal, "view %q has %d columns, its query %d", rel0.Name, len(ts), len(got)), rv.Location)
	}
	for i, t := range r.types() {
		cols[i].typ = t
	}
	return r, cols, nil
}

// expandView binds a plain view's stored query.
func (s *stmt) expandView(v *Relation) (rel, error) {
	if s.viewDepth >= maxViewDepth {
		return nil, sqlerr.New(sqlerr.Internal, "view %q: views nested too deeply", v.Name)
	}
	st, err := sql.ParseOne(v.Query)
	if err != nil {
		return nil, err
	}
	if st.AST == nil || st.AST.GetSelectStmt() == nil {
		return nil, sqlerr.New(sqlerr.Internal, "view %q: stored query is not a SELECT", v.Name)
	}
	saved := s.text
	s.text = ""
	s.viewDepth++
	bq, err := s.bindSelectNode(st.AST, s.rootEnv(), nil, modeSub)
	s.viewDepth--
	s.text = saved
	if err != nil {
		return nil, err
	}
	return bq.r, nil
}

// bindWith binds the CTEs of a WITH clause in order; each sees the ones before it.
func (s *stmt) bindWith(w *pg_query.WithClause, parent *env) (*env, error) {
	if w.Recursive {
		return nil, s.notSupported("WITH RECURSIVE", w.Location)
	}
	e := &env{parent: parent, ctes: map[string]*cte{}}
	for _, n := range w.Ctes {
		c := n.GetCommonTableExpr()
		if c.Ctequery.GetSelectStmt() == nil {
			return nil, s.notSupported("data-modifying statements in WITH", c.Location)
		}
		if _, dup := e.ctes[c.Ctename]; dup {
			return nil, s.errAt(sqlerr.New("42712", "WITH query name %q specified more than once", c.Ctename), c.Location)
		}
		bq, err := s.bindSelectNode(c.Ctequery, e, nil, modeSub)
		if err != nil {
			return nil, err
		}
		cols, err := withAlias(bq.cols, c.Ctename, strs(c.Aliascolnames))
		if err != nil {
			return nil, s.errAt(err, c.Location)
		}
		e.ctes[c.Ctename] = &cte{r: bq.r, cols: cols}
	}
	return e, nil
}

// join binds a JOIN expression.
func (s *stmt) join(j *pg_query.JoinExpr, e *env) (rel, []colInfo, error) {
	l, lcols, err := s.fromItem(j.Larg, e)
	if err != nil {
		return nil, nil, err
	}
	r, rcols, err := s.fromItem(j.Rarg, e)
	if err != nil {
		return nil, nil, err
	}
	var kind exec.JoinKind
	switch j.Jointype {
	case pg_query.JoinType_JOIN_INNER:
		kind = exec.InnerJoin
	case pg_query.JoinType_JOIN_LEFT:
		kind = exec.LeftJoin
	case pg_query.JoinType_JOIN_RIGHT:
		kind = exec.RightJoin
	case pg_query.JoinType_JOIN_FULL:
		kind = exec.FullJoin
	default:
		return nil, nil, s.notSupported("this join type", -1)
	}
	if err := s.checkDupTables(lcols, rcols, j.Rarg); err != nil {
		return nil, nil, err
	}
	cols := append(append([]colInfo{}, lcols...), rcols...)
	jr := &joinRel{kind: kind, left: l, right: r}
	sc := &scope{cols: cols}
	using := strs(j.UsingClause)
	if j.IsNatural {
		for _, lc := range lcols {
			if lc.qualOnly || lc.hidden {
				continue
			}
			for _, rc := range rcols {
				if rc.name == lc.name && !rc.qualOnly && !rc.hidden {
					using = append(using, lc.name)
					break
				}
			}
		}
	}
	if j.Quals != nil {
		b := &bctx{s: s, env: e, sc: sc, noAgg: "JOIN conditions"}
		for _, conj := range splitAnd(j.Quals) {
			p, err := b.bindPred(conj, "JOIN/ON")
			if err != nil {
				return nil, nil, err
			}
			jr.residual = append(jr.residual, p)
		}
	}
	var out rel = jr
	if len(using) > 0 {
		out, cols, err = s.usingJoin(jr, using, lcols, rcols, kind)
		if err != nil {
			return nil, nil, err
		}
	}
	if j.Alias != nil {
		alias, names := aliasNames(j.Alias)
		if cols, err = withAlias(cols, alias, names); err != nil {
			return nil, nil, err
		}
		// The alias hides the inputs' USING duplicates too.
		for i := range cols {
			if i >= len(using) && isUsingDup(cols[i], using) {
				cols[i].hidden = true
			}
		}
	}
	return out, cols, nil
}

func isUsingDup(c colInfo, using []string) bool {
	for _, u := range using {
		if c.name == u {
			return true
		}
	}
	return false
}

// usingJoin adds the equalities of JOIN USING to jr and projects the merged columns first, as
// PostgreSQL orders them for *.
func (s *stmt) usingJoin(jr *joinRel, using []string, lcols, rcols []colInfo, kind exec.JoinKind) (rel, []colInfo, error) {
	nl := len(lcols)
	find := func(cols []colInfo, name, side string) (int, error) {
		idx := -1
		for i, c := range cols {
			if c.name == name && !c.hidden && !c.qualOnly {
				if idx >= 0 {
					return 0, sqlerr.New(sqlerr.AmbiguousColumn, "common column name %q appears more than once in %s table", name, side)
				}
				idx = i
			}
		}
		if idx < 0 {
			return 0, sqlerr.New(sqlerr.UndefinedColumn, "column %q specified in USING clause does not exist in %s table", name, side)
		}
		return idx, nil
	}
	var merged []expr.Expr
	var mcols []colInfo
	lq, rq := map[int]bool{}, map[int]bool{}
	for _, name := range using {
		li, err := find(lcols, name, "left")
		if err != nil {
			return nil, nil, err
		}
		ri, err := find(rcols, name, "right")
		if err != nil {
			return nil, nil, err
		}
		lq[li], rq[ri] = true, true
		le := expr.Column(li, lcols[li].typ)
		re := expr.Column(nl+ri, rcols[ri].typ)
		eq, err := expr.Call("=", []expr.Expr{le, re})
		if err != nil {
			return nil, nil, err
		}
		jr.residual = append(jr.residual, pred{e: eq, l: le, r: re})
		t, err := expr.CommonType([]types.T{lcols[li].typ, rcols[ri].typ}, "JOIN/USING")
		if err != nil {
			return nil, nil, err
		}
		var m expr.Expr
		switch kind {
		case exec.RightJoin:
			m = re
		case exec.FullJoin:
			lc, err := expr.Cast(le, t)
			if err != nil {
				return nil, nil, err
			}
			rc, err := expr.Cast(re, t)
			if err != nil {
				return nil, nil, err
			}
			if m, err = expr.Coalesce([]expr.Expr{lc, rc}); err != nil {
				return nil, nil, err
			}
		default:
			m = le
		}
		if m.Type() != t {
			if m, err = expr.Cast(m, t); err != nil {
				return nil, nil, err
			}
		}
		merged = append(merged, m)
		src := lcols[li]
		if kind == exec.RightJoin {
			src = rcols[ri]
		}
		ci := colInfo{name: name, typ: t}
		if kind != exec.FullJoin {
			ci.tableOID, ci.attnum = src.tableOID, src.attnum
		}
		mcols = append(mcols, ci)
	}
	exprs := append([]expr.Expr{}, merged...)
	cols := append([]colInfo{}, mcols...)
	for i, c := range lcols {
		exprs = append(exprs, expr.Column(i, c.typ))
		c.qualOnly = c.qualOnly || lq[i]
		cols = append(cols, c)
	}
	for i, c := range rcols {
		exprs = append(exprs, expr.Column(nl+i, c.typ))
		c.qualOnly = c.qualOnly || rq[i]
		cols = append(cols, c)
	}
	return &projectRel{in: jr, exprs: exprs}, cols, nil
}

// checkDupTables rejects a FROM clause naming the same table (or alias) twice.
func (s *stmt) checkDupTables(left, right []colInfo, at *pg_query.Node) error {
	seen := map[string]bool{}
	for _, c := range left {
		if c.table != "" {
			seen[c.table] = true
		}
	}
	for _, c := range right {
		if c.table != "" && seen[c.table] {
			loc := int32(-1)
			if rv := at.GetRangeVar(); rv != nil {
				loc = rv.Location
			}
			return s.errAt(sqlerr.New("42712", "table name %q specified more than once", c.table), loc)
		}
	}
	return nil
}
