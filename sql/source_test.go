package sql

import (
	"fmt"
	"strings"
	"testing"

	"github.com/runnel-db/runnel/exec/sqlerr"
)

// opts renders options as key=value pairs (values quoted, so spaces and quotes show).
func opts(os []Option) string {
	var b []string
	for _, o := range os {
		b = append(b, fmt.Sprintf("%s=%q", o.Key, o.Value))
	}
	return strings.Join(b, " ")
}

func TestCreateSource(t *testing.T) {
	type want struct {
		table, ifNotExists bool
		name               string // parts joined by |
		columnsSQL         string
		columns            int // table elements PostgreSQL found: columns and constraints
		with               string
		format, encode     string
		encodeOptions      string
	}
	cases := []struct {
		in   string
		want want
	}{
		{`CREATE SOURCE bid (auction BIGINT, bidder BIGINT, price BIGINT, date_time TIMESTAMP)
  WITH (connector = 'kafka', topic = 'bid', properties.bootstrap.server = '127.0.0.1:9092',
        scan.startup.mode = 'earliest')
  FORMAT PLAIN ENCODE JSON;`, want{
			name:       "bid",
			columnsSQL: "CREATE TABLE bid (auction BIGINT, bidder BIGINT, price BIGINT, date_time TIMESTAMP)",
			columns:    4,
			with:       `connector="kafka" topic="bid" properties.bootstrap.server="127.0.0.1:9092" scan.startup.mode="earliest"`,
			format:     "PLAIN", encode: "JSON",
		}},
		{"create source if not exists Public.\"Bids\" /* c */ (a int, \"B\" text[])\n" +
			"with ( CONNECTOR='kafka', \"Properties\".Group.\"ID\" = 'it''s', scan.startup.timestamp.millis = 1700000000000,\n" +
			"  x.neg = -1.5e3, x.bool = TRUE, x.word = Earliest, x.e = E'a\\tb', x.dollar = $$a'b$$ ) -- c\n" +
			"format plain encode csv ( delimiter = ',', without_header = false ) ;;", want{
			ifNotExists: true,
			name:        `public|Bids`,
			columnsSQL:  "CREATE TABLE IF NOT EXISTS Public.\"Bids\" /* c */ (a int, \"B\" text[])",
			columns:     2,
			with:        `connector="kafka" Properties.group.ID="it's" scan.startup.timestamp.millis="1700000000000" x.neg="-1.5e3" x.bool="true" x.word="earliest" x.e="a\tb" x.dollar="a'b"`,
			format:      "PLAIN", encode: "CSV",
			encodeOptions: `delimiter="," without_header="false"`,
		}},
		{`CREATE SOURCE s (a int) FORMAT PLAIN ENCODE JSON`, want{
			name: "s", columnsSQL: "CREATE TABLE s (a int)", columns: 1, format: "PLAIN", encode: "JSON",
		}},
		{`CREATE SOURCE s () WITH (connector = 'kafka')`, want{
			name: "s", columnsSQL: "CREATE TABLE s ()", with: `connector="kafka"`,
		}},
		{`CREATE TABLE orders (id bigint PRIMARY KEY, amount numeric(10, 2) NOT NULL, note text DEFAULT 'x')
WITH (connector = 'kafka', topic = 'orders') FORMAT UPSERT ENCODE JSON`, want{
			table: true, name: "orders",
			columnsSQL: "CREATE TABLE orders (id bigint PRIMARY KEY, amount numeric(10, 2) NOT NULL, note text DEFAULT 'x')",
			columns:    3, with: `connector="kafka" topic="orders"`, format: "UPSERT", encode: "JSON",
		}},
		{`create table if not exists s.t (a int, b int, primary key (a, b)) with (fillfactor = 70, "connector" = 'kafka')`, want{
			table: true, ifNotExists: true, name: "s|t",
			columnsSQL: "CREATE TABLE IF NOT EXISTS s.t (a int, b int, primary key (a, b))",
			columns:    3, with: `fillfactor="70" connector="kafka"`,
		}},
		{`CREATE TABLE t (a int) FORMAT PLAIN ENCODE JSON`, want{
			table: true, name: "t", columnsSQL: "CREATE TABLE t (a int)", columns: 1, format: "PLAIN", encode: "JSON",
		}},
	}
	for _, c := range cases {
		st, err := ParseOne(c.in)
		if err != nil {
			t.Errorf("%q: %v", c.in, err)
			continue
		}
		cs, ok := st.Runnel.(*CreateSource)
		if !ok {
			t.Errorf("%q: got %#v, want *CreateSource", c.in, st.Runnel)
			continue
		}
		ct := cs.Columns.AST.GetCreateStmt()
		if ct == nil {
			t.Errorf("%q: columns parsed to %v", c.in, cs.Columns.AST)
			continue
		}
		got := want{
			table: cs.Table, ifNotExists: cs.IfNotExists, name: strings.Join(cs.Name, "|"),
			columnsSQL: cs.Columns.Text, columns: len(ct.TableElts), with: opts(cs.With),
			format: cs.Format, encode: cs.Encode, encodeOptions: opts(cs.EncodeOptions),
		}
		if got != c.want {
			t.Errorf("%q:\n got %+v\nwant %+v", c.in, got, c.want)
		}
		if ct.IfNotExists != cs.IfNotExists {
			t.Errorf("%q: CreateStmt.IfNotExists = %v", c.in, ct.IfNotExists)
		}
	}
}

// Option positions and AST locations point into the statement text, in characters.
func TestCreateSourcePositions(t *testing.T) {
	in := "CREATE SOURCE \"é\" (a int, ü text)\n  WITH (tópic = 'ü', b = 1)"
	st, err := ParseOne(in)
	if err != nil {
		t.Fatal(err)
	}
	cs := st.Runnel.(*CreateSource)
	pos := func(s string) int { return Position(in, strings.Index(in, s)) }
	got := fmt.Sprintf("%d/%d %d/%d", cs.With[0].Pos, cs.With[0].ValuePos, cs.With[1].Pos, cs.With[1].ValuePos)
	if want := fmt.Sprintf("%d/%d %d/%d", pos("tópic"), pos("'ü'"), pos("b ="), pos("1)")); got != want || want != "43/51 56/60" {
		t.Errorf("option positions %s, want %s", got, want)
	}
	// The second column's location, in Columns.Text, maps back to "ü" in the statement.
	col := cs.Columns.AST.GetCreateStmt().TableElts[1].GetColumnDef()
	off := cs.TextOffset(int(col.Location))
	if !strings.HasPrefix(in[off:], "ü text") || Position(in, off) != 27 {
		t.Errorf("column location %d maps to %d (%q)", col.Location, off, in[off:])
	}
	if cs.TextOffset(0) != strings.Index(in, `"é"`) {
		t.Errorf("TextOffset(0) = %d, want the name", cs.TextOffset(0))
	}
}

// Ordinary CREATE TABLE, WITH (storage parameters) included, is PostgreSQL's.
func TestCreateTableLeftToPostgres(t *testing.T) {
	for _, in := range []string{
		"CREATE TABLE t (a int)",
		"create table t (a int primary key, b text) with (fillfactor=70);",
		"CREATE TABLE t (a int) WITH (toast.autovacuum_enabled = false, fillfactor = 70)",
		"CREATE TABLE t (connector text, format text) WITH (fillfactor = 70)",
		"CREATE TABLE t (a int) WITH (fillfactor = 70, autovacuum_enabled) TABLESPACE pg_default",
		"CREATE TABLE t (a text DEFAULT 'WITH (connector = x)')",
		"CREATE TEMP TABLE t (a int)",
		"CREATE TABLE t AS SELECT 1 AS connector",
		"CREATE TABLE t PARTITION OF p FOR VALUES IN (1)",
		"CREATE TABLE t (a int) INHERITS (p)",
		"CREATE VIEW v AS SELECT 'CREATE SOURCE s'",
		"SELECT 1 AS format",
		"DROP TABLE source",
	} {
		if _, ok, err := parseRunnel(in); ok || err != nil {
			t.Errorf("parseRunnel(%q) = ok %v, %v; want it left to PostgreSQL", in, ok, err)
			continue
		}
		st, err := ParseOne(in)
		if err != nil || st.AST == nil || st.Runnel != nil {
			t.Errorf("ParseOne(%q) = %v, %#v, %v; want a PostgreSQL statement", in, st.AST, st.Runnel, err)
		}
	}
	// Lexical and syntax errors in statements that are not Runnel's are PostgreSQL's to report.
	for _, in := range []string{"CREATE TABLE t (a text DEFAULT 'x)", "CREATE TABLE (a int) WITH (connector = 'kafka')",
		"CREATE TABLE t (a int) WITH (fillfactor = (connector = 1))"} {
		if _, ok, err := parseRunnel(in); ok || err != nil {
			t.Errorf("parseRunnel(%q) = ok %v, %v; want it left to PostgreSQL", in, ok, err)
		}
	}
}

func TestDropSource(t *testing.T) {
	cases := []struct {
		in   string
		want string
	}{
		{"DROP SOURCE s", "&sql.DropSource{IfExists:false, Names:[][]string{[]string{\"s\"}}, Cascade:false}"},
		{"drop source if exists A, public.\"B\" cascade;", "&sql.DropSource{IfExists:true, Names:[][]string{[]string{\"a\"}, []string{\"public\", \"B\"}}, Cascade:true}"},
		{"DROP SOURCE s RESTRICT", "&sql.DropSource{IfExists:false, Names:[][]string{[]string{\"s\"}}, Cascade:false}"},
		{"DROP SOURCE if", "&sql.DropSource{IfExists:false, Names:[][]string{[]string{\"if\"}}, Cascade:false}"},
	}
	for _, c := range cases {
		st, err := ParseOne(c.in)
		if err != nil {
			t.Errorf("%q: %v", c.in, err)
			continue
		}
		if got := fmt.Sprintf("%#v", st.Runnel); got != c.want {
			t.Errorf("%q:\n got %s\nwant %s", c.in, got, c.want)
		}
	}
}

func TestSourceErrors(t *testing.T) {
	const with = " WITH (connector = 'kafka')"
	cases := []struct {
		in   string
		code string
		msg  string
		near string // the text the position points at; "" for the end of input
	}{
		{"CREATE SOURCE", sqlerr.SyntaxError, "syntax error at end of input", ""},
		{"CREATE SOURCE select (a int)", sqlerr.SyntaxError, `syntax error at or near "select"`, "select (a"},
		{"CREATE SOURCE a.b.c.d (x int)", sqlerr.SyntaxError, "improper qualified name (too many dotted names): a.b.c.d", "d (x"},
		{"CREATE SOURCE s", sqlerr.SyntaxError, "syntax error at end of input", ""},
		{"CREATE SOURCE s 'x'", sqlerr.SyntaxError, `syntax error at or near "'x'"`, "'x'"},
		{"CREATE SOURCE s" + with, sqlerr.FeatureNotSupported, "CREATE SOURCE without a column list is not supported", "WITH ("},
		{"CREATE SOURCE s (a int" + with, sqlerr.SyntaxError, "syntax error at end of input", ""},
		{"CREATE SOURCE s (a int,, b text)" + with, sqlerr.SyntaxError, `syntax error at or near ","`, ", b text"},
		{"/* é */ CREATE SOURCE IF NOT EXISTS \"ü\" (a int, b nosuch type)", sqlerr.SyntaxError, `syntax error at or near "type"`, "type)"},
		{"CREATE SOURCE s (a int; b int)", sqlerr.SyntaxError, `syntax error at or near ";"`, "; b"},
		{"CREATE SOURCE s (a int) WITH connector = 'kafka'", sqlerr.SyntaxError, `syntax error at or near "connector"`, "connector ="},
		{"CREATE SOURCE s (a int) WITH (connector 'kafka')", sqlerr.SyntaxError, `syntax error at or near "'kafka'"`, "'kafka'"},
		{"CREATE SOURCE s (a int) WITH ()", sqlerr.SyntaxError, `syntax error at or near ")"`, ")"},
		{"CREATE SOURCE s (a int) WITH (a = )", sqlerr.SyntaxError, `syntax error at or near ")"`, ")"},
		{"CREATE SOURCE s (a int) WITH (a = 'x',)", sqlerr.SyntaxError, `syntax error at or near ")"`, ")"},
		{"CREATE SOURCE s (a int) WITH (a = 'x'", sqlerr.SyntaxError, "syntax error at end of input", ""},
		{"CREATE SOURCE s (a int) WITH (a = \"x\")", sqlerr.SyntaxError, `syntax error at or near ""x""`, `"x")`},
		{"CREATE SOURCE s (a int) WITH ('a' = 'x')", sqlerr.SyntaxError, `syntax error at or near "'a'"`, "'a' ="},
		{"CREATE SOURCE s (a int) WITH (a. = 'x')", sqlerr.SyntaxError, `syntax error at or near "="`, "= 'x'"},
		{"CREATE SOURCE s (a int) WITH (a = 12ab)", sqlerr.SyntaxError, `trailing junk after numeric literal at or near "12ab"`, "12ab"},
		{"CREATE SOURCE s (a int) WITH (a = 'x)", sqlerr.SyntaxError, `unterminated quoted string at or near "'x)"`, "'x)"},
		{"CREATE SOURCE s (a int) /* WITH (a = 'x')", sqlerr.SyntaxError, `unterminated /* comment at or near "/* WITH (a = 'x')"`, "/* WITH"},
		{"CREATE SOURCE s (a int) WITH (topic = 'a', Topic = 'b')", sqlerr.InvalidParameterValue, `option "topic" specified more than once`, "Topic ="},
		{"CREATE SOURCE s (a int)" + with + " FORMAT PLAIN ENCODE JSON (a = 1, a = 2)", sqlerr.InvalidParameterValue, `option "a" specified more than once`, "a = 2"},
		{"CREATE SOURCE s (a int)" + with + " FORMAT PLAIN ENCODE XML", sqlerr.SyntaxError, `syntax error at or near "XML"`, "XML"},
		{"CREATE SOURCE s (a int)" + with + " FORMAT JSON", sqlerr.SyntaxError, `syntax error at or near "JSON"`, "JSON"},
		{"CREATE SOURCE s (a int)" + with + " FORMAT PLAIN JSON", sqlerr.SyntaxError, `syntax error at or near "JSON"`, "JSON"},
		{"CREATE SOURCE s (a int)" + with + " FORMAT PLAIN ENCODE", sqlerr.SyntaxError, "syntax error at end of input", ""},
		{"CREATE SOURCE s (a int)" + with + " FORMAT PLAIN ENCODE JSON extra", sqlerr.SyntaxError, `syntax error at or near "extra"`, "extra"},
		{"CREATE SOURCE s (a int) FORMAT PLAIN ENCODE JSON" + with, sqlerr.SyntaxError, `syntax error at or near "WITH"`, "WITH ("},
		{"CREATE SOURCE s (a int)" + with + " FORMAT DEBEZIUM ENCODE JSON", sqlerr.FeatureNotSupported, "FORMAT DEBEZIUM is not supported", "DEBEZIUM"},
		{"CREATE SOURCE s (a int)" + with + " FORMAT PLAIN ENCODE avro (message = 'm')", sqlerr.FeatureNotSupported, "ENCODE AVRO is not supported", "avro"},
		{"CREATE SOURCE s (a int)" + with + " FORMAT PLAIN ENCODE JSON (schema.registry = 'http://r:8081')", sqlerr.FeatureNotSupported, "schema registry (schema.registry) is not supported", "schema.registry"},
		{"CREATE SOURCE s (a int)" + with + " FORMAT UPSERT ENCODE JSON KEY ENCODE TEXT", sqlerr.FeatureNotSupported, "KEY ENCODE is not supported", "KEY ENCODE"},
		{"CREATE SOURCE s (a int) INCLUDE key AS k" + with, sqlerr.FeatureNotSupported, "INCLUDE is not supported", "INCLUDE key"},
		{"CREATE SOURCE s (a int)" + with + " ROW FORMAT JSON", sqlerr.FeatureNotSupported, "ROW FORMAT (use FORMAT … ENCODE …) is not supported", "ROW FORMAT"},
		{"CREATE SOURCE s (ts timestamp, WATERMARK FOR ts AS ts - INTERVAL '5' SECOND)" + with, sqlerr.FeatureNotSupported, "WATERMARK is not supported", "WATERMARK FOR"},
		{"CREATE OR REPLACE SOURCE s (a int)", sqlerr.FeatureNotSupported, "CREATE OR REPLACE SOURCE is not supported", "OR REPLACE"},
		{"CREATE TEMPORARY SOURCE s (a int)", sqlerr.FeatureNotSupported, "CREATE TEMPORARY SOURCE is not supported", "TEMPORARY"},
		{"CREATE TABLE t (a int) WITH (connector = 'kafka', fillfactor)", sqlerr.SyntaxError, `syntax error at or near ")"`, ")"},
		{"CREATE TABLE t (a int) WITH (connector = 'kafka') TABLESPACE x", sqlerr.SyntaxError, `syntax error at or near "TABLESPACE"`, "TABLESPACE"},
		{"CREATE TABLE t (a int) APPEND ONLY" + with, sqlerr.FeatureNotSupported, "APPEND ONLY is not supported", "APPEND"},
		{"CREATE TABLE t (a int) ON CONFLICT DO NOTHING" + with, sqlerr.FeatureNotSupported, "ON CONFLICT is not supported", "ON CONFLICT"},
		{"CREATE TABLE t (a int) INCLUDE offset" + with, sqlerr.FeatureNotSupported, "INCLUDE is not supported", "INCLUDE"},
		{"CREATE TABLE t" + with + " FORMAT PLAIN ENCODE JSON", sqlerr.FeatureNotSupported, "CREATE TABLE with a connector without a column list is not supported", "WITH"},
		{"CREATE TABLE t (a int)" + with + " FORMAT PLAIN ENCODE JSON (a = 'ü', b = 'x)", sqlerr.SyntaxError, `unterminated quoted string at or near "'x)"`, "'x)"},
		{"DROP SOURCE", sqlerr.SyntaxError, "syntax error at end of input", ""},
		{"DROP SOURCE a,", sqlerr.SyntaxError, "syntax error at end of input", ""},
		{"DROP SOURCE a b", sqlerr.SyntaxError, `syntax error at or near "b"`, "b"},
		{"DROP SOURCE IF EXISTS", sqlerr.SyntaxError, "syntax error at end of input", ""},
		{"DROP SOURCE a CASCADE RESTRICT", sqlerr.SyntaxError, `syntax error at or near "RESTRICT"`, "RESTRICT"},
		{"DROP SOURCE 'a'", sqlerr.SyntaxError, `syntax error at or near "'a'"`, "'a'"},
	}
	for _, c := range cases {
		_, err := ParseOne(c.in)
		e := sqlerr.From(err)
		if e == nil {
			t.Errorf("%q: got %v, want %s %q", c.in, err, c.code, c.msg)
			continue
		}
		wantPos := Position(c.in, len(c.in))
		if c.near != "" {
			i := strings.LastIndex(c.in, c.near)
			if i < 0 {
				t.Fatalf("%q: test case's near text %q not in it", c.in, c.near)
			}
			wantPos = Position(c.in, i)
		}
		if e.Code != c.code || e.Message != c.msg || e.Position != wantPos {
			t.Errorf("%q:\n got %s %q at %d\nwant %s %q at %d", c.in, e.Code, e.Message, e.Position, c.code, c.msg, wantPos)
		}
	}
}

// Positions of errors in later statements count from the start of the whole input, as PostgreSQL's do.
func TestSourceErrorPositionInInput(t *testing.T) {
	in := "SELECT 'é';\nCREATE SOURCE s (a int, b nosuch type) WITH (connector = 'kafka')"
	_, err := Parse(in)
	e := sqlerr.From(err)
	if want := Position(in, strings.Index(in, "type)")); e == nil || e.Code != sqlerr.SyntaxError || e.Position != want {
		t.Fatalf("got %#v, want 42601 at %d", err, want)
	}
	in = "SELECT 1; CREATE SOURCE s (a int) WITH (a = 1, a = 2); SELECT 2"
	_, err = Parse(in)
	if e := sqlerr.From(err); e == nil || e.Code != sqlerr.InvalidParameterValue || e.Position != strings.LastIndex(in, "a = 2")+1 {
		t.Fatalf("got %#v", err)
	}
}

func TestParseMixedSourceStatements(t *testing.T) {
	in := "CREATE SOURCE s (a int) WITH (topic = 'x;y', a.b = $$;$$) FORMAT PLAIN ENCODE JSON; -- ;\n" +
		"CREATE TABLE t (a int) WITH (fillfactor = 70);\nSHOW SOURCES;\nDROP SOURCE s"
	stmts, err := Parse(in)
	if err != nil {
		t.Fatal(err)
	}
	var kinds []string
	for _, st := range stmts {
		if st.Runnel != nil {
			kinds = append(kinds, fmt.Sprintf("%T", st.Runnel))
		} else {
			kinds = append(kinds, fmt.Sprintf("%T", st.AST.Node))
		}
	}
	if got, want := strings.Join(kinds, " "), "*sql.CreateSource *pg_query.Node_CreateStmt *sql.ShowObjects *sql.DropSource"; got != want {
		t.Fatalf("got %s, want %s", got, want)
	}
	if got := opts(stmts[0].Runnel.(*CreateSource).With); got != `topic="x;y" a.b=";"` {
		t.Errorf("options %s", got)
	}
}
