package engine

import (
	"context"
	"strings"

	pg_query "github.com/pganalyze/pg_query_go/v6"

	"github.com/runnel-db/runnel/exec/sqlerr"
	"github.com/runnel-db/runnel/exec/types"
	"github.com/runnel-db/runnel/planner"
	"github.com/runnel-db/runnel/sql"
)

// SHOW TABLES | VIEWS | MATERIALIZED VIEWS, SHOW CREATE …, EXPLAIN and transaction statements.

type showObjectsExec struct{ stmt *sql.ShowObjects }

func showObjectsColumns(*sql.ShowObjects) []Column {
	return []Column{{Name: "name", Type: types.TextT}}
}

func relKindOf(k sql.ObjectKind) planner.RelKind {
	switch k {
	case sql.KindView:
		return planner.View
	case sql.KindMaterializedView:
		return planner.MaterializedView
	case sql.KindSource:
		return planner.Source
	}
	return planner.Table
}

func (x showObjectsExec) execute(_ context.Context, s *Session, _ []types.Datum) (*Result, error) {
	s.e.mu.RLock()
	objs := s.e.cat.sorted(relKindOf(x.stmt.Kind))
	s.e.mu.RUnlock()
	rows := make([][]types.Datum, len(objs))
	for i, o := range objs {
		rows[i] = []types.Datum{o.Name}
	}
	return rowsResult("SHOW", showObjectsColumns(x.stmt), s.e.mem, rows), nil
}

type showCreateExec struct{ stmt *sql.ShowCreate }

func showCreateColumns(*sql.ShowCreate) []Column {
	return []Column{{Name: "name", Type: types.TextT}, {Name: "create_sql", Type: types.TextT}}
}

func (x showCreateExec) execute(_ context.Context, s *Session, _ []types.Datum) (*Result, error) {
	name := x.stmt.Name
	schema := ""
	if len(name) > 1 {
		schema = name[len(name)-2]
	}
	s.e.mu.RLock()
	o := s.e.cat.lookup(schema, name[len(name)-1])
	s.e.mu.RUnlock()
	kind := relKindOf(x.stmt.Kind)
	if o == nil {
		return nil, sqlerr.New(sqlerr.UndefinedTable, "%s %q does not exist", kindName(kind), name[len(name)-1])
	}
	if o.Kind != kind {
		return nil, sqlerr.New(sqlerr.WrongObjectType, "%q is not a %s", o.Name, kindName(kind))
	}
	rows := [][]types.Datum{{o.Schema + "." + o.Name, o.CreateSQL}}
	return rowsResult("SHOW", showCreateColumns(x.stmt), s.e.mem, rows), nil
}

// EXPLAIN <query> and EXPLAIN CREATE MATERIALIZED VIEW … print the dataflow operator tree.

type explainExec struct {
	st   sql.Statement
	stmt *pg_query.ExplainStmt
}

func (x *explainExec) execute(_ context.Context, s *Session, _ []types.Datum) (*Result, error) {
	for _, opt := range x.stmt.Options {
		if d := opt.GetDefElem(); d != nil && strings.EqualFold(d.Defname, "analyze") {
			return nil, sqlerr.NotSupported("EXPLAIN ANALYZE")
		}
	}
	e := s.e
	e.mu.RLock()
	defer e.mu.RUnlock()
	p := e.planner()
	var q *planner.Query
	var err error
	switch n := x.stmt.Query.Node.(type) {
	case *pg_query.Node_SelectStmt:
		q, err = p.PlanQuery(sql.Statement{AST: x.stmt.Query, Text: x.st.Text}, nil)
	case *pg_query.Node_CreateTableAsStmt:
		if n.CreateTableAsStmt.Objtype != pg_query.ObjectType_OBJECT_MATVIEW {
			return nil, sqlerr.NotSupported("EXPLAIN CREATE TABLE AS")
		}
		q, err = p.PlanView(x.st, n.CreateTableAsStmt.Query)
	case *pg_query.Node_ViewStmt:
		q, err = p.PlanView(x.st, n.ViewStmt.Query)
	default:
		return nil, sqlerr.NotSupported("EXPLAIN of this statement")
	}
	if err != nil {
		return nil, err
	}
	lines := strings.Split(strings.TrimRight(planner.Explain(q), "\n"), "\n")
	rows := make([][]types.Datum, len(lines))
	for i, l := range lines {
		rows[i] = []types.Datum{l}
	}
	return rowsResult("EXPLAIN", []Column{{Name: "QUERY PLAN", Type: types.TextT}}, e.mem, rows), nil
}
