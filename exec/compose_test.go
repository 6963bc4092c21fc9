package exec

import (
	"math/rand"
	"sort"
	"testing"

	"github.com/runnel-db/runnel/exec/expr"
	"github.com/runnel-db/runnel/exec/types"
	"github.com/runnel-db/runnel/exec/zset"
)

// TestComposedOracle chains stateful operators in a Graph (full join → aggregate → top-N, and
// a distinct over the join) and checks the view invariant of the whole dataflow, so that
// each operator is also exercised on the deltas another one produces (retractions of
// aggregate rows, padding that comes and goes).
func TestComposedOracle(t *testing.T) {
	joinOut := append(append([]types.T{}, joinLeftTypes...), joinRightTypes...)
	aggOut := []types.T{types.TextT, types.Int64T, types.Int64T}
	keys := []zset.SortKey{{Col: 1, Desc: true, NullsFirst: true}}
	for seed := int64(1); seed <= 15; seed++ {
		mem := newMem(t)
		ctx := &expr.Context{Mem: mem}
		rng := rand.New(rand.NewSource(seed))
		g := NewGraph()
		l := g.Input(1, joinLeftTypes)
		r := g.Input(2, joinRightTypes)
		j := g.Add(NewJoin(FullJoin, joinLeftTypes, joinRightTypes, []int{0}, []int{0}, lessThan{1, 4}), joinOut, l, r)
		a := g.Add(NewAggregate(joinOut, []int{2}, []AggCall{
			{Name: "count", Arg: -1, Filter: -1, ResultType: types.Int64T},
			{Name: "max", Arg: 4, ArgType: types.Int64T, Filter: -1, ResultType: types.Int64T}}), aggOut, j)
		top := g.Add(NewTopN(aggOut, keys, 2, 0), aggOut, a)
		g.SetOutput(top)
		g2 := NewGraph()
		l2, r2 := g2.Input(1, joinLeftTypes), g2.Input(2, joinRightTypes)
		j2 := g2.Add(NewJoin(LeftJoin, joinLeftTypes, joinRightTypes, []int{0}, []int{0}, nil), joinOut, l2, r2)
		p2 := g2.Add(NewProject([]expr.Expr{colRef{0, types.Int64T}, colRef{4, types.Int64T}}), pairTypes, j2)
		g2.SetOutput(g2.Add(NewDistinct(pairTypes), pairTypes, p2))

		rels := []*relation{newRelation(), newRelation()}
		view, view2 := zmap{}, zmap{}
		for e := 0; e < 30; e++ {
			dl := randomDelta(rng, rels[0], func() []types.Datum { return genJoinLeft(rng) })
			dr := randomDelta(rng, rels[1], func() []types.Datum { return genJoinRight(rng) })
			bl, br := dl.batch(mem, joinLeftTypes), dr.batch(mem, joinRightTypes)
			in := map[uint64]zset.Batch{1: bl, 2: br}
			out, err := g.Step(ctx, in)
			if err != nil {
				t.Fatal(err)
			}
			view.addBatch(t, out)
			out.Release()
			out2, err := g2.Step(ctx, in)
			if err != nil {
				t.Fatal(err)
			}
			view2.addBatch(t, out2)
			out2.Release()
			bl.Release()
			br.Release()

			// Reference for g: group the full join's rows by the left text column.
			type grp struct {
				key types.Datum
				n   int64
				max types.Datum
			}
			groups := map[string]*grp{}
			joined := refJoin(FullJoin, true, true, rels)
			rows := rowsOf(joined, joinOut)
			for _, jr := range rows {
				k := fmtDatum(jr.row[2])
				if groups[k] == nil {
					groups[k] = &grp{key: jr.row[2]}
				}
				gr := groups[k]
				gr.n += jr.n
				if v := jr.row[4]; v != nil && (gr.max == nil || v.(int64) > gr.max.(int64)) {
					gr.max = v
				}
			}
			var all [][]types.Datum
			for _, gr := range groups {
				all = append(all, []types.Datum{gr.key, gr.n, gr.max})
			}
			sort.Slice(all, func(i, j int) bool { return refCompare(all[i], all[j], keys) < 0 })
			want := zmap{}
			for i, row := range all {
				if i < 2 {
					want.add(row, 1)
				}
			}
			if d := diffZ(view, want); d != "" {
				t.Fatalf("seed %d epoch %d: top-N over aggregate over full join:\n%s", seed, e, d)
			}
			// Reference for g2: distinct (left k, right v) of the left join.
			want2 := zmap{}
			for _, jr := range rowsOf(refJoin(LeftJoin, true, false, rels), joinOut) {
				row := []types.Datum{jr.row[0], jr.row[4]}
				if want2[fmtRow(row)] == 0 {
					want2.add(row, 1)
				}
			}
			if d := diffZ(view2, want2); d != "" {
				t.Fatalf("seed %d epoch %d: distinct over left join:\n%s", seed, e, d)
			}
		}
	}
}

type weightedRow struct {
	row []types.Datum
	n   int64
}

// rowsOf recovers rows from a reference zmap built by refJoin (which keeps the rows).
func rowsOf(z zmap, _ []types.T) []weightedRow {
	var out []weightedRow
	for k, n := range z {
		out = append(out, weightedRow{row: zmapRows[k], n: n})
	}
	return out
}
