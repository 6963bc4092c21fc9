package engine

import (
	"fmt"
	"strings"

	"github.com/runnel-db/runnel/exec/expr"
	"github.com/runnel-db/runnel/exec/types"
)

// pg_type and format_type: the types Runnel has, with PostgreSQL's oids, names and properties.

// pgType is one pg_type row.
type pgType struct {
	oid      int64
	name     string // typname
	length   int64
	byVal    bool
	category string
	// preferred is typispreferred; elem and array link arrays and their element types.
	preferred   bool
	elem, array int64
	input       string // the type's input function (typinput)
	collation   int64
}

// oidDefaultCollation is pg_collation's "default".
const oidDefaultCollation = 100

// pgTypes are the rows of pg_type, in oid order.
var pgTypes = func() []pgType {
	base := []pgType{
		{oid: 16, name: "bool", length: 1, byVal: true, category: "B", preferred: true, array: 1000, input: "boolin"},
		{oid: 20, name: "int8", length: 8, byVal: true, category: "N", array: 1016, input: "int8in"},
		{oid: 21, name: "int2", length: 2, byVal: true, category: "N", array: 1005, input: "int2in"},
		{oid: 22, name: "int2vector", length: -1, category: "A", elem: 21, array: 1006, input: "int2vectorin"},
		{oid: 23, name: "int4", length: 4, byVal: true, category: "N", array: 1007, input: "int4in"},
		{oid: 24, name: "regproc", length: 4, byVal: true, category: "N", array: 1008, input: "regprocin"},
		{oid: 25, name: "text", length: -1, category: "S", preferred: true, array: 1009, input: "textin", collation: oidDefaultCollation},
		{oid: 26, name: "oid", length: 4, byVal: true, category: "N", preferred: true, array: 1028, input: "oidin"},
		{oid: 30, name: "oidvector", length: -1, category: "A", elem: 26, array: 1013, input: "oidvectorin"},
		{oid: 114, name: "json", length: -1, category: "U", array: 199, input: "json_in"},
		{oid: 700, name: "float4", length: 4, byVal: true, category: "N", array: 1021, input: "float4in"},
		{oid: 701, name: "float8", length: 8, byVal: true, category: "N", preferred: true, array: 1022, input: "float8in"},
		{oid: 1043, name: "varchar", length: -1, category: "S", array: 1015, input: "varcharin", collation: oidDefaultCollation},
		{oid: 1082, name: "date", length: 4, byVal: true, category: "D", array: 1182, input: "date_in"},
		{oid: 1114, name: "timestamp", length: 8, byVal: true, category: "D", array: 1115, input: "timestamp_in"},
		{oid: 1184, name: "timestamptz", length: 8, byVal: true, category: "D", preferred: true, array: 1185, input: "timestamptz_in"},
		{oid: 1186, name: "interval", length: 16, category: "T", preferred: true, array: 1187, input: "interval_in"},
		{oid: 1700, name: "numeric", length: -1, category: "N", array: 1231, input: "numeric_in"},
		{oid: 2205, name: "regclass", length: 4, byVal: true, category: "N", array: 2210, input: "regclassin"},
		{oid: 2206, name: "regtype", length: 4, byVal: true, category: "N", array: 2211, input: "regtypein"},
		{oid: 3802, name: "jsonb", length: -1, category: "U", array: 3807, input: "jsonb_in"},
		{oid: 4089, name: "regnamespace", length: 4, byVal: true, category: "N", array: 4090, input: "regnamespacein"},
		{oid: 4096, name: "regrole", length: 4, byVal: true, category: "N", array: 4097, input: "regrolein"},
	}
	out := append([]pgType(nil), base...)
	for _, b := range base {
		if b.array == 0 {
			continue
		}
		if _, ok := types.FromOID(uint32(b.array)); !ok {
			continue // an array type Runnel does not have
		}
		out = append(out, pgType{oid: b.array, name: "_" + b.name, length: -1, category: "A", elem: b.oid,
			input: "array_in", collation: b.collation})
	}
	return out
}()

// pseudoTypes are the pseudo-types function signatures use.
var pseudoTypes = map[int64]string{2275: "cstring", oidAny: `"any"`, oidAnyElement: "anyelement", oidAnyNonArray: "anynonarray"}

// pgTypeByOID returns the Runnel type with pg_type oid.
func pgTypeByOID(oid int64) (types.T, bool) {
	for _, p := range pgTypes {
		if p.oid == oid {
			return types.FromOID(uint32(oid))
		}
	}
	return types.T{}, false
}

// pgTypeByName resolves a type name as regtype's input does: typname ("int4", "_int4"), the
// SQL name format_type prints ("integer", "character varying"), or either with "[]".
func pgTypeByName(name string) (int64, bool) {
	name = strings.ToLower(strings.TrimSpace(strings.TrimPrefix(name, "pg_catalog.")))
	aliases := map[string]string{"int": "int4", "integer": "int4", "smallint": "int2", "bigint": "int8",
		"real": "float4", "double precision": "float8", "boolean": "bool", "decimal": "numeric",
		"timestamp without time zone": "timestamp", "timestamp with time zone": "timestamptz",
		"character varying": "varchar"}
	array := strings.HasSuffix(name, "[]")
	name = strings.TrimSpace(strings.TrimSuffix(name, "[]"))
	if a, ok := aliases[name]; ok {
		name = a
	}
	for _, p := range pgTypes {
		if p.name == name {
			if array {
				if p.array == 0 {
					return 0, false
				}
				_, ok := pgTypeByOID(p.array)
				return p.array, ok
			}
			return p.oid, true
		}
	}
	return 0, false
}

func pgTypeRows(*Engine) [][]types.Datum {
	var rows [][]types.Datum
	for _, p := range pgTypes {
		var input int64
		if pr := procsNamed(p.input); len(pr) > 0 {
			input = pr[0].oid
		}
		array := p.array
		if _, ok := pgTypeByOID(array); !ok {
			array = 0 // an array type Runnel does not have
		}
		rows = append(rows, []types.Datum{p.oid, p.name, int64(oidPgCatalog), int64(oidBootstrapRole), p.length, p.byVal,
			"b", p.category, p.preferred, true, ",", int64(0), p.elem, array, input, int64(0), int64(-1), false,
			p.collation, nil, int64(0)})
	}
	return rows
}

// formatType is PostgreSQL's format_type(oid, typmod): the SQL name of the type with its
// modifier ("numeric(10,2)", "character varying(20)", "timestamp(3) with time zone"), "???" for
// an unknown oid. typmod nil is format_type's NULL (no modifier, and "character" style names).
func formatType(oid int64, typmod types.Datum) string {
	t, ok := pgTypeByOID(oid)
	if !ok {
		if name, pseudo := pseudoTypes[oid]; pseudo {
			return name
		}
		return "???"
	}
	mod := int64(-1)
	if m, isInt := typmod.(int64); isInt {
		mod = m
	}
	elem := t
	suffix := ""
	if t.Kind == types.Array && !t.IsVector() {
		elem, suffix = t.ElemType(), "[]"
	}
	if mod >= 0 {
		switch elem.Kind {
		case types.Numeric:
			if mod >= 4 {
				p, s := (mod-4)>>16&0xffff, (mod-4)&0xffff
				return fmt.Sprintf("numeric(%d,%d)", p, s) + suffix
			}
		case types.Varchar:
			if mod >= 4 {
				return fmt.Sprintf("character varying(%d)", mod-4) + suffix
			}
		case types.Timestamp:
			return fmt.Sprintf("timestamp(%d) without time zone", mod) + suffix
		case types.TimestampTZ:
			return fmt.Sprintf("timestamp(%d) with time zone", mod) + suffix
		}
	}
	return elem.String() + suffix
}

func init() {
	expr.RegisterFunc("format_type", []types.T{types.OidT, types.Int32T}, types.TextT, true,
		func(_ *expr.Context, a []types.Datum) (types.Datum, error) {
			oid, ok := a[0].(int64)
			if !ok {
				return nil, nil
			}
			return formatType(oid, a[1]), nil
		})
	expr.RegisterFunc("pg_type_is_visible", []types.T{types.OidT}, types.BoolT, false,
		func(_ *expr.Context, a []types.Datum) (types.Datum, error) {
			if _, ok := pgTypeByOID(a[0].(int64)); !ok {
				return nil, nil // no such type, as PostgreSQL answers
			}
			return true, nil // every type is in pg_catalog
		})
}
