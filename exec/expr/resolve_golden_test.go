package expr

import (
	"bufio"
	"os"
	"strings"
	"testing"

	"github.com/runnel-db/runnel/exec/sqlerr"
)

// TestResolutionGolden checks operator resolution for every pair of our types against
// testdata/pg_resolve.tsv: PostgreSQL 15's pg_typeof(a op b) for NULL::a op NULL::b, or the
// SQLSTATE it raises; an unknown operand is the literal '1'.
func TestResolutionGolden(t *testing.T) {
	f, err := os.Open("testdata/pg_resolve.tsv")
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	sc := bufio.NewScanner(f)
	arg := func(name string) Expr {
		if name == "unknown" {
			return lit("1")
		}
		return Null(typeNames[name])
	}
	for sc.Scan() {
		line := sc.Text()
		if strings.HasPrefix(line, "#") || line == "" {
			continue
		}
		fs := strings.Split(line, "\t")
		op, a, b, want := fs[0], fs[1], fs[2], fs[4]
		var e Expr
		if op == "u-" {
			e, err = Call("-", []Expr{arg(a)})
		} else {
			e, err = Call(op, []Expr{arg(a), arg(b)})
		}
		got := ""
		if err != nil {
			got = "ERROR " + sqlerr.Code(err)
		} else {
			got = e.Type().String()
		}
		if got != want {
			t.Errorf("%s %s %s: got %s, want %s", op, a, b, got, want)
		}
	}
}

// TestFunctionResolutionGolden checks function resolution against testdata/pg_functions.tsv:
// PostgreSQL 15's pg_typeof(f(args)) for NULL-typed or '1' (unknown) arguments.
func TestFunctionResolutionGolden(t *testing.T) {
	f, err := os.Open("testdata/pg_functions.tsv")
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	sc := bufio.NewScanner(f)
	for sc.Scan() {
		line := sc.Text()
		if strings.HasPrefix(line, "#") || line == "" {
			continue
		}
		fs := strings.Split(line, "\t")
		name, want := fs[0], fs[3]
		var args []Expr
		for _, tn := range strings.Split(fs[1], ",") {
			if tn == "unknown" {
				args = append(args, lit("1"))
			} else {
				args = append(args, Null(typeNames[tn]))
			}
		}
		if name == "extract" {
			args[0] = lit("year")
		}
		e, err := Call(name, args)
		got := ""
		if err != nil {
			got = "ERROR " + sqlerr.Code(err)
		} else {
			got = e.Type().String()
		}
		if got != want {
			t.Errorf("%s(%s): got %s, want %s", name, fs[1], got, want)
		}
	}
}
