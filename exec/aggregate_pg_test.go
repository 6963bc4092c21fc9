package exec

import (
	"testing"

	"github.com/apache/arrow-go/v18/arrow/decimal128"

	"github.com/runnel-db/runnel/exec/expr"
	"github.com/runnel-db/runnel/exec/types"
	"github.com/runnel-db/runnel/exec/zset"
)

// TestAggregatePostgresResults checks result values and display scales against outputs
// verified on PostgreSQL 15, including how a delete shrinks a numeric sum's scale.
func TestAggregatePostgresResults(t *testing.T) {
	mem := newMem(t)
	ctx := &expr.Context{Mem: mem}
	ts := []types.T{types.NumericT, types.Int32T, types.IntervalT}
	mk := func(name string, arg int) AggCall {
		rt, err := ResolveAggregate(name, []types.T{ts[arg]})
		if err != nil {
			t.Fatal(err)
		}
		return AggCall{Name: name, Arg: arg, ArgType: ts[arg], Filter: -1, ResultType: rt}
	}
	op := NewAggregate(ts, nil, []AggCall{mk("sum", 0), mk("avg", 0), mk("avg", 1), mk("sum", 2), mk("avg", 2)})
	step := func(rows ...[]types.Datum) []string {
		t.Helper()
		b := zset.NewBuilder(mem, ts)
		for _, r := range rows {
			b.AppendRow(r[:3], r[3].(int64))
		}
		in := b.Build()
		defer in.Release()
		out, err := op.Step(ctx, []zset.Batch{in})
		if err != nil {
			t.Fatal(err)
		}
		defer out.Release()
		for i, w := range out.Weights() {
			if w == 1 {
				row := zset.RowAt(out.Cols(), i)
				s := make([]string, len(row))
				for k, d := range row {
					if d == nil {
						s[k] = "NULL"
					} else {
						s[k] = types.FormatDatum(d, op.(*aggregateOp).outTypes[k], nil)
					}
				}
				return s
			}
		}
		t.Fatal("no new row")
		return nil
	}
	n := func(coef int64, scale int8) types.NumericValue {
		return types.NumericValue{Coef: decimal128.FromI64(coef), Scale: scale}
	}
	day := types.IntervalValue{Days: 1}
	twoH := types.IntervalValue{Micros: 2 * 3_600_000_000}
	mon := types.IntervalValue{Months: 1}
	check := func(got []string, want ...string) {
		t.Helper()
		for i := range want {
			if got[i] != want[i] {
				t.Errorf("column %d = %q, want %q", i, got[i], want[i])
			}
		}
	}
	check(step(), "NULL", "NULL", "NULL", "NULL", "NULL")
	check(step([]types.Datum{n(150, 2), int64(1), day, int64(1)}, []types.Datum{n(2, 0), int64(2), twoH, int64(1)},
		[]types.Datum{nil, nil, mon, int64(1)}),
		"3.50", "1.7500000000000000", "1.5000000000000000", "1 mon 1 day 02:00:00", "10 days 08:40:00")
	check(step([]types.Datum{n(150, 2), int64(1), day, int64(-1)}),
		"2", "2.0000000000000000", "2.0000000000000000")
	check(step([]types.Datum{n(1, 0), int64(2), nil, int64(2)}), "4", "1.3333333333333333", "2.0000000000000000")
}
