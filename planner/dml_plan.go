package planner

import (
	pg_query "github.com/pganalyze/pg_query_go/v6"

	"github.com/runnel-db/runnel/exec/expr"
	"github.com/runnel-db/runnel/exec/sqlerr"
	"github.com/runnel-db/runnel/exec/types"
	"github.com/runnel-db/runnel/sql"
)

// PlanInsert plans INSERT INTO t [(cols)] VALUES … | SELECT … | DEFAULT VALUES [RETURNING …].
func (p *Planner) PlanInsert(st sql.Statement, paramTypes []types.T) (*Insert, error) {
	ins := st.AST.GetInsertStmt()
	if ins == nil {
		return nil, sqlerr.New(sqlerr.Internal, "planner: PlanInsert needs an INSERT statement")
	}
	s := newStmt(p, st.Text, paramTypes, false)
	if ins.WithClause != nil {
		return nil, s.notSupported("WITH in INSERT", ins.WithClause.Location)
	}
	if ins.OnConflictClause != nil {
		return nil, s.notSupported("INSERT ... ON CONFLICT", ins.OnConflictClause.Location)
	}
	t, err := s.targetTable(ins.Relation, "insert into")
	if err != nil {
		return nil, err
	}
	// targets[k] is the table column the k-th value goes to.
	var targets []int
	var targetLocs []int32
	if len(ins.Cols) == 0 {
		for i := range t.Columns {
			targets = append(targets, i)
			targetLocs = append(targetLocs, -1)
		}
	} else {
		seen := map[int]bool{}
		for _, c := range ins.Cols {
			rt := c.GetResTarget()
			if len(rt.Indirection) > 0 {
				return nil, s.notSupported("INSERT into array elements or fields", rt.Location)
			}
			i, err := s.columnOf(t, rt.Name, rt.Location)
			if err != nil {
				return nil, err
			}
			if seen[i] {
				return nil, s.errAt(sqlerr.New(sqlerr.DuplicateColumn, "column %q specified more than once", rt.Name), rt.Location)
			}
			seen[i] = true
			targets = append(targets, i)
			targetLocs = append(targetLocs, rt.Location)
		}
	}
	ts := tableTypes(t)
	var src rel
	sel := ins.SelectStmt.GetSelectStmt()
	switch {
	case sel == nil:
		row := make([]expr.Expr, len(t.Columns))
		for i := range row {
			if row[i], err = s.defaultOf(t, i); err != nil {
				return nil, err
			}
		}
		src, err = dmlValues([][]expr.Expr{row}, ts)
	case len(sel.ValuesLists) > 0 && sel.WithClause == nil && len(sel.SortClause) == 0 && sel.LimitCount == nil && sel.LimitOffset == nil:
		src, err = s.insertValues(t, sel, targets, targetLocs, len(ins.Cols) > 0)
	default:
		src, err = s.insertSelect(t, sel, targets, targetLocs, len(ins.Cols) > 0)
	}
	if err != nil {
		return nil, err
	}
	ret, retCols, err := s.returning(ins.ReturningList, t, ins.Relation)
	if err != nil {
		return nil, err
	}
	q, err := s.query(src, tableColumns(t))
	if err != nil {
		return nil, err
	}
	pt := s.finishParams()
	q.ParamTypes = pt
	return &Insert{Table: t, Source: q, Returning: ret, ReturningColumns: retCols, ParamTypes: pt}, nil
}

func tooManyExpressions() *sqlerr.Error {
	return sqlerr.New(sqlerr.SyntaxError, "INSERT has more expressions than target columns")
}

func tooManyTargets() *sqlerr.Error {
	return sqlerr.New(sqlerr.SyntaxError, "INSERT has more target columns than expressions")
}

func (s *stmt) insertValues(t *Relation, sel *pg_query.SelectStmt, targets []int, locs []int32, explicit bool) (rel, error) {
	b := &bctx{s: s, env: s.rootEnv(), sc: &scope{}, noAgg: "VALUES"}
	var rows [][]expr.Expr
	// Rows with subqueries are planned one by one, each over its own one-row input.
	var subRows []rel
	for _, l := range sel.ValuesLists {
		items := l.GetList().GetItems()
		var in rel
		b.in = nil
		if rowHasSubLink(items) {
			in = oneRow()
			b.in = &in
		}
		if len(items) > len(targets) {
			return nil, s.errAt(tooManyExpressions(), nodeLocation(items[len(targets)]))
		}
		if len(items) < len(targets) && explicit {
			return nil, s.errAt(tooManyTargets(), locs[len(items)])
		}
		row := make([]expr.Expr, len(t.Columns))
		for k, it := range items {
			i := targets[k]
			if it.GetSetToDefault() != nil {
				d, err := s.defaultOf(t, i)
				if err != nil {
					return nil, err
				}
				row[i] = d
				continue
			}
			e, err := b.bind(it)
			if err != nil {
				return nil, err
			}
			if row[i], err = s.assign(t, i, e, nodeLocation(it)); err != nil {
				return nil, err
			}
		}
		for i := range row {
			if row[i] == nil {
				d, err := s.defaultOf(t, i)
				if err != nil {
					return nil, err
				}
				row[i] = d
			}
		}
		if in != nil {
			subRows = append(subRows, &projectRel{in: in, exprs: row})
			continue
		}
		rows = append(rows, row)
	}
	if len(subRows) == 0 {
		return dmlValues(rows, tableTypes(t))
	}
	if len(rows) > 0 {
		r, err := dmlValues(rows, tableTypes(t))
		if err != nil {
			return nil, err
		}
		subRows = append(subRows, r)
	}
	if len(subRows) == 1 {
		return subRows[0], nil
	}
	return &unionRel{ins: subRows}, nil
}

// dmlValues is valuesPlan for rows already of the column types.
func dmlValues(rows [][]expr.Expr, ts []types.T) (rel, error) {
	for _, row := range rows {
		for _, x := range row {
			if _, ok := expr.ConstValue(x); !ok {
				return &valuesRel{rows: rows, ts: ts}, nil
			}
		}
	}
	return valuesPlan(rows, ts)
}

func (s *stmt) insertSelect(t *Relation, sel *pg_query.SelectStmt, targets []int, locs []int32, explicit bool) (rel, error) {
	bq, err := s.bindSelect(sel, s.rootEnv(), nil, modeSub)
	if err != nil {
		return nil, err
	}
	if len(bq.cols) > len(targets) {
		return nil, s.errAt(tooManyExpressions(), firstTargetLoc(sel))
	}
	if len(bq.cols) < len(targets) && explicit {
		return nil, s.errAt(tooManyTargets(), locs[len(bq.cols)])
	}
	exprs := make([]expr.Expr, len(t.Columns))
	for k, c := range bq.cols {
		i := targets[k]
		if exprs[i], err = s.assign(t, i, expr.Column(k, c.typ), targetLoc(sel, k)); err != nil {
			return nil, err
		}
	}
	for i := range exprs {
		if exprs[i] == nil {
			if exprs[i], err = s.defaultOf(t, i); err != nil {
				return nil, err
			}
		}
	}
	return &projectRel{in: bq.r, exprs: exprs}, nil
}

// dmlInput binds the target table of UPDATE/DELETE filtered by WHERE; the returned rel starts
// with the table's columns.
func (s *stmt) dmlInput(t *Relation, rv *pg_query.RangeVar, where *pg_query.Node) (*bctx, error) {
	sc := tableScope(t, rv)
	var r rel = &scanRel{r: t, ts: tableTypes(t)}
	b := &bctx{s: s, env: s.rootEnv(), sc: sc}
	b.in = &r
	if where != nil {
		bw := b.with()
		bw.noAgg = "WHERE"
		var preds []pred
		for _, conj := range splitAnd(where) {
			if ok, err := bw.whereSubquery(conj); err != nil {
				return nil, err
			} else if ok {
				continue
			}
			p, err := bw.bindPred(conj, "WHERE")
			if err != nil {
				return nil, err
			}
			preds = append(preds, p)
		}
		r = filter(r, preds)
	}
	return b, nil
}

// PlanUpdate plans UPDATE t SET … [WHERE …] [RETURNING …].
func (p *Planner) PlanUpdate(st sql.Statement, paramTypes []types.T) (*Update, error) {
	up := st.AST.GetUpdateStmt()
	if up == nil {
		return nil, sqlerr.New(sqlerr.Internal, "planner: PlanUpdate needs an UPDATE statement")
	}
	s := newStmt(p, st.Text, paramTypes, false)
	if len(up.FromClause) > 0 {
		return nil, s.notSupported("UPDATE ... FROM", nodeLocation(up.FromClause[0]))
	}
	if up.WithClause != nil {
		return nil, s.notSupported("WITH in UPDATE", up.WithClause.Location)
	}
	t, err := s.targetTable(up.Relation, "update")
	if err != nil {
		return nil, err
	}
	b, err := s.dmlInput(t, up.Relation, up.WhereClause)
	if err != nil {
		return nil, err
	}
	n := len(t.Columns)
	newVals := identity(tableTypes(t))
	set := map[int]bool{}
	sb := b.with()
	sb.noAgg = "UPDATE"
	for _, x := range up.TargetList {
		rt := x.GetResTarget()
		if len(rt.Indirection) > 0 {
			return nil, s.notSupported("UPDATE of array elements or fields", rt.Location)
		}
		if rt.Val.GetMultiAssignRef() != nil {
			return nil, s.notSupported("multiple-column UPDATE assignments", rt.Location)
		}
		i, err := s.columnOf(t, rt.Name, rt.Location)
		if err != nil {
			return nil, err
		}
		if set[i] {
			return nil, s.errAt(sqlerr.New(sqlerr.SyntaxError, "multiple assignments to same column %q", rt.Name), rt.Location)
		}
		set[i] = true
		if rt.Val.GetSetToDefault() != nil {
			if newVals[i], err = s.defaultOf(t, i); err != nil {
				return nil, err
			}
			continue
		}
		e, err := sb.bind(rt.Val)
		if err != nil {
			return nil, err
		}
		if newVals[i], err = s.assign(t, i, e, nodeLocation(rt.Val)); err != nil {
			return nil, err
		}
	}
	out := append(identity(tableTypes(t)), newVals...)
	cols := append(tableColumns(t), tableColumns(t)...)
	ret, retCols, err := s.returning(up.ReturningList, t, up.Relation)
	if err != nil {
		return nil, err
	}
	q, err := s.query(&projectRel{in: *b.in, exprs: out}, cols[:2*n])
	if err != nil {
		return nil, err
	}
	pt := s.finishParams()
	q.ParamTypes = pt
	return &Update{Table: t, Rows: q, Returning: ret, ReturningColumns: retCols, ParamTypes: pt}, nil
}

// PlanDelete plans DELETE FROM t [WHERE …] [RETURNING …].
func (p *Planner) PlanDelete(st sql.Statement, paramTypes []types.T) (*Delete, error) {
	del := st.AST.GetDeleteStmt()
	if del == nil {
		return nil, sqlerr.New(sqlerr.Internal, "planner: PlanDelete needs a DELETE statement")
	}
	s := newStmt(p, st.Text, paramTypes, false)
	if len(del.UsingClause) > 0 {
		return nil, s.notSupported("DELETE ... USING", nodeLocation(del.UsingClause[0]))
	}
	if del.WithClause != nil {
		return nil, s.notSupported("WITH in DELETE", del.WithClause.Location)
	}
	t, err := s.targetTable(del.Relation, "delete from")
	if err != nil {
		return nil, err
	}
	b, err := s.dmlInput(t, del.Relation, del.WhereClause)
	if err != nil {
		return nil, err
	}
	ret, retCols, err := s.returning(del.ReturningList, t, del.Relation)
	if err != nil {
		return nil, err
	}
	q, err := s.query(project(*b.in, identity(tableTypes(t))), tableColumns(t))
	if err != nil {
		return nil, err
	}
	pt := s.finishParams()
	q.ParamTypes = pt
	return &Delete{Table: t, Rows: q, Returning: ret, ReturningColumns: retCols, ParamTypes: pt}, nil
}

// targetLoc is the location of the k-th select-list item of a simple SELECT, or -1.
func targetLoc(sel *pg_query.SelectStmt, k int) int32 {
	if sel.Op != pg_query.SetOperation_SETOP_NONE || k >= len(sel.TargetList) {
		return firstTargetLoc(sel)
	}
	return nodeLocation(sel.TargetList[k].GetResTarget().GetVal())
}
