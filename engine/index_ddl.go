package engine

import (
	"bytes"
	"context"
	"fmt"
	"slices"
	"strings"

	"github.com/apache/arrow-go/v18/arrow"
	pg_query "github.com/pganalyze/pg_query_go/v6"

	"github.com/runnel-db/runnel/exec/rowcodec"
	"github.com/runnel-db/runnel/exec/sqlerr"
	"github.com/runnel-db/runnel/exec/types"
	"github.com/runnel-db/runnel/exec/zset"
	"github.com/runnel-db/runnel/planner"
	"github.com/runnel-db/runnel/sql"
	"github.com/runnel-db/runnel/storage"
)

// CREATE [UNIQUE] INDEX [IF NOT EXISTS] [name] ON t (col, …), DROP INDEX [IF EXISTS] name, and
// the unique indexes behind UNIQUE constraints of CREATE TABLE.

type createIndexExec struct {
	st   sql.Statement
	stmt *pg_query.IndexStmt
}

func (*createIndexExec) writes() {}

// indexColumns resolves the column list of an index, rejecting what is not supported.
func indexColumns(stmt *pg_query.IndexStmt) ([]string, error) {
	switch {
	case stmt.Concurrent:
		return nil, sqlerr.NotSupported("CREATE INDEX CONCURRENTLY")
	case stmt.WhereClause != nil:
		return nil, sqlerr.NotSupported("CREATE INDEX … WHERE (a partial index)")
	case len(stmt.IndexIncludingParams) > 0:
		return nil, sqlerr.NotSupported("CREATE INDEX … INCLUDE")
	case stmt.AccessMethod != "" && stmt.AccessMethod != "btree":
		return nil, sqlerr.NotSupported(fmt.Sprintf("index access method %q", stmt.AccessMethod))
	case stmt.NullsNotDistinct:
		return nil, sqlerr.NotSupported("NULLS NOT DISTINCT")
	case len(stmt.Options) > 0:
		return nil, sqlerr.NotSupported("CREATE INDEX … WITH (storage parameters)")
	case stmt.TableSpace != "":
		return nil, sqlerr.NotSupported("TABLESPACE")
	}
	var names []string
	for _, p := range stmt.IndexParams {
		el := p.GetIndexElem()
		switch {
		case el == nil || el.Expr != nil || el.Name == "":
			return nil, sqlerr.NotSupported("CREATE INDEX on an expression")
		case el.Ordering == pg_query.SortByDir_SORTBY_DESC:
			return nil, sqlerr.NotSupported("DESC in CREATE INDEX")
		case el.Ordering == pg_query.SortByDir_SORTBY_USING:
			return nil, sqlerr.NotSupported("an ordering operator in CREATE INDEX")
		case el.NullsOrdering != pg_query.SortByNulls_SORTBY_NULLS_DEFAULT:
			return nil, sqlerr.NotSupported("NULLS FIRST/LAST in CREATE INDEX")
		case len(el.Collation) > 0:
			return nil, sqlerr.NotSupported("COLLATE in CREATE INDEX")
		case len(el.Opclass) > 0:
			return nil, sqlerr.NotSupported("an operator class in CREATE INDEX")
		}
		names = append(names, el.Name)
	}
	return names, nil
}

// resolveColumns maps column names to their positions in o (42703 for an unknown one).
func resolveColumns(o *object, names []string) ([]int, error) {
	out := make([]int, len(names))
	for i, n := range names {
		out[i] = -1
		for j, c := range o.Columns {
			if c.Name == n {
				out[i] = j
			}
		}
		if out[i] < 0 {
			return nil, sqlerr.New(sqlerr.UndefinedColumn, "column %q does not exist", n)
		}
	}
	return out, nil
}

func (x *createIndexExec) execute(ctx context.Context, s *Session, _ []types.Datum) (*Result, error) {
	e := s.e
	res := &Result{Tag: "CREATE INDEX"}
	colNames, err := indexColumns(x.stmt)
	if err != nil {
		return nil, err
	}
	schema, name, err := relationName(x.st, x.stmt.Relation)
	if err != nil {
		return nil, err
	}
	e.writeMu.Lock()
	defer e.writeMu.Unlock()
	o := e.cat.lookup(schema, name)
	switch {
	case o == nil:
		return nil, sqlerr.New(sqlerr.UndefinedTable, "relation %q does not exist", name).At(sql.Position(x.st.Text, int(x.stmt.Relation.Location)))
	case o.Kind == planner.View:
		return nil, &sqlerr.Error{Code: sqlerr.WrongObjectType, Message: fmt.Sprintf("cannot create index on relation %q", name),
			Detail: "This operation is not supported for views."}
	case o.Kind == planner.MaterializedView:
		return nil, sqlerr.NotSupported("CREATE INDEX on a materialized view")
	}
	cols, err := resolveColumns(o, colNames)
	if err != nil {
		return nil, err
	}
	ixName := x.stmt.Idxname
	if ixName == "" {
		ixName = e.cat.chooseIndexName(o.Schema, o.Name, colNames, "idx", nil)
	} else if err := e.cat.checkNameFree(o.Schema, ixName); err != nil {
		if x.stmt.IfNotExists {
			return res, nil
		}
		return nil, err
	}
	ix := index{ID: e.cat.nextID, Name: ixName, Columns: cols, Unique: x.stmt.Unique}
	no := o.withIndexes(append(slices.Clone(o.Indexes), ix))
	snap := e.db.NewSnapshot()
	defer snap.Close()
	err = e.runEpoch(ctx, func(tx *epochTx) error {
		if err := tx.persist(no); err != nil {
			return err
		}
		return e.buildIndex(tx.wb, snap, no, &ix)
	})
	if err != nil {
		return nil, err
	}
	e.mu.Lock()
	e.cat.add(no)
	e.mu.Unlock()
	return res, nil
}

// buildIndex writes the entries of new index ix of table o for every row stored in r. A unique
// index over duplicate values fails with 23505, naming the smallest duplicated value.
func (e *Engine) buildIndex(wb *storage.Batch, r reader, o *object, ix *index) error {
	l := layoutOf(o)
	var values [][]byte // a unique index's non-NULL values, encoded
	var k []byte
	lower := l.prefix()
	err := l.scanRangeKeys(r, e.mem, lower, storage.PrefixEnd(lower), true, func(b zset.Batch, keys [][]byte) error {
		cols := b.Cols()
		for row, key := range keys {
			k = storage.IndexEntryKey(k[:0], ix.ID, nil)
			k = l.codec.AppendKey(k, cols, row, ix.Columns)
			if ix.Unique && !anyNull(cols, row, ix.Columns) {
				values = append(values, slices.Clone(k[storage.PrefixLen:]))
			}
			k = append(k, key[storage.PrefixLen:]...)
			if err := wb.Set(k, nil); err != nil {
				return err
			}
		}
		return nil
	})
	if err != nil {
		return err
	}
	slices.SortFunc(values, bytes.Compare)
	for i := 1; i < len(values); i++ {
		if bytes.Equal(values[i-1], values[i]) {
			detail, err := e.describeEncodedKey(o, ix, values[i])
			if err != nil {
				return err
			}
			return &sqlerr.Error{Code: sqlerr.UniqueViolation,
				Message: fmt.Sprintf("could not create unique index %q", ix.Name),
				Detail:  detail + " is duplicated."}
		}
	}
	return nil
}

// describeEncodedKey renders "Key (a)=(1)" from the key encoding of ix's columns.
func (e *Engine) describeEncodedKey(o *object, ix *index, enc []byte) (string, error) {
	ts := make([]types.T, len(ix.Columns))
	pos := make([]int, len(ix.Columns))
	for i, c := range ix.Columns {
		ts[i] = o.Columns[c].Type
		pos[i] = i
	}
	dec := rowcodec.New(ts).NewDecoder(e.mem)
	defer dec.Release()
	if err := dec.DecodeKey(enc, pos); err != nil {
		return "", fmt.Errorf("index %s: %w", ix.Name, err)
	}
	arrs := dec.Finish()
	defer func() {
		for _, a := range arrs {
			a.Release()
		}
	}()
	// Lay the decoded values out by table column for describeIndexKey.
	cols := make([]arrow.Array, len(o.Columns))
	for i, c := range ix.Columns {
		cols[c] = arrs[i]
	}
	return describeIndexKey(o, ix, cols, 0), nil
}

// dropIndexes runs DROP INDEX [IF EXISTS] name, … (the caller holds e.writeMu).
func (e *Engine) dropIndexes(ctx context.Context, stmt *pg_query.DropStmt) (*Result, error) {
	res := &Result{Tag: "DROP INDEX"}
	if stmt.Concurrent {
		return nil, sqlerr.NotSupported("DROP INDEX CONCURRENTLY")
	}
	changed := map[uint64]*object{} // table id → its new catalog entry
	var dropped []index
	for _, objNode := range stmt.Objects {
		var parts []string
		for _, item := range objNode.GetList().GetItems() {
			parts = append(parts, item.GetString_().Sval)
		}
		schema, name := "", parts[len(parts)-1]
		if len(parts) > 1 {
			schema = parts[len(parts)-2]
		}
		t, ix := e.cat.lookupIndex(schema, name)
		if t != nil && changed[t.ID] != nil {
			t = changed[t.ID]
			ix = nil
			for i := range t.Indexes {
				if t.Indexes[i].Name == name {
					ix = &t.Indexes[i]
				}
			}
		}
		if ix == nil {
			if o := e.cat.lookup(schema, name); o != nil {
				return nil, &sqlerr.Error{Code: sqlerr.WrongObjectType, Message: fmt.Sprintf("%q is not an index", name),
					Hint: fmt.Sprintf("Use DROP %s to remove a %s.", strings.ToUpper(kindName(o.Kind)), kindName(o.Kind))}
			}
			if stmt.MissingOk {
				continue
			}
			return nil, sqlerr.New(sqlerr.UndefinedObject, "index %q does not exist", name)
		}
		if ix.Constraint {
			return nil, &sqlerr.Error{Code: sqlerr.DependentObjectsStillExist,
				Message: fmt.Sprintf("cannot drop index %s because constraint %s on table %s requires it", ix.Name, ix.Name, t.Name),
				Hint:    fmt.Sprintf("You can drop constraint %s on table %s instead.", ix.Name, t.Name)}
		}
		dropped = append(dropped, *ix)
		keep := slices.DeleteFunc(slices.Clone(t.Indexes), func(x index) bool { return x.ID == ix.ID })
		changed[t.ID] = t.withIndexes(keep)
	}
	if len(dropped) == 0 {
		return res, nil
	}
	err := e.runEpoch(ctx, func(tx *epochTx) error {
		for _, t := range changed {
			if err := tx.persist(t); err != nil {
				return err
			}
		}
		for i := range dropped {
			p := dropped[i].prefix()
			if err := tx.wb.DeleteRange(p, storage.PrefixEnd(p)); err != nil {
				return err
			}
		}
		return nil
	})
	if err != nil {
		return nil, err
	}
	e.mu.Lock()
	for _, t := range changed {
		e.cat.add(t)
	}
	e.mu.Unlock()
	return res, nil
}

// uniqueSpec is a UNIQUE constraint of CREATE TABLE before its columns are resolved.
type uniqueSpec struct {
	name string // CONSTRAINT name, or "" for the default
	cols []string
	loc  int
}

// uniqueSpecOf checks a UNIQUE constraint for what is not supported; column is the column of a
// column constraint ("" for a table constraint).
func uniqueSpecOf(st sql.Statement, c *pg_query.Constraint, column string) (uniqueSpec, error) {
	pos := sql.Position(st.Text, int(c.Location))
	switch {
	case c.NullsNotDistinct:
		return uniqueSpec{}, sqlerr.NotSupported("UNIQUE NULLS NOT DISTINCT").At(pos)
	case len(c.Including) > 0:
		return uniqueSpec{}, sqlerr.NotSupported("UNIQUE … INCLUDE").At(pos)
	case c.Deferrable || c.Initdeferred:
		return uniqueSpec{}, sqlerr.NotSupported("a deferrable constraint").At(pos)
	case len(c.Options) > 0 || c.Indexspace != "" || c.Indexname != "":
		return uniqueSpec{}, sqlerr.NotSupported("index options of a UNIQUE constraint").At(pos)
	}
	spec := uniqueSpec{name: c.Conname, loc: int(c.Location)}
	if column != "" {
		spec.cols = []string{column}
	}
	for _, k := range c.Keys {
		spec.cols = append(spec.cols, k.GetString_().Sval)
	}
	return spec, nil
}

// uniqueIndexes builds the indexes of table o's UNIQUE constraints, with ids after o.ID and
// PostgreSQL's default names (t_a_key). The caller holds e.writeMu; o.ID is set.
func (e *Engine) uniqueIndexes(st sql.Statement, o *object, specs []uniqueSpec) ([]index, error) {
	var out []index
	taken := map[string]bool{o.Name: true}
	next := o.ID + 1
	for _, sp := range specs {
		cols, err := resolveColumns(o, sp.cols)
		if err != nil {
			for _, n := range sp.cols {
				if _, err := resolveColumns(o, []string{n}); err != nil {
					return nil, sqlerr.New(sqlerr.UndefinedColumn, "column %q named in key does not exist", n).At(sql.Position(st.Text, sp.loc))
				}
			}
			return nil, err
		}
		if sp.name == "" && slices.ContainsFunc(out, func(ix index) bool { return slices.Equal(ix.Columns, cols) }) {
			continue // the same constraint twice makes one index, as in PostgreSQL
		}
		name := sp.name
		if name == "" {
			name = e.cat.chooseIndexName(o.Schema, o.Name, sp.cols, "key", taken)
		} else if taken[name] || e.cat.checkNameFree(o.Schema, name) != nil {
			return nil, sqlerr.New(sqlerr.DuplicateTable, "relation %q already exists", name)
		}
		taken[name] = true
		out = append(out, index{ID: next, Name: name, Columns: cols, Unique: true, Constraint: true})
		next++
	}
	return out, nil
}
