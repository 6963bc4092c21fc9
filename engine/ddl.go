package engine

import (
	"context"
	"fmt"
	"strings"

	pg_query "github.com/pganalyze/pg_query_go/v6"

	"github.com/runnel-db/runnel/exec/sqlerr"
	"github.com/runnel-db/runnel/exec/types"
	"github.com/runnel-db/runnel/planner"
	"github.com/runnel-db/runnel/sql"
	"github.com/runnel-db/runnel/storage"
)

// relationName returns the schema and name of a RangeVar, rejecting schemas other than public.
func relationName(st sql.Statement, rv *pg_query.RangeVar) (string, string, error) {
	schema := rv.Schemaname
	if rv.Catalogname != "" && rv.Catalogname != "runnel" {
		return "", "", sqlerr.NotSupported("cross-database references").At(sql.Position(st.Text, int(rv.Location)))
	}
	if schema == "" {
		schema = DefaultSchema
	}
	if schema != DefaultSchema {
		return "", "", sqlerr.New("3F000", "schema %q does not exist", schema).At(sql.Position(st.Text, int(rv.Location)))
	}
	return schema, rv.Relname, nil
}

// persist writes o's catalog entry into the epoch.
func (tx *epochTx) persist(o *object) error {
	v, err := encodeObject(o)
	if err != nil {
		return err
	}
	return tx.wb.Set(storage.CatalogKey(o.ID), v)
}

// CREATE TABLE

type createTableExec struct {
	st   sql.Statement
	stmt *pg_query.CreateStmt
}

func (x *createTableExec) execute(ctx context.Context, s *Session, _ []types.Datum) (*Result, error) {
	o, uniques, err := s.e.defineTable(x.st, x.stmt)
	if err != nil {
		return nil, err
	}
	return s.e.createTable(ctx, x.st, o, uniques, x.stmt.IfNotExists)
}

// defineTable builds the catalog object (without an id) of CREATE TABLE stmt and its UNIQUE
// constraints.
func (e *Engine) defineTable(st sql.Statement, stmt *pg_query.CreateStmt) (*object, []uniqueSpec, error) {
	schema, name, err := relationName(st, stmt.Relation)
	if err != nil {
		return nil, nil, err
	}
	if stmt.Relation.Relpersistence == "t" {
		return nil, nil, sqlerr.NotSupported("CREATE TEMPORARY TABLE")
	}
	if len(stmt.InhRelations) > 0 || stmt.Partspec != nil {
		return nil, nil, sqlerr.NotSupported("table inheritance and partitioning")
	}
	o := &object{Kind: planner.Table, Schema: schema, Name: name, CreateSQL: strings.TrimSpace(st.Text)}
	var pkNames []string
	var uniques []uniqueSpec
	pkLoc := 0
	e.mu.RLock()
	p := e.planner()
	e.mu.RUnlock()
	for _, elt := range stmt.TableElts {
		switch n := elt.Node.(type) {
		case *pg_query.Node_ColumnDef:
			cd := n.ColumnDef
			for _, c := range o.Columns {
				if c.Name == cd.Colname {
					return nil, nil, sqlerr.New(sqlerr.DuplicateColumn, "column %q specified more than once", cd.Colname).At(sql.Position(st.Text, int(cd.Location)))
				}
			}
			t, err := planner.ResolveType(cd.TypeName)
			if err != nil {
				return nil, nil, err
			}
			col := planner.RelColumn{Name: cd.Colname, Type: t, NotNull: cd.IsNotNull}
			for _, cn := range cd.Constraints {
				c := cn.GetConstraint()
				if c == nil {
					continue
				}
				switch c.Contype {
				case pg_query.ConstrType_CONSTR_NOTNULL:
					col.NotNull = true
				case pg_query.ConstrType_CONSTR_NULL:
				case pg_query.ConstrType_CONSTR_DEFAULT:
					text, err := sql.DeparseExpr(c.RawExpr)
					if err != nil {
						return nil, nil, err
					}
					if _, err := p.BindDefault(text, t); err != nil {
						return nil, nil, err
					}
					col.Default = text
				case pg_query.ConstrType_CONSTR_PRIMARY:
					if pkNames != nil {
						return nil, nil, sqlerr.New(sqlerr.InvalidTableDefinition, "multiple primary keys for table %q are not allowed", name).At(sql.Position(st.Text, int(c.Location)))
					}
					pkNames, pkLoc = []string{cd.Colname}, int(c.Location)
				case pg_query.ConstrType_CONSTR_UNIQUE:
					u, err := uniqueSpecOf(st, c, cd.Colname)
					if err != nil {
						return nil, nil, err
					}
					uniques = append(uniques, u)
				default:
					return nil, nil, sqlerr.NotSupported(constraintName(c.Contype) + " constraints").At(sql.Position(st.Text, int(c.Location)))
				}
			}
			o.Columns = append(o.Columns, col)
		case *pg_query.Node_Constraint:
			c := n.Constraint
			if c.Contype == pg_query.ConstrType_CONSTR_UNIQUE {
				u, err := uniqueSpecOf(st, c, "")
				if err != nil {
					return nil, nil, err
				}
				uniques = append(uniques, u)
				continue
			}
			if c.Contype != pg_query.ConstrType_CONSTR_PRIMARY {
				return nil, nil, sqlerr.NotSupported(constraintName(c.Contype) + " constraints").At(sql.Position(st.Text, int(c.Location)))
			}
			if pkNames != nil {
				return nil, nil, sqlerr.New(sqlerr.InvalidTableDefinition, "multiple primary keys for table %q are not allowed", name).At(sql.Position(st.Text, int(c.Location)))
			}
			pkLoc = int(c.Location)
			for _, k := range c.Keys {
				pkNames = append(pkNames, k.GetString_().Sval)
			}
		default:
			return nil, nil, sqlerr.NotSupported("this table element")
		}
	}
	if len(o.Columns) == 0 {
		return nil, nil, sqlerr.NotSupported("tables without columns")
	}
	for _, k := range pkNames {
		idx := -1
		for i, c := range o.Columns {
			if c.Name == k {
				idx = i
			}
		}
		if idx < 0 {
			return nil, nil, sqlerr.New(sqlerr.UndefinedColumn, "column %q named in key does not exist", k).At(sql.Position(st.Text, pkLoc))
		}
		o.Columns[idx].NotNull = true
		o.PrimaryKey = append(o.PrimaryKey, idx)
	}

	return o, uniques, nil
}

// createTable adds table o (from defineTable) to the catalog in its own epoch.
func (e *Engine) createTable(ctx context.Context, st sql.Statement, o *object, uniques []uniqueSpec, ifNotExists bool) (*Result, error) {
	e.writeMu.Lock()
	defer e.writeMu.Unlock()
	if err := e.cat.checkNameFree(o.Schema, o.Name); err != nil {
		if ifNotExists {
			return &Result{Tag: "CREATE TABLE"}, nil
		}
		return nil, err
	}
	o.ID = e.cat.nextID
	var err error
	if o.Indexes, err = e.uniqueIndexes(st, o, uniques); err != nil {
		return nil, err
	}
	if err := e.runEpoch(ctx, func(tx *epochTx) error { return tx.persist(o) }); err != nil {
		return nil, err
	}
	e.mu.Lock()
	e.cat.add(o)
	e.mu.Unlock()
	e.startFeeds(o)
	return &Result{Tag: "CREATE TABLE"}, nil
}

func constraintName(t pg_query.ConstrType) string {
	switch t {
	case pg_query.ConstrType_CONSTR_UNIQUE:
		return "UNIQUE"
	case pg_query.ConstrType_CONSTR_CHECK:
		return "CHECK"
	case pg_query.ConstrType_CONSTR_FOREIGN:
		return "FOREIGN KEY"
	case pg_query.ConstrType_CONSTR_EXCLUSION:
		return "EXCLUDE"
	case pg_query.ConstrType_CONSTR_IDENTITY:
		return "identity column"
	case pg_query.ConstrType_CONSTR_GENERATED:
		return "generated column"
	}
	return strings.TrimPrefix(t.String(), "CONSTR_")
}

// CREATE VIEW and CREATE MATERIALIZED VIEW

type createViewExec struct {
	st   sql.Statement
	stmt *pg_query.ViewStmt
}

func (x *createViewExec) execute(ctx context.Context, s *Session, _ []types.Datum) (*Result, error) {
	if x.stmt.Replace {
		return nil, sqlerr.NotSupported("CREATE OR REPLACE VIEW")
	}
	if x.stmt.View.Relpersistence == "t" {
		return nil, sqlerr.NotSupported("CREATE TEMPORARY VIEW")
	}
	o, err := s.e.defineView(x.st, x.stmt.View, x.stmt.Query, x.stmt.Aliases, planner.View)
	if err != nil {
		return nil, err
	}
	return s.e.addObject(ctx, o, false, "CREATE VIEW")
}

// addObject adds o (without an id) to the catalog in its own epoch; with ifNotExists an existing
// object of its name is a no-op.
func (e *Engine) addObject(ctx context.Context, o *object, ifNotExists bool, tag string) (*Result, error) {
	e.writeMu.Lock()
	defer e.writeMu.Unlock()
	if err := e.cat.checkNameFree(o.Schema, o.Name); err != nil {
		if ifNotExists {
			return &Result{Tag: tag}, nil
		}
		return nil, err
	}
	o.ID = e.cat.nextID
	if err := e.runEpoch(ctx, func(tx *epochTx) error { return tx.persist(o) }); err != nil {
		return nil, err
	}
	e.mu.Lock()
	e.cat.add(o)
	e.mu.Unlock()
	return &Result{Tag: tag}, nil
}

// defineView plans a view's query and builds its catalog object (without an id).
func (e *Engine) defineView(st sql.Statement, rv *pg_query.RangeVar, query *pg_query.Node, aliases []*pg_query.Node, kind planner.RelKind) (*object, error) {
	schema, name, err := relationName(st, rv)
	if err != nil {
		return nil, err
	}
	text, err := sql.Deparse(query)
	if err != nil {
		return nil, err
	}
	e.mu.RLock()
	q, err := e.planView(text)
	e.mu.RUnlock()
	if err != nil {
		// Errors carry positions into the deparsed text; re-plan the original for positions.
		e.mu.RLock()
		_, perr := e.planner().PlanView(st, query)
		e.mu.RUnlock()
		if perr != nil {
			return nil, perr
		}
		return nil, err
	}
	o := &object{Kind: kind, Schema: schema, Name: name, Query: text, CreateSQL: strings.TrimSpace(st.Text)}
	if len(aliases) > len(q.Columns) {
		return nil, sqlerr.New(sqlerr.SyntaxError, "CREATE VIEW specifies more column names than columns")
	}
	seen := map[string]bool{}
	for i, c := range q.Columns {
		n := c.Name
		if i < len(aliases) {
			n = aliases[i].GetString_().Sval
		}
		if seen[n] {
			return nil, sqlerr.New(sqlerr.DuplicateColumn, "column %q specified more than once", n)
		}
		seen[n] = true
		o.Columns = append(o.Columns, planner.RelColumn{Name: n, Type: c.Type})
	}
	deps := map[uint64]bool{}
	for _, r := range q.Relations {
		if r.Kind == planner.System {
			if kind == planner.MaterializedView {
				return nil, sqlerr.NotSupported(fmt.Sprintf("materialized views over system view %s.%s", r.Schema, r.Name))
			}
			continue
		}
		if !deps[r.ID] {
			deps[r.ID] = true
			o.DependsOn = append(o.DependsOn, r.ID)
		}
	}
	return o, nil
}

type createMaterializedViewExec struct {
	st   sql.Statement
	stmt *pg_query.CreateTableAsStmt
}

func (x *createMaterializedViewExec) execute(ctx context.Context, s *Session, _ []types.Datum) (*Result, error) {
	e := s.e
	into := x.stmt.Into
	if into.Rel.Relpersistence == "t" {
		return nil, sqlerr.NotSupported("temporary materialized views")
	}
	if into.SkipData {
		return nil, sqlerr.NotSupported("CREATE MATERIALIZED VIEW ... WITH NO DATA")
	}
	o, err := e.defineView(x.st, into.Rel, x.stmt.Query, into.ColNames, planner.MaterializedView)
	if err != nil {
		return nil, err
	}
	e.writeMu.Lock()
	defer e.writeMu.Unlock()
	if err := e.cat.checkNameFree(o.Schema, o.Name); err != nil {
		if x.stmt.IfNotExists {
			return &Result{Tag: "CREATE MATERIALIZED VIEW"}, nil
		}
		return nil, err
	}
	o.ID = e.cat.nextID
	e.mu.RLock()
	q, err := e.planView(o.Query)
	e.mu.RUnlock()
	if err != nil {
		return nil, err
	}
	if key, ok := q.Graph.OutputKey(); ok {
		o.ViewKeyed, o.ViewKey = true, key
	}
	if _, tz, err := s.settings.get("TimeZone"); err == nil && tz != "UTC" {
		o.TimeZone = tz
	}
	f, err := e.newDataflow(o, q.Graph)
	if err != nil {
		return nil, err
	}
	// Backfill from the committed contents of the inputs, in the same epoch as the catalog entry.
	err = e.runEpoch(ctx, func(tx *epochTx) error {
		if err := tx.persist(o); err != nil {
			return err
		}
		snap, err := e.readSnapshot(f.graph.Inputs())
		if err != nil {
			return err
		}
		defer snap.Close()
		e.mu.RLock()
		contents, err := e.backfill(ctx, f, snap)
		e.mu.RUnlock()
		if err != nil {
			return err
		}
		defer contents.Release()
		if err := f.writeState(tx.wb, e.mem); err != nil {
			return err
		}
		if f.slots != nil {
			if err := tx.wb.Set(planKey(o.ID), f.planFingerprint()); err != nil {
				return err
			}
		}
		return f.layout.apply(tx.wb, contents, o.Name, nil, nil)
	})
	if err != nil {
		f.dropPending()
		return nil, err
	}
	e.mu.Lock()
	e.cat.add(o)
	e.flows[o.ID] = f
	e.readers = nil
	e.mu.Unlock()
	e.startFeeds(o)
	return &Result{Tag: "CREATE MATERIALIZED VIEW"}, nil
}

// DROP

type dropExec struct {
	st   sql.Statement
	stmt *pg_query.DropStmt
}

func (x *dropExec) execute(ctx context.Context, s *Session, _ []types.Datum) (*Result, error) {
	e := s.e
	var kind planner.RelKind
	var tag string
	switch x.stmt.RemoveType {
	case pg_query.ObjectType_OBJECT_TABLE:
		kind, tag = planner.Table, "DROP TABLE"
	case pg_query.ObjectType_OBJECT_VIEW:
		kind, tag = planner.View, "DROP VIEW"
	case pg_query.ObjectType_OBJECT_MATVIEW:
		kind, tag = planner.MaterializedView, "DROP MATERIALIZED VIEW"
	case pg_query.ObjectType_OBJECT_INDEX:
		e.writeMu.Lock()
		defer e.writeMu.Unlock()
		return e.dropIndexes(ctx, x.stmt)
	default:
		return nil, sqlerr.NotSupported("DROP " + strings.TrimPrefix(x.stmt.RemoveType.String(), "OBJECT_"))
	}
	var names [][]string
	for _, objNode := range x.stmt.Objects {
		var parts []string
		for _, item := range objNode.GetList().GetItems() {
			parts = append(parts, item.GetString_().Sval)
		}
		names = append(names, parts)
	}
	e.writeMu.Lock()
	defer e.writeMu.Unlock()
	drop, err := e.dropClosure(kind, names, x.stmt.MissingOk, x.stmt.Behavior == pg_query.DropBehavior_DROP_CASCADE)
	if err != nil {
		return nil, err
	}
	if err := e.dropObjects(ctx, drop); err != nil {
		return nil, err
	}
	return &Result{Tag: tag}, nil
}

// dropClosure resolves the names of a DROP of kind with the objects that depend on them: an error
// names a dependent when cascade is false. The caller holds writeMu.
func (e *Engine) dropClosure(kind planner.RelKind, names [][]string, missingOk, cascade bool) ([]*object, error) {
	var drop []*object
	dropping := map[uint64]bool{}
	for _, parts := range names {
		schema, name := "", parts[len(parts)-1]
		if len(parts) > 1 {
			schema = parts[len(parts)-2]
		}
		o := e.cat.lookup(schema, name)
		if t, _ := e.cat.lookupIndex(schema, name); o == nil && t != nil {
			return nil, &sqlerr.Error{Code: sqlerr.WrongObjectType, Message: fmt.Sprintf("%q is not a %s", name, kindName(kind)),
				Hint: "Use DROP INDEX to remove an index."}
		}
		if o == nil {
			if missingOk {
				continue
			}
			return nil, sqlerr.New(sqlerr.UndefinedTable, "%s %q does not exist", kindName(kind), name)
		}
		if o.Kind != kind {
			return nil, &sqlerr.Error{Code: sqlerr.WrongObjectType, Message: fmt.Sprintf("%q is not a %s", name, kindName(kind)),
				Hint: fmt.Sprintf("Use DROP %s to remove a %s.", strings.ToUpper(kindName(o.Kind)), kindName(o.Kind))}
		}
		deps := e.cat.dependentsClosure(o.ID)
		if len(deps) > 0 && !cascade {
			direct := e.cat.dependents(o.ID)
			return nil, &sqlerr.Error{Code: sqlerr.DependentObjectsStillExist,
				Message: fmt.Sprintf("cannot drop %s %s because other objects depend on it", kindName(o.Kind), o.Name),
				Detail:  describeDependents(o, direct),
				Hint:    "Use DROP ... CASCADE to drop the dependent objects too."}
		}
		for _, d := range append(deps, o) {
			if !dropping[d.ID] {
				dropping[d.ID] = true
				drop = append(drop, d)
			}
		}
	}
	return drop, nil
}

// dropObjects removes objects (dependents included by the caller) from the catalog with their
// contents, index entries, operator state and source offsets, in one epoch, and stops their
// feeds. The caller holds writeMu.
func (e *Engine) dropObjects(ctx context.Context, drop []*object) error {
	if len(drop) == 0 {
		return nil
	}
	// Dropped views' rows are deleted by range: apply their pending deltas first, so that their
	// log entries go too.
	if err := e.materialize(); err != nil {
		return err
	}
	err := e.runEpoch(ctx, func(tx *epochTx) error {
		for _, o := range drop {
			if err := tx.wb.Delete(storage.CatalogKey(o.ID)); err != nil {
				return err
			}
			if o.Kind == planner.View || o.Kind == planner.Source {
				continue
			}
			if err := layoutOf(o).dropContents(tx.wb); err != nil {
				return err
			}
			if err := dropIndexEntries(tx.wb, o); err != nil {
				return err
			}
			if len(e.feedsOf(o)) == 0 {
				continue // no operator state or offsets are stored
			}
			lower, upper := stateRange(o.ID)
			if err := deleteKeys(tx.wb, lower, upper); err != nil {
				return err
			}
			offsets := storage.Prefix(storage.KindOffset, o.ID)
			if err := deleteKeys(tx.wb, offsets, storage.PrefixEnd(offsets)); err != nil {
				return err
			}
		}
		return nil
	})
	if err != nil {
		return err
	}
	for _, o := range drop {
		e.stopFeeds(o.ID)
	}
	e.mu.Lock()
	for _, o := range drop {
		e.cat.remove(o)
		delete(e.flows, o.ID)
		e.readers = nil
		e.rowIDs.forget(o.ID)
	}
	e.mu.Unlock()
	return nil
}
