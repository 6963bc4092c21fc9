package engine

import (
	"fmt"
	"runtime"
	"strings"

	pg_query "github.com/pganalyze/pg_query_go/v6"

	"github.com/runnel-db/runnel/exec/expr"
	"github.com/runnel-db/runnel/exec/sqlerr"
	"github.com/runnel-db/runnel/exec/types"
	"github.com/runnel-db/runnel/planner"
	"github.com/runnel-db/runnel/storage"
)

// The catalog functions clients call: expression and definition printers, sizes, comments,
// privileges, the server's identity. Those that read the catalog find it through the query's
// expr.Context (catalogReader); elsewhere (in a materialized view) they fail with 0A000.

// defaultExprText is pg_attrdef.adbin of column c, which Runnel keeps as the text
// pg_get_expr prints: PostgreSQL's deparsed form of the DEFAULT expression for the forms it
// recognizes (a string literal gets its column type's cast, 'x'::text), the expression as
// written otherwise.
func defaultExprText(c planner.RelColumn) string {
	tree, err := pg_query.Parse("SELECT " + c.Default)
	if err != nil || len(tree.Stmts) != 1 {
		return c.Default
	}
	targets := tree.Stmts[0].Stmt.GetSelectStmt().GetTargetList()
	if len(targets) != 1 {
		return c.Default
	}
	v := targets[0].GetResTarget().GetVal()
	if k := v.GetAConst(); k != nil && k.GetSval() != nil {
		return "'" + strings.ReplaceAll(k.GetSval().Sval, "'", "''") + "'::" + c.Type.String()
	}
	if f := v.GetSqlvalueFunction(); f != nil && f.Op == pg_query.SQLValueFunctionOp_SVFOP_CURRENT_TIMESTAMP {
		return "CURRENT_TIMESTAMP"
	}
	return c.Default
}

// viewDefinition is pg_get_viewdef of a view: its SELECT as written (PostgreSQL prints its own
// deparse of the rewritten query; Runnel keeps the text), with PostgreSQL's trailing semicolon.
func viewDefinition(o *object) string {
	return " " + strings.TrimSuffix(strings.TrimSpace(o.Query), ";") + ";"
}

// relationSize is the bytes Runnel stores for relation oid: its rows' keys and values (and with
// indexes, its secondary indexes'); NULL for no such relation, 0 for views and system views.
func relationSize(ctx *expr.Context, oid int64, withIndexes bool) (types.Datum, error) {
	r, err := readerOf(ctx, "pg_relation_size")
	if err != nil {
		return nil, err
	}
	var prefixes [][]byte
	if o := r.relByOID[oid]; o != nil {
		switch o.Kind {
		case planner.MaterializedView:
			// Count its rows as of the last epoch: apply the deltas still in its log.
			if err := r.e.materialize(); err != nil {
				return nil, err
			}
			fallthrough
		case planner.Table:
			prefixes = append(prefixes, storage.Prefix(layoutOf(o).kind, o.ID))
		}
		if withIndexes {
			for _, ix := range o.Indexes {
				prefixes = append(prefixes, ix.prefix())
			}
		}
	} else if ref, ok := r.idxByOID[oid]; ok {
		if ref.ix == nil {
			// The primary key is the table's own key: its size is the keys'.
			return int64(0), nil
		}
		prefixes = append(prefixes, ref.ix.prefix())
	} else if _, _, ok := r.relationName(oid); !ok {
		return nil, nil
	}
	var size int64
	for _, p := range prefixes {
		it, err := r.e.db.NewIter(p, storage.PrefixEnd(p))
		if err != nil {
			return nil, err
		}
		for it.First(); it.Valid(); it.Next() {
			size += int64(len(it.Key()) + len(it.Value()))
		}
		err = it.Error()
		if cerr := it.Close(); err == nil {
			err = cerr
		}
		if err != nil {
			return nil, fmt.Errorf("relation size: %w", err)
		}
	}
	return size, nil
}

// sizePretty is pg_size_pretty(bigint), PostgreSQL's algorithm: bytes below 10240, then the
// largest unit in which the value, rounded half away from zero, stays below 20480 half-units.
func sizePretty(size int64) string {
	units := []string{"bytes", "kB", "MB", "GB", "TB", "PB"}
	abs := func(x int64) int64 {
		if x < 0 {
			return -x
		}
		return x
	}
	if abs(size) < 10*1024 {
		return fmt.Sprintf("%d bytes", size)
	}
	size /= 1 << 9 // half-kB
	for i := 1; ; i++ {
		if i == len(units)-1 || abs(size) < 20*1024-1 {
			if size < 0 {
				size = (size - 1) / 2
			} else {
				size = (size + 1) / 2
			}
			return fmt.Sprintf("%d %s", size, units[i])
		}
		size /= 1 << 10
	}
}

// Version is version()'s text: SQLAlchemy and others parse "PostgreSQL <major>.<minor>" from it.
func Version() string {
	return fmt.Sprintf("PostgreSQL %s on %s-%s, compiled by %s, 64-bit", ServerVersion, runtime.GOARCH, runtime.GOOS,
		runtime.Version())
}

// privileges are the privilege names has_*_privilege accept, by object type.
var privileges = map[string][]string{
	"table":    {"SELECT", "INSERT", "UPDATE", "DELETE", "TRUNCATE", "REFERENCES", "TRIGGER"},
	"schema":   {"CREATE", "USAGE"},
	"database": {"CREATE", "CONNECT", "TEMPORARY", "TEMP"},
}

// checkPrivileges validates a has_*_privilege privilege list ("SELECT, INSERT WITH GRANT OPTION").
func checkPrivileges(kind, list string) error {
	for _, p := range strings.Split(list, ",") {
		p = strings.ToUpper(strings.TrimSpace(p))
		p = strings.TrimSuffix(p, " WITH GRANT OPTION")
		ok := false
		for _, known := range privileges[kind] {
			ok = ok || p == known
		}
		if !ok {
			return sqlerr.New(sqlerr.InvalidParameterValue, "unrecognized privilege type: %q", strings.TrimSpace(p))
		}
	}
	return nil
}

func init() {
	txt, oid, bl, i4, i8 := types.TextT, types.OidT, types.BoolT, types.Int32T, types.Int64T
	reg := func(name string, args []types.T, ret types.T, f func(*expr.Context, []types.Datum) (types.Datum, error)) {
		expr.RegisterFunc(name, args, ret, false, f)
	}
	// pg_get_expr prints a pg_node_tree: Runnel's catalogs hold the expression's text there.
	getExpr := func(_ *expr.Context, a []types.Datum) (types.Datum, error) { return a[0], nil }
	reg("pg_get_expr", []types.T{txt, oid}, txt, getExpr)
	reg("pg_get_expr", []types.T{txt, oid, bl}, txt, getExpr)
	viewdef := func(ctx *expr.Context, a []types.Datum) (types.Datum, error) {
		r, err := readerOf(ctx, "pg_get_viewdef")
		if err != nil {
			return nil, err
		}
		o := r.relByOID[a[0].(int64)]
		if o == nil || (o.Kind != planner.View && o.Kind != planner.MaterializedView) {
			return nil, nil
		}
		return viewDefinition(o), nil
	}
	reg("pg_get_viewdef", []types.T{oid}, txt, viewdef)
	reg("pg_get_viewdef", []types.T{oid, bl}, txt, viewdef)
	reg("pg_get_viewdef", []types.T{oid, i4}, txt, viewdef)
	null := func(*expr.Context, []types.Datum) (types.Datum, error) { return nil, nil }
	// Runnel has no COMMENT, rules other than views' _RETURN, extended statistics or sequences.
	reg("obj_description", []types.T{oid}, txt, null)
	reg("obj_description", []types.T{oid, txt}, txt, null)
	reg("col_description", []types.T{oid, i4}, txt, null)
	reg("shobj_description", []types.T{oid, txt}, txt, null)
	reg("pg_get_ruledef", []types.T{oid}, txt, null)
	reg("pg_get_ruledef", []types.T{oid, bl}, txt, null)
	reg("pg_get_statisticsobjdef_columns", []types.T{oid}, txt, null)
	reg("pg_get_serial_sequence", []types.T{txt, txt}, txt, null)
	reg("pg_relation_is_publishable", []types.T{types.RegClassT}, bl, func(ctx *expr.Context, a []types.Datum) (types.Datum, error) {
		r, err := readerOf(ctx, "pg_relation_is_publishable")
		if err != nil {
			return nil, err
		}
		o := r.relByOID[a[0].(int64)]
		return o != nil && o.Kind == planner.Table, nil
	})
	for _, name := range []string{"pg_relation_size", "pg_table_size", "pg_total_relation_size", "pg_indexes_size"} {
		withIndexes := name == "pg_total_relation_size"
		onlyIndexes := name == "pg_indexes_size"
		reg(name, []types.T{types.RegClassT}, i8, func(ctx *expr.Context, a []types.Datum) (types.Datum, error) {
			if onlyIndexes {
				all, err := relationSize(ctx, a[0].(int64), true)
				if err != nil || all == nil {
					return all, err
				}
				own, err := relationSize(ctx, a[0].(int64), false)
				if err != nil {
					return nil, err
				}
				return all.(int64) - own.(int64), nil
			}
			return relationSize(ctx, a[0].(int64), withIndexes)
		})
	}
	reg("pg_size_pretty", []types.T{i8}, txt, func(_ *expr.Context, a []types.Datum) (types.Datum, error) {
		return sizePretty(a[0].(int64)), nil
	})
	setting := func(ctx *expr.Context, a []types.Datum) (types.Datum, error) {
		if ctx == nil || ctx.Setting == nil {
			return nil, sqlerr.NotSupported("current_setting outside a session")
		}
		v, err := ctx.Setting(a[0].(string))
		if err != nil && len(a) == 2 && a[1] == true && sqlerr.Code(err) == sqlerr.UndefinedObject {
			return nil, nil // missing_ok
		}
		if err != nil {
			return nil, err
		}
		return v, nil
	}
	reg("current_setting", []types.T{txt}, txt, setting)
	reg("current_setting", []types.T{txt, bl}, txt, setting)
	reg("pg_tablespace_location", []types.T{oid}, txt, func(_ *expr.Context, a []types.Datum) (types.Datum, error) {
		switch a[0].(int64) {
		case oidDefaultTblspc, oidGlobalTblspc:
			return "", nil // the built-in tablespaces are in the data directory
		}
		return nil, nil
	})
	reg("version", nil, txt, func(*expr.Context, []types.Datum) (types.Datum, error) { return Version(), nil })
	reg("current_schemas", []types.T{bl}, types.TextArrayT, func(_ *expr.Context, a []types.Datum) (types.Datum, error) {
		if a[0].(bool) {
			return types.ArrayValue{PgCatalog, DefaultSchema}, nil
		}
		return types.ArrayValue{DefaultSchema}, nil
	})
	reg("pg_encoding_to_char", []types.T{i4}, txt, func(_ *expr.Context, a []types.Datum) (types.Datum, error) {
		if a[0].(int64) == encodingUTF8 {
			return "UTF8", nil
		}
		return "", nil
	})
	reg("pg_get_userbyid", []types.T{oid}, txt, func(ctx *expr.Context, a []types.Datum) (types.Datum, error) {
		id := a[0].(int64)
		if r, ok := ctx.Catalog.(*catalogReader); ok {
			for _, name := range r.roleNames {
				if roleOID(name) == id {
					return name, nil
				}
			}
		} else if id == oidBootstrapRole {
			return BootstrapRole, nil
		}
		return fmt.Sprintf("unknown (OID=%d)", id), nil
	})
	// Runnel has no privileges: every role may do everything to every object that exists.
	hasPrivilege := func(kind string, exists func(r *catalogReader, obj types.Datum) bool) func(*expr.Context, []types.Datum) (types.Datum, error) {
		return func(ctx *expr.Context, a []types.Datum) (types.Datum, error) {
			r, err := readerOf(ctx, "has_"+kind+"_privilege")
			if err != nil {
				return nil, err
			}
			obj, priv := a[len(a)-2], a[len(a)-1].(string)
			if err := checkPrivileges(kind, priv); err != nil {
				return nil, err
			}
			return exists(r, obj), nil
		}
	}
	tableExists := func(r *catalogReader, obj types.Datum) bool {
		switch v := obj.(type) {
		case int64:
			_, _, ok := r.relationName(v)
			return ok
		case string:
			_, err := r.RegOID(types.RegClass, v)
			return err == nil
		}
		return false
	}
	schemaExists := func(r *catalogReader, obj types.Datum) bool {
		for _, s := range pgSchemas {
			if obj == s || obj == namespaceOID(s) {
				return true
			}
		}
		return false
	}
	databaseExists := func(r *catalogReader, obj types.Datum) bool {
		return obj == databaseName || obj == int64(oidRunnelDatabase)
	}
	for kind, exists := range map[string]func(*catalogReader, types.Datum) bool{"table": tableExists,
		"schema": schemaExists, "database": databaseExists} {
		f := hasPrivilege(kind, exists)
		name := "has_" + kind + "_privilege"
		reg(name, []types.T{txt, txt}, bl, f)
		reg(name, []types.T{oid, txt}, bl, f)
		reg(name, []types.T{txt, txt, txt}, bl, f)
		reg(name, []types.T{txt, oid, txt}, bl, f)
	}
}

// currentSetting is current_setting(name): the session's value of the parameter.
func (s *Session) currentSetting(name string) (string, error) {
	_, v, err := s.settings.get(name)
	return v, err
}
