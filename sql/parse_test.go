package sql

import (
	"testing"

	"github.com/runnel-db/runnel/exec/sqlerr"
)

func TestParseSplitsAndKeepsOffsets(t *testing.T) {
	in := "CREATE TABLE t (a int); -- note\n  INSERT INTO t VALUES (1);;  SELECT a FROM t"
	stmts, err := Parse(in)
	if err != nil {
		t.Fatal(err)
	}
	if len(stmts) != 3 {
		t.Fatalf("got %d statements, want 3", len(stmts))
	}
	for _, st := range stmts {
		if in[st.Offset:st.Offset+len(st.Text)] != st.Text {
			t.Errorf("offset %d does not locate %q", st.Offset, st.Text)
		}
		if st.AST == nil {
			t.Errorf("%q: no AST", st.Text)
		}
	}
	if got := stmts[2].AST.GetSelectStmt(); got == nil {
		t.Errorf("third statement is not a SELECT: %v", stmts[2].AST)
	}
}

func TestParseSyntaxErrorPosition(t *testing.T) {
	in := "SELECT 1; SELECT * FORM t"
	_, err := Parse(in)
	e := sqlerr.From(err)
	if e == nil || e.Code != sqlerr.SyntaxError {
		t.Fatalf("want a 42601 error, got %v", err)
	}
	// PostgreSQL reports the position of the misspelled FROM, counted in the whole string.
	if want := 20; e.Position != want {
		t.Errorf("position %d, want %d (%q)", e.Position, want, e.Message)
	}
}

func TestEmptyQueries(t *testing.T) {
	for _, in := range []string{"", ";", "  -- ping", "/* c */ ;"} {
		stmts, err := Parse(in)
		if err != nil || len(stmts) != 0 {
			t.Errorf("Parse(%q) = %d statements, %v; want none", in, len(stmts), err)
		}
	}
}

func TestRunnelStatements(t *testing.T) {
	cases := []struct {
		in   string
		want any
	}{
		{"SHOW TABLES", &ShowObjects{Kind: KindTable}},
		{"show materialized views;", &ShowObjects{Kind: KindMaterializedView}},
		{"SHOW CREATE MATERIALIZED VIEW public.\"Mv\"", &ShowCreate{Kind: KindMaterializedView, Name: []string{"public", "Mv"}}},
		{"show create table T1", &ShowCreate{Kind: KindTable, Name: []string{"t1"}}},
		{"FLUSH", &Flush{}},
	}
	for _, c := range cases {
		st, err := ParseOne(c.in)
		if err != nil {
			t.Fatalf("%q: %v", c.in, err)
		}
		switch want := c.want.(type) {
		case *ShowObjects:
			got, ok := st.Runnel.(*ShowObjects)
			if !ok || *got != *want {
				t.Errorf("%q: got %#v", c.in, st.Runnel)
			}
		case *ShowCreate:
			got, ok := st.Runnel.(*ShowCreate)
			if !ok || got.Kind != want.Kind || len(got.Name) != len(want.Name) || got.Name[len(got.Name)-1] != want.Name[len(want.Name)-1] {
				t.Errorf("%q: got %#v", c.in, st.Runnel)
			}
		case *Flush:
			if _, ok := st.Runnel.(*Flush); !ok {
				t.Errorf("%q: got %#v", c.in, st.Runnel)
			}
		}
	}
}

func TestDeparseRoundTrip(t *testing.T) {
	st, err := ParseOne("select k, count(*) from t where v > 1 group by k")
	if err != nil {
		t.Fatal(err)
	}
	text, err := Deparse(st.AST)
	if err != nil {
		t.Fatal(err)
	}
	if want := "SELECT k, count(*) FROM t WHERE v > 1 GROUP BY k"; text != want {
		t.Errorf("Deparse = %q, want %q", text, want)
	}
}

func TestSplitKeepsStatementsWithSyntaxErrors(t *testing.T) {
	for in, want := range map[string][]string{
		"SELEC 1":                           {"SELEC 1"},
		"SELECT (1":                         {"SELECT (1"},
		"SELECT 1; SELEC 2;":                {"SELECT 1", "SELEC 2"},
		"SELECT ';' AS a; -- c;\n SELECT 2": {"SELECT ';' AS a", "SELECT 2"},
		`SELECT 1 AS "x;y"; /* ; */`:        {`SELECT 1 AS "x;y"`},
	} {
		got, _, err := Split(in)
		if err != nil || len(got) != len(want) {
			t.Errorf("Split(%q) = %q, %v; want %q", in, got, err, want)
			continue
		}
		for i := range got {
			if got[i] != want[i] {
				t.Errorf("Split(%q)[%d] = %q, want %q", in, i, got[i], want[i])
			}
		}
	}
	if _, err := Parse("SELEC 1"); sqlerr.Code(err) != sqlerr.SyntaxError {
		t.Errorf("Parse(SELEC 1) = %v, want 42601", err)
	}
}
