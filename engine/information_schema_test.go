package engine

import "testing"

func TestInformationSchema(t *testing.T) {
	_, s := openDir(t, "CREATE TABLE t (id bigint PRIMARY KEY, name varchar(20) NOT NULL, price numeric(8,2) DEFAULT 0, at timestamptz);"+
		"CREATE VIEW v AS SELECT id FROM t; CREATE MATERIALIZED VIEW m AS SELECT name, count(*) AS n FROM t GROUP BY name")
	expectRows(t, s, "SELECT table_name, table_type, is_insertable_into FROM information_schema.tables WHERE table_schema = 'public' ORDER BY table_name",
		"m|MATERIALIZED VIEW|NO", "t|BASE TABLE|YES", "v|VIEW|NO")
	expectRows(t, s, "SELECT column_name, ordinal_position, column_default, is_nullable, data_type, character_maximum_length, numeric_precision, numeric_scale, datetime_precision, udt_name "+
		"FROM information_schema.columns WHERE table_name = 't' ORDER BY ordinal_position",
		"id|1|NULL|NO|bigint|NULL|64|0|NULL|int8",
		"name|2|NULL|NO|character varying|20|NULL|NULL|NULL|varchar",
		"price|3|0|YES|numeric|NULL|8|2|NULL|numeric",
		"at|4|NULL|YES|timestamp with time zone|NULL|NULL|NULL|6|timestamptz")
	expectRows(t, s, "SELECT table_name, view_definition FROM information_schema.views ORDER BY table_name",
		"m|SELECT name, count(*) AS n FROM t GROUP BY name", "v|SELECT id FROM t")
	expectRows(t, s, "SELECT schema_name FROM information_schema.schemata ORDER BY schema_name",
		"information_schema", "pg_catalog", "public", "runnel_catalog")
	expectRows(t, s, "SELECT name, kind FROM runnel_catalog.objects ORDER BY id", "t|table", "v|view", "m|materialized view")
	expectRows(t, s, "SELECT object, depends_on FROM runnel_catalog.dependencies ORDER BY object", "public.m|public.t", "public.v|public.t")
	expectRows(t, s, "SELECT count(*) > 0 FROM information_schema.columns WHERE table_schema = 'runnel_catalog'", "t")
	expectError(t, s, "CREATE MATERIALIZED VIEW bad AS SELECT * FROM information_schema.tables", "0A000")
	mustQuery(t, s, "CREATE VIEW my_tables AS SELECT table_name FROM information_schema.tables WHERE table_schema = 'public'")
	expectRows(t, s, "SELECT * FROM my_tables ORDER BY 1", "m", "my_tables", "t", "v")
	expectError(t, s, "INSERT INTO information_schema.tables VALUES ('a', 'b', 'c', 'd', 'e')", "42501")
}

func TestPgCatalog(t *testing.T) {
	_, s := openDir(t, "CREATE TABLE t (id bigint PRIMARY KEY, name varchar(20) NOT NULL DEFAULT 'x'); CREATE INDEX t_name ON t (name);"+
		"CREATE MATERIALIZED VIEW m AS SELECT name, count(*) AS n FROM t GROUP BY name")
	expectRows(t, s, "SELECT c.relname, c.relkind, n.nspname, c.relhasindex, pg_get_userbyid(c.relowner), pg_table_is_visible(c.oid) "+
		"FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace WHERE n.nspname = 'public' ORDER BY c.oid",
		"t|r|public|t|runnel|t", "t_name|i|public|f|runnel|t", "m|m|public|f|runnel|t", "t_pkey|i|public|f|runnel|t")
	expectRows(t, s, "SELECT a.attname, a.attnum, t.typname, a.atttypmod, a.attnotnull, a.atthasdef "+
		"FROM pg_catalog.pg_attribute a JOIN pg_catalog.pg_class c ON c.oid = a.attrelid JOIN pg_catalog.pg_type t ON t.oid = a.atttypid "+
		"WHERE c.relname = 't' ORDER BY a.attnum",
		"id|1|int8|-1|t|f", "name|2|varchar|24|t|t")
	expectRows(t, s, "SELECT pg_table_is_visible(oid) FROM pg_class WHERE relname IN ('pg_class', 'tables', 'source_status') ORDER BY oid", "f", "f", "t")
}
