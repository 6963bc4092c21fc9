package exec

import (
	"fmt"
	"math/rand"
	"testing"

	"github.com/apache/arrow-go/v18/arrow/memory"

	"github.com/runnel-db/runnel/exec/expr"
	"github.com/runnel-db/runnel/exec/types"
	"github.com/runnel-db/runnel/exec/zset"
)

// stateGraphs are graph shapes covering every stateful operator, over inputs 1 (joinLeftTypes)
// and 2 (joinRightTypes).
var stateGraphs = map[string]func(mem memory.Allocator) *Graph{
	"join-aggregate-topn": func(mem memory.Allocator) *Graph {
		joinOut := append(append([]types.T{}, joinLeftTypes...), joinRightTypes...)
		aggOut := []types.T{types.TextT, types.Int64T, types.Int64T}
		g := NewGraph()
		l, r := g.Input(1, joinLeftTypes), g.Input(2, joinRightTypes)
		j := g.Add(NewJoin(FullJoin, joinLeftTypes, joinRightTypes, []int{0}, []int{0}, lessThan{1, 4}), joinOut, l, r)
		a := g.Add(NewAggregate(joinOut, []int{2}, []AggCall{
			{Name: "count", Arg: -1, Filter: -1, ResultType: types.Int64T},
			{Name: "max", Arg: 4, ArgType: types.Int64T, Filter: -1, ResultType: types.Int64T}}), aggOut, j)
		g.SetOutput(g.Add(NewTopN(aggOut, []zset.SortKey{{Col: 1, Desc: true, NullsFirst: true}}, 2, 0), aggOut, a))
		return g
	},
	"global-aggregate-cross-values": func(mem memory.Allocator) *Graph {
		g := NewGraph()
		l := g.Input(1, joinLeftTypes)
		aggOut := []types.T{types.Int64T, types.NumericT}
		a := g.Add(NewAggregate(joinLeftTypes, nil, []AggCall{
			{Name: "count", Arg: -1, Filter: -1, ResultType: types.Int64T},
			{Name: "sum", Arg: 1, ArgType: types.Int64T, Filter: -1, ResultType: types.NumericT}}), aggOut, l)
		vb := zset.NewBuilder(mem, []types.T{types.Int64T})
		vb.Append(1, int64(7))
		vb.Append(1, int64(8))
		c := g.Const(vb.Build(), []types.T{types.Int64T})
		out := append(append([]types.T{}, aggOut...), types.Int64T)
		g.SetOutput(g.Add(NewJoin(InnerJoin, aggOut, []types.T{types.Int64T}, nil, nil, nil), out, a, c))
		return g
	},
	"window": func(mem memory.Allocator) *Graph {
		g := NewGraph()
		l := g.Input(1, joinLeftTypes)
		out := append(append([]types.T{}, joinLeftTypes...), types.Int64T, types.NumericT)
		g.SetOutput(g.Add(NewWindow(joinLeftTypes, []int{2}, []zset.SortKey{{Col: 0}}, []WindowFunc{
			{Name: "row_number", ResultType: types.Int64T},
			{Name: "sum", Args: []int{1}, Frame: DefaultFrame, ResultType: types.NumericT}}), out, l))
		return g
	},
	"distinct-except-leftjoin": func(mem memory.Allocator) *Graph {
		g := NewGraph()
		l, r := g.Input(1, joinLeftTypes), g.Input(2, joinRightTypes)
		p := g.Add(NewProject([]expr.Expr{colRef{0, types.Int64T}, colRef{1, types.Int64T}}), pairTypes, l)
		d := g.Add(NewDistinct(pairTypes), pairTypes, p)
		x := g.Add(NewSetOp(ExceptAll, pairTypes), pairTypes, d, r)
		g.SetOutput(g.Add(NewJoin(LeftJoin, pairTypes, joinRightTypes, []int{1}, []int{0}, nil),
			append(append([]types.T{}, pairTypes...), joinRightTypes...), x, r))
		return g
	},
}

// TestRestoreState runs a graph over random epochs while recording its state, restores a fresh
// copy of the graph from the recorded state at a random epoch, and checks that from then on both
// produce the same output, epoch by epoch.
func TestRestoreState(t *testing.T) {
	for name, build := range stateGraphs {
		for seed := int64(1); seed <= 12; seed++ {
			t.Run(fmt.Sprintf("%s/seed=%d", name, seed), func(t *testing.T) {
				mem := newMem(t)
				ctx := &expr.Context{Mem: mem}
				rng := rand.New(rand.NewSource(seed))
				g := build(mem)
				defer g.Release()
				slots := g.StateSlots()
				stored := make([]zset.Batch, len(slots))
				defer func() {
					for _, b := range stored {
						b.Release()
					}
				}()
				g.RecordState(func(s int, d zset.Batch) error {
					d.Retain()
					if stored[s].Record() == nil {
						stored[s] = d
						return nil
					}
					merged := zset.Consolidate(mem, zset.Concat(mem, []zset.Batch{stored[s], d}))
					stored[s].Release()
					d.Release()
					stored[s] = merged
					return nil
				})
				rels := []*relation{newRelation(), newRelation()}
				restoreAt := 1 + rng.Intn(20) // the engine restores only graphs that ran at least once (the backfill)
				var restored *Graph
				for e := 0; e < 30; e++ {
					if e == restoreAt {
						restored = build(mem)
						snapshot := make([]zset.Batch, len(stored))
						copy(snapshot, stored)
						if err := restored.RestoreState(ctx, snapshot); err != nil {
							t.Fatal(err)
						}
					}
					dl := randomDelta(rng, rels[0], func() []types.Datum { return genJoinLeft(rng) })
					dr := randomDelta(rng, rels[1], func() []types.Datum { return genJoinRight(rng) })
					bl, br := dl.batch(mem, joinLeftTypes), dr.batch(mem, joinRightTypes)
					in := map[uint64]zset.Batch{1: bl, 2: br}
					out, err := g.Step(ctx, in)
					if err != nil {
						t.Fatal(err)
					}
					want := zmap{}
					want.addBatch(t, out)
					out.Release()
					if restored != nil {
						out2, err := restored.Step(ctx, in)
						if err != nil {
							t.Fatal(err)
						}
						got := zmap{}
						got.addBatch(t, out2)
						out2.Release()
						if d := diffZ(got, want); d != "" {
							t.Fatalf("epoch %d (restored at %d): restored graph's delta differs:\n%s", e, restoreAt, d)
						}
					}
					bl.Release()
					br.Release()
				}
			})
		}
	}
}

// TestStateProjection checks that an aggregate's state slot stores only the columns it uses:
// count(*) GROUP BY k over rows that differ elsewhere records one row per k.
func TestStateProjection(t *testing.T) {
	mem := newMem(t)
	ctx := &expr.Context{Mem: mem}
	g := NewGraph()
	in := g.Input(1, pairTypes)
	g.SetOutput(g.Add(NewAggregate(pairTypes, []int{0}, []AggCall{{Name: "count", Arg: -1, Filter: -1, ResultType: types.Int64T}}),
		[]types.T{types.Int64T, types.Int64T}, in))
	slots := g.StateSlots()
	if len(slots) != 1 || !slots[0].Used[0] || slots[0].Used[1] {
		t.Fatalf("slots = %+v, want one slot using column 0 only", slots)
	}
	var recorded zmap
	g.RecordState(func(s int, d zset.Batch) error {
		recorded = zmap{}
		recorded.addBatch(t, d)
		return nil
	})
	b := zset.NewBuilder(mem, pairTypes)
	for i := 0; i < 100; i++ {
		b.Append(1, int64(i%3), int64(i))
	}
	delta := b.Build()
	defer delta.Release()
	out, err := g.Step(ctx, map[uint64]zset.Batch{1: delta})
	if err != nil {
		t.Fatal(err)
	}
	out.Release()
	want := zmap{}
	want.add([]types.Datum{int64(0), nil}, 34)
	want.add([]types.Datum{int64(1), nil}, 33)
	want.add([]types.Datum{int64(2), nil}, 33)
	if d := diffZ(recorded, want); d != "" {
		t.Fatalf("recorded state differs:\n%s", d)
	}
}
