package exec

import (
	"testing"

	"github.com/runnel-db/runnel/exec/expr"
	"github.com/runnel-db/runnel/exec/types"
)

func TestOutputKey(t *testing.T) {
	in := []types.T{types.Int64T, types.Int64T}
	aggOut := []types.T{types.Int64T, types.Int64T}
	build := func(top func(g *Graph, agg NodeID) NodeID) *Graph {
		g := NewGraph()
		src := g.Input(1, in)
		agg := g.Add(NewAggregate(in, []int{0}, []AggCall{{Name: "count", Arg: -1, Filter: -1, ResultType: types.Int64T}}), aggOut, src)
		g.SetOutput(top(g, agg))
		return g
	}
	cases := []struct {
		name string
		top  func(g *Graph, agg NodeID) NodeID
		want bool
	}{
		{"aggregate", func(g *Graph, agg NodeID) NodeID { return agg }, true},
		{"reordering projection", func(g *Graph, agg NodeID) NodeID {
			return g.Add(NewProject([]expr.Expr{expr.Column(1, types.Int64T), expr.Column(0, types.Int64T)}), aggOut, agg)
		}, true},
		{"projection dropping the group key", func(g *Graph, agg NodeID) NodeID {
			return g.Add(NewProject([]expr.Expr{expr.Column(1, types.Int64T)}), aggOut[:1], agg)
		}, false},
		{"union all", func(g *Graph, agg NodeID) NodeID {
			return g.Add(NewUnion(2), aggOut, agg, agg)
		}, false},
		{"distinct over union", func(g *Graph, agg NodeID) NodeID {
			u := g.Add(NewUnion(2), aggOut, agg, agg)
			return g.Add(NewDistinct(aggOut), aggOut, u)
		}, true},
	}
	for _, c := range cases {
		if got := build(c.top).OutputIsSet(); got != c.want {
			t.Errorf("%s: OutputIsSet = %v, want %v", c.name, got, c.want)
		}
	}
	// The key follows the group column through a reordering projection.
	g := build(cases[1].top)
	if key, ok := g.OutputKey(); !ok || len(key) != 1 || key[0] != 1 {
		t.Errorf("reordering projection: OutputKey = %v, %v; want [1], true", key, ok)
	}
	// A projection that keeps the key but drops an aggregate is still keyed.
	g = build(func(g *Graph, agg NodeID) NodeID {
		return g.Add(NewProject([]expr.Expr{expr.Column(0, types.Int64T)}), aggOut[:1], agg)
	})
	if key, ok := g.OutputKey(); !ok || len(key) != 1 || key[0] != 0 {
		t.Errorf("key-only projection: OutputKey = %v, %v; want [0], true", key, ok)
	}
	g = NewGraph()
	g.SetOutput(g.Input(1, in))
	if g.OutputIsSet() {
		t.Error("a table input is not known to be a set")
	}
}

func TestInputFilter(t *testing.T) {
	in := []types.T{types.Int64T}
	pred := expr.Column(0, types.BoolT)
	g := NewGraph()
	src := g.Input(7, in)
	g.SetOutput(g.Add(NewFilter(pred), in, src))
	if got, ok := g.InputFilter(7); !ok || got != pred {
		t.Errorf("filtered input: got %v, %v", got, ok)
	}
	if _, ok := g.InputFilter(8); ok {
		t.Error("a relation the graph does not read has no filter")
	}
	g2 := NewGraph()
	s2 := g2.Input(7, in)
	f := g2.Add(NewFilter(pred), in, s2)
	g2.SetOutput(g2.Add(NewUnion(2), in, f, s2))
	if _, ok := g2.InputFilter(7); ok {
		t.Error("an input also read unfiltered must not report a filter")
	}
}
