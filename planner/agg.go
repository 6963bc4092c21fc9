package planner

import (
	"fmt"

	pg_query "github.com/pganalyze/pg_query_go/v6"

	"github.com/runnel-db/runnel/exec"
	"github.com/runnel-db/runnel/exec/expr"
	"github.com/runnel-db/runnel/exec/sqlerr"
	"github.com/runnel-db/runnel/exec/types"
)

// aggState is the aggregation of a SELECT: expressions bound after it are over
// groups ++ aggregate results.
type aggState struct {
	pre      *bctx // binds over the aggregation input
	groups   []expr.Expr
	groupStr []string
	items    []aggItem
}

type aggItem struct {
	key      string
	name     string
	arg      expr.Expr // nil for count(*)
	filter   expr.Expr
	distinct bool
	result   types.T
	// desc: array_agg(x ORDER BY x DESC).
	desc bool
	// sep is string_agg's delimiter.
	sep string
}

func (a *aggState) addGroup(e expr.Expr) {
	s := e.String()
	for _, g := range a.groupStr {
		if g == s {
			return
		}
	}
	a.groups = append(a.groups, e)
	a.groupStr = append(a.groupStr, s)
}

// buildAgg binds GROUP BY and every aggregate call of sel over b's input and returns the
// aggregation plan. extraKeys are further group keys (a correlated subquery's inner sides).
func (s *stmt) buildAgg(b *bctx, sel *pg_query.SelectStmt, extraKeys []expr.Expr) (*aggState, rel, error) {
	pre := b.with()
	pre.noAgg = ""
	st := &aggState{pre: pre}
	gb := b.with()
	gb.noAgg = "GROUP BY"
	gb.in = nil
	for _, g := range sel.GroupClause {
		if g.GetGroupingSet() != nil {
			return nil, nil, s.notSupported("GROUPING SETS, ROLLUP and CUBE", nodeLocation(g))
		}
		e, err := s.groupExpr(gb, g, sel.TargetList)
		if err != nil {
			return nil, nil, err
		}
		if e.Type().Kind == types.Unknown {
			if e, err = expr.Cast(e, types.TextT); err != nil {
				return nil, nil, err
			}
		}
		st.addGroup(e)
	}
	for _, k := range extraKeys {
		st.addGroup(k)
	}
	var roots []*pg_query.Node
	for _, t := range sel.TargetList {
		roots = append(roots, t.GetResTarget().GetVal())
	}
	roots = append(roots, sel.HavingClause)
	for _, o := range sel.SortClause {
		roots = append(roots, o.GetSortBy().GetNode())
	}
	s.addDependentGroups(st, b.sc, roots)
	// Register every aggregate call outside subqueries.
	var regErr error
	for _, root := range roots {
		if root == nil {
			continue
		}
		visit := func(n *pg_query.Node) bool {
			if regErr != nil || n.GetSubLink() != nil {
				return false
			}
			if isAggregate(n) {
				if _, err := st.register(n.GetFuncCall()); err != nil {
					regErr = err
				}
				return false
			}
			return true
		}
		if visit(root) {
			walk(root, visit)
		}
	}
	if regErr != nil {
		return nil, nil, regErr
	}
	// Aggregation input: group keys, then aggregate arguments and filters.
	in := append([]expr.Expr{}, st.groups...)
	calls := make([]exec.AggCall, len(st.items))
	ts := make([]types.T, 0, len(st.groups)+len(st.items))
	for _, g := range st.groups {
		ts = append(ts, g.Type())
	}
	groupBy := make([]int, len(st.groups))
	for i := range groupBy {
		groupBy[i] = i
	}
	// input returns the column of the aggregation input computing e, adding it once.
	input := func(e expr.Expr) int {
		k := exprKey(e)
		for i, x := range in {
			if exprKey(x) == k {
				return i
			}
		}
		in = append(in, e)
		return len(in) - 1
	}
	for i, it := range st.items {
		c := exec.AggCall{Name: it.name, Arg: -1, Distinct: it.distinct, Filter: -1, ResultType: it.result, Desc: it.desc, Sep: it.sep}
		if it.arg != nil {
			c.Arg = input(it.arg)
			c.ArgType = it.arg.Type()
		}
		if it.filter != nil {
			c.Filter = input(it.filter)
		}
		calls[i] = c
		ts = append(ts, it.result)
	}
	return st, &aggRel{in: project(*b.in, in), groupBy: groupBy, aggs: calls, ts: ts}, nil
}

// groupExpr binds one GROUP BY item: an ordinal, an output column name, or an expression.
func (s *stmt) groupExpr(b *bctx, g *pg_query.Node, targets []*pg_query.Node) (expr.Expr, error) {
	if c := g.GetAConst(); c != nil && c.GetIval() != nil {
		k := int(c.GetIval().Ival)
		if k < 1 || k > len(targets) {
			return nil, s.errAt(sqlerr.New(sqlerr.InvalidColumnReference, "GROUP BY position %d is not in select list", k), c.Location)
		}
		val := targets[k-1].GetResTarget().GetVal()
		if containsAggregate(val) {
			return nil, s.errAt(sqlerr.New(sqlerr.GroupingError, "aggregate functions are not allowed in GROUP BY"), nodeLocation(val))
		}
		return b.bind(val)
	}
	e, err := b.bind(g)
	if err == nil {
		return e, nil
	}
	if cr := g.GetColumnRef(); cr != nil && len(cr.Fields) == 1 && sqlerr.Code(err) == sqlerr.UndefinedColumn {
		name := cr.Fields[0].GetString_().GetSval()
		for _, t := range targets {
			if rt := t.GetResTarget(); rt.Name == name {
				return b.bind(rt.Val)
			}
		}
	}
	return nil, err
}

// register binds an aggregate call and returns its index among the aggregates.
func (a *aggState) register(fc *pg_query.FuncCall) (int, error) {
	s := a.pre.s
	_, name := funcName(fc)
	if (len(fc.AggOrder) > 0 && name != "array_agg" && name != "string_agg") || fc.AggWithinGroup {
		return 0, s.notSupported("ordered aggregates", fc.Location)
	}
	ab := a.pre.with()
	ab.inAggArg = true
	ab.in = nil
	it := aggItem{name: name, distinct: fc.AggDistinct}
	var argTypes []types.T
	switch {
	case fc.AggStar:
		if name != "count" {
			return 0, s.errAt(sqlerr.New(sqlerr.WrongObjectType, "%s(*) specified, but %s is not an aggregate function with no arguments", name, name), fc.Location)
		}
	case len(fc.Args) == 1:
		e, err := ab.bind(fc.Args[0])
		if err != nil {
			return 0, err
		}
		if e.Type().Kind == types.Unknown {
			switch name {
			case "count", "min", "max":
				e, err = expr.Cast(e, types.TextT)
			case "bool_and", "bool_or", "every":
				e, err = expr.Coerce(e, types.BoolT, "argument of "+name)
			}
			if err != nil {
				return 0, s.errAt(err, fc.Location)
			}
		}
		it.arg = e
		argTypes = []types.T{e.Type()}
	case len(fc.Args) == 2 && name == "string_agg":
		e, sep, err := stringAggArgs(ab, fc)
		if err != nil {
			return 0, err
		}
		it.arg, it.sep = e, sep
		argTypes = []types.T{e.Type()}
	case len(fc.Args) == 0 && name == "count":
		return 0, s.errAt(sqlerr.New(sqlerr.UndefinedFunction, "function count() does not exist"), fc.Location)
	default:
		return 0, s.notSupported(fmt.Sprintf("aggregate %s with %d arguments", name, len(fc.Args)), fc.Location)
	}
	if fc.AggFilter != nil {
		fb := ab.with()
		fb.noAgg = "FILTER"
		fb.inAggArg = false
		f, err := fb.bind(fc.AggFilter)
		if err != nil {
			return 0, err
		}
		if f, err = boolArg(f, "FILTER"); err != nil {
			return 0, s.errAt(err, nodeLocation(fc.AggFilter))
		}
		it.filter = f
	}
	if len(fc.AggOrder) > 0 {
		desc, err := arrayAggOrder(ab, fc, it.arg)
		if err != nil {
			return 0, err
		}
		it.desc = desc
	}
	res, err := exec.ResolveAggregate(name, argTypes)
	if err != nil {
		return 0, s.errAt(err, fc.Location)
	}
	it.result = res
	it.key = fmt.Sprintf("%s|%v|%s|%s|%v|%q", name, it.distinct, exprKey(it.arg), exprKey(it.filter), it.desc, it.sep)
	for i, x := range a.items {
		if x.key == it.key {
			return i, nil
		}
	}
	a.items = append(a.items, it)
	return len(a.items) - 1, nil
}

func exprKey(e expr.Expr) string {
	if e == nil {
		return ""
	}
	return e.String() + ":" + e.Type().String()
}

// match binds n after aggregation when it is an aggregate call or a group key; ok is false when
// n must be bound structurally (its parts are matched one by one).
func (a *aggState) match(b *bctx, n *pg_query.Node) (expr.Expr, bool, error) {
	if isAggregate(n) {
		i, err := a.register(n.GetFuncCall())
		if err != nil {
			return nil, true, err
		}
		return expr.Column(len(a.groups)+i, a.items[i].result), true, nil
	}
	switch n.Node.(type) {
	case *pg_query.Node_AConst, *pg_query.Node_ParamRef:
		return nil, false, nil
	}
	if containsAggregate(n) || containsSubLink(n) {
		return nil, false, nil
	}
	pb := a.pre.with()
	pb.in = nil
	e, err := pb.bind(n)
	if err != nil {
		if n.GetColumnRef() != nil {
			return nil, true, err
		}
		return nil, false, nil
	}
	str := e.String()
	for i, g := range a.groupStr {
		if g == str {
			return expr.Column(i, a.groups[i].Type()), true, nil
		}
	}
	if c, ok := colIndex(e); ok && c >= outerBase {
		// An outer reference of a subquery evaluated per domain value; remapped to the
		// domain's group key once the select list is bound.
		return e, true, nil
	}
	if n.GetColumnRef() != nil {
		c, ok := colIndex(e)
		if ok && c < len(a.pre.sc.cols) {
			return nil, true, b.s.errAt(groupingError(a.pre.sc.cols[c]), nodeLocation(n))
		}
		return nil, true, b.s.correlatedNotSupported(nodeLocation(n))
	}
	return nil, false, nil
}

// addDependentGroups adds, as group keys, the columns the query uses of a table whose primary
// key is grouped: PostgreSQL accepts them since they are functionally dependent on the key.
func (s *stmt) addDependentGroups(st *aggState, sc *scope, roots []*pg_query.Node) {
	grouped := map[int]bool{}
	for _, g := range st.groups {
		if c, ok := colIndex(g); ok {
			grouped[c] = true
		}
	}
	type rng struct {
		table string
		oid   uint32
	}
	full := map[rng]bool{}
	for _, r := range s.relations {
		if r.Kind != Table || len(r.PrimaryKey) == 0 {
			continue
		}
		seen := map[string]bool{}
		for _, c := range sc.cols {
			if c.tableOID != r.OID || seen[c.table] {
				continue
			}
			seen[c.table] = true
			all := true
			for _, k := range r.PrimaryKey {
				found := false
				for i, cc := range sc.cols {
					if cc.table == c.table && cc.tableOID == r.OID && int(cc.attnum) == k+1 && grouped[i] {
						found = true
					}
				}
				all = all && found
			}
			if all {
				full[rng{c.table, r.OID}] = true
			}
		}
	}
	if len(full) == 0 {
		return
	}
	pb := st.pre.with()
	pb.in = nil
	visit := func(n *pg_query.Node) bool {
		if n.GetSubLink() != nil || isAggregate(n) {
			return false
		}
		if cr := n.GetColumnRef(); cr != nil {
			if f := strs(cr.Fields); len(f) > 0 && f[len(f)-1] == "*" {
				idx, _ := s.expandStar(pb, f[:len(f)-1], cr.Location)
				for _, c := range idx {
					if !grouped[c] && full[rng{sc.cols[c].table, sc.cols[c].tableOID}] {
						st.addGroup(expr.Column(c, sc.cols[c].typ))
						grouped[c] = true
					}
				}
				return false
			}
			if e, err := pb.bind(n); err == nil {
				if c, ok := colIndex(e); ok && c < len(sc.cols) && !grouped[c] && full[rng{sc.cols[c].table, sc.cols[c].tableOID}] {
					st.addGroup(e)
					grouped[c] = true
				}
			}
			return false
		}
		return true
	}
	for _, root := range roots {
		if root != nil && visit(root) {
			walk(root, visit)
		}
	}
}
