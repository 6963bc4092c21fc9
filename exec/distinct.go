package exec

import (
	"github.com/runnel-db/runnel/exec/expr"
	"github.com/runnel-db/runnel/exec/types"
	"github.com/runnel-db/runnel/exec/zset"
)

// distinctOp is the incremental DISTINCT: it keeps every row's total multiplicity and emits +1
// when a row's multiplicity becomes positive and -1 when it stops being positive. Non-linear;
// its state (row key → multiplicity) is what gets persisted per epoch.
type distinctOp struct {
	colTypes []types.T
	counts   map[string]int64
	keys     [][]byte
}

var _ Operator = (*distinctOp)(nil)

// NewDistinct returns the incremental DISTINCT over rows of colTypes.
func NewDistinct(colTypes []types.T) Operator {
	return &distinctOp{colTypes: colTypes, counts: map[string]int64{}}
}

func (d *distinctOp) Explain() string { return "Distinct" }

func (d *distinctOp) Step(ctx *expr.Context, in []zset.Batch) (zset.Batch, error) {
	if err := checkArity("distinct", in, 1); err != nil {
		return zset.Batch{}, err
	}
	b := in[0]
	n := b.NumRows()
	d.keys = zset.EncodeKeys(d.keys, b.Cols(), n)
	var idx []int32
	var ws []int64
	for i, w := range b.Weights() {
		k := d.keys[i]
		old := d.counts[string(k)]
		nw := old + w
		if nw == 0 {
			delete(d.counts, string(k))
		} else {
			d.counts[string(k)] = nw
		}
		if dw := positive(nw) - positive(old); dw != 0 {
			idx = append(idx, int32(i))
			ws = append(ws, dw)
		}
	}
	if len(idx) == 0 {
		return zset.Empty(ctx.Allocator(), d.colTypes), nil
	}
	return zset.Take(ctx.Allocator(), b, idx, ws), nil
}

// positive is 1 for a positive multiplicity, else 0: the multiplicity of a row in a set.
func positive(x int64) int64 {
	if x > 0 {
		return 1
	}
	return 0
}

func (d *distinctOp) stateColumns(input int) []bool { return allColumns(len(d.colTypes)) }
