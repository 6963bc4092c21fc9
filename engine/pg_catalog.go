package engine

import (
	"fmt"

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

func init() {
	oid := func(name string) planner.RelColumn { return col(name, types.Int64T) }
	b := func(name string) planner.RelColumn { return col(name, types.BoolT) }
	txt := func(name string) planner.RelColumn { return col(name, types.TextT) }
	i2 := func(name string) planner.RelColumn { return col(name, types.Int16T) }
	i4 := func(name string) planner.RelColumn { return col(name, types.Int32T) }
	systemRelations = append(systemRelations,
		&systemRelation{schema: PgCatalog, name: "pg_namespace",
			cols: []planner.RelColumn{oid("oid"), txt("nspname"), oid("nspowner")}, rows: pgNamespaceRows},
		&systemRelation{schema: PgCatalog, name: "pg_am",
			cols: []planner.RelColumn{oid("oid"), txt("amname"), oid("amhandler"), txt("amtype")}, rows: pgAmRows},
		&systemRelation{schema: PgCatalog, name: "pg_class",
			cols: []planner.RelColumn{oid("oid"), txt("relname"), oid("relnamespace"), oid("reltype"), oid("reloftype"), oid("relowner"),
				oid("relam"), oid("relfilenode"), oid("reltablespace"), i4("relpages"), col("reltuples", types.Float32T),
				i4("relallvisible"), oid("reltoastrelid"), b("relhasindex"), b("relisshared"), txt("relpersistence"), txt("relkind"),
				i2("relnatts"), i2("relchecks"), b("relhasrules"), b("relhastriggers"), b("relhassubclass"), b("relrowsecurity"),
				b("relforcerowsecurity"), b("relispopulated"), txt("relreplident"), b("relispartition"), oid("relrewrite")},
			rows: pgClassRows},
		&systemRelation{schema: PgCatalog, name: "pg_attribute",
			cols: []planner.RelColumn{oid("attrelid"), txt("attname"), oid("atttypid"), i2("attlen"), i2("attnum"), i4("atttypmod"),
				b("attnotnull"), b("atthasdef"), b("attisdropped"), txt("attidentity"), txt("attgenerated"), oid("attcollation")},
			rows: pgAttributeRows},
		&systemRelation{schema: PgCatalog, name: "pg_type",
			cols: []planner.RelColumn{oid("oid"), txt("typname"), oid("typnamespace"), oid("typowner"), i2("typlen"), b("typbyval"),
				txt("typtype"), txt("typcategory"), b("typispreferred"), b("typisdefined"), txt("typdelim"), oid("typrelid"),
				oid("typelem"), oid("typarray"), oid("typbasetype"), i4("typtypmod"), b("typnotnull"), oid("typcollation")},
			rows: pgTypeRows},
	)
}

func pgNamespaceRows(*Engine) [][]types.Datum {
	var rows [][]types.Datum
	for _, s := range []string{PgCatalog, DefaultSchema, InformationSchema, SystemSchema} {
		rows = append(rows, []types.Datum{namespaceOID(s), s, int64(oidBootstrapRole)})
	}
	return rows
}

func pgAmRows(*Engine) [][]types.Datum {
	return [][]types.Datum{{int64(oidHeapAM), "heap", int64(0), "t"}, {int64(oidBtreeAM), "btree", int64(0), "i"}}
}

// classRow is a pg_class row with PostgreSQL's defaults for what Runnel does not have.
func classRow(oid int64, name, schema, kind string, am int64, natts int, hasIndex bool) []types.Datum {
	return []types.Datum{oid, name, namespaceOID(schema), int64(0), int64(0), int64(oidBootstrapRole), am, int64(0), int64(0),
		int64(0), float64(-1), int64(0), int64(0), hasIndex, false, "p", kind, int64(natts), int64(0), false, false, false,
		false, false, true, "d", false, int64(0)}
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
		rows = append(rows, classRow(int64(o.OID()), o.Name, o.Schema, relKindChar(o.Kind), am, len(o.Columns), len(o.Indexes) > 0))
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
	return []types.Datum{rel, c.Name, int64(c.Type.OID()), int64(c.Type.Len()), int64(num), int64(c.Type.Typmod()), c.NotNull,
		c.Default != "", false, "", "", int64(0)}
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

// pgTypes are the types Runnel has, with their array types' oids and categories.
var pgTypes = []struct {
	t        types.T
	array    int64
	category string
}{
	{types.BoolT, 1000, "B"}, {types.Int16T, 1005, "N"}, {types.Int32T, 1007, "N"}, {types.Int64T, 1016, "N"},
	{types.Float32T, 1021, "N"}, {types.Float64T, 1022, "N"}, {types.NumericT, 1231, "N"}, {types.TextT, 1009, "S"},
	{types.VarcharT, 1015, "S"}, {types.DateT, 1182, "D"}, {types.TimestampT, 1115, "D"}, {types.TimestampTZT, 1185, "D"},
	{types.IntervalT, 1187, "T"}, {types.JSONBT, 3807, "U"},
}

func pgTypeRows(*Engine) [][]types.Datum {
	var rows [][]types.Datum
	for _, p := range pgTypes {
		byVal := p.t.Len() > 0 && p.t.Len() <= 8
		preferred := p.t.Kind == types.Float64 || p.t.Kind == types.Text || p.t.Kind == types.TimestampTZ || p.t.Kind == types.Bool
		rows = append(rows, []types.Datum{int64(p.t.OID()), udtName(p.t), int64(oidPgCatalog), int64(oidBootstrapRole),
			int64(p.t.Len()), byVal, "b", p.category, preferred, true, ",", int64(0), int64(0), p.array, int64(0), int64(-1),
			false, int64(0)})
	}
	return rows
}

// The catalog functions psql's \d queries call. Owners and visibility follow from the conventions
// above: every relation belongs to the bootstrap role, and user objects (in public, on every
// search path) and pg_catalog's views are visible, information_schema's and runnel_catalog's are
// not (PostgreSQL's default search path has neither).
func init() {
	expr.RegisterFunc("pg_get_userbyid", []types.T{types.Int64T}, types.TextT, false,
		func(_ *expr.Context, a []types.Datum) (types.Datum, error) {
			if a[0].(int64) == oidBootstrapRole {
				return BootstrapRole, nil
			}
			return fmt.Sprintf("unknown (OID=%d)", a[0].(int64)), nil
		})
	expr.RegisterFunc("pg_table_is_visible", []types.T{types.Int64T}, types.BoolT, false,
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
