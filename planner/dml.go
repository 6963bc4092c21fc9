package planner

import (
	pg_query "github.com/pganalyze/pg_query_go/v6"

	"github.com/runnel-db/runnel/exec/expr"
	"github.com/runnel-db/runnel/exec/sqlerr"
	"github.com/runnel-db/runnel/exec/types"
	"github.com/runnel-db/runnel/sql"
)

// Insert is a planned INSERT.
type Insert struct {
	Table *Relation
	// Source yields the rows to insert in table column order, coerced to the column types, with
	// defaults filled.
	Source *Query
	// Returning is over the table's columns (nil = no RETURNING).
	Returning        []expr.Expr
	ReturningColumns []OutputColumn
	ParamTypes       []types.T
}

// Update is a planned UPDATE.
type Update struct {
	Table *Relation
	// Rows yields, for every row to change, the old row's columns followed by the new row's
	// columns (2×len(Columns)), new values coerced to the column types.
	Rows *Query
	// Returning is over the NEW row (table column layout).
	Returning        []expr.Expr
	ReturningColumns []OutputColumn
	ParamTypes       []types.T
}

// Delete is a planned DELETE.
type Delete struct {
	Table *Relation
	// Rows yields the rows to delete (table column layout).
	Rows *Query
	// Returning is over the deleted rows.
	Returning        []expr.Expr
	ReturningColumns []OutputColumn
	ParamTypes       []types.T
}

// targetTable resolves the table a DML statement changes.
func (s *stmt) targetTable(rv *pg_query.RangeVar, verb string) (*Relation, error) {
	r, err := s.p.cat.Relation(rv.Schemaname, rv.Relname)
	if err != nil {
		return nil, err
	}
	name := rv.Relname
	if rv.Schemaname != "" {
		name = rv.Schemaname + "." + name
	}
	if r == nil {
		return nil, s.errAt(sqlerr.New(sqlerr.UndefinedTable, "relation %q does not exist", name), rv.Location)
	}
	switch r.Kind {
	case View:
		return nil, s.errAt(sqlerr.New(sqlerr.WrongObjectType, "cannot %s view %q", verb, r.Name), rv.Location)
	case MaterializedView:
		return nil, s.errAt(sqlerr.New(sqlerr.WrongObjectType, "cannot change materialized view %q", r.Name), rv.Location)
	case Source:
		return nil, s.errAt(sqlerr.New(sqlerr.WrongObjectType, "cannot change source %q", r.Name), rv.Location)
	case System:
		return nil, s.errAt(sqlerr.New(sqlerr.InsufficientPrivilege, "permission denied: %s.%s is a system view", r.Schema, r.Name), rv.Location)
	}
	s.addRelation(r)
	return r, nil
}

// tableScope is the scope of a DML target's columns.
func tableScope(t *Relation, rv *pg_query.RangeVar) *scope {
	name := t.Name
	schema := t.Schema
	if rv.Alias != nil {
		name, schema = rv.Alias.Aliasname, ""
	}
	cols := make([]colInfo, len(t.Columns))
	for i, c := range t.Columns {
		cols[i] = colInfo{table: name, schema: schema, name: c.Name, typ: c.Type, tableOID: t.OID, attnum: int16(i + 1)}
	}
	return &scope{cols: cols}
}

func tableTypes(t *Relation) []types.T {
	ts := make([]types.T, len(t.Columns))
	for i, c := range t.Columns {
		ts[i] = c.Type
	}
	return ts
}

func (s *stmt) columnOf(t *Relation, name string, loc int32) (int, error) {
	for i, c := range t.Columns {
		if c.Name == name {
			return i, nil
		}
	}
	return 0, s.errAt(sqlerr.New(sqlerr.UndefinedColumn, "column %q of relation %q does not exist", name, t.Name), loc)
}

// assign coerces a value to column i of t as INSERT and UPDATE do.
func (s *stmt) assign(t *Relation, i int, e expr.Expr, loc int32) (expr.Expr, error) {
	c := t.Columns[i]
	out, err := expr.Coerce(e, c.Type, "column \""+c.Name+"\"")
	if err != nil {
		return nil, s.errAt(err, loc)
	}
	return out, nil
}

// defaultOf is column i's default expression.
func (s *stmt) defaultOf(t *Relation, i int) (expr.Expr, error) {
	c := t.Columns[i]
	return s.p.bindDefault(c.Default, c.Type, c.Name)
}

// BindDefault binds a column DEFAULT expression, coerced to t.
func (p *Planner) BindDefault(text string, t types.T) (expr.Expr, error) {
	return p.bindDefault(text, t, "")
}

func (p *Planner) bindDefault(text string, t types.T, col string) (expr.Expr, error) {
	if text == "" {
		return expr.Null(t), nil
	}
	st, err := sql.ParseOne("SELECT " + text)
	if err != nil {
		return nil, err
	}
	sel := st.AST.GetSelectStmt()
	if sel == nil || len(sel.TargetList) != 1 || len(sel.FromClause) > 0 {
		return nil, sqlerr.New(sqlerr.SyntaxError, "invalid DEFAULT expression %q", text)
	}
	s := newStmt(p, "", nil, false)
	b := &bctx{s: s, env: s.rootEnv(), sc: &scope{}, noAgg: "DEFAULT expressions"}
	e, err := b.bind(sel.TargetList[0].GetResTarget().GetVal())
	if err != nil {
		return nil, err
	}
	ctx := "column \"" + col + "\""
	return expr.Coerce(e, t, ctx)
}

// returning binds a RETURNING list over the table's columns.
func (s *stmt) returning(list []*pg_query.Node, t *Relation, rv *pg_query.RangeVar) ([]expr.Expr, []OutputColumn, error) {
	if len(list) == 0 {
		return nil, nil, nil
	}
	b := &bctx{s: s, env: s.rootEnv(), sc: tableScope(t, rv), noAgg: "RETURNING"}
	exprs, cols, err := s.bindTargets(b, list)
	if err != nil {
		return nil, nil, err
	}
	return exprs, outputColumns(cols), nil
}

func (s *stmt) query(r rel, cols []OutputColumn) (*Query, error) {
	g, err := lowerGraph(r)
	if err != nil {
		return nil, err
	}
	return &Query{Columns: cols, Graph: g, Limit: -1, Offset: -1, Relations: s.relations}, nil
}

func tableColumns(t *Relation) []OutputColumn {
	out := make([]OutputColumn, len(t.Columns))
	for i, c := range t.Columns {
		out[i] = OutputColumn{Name: c.Name, Type: c.Type, TableOID: t.OID, Attnum: int16(i + 1)}
	}
	return out
}
