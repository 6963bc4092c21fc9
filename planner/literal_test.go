package planner

import (
	"strings"
	"testing"
	"time"

	"github.com/apache/arrow-go/v18/arrow/memory"

	"github.com/runnel-db/runnel/exec/expr"
	"github.com/runnel-db/runnel/exec/sqlerr"
	"github.com/runnel-db/runnel/exec/types"
	"github.com/runnel-db/runnel/sql"
)

// TestExecuteLiterals checks values and overflow of integer and float literals. Expected
// results verified against PostgreSQL 15.
func TestExecuteLiterals(t *testing.T) {
	for _, c := range []struct {
		sql, want, code string
	}{
		{"SELECT (-2147483648) * -1", "", sqlerr.NumericValueOutOfRange},
		{"SELECT -2147483648 - 1", "", sqlerr.NumericValueOutOfRange},
		{"SELECT 2147483648 * -1, -2147483647 - 1", "-2147483648|-2147483648", ""},
		{"SELECT 1e300::float8, (-1e300)::float8, 1e-320::float8, 0.1::float4, 3.4e38::float4, 1.0000001::real",
			"1e+300|-1e+300|1e-320|0.1|3.4e+38|1.0000001", ""},
		{"SELECT 123456789012345678901234567890123456789012::float8", "1.2345678901234568e+41", ""},
		{"SELECT 1e400::float8", "", sqlerr.NumericValueOutOfRange},
		{"SELECT 1e-400::float8", "", sqlerr.NumericValueOutOfRange},
	} {
		got, code := runLiteral(t, c.sql)
		if code != c.code || got != c.want {
			t.Errorf("%s: got %q (error %q), want %q (error %q)", c.sql, got, code, c.want, c.code)
		}
	}
}

// runLiteral plans and steps q, returning its single row or the SQLSTATE of its error.
func runLiteral(t *testing.T, q string) (string, string) {
	t.Helper()
	st, err := sql.ParseOne(q)
	if err != nil {
		t.Fatal(err)
	}
	plan, err := New(testCatalog()).PlanQuery(st, nil)
	if err != nil {
		return "", sqlerr.Code(err)
	}
	mem := memory.NewCheckedAllocator(memory.NewGoAllocator())
	defer mem.AssertSize(t, 0)
	out, err := plan.Graph.Step(&expr.Context{Mem: mem}, nil)
	if err != nil {
		return "", sqlerr.Code(err)
	}
	defer out.Release()
	ts := plan.Graph.OutputTypes()
	var rows []string
	for i := 0; i < out.NumRows(); i++ {
		var parts []string
		for j := range plan.Columns {
			parts = append(parts, types.FormatDatum(types.DatumAt(out.Col(j), i, ts[j]), ts[j], time.UTC))
		}
		rows = append(rows, strings.Join(parts, "|"))
	}
	return strings.Join(rows, ","), ""
}
