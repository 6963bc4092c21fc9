package engine

import (
	"encoding/json"
	"fmt"
	"slices"
	"sort"
	"strings"
	"sync/atomic"

	"github.com/runnel-db/runnel/exec/sqlerr"
	"github.com/runnel-db/runnel/exec/types"
	"github.com/runnel-db/runnel/planner"
	"github.com/runnel-db/runnel/storage"
)

// DefaultSchema is the schema objects are created in and looked up from.
const DefaultSchema = "public"

// firstOID is the first pg_class oid handed to user objects, as in PostgreSQL.
const firstOID = 16384

// object is one catalog entry, persisted as JSON under its catalog key.
type object struct {
	ID         uint64              `json:"id"`
	Kind       planner.RelKind     `json:"kind"`
	Schema     string              `json:"schema"`
	Name       string              `json:"name"`
	Columns    []planner.RelColumn `json:"columns"`
	PrimaryKey []int               `json:"primary_key,omitempty"`
	Query      string              `json:"query,omitempty"`
	CreateSQL  string              `json:"create_sql"`
	DependsOn  []uint64            `json:"depends_on,omitempty"`
	// ViewKeyed says a materialized view's rows are stored by ViewKey, columns known to identify
	// each row (its dataflow's output is a set); otherwise they are stored as a multiset.
	ViewKeyed bool  `json:"view_keyed,omitempty"`
	ViewKey   []int `json:"view_key,omitempty"`
	// TimeZone is the TimeZone of the session that created a materialized view: its dataflow
	// evaluates time zone dependent expressions in it, whoever changes the inputs. "" is UTC.
	TimeZone string `json:"time_zone,omitempty"`
	// Indexes are a table's secondary indexes (CREATE INDEX and UNIQUE constraints), in creation
	// order; see index.go.
	Indexes []index `json:"indexes,omitempty"`
	// Connector is the external feed of a source or of a table created WITH (connector = ...).
	Connector *connectorSpec `json:"connector,omitempty"`
}

// OID is the object's pg_class oid.
func (o *object) OID() uint32 { return uint32(firstOID + o.ID) }

func (o *object) relation() *planner.Relation {
	return &planner.Relation{
		ID: o.ID, OID: o.OID(), Schema: o.Schema, Name: o.Name, Kind: o.Kind,
		Columns: o.Columns, PrimaryKey: o.PrimaryKey, Query: o.Query,
	}
}

func (o *object) columnTypes() []types.T {
	ts := make([]types.T, len(o.Columns))
	for i, c := range o.Columns {
		ts[i] = c.Type
	}
	return ts
}

// kindName is the object kind as it appears in messages: "table", "materialized view".
func kindName(k planner.RelKind) string {
	switch k {
	case planner.Table:
		return "table"
	case planner.View:
		return "view"
	case planner.MaterializedView:
		return "materialized view"
	case planner.Source:
		return "source"
	}
	return "relation"
}

// catalog is the in-memory copy of every catalog entry. It is read by sessions under
// Engine.mu (read lock) and changed only under the write lock and Engine.mu.
type catalog struct {
	byID   map[uint64]*object
	byName map[string]*object // schema + "." + name
	nextID uint64
	// version counts changes: a plan made at one version is valid while it holds.
	version uint64
	// Derived, rebuilt on first use after a change: the materialized views in creation order and
	// the reverse dependency lists.
	mvOrder    []*object
	dependedBy map[uint64][]*object
	// roles are the stored roles by name (roles.go).
	roles map[string]*role
	// reader is the catalog functions' copy of the catalog at some version (pg_catalog_reg.go).
	reader atomic.Pointer[catalogReader]
}

func newCatalog() *catalog {
	return &catalog{byID: map[uint64]*object{}, byName: map[string]*object{}, nextID: 1, roles: map[string]*role{}}
}

func qualified(schema, name string) string { return schema + "." + name }

func (c *catalog) lookup(schema, name string) *object {
	if schema == "" {
		schema = DefaultSchema
	}
	return c.byName[qualified(schema, name)]
}

func (c *catalog) add(o *object) {
	c.version++
	if old := c.byID[o.ID]; old != nil {
		c.unlink(old)
	}
	c.link(o)
	c.byID[o.ID] = o
	c.byName[qualified(o.Schema, o.Name)] = o
	if o.ID >= c.nextID {
		c.nextID = o.ID + 1
	}
	for _, ix := range o.Indexes {
		if ix.ID >= c.nextID {
			c.nextID = ix.ID + 1
		}
	}
}

func (c *catalog) remove(o *object) {
	c.version++
	c.unlink(o)
	delete(c.byID, o.ID)
	delete(c.byName, qualified(o.Schema, o.Name))
}

// link enters o into the derived indexes that are built (the common case, a new object with
// the largest id, keeps them without a rebuild).
func (c *catalog) link(o *object) {
	if c.mvOrder != nil && o.Kind == planner.MaterializedView {
		if n := len(c.mvOrder); n == 0 || c.mvOrder[n-1].ID < o.ID {
			c.mvOrder = append(c.mvOrder, o)
		} else {
			c.mvOrder = nil
		}
	}
	if c.dependedBy != nil {
		seen := map[uint64]bool{}
		for _, d := range o.DependsOn {
			if !seen[d] {
				seen[d] = true
				list := append(c.dependedBy[d], o)
				sort.Slice(list, func(i, j int) bool { return list[i].ID < list[j].ID })
				c.dependedBy[d] = list
			}
		}
	}
}

// unlink removes o from the derived indexes that are built.
func (c *catalog) unlink(o *object) {
	if c.mvOrder != nil && o.Kind == planner.MaterializedView {
		c.mvOrder = slices.DeleteFunc(c.mvOrder, func(x *object) bool { return x.ID == o.ID })
	}
	if c.dependedBy != nil {
		for _, d := range o.DependsOn {
			c.dependedBy[d] = slices.DeleteFunc(c.dependedBy[d], func(x *object) bool { return x.ID == o.ID })
		}
	}
}

// dependents returns the objects that depend on id directly, in creation order.
func (c *catalog) dependents(id uint64) []*object {
	if c.dependedBy == nil {
		c.dependedBy = map[uint64][]*object{}
		for _, o := range c.byID {
			seen := map[uint64]bool{}
			for _, d := range o.DependsOn {
				if !seen[d] {
					seen[d] = true
					c.dependedBy[d] = append(c.dependedBy[d], o)
				}
			}
		}
		for _, list := range c.dependedBy {
			sort.Slice(list, func(i, j int) bool { return list[i].ID < list[j].ID })
		}
	}
	return c.dependedBy[id]
}

// dependentsClosure returns every object that depends on id directly or transitively, ordered so
// that dependents come before what they depend on (the order to drop them in).
func (c *catalog) dependentsClosure(id uint64) []*object {
	seen := map[uint64]bool{}
	var out []*object
	var visit func(uint64)
	visit = func(id uint64) {
		for _, d := range c.dependents(id) {
			if !seen[d.ID] {
				seen[d.ID] = true
				visit(d.ID)
				out = append(out, d)
			}
		}
	}
	visit(id)
	return out
}

// sorted returns all objects of the given kinds ordered by name.
func (c *catalog) sorted(kinds ...planner.RelKind) []*object {
	var out []*object
	for _, o := range c.byID {
		for _, k := range kinds {
			if o.Kind == k {
				out = append(out, o)
			}
		}
	}
	sort.Slice(out, func(i, j int) bool {
		if out[i].Schema != out[j].Schema {
			return out[i].Schema < out[j].Schema
		}
		return out[i].Name < out[j].Name
	})
	return out
}

// materializedInOrder returns the materialized views in creation order, which is a topological
// order of their dependencies (a view can only depend on objects that existed before it).
func (c *catalog) materializedInOrder() []*object {
	if c.mvOrder == nil {
		c.mvOrder = []*object{}
		for _, o := range c.byID {
			if o.Kind == planner.MaterializedView {
				c.mvOrder = append(c.mvOrder, o)
			}
		}
		sort.Slice(c.mvOrder, func(i, j int) bool { return c.mvOrder[i].ID < c.mvOrder[j].ID })
	}
	return c.mvOrder
}

// catalogView adapts the catalog to planner.Catalog (and planner.ObjectResolver).
type catalogView struct {
	c *catalog
	e *Engine
}

// RegOID resolves a reg type's name while planning (the caller holds e.mu).
func (v catalogView) RegOID(r types.RegKind, name string) (int64, error) {
	return v.e.catalogReader().RegOID(r, name)
}

func (v catalogView) Relation(schema, name string) (*planner.Relation, error) {
	if schema == SystemSchema || schema == InformationSchema || schema == PgCatalog {
		if r, id := lookupSystem(schema, name); r != nil {
			return r.relation(id), nil
		}
		return nil, nil
	}
	if schema == "" {
		// pg_catalog is searched first, whatever the search path says, as in PostgreSQL.
		if r, id := lookupSystem(PgCatalog, name); r != nil {
			return r.relation(id), nil
		}
	}
	if schema != "" && schema != DefaultSchema {
		return nil, nil
	}
	o := v.c.lookup(schema, name)
	if o == nil {
		return nil, nil
	}
	return o.relation(), nil
}

// persistence

const metaNextID = "next_object_id"

func encodeObject(o *object) ([]byte, error) { return json.Marshal(o) }

func (c *catalog) load(db *storage.DB) error {
	snap := db.NewSnapshot()
	defer snap.Close()
	lower := storage.KindPrefix(storage.KindCatalog)
	upper := storage.PrefixEnd(lower)
	it, err := snap.NewIter(lower, upper)
	if err != nil {
		return fmt.Errorf("load catalog: %w", err)
	}
	defer it.Close()
	for it.First(); it.Valid(); it.Next() {
		o := new(object)
		if err := json.Unmarshal(it.Value(), o); err != nil {
			return fmt.Errorf("load catalog entry %x: %w", it.Key(), err)
		}
		c.add(o)
	}
	if err := it.Error(); err != nil {
		return err
	}
	return c.loadRoles(db)
}

func (c *catalog) checkNameFree(schema, name string) error {
	if schema == "" {
		schema = DefaultSchema
	}
	if o := c.lookup(schema, name); o != nil {
		return sqlerr.New(sqlerr.DuplicateTable, "relation %q already exists", name)
	}
	if t, _ := c.lookupIndex(schema, name); t != nil {
		return sqlerr.New(sqlerr.DuplicateTable, "relation %q already exists", name)
	}
	for _, o := range c.byID {
		// The primary key's index is named t_pkey in PostgreSQL and takes the name.
		if o.Kind == planner.Table && len(o.PrimaryKey) > 0 && o.Schema == schema && o.Name+"_pkey" == name {
			return sqlerr.New(sqlerr.DuplicateTable, "relation %q already exists", name)
		}
	}
	return nil
}

// describeDependents renders the DETAIL of a 2BP01 error: one line per dependent.
func describeDependents(target *object, deps []*object) string {
	lines := make([]string, len(deps))
	for i, d := range deps {
		lines[i] = fmt.Sprintf("%s %s depends on %s %s", kindName(d.Kind), d.Name, kindName(target.Kind), target.Name)
	}
	return strings.Join(lines, "\n")
}
