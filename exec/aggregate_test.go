package exec

import (
	"math"
	"math/rand"
	"sort"
	"testing"

	"github.com/apache/arrow-go/v18/arrow/decimal128"

	"github.com/runnel-db/runnel/exec/expr"
	"github.com/runnel-db/runnel/exec/types"
	"github.com/runnel-db/runnel/exec/zset"
)

// aggTypes: g, v, n, f, b, s, i, iv
var aggTypes = []types.T{types.Int64T, types.Int64T, types.NumericT, types.Float64T, types.BoolT,
	types.TextT, types.Int32T, types.IntervalT}

func genAgg(rng *rand.Rand) []types.Datum {
	f := float64(rng.Intn(11) - 5)
	switch rng.Intn(25) {
	case 0:
		f = math.Inf(1)
	case 1:
		f = math.Inf(-1)
	case 2:
		f = math.NaN()
	}
	return []types.Datum{
		maybeNull(rng, int64(rng.Intn(3))),
		maybeNull(rng, int64(rng.Intn(9)-4)),
		maybeNull(rng, types.NumericValue{Coef: decimal128.FromI64(int64(rng.Intn(601) - 300)), Scale: int8(rng.Intn(3))}),
		maybeNull(rng, f),
		maybeNull(rng, rng.Intn(2) == 0),
		maybeNull(rng, []string{"x", "y", "zz", ""}[rng.Intn(4)]),
		maybeNull(rng, int64(rng.Intn(2000)-1000)),
		maybeNull(rng, types.IntervalValue{Months: int32(rng.Intn(3)), Days: int32(rng.Intn(30)), Micros: int64(rng.Intn(5)) * 3_600_000_000}),
	}
}

func agg(t *testing.T, name string, arg int, distinct bool, filter int) AggCall {
	var argTypes []types.T
	var at types.T
	if arg >= 0 {
		at = aggTypes[arg]
		argTypes = []types.T{at}
	}
	rt, err := ResolveAggregate(name, argTypes)
	if err != nil {
		t.Fatal(err)
	}
	return AggCall{Name: name, Arg: arg, ArgType: at, Distinct: distinct, Filter: filter, ResultType: rt}
}

// refAggregate computes call c over rows (each with multiplicity) the obvious way.
func refAggregate(t *testing.T, c AggCall, rows [][]types.Datum, ns []int64) types.Datum {
	if c.Name == "array_agg" {
		return refArrayAgg(c, rows, ns)
	}
	var vals []types.Datum
	var count int64
	seen := map[string]bool{}
	for i, row := range rows {
		if c.Filter >= 0 && row[c.Filter] != true {
			continue
		}
		for k := int64(0); k < ns[i]; k++ {
			if c.Arg < 0 {
				count++
				continue
			}
			v := row[c.Arg]
			if v == nil {
				continue
			}
			if c.Distinct {
				k := fmtDatum(v)
				if n, ok := v.(types.NumericValue); ok {
					k = n.Normalize().String() // DISTINCT uses =, under which 1.5 = 1.50
				}
				if seen[k] {
					continue
				}
				seen[k] = true
			}
			vals = append(vals, v)
			count++
		}
	}
	if c.Name == "count" {
		return count
	}
	if len(vals) == 0 {
		return nil
	}
	must := func(d types.Datum, err error) types.Datum {
		if err != nil {
			t.Fatal(err)
		}
		return d
	}
	switch c.Name {
	case "min", "max":
		best := vals[0]
		for _, v := range vals[1:] {
			cmp := zset.CompareDatum(v, best)
			if (c.Name == "min") == (cmp < 0) && cmp != 0 {
				best = v
			}
		}
		return best
	case "bool_and", "bool_or":
		res := c.Name == "bool_and"
		for _, v := range vals {
			if c.Name == "bool_and" {
				res = res && v.(bool)
			} else {
				res = res || v.(bool)
			}
		}
		return res
	}
	// sum / avg
	var sum types.Datum
	switch c.ArgType.Kind {
	case types.Int16, types.Int32, types.Int64:
		s := types.NumericFromInt64(0)
		for _, v := range vals {
			s = must(types.NumericAdd(s, types.NumericFromInt64(v.(int64)))).(types.NumericValue)
		}
		if c.Name == "avg" {
			return must(types.NumericDiv(s, types.NumericFromInt64(count)))
		}
		if c.ResultType.Kind == types.Int64 {
			return must(s.Int64())
		}
		return s
	case types.Numeric:
		s := types.NumericValue{}
		for _, v := range vals {
			s = must(types.NumericAdd(s, v.(types.NumericValue))).(types.NumericValue)
		}
		sum = s
		if c.Name == "avg" {
			return must(types.NumericDiv(s, types.NumericFromInt64(count)))
		}
	case types.Float64:
		s := 0.0
		for _, v := range vals {
			s += v.(float64)
		}
		if c.Name == "avg" {
			s /= float64(count)
		}
		sum = s
	case types.Interval:
		var s types.IntervalValue
		for _, v := range vals {
			s = must(types.IntervalAdd(s, v.(types.IntervalValue))).(types.IntervalValue)
		}
		sum = s
		if c.Name == "avg" {
			return must(types.IntervalDiv(s, float64(count)))
		}
	}
	return sum
}

func aggOracle(t *testing.T, groupBy []int, calls []AggCall, seeds int64, epochs int) {
	for seed := int64(1); seed <= seeds; seed++ {
		oracle(t, seed, epochs, func() Operator { return NewAggregate(aggTypes, groupBy, calls) },
			[][]types.T{aggTypes}, []func(*rand.Rand) []types.Datum{genAgg},
			func(rels []*relation) zmap {
				groups := map[string][]int{}
				var order []string
				var rows [][]types.Datum
				var ns []int64
				rels[0].each(func(row []types.Datum, n int64) {
					key := make([]types.Datum, len(groupBy))
					for i, g := range groupBy {
						key[i] = row[g]
					}
					k := fmtRow(key)
					if _, ok := groups[k]; !ok {
						order = append(order, k)
					}
					groups[k] = append(groups[k], len(rows))
					rows, ns = append(rows, row), append(ns, n)
				})
				if len(groupBy) == 0 && len(order) == 0 {
					order = append(order, "")
					groups[""] = nil
				}
				want := zmap{}
				for _, k := range order {
					var grows [][]types.Datum
					var gns []int64
					for _, i := range groups[k] {
						grows, gns = append(grows, rows[i]), append(gns, ns[i])
					}
					var out []types.Datum
					if len(grows) > 0 {
						for _, g := range groupBy {
							out = append(out, grows[0][g])
						}
					}
					for _, c := range calls {
						out = append(out, refAggregate(t, c, grows, gns))
					}
					want.add(out, 1)
				}
				return want
			})
	}
}

func TestAggregateOracle(t *testing.T) {
	calls := []AggCall{
		agg(t, "count", -1, false, -1), agg(t, "count", 1, false, -1), agg(t, "sum", 1, false, -1),
		agg(t, "avg", 1, false, -1), agg(t, "min", 1, false, -1), agg(t, "max", 1, false, -1),
		agg(t, "min", 5, false, -1), agg(t, "max", 5, false, -1), agg(t, "bool_and", 4, false, -1),
		agg(t, "bool_or", 4, false, -1), agg(t, "count", 1, true, -1), agg(t, "sum", 1, true, -1),
		agg(t, "sum", 1, false, 4), agg(t, "count", -1, false, 4), agg(t, "sum", 2, false, -1),
		agg(t, "avg", 2, false, -1), agg(t, "sum", 3, false, -1), agg(t, "avg", 3, false, -1),
		agg(t, "sum", 6, false, -1), agg(t, "max", 2, false, -1), agg(t, "min", 3, false, -1),
		agg(t, "sum", 7, false, -1), agg(t, "avg", 7, false, -1), agg(t, "max", 7, false, -1),
		agg(t, "avg", 2, true, 4), agg(t, "array_agg", 1, false, -1), agg(t, "array_agg", 5, false, 4),
		func() AggCall { c := agg(t, "array_agg", 6, false, -1); c.Desc = true; return c }(),
	}
	t.Run("group by", func(t *testing.T) { aggOracle(t, []int{0}, calls, 30, 40) })
	t.Run("group by two", func(t *testing.T) { aggOracle(t, []int{5, 4}, calls[:6], 20, 30) })
	t.Run("no group by", func(t *testing.T) { aggOracle(t, nil, calls, 30, 40) })
	// Without a count, a group's new row is often its old one (a smaller value under max): the
	// two must cancel, not both be emitted.
	unchanged := []AggCall{agg(t, "max", 1, false, -1), agg(t, "min", 5, false, -1), agg(t, "bool_or", 4, false, -1)}
	t.Run("group by, rows often unchanged", func(t *testing.T) { aggOracle(t, []int{0}, unchanged, 30, 40) })
	t.Run("no group by, rows often unchanged", func(t *testing.T) { aggOracle(t, nil, unchanged, 30, 40) })
}

func TestAggregateEmptyInputOneRow(t *testing.T) {
	mem := newMem(t)
	ctx := &expr.Context{Mem: mem}
	op := NewAggregate(aggTypes, nil, []AggCall{agg(t, "count", -1, false, -1), agg(t, "sum", 1, false, -1)})
	in := zset.Empty(mem, aggTypes)
	defer in.Release()
	out, err := op.Step(ctx, []zset.Batch{in})
	if err != nil {
		t.Fatal(err)
	}
	defer out.Release()
	if out.NumRows() != 1 || out.Weights()[0] != 1 {
		t.Fatalf("rows %d", out.NumRows())
	}
	if row := zset.RowAt(out.Cols(), 0); row[0] != int64(0) || row[1] != nil {
		t.Errorf("row = %v, want [0 NULL]", row)
	}
	out2, err := op.Step(ctx, []zset.Batch{in})
	if err != nil {
		t.Fatal(err)
	}
	defer out2.Release()
	if out2.NumRows() != 0 {
		t.Errorf("second empty epoch emitted %d rows", out2.NumRows())
	}
}

func TestResolveAggregate(t *testing.T) {
	cases := []struct {
		name string
		arg  types.T
		want types.T
		code string
	}{
		{"sum", types.Int32T, types.Int64T, ""},
		{"sum", types.Int64T, types.NumericT, ""},
		{"sum", types.Float32T, types.Float32T, ""},
		{"avg", types.Int16T, types.NumericT, ""},
		{"avg", types.Float32T, types.Float64T, ""},
		{"max", types.VarcharT, types.TextT, ""},
		{"max", types.BoolT, types.T{}, "42883"},
		{"sum", types.TextT, types.T{}, "42883"},
		{"every", types.BoolT, types.BoolT, ""},
	}
	for _, c := range cases {
		got, err := ResolveAggregate(c.name, []types.T{c.arg})
		if c.code != "" {
			if err == nil || sqlerrCode(err) != c.code {
				t.Errorf("%s(%s): err %v, want %s", c.name, c.arg, err, c.code)
			}
			continue
		}
		if err != nil || got != c.want {
			t.Errorf("%s(%s) = %v, %v; want %v", c.name, c.arg, got, err, c.want)
		}
	}
}

// refArrayAgg is array_agg(x ORDER BY x [DESC]): every value, NULLs included, NULLs last
// ascending and first descending; NULL over no rows.
func refArrayAgg(c AggCall, rows [][]types.Datum, ns []int64) types.Datum {
	var vals types.ArrayValue
	for i, row := range rows {
		if c.Filter >= 0 && row[c.Filter] != true {
			continue
		}
		for k := int64(0); k < ns[i]; k++ {
			vals = append(vals, row[c.Arg])
		}
	}
	if len(vals) == 0 {
		return nil
	}
	sort.SliceStable(vals, func(i, j int) bool {
		cmp := zset.CompareNullable(vals[i], vals[j], false)
		if c.Desc {
			return cmp > 0
		}
		return cmp < 0
	})
	return vals
}
