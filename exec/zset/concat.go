package zset

import (
	"github.com/apache/arrow-go/v18/arrow"
	"github.com/apache/arrow-go/v18/arrow/array"
	"github.com/apache/arrow-go/v18/arrow/memory"

	"github.com/runnel-db/runnel/exec/types"
)

// Empty returns a zero-row batch with columns of colTypes.
func Empty(mem memory.Allocator, colTypes []types.T) Batch {
	return NewBuilder(mem, colTypes).Build()
}

// Concat returns the rows of all bs in order (not consolidated). Batches without a schema (the
// zero Batch) are skipped; all others must have the same column types. Borrows bs. With no
// non-zero batch it returns the zero Batch.
func Concat(mem memory.Allocator, bs []Batch) Batch {
	var live []Batch
	for _, b := range bs {
		if b.rec != nil {
			live = append(live, b)
		}
	}
	switch len(live) {
	case 0:
		return Batch{}
	case 1:
		live[0].Retain()
		return live[0]
	}
	ncols := int(live[0].rec.NumCols())
	all := make([]arrow.Array, ncols)
	parts := make([]arrow.Array, len(live))
	for c := 0; c < ncols; c++ {
		for k, b := range live {
			parts[k] = b.rec.Column(c)
		}
		arr, err := array.Concatenate(parts, mem)
		if err != nil {
			panic("zset.Concat: " + err.Error()) // only on mismatched types: a planner bug
		}
		all[c] = arr
	}
	out := New(all[:ncols-1], all[ncols-1])
	for _, a := range all {
		a.Release()
	}
	return out
}
