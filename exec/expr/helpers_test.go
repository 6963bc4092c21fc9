package expr

import (
	"testing"
	"time"

	"github.com/apache/arrow-go/v18/arrow"
	"github.com/apache/arrow-go/v18/arrow/memory"

	"github.com/runnel-db/runnel/exec/sqlerr"
	"github.com/runnel-db/runnel/exec/types"
)

// testEnv is a checked allocator, a context and the batch's columns for one test.
type testEnv struct {
	t    *testing.T
	mem  *memory.CheckedAllocator
	ctx  *Context
	cols []arrow.Array
	n    int
}

func newEnv(t *testing.T) *testEnv {
	mem := memory.NewCheckedAllocator(memory.NewGoAllocator())
	env := &testEnv{t: t, mem: mem, ctx: &Context{Mem: mem, Location: time.UTC}}
	t.Cleanup(func() {
		for _, c := range env.cols {
			c.Release()
		}
		mem.AssertSize(t, 0)
	})
	return env
}

// col adds a column of Datums (nil = NULL) and returns the expression reading it.
func (env *testEnv) col(t types.T, vals ...types.Datum) Expr {
	if env.n == 0 {
		env.n = len(vals)
	}
	if len(vals) != env.n {
		env.t.Fatalf("column of %d rows in a batch of %d", len(vals), env.n)
	}
	env.cols = append(env.cols, types.MakeArray(env.mem, t, vals))
	return Column(len(env.cols)-1, t)
}

// textCol adds a column parsed from PostgreSQL text ("NULL" = NULL).
func (env *testEnv) textCol(t types.T, vals ...string) Expr {
	ds := make([]types.Datum, len(vals))
	for i, v := range vals {
		if v == "NULL" {
			continue
		}
		d, err := types.ParseText(v, t, time.UTC)
		if err != nil {
			env.t.Fatalf("parse %q: %v", v, err)
		}
		ds[i] = d
	}
	return env.col(t, ds...)
}

// eval evaluates e over the batch and renders each row as PostgreSQL text ("NULL" for NULL,
// booleans as true/false).
func (env *testEnv) eval(e Expr) []string {
	env.t.Helper()
	out, err := env.evalErr(e)
	if err != nil {
		env.t.Fatalf("%s: %v", e, err)
	}
	return out
}

func (env *testEnv) evalErr(e Expr) ([]string, error) {
	n := env.n
	if n == 0 {
		n = 1
	}
	arr, err := e.Eval(env.ctx, env.cols, n)
	if err != nil {
		return nil, err
	}
	defer arr.Release()
	if arr.Len() != n {
		env.t.Fatalf("%s: %d rows, want %d", e, arr.Len(), n)
	}
	if !arrow.TypeEqual(arr.DataType(), e.Type().ArrowType()) {
		env.t.Fatalf("%s: array type %s, expression type %s", e, arr.DataType(), e.Type())
	}
	out := make([]string, n)
	for i := range out {
		if arr.IsNull(i) {
			out[i] = "NULL"
			continue
		}
		out[i] = render(arr, i, e.Type())
	}
	return out, nil
}

// must returns a checker that fails the test on a constructor error: must(t)(Call(...)).
func must(t *testing.T) func(Expr, error) Expr {
	return func(e Expr, err error) Expr {
		t.Helper()
		if err != nil {
			t.Fatal(err)
		}
		return e
	}
}

func wantCode(t *testing.T, err error, code string) {
	t.Helper()
	if err == nil {
		t.Fatalf("no error, want SQLSTATE %s", code)
	}
	if got := sqlerr.Code(err); got != code {
		t.Fatalf("error %q has SQLSTATE %s, want %s", err, got, code)
	}
}

func eqStrings(t *testing.T, what string, got, want []string) {
	t.Helper()
	if len(got) != len(want) {
		t.Fatalf("%s: got %q, want %q", what, got, want)
	}
	for i := range got {
		if got[i] != want[i] {
			t.Fatalf("%s: got %q, want %q", what, got, want)
		}
	}
}

func lit(s string) Expr  { return Const(s, types.UnknownT) }
func int4c(v int64) Expr { return Const(v, types.Int32T) }
