package planner

import (
	"strings"

	pg_query "github.com/pganalyze/pg_query_go/v6"

	"github.com/runnel-db/runnel/exec/sqlerr"
	"github.com/runnel-db/runnel/exec/types"
)

// ResolveType maps a type name of the grammar to a Runnel type. Unknown names fail with 42704
// `type "foo" does not exist`; the error's Position is the byte offset of the name plus one, for
// the caller to convert (see sql.Position) when the text has multi-byte characters.
func ResolveType(tn *pg_query.TypeName) (types.T, error) {
	t, err := resolveType(tn)
	if err != nil {
		if e := sqlerr.From(err); e != nil && e.Position == 0 && tn != nil && tn.Location >= 0 {
			return types.T{}, e.At(int(tn.Location) + 1)
		}
	}
	return t, err
}

func resolveType(tn *pg_query.TypeName) (types.T, error) {
	if tn == nil {
		return types.T{}, sqlerr.New(sqlerr.Internal, "planner: missing type name")
	}
	var names []string
	for _, n := range tn.Names {
		names = append(names, n.GetString_().GetSval())
	}
	if len(names) == 2 && names[0] == "pg_catalog" {
		names = names[1:]
	}
	if len(names) != 1 {
		return types.T{}, sqlerr.New(sqlerr.UndefinedObject, "type %q does not exist", strings.Join(names, "."))
	}
	name := names[0]
	if len(tn.ArrayBounds) > 0 {
		return resolveArrayType(tn)
	}
	if tn.Setof || tn.PctType {
		return types.T{}, sqlerr.NotSupported("type modifiers SETOF and %TYPE")
	}
	mods, err := typmods(tn)
	if err != nil {
		return types.T{}, err
	}
	noMods := func(t types.T) (types.T, error) {
		if len(mods) > 0 && name != "interval" && !strings.HasPrefix(name, "timestamp") {
			return types.T{}, sqlerr.New(sqlerr.SyntaxError, "type modifier is not allowed for type %q", name)
		}
		return t, nil
	}
	switch name {
	case "int2", "smallint":
		return noMods(types.Int16T)
	case "int4", "int", "integer":
		return noMods(types.Int32T)
	case "int8", "bigint":
		return noMods(types.Int64T)
	case "float4", "real":
		return noMods(types.Float32T)
	case "float8", "double precision":
		return noMods(types.Float64T)
	case "float":
		if len(mods) == 1 && mods[0] >= 1 && mods[0] <= 24 {
			return types.Float32T, nil
		}
		return types.Float64T, nil
	case "numeric", "decimal":
		switch len(mods) {
		case 0:
			return types.NumericT, nil
		case 1, 2:
			p, s := mods[0], int32(0)
			if len(mods) == 2 {
				s = mods[1]
			}
			if p < 1 || p > 1000 {
				return types.T{}, sqlerr.New(sqlerr.InvalidParameterValue, "NUMERIC precision %d must be between 1 and 1000", p)
			}
			if s < 0 || s > p {
				return types.T{}, sqlerr.New(sqlerr.InvalidParameterValue, "NUMERIC scale %d must be between 0 and precision %d", s, p)
			}
			if p > 38 {
				return types.T{}, sqlerr.NotSupported("NUMERIC precision above 38")
			}
			return types.T{Kind: types.Numeric, Precision: p, Scale: s}, nil
		}
		return types.T{}, sqlerr.New(sqlerr.SyntaxError, "invalid NUMERIC type modifier")
	case "text":
		return noMods(types.TextT)
	case "varchar", "character varying":
		if len(mods) == 1 {
			if mods[0] < 1 {
				return types.T{}, sqlerr.New(sqlerr.InvalidParameterValue, "length for type varchar must be at least 1")
			}
			return types.T{Kind: types.Varchar, Precision: mods[0]}, nil
		}
		return noMods(types.VarcharT)
	case "bpchar", "char", "character":
		return types.T{}, sqlerr.NotSupported("type character(n)")
	case "bool", "boolean":
		return noMods(types.BoolT)
	case "date":
		return noMods(types.DateT)
	case "timestamp":
		return types.TimestampT, nil
	case "timestamptz":
		return types.TimestampTZT, nil
	case "interval":
		return types.IntervalT, nil
	case "jsonb":
		return noMods(types.JSONBT)
	case "json":
		return noMods(types.JSONT)
	}
	if r := types.RegByName(name); r != types.RegNone {
		return noMods(types.T{Kind: types.Int64, Reg: r})
	}
	if t, ok, err := namedArrayType(name, tn); ok || err != nil {
		return t, err
	}
	return types.T{}, sqlerr.New(sqlerr.UndefinedObject, "type %q does not exist", name)
}

// typmods returns the integer type modifiers of tn.
func typmods(tn *pg_query.TypeName) ([]int32, error) {
	var out []int32
	for _, m := range tn.Typmods {
		c := m.GetAConst()
		if c == nil || c.GetIval() == nil {
			if c != nil && c.Val == nil { // integer 0 is encoded as an empty value
				out = append(out, 0)
				continue
			}
			return nil, sqlerr.New(sqlerr.SyntaxError, "type modifiers must be simple constants or identifiers")
		}
		out = append(out, c.GetIval().Ival)
	}
	return out, nil
}

// intervalUnit returns the unit of an INTERVAL '…' <unit> literal's single-field qualifier.
func intervalUnit(tn *pg_query.TypeName) string {
	if len(tn.Typmods) == 0 {
		return ""
	}
	mods, err := typmods(tn)
	if err != nil || len(mods) == 0 {
		return ""
	}
	// Field bits from PostgreSQL's datetime.h.
	switch mods[0] {
	case 1 << 2:
		return "year"
	case 1 << 1:
		return "month"
	case 1 << 3:
		return "day"
	case 1 << 10:
		return "hour"
	case 1 << 11:
		return "minute"
	case 1 << 12:
		return "second"
	}
	return ""
}
