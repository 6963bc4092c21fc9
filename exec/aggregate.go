package exec

import (
	"fmt"
	"slices"
	"strings"

	"github.com/apache/arrow-go/v18/arrow"
	"github.com/apache/arrow-go/v18/arrow/array"
	"github.com/apache/arrow-go/v18/arrow/memory"

	"github.com/runnel-db/runnel/exec/expr"
	"github.com/runnel-db/runnel/exec/types"
	"github.com/runnel-db/runnel/exec/zset"
)

// aggregateOp is the incremental GROUP BY: group key → group id → accumulator slots. Group
// ids are dense (freed ids are reused) and everything per group lives in slices indexed by
// id, without pointers except in min/max and DISTINCT states: the key values in typed
// columns (keyColumn), the key hash and the hash → id table (groupTable; full keys are
// compared on a hash match, so a collision never merges groups), the row count, and each
// accumulator's slots (count(*), and count/sum over a column without NULLs, read the row
// count instead of keeping their own). Each epoch it emits, for every group the delta
// touched, -old row and +new row (consolidation cancels the pair when the row did not
// change). Without GROUP BY there is exactly one group, present from the first epoch on even
// over empty input (count 0, other aggregates NULL). Non-linear; its state (group keys, row
// counts, accumulators) is what gets persisted.
type aggregateOp struct {
	inTypes  []types.T
	groupBy  []int
	aggs     []AggCall
	outTypes []types.T
	accs     []accumulator
	err      error // from construction, reported by Step

	table   groupTable  // group key hash → group id
	keys    []keyColumn // per GROUP BY column: group id → value
	rows    []int64     // group id → number of input rows (weight sum)
	free    []int32     // reusable group ids
	stamp   []uint32    // group id → last epoch that touched it
	epoch   uint32
	started bool

	hashes  []uint64 // scratch, per input row
	gids    []int32  // scratch, per input row
	touched []int32  // scratch, groups of this epoch
	// retracted[k] is the output row retracting touched[k]'s old row, or -1 (scratch).
	retracted []int32
	emitted   []int32 // scratch, the groups whose rows apply emits
	// prefetched keeps prefetch's loads from being optimized away.
	prefetched uint64
	masked     []int64
	keyCols    []arrow.Array
}

var _ Operator = (*aggregateOp)(nil)

// NewAggregate returns the incremental aggregation of rows of inTypes grouped by the groupBy
// columns. Its output columns are the group columns followed by one column per aggregate.
func NewAggregate(inTypes []types.T, groupBy []int, aggs []AggCall) Operator {
	a := &aggregateOp{inTypes: inTypes, groupBy: groupBy, aggs: aggs}
	for _, g := range groupBy {
		a.outTypes = append(a.outTypes, inTypes[g])
		k, err := newKeyColumn(inTypes[g].ArrowType())
		if err != nil && a.err == nil {
			a.err = err
		}
		a.keys = append(a.keys, k)
	}
	for _, c := range aggs {
		acc, err := newAccumulator(nil, c)
		if err != nil && a.err == nil {
			a.err = fmt.Errorf("aggregate %s: %w", c.Name, err)
		}
		if rb, ok := acc.(rowsBinder); ok && !c.Distinct && c.Filter < 0 {
			rb.bindRows(&a.rows) // every input row reaches acc with its weight
		}
		a.accs = append(a.accs, acc)
		rt := c.ResultType
		if rt.Kind == types.Unknown && err == nil {
			var argTypes []types.T
			if c.Arg >= 0 {
				argTypes = []types.T{c.ArgType}
			}
			rt, _ = ResolveAggregate(c.Name, argTypes)
		}
		a.outTypes = append(a.outTypes, rt)
	}
	if len(groupBy) == 0 && a.err == nil {
		a.newGroup()
	}
	return a
}

func (a *aggregateOp) Explain() string {
	var parts []string
	for _, c := range a.aggs {
		arg := "*"
		if c.Arg >= 0 {
			arg = fmt.Sprintf("#%d", c.Arg)
			if c.Distinct {
				arg = "DISTINCT " + arg
			}
		}
		s := fmt.Sprintf("%s(%s)", c.Name, arg)
		if c.Filter >= 0 {
			s += fmt.Sprintf(" FILTER (#%d)", c.Filter)
		}
		parts = append(parts, s)
	}
	if len(a.groupBy) == 0 {
		return "Aggregate " + strings.Join(parts, ", ")
	}
	keys := make([]string, len(a.groupBy))
	for i, g := range a.groupBy {
		keys[i] = fmt.Sprintf("#%d", g)
	}
	return fmt.Sprintf("Aggregate group by %s: %s", strings.Join(keys, ", "), strings.Join(parts, ", "))
}

// newGroup returns a fresh group id with no rows (a freed one if any).
func (a *aggregateOp) newGroup() int32 {
	if n := len(a.free); n > 0 {
		g := a.free[n-1]
		a.free = a.free[:n-1]
		return g
	}
	g := int32(len(a.rows))
	a.rows = append(a.rows, 0)
	a.stamp = append(a.stamp, 0)
	for _, k := range a.keys {
		k.grow(len(a.rows))
	}
	for _, acc := range a.accs {
		acc.grow(len(a.rows))
	}
	return g
}

// lookup returns the group id of row i of the bound key columns, whose hash is h, creating the
// group if it is new.
func (a *aggregateOp) lookup(i int, h uint64) int32 {
	t := &a.table
	if len(t.slots) > 0 {
	probe:
		for pos := t.home(h); t.slots[pos] != 0; pos = t.next(pos) {
			g := t.slots[pos] - 1
			if t.hash[g] != h {
				continue
			}
			for _, k := range a.keys {
				if !k.equal(g, i) {
					continue probe
				}
			}
			return g
		}
	}
	g := a.newGroup()
	for _, k := range a.keys {
		k.set(g, i)
	}
	t.insert(g, h)
	return g
}

// dropGroup forgets group g, which has no rows left, and frees its id.
func (a *aggregateOp) dropGroup(g int32) {
	a.table.remove(g)
	for _, k := range a.keys {
		k.clear(g)
	}
	for _, acc := range a.accs {
		acc.reset(g)
	}
	a.free = append(a.free, g)
}

// emitGroups appends the current output rows of groups gs with weight w, column by column,
// appending typed results directly where the key store or accumulator can (no Datum boxing for
// integer keys, count and sums).
func (a *aggregateOp) emitGroups(out *zset.Builder, gs []int32, w int64) error {
	if len(gs) == 0 {
		return nil
	}
	for c, k := range a.keys {
		col := out.Col(c)
		if f, ok := k.(keysAppender); ok && f.appendAll(col, gs) {
			continue
		}
		for _, g := range gs {
			k.appendTo(col, g)
		}
	}
	nk := len(a.groupBy)
	for i, acc := range a.accs {
		col := out.Col(nk + i)
		var err error
		if f, ok := acc.(resultAppender); ok {
			for _, g := range gs {
				if err = f.appendResult(col, g); err != nil {
					break
				}
			}
		} else {
			for _, g := range gs {
				var d types.Datum
				if d, err = acc.result(g); err != nil {
					break
				}
				zset.AppendDatum(col, d)
			}
		}
		if err != nil {
			return fmt.Errorf("aggregate %s: %w", a.aggs[i].Name, err)
		}
	}
	out.AppendWeights(w, len(gs))
	return nil
}

// keysAppender is implemented by key stores that append many groups' keys in one loop; appendAll
// reports false when it cannot for builder b.
type keysAppender interface {
	appendAll(b array.Builder, gs []int32) bool
}

func (a *aggregateOp) Step(ctx *expr.Context, in []zset.Batch) (zset.Batch, error) {
	if err := checkArity("aggregate", in, 1); err != nil {
		return zset.Batch{}, err
	}
	if a.err != nil {
		return zset.Batch{}, a.err
	}
	mem := ctx.Allocator()
	b := in[0]
	a.epoch++
	if err := a.resolve(b); err != nil {
		return zset.Batch{}, err
	}
	out := zset.NewBuilder(mem, a.outTypes)
	if err := a.apply(mem, out, b); err != nil {
		out.Release()
		return zset.Batch{}, err
	}
	a.trimScratch()
	return a.consolidate(mem, out.Build()), nil
}

// consolidate drops the groups whose new row is identical to the row retracted, the only rows of
// an aggregate's output that can cancel (every other pair differs in the group key or is one
// group's old and new rows that differ). Comparing each group's two rows is cheaper than hashing
// the whole output. It takes ownership of b.
func (a *aggregateOp) consolidate(mem memory.Allocator, b zset.Batch) zset.Batch {
	cols := b.Cols()
	var keep []int32
	ins := int32(0) // the insertions follow the retractions, in the order of touched
	for _, r := range a.retracted {
		if r >= 0 {
			ins++
		}
	}
	for k, r := range a.retracted {
		g := a.touched[k]
		if a.rows[g] <= 0 && len(a.groupBy) > 0 {
			continue // dropped: no insertion
		}
		if r >= 0 && zset.RowsIdentical(cols, int(r), cols, int(ins)) {
			if keep == nil {
				keep = make([]int32, 0, b.NumRows())
				for i := int32(0); i < int32(b.NumRows()); i++ {
					keep = append(keep, i)
				}
			}
			keep[r], keep[ins] = -1, -1
		}
		ins++
	}
	if keep == nil {
		return b
	}
	keep = slices.DeleteFunc(keep, func(i int32) bool { return i < 0 })
	out := zset.Take(mem, b, keep, nil)
	b.Release()
	return out
}

// resolve sets a.gids to the group id of every row of b (creating new groups) and a.touched
// to the distinct groups in order of first appearance, stamped with the epoch.
func (a *aggregateOp) resolve(b zset.Batch) error {
	n := b.NumRows()
	a.gids = growTo(a.gids[:0], n)
	a.touched = a.touched[:0]
	if len(a.groupBy) == 0 {
		a.touched = append(a.touched, 0)
		return nil
	}
	a.keyCols = a.keyCols[:0]
	for c, k := range a.keys {
		col := b.Col(a.groupBy[c])
		a.keyCols = append(a.keyCols, col)
		if err := k.bind(col); err != nil {
			a.unbind()
			return err
		}
	}
	a.hashes = growTo(a.hashes[:0], n)
	zset.HashRows(a.keyCols, a.hashes)
	a.prefetch()
	for i, h := range a.hashes {
		g := a.lookup(i, h)
		a.gids[i] = g
		if a.stamp[g] != a.epoch {
			a.stamp[g] = a.epoch
			a.touched = append(a.touched, g)
		}
	}
	a.unbind()
	return nil
}

// prefetch reads, for every row's hash, the slot it lands in and the state of the group there,
// in passes of their own before the lookups that need them: with many groups each row's state is
// out of the caches, and loads that do not depend on each other are waited for together rather
// than one by one.
func (a *aggregateOp) prefetch() {
	t := &a.table
	if len(t.slots) == 0 {
		return
	}
	var sum uint64
	for _, h := range a.hashes {
		sum += uint64(t.slots[t.home(h)])
	}
	for _, h := range a.hashes {
		if s := t.slots[t.home(h)]; s != 0 {
			g := s - 1
			sum += t.hash[g] + uint64(a.rows[g]) + uint64(a.stamp[g])
		}
	}
	a.prefetched += sum
}

// apply emits the old row of every touched group, applies b to the state, then emits the new
// rows and drops the groups that became empty.
func (a *aggregateOp) apply(mem memory.Allocator, out *zset.Builder, b zset.Batch) error {
	for c := range a.outTypes {
		out.Col(c).Reserve(2 * len(a.touched))
	}
	a.retracted = growTo(a.retracted[:0], len(a.touched))
	emitted := a.emitted[:0]
	for k, g := range a.touched {
		a.retracted[k] = -1
		if a.rows[g] > 0 || (len(a.groupBy) == 0 && a.started) {
			a.retracted[k] = int32(len(emitted))
			emitted = append(emitted, g)
		}
	}
	if err := a.emitGroups(out, emitted, -1); err != nil {
		return err
	}
	a.started = true

	w := b.Weights()
	for i, g := range a.gids {
		a.rows[g] += w[i]
	}
	for k, acc := range a.accs {
		c := a.aggs[k]
		var col arrow.Array
		if c.Arg >= 0 {
			col = b.Col(c.Arg)
		}
		if d, ok := acc.(*distinctAcc); ok {
			d.mem = mem
		}
		ws := w
		if c.Filter >= 0 {
			ws = a.filterWeights(b.Col(c.Filter), w)
		}
		if err := acc.update(col, a.gids, ws); err != nil {
			return fmt.Errorf("aggregate %s: %w", c.Name, err)
		}
	}

	emitted = emitted[:0]
	for _, g := range a.touched {
		switch {
		case a.rows[g] > 0 || len(a.groupBy) == 0:
			emitted = append(emitted, g)
		case a.rows[g] < 0:
			return internalf("aggregate: group has %d rows", a.rows[g])
		}
	}
	a.emitted = emitted
	if err := a.emitGroups(out, emitted, 1); err != nil {
		return err
	}
	for _, g := range a.touched {
		if a.rows[g] == 0 && len(a.groupBy) > 0 {
			a.dropGroup(g)
		}
	}
	return nil
}

// maxKeptScratch is the largest batch (in rows) whose scratch buffers are kept for the next
// Step: a bulk load must not pin batch-sized buffers for the operator's lifetime.
const maxKeptScratch = 1 << 16

func (a *aggregateOp) trimScratch() {
	if cap(a.gids) > maxKeptScratch {
		a.gids, a.hashes, a.masked = nil, nil, nil
	}
	if cap(a.touched) > maxKeptScratch {
		a.touched, a.retracted, a.emitted = nil, nil, nil
	}
}

// unbind drops the key stores' references to the input batch.
func (a *aggregateOp) unbind() {
	for _, k := range a.keys {
		k.unbind()
	}
	clear(a.keyCols)
}

// filterWeights returns w with zero where the FILTER column is not true.
func (a *aggregateOp) filterWeights(col arrow.Array, w []int64) []int64 {
	a.masked = growTo(a.masked[:0], len(w))
	f := col.(interface{ Value(int) bool })
	for i := range w {
		if col.IsValid(i) && f.Value(i) {
			a.masked[i] = w[i]
		} else {
			a.masked[i] = 0
		}
	}
	return a.masked
}

// stateColumns: the group columns, the aggregated columns and the FILTER columns.
func (a *aggregateOp) stateColumns(input int) []bool {
	used := make([]bool, len(a.inTypes))
	for _, g := range a.groupBy {
		used[g] = true
	}
	for _, c := range a.aggs {
		if c.Arg >= 0 {
			used[c.Arg] = true
		}
		if c.Filter >= 0 {
			used[c.Filter] = true
		}
	}
	return used
}
