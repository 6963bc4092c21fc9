package expr

import (
	"bufio"
	"os"
	"strings"
	"testing"

	"github.com/runnel-db/runnel/exec/sqlerr"
	"github.com/runnel-db/runnel/exec/types"
)

// unsupportedResolutions are operator signatures PostgreSQL has and Runnel deliberately lacks
// (they fail with 42883 rather than resolving differently).
var unsupportedResolutions = map[string]string{}

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
		if got == want {
			continue
		}
		key := op + " " + a + " " + b
		if reason, ok := unsupportedResolutions[key]; ok && got == "ERROR 42883" {
			_ = reason
			continue
		}
		t.Errorf("%s: got %s, want %s", key, got, want)
	}
}
