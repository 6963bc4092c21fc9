package engine

import (
	"strings"

	"github.com/runnel-db/runnel/exec/types"
	"github.com/runnel-db/runnel/planner"
)

// information_schema views and runnel_catalog's catalog views, computed from the catalog when
// read. The information_schema views have PostgreSQL's leading columns (tools select them by
// name), with their SQL-standard domains as text and integers; materialized views and sources,
// which PostgreSQL's information_schema.tables does not list, appear there with table_type
// MATERIALIZED VIEW and SOURCE, as in RisingWave.

// databaseName is the one database Runnel serves, as information_schema reports it.
const databaseName = "runnel"

func init() {
	systemRelations = append(systemRelations,
		&systemRelation{schema: InformationSchema, name: "schemata",
			cols: []planner.RelColumn{col("catalog_name", types.TextT), col("schema_name", types.TextT), col("schema_owner", types.TextT)},
			rows: schemataRows},
		&systemRelation{schema: InformationSchema, name: "tables",
			cols: []planner.RelColumn{col("table_catalog", types.TextT), col("table_schema", types.TextT), col("table_name", types.TextT),
				col("table_type", types.TextT), col("is_insertable_into", types.TextT)},
			rows: tablesRows},
		&systemRelation{schema: InformationSchema, name: "views",
			cols: []planner.RelColumn{col("table_catalog", types.TextT), col("table_schema", types.TextT), col("table_name", types.TextT),
				col("view_definition", types.TextT), col("is_updatable", types.TextT), col("is_insertable_into", types.TextT)},
			rows: viewsRows},
		&systemRelation{schema: InformationSchema, name: "columns",
			cols: []planner.RelColumn{col("table_catalog", types.TextT), col("table_schema", types.TextT), col("table_name", types.TextT),
				col("column_name", types.TextT), col("ordinal_position", types.Int32T), col("column_default", types.TextT),
				col("is_nullable", types.TextT), col("data_type", types.TextT), col("character_maximum_length", types.Int32T),
				col("numeric_precision", types.Int32T), col("numeric_precision_radix", types.Int32T), col("numeric_scale", types.Int32T),
				col("datetime_precision", types.Int32T), col("udt_name", types.TextT)},
			rows: columnsRows},
		&systemRelation{schema: SystemSchema, name: "objects",
			cols: []planner.RelColumn{col("id", types.Int64T), col("schema", types.TextT), col("name", types.TextT), col("kind", types.TextT),
				col("definition", types.TextT)},
			rows: objectsRows},
		&systemRelation{schema: SystemSchema, name: "dependencies",
			cols: []planner.RelColumn{col("object", types.TextT), col("kind", types.TextT), col("depends_on", types.TextT), col("depends_on_kind", types.TextT)},
			rows: dependencyRows},
	)
}

// userObjects lists the catalog's relations by schema and name (the caller holds e.mu).
func (e *Engine) userObjects() []*object {
	return e.cat.sorted(planner.Table, planner.View, planner.MaterializedView, planner.Source)
}

func schemataRows(e *Engine) [][]types.Datum {
	var rows [][]types.Datum
	for _, s := range []string{InformationSchema, "pg_catalog", DefaultSchema, SystemSchema} {
		rows = append(rows, []types.Datum{databaseName, s, BootstrapRole})
	}
	return rows
}

func tableType(k planner.RelKind) string {
	switch k {
	case planner.Table:
		return "BASE TABLE"
	case planner.View:
		return "VIEW"
	case planner.MaterializedView:
		return "MATERIALIZED VIEW"
	case planner.Source:
		return "SOURCE"
	}
	return "SYSTEM VIEW"
}

func yesNo(b bool) string {
	if b {
		return "YES"
	}
	return "NO"
}

func tablesRows(e *Engine) [][]types.Datum {
	var rows [][]types.Datum
	for _, o := range e.userObjects() {
		rows = append(rows, []types.Datum{databaseName, o.Schema, o.Name, tableType(o.Kind), yesNo(o.Kind == planner.Table)})
	}
	for _, r := range systemRelations {
		rows = append(rows, []types.Datum{databaseName, r.schema, r.name, "VIEW", "NO"})
	}
	return rows
}

func viewsRows(e *Engine) [][]types.Datum {
	var rows [][]types.Datum
	for _, o := range e.userObjects() {
		if o.Kind == planner.View || o.Kind == planner.MaterializedView {
			rows = append(rows, []types.Datum{databaseName, o.Schema, o.Name, o.Query, "NO", "NO"})
		}
	}
	return rows
}

func columnsRows(e *Engine) [][]types.Datum {
	var rows [][]types.Datum
	for _, o := range e.userObjects() {
		for i, c := range o.Columns {
			rows = append(rows, columnRow(o.Schema, o.Name, i, c))
		}
	}
	for _, r := range systemRelations {
		for i, c := range r.cols {
			rows = append(rows, columnRow(r.schema, r.name, i, c))
		}
	}
	return rows
}

// columnRow is one row of information_schema.columns, with PostgreSQL's values for the type.
func columnRow(schema, table string, i int, c planner.RelColumn) []types.Datum {
	t := c.Type
	dataType := t.String()
	if p := strings.IndexByte(dataType, '('); p >= 0 {
		dataType = dataType[:p]
	}
	if t.Kind == types.Array {
		dataType = "ARRAY"
	}
	var def, charLen, prec, radix, scale, dtPrec types.Datum
	if c.Default != "" {
		def = c.Default
	}
	switch t.Kind {
	case types.Int16:
		prec, radix, scale = int64(16), int64(2), int64(0)
	case types.Int32:
		prec, radix, scale = int64(32), int64(2), int64(0)
	case types.Int64:
		prec, radix, scale = int64(64), int64(2), int64(0)
	case types.Float32:
		prec, radix = int64(24), int64(2)
	case types.Float64:
		prec, radix = int64(53), int64(2)
	case types.Numeric:
		radix = int64(10)
		if t.Precision > 0 {
			prec, scale = int64(t.Precision), int64(t.Scale)
		}
	case types.Varchar:
		if t.Precision > 0 {
			charLen = int64(t.Precision)
		}
	case types.Date:
		dtPrec = int64(0)
	case types.Timestamp, types.TimestampTZ, types.Interval:
		dtPrec = int64(6)
	}
	return []types.Datum{databaseName, schema, table, c.Name, int64(i + 1), def, yesNo(!c.NotNull), dataType,
		charLen, prec, radix, scale, dtPrec, udtName(t)}
}

// udtName is the name of t's type in pg_type.
func udtName(t types.T) string {
	if t.Kind == types.Array {
		switch {
		case t.IsVector():
			return t.String()
		case t.ElemType().Reg == types.RegOID:
			return "_oid"
		}
		return "_" + udtName(t.ElemType())
	}
	switch t.Kind {
	case types.Bool:
		return "bool"
	case types.Int16:
		return "int2"
	case types.Int32:
		return "int4"
	case types.Int64:
		return "int8"
	case types.Float32:
		return "float4"
	case types.Float64:
		return "float8"
	case types.Numeric:
		return "numeric"
	case types.Varchar:
		return "varchar"
	case types.Date:
		return "date"
	case types.Timestamp:
		return "timestamp"
	case types.TimestampTZ:
		return "timestamptz"
	case types.Interval:
		return "interval"
	case types.JSONB:
		return "jsonb"
	case types.JSON:
		return "json"
	}
	return "text"
}

func objectsRows(e *Engine) [][]types.Datum {
	var rows [][]types.Datum
	for _, o := range e.userObjects() {
		rows = append(rows, []types.Datum{int64(o.ID), o.Schema, o.Name, kindName(o.Kind), o.CreateSQL})
	}
	return rows
}

func dependencyRows(e *Engine) [][]types.Datum {
	var rows [][]types.Datum
	for _, o := range e.userObjects() {
		for _, id := range o.DependsOn {
			if d := e.cat.byID[id]; d != nil {
				rows = append(rows, []types.Datum{o.Schema + "." + o.Name, kindName(o.Kind), d.Schema + "." + d.Name, kindName(d.Kind)})
			}
		}
	}
	return rows
}
