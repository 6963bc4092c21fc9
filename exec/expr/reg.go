package expr

import (
	"sort"
	"strconv"
	"strings"

	"github.com/runnel-db/runnel/exec/sqlerr"
	"github.com/runnel-db/runnel/exec/types"
)

// Catalog is what the object identifier types' input and output functions (and the catalog
// functions the engine registers) read: the database's catalog as of the statement. The engine
// sets Context.Catalog for ad-hoc queries; elsewhere it is nil, and names cannot be resolved.
type Catalog interface {
	// RegName is the output function of reg type r: the object's name, schema-qualified when it
	// is not visible on the search path, or the number itself when no such object exists.
	RegName(r types.RegKind, oid int64) (string, error)
	// RegOID is the input function of reg type r: a number is taken as is; a name (optionally
	// qualified, double quotes as in SQL) must exist, else PostgreSQL's error for r (42P01
	// relation "x" does not exist, 42704 type ..., 42883 function ..., 3F000 schema ...).
	RegOID(r types.RegKind, name string) (int64, error)
}

// regCast returns the cast between a reg type and a string type, which needs the catalog: a
// string (or literal) to a named reg type resolves the name, a named reg type to a string
// prints the name. ok is false for the casts that are plain bigint conversions.
func regCast(e Expr, to types.T, level castLevel) (Expr, bool) {
	from := e.Type()
	switch {
	case to.Reg.Named() && (from.IsString() || from.Kind == types.Unknown):
		if c, isConst := e.(*constExpr); isConst {
			if c.v == nil {
				return Null(to), true
			}
			if n, err := strconv.ParseInt(strings.TrimSpace(c.v.(string)), 10, 64); err == nil && n >= 0 {
				return Const(n, to), true // a number needs no lookup, as in PostgreSQL
			}
			e = Const(c.v, types.TextT)
		}
		reg := to.Reg
		return &castExpr{e: e, to: to, explicit: level == castExplicit, k: rowKernel(false,
			func(ctx *Context, a []types.Datum) (types.Datum, error) {
				if ctx == nil || ctx.Catalog == nil {
					return nil, sqlerr.NotSupported("type " + reg.String() + " outside a query")
				}
				return ctx.Catalog.RegOID(reg, a[0].(string))
			})}, true
	case from.Reg.Named() && from.Kind == types.Int64 && to.IsString() && to.Reg == types.RegNone:
		reg := from.Reg
		return &castExpr{e: e, to: to, explicit: level == castExplicit, k: rowKernel(false,
			func(ctx *Context, a []types.Datum) (types.Datum, error) {
				if ctx == nil || ctx.Catalog == nil {
					return strconv.FormatInt(a[0].(int64), 10), nil
				}
				return ctx.Catalog.RegName(reg, a[0].(int64))
			})}, true
	}
	return nil, false
}

// QuoteIdent quotes an identifier as PostgreSQL's quote_ident does: only when it is not a
// lower-case name or is a reserved keyword.
func QuoteIdent(name string) string { return quoteIdent(name) }

// Signature is one registered function overload, as pg_proc lists it.
type Signature struct {
	Name string
	// Args are the argument types; an argument of any type has Kind AnyKind. With Variadic the
	// last one repeats.
	Args     []types.T
	Variadic bool
	// Result is the result type; Kind AnyKind when it depends on the arguments.
	Result types.T
}

// AnyKind stands for a polymorphic argument or result in a Signature.
const AnyKind = anyKind

// Signatures lists the registered functions (operators excluded), sorted by name then by
// argument kinds, so that positions are stable for a given build.
func Signatures() []Signature {
	var out []Signature
	for name, ovs := range registry {
		if isOperatorName(name) || strings.HasPrefix(name, "u") && isOperatorName(name[1:]) {
			continue
		}
		for _, ov := range ovs {
			s := Signature{Name: name, Variadic: ov.variadic, Result: ov.ret}
			if ov.retFn != nil {
				s.Result = types.T{Kind: anyKind}
			}
			for i, k := range ov.args {
				t := types.T{Kind: k}
				if i < len(ov.regs) {
					t.Reg = ov.regs[i]
				}
				s.Args = append(s.Args, t)
			}
			out = append(out, s)
		}
	}
	sort.Slice(out, func(i, j int) bool {
		if out[i].Name != out[j].Name {
			return out[i].Name < out[j].Name
		}
		a, b := out[i].Args, out[j].Args
		for k := 0; k < len(a) && k < len(b); k++ {
			if a[k].Kind != b[k].Kind {
				return a[k].Kind < b[k].Kind
			}
		}
		return len(a) < len(b)
	})
	return out
}
