package exec

import (
	"fmt"
	"math/rand"
	"testing"

	"github.com/apache/arrow-go/v18/arrow"
	"github.com/apache/arrow-go/v18/arrow/array"
	"github.com/apache/arrow-go/v18/arrow/memory"

	"github.com/runnel-db/runnel/exec/expr"
	"github.com/runnel-db/runnel/exec/types"
	"github.com/runnel-db/runnel/exec/zset"
)

// usedColumnGraphs read input 1 (joinLeftTypes: int, int, text) in ways that need some of its
// columns, with the columns InputColumns must report.
var usedColumnGraphs = []struct {
	name  string
	build func(mem memory.Allocator) *Graph
	want  string
}{
	{"count-group-by-first", func(mem memory.Allocator) *Graph {
		g := NewGraph()
		in := g.Input(1, joinLeftTypes)
		p := g.Add(NewProject([]expr.Expr{expr.Column(0, types.Int64T)}), []types.T{types.Int64T}, in)
		g.SetOutput(g.Add(NewAggregate([]types.T{types.Int64T}, []int{0}, []AggCall{{Name: "count", Arg: -1, Filter: -1, ResultType: types.Int64T}}),
			[]types.T{types.Int64T, types.Int64T}, p))
		return g
	}, "[true false false]"},
	{"filter-then-project", func(mem memory.Allocator) *Graph {
		g := NewGraph()
		in := g.Input(1, joinLeftTypes)
		f := g.Add(NewFilter(lessThan{0, 1}), joinLeftTypes, in)
		g.SetOutput(g.Add(NewProject([]expr.Expr{colRef{2, types.TextT}}), []types.T{types.TextT}, f))
		return g
	}, "[true true true]"},
	{"global-count", func(mem memory.Allocator) *Graph {
		g := NewGraph()
		in := g.Input(1, joinLeftTypes)
		g.SetOutput(g.Add(NewAggregate(joinLeftTypes, nil, []AggCall{{Name: "count", Arg: -1, Filter: -1, ResultType: types.Int64T}}),
			[]types.T{types.Int64T}, in))
		return g
	}, "[false false false]"},
	{"union-negate-sum", func(mem memory.Allocator) *Graph {
		g := NewGraph()
		in := g.Input(1, joinLeftTypes)
		n := g.Add(NewNegate(), joinLeftTypes, in)
		u := g.Add(NewUnion(2), joinLeftTypes, in, n)
		u2 := g.Add(NewUnion(2), joinLeftTypes, u, in)
		g.SetOutput(g.Add(NewAggregate(joinLeftTypes, []int{2}, []AggCall{{Name: "sum", Arg: 1, ArgType: types.Int64T, Filter: -1, ResultType: types.NumericT}}),
			[]types.T{types.TextT, types.NumericT}, u2))
		return g
	}, "[false true true]"},
	{"join-needs-all", func(mem memory.Allocator) *Graph {
		return stateGraphs["join-aggregate-topn"](mem)
	}, "[true true true]"},
}

// TestInputColumns checks the columns InputColumns reports, and that feeding NULL in the others
// changes no output: over random epochs the graph fed the real rows and a copy fed the rows with
// unused columns NULL produce the same deltas.
func TestInputColumns(t *testing.T) {
	for _, c := range usedColumnGraphs {
		t.Run(c.name, func(t *testing.T) {
			mem := newMem(t)
			ctx := &expr.Context{Mem: mem}
			full, masked := c.build(mem), c.build(mem)
			defer full.Release()
			defer masked.Release()
			used := full.InputColumns(1)
			if fmt.Sprint(used) != c.want {
				t.Fatalf("InputColumns(1) = %v, want %s", used, c.want)
			}
			rng := rand.New(rand.NewSource(3))
			rels := []*relation{newRelation(), newRelation()}
			for e := 0; e < 30; e++ {
				dl := randomDelta(rng, rels[0], func() []types.Datum { return genJoinLeft(rng) })
				dr := randomDelta(rng, rels[1], func() []types.Datum { return genJoinRight(rng) })
				bl, br := dl.batch(mem, joinLeftTypes), dr.batch(mem, joinRightTypes)
				ml := maskColumns(mem, bl, used, joinLeftTypes)
				want, err := full.Step(ctx, map[uint64]zset.Batch{1: bl, 2: br})
				if err != nil {
					t.Fatal(err)
				}
				got, err := masked.Step(ctx, map[uint64]zset.Batch{1: ml, 2: br})
				if err != nil {
					t.Fatal(err)
				}
				wz, gz := zmap{}, zmap{}
				wz.addBatch(t, want)
				gz.addBatch(t, got)
				if d := diffZ(gz, wz); d != "" {
					t.Fatalf("epoch %d: masked input changes the output:\n%s", e, d)
				}
				for _, b := range []zset.Batch{want, got, bl, br, ml} {
					b.Release()
				}
			}
		})
	}
}

// maskColumns is b with the columns not in used replaced by NULL.
func maskColumns(mem memory.Allocator, b zset.Batch, used []bool, ts []types.T) zset.Batch {
	cols := make([]arrow.Array, len(ts))
	for i := range ts {
		if used[i] {
			cols[i] = b.Col(i)
			cols[i].Retain()
		} else {
			cols[i] = array.MakeArrayOfNull(mem, ts[i].ArrowType(), b.NumRows())
		}
	}
	out := zset.New(cols, b.WeightArray())
	for _, c := range cols {
		c.Release()
	}
	return out
}
