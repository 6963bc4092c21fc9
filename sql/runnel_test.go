package sql

import (
	"fmt"
	"strings"
	"testing"
	"unicode/utf8"

	"github.com/runnel-db/runnel/exec/sqlerr"
)

// lexAll returns the tokens of text as kind:text strings, ending at EOF or a lexical error.
func lexAll(text string) []string {
	lx := lexer{text: text}
	var out []string
	for {
		t := lx.next()
		switch t.kind {
		case tokEOF:
			return out
		case tokError:
			return append(out, fmt.Sprintf("error@%d:%s", t.err.Position, t.err.Message))
		}
		out = append(out, fmt.Sprintf("%s@%d:%s", kindNames[t.kind], t.pos, t.text))
	}
}

var kindNames = map[tokKind]string{tokWord: "w", tokIdent: "id", tokString: "s", tokNumber: "n", tokParam: "p", tokOp: "op"}

func TestLexer(t *testing.T) {
	cases := []struct {
		in   string
		want []string
	}{
		{"a.B", []string{"w@0:a", "op@1:.", "w@2:B"}},
		{`"Quo""ted" ""x`, []string{"id@0:Quo\"ted", `error@12:zero-length delimited identifier at or near """"`}},
		{"'it''s' E'a\\nb\\'c\\x41\\101\\u00e9'", []string{"s@0:it's", "s@8:a\nb'cAAé"}},
		{"e'\\\\' 'a\\n'", []string{`s@0:\`, `s@6:a\n`}},
		{"$$x'y$$ $tag$ $$ $tag$ $1 $", []string{"s@0:x'y", "s@8: $$ ", "p@23:$1", "op@26:$"}},
		{"1 1.5e3 .5 1. 0x1F 1_000 1e", []string{"n@0:1", "n@2:1.5e3", "n@8:.5", "n@11:1.", "n@14:0x1F", "n@19:1_000", "error@26:trailing junk after numeric literal at or near \"1e\""}},
		{"=-1 <> :: a=>b -", []string{"op@0:=", "op@1:-", "n@2:1", "op@4:<>", "op@7::", "op@8::", "w@10:a", "op@11:=>", "w@13:b", "op@15:-"}},
		{"a -- c;\n/* x /* nested */ ; */ b", []string{"w@0:a", "w@31:b"}},
		{"a; ;  -- c\n ;", []string{"w@0:a"}},
		{"a ; b", []string{"w@0:a", "op@2:;", "w@4:b"}},
		{"é1$x", []string{"w@0:é1$x"}},
		{"x 'abc", []string{"w@0:x", `error@3:unterminated quoted string at or near "'abc"`}},
		{"x\n\"abc", []string{"w@0:x", `error@3:unterminated quoted identifier at or near ""abc"`}},
		{"x /* a /* b */", []string{"w@0:x", `error@3:unterminated /* comment at or near "/* a /* b */"`}},
		{"ü $q$ abc", []string{"w@0:ü", `error@3:unterminated dollar-quoted string at or near "$q$ abc"`}},
		{"E'\\u12'", []string{"error@3:invalid Unicode escape value"}},
	}
	for _, c := range cases {
		got := lexAll(c.in)
		if strings.Join(got, " | ") != strings.Join(c.want, " | ") {
			t.Errorf("lex %q:\n got %q\nwant %q", c.in, got, c.want)
		}
	}
}

func TestShowStatements(t *testing.T) {
	cases := []struct {
		in   string
		want any
	}{
		{"SHOW SOURCES", &ShowObjects{Kind: KindSource}},
		{"show Sources ; ", &ShowObjects{Kind: KindSource}},
		{"SHOW VIEWS -- all of them", &ShowObjects{Kind: KindView}},
		{"SHOW CREATE SOURCE public.\"Bids\"", &ShowCreate{Kind: KindSource, Name: []string{"public", "Bids"}}},
		{"show create source BID;", &ShowCreate{Kind: KindSource, Name: []string{"bid"}}},
		{"SHOW CREATE VIEW v", &ShowCreate{Kind: KindView, Name: []string{"v"}}},
		{"SHOW CREATE MATERIALIZED VIEW db.s.mv", &ShowCreate{Kind: KindMaterializedView, Name: []string{"db", "s", "mv"}}},
		{"FLUSH;", &Flush{}},
	}
	for _, c := range cases {
		st, err := ParseOne(c.in)
		if err != nil {
			t.Errorf("%q: %v", c.in, err)
			continue
		}
		if got, want := fmt.Sprintf("%#v", st.Runnel), fmt.Sprintf("%#v", c.want); got != want {
			t.Errorf("%q:\n got %s\nwant %s", c.in, got, want)
		}
	}
	// PostgreSQL's own SHOW is left to PostgreSQL.
	for _, in := range []string{"SHOW search_path", "SHOW ALL", "SHOW sources_x", "SHOW TABLES x"} {
		if _, ok, err := parseRunnel(in); ok || err != nil {
			t.Errorf("parseRunnel(%q) = ok %v, %v; want it left to PostgreSQL", in, ok, err)
		}
	}
	st, err := ParseOne("SHOW search_path")
	if err != nil || st.AST.GetVariableShowStmt() == nil {
		t.Errorf("SHOW search_path: %v, %v", st.AST, err)
	}
}

func TestShowErrors(t *testing.T) {
	cases := []struct {
		in, msg string
		pos     int
	}{
		{"SHOW CREATE SOURCE", "syntax error at end of input", 19},
		{"SHOW CREATE SOURCE s t", `syntax error at or near "t"`, 22},
		{"SHOW CREATE FOO x", `syntax error at or near "FOO"`, 13},
		{"SHOW CREATE MATERIALIZED x", `syntax error at or near "x"`, 26},
		{"SHOW CREATE TABLE select", `syntax error at or near "select"`, 19},
		{"SHOW CREATE TABLE a.b.c.d", "improper qualified name (too many dotted names): a.b.c.d", 25},
		{"SHOW CREATE TABLE 'x'", `syntax error at or near "'x'"`, 19},
		{"SHOW CREATE TABLE \"x", `unterminated quoted identifier at or near ""x"`, 19},
	}
	for _, c := range cases {
		_, err := ParseOne(c.in)
		e := sqlerr.From(err)
		if e == nil || e.Code != sqlerr.SyntaxError || e.Message != c.msg || e.Position != c.pos {
			t.Errorf("%q: got %#v, want 42601 %q at %d", c.in, err, c.msg, c.pos)
		}
	}
}

// FuzzParseRunnel checks that the front parser never panics or loops, that it positions every
// error inside the statement, and that a CREATE SOURCE it accepts carries a CREATE TABLE parse.
func FuzzParseRunnel(f *testing.F) {
	for _, s := range []string{
		"CREATE SOURCE s (a int, b text) WITH (connector = 'kafka', x.y = 1) FORMAT PLAIN ENCODE JSON",
		"CREATE TABLE t (a int primary key) WITH (connector = 'kafka') FORMAT UPSERT ENCODE JSON (a = E'\\x41')",
		"CREATE TABLE t (a int) WITH (fillfactor = 70)",
		"DROP SOURCE IF EXISTS a, b.c CASCADE;",
		"SHOW CREATE SOURCE \"x\"", "SHOW SOURCES", "FLUSH",
		"CREATE SOURCE s (a int) WITH (a = $t$x$t$, b = -1.5e3) /* c */ -- d",
	} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, text string) {
		stmt, ok, err := parseRunnel(text)
		if err != nil {
			e := sqlerr.From(err)
			if !ok || e == nil {
				t.Fatalf("%q: ok %v, error %#v", text, ok, err)
			}
			// Only PostgreSQL's rejection of invalid UTF-8 has no position.
			if e.Position < 1 && utf8.ValidString(text) || e.Position > utf8.RuneCountInString(text)+1 {
				t.Fatalf("%q: position %d out of range (%s)", text, e.Position, e.Message)
			}
			return
		}
		if cs, isSource := stmt.(*CreateSource); ok && isSource {
			if cs.Columns.AST.GetCreateStmt() == nil {
				t.Fatalf("%q: columns %v", text, cs.Columns.AST)
			}
		}
	})
}
