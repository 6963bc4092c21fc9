package engine

import (
	"context"
	"strings"
	"testing"

	"github.com/runnel-db/runnel/exec/types"
)

// The schema of ../shared/docs/pgclients (orders, a view, a materialized view). Expected answers
// are PostgreSQL 15's for the same schema, except where docs/sql.md's catalog section says why not.
const pgClientsSchema = "CREATE TABLE orders (id bigint PRIMARY KEY, customer text NOT NULL, amount numeric(10,2), " +
	"created_at timestamptz DEFAULT now()); CREATE VIEW big_orders AS SELECT id, customer, amount FROM orders WHERE amount > 100;" +
	"CREATE MATERIALIZED VIEW customer_totals AS SELECT customer, sum(amount) AS total, count(*) AS n FROM orders GROUP BY customer"

func TestRegTypes(t *testing.T) {
	_, s := openDir(t, pgClientsSchema+"; CREATE INDEX orders_customer ON orders (customer)")
	expectRows(t, s, "SELECT 'orders'::regclass, 'orders'::regclass::oid = c.oid, 'public.orders'::regclass::text, "+
		"'pg_class'::regclass, 'information_schema.tables'::regclass, 'ORDERS'::regclass, '\"orders\"'::regclass "+
		"FROM pg_class c WHERE c.relname = 'orders'",
		"orders|t|orders|pg_class|information_schema.tables|orders|orders")
	expectRows(t, s, "SELECT c.oid::regclass, c.relkind FROM pg_class c WHERE c.relnamespace = 'public'::regnamespace ORDER BY c.oid::regclass::text",
		"big_orders|v", "customer_totals|m", "orders|r", "orders_customer|i", "orders_pkey|i")
	expectRows(t, s, "SELECT 'int4'::regtype, 'integer'::regtype::oid, 'character varying'::regtype, 'timestamptz'::regtype::text, "+
		"1184::regtype, 'integer[]'::regtype::oid, 0::regtype", "integer|23|character varying|timestamp with time zone|timestamp with time zone|1007|-")
	expectRows(t, s, "SELECT 'pg_catalog.array_in'::regproc, 'public'::regnamespace, 'runnel'::regrole, 10::regrole, 99999::regclass",
		"array_in|public|runnel|runnel|99999")
	expectRows(t, s, "SELECT typname FROM pg_type WHERE typinput = 'array_in'::regproc AND typelem = 'int8'::regtype", "_int8")
	if e := expectError(t, s, "SELECT 1, 'nosuch'::regclass", "42P01"); e.Position != 11 || e.Message != `relation "nosuch" does not exist` {
		t.Errorf("'nosuch'::regclass: %q at %d, want position 11", e.Message, e.Position)
	}
	expectError(t, s, "SELECT relname::regclass FROM pg_class WHERE relname = 'pg_class' UNION ALL SELECT 'nosuch'::text::regclass", "42P01")
	expectError(t, s, "SELECT 'nosuch'::regtype", "42704")
	expectError(t, s, "SELECT 'nosuch'::regnamespace", "3F000")
	expectError(t, s, "SELECT 'nosuch'::regrole", "42704")
	expectError(t, s, "SELECT 'nosuch'::regproc", "42883")
	expectError(t, s, "SELECT 'a.b.c.d'::regclass", "0A000")
	// The reg types report PostgreSQL's type oids, and oid columns are oid.
	p, err := s.Prepare(context.Background(), "SELECT 'orders'::regclass AS rc, oid, relnamespace::regnamespace FROM pg_class LIMIT 1", nil)
	if err != nil {
		t.Fatal(err)
	}
	for i, want := range []uint32{types.OIDRegClass, types.OIDOid, types.OIDRegNamespace} {
		if got := p.Columns[i].Type.OID(); got != want {
			t.Errorf("column %d: type oid %d, want %d", i, got, want)
		}
	}
}

func TestPsqlDescribeQueries(t *testing.T) {
	_, s := openDir(t, pgClientsSchema)
	// \d orders: the columns with format_type and defaults, then the indexes.
	expectRows(t, s, `SELECT a.attname, pg_catalog.format_type(a.atttypid, a.atttypmod),
  (SELECT pg_catalog.pg_get_expr(d.adbin, d.adrelid, true) FROM pg_catalog.pg_attrdef d
   WHERE d.adrelid = a.attrelid AND d.adnum = a.attnum AND a.atthasdef),
  a.attnotnull,
  (SELECT c.collname FROM pg_catalog.pg_collation c, pg_catalog.pg_type t
   WHERE c.oid = a.attcollation AND t.oid = a.atttypid AND a.attcollation <> t.typcollation) AS attcollation,
  a.attidentity, a.attgenerated
FROM pg_catalog.pg_attribute a WHERE a.attrelid = 'orders'::regclass AND a.attnum > 0 AND NOT a.attisdropped ORDER BY a.attnum`,
		"id|bigint|NULL|t|NULL||", "customer|text|NULL|t|NULL||", "amount|numeric(10,2)|NULL|f|NULL||",
		"created_at|timestamp with time zone|now()|f|NULL||")
	expectRows(t, s, `SELECT c2.relname, i.indisprimary, i.indisunique, i.indisclustered, i.indisvalid, pg_catalog.pg_get_indexdef(i.indexrelid, 0, true),
  pg_catalog.pg_get_constraintdef(con.oid, true), contype, condeferrable, condeferred, i.indisreplident, c2.reltablespace
FROM pg_catalog.pg_class c, pg_catalog.pg_class c2, pg_catalog.pg_index i
  LEFT JOIN pg_catalog.pg_constraint con ON (conrelid = i.indrelid AND conindid = i.indexrelid AND contype IN ('p','u','x'))
WHERE c.oid = 'orders'::regclass AND c.oid = i.indrelid AND i.indexrelid = c2.oid
ORDER BY i.indisprimary DESC, c2.relname`,
		"orders_pkey|t|t|f|t|CREATE UNIQUE INDEX orders_pkey ON orders USING btree (id)|PRIMARY KEY (id)|p|f|f|f|0")
	expectRows(t, s, `SELECT c.relchecks, c.relkind, c.relhasindex, c.relhasrules, c.relhastriggers, c.relrowsecurity, c.relforcerowsecurity,
  false AS relhasoids, c.relispartition, '', c.reltablespace, CASE WHEN c.reloftype = 0 THEN '' ELSE c.reloftype::pg_catalog.regtype::pg_catalog.text END,
  c.relpersistence, c.relreplident, am.amname
FROM pg_catalog.pg_class c LEFT JOIN pg_catalog.pg_class tc ON (c.reltoastrelid = tc.oid) LEFT JOIN pg_catalog.pg_am am ON (c.relam = am.oid)
WHERE c.oid = 'orders'::regclass`, "0|r|t|f|f|f|f|f|f||0||p|d|heap")
	expectRows(t, s, "SELECT pg_catalog.pg_get_viewdef('big_orders'::regclass::oid, true), pg_get_viewdef('customer_totals'::regclass)",
		" SELECT id, customer, amount FROM orders WHERE amount > 100;| SELECT customer, sum(amount) AS total, count(*) AS n FROM orders GROUP BY customer;")
	expectRows(t, s, "SELECT rulename, ev_class::regclass FROM pg_rewrite ORDER BY 2::text", "_RETURN|big_orders", "_RETURN|customer_totals")
	// \l, \du, \df.
	expectRows(t, s, `SELECT d.datname, pg_catalog.pg_get_userbyid(d.datdba), pg_catalog.pg_encoding_to_char(d.encoding), d.datcollate, d.datctype,
  CASE d.datlocprovider WHEN 'c' THEN 'libc' WHEN 'i' THEN 'icu' END FROM pg_catalog.pg_database d ORDER BY 1`, "runnel|runnel|UTF8|C|C|libc")
	expectRows(t, s, "SELECT rolname, rolsuper, rolcanlogin, oid FROM pg_roles ORDER BY 1", "runnel|t|t|10")
	expectRows(t, s, `SELECT count(*) FROM pg_catalog.pg_proc p LEFT JOIN pg_catalog.pg_namespace n ON n.oid = p.pronamespace
WHERE pg_catalog.pg_function_is_visible(p.oid) AND n.nspname <> 'pg_catalog' AND n.nspname <> 'information_schema'`, "0")
	expectRows(t, s, `SELECT p.proname, pg_catalog.pg_get_function_result(p.oid), pg_catalog.pg_get_function_arguments(p.oid)
FROM pg_catalog.pg_proc p WHERE p.proname OPERATOR(pg_catalog.~) '^(split_part|pg_size_pretty)$' COLLATE pg_catalog.default ORDER BY 1`,
		"pg_size_pretty|text|bigint", "split_part|text|text, text, integer")
	// Aggregates, as PostgreSQL's \dfS count and \dfS sum list them (but for sum(money)).
	expectRows(t, s, `SELECT p.proname, p.prokind, pg_get_function_result(p.oid), pg_get_function_arguments(p.oid) FROM pg_proc p
WHERE p.proname IN ('count', 'sum') ORDER BY 1, 4`,
		"count|a|bigint|", `count|a|bigint|"any"`, "sum|a|numeric|bigint", "sum|a|double precision|double precision",
		"sum|a|bigint|integer", "sum|a|interval|interval", "sum|a|numeric|numeric", "sum|a|real|real", "sum|a|bigint|smallint")
}

func TestCatalogFunctions(t *testing.T) {
	_, s := openDir(t, pgClientsSchema)
	expectRows(t, s, "SELECT format_type(1700, 655366), format_type(1043, 24), format_type(1184, -1), format_type(1184, 3), "+
		"format_type(1007, -1), format_type(99999, NULL), format_type(1700, NULL), format_type(NULL, 1)",
		"numeric(10,2)|character varying(20)|timestamp with time zone|timestamp(3) with time zone|integer[]|???|numeric|NULL")
	expectRows(t, s, "SELECT pg_size_pretty(10239::bigint), pg_size_pretty(10240::bigint), pg_size_pretty(123456789::bigint), "+
		"pg_size_pretty(20971520::bigint), pg_size_pretty(-123456789::bigint)", "10239 bytes|10 kB|118 MB|20 MB|-118 MB")
	expectRows(t, s, "SELECT version() ~ '^PostgreSQL 15\\.0 ', current_schemas(true), current_schemas(false), current_database(), current_user, current_schema()",
		"t|{pg_catalog,public}|{public}|runnel|runnel|public")
	expectRows(t, s, "SELECT pg_table_size('orders'), pg_total_relation_size('orders'), pg_relation_size('big_orders')", "0|0|0")
	mustQuery(t, s, "INSERT INTO orders VALUES (1, 'alice', 10.5, '2024-01-01'), (2, 'bob', 200, '2024-01-02')")
	rows := mustQuery(t, s, "SELECT pg_table_size('orders') > 0, pg_table_size('customer_totals') > 0, pg_table_size('orders') = pg_total_relation_size('orders')")
	if strings.Join(rows, "\n") != "t|t|t" {
		t.Errorf("sizes after insert: %v", rows)
	}
	expectRows(t, s, "SELECT has_table_privilege('orders', 'SELECT'), has_table_privilege('runnel', 'orders', 'select, insert'), "+
		"has_schema_privilege('public', 'USAGE'), has_database_privilege('runnel', 'CONNECT'), has_table_privilege('nosuch', 'SELECT')",
		"t|t|t|t|f")
	expectError(t, s, "SELECT has_table_privilege('orders', 'FLY')", "22023")
	expectRows(t, s, "SELECT obj_description('orders'::regclass, 'pg_class'), col_description('orders'::regclass, 1), pg_encoding_to_char(6)",
		"NULL|NULL|UTF8")
	expectRows(t, s, "SELECT setting FROM pg_catalog.pg_settings WHERE name='max_index_keys'", "32")
	// pg_settings shows the reading session's values, as in PostgreSQL.
	mustQuery(t, s, "SET extra_float_digits = 3")
	expectRows(t, s, "SELECT setting, source, boot_val FROM pg_settings WHERE name = 'extra_float_digits'", "3|session|1")
	expectRows(t, s, "SELECT setting, source FROM pg_settings WHERE name = 'TimeZone'", "UTC|default")
	mustQuery(t, s, "SET TimeZone = 'Europe/Paris'")
	expectRows(t, s, "SELECT current_setting('TimeZone'), current_setting('timezone'), current_setting('nope', true)", "Europe/Paris|Europe/Paris|NULL")
	expectError(t, s, "SELECT current_setting('nope')", "42704")
	// SQLAlchemy's get_columns builds identity options with json_build_object: json keeps the
	// arguments' order, duplicates and PostgreSQL's " : " layout.
	expectRows(t, s, `SELECT json_build_object('a', 1, 'b', 'x', 'c', NULL, 'd', true, 'e', 1.50, 'f', '{"z":1}'::jsonb, 'g', 'NaN'::float8, 'a', 2), json_build_object()`,
		`{"a" : 1, "b" : "x", "c" : null, "d" : true, "e" : 1.50, "f" : {"z": 1}, "g" : "NaN", "a" : 2}|{}`)
	expectRows(t, s, `SELECT to_jsonb(customer), to_jsonb(amount), to_jsonb(NULL::text), to_jsonb(false) FROM orders WHERE id = 1`, `"alice"|10.50|NULL|false`)
	expectError(t, s, "SELECT json_build_object('a')", "22023")
	expectError(t, s, "SELECT json_build_object(NULL, 1)", "22023")
	expectError(t, s, "SELECT jsonb_build_object(NULL, 1)", "22023")
	expectRows(t, s, "SELECT tablename, hasindexes FROM pg_tables WHERE schemaname = 'public'", "orders|t")
	expectRows(t, s, "SELECT indexname, indexdef FROM pg_indexes", "orders_pkey|CREATE UNIQUE INDEX orders_pkey ON public.orders USING btree (id)")
	expectRows(t, s, "SELECT matviewname, definition FROM pg_matviews", "customer_totals| SELECT customer, sum(amount) AS total, count(*) AS n FROM orders GROUP BY customer;")
	expectRows(t, s, "SELECT conname, contype, conkey, conindid::regclass FROM pg_constraint", "orders_pkey|p|{1}|orders_pkey")
	expectRows(t, s, "SELECT indrelid::regclass, indkey, indnatts, indisprimary FROM pg_index", "orders|1|1|t")
	// A materialized view's contents may not depend on the catalog.
	expectError(t, s, "CREATE MATERIALIZED VIEW bad AS SELECT id, pg_get_viewdef(id) FROM orders", "0A000")
}

func TestUniqueConstraintCatalog(t *testing.T) {
	_, s := openDir(t, "CREATE TABLE u (a int, b text, UNIQUE (a, b)); CREATE INDEX u_b ON u (b)")
	expectRows(t, s, "SELECT c.relname, i.indisunique, i.indkey, pg_get_indexdef(i.indexrelid), pg_get_indexdef(i.indexrelid, 2, false) "+
		"FROM pg_index i JOIN pg_class c ON c.oid = i.indexrelid ORDER BY 1",
		"u_a_b_key|t|1 2|CREATE UNIQUE INDEX u_a_b_key ON public.u USING btree (a, b)|b",
		"u_b|f|2|CREATE INDEX u_b ON public.u USING btree (b)|")
	expectRows(t, s, "SELECT conname, contype, pg_get_constraintdef(oid) FROM pg_constraint", "u_a_b_key|u|UNIQUE (a, b)")
}

func TestSourceIsForeignTable(t *testing.T) {
	k := newKafkaTopic(t, "bids", 1)
	_, s := openDir(t, "CREATE SOURCE bids (auction bigint, price bigint) "+k.with()+" FORMAT PLAIN ENCODE JSON")
	expectRows(t, s, "SELECT c.relkind, c.relam, s.srvname, w.fdwname FROM pg_class c JOIN pg_foreign_table f ON f.ftrelid = c.oid "+
		"JOIN pg_foreign_server s ON s.oid = f.ftserver JOIN pg_foreign_data_wrapper w ON w.oid = s.srvfdw WHERE c.oid = 'bids'::regclass",
		"f|0|kafka|kafka")
	expectRows(t, s, "SELECT a.attname, format_type(a.atttypid, a.atttypmod) FROM pg_attribute a WHERE a.attrelid = 'bids'::regclass ORDER BY a.attnum",
		"auction|bigint", "price|bigint")
	// psql's \d shows the WITH options as FDW options, read with pg_options_to_table.
	expectRows(t, s, "SELECT o.option_name, o.option_value FROM pg_foreign_table f, pg_options_to_table(f.ftoptions) o WHERE f.ftrelid = 'bids'::regclass",
		"connector|kafka", "properties.bootstrap.server|"+k.addr, "scan.startup.mode|earliest", "topic|bids")
	expectRows(t, s, "SELECT option_name, option_value FROM pg_options_to_table(ARRAY['a=1=2', 'b', 'c='])", "a|1=2", "b|NULL", "c|")
	expectError(t, s, "SELECT * FROM pg_options_to_table(ARRAY['a', NULL])", "22004")
	expectError(t, s, "SELECT pg_options_to_table(ARRAY['a=1'])", "0A000")
}
