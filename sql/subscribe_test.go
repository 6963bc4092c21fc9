package sql

import (
	"reflect"
	"testing"
	"unicode/utf8"

	"github.com/runnel-db/runnel/exec/sqlerr"
)

func TestSubscribeParse(t *testing.T) {
	cases := []struct {
		in   string
		want Subscribe
	}{
		{"SUBSCRIBE v", Subscribe{Name: []string{"v"}, NamePos: 11, Snapshot: true}},
		{"subscribe to public.\"V\";", Subscribe{Name: []string{"public", "V"}, NamePos: 14, Snapshot: true}},
		{"SUBSCRIBE TO v WITH (SNAPSHOT = false)", Subscribe{Name: []string{"v"}, NamePos: 14}},
		{"SUBSCRIBE v WITH (snapshot false, progress = off)", Subscribe{Name: []string{"v"}, NamePos: 11, ProgressPos: 35}},
		{"SUBSCRIBE v WITH (SNAPSHOT, PROGRESS)", Subscribe{Name: []string{"v"}, NamePos: 11, Snapshot: true, Progress: true, ProgressPos: 29}},
		{"SUBSCRIBE v WITH (SNAPSHOT = 'true')", Subscribe{Name: []string{"v"}, NamePos: 11, Snapshot: true}},
	}
	for _, c := range cases {
		st, err := ParseOne(c.in)
		if err != nil {
			t.Fatalf("%q: %v", c.in, err)
		}
		got, ok := st.Runnel.(*Subscribe)
		if !ok {
			t.Fatalf("%q: parsed as %T", c.in, st.Runnel)
		}
		if !reflect.DeepEqual(*got, c.want) {
			t.Errorf("%q: got %+v, want %+v", c.in, *got, c.want)
		}
	}
}

func TestCopySubscribeParse(t *testing.T) {
	for in, want := range map[string]CopySubscribe{
		"COPY (SUBSCRIBE v) TO STDOUT":                                          {Subscribe: &Subscribe{Name: []string{"v"}, NamePos: 17, Snapshot: true}, Format: "text"},
		"copy (subscribe to v with (snapshot = false)) to stdout (format csv);": {Subscribe: &Subscribe{Name: []string{"v"}, NamePos: 20}, Format: "csv"},
	} {
		st, err := ParseOne(in)
		if err != nil {
			t.Fatalf("%q: %v", in, err)
		}
		got, ok := st.Runnel.(*CopySubscribe)
		if !ok || !reflect.DeepEqual(*got, want) {
			t.Errorf("%q: got %#v, want %#v", in, st.Runnel, want)
		}
	}
}

func TestSubscribeErrors(t *testing.T) {
	cases := []struct {
		in, code, msg string
		pos           int
	}{
		{"SUBSCRIBE", sqlerr.SyntaxError, "syntax error at end of input", 10},
		{"SUBSCRIBE TO", sqlerr.SyntaxError, "syntax error at end of input", 13},
		{"SUBSCRIBE v x", sqlerr.SyntaxError, `syntax error at or near "x"`, 13},
		{"SUBSCRIBE v WITH SNAPSHOT", sqlerr.SyntaxError, `syntax error at or near "SNAPSHOT"`, 18},
		{"SUBSCRIBE v WITH (FOO = 1)", sqlerr.SyntaxError, `unrecognized SUBSCRIBE option "foo"`, 19},
		{"SUBSCRIBE v WITH (SNAPSHOT, SNAPSHOT)", sqlerr.SyntaxError, `option "snapshot" specified more than once`, 29},
		{"SUBSCRIBE v WITH (SNAPSHOT = maybe)", sqlerr.InvalidParameterValue, "SNAPSHOT requires a Boolean value", 30},
		{"SUBSCRIBE v WITH (SNAPSHOT = true", sqlerr.SyntaxError, "syntax error at end of input", 34},
		{"SUBSCRIBE select", sqlerr.SyntaxError, `syntax error at or near "select"`, 11},
		{"SUBSCRIBE (SELECT 1)", sqlerr.FeatureNotSupported, "SUBSCRIBE to a query (create a materialized view and subscribe to it) is not supported", 11},
		{"SUBSCRIBE v AS OF 3", sqlerr.FeatureNotSupported, "SUBSCRIBE … AS OF is not supported", 13},
		{"SUBSCRIBE v WITH (SNAPSHOT) UP TO 3", sqlerr.FeatureNotSupported, "SUBSCRIBE … UP TO is not supported", 29},
		{"SUBSCRIBE v ENVELOPE UPSERT (KEY (a))", sqlerr.FeatureNotSupported, "SUBSCRIBE … ENVELOPE is not supported", 13},
		{"DECLARE c SCROLL CURSOR FOR SUBSCRIBE v", sqlerr.FeatureNotSupported, "SCROLL cursors over SUBSCRIBE is not supported", 11},
		{"DECLARE c CURSOR FOR SUBSCRIBE v AS OF 1", sqlerr.FeatureNotSupported, "SUBSCRIBE … AS OF is not supported", 34},
		{"DECLARE c CURSOR FOR SUBSCRIBE v x", sqlerr.SyntaxError, `syntax error at or near "x"`, 34},
		{"COPY (SUBSCRIBE v) TO '/tmp/x'", sqlerr.FeatureNotSupported, "COPY (SUBSCRIBE …) TO a file or program (use TO STDOUT) is not supported", 23},
		{"COPY (SUBSCRIBE v) TO STDOUT WITH (FORMAT binary)", sqlerr.FeatureNotSupported, "COPY (SUBSCRIBE …) in binary format is not supported", 43},
		{"COPY (SUBSCRIBE v TO STDOUT", sqlerr.SyntaxError, `syntax error at or near "TO"`, 19},
	}
	for _, c := range cases {
		_, err := ParseOne(c.in)
		e := sqlerr.From(err)
		if e == nil || e.Code != c.code || e.Message != c.msg || e.Position != c.pos {
			t.Errorf("%q: got %v (position %d), want %s %q at %d", c.in, err, positionOf(e), c.code, c.msg, c.pos)
		}
	}
}

func positionOf(e *sqlerr.Error) int {
	if e == nil {
		return -1
	}
	return e.Position
}

// TestSubscribeLeavesPostgresStatements checks DECLARE and COPY statements that are not about
// SUBSCRIBE still go to the PostgreSQL parser.
func TestSubscribeLeavesPostgresStatements(t *testing.T) {
	for _, q := range []string{"DECLARE c CURSOR FOR SELECT 1", "COPY t FROM STDIN", "COPY (SELECT 1) TO STDOUT"} {
		st, err := ParseOne(q)
		if err != nil {
			t.Fatalf("%q: %v", q, err)
		}
		if st.Runnel != nil || st.AST == nil {
			t.Errorf("%q: not parsed by PostgreSQL's parser (%T)", q, st.Runnel)
		}
	}
}

// FuzzSubscribe checks the SUBSCRIBE, DECLARE and COPY recognizers never panic or loop, position
// every error inside the statement, and return a Subscribe with a name when they accept one.
func FuzzSubscribe(f *testing.F) {
	for _, s := range []string{
		"SUBSCRIBE TO a.b WITH (SNAPSHOT = false, PROGRESS)", "SUBSCRIBE v WITH (snapshot 'on')",
		"DECLARE c BINARY CURSOR WITH HOLD FOR SUBSCRIBE v", "COPY (SUBSCRIBE v) TO STDOUT",
		"SUBSCRIBE (SELECT 1) AS OF 3", "DECLARE c CURSOR FOR SELECT 1",
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
			if e.Position < 1 && utf8.ValidString(text) || e.Position > utf8.RuneCountInString(text)+1 {
				t.Fatalf("%q: position %d out of range (%s)", text, e.Position, e.Message)
			}
			return
		}
		if sub, isSub := stmt.(*Subscribe); ok && isSub && (len(sub.Name) == 0 || sub.NamePos < 1) {
			t.Fatalf("%q: %+v", text, sub)
		}
	})
}
