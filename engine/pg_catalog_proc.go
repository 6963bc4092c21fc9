package engine

import (
	"strings"
	"sync"

	"github.com/runnel-db/runnel/exec"
	"github.com/runnel-db/runnel/exec/expr"
	"github.com/runnel-db/runnel/exec/types"
	"github.com/runnel-db/runnel/planner"
)

// pg_proc: Runnel's functions (every overload exec/expr has, and its aggregates per argument
// type) and the types' input functions that
// pg_type.typinput names. They are all built in, so they live in pg_catalog, as PostgreSQL's do;
// psql's \df (which hides pg_catalog) lists none, \dfS and \df name find them. Their oids are
// positions in a list sorted by name and argument types, from procOIDBase: stable for a given
// build of Runnel, not across versions (PostgreSQL's built-in function oids are not ours).

// procOIDBase is the oid of the first function, below user objects' firstOID.
const procOIDBase = 8000

// Pseudo-type oids for polymorphic arguments and results.
const (
	oidAny         = 2276
	oidAnyElement  = 2283
	oidAnyNonArray = 2776
)

// pgProc is one pg_proc row.
type pgProc struct {
	oid      int64
	name     string
	args     []int64 // argument type oids
	variadic bool
	result   int64
	// aggregate is prokind 'a'.
	aggregate bool
}

// pgProcs lists the functions, computed once every package's init has registered its own.
var pgProcs = sync.OnceValue(func() []pgProc {
	typeOID := func(t types.T) int64 {
		if t.Kind == expr.AnyKind {
			return oidAnyElement
		}
		if t.Kind == types.Unknown {
			return oidAnyNonArray
		}
		return int64(t.OID())
	}
	var out []pgProc
	seen := map[string]bool{}
	for _, p := range pgTypes {
		if !seen[p.input] {
			seen[p.input] = true
			out = append(out, pgProc{name: p.input, args: []int64{2275}, result: p.oid})
		}
	}
	for _, s := range expr.Signatures() {
		p := pgProc{name: s.Name, variadic: s.Variadic, result: typeOID(s.Result)}
		for _, a := range s.Args {
			p.args = append(p.args, typeOID(a))
		}
		out = append(out, p)
	}
	// Aggregates: one row per argument type an aggregate accepts, as PostgreSQL lists them:
	// count(*) and count("any"); varchar arguments are taken as text.
	for _, name := range exec.Aggregates() {
		if name == "count" {
			out = append(out, pgProc{name: name, result: int64(types.OIDInt8), aggregate: true},
				pgProc{name: name, args: []int64{oidAny}, result: int64(types.OIDInt8), aggregate: true})
			continue
		}
		for _, t := range pgTypes {
			if t.elem != 0 || t.oid == int64(types.OIDVarchar) {
				continue
			}
			arg, ok := types.FromOID(uint32(t.oid))
			if !ok || arg.Reg != types.RegNone {
				continue
			}
			if ret, err := exec.ResolveAggregate(name, []types.T{arg}); err == nil {
				out = append(out, pgProc{name: name, args: []int64{t.oid}, result: int64(ret.OID()), aggregate: true})
			}
		}
	}
	for i := range out {
		out[i].oid = procOIDBase + int64(i)
	}
	return out
})

// procByOID returns the function with oid, or nil.
func procByOID(oid int64) *pgProc {
	ps := pgProcs()
	if i := oid - procOIDBase; i >= 0 && i < int64(len(ps)) {
		return &ps[i]
	}
	return nil
}

// procsNamed returns the functions called name.
func procsNamed(name string) []pgProc {
	var out []pgProc
	for _, p := range pgProcs() {
		if p.name == name {
			out = append(out, p)
		}
	}
	return out
}

func init() {
	oid, b, txt, i2 := oidCol, boolCol, textCol, i2Col
	systemRelations = append(systemRelations,
		&systemRelation{schema: PgCatalog, name: "pg_proc",
			cols: []planner.RelColumn{oid("oid"), txt("proname"), oid("pronamespace"), oid("proowner"), oid("prolang"),
				col("procost", types.Float32T), col("prorows", types.Float32T), oid("provariadic"), txt("prokind"),
				b("prosecdef"), b("proleakproof"), b("proisstrict"), b("proretset"), txt("provolatile"), txt("proparallel"),
				i2("pronargs"), i2("pronargdefaults"), oid("prorettype"), col("proargtypes", types.OidVectorT),
				col("proargnames", types.TextArrayT), txt("prosrc"), col("proacl", types.TextArrayT)},
			rows: pgProcRows},
		&systemRelation{schema: PgCatalog, name: "pg_language",
			cols: []planner.RelColumn{oid("oid"), txt("lanname"), oid("lanowner"), b("lanispl"), b("lanpltrusted"),
				oid("lanplcallfoid"), oid("laninline"), oid("lanvalidator"), col("lanacl", types.TextArrayT)},
			rows: func(*Engine) [][]types.Datum {
				return [][]types.Datum{
					{int64(oidInternalLanguage), "internal", int64(oidBootstrapRole), false, false, int64(0), int64(0), int64(0), nil},
					{int64(13), "c", int64(oidBootstrapRole), false, false, int64(0), int64(0), int64(0), nil},
					{int64(14), "sql", int64(oidBootstrapRole), false, true, int64(0), int64(0), int64(0), nil},
				}
			}},
	)
	expr.RegisterFunc("pg_get_function_sqlbody", []types.T{types.OidT}, types.TextT, false,
		func(*expr.Context, []types.Datum) (types.Datum, error) { return nil, nil }) // no SQL-bodied functions
	expr.RegisterFunc("pg_function_is_visible", []types.T{types.OidT}, types.BoolT, false,
		func(_ *expr.Context, a []types.Datum) (types.Datum, error) {
			if procByOID(a[0].(int64)) == nil {
				return nil, nil
			}
			return true, nil
		})
	expr.RegisterFunc("pg_get_function_result", []types.T{types.OidT}, types.TextT, false,
		func(_ *expr.Context, a []types.Datum) (types.Datum, error) {
			p := procByOID(a[0].(int64))
			if p == nil {
				return nil, nil
			}
			return formatType(p.result, nil), nil
		})
	for _, name := range []string{"pg_get_function_arguments", "pg_get_function_identity_arguments"} {
		expr.RegisterFunc(name, []types.T{types.OidT}, types.TextT, false,
			func(_ *expr.Context, a []types.Datum) (types.Datum, error) {
				p := procByOID(a[0].(int64))
				if p == nil {
					return nil, nil
				}
				return procArguments(p), nil
			})
	}
}

// oidInternalLanguage is pg_language's "internal": the language of built-in functions.
const oidInternalLanguage = 12

// volatility is provolatile: 'v' for functions whose result changes within a statement, 's' for
// those that depend on the session, the statement's time or the catalog, 'i' for the others.
func volatility(name string) string {
	switch name {
	case "clock_timestamp", "random":
		return "v"
	case "now", "current_date", "localtimestamp", "current_user", "session_user", "current_database",
		"current_schema", "current_schemas", "version", "format_type", "timezone", "to_char", "date_trunc",
		"date_part", "extract", "date_bin":
		return "s"
	}
	if strings.HasPrefix(name, "pg_") || strings.HasPrefix(name, "has_") || strings.HasSuffix(name, "_description") {
		return "s"
	}
	return "i"
}

// procArguments is pg_get_function_arguments: the argument types, "VARIADIC" before a variadic
// last argument (an array type in PostgreSQL).
func procArguments(p *pgProc) string {
	args := make([]string, len(p.args))
	for i, a := range p.args {
		args[i] = formatType(a, nil)
		if p.variadic && i == len(p.args)-1 {
			args[i] = "VARIADIC " + args[i] + "[]"
		}
	}
	return strings.Join(args, ", ")
}

func pgProcRows(*Engine) [][]types.Datum {
	var rows [][]types.Datum
	for _, p := range pgProcs() {
		var variadic int64
		if p.variadic {
			variadic = p.args[len(p.args)-1]
		}
		args := make(types.ArrayValue, len(p.args))
		for i, a := range p.args {
			args[i] = a
		}
		kind := "f"
		if p.aggregate {
			kind = "a"
		}
		rows = append(rows, []types.Datum{p.oid, p.name, int64(oidPgCatalog), int64(oidBootstrapRole), int64(oidInternalLanguage),
			float64(1), float64(0), variadic, kind, false, false, true, false, volatility(p.name), "s", int64(len(p.args)), int64(0),
			p.result, args, nil, p.name, nil})
	}
	return rows
}
