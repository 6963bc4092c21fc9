package engine

import (
	"github.com/apache/arrow-go/v18/arrow"
	"github.com/apache/arrow-go/v18/arrow/array"

	"github.com/runnel-db/runnel/connectors/kafka"
	"github.com/runnel-db/runnel/exec"
	"github.com/runnel-db/runnel/exec/zset"
	"github.com/runnel-db/runnel/planner"
	"github.com/runnel-db/runnel/sql"
)

// Probing a chunk for the rows a view cannot compute.
//
// When a feed's epoch fails with a data error, committing the chunk in halves down to the failing
// rows (applyRowsSplitting) costs a failed epoch, and with it a rebuild of the view's state, per
// halving: slow when many rows are bad, and all of it under the write lock. Most such errors
// belong to a row alone (a division by zero, a failed cast), so the chunk is first run through
// fresh copies of the view's dataflow, which hold no state and commit nothing: blocks of rows in
// turn on one copy, and a block that fails is halved on new copies down to its failing rows. Only
// rows that fail on their own are reported; an error that needs the view's state or its other
// inputs is left to applyRowsSplitting.

// probeBlock is how many rows a probe steps at once; maxProbeGraphs bounds the dataflow copies one
// probe plans (each costs a planning), after which it gives up.
const (
	probeBlock     = 256
	maxProbeGraphs = 2048
)

type badRow struct {
	row int
	err error
}

// probeBadRows returns the rows of ch that f's view fails on by themselves, in order; nil when
// the consumer is not a view, or no row fails alone, or the probe gave up.
func (e *Engine) probeBadRows(f *feed, ch *kafka.Chunk) []badRow {
	if f.consumer.Kind != planner.MaterializedView {
		return nil
	}
	p := &probe{e: e, f: f, ch: ch}
	g := p.graph()
	for lo := 0; lo < chunkLen(ch) && g != nil; lo += probeBlock {
		hi := min(lo+probeBlock, chunkLen(ch))
		if err := p.step(g, lo, hi); err != nil {
			g.Release()
			if !isDataError(err) {
				return nil
			}
			p.bisect(lo, hi, err)
			g = p.graph() // g's state is undefined after the error
		}
	}
	if g != nil {
		g.Release()
	}
	if p.gaveUp {
		return nil
	}
	return p.bad
}

type probe struct {
	e      *Engine
	f      *feed
	ch     *kafka.Chunk
	query  *sql.Statement // the view's query, parsed once
	graphs int
	gaveUp bool
	bad    []badRow
}

// graph plans a fresh copy of the view's dataflow, or returns nil when the probe has planned too
// many.
func (p *probe) graph() *exec.Graph {
	if p.graphs >= maxProbeGraphs {
		p.gaveUp = true
		return nil
	}
	p.graphs++
	if p.query == nil {
		st, err := sql.ParseOne(p.f.consumer.Query)
		if err != nil {
			p.gaveUp = true
			return nil
		}
		p.query = &st
	}
	p.e.mu.RLock()
	q, err := p.e.planner().PlanView(*p.query, p.query.AST)
	p.e.mu.RUnlock()
	if err != nil {
		p.gaveUp = true
		return nil
	}
	return q.Graph
}

// step feeds rows [lo, hi) to g as the source's delta.
func (p *probe) step(g *exec.Graph, lo, hi int) error {
	cols := make([]arrow.Array, len(p.ch.Cols))
	for i, c := range p.ch.Cols {
		cols[i] = array.NewSlice(c, int64(lo), int64(hi))
	}
	b := onesBatch(p.e.mem, cols)
	for _, c := range cols {
		c.Release()
	}
	defer b.Release()
	out, err := g.Step(p.e.viewContext(p.f.consumer), map[uint64]zset.Batch{p.f.source.ID: b})
	if err == nil {
		out.Release()
	}
	return err
}

// bisect finds the failing rows of [lo, hi), which failed on a fresh copy with err: the halves
// are stepped in turn on one fresh copy, which is replaced only after a half fails.
func (p *probe) bisect(lo, hi int, err error) {
	if hi-lo == 1 {
		p.bad = append(p.bad, badRow{lo, err})
		return
	}
	mid := (lo + hi) / 2
	var g *exec.Graph
	for _, r := range [][2]int{{lo, mid}, {mid, hi}} {
		if g == nil {
			if g = p.graph(); g == nil {
				return
			}
		}
		if err := p.step(g, r[0], r[1]); err != nil {
			g.Release()
			g = nil
			if isDataError(err) {
				p.bisect(r[0], r[1], err)
			}
		}
	}
	if g != nil {
		g.Release()
	}
}
