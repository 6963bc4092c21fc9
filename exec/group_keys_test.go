package exec

import (
	"math"
	"math/rand"
	"strings"
	"testing"

	"github.com/apache/arrow-go/v18/arrow"
	"github.com/apache/arrow-go/v18/arrow/decimal128"

	"github.com/runnel-db/runnel/exec/expr"
	"github.com/runnel-db/runnel/exec/types"
	"github.com/runnel-db/runnel/exec/zset"
)

// keyTypes are the GROUP BY column types of the key-storage tests; the last column is the
// aggregated int64 value.
var keyTypes = []types.T{types.Int16T, types.Int32T, types.Int64T, {Kind: types.Date},
	{Kind: types.Timestamp}, {Kind: types.TimestampTZ}, types.Float32T, types.Float64T,
	types.NumericT, types.IntervalT, types.TextT, types.BoolT, types.Int64T}

func num(coef int64, scale int8) types.NumericValue {
	return types.NumericValue{Coef: decimal128.FromI64(coef), Scale: scale}
}

// genKeys draws values from small domains full of values that are equal under grouping
// equality but display differently: 0 and -0, NaNs of two bit patterns, 1.5 and 1.50,
// 1 day and 24 hours.
func genKeys(rng *rand.Rand) []types.Datum {
	floats := []float64{0, math.Copysign(0, -1), 1.5, math.NaN(),
		math.Float64frombits(0x7ff8000000000abc), math.Inf(1), -3}
	pick := func(ds ...types.Datum) types.Datum { return maybeNull(rng, ds[rng.Intn(len(ds))]) }
	day := types.IntervalValue{Days: 1}
	return []types.Datum{
		pick(int64(-1), int64(0), int64(math.MaxInt16)),
		pick(int64(7), int64(math.MinInt32), int64(0)),
		pick(int64(math.MinInt64), int64(42), int64(0)),
		pick(types.DateValue(0), types.DateValue(-5), types.DateValue(19000)),
		pick(types.TimestampValue(0), types.TimestampValue(1e12)),
		pick(types.TimestampValue(-1), types.TimestampValue(1e12)),
		pick(float64(float32(1.5)), 0.0, math.Copysign(0, -1), math.NaN()),
		pick(floats[0], floats[1], floats[2], floats[3], floats[4], floats[5], floats[6]),
		pick(num(15, 1), num(150, 2), num(0, 0), num(0, 3), num(-2, 0), num(-200, 2)),
		pick(day, types.IntervalValue{Micros: 86_400_000_000}, types.IntervalValue{Months: 1},
			types.IntervalValue{Days: 30}),
		pick("", "a", "bb", "a\x00b"),
		pick(true, false),
		maybeNull(rng, int64(rng.Intn(7)-3)),
	}
}

// refGroup is a group of the reference: its first-seen key values and counts.
type refGroup struct {
	key     []types.Datum
	n, nv   int64
	sum     int64
	touched bool
}

// groupOracle feeds random inserts and deletes of gen rows to `SELECT keys, count(*), count(v),
// sum(v) GROUP BY groupBy` (v the last column) and checks after every epoch that the
// accumulated output equals a reference that groups by zset.EncodeKeys keys and keeps, for
// each group, the key values of the first row that created it (in batch order).
func groupOracle(t *testing.T, ts []types.T, groupBy []int, gen func(*rand.Rand) []types.Datum,
	seed int64, epochs, maxChanges int) {
	t.Helper()
	mem := newMem(t)
	ctx := &expr.Context{Mem: mem}
	rng := rand.New(rand.NewSource(seed))
	v := len(ts) - 1
	calls := []AggCall{{Name: "count", Arg: -1, Filter: -1, ResultType: types.Int64T},
		{Name: "count", Arg: v, ArgType: ts[v], Filter: -1, ResultType: types.Int64T},
		{Name: "sum", Arg: v, ArgType: ts[v], Filter: -1, ResultType: types.NumericT}}
	op := NewAggregate(ts, groupBy, calls)
	rel := newRelation()
	ref := map[string]*refGroup{}
	got := zmap{}
	var keys [][]byte
	for e := 0; e < epochs; e++ {
		var d delta
		var live [][]types.Datum
		var ns []int64
		rel.each(func(row []types.Datum, n int64) { live, ns = append(live, row), append(ns, n) })
		if len(live) > 0 && rng.Intn(15) == 0 {
			d.rows, d.ws = live, ns
			for i := range ns {
				d.ws[i] = -ns[i]
			}
		} else {
			for k := rng.Intn(maxChanges + 1); k > 0; k-- {
				if p := rng.Intn(len(live) + 1); p < len(live) && rng.Intn(2) == 0 && ns[p] > 0 {
					w := -int64(1 + rng.Intn(int(ns[p])))
					ns[p] += w
					d.rows, d.ws = append(d.rows, live[p]), append(d.ws, w)
					continue
				}
				d.rows, d.ws = append(d.rows, gen(rng)), append(d.ws, int64(1+rng.Intn(2)))
			}
		}
		for i, row := range d.rows {
			rel.apply(row, d.ws[i])
		}
		in := d.batch(mem, ts)

		// Reference: group the consolidated batch the operator sees, in its row order.
		keyCols := make([]arrow.Array, len(groupBy))
		for c, g := range groupBy {
			keyCols[c] = in.Col(g)
		}
		keys = zset.EncodeKeys(keys, keyCols, in.NumRows())
		for i, w := range in.Weights() {
			row := zset.RowAt(in.Cols(), i)
			rg := ref[string(keys[i])]
			if rg == nil {
				rg = &refGroup{}
				for _, g := range groupBy {
					rg.key = append(rg.key, row[g])
				}
				ref[string(keys[i])] = rg
			}
			rg.n += w
			if row[v] != nil {
				rg.nv += w
				rg.sum += w * row[v].(int64)
			}
		}
		want := zmap{}
		for k, rg := range ref {
			if rg.n == 0 {
				delete(ref, k)
				continue
			}
			var sum types.Datum
			if rg.nv != 0 {
				sum = types.NumericFromInt64(rg.sum)
			}
			want.add(append(append([]types.Datum{}, rg.key...), rg.n, rg.nv, sum), 1)
		}

		out, err := op.Step(ctx, []zset.Batch{in})
		in.Release()
		if err != nil {
			t.Fatalf("seed %d epoch %d: %v", seed, e, err)
		}
		got.addBatch(t, out)
		out.Release()
		if diff := diffZ(got, want); diff != "" {
			t.Fatalf("seed %d epoch %d: %s: view differs from reference:\n%s", seed, e, op.Explain(), diff)
		}
	}
}

func TestAggregateGroupKeyTypes(t *testing.T) {
	for c := 0; c < len(keyTypes)-1; c++ {
		t.Run(keyTypes[c].String(), func(t *testing.T) {
			for seed := int64(1); seed <= 15; seed++ {
				groupOracle(t, keyTypes, []int{c}, genKeys, seed, 40, 10)
			}
		})
	}
	t.Run("numeric, text, float", func(t *testing.T) {
		for seed := int64(1); seed <= 15; seed++ {
			groupOracle(t, keyTypes, []int{8, 10, 7}, genKeys, seed, 40, 10)
		}
	})
	t.Run("all", func(t *testing.T) {
		all := make([]int, len(keyTypes)-1)
		for i := range all {
			all[i] = i
		}
		for seed := int64(1); seed <= 10; seed++ {
			groupOracle(t, keyTypes, all, genKeys, seed, 30, 10)
		}
	})
}

// TestAggregateGroupChurn creates and drops thousands of groups, so that the hash table grows
// and deletes (backward shifts) often, group ids are reused, and the text key arena is
// compacted.
func TestAggregateGroupChurn(t *testing.T) {
	ts := []types.T{types.Int64T, types.TextT, types.Int64T}
	long := strings.Repeat("x", 200)
	gen := func(rng *rand.Rand) []types.Datum {
		k := rng.Intn(3000)
		var s types.Datum = long[:k%200] + string(rune('a'+k%26))
		if k%97 == 0 {
			s = nil
		}
		return []types.Datum{int64(k), s, maybeNull(rng, int64(rng.Intn(100)))}
	}
	t.Run("int", func(t *testing.T) { groupOracle(t, ts, []int{0}, gen, 1, 60, 800) })
	t.Run("text", func(t *testing.T) { groupOracle(t, ts, []int{1}, gen, 2, 60, 800) })
	t.Run("both", func(t *testing.T) { groupOracle(t, ts, []int{1, 0}, gen, 3, 60, 800) })
}

// TestAggregateNumericKeyScale checks that a NUMERIC group shows its first value's scale,
// as PostgreSQL does (SELECT x FROM (VALUES (1.50), (1.5)) v(x) GROUP BY x → 1.50).
func TestAggregateNumericKeyScale(t *testing.T) {
	mem := newMem(t)
	ctx := &expr.Context{Mem: mem}
	ts := []types.T{types.NumericT}
	op := NewAggregate(ts, []int{0}, []AggCall{{Name: "count", Arg: -1, Filter: -1, ResultType: types.Int64T}})
	got := zmap{}
	for _, d := range []types.Datum{num(150, 2), num(15, 1)} {
		in := delta{rows: [][]types.Datum{{d}}, ws: []int64{1}}.batch(mem, ts)
		out, err := op.Step(ctx, []zset.Batch{in})
		in.Release()
		if err != nil {
			t.Fatal(err)
		}
		got.addBatch(t, out)
		out.Release()
	}
	want := zmap{}
	want.add([]types.Datum{num(150, 2), int64(2)}, 1)
	if diff := diffZ(got, want); diff != "" {
		t.Fatalf("view differs:\n%s", diff)
	}
}
