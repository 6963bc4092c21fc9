package planner

import (
	pg_query "github.com/pganalyze/pg_query_go/v6"

	"github.com/runnel-db/runnel/exec"
	"github.com/runnel-db/runnel/exec/expr"
	"github.com/runnel-db/runnel/exec/sqlerr"
	"github.com/runnel-db/runnel/exec/types"
)

// joinDomain joins a correlated aggregating subquery's input *r with a placeholder domain of
// its outer references refs, on the correlated conditions corrPreds (over *r's columns, with
// Column(outerBase+j) for outer column refs[j]). The domain's columns are appended to *r and,
// hidden, to sc; keys are those columns, to be grouped by.
func joinDomain(r *rel, sc, outer *scope, refs []int, corrPreds []pred) (*projectRel, rel, []expr.Expr) {
	nr := len((*r).types())
	ts := make([]types.T, len(refs))
	for j, c := range refs {
		ts[j] = outer.cols[c].typ
	}
	dom, domRel := newDomain(ts)
	preds := make([]pred, len(corrPreds))
	for i, q := range corrPreds {
		preds[i] = remapPred(q, remapWidth(q.e, func(c int) int {
			if c >= outerBase {
				return nr + c - outerBase
			}
			return c
		}))
	}
	if lat, ok := lateralDomain(*r, domRel, len(ts)); ok {
		// A function in FROM reads the correlation columns: the domain is joined below it.
		*r = filter(lat, preds)
	} else {
		*r = &joinRel{kind: exec.InnerJoin, left: *r, right: domRel, residual: preds}
	}
	// Keep the scope as wide as the plan (subqueries of the WHERE clause may have added
	// columns), so that the domain's hidden columns sit at their plan positions.
	for _, t := range (*r).types()[len(sc.cols):nr] {
		sc.cols = append(sc.cols, colInfo{typ: t, hidden: true})
	}
	keys := make([]expr.Expr, len(ts))
	for j, t := range ts {
		keys[j] = expr.Column(nr+j, t)
		sc.cols = append(sc.cols, colInfo{typ: t, hidden: true})
	}
	return dom, domRel, keys
}

// groupPositions returns the index of each key among the aggregation's group keys.
func groupPositions(st *aggState, keys []expr.Expr) ([]int, error) {
	out := make([]int, len(keys))
	for j, k := range keys {
		out[j] = -1
		ks := k.String()
		for g, s := range st.groupStr {
			if s == ks {
				out[j] = g
			}
		}
		if out[j] < 0 {
			return nil, sqlerr.New(sqlerr.Internal, "correlation domain column %s is not grouped", ks)
		}
	}
	return out, nil
}

// domainGroups gives every domain value its group when the subquery aggregates without GROUP
// BY, as SQL evaluates an aggregate over no rows: dom LEFT JOIN the aggregation on the domain
// columns, with count() results 0 and every other aggregate NULL for a value no row matched.
// The result has the aggregation's layout (group keys ++ aggregates).
func domainGroups(dom rel, agg rel, st *aggState, domCols []int) (rel, error) {
	k := len(domCols)
	dt, at := dom.types(), agg.types()
	jr, err := joinOnDomain(exec.LeftJoin, dom, firstCols(k), agg, domCols)
	if err != nil {
		return nil, err
	}
	ng := len(st.groups)
	exprs := make([]expr.Expr, len(at))
	for i, t := range at {
		exprs[i] = expr.Column(k+i, t)
	}
	for j, g := range domCols {
		exprs[g] = expr.Column(j, dt[j])
	}
	for a, it := range st.items {
		if it.name != "count" {
			continue
		}
		c, err := expr.Coalesce([]expr.Expr{exprs[ng+a], expr.Const(int64(0), types.Int64T)})
		if err != nil {
			return nil, err
		}
		exprs[ng+a] = c
	}
	return project(jr, exprs), nil
}

// prescanOuter registers the outer columns that sel's select list and HAVING clause reference
// (outside nested subqueries), so that the domain is built with them, and reports whether there
// are any.
func (b *bctx) prescanOuter(sel *pg_query.SelectStmt) bool {
	found := false
	visit := func(n *pg_query.Node) bool {
		if n.GetSubLink() != nil {
			return false
		}
		cr := n.GetColumnRef()
		if cr == nil {
			return true
		}
		f := strs(cr.Fields)
		var schema, table, name string
		switch len(f) {
		case 1:
			name = f[0]
		case 2:
			table, name = f[0], f[1]
		case 3:
			schema, table, name = f[0], f[1], f[2]
		default:
			return false
		}
		if name == "*" {
			return false
		}
		if i, _, err := b.sc.lookup(schema, table, name); err != nil || i >= 0 {
			return false
		}
		if i, _, err := b.corr.outer.lookup(schema, table, name); err == nil && i >= 0 {
			b.corr.ref(i)
			found = true
		}
		return false
	}
	roots := []*pg_query.Node{sel.HavingClause}
	for _, t := range sel.TargetList {
		roots = append(roots, t.GetResTarget().GetVal())
	}
	for _, root := range roots {
		if root != nil && visit(root) {
			walk(root, visit)
		}
	}
	return found
}

// remapOuter replaces the outer column references Column(outerBase+k) of e by Column(to[k]).
func remapOuter(e expr.Expr, to []int) (expr.Expr, error) {
	if !usesOuter(e) {
		return e, nil
	}
	for _, c := range expr.Columns(e) {
		if c >= outerBase && c-outerBase >= len(to) {
			return nil, &sqlerr.Error{Code: sqlerr.FeatureNotSupported, Message: "this form of correlated subquery is not supported"}
		}
	}
	return expr.Remap(e, remapWidth(e, func(c int) int {
		if c >= outerBase {
			return to[c-outerBase]
		}
		return c
	})), nil
}

func remapOuterPreds(ps []pred, to []int) ([]pred, error) {
	out := make([]pred, len(ps))
	for i, p := range ps {
		e, err := remapOuter(p.e, to)
		if err != nil {
			return nil, err
		}
		out[i] = pred{e: e, strict: p.strict}
	}
	return out, nil
}
