package planner

import (
	"fmt"
	"strings"

	pg_query "github.com/pganalyze/pg_query_go/v6"

	"github.com/runnel-db/runnel/exec"
	"github.com/runnel-db/runnel/exec/sqlerr"
	"github.com/runnel-db/runnel/exec/types"
	"github.com/runnel-db/runnel/exec/zset"
	"github.com/runnel-db/runnel/sql"
)

// RelKind is the kind of a catalog relation.
type RelKind int

// Relation kinds.
const (
	Table RelKind = iota
	View
	MaterializedView
	// Source is a stream read from an external system (CREATE SOURCE): its rows are not stored,
	// so only materialized views can read it; in a graph it is an input like a table.
	Source
	// System is a read-only relation the engine computes when it is read (runnel_catalog.*).
	System
)

// RelColumn is one column of a relation.
type RelColumn struct {
	Name    string
	Type    types.T
	NotNull bool
	// Default is the column DEFAULT as SQL expression text; "" means NULL.
	Default string
}

// Relation is a table, view or materialized view as the catalog describes it.
type Relation struct {
	// ID is the object id: the exec.Graph input id for tables and materialized views.
	ID uint64
	// OID is the pg_class oid, reported as the table OID of result columns.
	OID          uint32
	Schema, Name string
	Kind         RelKind
	Columns      []RelColumn
	// PrimaryKey holds column indexes; nil if there is none.
	PrimaryKey []int
	// Query is the defining SELECT text of views and materialized views.
	Query string
}

// Catalog resolves relation names.
type Catalog interface {
	// Relation resolves a name; schema "" means the search path. (nil, nil) when not found.
	Relation(schema, name string) (*Relation, error)
}

// Planner plans statements against a catalog.
type Planner struct {
	cat Catalog
}

// New returns a planner over cat.
func New(cat Catalog) *Planner { return &Planner{cat: cat} }

// OutputColumn describes one result column.
type OutputColumn struct {
	Name string
	Type types.T
	// TableOID and Attnum identify the table column the value comes straight from, or are 0.
	TableOID uint32
	Attnum   int16
}

// Query is a planned SELECT.
type Query struct {
	Columns []OutputColumn
	// Graph reads Relation.ID of every table and materialized view; its output is the result
	// Z-set: Columns, then any hidden sort columns (see the package comment).
	Graph *exec.Graph
	// OrderBy is the final presentation order (ad-hoc queries), over the Graph output columns.
	OrderBy []zset.SortKey
	// Limit and Offset apply after OrderBy; -1 means none. A LIMIT or OFFSET given by a
	// parameter is applied inside the graph (the Graph output is then exactly the rows to
	// return, to be sorted by OrderBy) and Limit/Offset are -1.
	Limit, Offset int64
	// ParamTypes are the inferred types of $1..$n (Unknown left is text).
	ParamTypes []types.T
	// Relations are every relation the query depends on (tables, views, materialized views).
	Relations []*Relation
}

// PlanQuery plans a SELECT (including VALUES, set operations and WITH) run once.
func (p *Planner) PlanQuery(st sql.Statement, paramTypes []types.T) (*Query, error) {
	if st.AST == nil || st.AST.GetSelectStmt() == nil {
		return nil, sqlerr.New(sqlerr.Internal, "planner: PlanQuery needs a SELECT statement")
	}
	s := newStmt(p, st.Text, paramTypes, false)
	return s.planSelect(st.AST, modeTop)
}

// PlanView plans the SELECT of CREATE [MATERIALIZED] VIEW: ORDER BY with LIMIT/OFFSET becomes a
// top-N operator inside the graph, ORDER BY alone is dropped, and now()/current_timestamp and
// parameters are rejected.
func (p *Planner) PlanView(st sql.Statement, query *pg_query.Node) (*Query, error) {
	if query == nil || query.GetSelectStmt() == nil {
		return nil, sqlerr.New(sqlerr.Internal, "planner: PlanView needs a SELECT")
	}
	s := newStmt(p, st.Text, nil, true)
	return s.planSelect(query, modeView)
}

func (s *stmt) planSelect(n *pg_query.Node, mode queryMode) (*Query, error) {
	bq, err := s.bindSelectNode(n, s.rootEnv(), nil, mode)
	if err != nil {
		return nil, err
	}
	if s.view && s.usesNow {
		return nil, s.notSupported("now() and current_timestamp in a view", s.nowLoc)
	}
	q := &Query{Limit: -1, Offset: -1}
	q.Columns = outputColumns(bq.cols)
	r := bq.r
	if mode == modeTop {
		q.OrderBy, q.Limit, q.Offset = bq.order, bq.limit, bq.offset
	}
	g, err := lowerGraph(r)
	if err != nil {
		return nil, err
	}
	q.Graph = g
	q.ParamTypes = s.finishParams()
	q.Relations = s.relations
	return q, nil
}

// Explain renders the dataflow operator tree of q with its final sort and limit.
func Explain(q *Query) string {
	var out string
	indent := ""
	if q.Limit >= 0 || q.Offset >= 0 {
		out += "Limit " + limitText(q.Limit) + " offset " + limitText(q.Offset) + "\n"
		indent += "  "
	}
	if len(q.OrderBy) > 0 {
		out += indent + "Sort " + sortKeysText(q.OrderBy) + "\n"
		indent += "  "
	}
	if len(q.Columns) < len(q.Graph.OutputTypes()) {
		out += indent + fmt.Sprintf("Output #0..#%d\n", len(q.Columns)-1)
		indent += "  "
	}
	names := map[string]string{}
	for _, r := range q.Relations {
		kind := "table"
		if r.Kind == MaterializedView {
			kind = "materialized view"
		}
		names[fmt.Sprint(r.ID)] = kind + " " + r.Name
	}
	for _, line := range splitLines(q.Graph.Explain()) {
		// The graph knows inputs by relation id; name them.
		trimmed := strings.TrimLeft(line, " ")
		if id, ok := strings.CutPrefix(trimmed, "Input "); ok && names[id] != "" {
			line = line[:len(line)-len(trimmed)] + "Read " + names[id]
		}
		out += indent + line + "\n"
	}
	return out
}

func limitText(v int64) string {
	if v < 0 {
		return "none"
	}
	return fmt.Sprint(v)
}

func sortKeysText(keys []zset.SortKey) string {
	out := ""
	for i, k := range keys {
		if i > 0 {
			out += ", "
		}
		out += fmt.Sprintf("#%d", k.Col)
		if k.Desc {
			out += " DESC"
		}
		if k.NullsFirst != k.Desc {
			if k.NullsFirst {
				out += " NULLS FIRST"
			} else {
				out += " NULLS LAST"
			}
		}
	}
	return out
}

func splitLines(s string) []string {
	var out []string
	start := 0
	for i := 0; i < len(s); i++ {
		if s[i] == '\n' {
			out = append(out, s[start:i])
			start = i + 1
		}
	}
	if start < len(s) {
		out = append(out, s[start:])
	}
	return out
}

func outputColumns(cols []colInfo) []OutputColumn {
	out := make([]OutputColumn, len(cols))
	for i, c := range cols {
		t := c.typ
		out[i] = OutputColumn{Name: c.name, Type: t, TableOID: c.tableOID, Attnum: c.attnum}
	}
	return out
}
