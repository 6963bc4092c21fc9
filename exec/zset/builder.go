package zset

import (
	"github.com/apache/arrow-go/v18/arrow"
	"github.com/apache/arrow-go/v18/arrow/array"
	"github.com/apache/arrow-go/v18/arrow/memory"

	"github.com/runnel-db/runnel/exec/types"
)

// Builder accumulates rows given as Datums (see types.Datum for the Go type of each SQL type)
// into a Batch. Used by stateful operators to emit rows from their state, and by tests.
type Builder struct {
	cols []array.Builder
	w    *array.Int64Builder
}

// NewBuilder returns a builder for rows of colTypes.
func NewBuilder(mem memory.Allocator, colTypes []types.T) *Builder {
	b := &Builder{cols: make([]array.Builder, len(colTypes)), w: array.NewInt64Builder(mem)}
	for i, t := range colTypes {
		b.cols[i] = array.NewBuilder(mem, t.ArrowType())
	}
	return b
}

// Append adds one row with weight w; vals has one Datum per column (nil for NULL).
func (b *Builder) Append(w int64, vals ...types.Datum) { b.AppendRow(vals, w) }

// AppendRow adds one row with weight w.
func (b *Builder) AppendRow(row []types.Datum, w int64) {
	for i, d := range row {
		appendDatum(b.cols[i], d)
	}
	b.w.Append(w)
}

// AppendConcat adds the row left ++ right with weight w (either may be nil: all NULLs).
func (b *Builder) AppendConcat(left, right []types.Datum, nleft int, w int64) {
	for i := 0; i < nleft; i++ {
		if left == nil {
			b.cols[i].AppendNull()
		} else {
			appendDatum(b.cols[i], left[i])
		}
	}
	for i := nleft; i < len(b.cols); i++ {
		if right == nil {
			b.cols[i].AppendNull()
		} else {
			appendDatum(b.cols[i], right[i-nleft])
		}
	}
	b.w.Append(w)
}

// AppendFrom adds row i of cols (arrays of the builder's column types) with weight w.
func (b *Builder) AppendFrom(cols []arrow.Array, i int, w int64) {
	for c, arr := range cols {
		appendDatum(b.cols[c], datumAt(arr, i))
	}
	b.w.Append(w)
}

// Col is the builder of column i, for appending typed values directly; every row must then
// get one value per column and one AppendWeight.
func (b *Builder) Col(i int) array.Builder { return b.cols[i] }

// AppendWeight ends a row appended column by column through Col.
func (b *Builder) AppendWeight(w int64) { b.w.Append(w) }

// AppendWeights appends weight w n times (to n rows appended column by column).
func (b *Builder) AppendWeights(w int64, n int) {
	b.w.Reserve(n)
	for range n {
		b.w.UnsafeAppend(w)
	}
}

// AppendDatum appends d (nil for NULL) to a builder of the Arrow type of d's SQL type.
func AppendDatum(b array.Builder, d types.Datum) { appendDatum(b, d) }

// Len is the number of rows appended so far.
func (b *Builder) Len() int { return b.w.Len() }

// Build returns the batch and releases the builder.
func (b *Builder) Build() Batch {
	cols := make([]arrow.Array, len(b.cols))
	for i, c := range b.cols {
		cols[i] = c.NewArray()
		c.Release()
	}
	w := b.w.NewArray()
	b.w.Release()
	out := New(cols, w)
	w.Release()
	for _, c := range cols {
		c.Release()
	}
	return out
}

// Release drops the builder without building.
func (b *Builder) Release() {
	for _, c := range b.cols {
		c.Release()
	}
	b.w.Release()
}

// RowAt returns row i of cols as Datums.
func RowAt(cols []arrow.Array, i int) []types.Datum {
	row := make([]types.Datum, len(cols))
	for c, arr := range cols {
		row[c] = datumAt(arr, i)
	}
	return row
}

// DatumAt returns value i of arr as a Datum (nil for NULL). Arrays of every SQL type's Arrow
// layout are accepted.
func DatumAt(arr arrow.Array, i int) types.Datum { return datumAt(arr, i) }
