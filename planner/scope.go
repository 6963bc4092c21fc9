package planner

import (
	"github.com/runnel-db/runnel/exec/sqlerr"
	"github.com/runnel-db/runnel/exec/types"
)

// colInfo describes one column of a plan's output as name resolution sees it.
type colInfo struct {
	table  string // range alias ("" for none)
	schema string // schema of a base relation, for schema.table.column
	name   string
	typ    types.T
	// qualOnly columns resolve only when qualified and are skipped by a bare * (the inputs of a
	// JOIN USING column).
	qualOnly bool
	// hidden columns never resolve (extra columns a plan carries, e.g. sort keys).
	hidden   bool
	tableOID uint32
	attnum   int16
}

// scope is the set of columns visible to expressions over a plan: cols[i] is output column i.
type scope struct {
	cols []colInfo
}

// lookup finds the column named by a (schema, table, column) reference. It returns -1 and no
// error when nothing matches, and a 42702 error when the reference is ambiguous.
func (sc *scope) lookup(schema, table, name string) (int, bool, error) {
	if sc == nil {
		return -1, false, nil
	}
	found := -1
	tableSeen := false
	for i, c := range sc.cols {
		if c.hidden {
			continue
		}
		if table != "" {
			if c.table != table || (schema != "" && c.schema != schema) {
				continue
			}
			tableSeen = true
		} else if c.qualOnly {
			continue
		}
		if c.name != name {
			continue
		}
		if found >= 0 {
			ref := name
			if table != "" {
				ref = table + "." + name
			}
			return -1, tableSeen, sqlerr.New(sqlerr.AmbiguousColumn, "column reference %q is ambiguous", ref)
		}
		found = i
	}
	return found, tableSeen, nil
}

// hasTable reports whether some column belongs to range alias table.
func (sc *scope) hasTable(schema, table string) bool {
	if sc == nil {
		return false
	}
	for _, c := range sc.cols {
		if c.table == table && (schema == "" || c.schema == schema) && !c.hidden {
			return true
		}
	}
	return false
}

// types returns the column types.
func (sc *scope) types() []types.T {
	out := make([]types.T, len(sc.cols))
	for i, c := range sc.cols {
		out[i] = c.typ
	}
	return out
}

// withAlias renames the table of every column (a FROM item's alias) and optionally the columns.
func withAlias(cols []colInfo, alias string, colNames []string) ([]colInfo, error) {
	out := make([]colInfo, len(cols))
	copy(out, cols)
	if len(colNames) > len(cols) {
		return nil, sqlerr.New(sqlerr.InvalidColumnReference,
			"table \"%s\" has %d columns available but %d columns specified", alias, len(cols), len(colNames))
	}
	for i := range out {
		out[i].table = alias
		out[i].schema = ""
		out[i].qualOnly = false
		if i < len(colNames) {
			out[i].name = colNames[i]
		}
	}
	return out, nil
}

func colTypes(cols []colInfo) []types.T {
	out := make([]types.T, len(cols))
	for i, c := range cols {
		out[i] = c.typ
	}
	return out
}
