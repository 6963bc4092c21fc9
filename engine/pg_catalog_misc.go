package engine

import (
	"sort"
	"strings"

	"github.com/runnel-db/runnel/exec/expr"
	"github.com/runnel-db/runnel/exec/types"
	"github.com/runnel-db/runnel/planner"
)

// The pg_catalog tables clients read besides relations, columns, types, indexes and functions:
// defaults, databases, roles, settings, the convenience views (pg_tables, pg_views, ...), and the
// catalogs of features Runnel does not have (policies, publications, rules other than views'
// _RETURN, inheritance, triggers, extended statistics, sequences, enums, comments, role
// membership, extensions), which exist with PostgreSQL 15's columns and no rows, so that the
// queries that read them run and answer what is true: there are none.

// Fixed oids of the rows below, PostgreSQL's where it has them.
const (
	oidRunnelDatabase = 5 // PostgreSQL's "postgres" database
	oidDefaultTblspc  = 1663
	oidGlobalTblspc   = 1664
	oidKafkaFDW       = 11950
	oidKafkaServer    = 11951
	rewriteOIDBase    = 3 << 28 // + the view's id: its _RETURN rule
	encodingUTF8      = 6
)

func init() {
	oid, b, txt, i2, i4 := oidCol, boolCol, textCol, i2Col, i4Col
	oidArray := types.OidArrayT
	f4 := func(name string) planner.RelColumn { return col(name, types.Float32T) }
	i8 := func(name string) planner.RelColumn { return col(name, types.Int64T) }
	ts := func(name string) planner.RelColumn { return col(name, types.TimestampTZT) }
	txtArr := func(name string) planner.RelColumn { return col(name, types.TextArrayT) }
	none := func(*Engine) [][]types.Datum { return nil }
	rel := func(name string, rows func(*Engine) [][]types.Datum, cols ...planner.RelColumn) *systemRelation {
		return &systemRelation{schema: PgCatalog, name: name, cols: cols, rows: rows}
	}
	sessionRel := func(name string, rows func(*Engine, *expr.Context) [][]types.Datum, cols ...planner.RelColumn) *systemRelation {
		return &systemRelation{schema: PgCatalog, name: name, cols: cols, sessionRows: rows}
	}
	systemRelations = append(systemRelations,
		rel("pg_attrdef", pgAttrdefRows, oid("oid"), oid("adrelid"), i2("adnum"), txt("adbin")),
		rel("pg_description", none, oid("objoid"), oid("classoid"), i4("objsubid"), txt("description")),
		rel("pg_shdescription", none, oid("objoid"), oid("classoid"), txt("description")),
		rel("pg_database", pgDatabaseRows, oid("oid"), txt("datname"), oid("datdba"), i4("encoding"), txt("datlocprovider"),
			b("datistemplate"), b("datallowconn"), i4("datconnlimit"), oid("dattablespace"), txt("datcollate"), txt("datctype"),
			txt("daticulocale"), txt("datcollversion"), txtArr("datacl")),
		rel("pg_roles", pgRolesRows(false), txt("rolname"), b("rolsuper"), b("rolinherit"), b("rolcreaterole"), b("rolcreatedb"),
			b("rolcanlogin"), b("rolreplication"), i4("rolconnlimit"), txt("rolpassword"), ts("rolvaliduntil"), b("rolbypassrls"),
			txtArr("rolconfig"), oid("oid")),
		rel("pg_authid", pgRolesRows(true), oid("oid"), txt("rolname"), b("rolsuper"), b("rolinherit"), b("rolcreaterole"),
			b("rolcreatedb"), b("rolcanlogin"), b("rolreplication"), b("rolbypassrls"), i4("rolconnlimit"), txt("rolpassword"),
			ts("rolvaliduntil")),
		rel("pg_user", pgUserRows, txt("usename"), oid("usesysid"), b("usecreatedb"), b("usesuper"), b("userepl"),
			b("usebypassrls"), txt("passwd"), ts("valuntil"), txtArr("useconfig")),
		rel("pg_db_role_setting", none, oid("setdatabase"), oid("setrole"), txtArr("setconfig")),
		rel("pg_auth_members", none, oid("oid"), oid("roleid"), oid("member"), oid("grantor"), b("admin_option")),
		sessionRel("pg_settings", pgSettingsRows, txt("name"), txt("setting"), txt("unit"), txt("category"), txt("short_desc"),
			txt("extra_desc"), txt("context"), txt("vartype"), txt("source"), txt("min_val"), txt("max_val"), txtArr("enumvals"),
			txt("boot_val"), txt("reset_val"), txt("sourcefile"), i4("sourceline"), b("pending_restart")),
		rel("pg_collation", pgCollationRows, oid("oid"), txt("collname"), oid("collnamespace"), oid("collowner"),
			txt("collprovider"), b("collisdeterministic"), i4("collencoding"), txt("collcollate"), txt("collctype"),
			txt("colliculocale"), txt("collversion")),
		rel("pg_tablespace", pgTablespaceRows, oid("oid"), txt("spcname"), oid("spcowner"), txtArr("spcacl"), txtArr("spcoptions")),
		rel("pg_inherits", none, oid("inhrelid"), oid("inhparent"), i4("inhseqno"), b("inhdetachpending")),
		rel("pg_trigger", none, oid("oid"), oid("tgrelid"), oid("tgparentid"), txt("tgname"), oid("tgfoid"), i2("tgtype"),
			txt("tgenabled"), b("tgisinternal"), oid("tgconstrrelid"), oid("tgconstrindid"), oid("tgconstraint"),
			b("tgdeferrable"), b("tginitdeferred"), i2("tgnargs"), col("tgattr", types.Int2VectorT), txt("tgqual")),
		rel("pg_policy", none, oid("oid"), txt("polname"), oid("polrelid"), txt("polcmd"), b("polpermissive"),
			col("polroles", oidArray), txt("polqual"), txt("polwithcheck")),
		rel("pg_statistic_ext", none, oid("oid"), oid("stxrelid"), txt("stxname"), oid("stxnamespace"), oid("stxowner"),
			i4("stxstattarget"), col("stxkeys", types.Int2VectorT), txtArr("stxkind"), txt("stxexprs")),
		rel("pg_publication", none, oid("oid"), txt("pubname"), oid("pubowner"), b("puballtables"), b("pubinsert"),
			b("pubupdate"), b("pubdelete"), b("pubtruncate"), b("pubviaroot")),
		rel("pg_publication_namespace", none, oid("oid"), oid("pnpubid"), oid("pnnspid")),
		rel("pg_publication_rel", none, oid("oid"), oid("prpubid"), oid("prrelid"), txt("prqual"),
			col("prattrs", types.Int2VectorT)),
		rel("pg_rewrite", pgRewriteRows, oid("oid"), txt("rulename"), oid("ev_class"), txt("ev_type"), txt("ev_enabled"),
			b("is_instead"), txt("ev_qual"), txt("ev_action")),
		rel("pg_extension", none, oid("oid"), txt("extname"), oid("extowner"), oid("extnamespace"), b("extrelocatable"),
			txt("extversion"), col("extconfig", oidArray), txtArr("extcondition")),
		rel("pg_sequence", none, oid("seqrelid"), oid("seqtypid"), i8("seqstart"), i8("seqincrement"), i8("seqmax"),
			i8("seqmin"), i8("seqcache"), b("seqcycle")),
		rel("pg_enum", none, oid("oid"), oid("enumtypid"), f4("enumsortorder"), txt("enumlabel")),
		rel("pg_foreign_data_wrapper", pgFDWRows, oid("oid"), txt("fdwname"), oid("fdwowner"), oid("fdwhandler"),
			oid("fdwvalidator"), txtArr("fdwacl"), txtArr("fdwoptions")),
		rel("pg_foreign_server", pgForeignServerRows, oid("oid"), txt("srvname"), oid("srvowner"), oid("srvfdw"),
			txt("srvtype"), txt("srvversion"), txtArr("srvacl"), txtArr("srvoptions")),
		rel("pg_foreign_table", pgForeignTableRows, oid("ftrelid"), oid("ftserver"), txtArr("ftoptions")),
		rel("pg_tables", pgTablesRows, txt("schemaname"), txt("tablename"), txt("tableowner"), txt("tablespace"),
			b("hasindexes"), b("hasrules"), b("hastriggers"), b("rowsecurity")),
		rel("pg_views", pgViewsRows(planner.View), txt("schemaname"), txt("viewname"), txt("viewowner"), txt("definition")),
		rel("pg_matviews", pgMatviewsRows, txt("schemaname"), txt("matviewname"), txt("matviewowner"), txt("tablespace"),
			b("hasindexes"), b("ispopulated"), txt("definition")),
		rel("pg_indexes", pgIndexesRows, txt("schemaname"), txt("tablename"), txt("indexname"), txt("tablespace"),
			txt("indexdef")),
	)
}

// attrdefOIDBase + a table's id * 2^10 + the column number is the oid of a column's default.
const attrdefOIDBase = 1 << 27

func pgAttrdefRows(e *Engine) [][]types.Datum {
	var rows [][]types.Datum
	for _, o := range e.userObjects() {
		for i, c := range o.Columns {
			if c.Default != "" {
				rows = append(rows, []types.Datum{int64(attrdefOIDBase + o.ID<<10 + uint64(i+1)), int64(o.OID()),
					int64(i + 1), defaultExprText(c)})
			}
		}
	}
	return rows
}

func pgDatabaseRows(*Engine) [][]types.Datum {
	return [][]types.Datum{{int64(oidRunnelDatabase), databaseName, int64(oidBootstrapRole), int64(encodingUTF8), "c",
		false, true, int64(-1), int64(oidDefaultTblspc), "C", "C", nil, nil, nil}}
}

// roleRows are the roles' attributes in pg_authid's order of columns: the bootstrap role, then
// the stored roles by name. Runnel has no CREATEROLE/CREATEDB/REPLICATION/BYPASSRLS attributes:
// a superuser has them all, as in PostgreSQL.
func roleList(e *Engine) []*role {
	names := []string{BootstrapRole}
	for name := range e.cat.roles {
		if name != BootstrapRole {
			names = append(names, name)
		}
	}
	sort.Strings(names[1:])
	out := make([]*role, len(names))
	for i, n := range names {
		out[i] = e.cat.role(n)
	}
	return out
}

func pgRolesRows(authid bool) func(*Engine) [][]types.Datum {
	return func(e *Engine) [][]types.Datum {
		var rows [][]types.Datum
		for _, r := range roleList(e) {
			var password types.Datum
			if r.Password != "" && !authid {
				password = "********"
			}
			su := r.Superuser
			if authid {
				// pg_authid's rolpassword holds the verifier in PostgreSQL; Runnel shows it to no one.
				rows = append(rows, []types.Datum{roleOID(r.Name), r.Name, su, true, su, su, r.Login, su, su, int64(-1), nil, nil})
				continue
			}
			rows = append(rows, []types.Datum{r.Name, su, true, su, su, r.Login, su, int64(-1), password, nil, su, nil, roleOID(r.Name)})
		}
		return rows
	}
}

func pgUserRows(e *Engine) [][]types.Datum {
	var rows [][]types.Datum
	for _, r := range roleList(e) {
		if !r.Login {
			continue
		}
		su := r.Superuser
		rows = append(rows, []types.Datum{r.Name, roleOID(r.Name), su, su, su, su, "********", nil, nil})
	}
	return rows
}

// extraSettings are read-only parameters clients read from pg_settings that sessions cannot SET.
var extraSettings = [][2]string{{"max_index_keys", "32"}, {"max_function_args", "100"}, {"block_size", "8192"},
	{"server_encoding", "UTF8"}}

// pgSettingsRows lists the parameters with the reading session's values (setting) and their
// defaults (boot_val, reset_val).
func pgSettingsRows(_ *Engine, ectx *expr.Context) [][]types.Datum {
	var rows [][]types.Datum
	seen := map[string]bool{}
	add := func(name, def, desc string, readOnly bool) {
		if seen[name] {
			return
		}
		seen[name] = true
		context := "user"
		if readOnly {
			context = "internal"
		}
		value, source := def, "default"
		if ectx != nil && ectx.Setting != nil {
			if v, err := ectx.Setting(name); err == nil && v != def {
				value, source = v, "session"
			}
		}
		if desc == "" {
			desc = name
		}
		rows = append(rows, []types.Datum{name, value, nil, "Runnel", desc, nil, context, "string", source, nil, nil,
			nil, def, def, nil, nil, false})
	}
	names := make([]string, 0, len(knownSettings))
	for name := range knownSettings {
		names = append(names, name)
	}
	sort.Strings(names)
	for _, name := range names {
		s := knownSettings[name]
		add(s.name, s.def, s.desc, s.readOnly)
	}
	for _, x := range extraSettings {
		add(x[0], x[1], "", true)
	}
	sort.Slice(rows, func(i, j int) bool { return rows[i][0].(string) < rows[j][0].(string) })
	return rows
}

func pgCollationRows(*Engine) [][]types.Datum {
	row := func(oid int64, name, provider, collate string) []types.Datum {
		var c types.Datum
		if collate != "" {
			c = collate
		}
		return []types.Datum{oid, name, int64(oidPgCatalog), int64(oidBootstrapRole), provider, true, int64(-1), c, c, nil, nil}
	}
	return [][]types.Datum{row(oidDefaultCollation, "default", "d", ""), row(950, "C", "c", "C"), row(951, "POSIX", "c", "POSIX")}
}

func pgTablespaceRows(*Engine) [][]types.Datum {
	return [][]types.Datum{{int64(oidDefaultTblspc), "pg_default", int64(oidBootstrapRole), nil, nil},
		{int64(oidGlobalTblspc), "pg_global", int64(oidBootstrapRole), nil, nil}}
}

// pgRewriteRows are the _RETURN rules every view and materialized view has in PostgreSQL.
func pgRewriteRows(e *Engine) [][]types.Datum {
	var rows [][]types.Datum
	for _, o := range e.userObjects() {
		if o.Kind == planner.View || o.Kind == planner.MaterializedView {
			rows = append(rows, []types.Datum{int64(rewriteOIDBase + o.ID), "_RETURN", int64(o.OID()), "1", "O", true, nil, nil})
		}
	}
	return rows
}

// A source is a foreign table of the server "kafka" of the foreign-data wrapper "kafka".
func pgFDWRows(*Engine) [][]types.Datum {
	return [][]types.Datum{{int64(oidKafkaFDW), "kafka", int64(oidBootstrapRole), int64(0), int64(0), nil, nil}}
}

func pgForeignServerRows(*Engine) [][]types.Datum {
	return [][]types.Datum{{int64(oidKafkaServer), "kafka", int64(oidBootstrapRole), int64(oidKafkaFDW), nil, nil, nil, nil}}
}

// connectorOptions are a source's WITH options as ftoptions ("name=value", sorted, passwords and
// secrets masked): psql's \d shows them as FDW options.
func connectorOptions(o *object) types.Datum {
	if o.Connector == nil {
		return nil
	}
	keys := make([]string, 0, len(o.Connector.With))
	for k := range o.Connector.With {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	opts := make(types.ArrayValue, len(keys))
	for i, k := range keys {
		v := o.Connector.With[k]
		if l := strings.ToLower(k); strings.Contains(l, "password") || strings.Contains(l, "secret") {
			v = "********"
		}
		opts[i] = k + "=" + v
	}
	return opts
}

func pgForeignTableRows(e *Engine) [][]types.Datum {
	var rows [][]types.Datum
	for _, o := range e.userObjects() {
		if o.Kind == planner.Source {
			rows = append(rows, []types.Datum{int64(o.OID()), int64(oidKafkaServer), connectorOptions(o)})
		}
	}
	return rows
}

func pgTablesRows(e *Engine) [][]types.Datum {
	var rows [][]types.Datum
	for _, o := range e.userObjects() {
		if o.Kind == planner.Table {
			rows = append(rows, []types.Datum{o.Schema, o.Name, BootstrapRole, nil, len(tableIndexes(o)) > 0, false, false, false})
		}
	}
	return rows
}

func pgViewsRows(kind planner.RelKind) func(*Engine) [][]types.Datum {
	return func(e *Engine) [][]types.Datum {
		var rows [][]types.Datum
		for _, o := range e.userObjects() {
			if o.Kind == kind {
				rows = append(rows, []types.Datum{o.Schema, o.Name, BootstrapRole, viewDefinition(o)})
			}
		}
		return rows
	}
}

func pgMatviewsRows(e *Engine) [][]types.Datum {
	var rows [][]types.Datum
	for _, o := range e.userObjects() {
		if o.Kind == planner.MaterializedView {
			rows = append(rows, []types.Datum{o.Schema, o.Name, BootstrapRole, nil, false, true, viewDefinition(o)})
		}
	}
	return rows
}

func pgIndexesRows(e *Engine) [][]types.Datum {
	var rows [][]types.Datum
	for _, o := range e.userObjects() {
		for _, ref := range tableIndexes(o) {
			rows = append(rows, []types.Datum{o.Schema, o.Name, ref.name(), nil, ref.indexDef(false)})
		}
	}
	return rows
}
