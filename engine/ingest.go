package engine

import (
	"context"
	"fmt"

	"github.com/apache/arrow-go/v18/arrow"

	"github.com/runnel-db/runnel/exec/sqlerr"
	"github.com/runnel-db/runnel/exec/zset"
	"github.com/runnel-db/runnel/planner"
)

// Insert appends rows to a table as one epoch: cols are Arrow columns in the table's column order,
// of the Arrow types of its SQL types (borrowed). It is the bulk path COPY and connectors use; the
// rows are checked (NOT NULL, primary key) like INSERT's and every dependent view is updated in
// the same commit.
func (e *Engine) Insert(ctx context.Context, table string, cols []arrow.Array) error {
	e.mu.RLock()
	o := e.cat.lookup("", table)
	e.mu.RUnlock()
	if o == nil {
		return sqlerr.New(sqlerr.UndefinedTable, "relation %q does not exist", table)
	}
	if o.Kind != planner.Table {
		return sqlerr.New(sqlerr.WrongObjectType, "cannot insert into %s %q", kindName(o.Kind), o.Name)
	}
	if len(cols) != len(o.Columns) {
		return fmt.Errorf("insert into %s: %d columns given, the table has %d", o.Name, len(cols), len(o.Columns))
	}
	for i, c := range cols {
		if want := o.Columns[i].Type.ArrowType(); !arrow.TypeEqual(c.DataType(), want) {
			return fmt.Errorf("insert into %s: column %s is %s, want %s", o.Name, o.Columns[i].Name, c.DataType(), want)
		}
	}
	rows := onesBatch(e.mem, cols)
	defer rows.Release()
	return e.insertRows(ctx, o, rows)
}

// insertRows checks rows (weights +1, borrowed) against o's constraints and commits them as
// one epoch.
func (e *Engine) insertRows(ctx context.Context, o *object, rows zset.Batch) error {
	if err := checkNotNull(o, rows); err != nil {
		return err
	}
	rows.Retain()
	delta := zset.Consolidate(e.mem, rows)
	e.writeMu.Lock()
	defer e.writeMu.Unlock()
	e.mu.RLock()
	current := e.cat.byID[o.ID]
	e.mu.RUnlock()
	if current == nil {
		delta.Release()
		return sqlerr.New(sqlerr.UndefinedTable, "relation %q does not exist", o.Name)
	}
	return e.runEpoch(ctx, func(tx *epochTx) error { return tx.applyTable(current, delta) })
}
