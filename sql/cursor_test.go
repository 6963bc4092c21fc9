package sql

import (
	"reflect"
	"testing"

	"github.com/runnel-db/runnel/exec/sqlerr"
)

func TestParseDeclareSubscribe(t *testing.T) {
	cases := []struct {
		in   string
		want DeclareSubscribe
	}{
		{"DECLARE c CURSOR FOR SUBSCRIBE v", DeclareSubscribe{Cursor: "c", Subscribe: &Subscribe{Name: []string{"v"}, NamePos: 32, Snapshot: true}}},
		{`DECLARE "Cur" BINARY NO SCROLL CURSOR WITH HOLD FOR SUBSCRIBE TO s.v WITH (SNAPSHOT = false)`,
			DeclareSubscribe{Cursor: "Cur", Binary: true, Hold: true, Subscribe: &Subscribe{Name: []string{"s", "v"}, NamePos: 66}}},
		{"declare c cursor without hold for subscribe v", DeclareSubscribe{Cursor: "c", Subscribe: &Subscribe{Name: []string{"v"}, NamePos: 45, Snapshot: true}}},
	}
	for _, c := range cases {
		st, err := ParseOne(c.in)
		if err != nil {
			t.Fatalf("%q: %v", c.in, err)
		}
		got, ok := st.Runnel.(*DeclareSubscribe)
		if !ok || !reflect.DeepEqual(*got, c.want) {
			t.Errorf("%q: got %#v (%#v), want %#v", c.in, st.Runnel, got.Subscribe, c.want)
		}
	}
}

func TestParseFetchWith(t *testing.T) {
	cases := []struct {
		in   string
		want Fetch
	}{
		{"FETCH 100 c WITH (timeout = '1s')", Fetch{Cursor: "c", Count: 100, Timeout: "1s", TimeoutPos: 29}},
		{"FETCH ALL FROM c WITH (TIMEOUT '0s')", Fetch{Cursor: "c", Count: -1, Timeout: "0s", TimeoutPos: 32}},
		{`FETCH FORWARD 3 IN "C" WITH (timeout = 0)`, Fetch{Cursor: "C", Count: 3, Timeout: "0", TimeoutPos: 40}},
		{"FETCH c WITH (timeout = '250ms')", Fetch{Cursor: "c", Count: 1, Timeout: "250ms", TimeoutPos: 25}},
	}
	for _, c := range cases {
		st, err := ParseOne(c.in)
		if err != nil {
			t.Fatalf("%q: %v", c.in, err)
		}
		got, ok := st.Runnel.(*Fetch)
		if !ok || *got != c.want {
			t.Errorf("%q: got %#v, want %#v", c.in, st.Runnel, c.want)
		}
	}
	errs := []struct {
		in, code string
		pos      int
	}{
		{"FETCH 1 c WITH (wait = '1s')", sqlerr.SyntaxError, 17},
		{"FETCH 1 c WITH timeout", sqlerr.SyntaxError, 16},
		{"FETCH BACKWARD 1 c WITH (timeout = '1s')", sqlerr.FeatureNotSupported, 7},
		{"FETCH 1 c x WITH (timeout = '1s')", sqlerr.SyntaxError, 11},
	}
	for _, c := range errs {
		_, err := ParseOne(c.in)
		if e := sqlerr.From(err); e == nil || e.Code != c.code || e.Position != c.pos {
			t.Errorf("%q: got %v at %d, want %s at %d", c.in, err, positionOf(e), c.code, c.pos)
		}
	}
	// Without WITH, FETCH, MOVE, CLOSE and DECLARE are PostgreSQL's.
	for _, q := range []string{"FETCH 2 FROM c", "FETCH ALL c", "MOVE 1 c", "CLOSE c", "CLOSE ALL", "DECLARE c CURSOR FOR SELECT 1"} {
		st, err := ParseOne(q)
		if err != nil || st.AST == nil || st.Runnel != nil {
			t.Errorf("%q: not PostgreSQL's (%v, %T)", q, err, st.Runnel)
		}
	}
}
