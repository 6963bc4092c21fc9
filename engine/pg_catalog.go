package engine

import (
	"github.com/runnel-db/runnel/exec/expr"
	"github.com/runnel-db/runnel/exec/types"
	"github.com/runnel-db/runnel/planner"
)

// pg_catalog views, computed from the catalog when read: the rows and columns psql's \d, \dt, \dv,
// \dm and drivers' metadata queries read. Object ids follow PostgreSQL's conventions: user objects
// from 16384 (object.OID), system objects below; every relation is owned by the bootstrap role,
// whose oid is 10 as in PostgreSQL. A source is a foreign table (relkind 'f'). oid columns are
// bigint here (Runnel has no oid type).

// PgCatalog is PostgreSQL's system catalog schema.
const PgCatalog = "pg_catalog"

// Namespace oids: PostgreSQL's for pg_catalog and public, fixed ones below firstOID for the others.
const (
	oidPgCatalog         = 11
	oidPublic            = 2200
	oidInformationSchema = 11800
	oidRunnelCatalog     = 11900
	oidBootstrapRole     = 10
	oidHeapAM            = 2
	oidBtreeAM           = 403
)

func namespaceOID(schema string) int64 {
	switch schema {
	case PgCatalog:
		return oidPgCatalog
	case InformationSchema:
		return oidInformationSchema
	case SystemSchema:
		return oidRunnelCatalog
	}
	return oidPublic
}

// pgSchemas are the schemas pg_namespace lists.
var pgSchemas = []string{PgCatalog, DefaultSchema, InformationSchema, SystemSchema}

// Column constructors of the pg_catalog views, by PostgreSQL's column types (oid is bigint
// marked as oid: see exec/types/reg.go).
func oidCol(name string) planner.RelColumn  { return col(name, types.OidT) }
func boolCol(name string) planner.RelColumn { return col(name, types.BoolT) }
func textCol(name string) planner.RelColumn { return col(name, types.TextT) }
func i2Col(name string) planner.RelColumn   { return col(name, types.Int16T) }
func i4Col(name string) planner.RelColumn   { return col(name, types.Int32T) }

func init() {
	oid, b, txt, i2, i4 := oidCol, boolCol, textCol, i2Col, i4Col
	systemRelations = append(systemRelations,
		&systemRelation{schema: PgCatalog, name: "pg_namespace",
			cols: []planner.RelColumn{oid("oid"), txt("nspname"), oid("nspowner")}, rows: pgNamespaceRows},
		&systemRelation{schema: PgCatalog, name: "pg_am",
			cols: []planner.RelColumn{oid("oid"), txt("amname"), col("amhandler", types.RegProcT), txt("amtype")}, rows: pgAmRows},
		&systemRelation{schema: PgCatalog, name: "pg_class",
			cols: []planner.RelColumn{oid("oid"), txt("relname"), oid("relnamespace"), oid("reltype"), oid("reloftype"), oid("relowner"),
				oid("relam"), oid("relfilenode"), oid("reltablespace"), i4("relpages"), col("reltuples", types.Float32T),
				i4("relallvisible"), oid("reltoastrelid"), b("relhasindex"), b("relisshared"), txt("relpersistence"), txt("relkind"),
				i2("relnatts"), i2("relchecks"), b("relhasrules"), b("relhastriggers"), b("relhassubclass"), b("relrowsecurity"),
				b("relforcerowsecurity"), b("relispopulated"), txt("relreplident"), b("relispartition"), oid("relrewrite"),
				col("reloptions", types.TextArrayT), txt("relpartbound"), col("relacl", types.TextArrayT)},
			rows: pgClassRows},
		&systemRelation{schema: PgCatalog, name: "pg_attribute",
			cols: []planner.RelColumn{oid("attrelid"), txt("attname"), oid("atttypid"), i4("attstattarget"), i2("attlen"), i2("attnum"),
				i4("attndims"), i4("atttypmod"), b("attbyval"), txt("attalign"), txt("attstorage"), txt("attcompression"),
				b("attnotnull"), b("atthasdef"), b("atthasmissing"), txt("attidentity"), txt("attgenerated"), b("attisdropped"),
				b("attislocal"), i4("attinhcount"), oid("attcollation"), col("attacl", types.TextArrayT),
				col("attoptions", types.TextArrayT), col("attfdwoptions", types.TextArrayT)},
			rows: pgAttributeRows},
		&systemRelation{schema: PgCatalog, name: "pg_type",
			cols: []planner.RelColumn{oid("oid"), txt("typname"), oid("typnamespace"), oid("typowner"), i2("typlen"), b("typbyval"),
				txt("typtype"), txt("typcategory"), b("typispreferred"), b("typisdefined"), txt("typdelim"), oid("typrelid"),
				oid("typelem"), oid("typarray"), col("typinput", types.RegProcT), oid("typbasetype"), i4("typtypmod"), b("typnotnull"),
				oid("typcollation"), txt("typdefault"), i4("typndims")},
			rows: pgTypeRows},
	)
}

func pgNamespaceRows(*Engine) [][]types.Datum {
	var rows [][]types.Datum
	for _, s := range pgSchemas {
		rows = append(rows, []types.Datum{namespaceOID(s), s, int64(oidBootstrapRole)})
	}
	return rows
}

func pgAmRows(*Engine) [][]types.Datum {
	return [][]types.Datum{{int64(oidHeapAM), "heap", int64(0), "t"}, {int64(oidBtreeAM), "btree", int64(0), "i"}}
}

// classRow is a pg_class row with PostgreSQL's defaults for what Runnel does not have.
// classRow is one pg_class row. Runnel keeps no planner statistics: relpages and reltuples are what
// PostgreSQL shows before the first VACUUM or ANALYZE, 0 and -1 for a relation and 1 and 0 for an
// index built with its table (its metapage, no tuples).
func classRow(oid int64, name, schema, kind string, am int64, natts int, hasIndex bool) []types.Datum {
	pages, tuples := int64(0), float64(-1)
	if kind == "i" {
		pages, tuples = 1, 0
	}
	return []types.Datum{oid, name, namespaceOID(schema), int64(0), int64(0), int64(oidBootstrapRole), am, int64(0), int64(0),
		pages, tuples, int64(0), int64(0), hasIndex, false, "p", kind, int64(natts), int64(0), false, false, false,
		false, false, true, "d", false, int64(0), nil, nil, nil}
}

func relKindChar(k planner.RelKind) string {
	switch k {
	case planner.View:
		return "v"
	case planner.MaterializedView:
		return "m"
	case planner.Source:
		return "f"
	}
	return "r"
}

func pgClassRows(e *Engine) [][]types.Datum {
	var rows [][]types.Datum
	for _, o := range e.userObjects() {
		am := int64(0)
		if o.Kind == planner.Table || o.Kind == planner.MaterializedView {
			am = oidHeapAM
		}
		hasPkey := o.Kind == planner.Table && len(o.PrimaryKey) > 0
		rows = append(rows, classRow(int64(o.OID()), o.Name, o.Schema, relKindChar(o.Kind), am, len(o.Columns), len(o.Indexes) > 0 || hasPkey))
		if hasPkey {
			rows = append(rows, classRow(pkeyIndexOID(o), pkeyName(o), o.Schema, "i", oidBtreeAM, len(o.PrimaryKey), false))
		}
		for _, ix := range o.Indexes {
			rows = append(rows, classRow(int64(firstOID+ix.ID), ix.Name, o.Schema, "i", oidBtreeAM, len(ix.Columns), false))
		}
	}
	for i, r := range systemRelations {
		rows = append(rows, classRow(int64(systemOIDBase+i), r.name, r.schema, "v", 0, len(r.cols), false))
	}
	return rows
}

func attributeRow(rel int64, num int, c planner.RelColumn) []types.Datum {
	t := c.Type
	byVal := t.Len() > 0 && t.Len() <= 8
	align, storage := "d", "p"
	switch {
	case t.Len() == 1:
		align = "c"
	case t.Len() == 2:
		align = "s"
	case t.Len() == 4:
		align = "i"
	case t.Kind == types.Numeric:
		align, storage = "i", "m"
	case t.Len() < 0:
		align, storage = "i", "x"
	}
	var collation int64
	if t.IsString() {
		collation = oidDefaultCollation
	}
	ndims := int64(0)
	if t.Kind == types.Array {
		ndims = 1
	}
	return []types.Datum{rel, c.Name, int64(t.OID()), int64(-1), int64(t.Len()), int64(num), ndims, int64(t.Typmod()), byVal,
		align, storage, "", c.NotNull, c.Default != "", false, "", "", false, true, int64(0), collation, nil, nil, nil}
}

func pgAttributeRows(e *Engine) [][]types.Datum {
	var rows [][]types.Datum
	for _, o := range e.userObjects() {
		for i, c := range o.Columns {
			rows = append(rows, attributeRow(int64(o.OID()), i+1, c))
		}
	}
	for i, r := range systemRelations {
		for j, c := range r.cols {
			rows = append(rows, attributeRow(int64(systemOIDBase+i), j+1, c))
		}
	}
	return rows
}

// pg_table_is_visible: owners and visibility follow from the conventions
// above: every relation belongs to the bootstrap role, and user objects (in public, on every
// search path) and pg_catalog's views are visible, information_schema's and runnel_catalog's are
// not (PostgreSQL's default search path has neither).
func init() {
	expr.RegisterFunc("pg_table_is_visible", []types.T{types.OidT}, types.BoolT, false,
		func(_ *expr.Context, a []types.Datum) (types.Datum, error) {
			oid := a[0].(int64)
			if oid >= firstOID {
				return true, nil
			}
			if i := oid - systemOIDBase; i >= 0 && i < int64(len(systemRelations)) {
				return systemRelations[i].schema == PgCatalog, nil
			}
			return false, nil
		})
}
