package exec

import (
	"fmt"
	"strings"

	"github.com/apache/arrow-go/v18/arrow"

	"github.com/runnel-db/runnel/exec/expr"
	"github.com/runnel-db/runnel/exec/types"
	"github.com/runnel-db/runnel/exec/zset"
)

// aggregateOp is the incremental GROUP BY: group key → group id → accumulator slots. Each
// epoch it emits, for every group the delta touched, -old row and +new row (consolidation
// cancels the pair when the row did not change). Without GROUP BY there is exactly one group,
// present from the first epoch on even over empty input (count 0, other aggregates NULL).
// Non-linear; its state (group keys, row counts, accumulators) is what gets persisted.
type aggregateOp struct {
	inTypes  []types.T
	groupBy  []int
	aggs     []AggCall
	outTypes []types.T
	accs     []accumulator
	err      error // from construction, reported by Step

	groups  map[string]int32 // encoded group key → group id
	keyStr  []string         // group id → encoded key (to delete the map entry)
	keyVals [][]types.Datum  // group id → group-by values
	rows    []int64          // group id → number of input rows (weight sum)
	free    []int32          // reusable group ids
	stamp   []uint32         // group id → last epoch that touched it
	epoch   uint32
	started bool

	keys    [][]byte
	gids    []int32
	masked  []int64
	keyCols []arrow.Array
}

var _ Operator = (*aggregateOp)(nil)

// NewAggregate returns the incremental aggregation of rows of inTypes grouped by the groupBy
// columns. Its output columns are the group columns followed by one column per aggregate.
func NewAggregate(inTypes []types.T, groupBy []int, aggs []AggCall) Operator {
	a := &aggregateOp{inTypes: inTypes, groupBy: groupBy, aggs: aggs, groups: map[string]int32{}}
	for _, g := range groupBy {
		a.outTypes = append(a.outTypes, inTypes[g])
	}
	for _, c := range aggs {
		acc, err := newAccumulator(nil, c)
		if err != nil && a.err == nil {
			a.err = fmt.Errorf("aggregate %s: %w", c.Name, err)
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
		a.newGroup("", nil)
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

func (a *aggregateOp) newGroup(key string, vals []types.Datum) int32 {
	var g int32
	if n := len(a.free); n > 0 {
		g = a.free[n-1]
		a.free = a.free[:n-1]
		a.keyStr[g], a.keyVals[g], a.rows[g] = key, vals, 0
	} else {
		g = int32(len(a.rows))
		a.keyStr = append(a.keyStr, key)
		a.keyVals = append(a.keyVals, vals)
		a.rows = append(a.rows, 0)
		a.stamp = append(a.stamp, 0)
		for _, acc := range a.accs {
			acc.grow(len(a.rows))
		}
	}
	a.groups[key] = g
	return g
}

// emit appends group g's current output row with weight w, appending typed results directly
// where the accumulator can (no Datum boxing for count and sums).
func (a *aggregateOp) emit(out *zset.Builder, g int32, w int64) error {
	for c, d := range a.keyVals[g] {
		zset.AppendDatum(out.Col(c), d)
	}
	nk := len(a.groupBy)
	for i, acc := range a.accs {
		col := out.Col(nk + i)
		var err error
		if f, ok := acc.(resultAppender); ok {
			err = f.appendResult(col, g)
		} else {
			var d types.Datum
			if d, err = acc.result(g); err == nil {
				zset.AppendDatum(col, d)
			}
		}
		if err != nil {
			return fmt.Errorf("aggregate %s: %w", a.aggs[i].Name, err)
		}
	}
	out.AppendWeight(w)
	return nil
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
	n := b.NumRows()
	w := b.Weights()
	a.epoch++
	out := zset.NewBuilder(mem, a.outTypes)

	// Resolve group ids; snapshot the old output row of each group on first touch.
	a.gids = growTo(a.gids[:0], n)
	var touched []int32
	touch := func(g int32) error {
		if a.stamp[g] == a.epoch {
			return nil
		}
		a.stamp[g] = a.epoch
		touched = append(touched, g)
		if a.rows[g] > 0 || (len(a.groupBy) == 0 && a.started) {
			return a.emit(out, g, -1)
		}
		return nil
	}
	if len(a.groupBy) == 0 {
		if err := touch(0); err != nil {
			out.Release()
			return zset.Batch{}, err
		}
	} else {
		a.keyCols = a.keyCols[:0]
		for _, c := range a.groupBy {
			a.keyCols = append(a.keyCols, b.Col(c))
		}
		a.keys = zset.EncodeKeys(a.keys, a.keyCols, n)
		for i := 0; i < n; i++ {
			g, ok := a.groups[string(a.keys[i])]
			if !ok {
				vals := make([]types.Datum, len(a.keyCols))
				for c, col := range a.keyCols {
					vals[c] = zset.DatumAt(col, i)
				}
				g = a.newGroup(string(a.keys[i]), vals)
			}
			a.gids[i] = g
			if err := touch(g); err != nil {
				out.Release()
				return zset.Batch{}, err
			}
		}
	}
	a.started = true

	// Apply the delta.
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
			out.Release()
			return zset.Batch{}, fmt.Errorf("aggregate %s: %w", c.Name, err)
		}
	}

	// Emit the new rows; drop groups that became empty.
	for _, g := range touched {
		switch {
		case a.rows[g] > 0 || len(a.groupBy) == 0:
			if err := a.emit(out, g, 1); err != nil {
				out.Release()
				return zset.Batch{}, err
			}
		case a.rows[g] == 0:
			delete(a.groups, a.keyStr[g])
			for _, acc := range a.accs {
				acc.reset(g)
			}
			a.keyVals[g], a.keyStr[g] = nil, ""
			a.free = append(a.free, g)
		default:
			out.Release()
			return zset.Batch{}, internalf("aggregate: group has %d rows", a.rows[g])
		}
	}
	return zset.Consolidate(mem, out.Build()), nil
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
