package planner

import (
	"fmt"

	pg_query "github.com/pganalyze/pg_query_go/v6"

	"github.com/runnel-db/runnel/exec"
	"github.com/runnel-db/runnel/exec/expr"
	"github.com/runnel-db/runnel/exec/sqlerr"
	"github.com/runnel-db/runnel/exec/types"
)

// bindSetOp binds UNION / INTERSECT / EXCEPT [ALL].
func (s *stmt) bindSetOp(sel *pg_query.SelectStmt, e *env) (*boundQuery, error) {
	var opName string
	switch sel.Op {
	case pg_query.SetOperation_SETOP_UNION:
		opName = "UNION"
	case pg_query.SetOperation_SETOP_INTERSECT:
		opName = "INTERSECT"
	default:
		opName = "EXCEPT"
	}
	l, err := s.bindSelect(sel.Larg, e, nil, modeSub)
	if err != nil {
		return nil, err
	}
	r, err := s.bindSelect(sel.Rarg, e, nil, modeSub)
	if err != nil {
		return nil, err
	}
	if len(l.cols) != len(r.cols) {
		return nil, s.errAt(sqlerr.New(sqlerr.SyntaxError, "each %s query must have the same number of columns", opName), firstTargetLoc(sel.Rarg))
	}
	ts := make([]types.T, len(l.cols))
	for i := range l.cols {
		t, err := expr.CommonType([]types.T{l.cols[i].typ, r.cols[i].typ}, opName)
		if err != nil {
			return nil, s.errAt(err, firstTargetLoc(sel.Rarg))
		}
		if t.Kind == types.Unknown {
			t = types.TextT
		}
		ts[i] = t
	}
	lr, err := castTo(l.r, len(l.cols), ts)
	if err != nil {
		return nil, err
	}
	rr, err := castTo(r.r, len(r.cols), ts)
	if err != nil {
		return nil, err
	}
	cols := make([]colInfo, len(ts))
	for i, c := range l.cols {
		cols[i] = colInfo{name: c.name, typ: ts[i]}
	}
	var out rel
	switch {
	case sel.Op == pg_query.SetOperation_SETOP_UNION:
		var ins []rel
		for _, x := range []rel{lr, rr} {
			if u, ok := x.(*unionRel); ok {
				ins = append(ins, u.ins...)
			} else {
				ins = append(ins, x)
			}
		}
		out = &unionRel{ins: ins}
		if !sel.All {
			out = &distinctRel{in: out}
		}
	case sel.Op == pg_query.SetOperation_SETOP_INTERSECT:
		kind := exec.Intersect
		if sel.All {
			kind = exec.IntersectAll
		}
		out = &setOpRel{kind: kind, l: lr, r: rr}
	default:
		kind := exec.Except
		if sel.All {
			kind = exec.ExceptAll
		}
		out = &setOpRel{kind: kind, l: lr, r: rr}
	}
	return &boundQuery{r: out, cols: cols}, nil
}

func firstTargetLoc(sel *pg_query.SelectStmt) int32 {
	for sel != nil && sel.Op != pg_query.SetOperation_SETOP_NONE && sel.Larg != nil {
		sel = sel.Larg
	}
	if sel != nil && len(sel.TargetList) > 0 {
		return nodeLocation(sel.TargetList[0].GetResTarget().GetVal())
	}
	return -1
}

// castTo projects the first n columns of r to types ts (r itself when they already match).
func castTo(r rel, n int, ts []types.T) (rel, error) {
	have := r.types()
	exprs := make([]expr.Expr, n)
	for i := 0; i < n; i++ {
		var e expr.Expr = expr.Column(i, have[i])
		if have[i] != ts[i] {
			var err error
			if e, err = expr.Cast(e, ts[i]); err != nil {
				return nil, err
			}
		}
		exprs[i] = e
	}
	return project(r, exprs), nil
}

// bindValues binds a VALUES list: a constant relation when every value is known at plan time,
// otherwise rows evaluated when the graph runs.
func (s *stmt) bindValues(sel *pg_query.SelectStmt, e *env) (*boundQuery, error) {
	b := &bctx{s: s, env: e, sc: &scope{}, noAgg: "VALUES"}
	var rows [][]expr.Expr
	width := -1
	for _, l := range sel.ValuesLists {
		items := l.GetList().GetItems()
		if width >= 0 && len(items) != width {
			return nil, s.errAt(sqlerr.New(sqlerr.SyntaxError, "VALUES lists must all be the same length"), nodeLocation(items[0]))
		}
		width = len(items)
		row, err := b.bindList(items)
		if err != nil {
			return nil, err
		}
		rows = append(rows, row)
	}
	ts := make([]types.T, width)
	for j := range ts {
		col := make([]types.T, len(rows))
		for i, row := range rows {
			col[i] = row[j].Type()
		}
		t, err := expr.CommonType(col, "VALUES")
		if err != nil {
			return nil, s.errAt(err, nodeLocation(sel.ValuesLists[0].GetList().GetItems()[j]))
		}
		if t.Kind == types.Unknown {
			t = types.TextT
		}
		ts[j] = t
	}
	r, err := valuesPlan(rows, ts)
	if err != nil {
		return nil, err
	}
	cols := make([]colInfo, width)
	for j := range cols {
		cols[j] = colInfo{name: fmt.Sprintf("column%d", j+1), typ: ts[j]}
	}
	return &boundQuery{r: r, cols: cols, atMostOneRow: len(rows) == 1, oneRow: len(rows) == 1}, nil
}

// valuesPlan casts rows to ts and builds a constRel when all values are constants, a
// valuesRel otherwise.
func valuesPlan(rows [][]expr.Expr, ts []types.T) (rel, error) {
	allConst := true
	for _, row := range rows {
		for j, x := range row {
			if x.Type() != ts[j] {
				c, err := expr.Cast(x, ts[j])
				if err != nil {
					return nil, err
				}
				row[j] = c
			}
			if _, ok := expr.ConstValue(row[j]); !ok {
				allConst = false
			}
		}
	}
	if !allConst {
		return &valuesRel{rows: rows, ts: ts}, nil
	}
	data := make([][]types.Datum, len(rows))
	for i, row := range rows {
		data[i] = make([]types.Datum, len(row))
		for j, x := range row {
			data[i][j], _ = expr.ConstValue(x)
		}
	}
	return &constRel{rows: data, ts: ts}, nil
}
