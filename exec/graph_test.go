package exec

import (
	"math/rand"
	"testing"

	"github.com/runnel-db/runnel/exec/expr"
	"github.com/runnel-db/runnel/exec/types"
	"github.com/runnel-db/runnel/exec/zset"
)

var pairTypes = []types.T{types.Int64T, types.Int64T}

func genPair(rng *rand.Rand) []types.Datum {
	return []types.Datum{maybeNull(rng, int64(rng.Intn(5))), maybeNull(rng, int64(rng.Intn(5)))}
}

// TestGraphOracle runs Filter, Project, Union, Negate and Aggregate inside a Graph over two
// inputs and a constant, checking the view invariant against a direct evaluation.
func TestGraphOracle(t *testing.T) {
	for seed := int64(1); seed <= 30; seed++ {
		mem := newMem(t)
		ctx := &expr.Context{Mem: mem}
		rng := rand.New(rand.NewSource(seed))
		g := NewGraph()
		a := g.Input(10, pairTypes)
		b := g.Input(20, pairTypes)
		cb := zset.NewBuilder(mem, pairTypes)
		cb.Append(1, int64(0), int64(9))
		c := g.Const(cb.Build(), pairTypes)
		fa := g.Add(NewFilter(lessThan{0, 1}), pairTypes, a)
		pb := g.Add(NewProject([]expr.Expr{colRef{1, types.Int64T}, colRef{0, types.Int64T}}), pairTypes, b)
		u := g.Add(NewUnion(3), pairTypes, fa, pb, c)
		out := g.Add(NewAggregate(pairTypes, []int{0}, []AggCall{{Name: "count", Arg: -1, Filter: -1, ResultType: types.Int64T},
			{Name: "sum", Arg: 1, ArgType: types.Int64T, Filter: -1, ResultType: types.NumericT}}),
			[]types.T{types.Int64T, types.Int64T, types.NumericT}, u)
		g.SetOutput(out)
		if got, want := g.Explain(), `Aggregate group by #0: count(*), sum(#1)
  Union all (3 inputs)
    Filter (#0 < #1)
      Input 10
    Project #1, #0
      Input 20
    Values (1 rows)
`; got != want {
			t.Fatalf("Explain:\n%s\nwant:\n%s", got, want)
		}
		if ins := g.Inputs(); len(ins) != 2 || ins[0] != 10 || ins[1] != 20 {
			t.Fatalf("Inputs = %v", ins)
		}
		ra, rb := newRelation(), newRelation()
		view := zmap{}
		for e := 0; e < 25; e++ {
			da := randomDelta(rng, ra, func() []types.Datum { return genPair(rng) })
			db := randomDelta(rng, rb, func() []types.Datum { return genPair(rng) })
			ba, bb := da.batch(mem, pairTypes), db.batch(mem, pairTypes)
			deltas := map[uint64]zset.Batch{10: ba}
			if rng.Intn(2) == 0 {
				deltas[20] = bb
			} else {
				for i, row := range db.rows { // not fed this epoch: undo
					rb.apply(row, -db.ws[i])
				}
			}
			res, err := g.Step(ctx, deltas)
			ba.Release()
			bb.Release()
			if err != nil {
				t.Fatal(err)
			}
			view.addBatch(t, res)
			res.Release()

			// Reference: rows of a with x < y, plus swapped rows of b, plus (0, 9); grouped.
			type acc struct {
				n   int64
				sum int64
				nn  int64
				key types.Datum
			}
			groups := map[string]*acc{}
			add := func(row []types.Datum, w int64) {
				k := fmtDatum(row[0])
				if groups[k] == nil {
					groups[k] = &acc{key: row[0]}
				}
				groups[k].n += w
				if row[1] != nil {
					groups[k].sum += w * row[1].(int64)
					groups[k].nn += w
				}
			}
			ra.each(func(row []types.Datum, n int64) {
				if refLess(row, 0, 1) == true {
					add(row, n)
				}
			})
			rb.each(func(row []types.Datum, n int64) { add([]types.Datum{row[1], row[0]}, n) })
			add([]types.Datum{int64(0), int64(9)}, 1)
			want := zmap{}
			for _, a := range groups {
				if a.n == 0 {
					continue
				}
				var s types.Datum
				if a.nn != 0 {
					s = types.NumericFromInt64(a.sum)
				}
				want.add([]types.Datum{a.key, a.n, s}, 1)
			}
			if d := diffZ(view, want); d != "" {
				t.Fatalf("seed %d epoch %d:\n%s", seed, e, d)
			}
		}
	}
}

func TestNegateUnionCancel(t *testing.T) {
	mem := newMem(t)
	ctx := &expr.Context{Mem: mem}
	b := zset.NewBuilder(mem, pairTypes)
	b.Append(2, int64(1), nil)
	b.Append(-1, nil, int64(3))
	in := b.Build()
	defer in.Release()
	neg, err := NewNegate().Step(ctx, []zset.Batch{in})
	if err != nil {
		t.Fatal(err)
	}
	defer neg.Release()
	if w := neg.Weights(); len(w) != 2 || w[0] != -2 || w[1] != 1 {
		t.Fatalf("negated weights %v", w)
	}
	sum, err := NewUnion(2).Step(ctx, []zset.Batch{in, neg})
	if err != nil {
		t.Fatal(err)
	}
	defer sum.Release()
	if sum.NumRows() != 0 || sum.NumCols() != 2 {
		t.Errorf("a + (-a) has %d rows, %d cols", sum.NumRows(), sum.NumCols())
	}
}

func TestFilterNullIsFalse(t *testing.T) {
	mem := newMem(t)
	ctx := &expr.Context{Mem: mem}
	b := zset.NewBuilder(mem, pairTypes)
	b.Append(1, int64(1), int64(2))
	b.Append(1, nil, int64(2))
	b.Append(1, int64(3), int64(2))
	in := b.Build()
	defer in.Release()
	out, err := NewFilter(lessThan{0, 1}).Step(ctx, []zset.Batch{in})
	if err != nil {
		t.Fatal(err)
	}
	defer out.Release()
	if out.NumRows() != 1 || fmtRow(zset.RowAt(out.Cols(), 0)) != "int64:1|int64:2" {
		t.Errorf("filter kept %d rows", out.NumRows())
	}
}
