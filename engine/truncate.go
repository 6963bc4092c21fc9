package engine

import (
	"context"

	pg_query "github.com/pganalyze/pg_query_go/v6"

	"github.com/runnel-db/runnel/exec/sqlerr"
	"github.com/runnel-db/runnel/exec/types"
	"github.com/runnel-db/runnel/planner"
	"github.com/runnel-db/runnel/sql"
)

// TRUNCATE t [, …]: empties the tables in one epoch; dependent views update like for DELETE.

type truncateExec struct {
	st   sql.Statement
	stmt *pg_query.TruncateStmt
}

func (*truncateExec) writes() {}

func (x *truncateExec) execute(ctx context.Context, s *Session, _ []types.Datum) (*Result, error) {
	e := s.e
	if x.stmt.RestartSeqs {
		return nil, sqlerr.NotSupported("TRUNCATE … RESTART IDENTITY")
	}
	e.writeMu.Lock()
	defer e.writeMu.Unlock()
	var tables []*object
	for _, n := range x.stmt.Relations {
		rv := n.GetRangeVar()
		schema, name, err := relationName(x.st, rv)
		if err != nil {
			return nil, err
		}
		e.mu.RLock()
		o := e.cat.lookup(schema, name)
		e.mu.RUnlock()
		if o == nil {
			return nil, sqlerr.New(sqlerr.UndefinedTable, "relation %q does not exist", name).At(sql.Position(x.st.Text, int(rv.Location)))
		}
		if o.Kind != planner.Table {
			return nil, sqlerr.New(sqlerr.WrongObjectType, "%q is not a table", name)
		}
		tables = append(tables, o)
	}
	snap := e.db.NewSnapshot()
	defer snap.Close()
	err := e.runEpoch(ctx, func(tx *epochTx) error {
		for _, o := range tables {
			all, err := layoutOf(o).readAll(snap, e.mem, arrowTypes(o.columnTypes()))
			if err != nil {
				return err
			}
			neg := project(all, 0, all.NumCols(), -1, e)
			all.Release()
			if err := tx.applyTable(o, neg); err != nil {
				return err
			}
		}
		return nil
	})
	if err != nil {
		return nil, err
	}
	return &Result{Tag: "TRUNCATE TABLE"}, nil
}
