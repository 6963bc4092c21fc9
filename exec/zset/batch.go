package zset

import (
	"fmt"

	"github.com/apache/arrow-go/v18/arrow"
	"github.com/apache/arrow-go/v18/arrow/array"
)

// WeightField is the name of the weight column.
const WeightField = "__weight"

// Batch is a Z-set delta: data columns plus a trailing int64 weight column.
type Batch struct {
	rec arrow.RecordBatch
	// consolidated is set on what Consolidate returns (records are immutable, so it stays true),
	// so that consolidating it again costs nothing.
	consolidated bool
}

// New builds a batch of n rows from data columns and a weight column. It retains the arrays, so
// the caller still releases its own references. All arrays must have n rows; weights must hold no
// nulls.
func New(cols []arrow.Array, weights arrow.Array) Batch {
	n := weights.Len()
	fields := make([]arrow.Field, len(cols)+1)
	all := make([]arrow.Array, len(cols)+1)
	for i, c := range cols {
		if c.Len() != n {
			panic(fmt.Sprintf("zset.New: column %d has %d rows, weights %d", i, c.Len(), n))
		}
		fields[i] = arrow.Field{Name: fmt.Sprintf("c%d", i), Type: c.DataType(), Nullable: true}
		all[i] = c
	}
	fields[len(cols)] = arrow.Field{Name: WeightField, Type: arrow.PrimitiveTypes.Int64}
	all[len(cols)] = weights
	return Batch{rec: array.NewRecordBatch(arrow.NewSchema(fields, nil), all, int64(n))}
}

// FromRecord wraps rec, whose last column must be the weight column, taking ownership of one
// reference to it.
func FromRecord(rec arrow.RecordBatch) Batch { return Batch{rec: rec} }

// Record is the underlying Arrow record (weights last), or nil for the zero Batch. Borrowed.
func (b Batch) Record() arrow.RecordBatch { return b.rec }

// NumRows is the number of rows (not the sum of weights).
func (b Batch) NumRows() int {
	if b.rec == nil {
		return 0
	}
	return int(b.rec.NumRows())
}

// NumCols is the number of data columns, not counting the weight.
func (b Batch) NumCols() int {
	if b.rec == nil {
		return 0
	}
	return int(b.rec.NumCols()) - 1
}

// Col is data column i. Borrowed.
func (b Batch) Col(i int) arrow.Array { return b.rec.Column(i) }

// Cols are the data columns. Borrowed.
func (b Batch) Cols() []arrow.Array {
	if b.rec == nil {
		return nil
	}
	return b.rec.Columns()[:b.NumCols()]
}

// WeightArray is the weight column. Borrowed.
func (b Batch) WeightArray() *array.Int64 {
	return b.rec.Column(int(b.rec.NumCols()) - 1).(*array.Int64)
}

// Weights are the row weights. Borrowed: valid while the batch is.
func (b Batch) Weights() []int64 {
	if b.rec == nil {
		return nil
	}
	return b.WeightArray().Int64Values()
}

// Empty reports whether the batch has no rows.
func (b Batch) Empty() bool { return b.NumRows() == 0 }

// Retain adds a reference.
func (b Batch) Retain() {
	if b.rec != nil {
		b.rec.Retain()
	}
}

// Release drops a reference.
func (b Batch) Release() {
	if b.rec != nil {
		b.rec.Release()
	}
}
