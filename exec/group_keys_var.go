package exec

import (
	"bytes"
	"encoding/binary"

	"github.com/apache/arrow-go/v18/arrow"
	"github.com/apache/arrow-go/v18/arrow/array"
	"github.com/apache/arrow-go/v18/arrow/decimal128"

	"github.com/runnel-db/runnel/exec/types"
)

// numericKeys stores NUMERIC keys in their 17-byte Arrow layout, back to back: the first value
// seen keeps its display scale (1.50 stays 1.50 even when 1.5 joins the group later).
type numericKeys struct {
	nullBits
	vals []byte
	in   *array.FixedSizeBinary
}

func (k *numericKeys) bind(col arrow.Array) error {
	k.bindNulls(col)
	c, ok := col.(*array.FixedSizeBinary)
	if !ok || c.DataType().(*arrow.FixedSizeBinaryType).ByteWidth != types.NumericWidth {
		return internalf("aggregate: unexpected key column %s", col.DataType())
	}
	k.in = c
	return nil
}

func (k *numericKeys) unbind()    { k.unbindNulls(); k.in = nil }
func (k *numericKeys) grow(n int) { k.vals = growTo(k.vals, n*types.NumericWidth) }

func (k *numericKeys) at(g int32) []byte {
	o := int(g) * types.NumericWidth
	return k.vals[o : o+types.NumericWidth : o+types.NumericWidth]
}

func (k *numericKeys) clear(g int32) {
	clear(k.at(g))
	k.setNull(g, false)
}

func (k *numericKeys) set(g int32, i int) {
	null := k.inNull(i)
	k.setNull(g, null)
	if null {
		clear(k.at(g))
	} else {
		copy(k.at(g), k.in.Value(i))
	}
}

func (k *numericKeys) equal(g int32, i int) bool {
	if eq, done := k.nullsEqual(g, i); done {
		return eq
	}
	x, y := k.at(g), k.in.Value(i)
	return bytes.Equal(x, y) || types.NumericCmp(decodeNumeric(x), decodeNumeric(y)) == 0
}

// decodeNumeric reads the 17-byte NUMERIC layout (see types.NumericAt).
func decodeNumeric(b []byte) types.NumericValue {
	lo := binary.LittleEndian.Uint64(b[0:8])
	hi := int64(binary.LittleEndian.Uint64(b[8:16]))
	return types.NumericValue{Coef: decimal128.New(hi, lo), Scale: int8(b[16])}
}

func (k *numericKeys) appendTo(b array.Builder, g int32) {
	if k.isNull(g) {
		b.AppendNull()
		return
	}
	b.(*array.FixedSizeBinaryBuilder).Append(k.at(g))
}

// intervalKeys stores interval keys; intervals group by their span (1 day = 24 hours), the
// first one seen is shown.
type intervalKeys struct {
	nullBits
	vals []arrow.MonthDayNanoInterval
	in   *array.MonthDayNanoInterval
}

func (k *intervalKeys) bind(col arrow.Array) error {
	k.bindNulls(col)
	c, ok := col.(*array.MonthDayNanoInterval)
	if !ok {
		return internalf("aggregate: unexpected key column %s", col.DataType())
	}
	k.in = c
	return nil
}

func (k *intervalKeys) unbind()    { k.unbindNulls(); k.in = nil }
func (k *intervalKeys) grow(n int) { k.vals = growTo(k.vals, n) }
func (k *intervalKeys) clear(g int32) {
	k.vals[g] = arrow.MonthDayNanoInterval{}
	k.setNull(g, false)
}

func (k *intervalKeys) set(g int32, i int) {
	null := k.inNull(i)
	k.setNull(g, null)
	if null {
		k.vals[g] = arrow.MonthDayNanoInterval{}
	} else {
		k.vals[g] = k.in.Value(i)
	}
}

func (k *intervalKeys) equal(g int32, i int) bool {
	if eq, done := k.nullsEqual(g, i); done {
		return eq
	}
	x, y := k.vals[g], k.in.Value(i)
	return x == y || types.IntervalCmp(intervalOf(x), intervalOf(y)) == 0
}

func intervalOf(v arrow.MonthDayNanoInterval) types.IntervalValue {
	return types.IntervalValue{Months: v.Months, Days: v.Days, Micros: v.Nanoseconds / 1000}
}

func (k *intervalKeys) appendTo(b array.Builder, g int32) {
	if k.isNull(g) {
		b.AppendNull()
		return
	}
	v := k.vals[g]
	v.Nanoseconds = v.Nanoseconds / 1000 * 1000 // microsecond precision, as the Datum form
	b.(*array.MonthDayNanoIntervalBuilder).Append(v)
}

// stringKeys stores text keys in one byte arena (offset and length per group). Freed groups
// leave garbage in the arena; it is compacted when garbage is over half of it.
type stringKeys struct {
	nullBits
	arena   []byte
	off     []int
	ln      []uint32
	garbage int
	in      *array.String
}

func (k *stringKeys) bind(col arrow.Array) error {
	k.bindNulls(col)
	c, ok := col.(*array.String)
	if !ok {
		return internalf("aggregate: unexpected key column %s", col.DataType())
	}
	k.in = c
	return nil
}

func (k *stringKeys) unbind() { k.unbindNulls(); k.in = nil }

func (k *stringKeys) grow(n int) {
	k.off = growTo(k.off, n)
	k.ln = growTo(k.ln, n)
}

func (k *stringKeys) at(g int32) []byte {
	o := k.off[g]
	return k.arena[o : o+int(k.ln[g])]
}

func (k *stringKeys) clear(g int32) {
	k.garbage += int(k.ln[g])
	k.off[g], k.ln[g] = 0, 0
	k.setNull(g, false)
}

func (k *stringKeys) set(g int32, i int) {
	k.clear(g)
	if k.inNull(i) {
		k.setNull(g, true)
		return
	}
	s := k.in.Value(i)
	if k.garbage > len(k.arena)/2 && k.garbage > 1<<16 {
		k.compact()
	}
	k.off[g], k.ln[g] = len(k.arena), uint32(len(s))
	k.arena = append(k.arena, s...)
}

// compact copies the live keys into a new arena.
func (k *stringKeys) compact() {
	arena := make([]byte, 0, len(k.arena)-k.garbage+len(k.arena)/4)
	for g := range k.off {
		o, n := k.off[g], int(k.ln[g])
		k.off[g] = len(arena)
		arena = append(arena, k.arena[o:o+n]...)
	}
	k.arena, k.garbage = arena, 0
}

func (k *stringKeys) equal(g int32, i int) bool {
	if eq, done := k.nullsEqual(g, i); done {
		return eq
	}
	return string(k.at(g)) == k.in.Value(i)
}

func (k *stringKeys) appendTo(b array.Builder, g int32) {
	if k.isNull(g) {
		b.AppendNull()
		return
	}
	b.(*array.StringBuilder).BinaryBuilder.Append(k.at(g))
}
