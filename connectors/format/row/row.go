package row

import (
	"time"

	"github.com/apache/arrow-go/v18/arrow"
	"github.com/apache/arrow-go/v18/arrow/array"
	"github.com/apache/arrow-go/v18/arrow/memory"
	"github.com/runnel-db/runnel/exec/types"
)

// Column is one output column of a decoder: its name (matched against field names) and SQL type.
type Column struct {
	Name string
	Type types.T
}

type slotKind uint8

const (
	slotUnset slotKind = iota // NULL at Commit
	slotInt                   // ints, date days, timestamp µs
	slotFloat
	slotBool
	slotNumeric
	slotInterval
	slotBytes // text, varchar, jsonb
)

// slot is one staged value; which field is meaningful depends on kind.
type slot struct {
	kind slotKind
	b    bool
	i    int64
	f    float64
	num  types.NumericValue
	iv   types.IntervalValue
	raw  []byte
}

// Builder stages one row at a time and appends committed rows to Arrow builders.
type Builder struct {
	cols     []Column
	loc      *time.Location
	builders []array.Builder
	slots    []slot
	n        int
}

// NewBuilder returns a Builder for cols; loc is the zone for timestamptz text without an explicit
// zone (nil: UTC). The caller calls Release.
func NewBuilder(mem memory.Allocator, cols []Column, loc *time.Location) *Builder {
	b := &Builder{
		cols:     append([]Column(nil), cols...),
		loc:      loc,
		builders: make([]array.Builder, len(cols)),
		slots:    make([]slot, len(cols)),
	}
	for i, c := range cols {
		b.builders[i] = types.NewBuilder(mem, c.Type)
	}
	return b
}

// Columns returns the Builder's columns (not to be modified).
func (b *Builder) Columns() []Column { return b.cols }

// Location is the zone given to NewBuilder (may be nil: UTC).
func (b *Builder) Location() *time.Location { return b.loc }

// Reset discards the staged row: every column is unset (NULL).
func (b *Builder) Reset() {
	for i := range b.slots {
		b.slots[i] = slot{}
	}
}

// PutNull sets column i to NULL.
func (b *Builder) PutNull(i int) { b.slots[i] = slot{} }

// PutInt sets column i (an integer kind, already range-checked; date days; timestamp µs).
func (b *Builder) PutInt(i int, v int64) { b.slots[i] = slot{kind: slotInt, i: v} }

// PutFloat sets column i (real or double precision).
func (b *Builder) PutFloat(i int, f float64) { b.slots[i] = slot{kind: slotFloat, f: f} }

// PutBool sets column i (boolean).
func (b *Builder) PutBool(i int, v bool) { b.slots[i] = slot{kind: slotBool, b: v} }

// PutNumeric sets column i (numeric, typmod already applied).
func (b *Builder) PutNumeric(i int, v types.NumericValue) {
	b.slots[i] = slot{kind: slotNumeric, num: v}
}

// PutInterval sets column i (interval).
func (b *Builder) PutInterval(i int, v types.IntervalValue) {
	b.slots[i] = slot{kind: slotInterval, iv: v}
}

// PutBytes sets column i (text, varchar already length-checked, or normalized jsonb) to s, which is
// retained until Commit.
func (b *Builder) PutBytes(i int, s []byte) { b.slots[i] = slot{kind: slotBytes, raw: s} }

// Commit appends the staged row to the builders and resets the stage.
func (b *Builder) Commit() {
	for i := range b.slots {
		s := &b.slots[i]
		if s.kind == slotUnset {
			b.builders[i].AppendNull()
			continue
		}
		switch bb := b.builders[i].(type) {
		case *array.Int64Builder:
			bb.Append(s.i)
		case *array.Int32Builder:
			bb.Append(int32(s.i))
		case *array.Int16Builder:
			bb.Append(int16(s.i))
		case *array.Float64Builder:
			bb.Append(s.f)
		case *array.Float32Builder:
			bb.Append(float32(s.f))
		case *array.BooleanBuilder:
			bb.Append(s.b)
		case *array.StringBuilder:
			bb.BinaryBuilder.Append(s.raw)
		case *array.TimestampBuilder:
			bb.Append(arrow.Timestamp(s.i))
		case *array.Date32Builder:
			bb.Append(arrow.Date32(s.i))
		case *array.FixedSizeBinaryBuilder:
			var buf [types.NumericWidth]byte
			s.num.Put(buf[:])
			bb.Append(buf[:])
		case *array.MonthDayNanoIntervalBuilder:
			bb.Append(arrow.MonthDayNanoInterval{Months: s.iv.Months, Days: s.iv.Days, Nanoseconds: s.iv.Micros * 1000})
		}
		*s = slot{}
	}
	b.n++
}

// Len is the number of committed rows in the current batch.
func (b *Builder) Len() int { return b.n }

// Finish returns one array per column holding the committed rows (the caller releases them) and
// starts a new, empty batch.
func (b *Builder) Finish() []arrow.Array {
	out := make([]arrow.Array, len(b.builders))
	for i, bb := range b.builders {
		out[i] = bb.NewArray()
	}
	b.n = 0
	b.Reset()
	return out
}

// Release frees the builders (and any rows not yet finished).
func (b *Builder) Release() {
	for _, bb := range b.builders {
		bb.Release()
	}
	b.builders = nil
}
