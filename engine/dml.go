package engine

import (
	"context"
	"fmt"
	"strings"

	"github.com/apache/arrow-go/v18/arrow"
	"github.com/apache/arrow-go/v18/arrow/array"

	"github.com/runnel-db/runnel/exec/expr"
	"github.com/runnel-db/runnel/exec/sqlerr"
	"github.com/runnel-db/runnel/exec/types"
	"github.com/runnel-db/runnel/exec/zset"
	"github.com/runnel-db/runnel/planner"
	"github.com/runnel-db/runnel/sql"
)

// DML: INSERT, UPDATE and DELETE each compute a table delta from a planned query over the
// committed contents (read under the write lock, so no other write interleaves), check it, and
// commit it as one epoch together with every view it changes.

type dmlKind int

const (
	dmlInsert dmlKind = iota
	dmlUpdate
	dmlDelete
)

type dmlExec struct {
	kind       dmlKind
	st         sql.Statement
	paramTypes []types.T
	// first is the plan made while binding, kept for the first execution if the catalog has not
	// changed since (catalogVersion): plans hold single-use dataflow state, so later executions
	// plan again.
	first          *dmlPlan
	catalogVersion uint64
}

func (s *Session) bindInsert(st sql.Statement, paramTypes []types.T, p *Prepared) (executor, error) {
	return s.bindDML(dmlInsert, st, paramTypes, p)
}

func (s *Session) bindUpdate(st sql.Statement, paramTypes []types.T, p *Prepared) (executor, error) {
	return s.bindDML(dmlUpdate, st, paramTypes, p)
}

func (s *Session) bindDelete(st sql.Statement, paramTypes []types.T, p *Prepared) (executor, error) {
	return s.bindDML(dmlDelete, st, paramTypes, p)
}

func (s *Session) bindDML(kind dmlKind, st sql.Statement, paramTypes []types.T, p *Prepared) (executor, error) {
	s.e.mu.RLock()
	plan, err := planDML(s.e.planner(), kind, st, paramTypes)
	version := s.e.cat.version
	s.e.mu.RUnlock()
	if err != nil {
		return nil, err
	}
	p.ParamTypes = resolvedParams(plan.paramTypes)
	if plan.returning != nil {
		p.Columns = outputColumns(plan.returningColumns)
	}
	x := &dmlExec{kind: kind, st: st, paramTypes: p.ParamTypes}
	if typesEqual(p.ParamTypes, plan.paramTypes) {
		x.first, x.catalogVersion = plan, version
	}
	return x, nil
}

// typesEqual reports whether two type lists are the same.
func typesEqual(a, b []types.T) bool {
	if len(a) != len(b) {
		return false
	}
	for i := range a {
		if a[i] != b[i] {
			return false
		}
	}
	return true
}

// dmlPlan unifies the planner's Insert, Update and Delete.
type dmlPlan struct {
	table            *planner.Relation
	rows             *planner.Query
	returning        []expr.Expr
	returningColumns []planner.OutputColumn
	paramTypes       []types.T
}

func planDML(p *planner.Planner, kind dmlKind, st sql.Statement, paramTypes []types.T) (*dmlPlan, error) {
	switch kind {
	case dmlInsert:
		ins, err := p.PlanInsert(st, paramTypes)
		if err != nil {
			return nil, err
		}
		return &dmlPlan{ins.Table, ins.Source, ins.Returning, ins.ReturningColumns, ins.ParamTypes}, nil
	case dmlUpdate:
		up, err := p.PlanUpdate(st, paramTypes)
		if err != nil {
			return nil, err
		}
		return &dmlPlan{up.Table, up.Rows, up.Returning, up.ReturningColumns, up.ParamTypes}, nil
	default:
		del, err := p.PlanDelete(st, paramTypes)
		if err != nil {
			return nil, err
		}
		return &dmlPlan{del.Table, del.Rows, del.Returning, del.ReturningColumns, del.ParamTypes}, nil
	}
}

func (x *dmlExec) execute(ctx context.Context, s *Session, params []types.Datum) (*Result, error) {
	e := s.e
	ectx := e.evalContext(s, params)
	e.writeMu.Lock()
	defer e.writeMu.Unlock()

	e.mu.RLock()
	plan := x.first
	x.first = nil
	if plan != nil && x.catalogVersion != e.cat.version {
		plan.rows.Graph.Release()
		plan = nil
	}
	if plan == nil {
		var err error
		if plan, err = planDML(e.planner(), x.kind, x.st, x.paramTypes); err != nil {
			e.mu.RUnlock()
			return nil, err
		}
	}
	table := e.cat.byID[plan.table.ID]
	if table == nil || table.Kind != planner.Table {
		e.mu.RUnlock()
		return nil, sqlerr.New(sqlerr.WrongObjectType, "cannot change relation %q", plan.table.Name)
	}
	snap, err := e.readSnapshot(plan.rows.Graph.Inputs())
	if err != nil {
		e.mu.RUnlock()
		return nil, err
	}
	in, err := e.inputContents(plan.rows.Graph, snap, ectx)
	snap.Close()
	e.mu.RUnlock()
	if err != nil {
		return nil, err
	}
	rows, err := runQuery(ctx, ectx, plan.rows, in)
	releaseAll(in)
	if err != nil {
		return nil, err
	}
	defer rows.Release()

	n := len(table.Columns)
	var changed, returned zset.Batch // changed: the table delta; returned: rows RETURNING sees
	switch x.kind {
	case dmlInsert:
		if err := checkNotNull(table, rows); err != nil {
			return nil, err
		}
		rows.Retain()
		changed, returned = rows, rows
		returned.Retain()
	case dmlUpdate:
		oldRows := project(rows, 0, n, -1, e)
		newRows := project(rows, n, 2*n, 1, e)
		defer oldRows.Release()
		if err := checkNotNull(table, newRows); err != nil {
			newRows.Release()
			return nil, err
		}
		changed = zset.Concat(e.mem, []zset.Batch{oldRows, newRows})
		returned = newRows
	case dmlDelete:
		changed = project(rows, 0, n, -1, e)
		returned = rows
		returned.Retain()
	}
	defer returned.Release()
	count := rows.NumRows()
	tag := [...]string{"INSERT 0 %d", "UPDATE %d", "DELETE %d"}[x.kind]
	res := &Result{Tag: fmt.Sprintf(tag, count)}
	// RETURNING is evaluated before the commit, so that an error in it fails the whole statement.
	if plan.returning != nil {
		out, err := evalProjection(ectx, plan.returning, returned)
		if err != nil {
			changed.Release()
			return nil, err
		}
		res.Columns = outputColumns(plan.returningColumns)
		res.Rows = &batchRows{b: out}
	}
	delta := zset.Consolidate(e.mem, changed)
	err = e.runEpoch(ctx, func(tx *epochTx) error { return tx.applyTable(table, delta) })
	if err != nil {
		if res.Rows != nil {
			res.Rows.Close()
		}
		return nil, err
	}
	return res, nil
}

// project returns columns [lo, hi) of b with every weight multiplied by sign.
func project(b zset.Batch, lo, hi int, sign int64, e *Engine) zset.Batch {
	wb := array.NewInt64Builder(e.mem)
	defer wb.Release()
	for _, w := range b.Weights() {
		wb.Append(w * sign)
	}
	w := wb.NewArray()
	defer w.Release()
	return zset.New(b.Cols()[lo:hi], w)
}

// evalProjection evaluates exprs over b's columns into a new batch with b's weights.
func evalProjection(ctx *expr.Context, exprs []expr.Expr, b zset.Batch) (zset.Batch, error) {
	cols := make([]arrow.Array, 0, len(exprs))
	defer func() {
		for _, c := range cols {
			c.Release()
		}
	}()
	for _, x := range exprs {
		c, err := x.Eval(ctx, b.Cols(), b.NumRows())
		if err != nil {
			return zset.Batch{}, err
		}
		cols = append(cols, c)
	}
	return zset.New(cols, b.WeightArray()), nil
}

// checkNotNull rejects rows with NULL in a NOT NULL column (23502), as PostgreSQL words it.
func checkNotNull(o *object, b zset.Batch) error {
	for i, c := range o.Columns {
		if !c.NotNull {
			continue
		}
		col := b.Col(i)
		if col.NullN() == 0 {
			continue
		}
		for r := 0; r < b.NumRows(); r++ {
			if col.IsNull(r) {
				return &sqlerr.Error{Code: sqlerr.NotNullViolation,
					Message: fmt.Sprintf("null value in column %q of relation %q violates not-null constraint", c.Name, o.Name),
					Detail:  "Failing row contains " + describeRow(o, b, r) + "."}
			}
		}
	}
	return nil
}

// describeRow renders a row as PostgreSQL's "Failing row contains (1, null, x)".
func describeRow(o *object, b zset.Batch, r int) string {
	parts := make([]string, len(o.Columns))
	for i, c := range o.Columns {
		if b.Col(i).IsNull(r) {
			parts[i] = "null"
		} else {
			parts[i] = string(types.AppendText(nil, b.Col(i), r, c.Type, nil))
		}
	}
	return "(" + strings.Join(parts, ", ") + ")"
}
