package exec

import (
	"fmt"
	"strings"
	"time"

	"github.com/runnel-db/runnel/exec/expr"
	"github.com/runnel-db/runnel/exec/types"
	"github.com/runnel-db/runnel/exec/zset"
)

// NodeID names a node of a Graph.
type NodeID int

type nodeKind int

const (
	inputNode nodeKind = iota
	constNode
	opNode
)

type node struct {
	kind     nodeKind
	op       Operator
	inputs   []NodeID
	colTypes []types.T
	relID    uint64
	constB   zset.Batch
	constN   int  // rows of constB, for Explain
	done     bool // const node already emitted
	stats    nodeStats
}

// Graph is a dataflow of operators. Nodes are added inputs first, so node order is a
// topological order; Step runs every node once per epoch in that order.
type Graph struct {
	nodes  []*node
	output NodeID
	// stepped is set after the first Step: from then on a node whose inputs are all empty is
	// skipped (every operator maps no change to no change once it has run).
	stepped bool
	// inputs caches Inputs once inputsKnown.
	inputs      []uint64
	inputsKnown bool
	// slots caches StateSlots once slotsKnown; record (RecordState) is told of their deltas.
	slots      []StateSlot
	slotsKnown bool
	record     func(slot int, delta zset.Batch) error
}

// NewGraph returns an empty graph.
func NewGraph() *Graph { return &Graph{output: -1} }

// Input adds a node fed by the engine each epoch with the delta of relation relID.
func (g *Graph) Input(relID uint64, colTypes []types.T) NodeID {
	g.inputs, g.inputsKnown = nil, false
	g.nodes = append(g.nodes, &node{kind: inputNode, relID: relID, colTypes: colTypes})
	return NodeID(len(g.nodes) - 1)
}

// Const adds a node that emits b on the first Step and nothing afterwards. It takes ownership
// of b (the zero Batch means no rows).
func (g *Graph) Const(b zset.Batch, colTypes []types.T) NodeID {
	g.nodes = append(g.nodes, &node{kind: constNode, constB: b, constN: b.NumRows(), colTypes: colTypes})
	return NodeID(len(g.nodes) - 1)
}

// Add adds operator op over inputs (existing nodes); colTypes are op's output column types.
func (g *Graph) Add(op Operator, colTypes []types.T, inputs ...NodeID) NodeID {
	g.slots, g.slotsKnown = nil, false
	g.nodes = append(g.nodes, &node{kind: opNode, op: op, inputs: inputs, colTypes: colTypes})
	return NodeID(len(g.nodes) - 1)
}

// SetOutput makes n the node whose delta Step returns.
func (g *Graph) SetOutput(n NodeID) { g.output = n }

// OutputTypes are the column types of the output node.
func (g *Graph) OutputTypes() []types.T {
	if g.output < 0 {
		return nil
	}
	return g.nodes[g.output].colTypes
}

// Inputs lists the relation ids of the input nodes, in the order they were added.
func (g *Graph) Inputs() []uint64 {
	if !g.inputsKnown {
		for _, n := range g.nodes {
			if n.kind == inputNode {
				g.inputs = append(g.inputs, n.relID)
			}
		}
		g.inputsKnown = true
	}
	return g.inputs
}

// Step runs one epoch: deltas maps relation ids to their deltas (borrowed; absent means no
// change; they need not be consolidated). It returns the output node's consolidated delta,
// which the caller releases. Every node runs once, in topological order. An error leaves the
// stateful operators in an undefined state: the caller must discard the graph.
func (g *Graph) Step(ctx *expr.Context, deltas map[uint64]zset.Batch) (result zset.Batch, err error) {
	if g.output < 0 {
		return zset.Batch{}, internalf("graph has no output node")
	}
	mem := ctx.Allocator()
	outs := make([]zset.Batch, len(g.nodes))
	defer func() {
		for i, b := range outs {
			if NodeID(i) != g.output || err != nil {
				b.Release()
			}
		}
	}()
	for i, n := range g.nodes {
		switch n.kind {
		case inputNode:
			d, ok := deltas[n.relID]
			if !ok || d.Record() == nil {
				outs[i] = zset.Empty(mem, n.colTypes)
				continue
			}
			if d.NumCols() != len(n.colTypes) {
				return zset.Batch{}, internalf("input %d: delta has %d columns, want %d", n.relID, d.NumCols(), len(n.colTypes))
			}
			d.Retain()
			outs[i] = zset.Consolidate(mem, d)
		case constNode:
			if n.done || n.constB.Record() == nil {
				outs[i] = zset.Empty(mem, n.colTypes)
				continue
			}
			n.done = true
			outs[i] = zset.Consolidate(mem, n.constB)
			n.constB = zset.Batch{}
		case opNode:
			if err := ctx.Err(); err != nil {
				return zset.Batch{}, err
			}
			in := make([]zset.Batch, len(n.inputs))
			changed := !g.stepped
			for k, id := range n.inputs {
				in[k] = outs[id]
				changed = changed || !in[k].Empty()
			}
			if !changed {
				outs[i] = zset.Empty(mem, n.colTypes)
				continue
			}
			if g.record != nil {
				if err := g.recordSlots(mem, NodeID(i), in); err != nil {
					return zset.Batch{}, err
				}
			}
			start := time.Now()
			b, err := n.op.Step(ctx, in)
			if err != nil {
				return zset.Batch{}, err
			}
			outs[i] = b
			n.stats.record(n.op, in, b, time.Since(start))
			if checkInvariants && !zset.IsConsolidated(b) {
				return zset.Batch{}, internalf("%s: output not consolidated", n.op.Explain())
			}
		}
	}
	g.stepped = true
	return outs[g.output], nil
}

// Release drops the constant batches not yet emitted. A graph that was stepped at least once
// holds none; Release is for graphs discarded unrun (e.g. after a planning error).
func (g *Graph) Release() {
	for _, n := range g.nodes {
		if n.kind == constNode && !n.done {
			n.constB.Release()
			n.constB, n.done = zset.Batch{}, true
		}
	}
}

// Explain renders the graph from its output as an indented tree: one line per node, inputs
// indented two spaces under their consumer.
func (g *Graph) Explain() string {
	var sb strings.Builder
	var walk func(id NodeID, depth int)
	walk = func(id NodeID, depth int) {
		n := g.nodes[id]
		sb.WriteString(strings.Repeat("  ", depth))
		switch n.kind {
		case inputNode:
			fmt.Fprintf(&sb, "Input %d\n", n.relID)
		case constNode:
			fmt.Fprintf(&sb, "Values (%d rows)\n", n.constN)
		default:
			sb.WriteString(n.op.Explain())
			sb.WriteByte('\n')
			for _, in := range n.inputs {
				walk(in, depth+1)
			}
		}
	}
	if g.output >= 0 {
		walk(g.output, 0)
	}
	return sb.String()
}
