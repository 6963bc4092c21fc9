package exec

import (
	"math"

	"github.com/apache/arrow-go/v18/arrow"
	"github.com/apache/arrow-go/v18/arrow/array"
)

// keyColumn holds one GROUP BY column's value for every group id, in typed storage (no
// per-group Datum or slice). It stores the first value seen for the group, so that the group's
// output shows it as PostgreSQL does (a NUMERIC key keeps its display scale, a float key its
// sign of zero), and compares under SQL grouping equality (zset.RowsEqual): NULL equals NULL,
// numerics and intervals by value, floats with one NaN and -0 = +0.
type keyColumn interface {
	// bind makes col the column that equal and set read (one input batch's key column).
	bind(col arrow.Array) error
	// grow makes group ids < n valid.
	grow(n int)
	// equal reports whether value i of the bound column equals group g's key.
	equal(g int32, i int) bool
	// set stores value i of the bound column as group g's key.
	set(g int32, i int)
	// clear forgets group g's key (its id is free).
	clear(g int32)
	// appendTo appends group g's key to b, a builder of the column's Arrow type.
	appendTo(b array.Builder, g int32)
	// unbind drops the reference to the bound column (its batch is released after Step).
	unbind()
}

// newKeyColumn returns the key storage for columns of Arrow type t.
func newKeyColumn(t arrow.DataType) (keyColumn, error) {
	switch t.ID() {
	case arrow.INT16, arrow.INT32, arrow.INT64, arrow.DATE32, arrow.TIMESTAMP:
		return &intKeys{}, nil
	case arrow.FLOAT32, arrow.FLOAT64:
		return &floatKeys{}, nil
	case arrow.BOOL:
		return &boolKeys{}, nil
	case arrow.FIXED_SIZE_BINARY:
		return &numericKeys{}, nil
	case arrow.INTERVAL_MONTH_DAY_NANO:
		return &intervalKeys{}, nil
	case arrow.STRING:
		return &stringKeys{}, nil
	case arrow.LIST:
		return &listKeys{}, nil
	}
	return nil, internalf("aggregate: cannot group by Arrow type %s", t)
}

// nullBits marks the groups whose key is NULL; the bitmap exists only once a NULL key does.
type nullBits struct {
	bits []uint64
	col  arrow.Array // the bound column, when it has nulls
}

func (n *nullBits) bindNulls(col arrow.Array) {
	n.col = nil
	if col.NullN() > 0 {
		n.col = col
	}
}

func (n *nullBits) unbindNulls() { n.col = nil }

func (n *nullBits) isNull(g int32) bool {
	w := int(g >> 6)
	return w < len(n.bits) && n.bits[w]&(1<<(uint(g)&63)) != 0
}

// inNull reports whether value i of the bound column is NULL.
func (n *nullBits) inNull(i int) bool { return n.col != nil && n.col.IsNull(i) }

func (n *nullBits) setNull(g int32, null bool) {
	w := int(g >> 6)
	if null {
		n.bits = growTo(n.bits, w+1)
		n.bits[w] |= 1 << (uint(g) & 63)
	} else if w < len(n.bits) {
		n.bits[w] &^= 1 << (uint(g) & 63)
	}
}

// nullsEqual compares the nullness of value i and group g's key: done is true when at least
// one is NULL, and then eq is the result.
func (n *nullBits) nullsEqual(g int32, i int) (eq, done bool) {
	xn, yn := n.inNull(i), n.isNull(g)
	return xn == yn, xn || yn
}

// intKeys stores smallint, integer, bigint, date and timestamp keys as int64.
type intKeys struct {
	nullBits
	vals []int64
	in   []int64 // the bound column's values
	buf  []int64
}

func (k *intKeys) bind(col arrow.Array) error {
	k.bindNulls(col)
	switch c := col.(type) {
	case *array.Int64:
		k.in = c.Int64Values()
	case *array.Int32:
		k.buf = widen(k.buf[:0], c.Int32Values())
		k.in = k.buf
	case *array.Int16:
		k.buf = widen(k.buf[:0], c.Int16Values())
		k.in = k.buf
	case *array.Date32:
		k.buf = widen(k.buf[:0], c.Date32Values())
		k.in = k.buf
	case *array.Timestamp:
		k.buf = widen(k.buf[:0], c.TimestampValues())
		k.in = k.buf
	default:
		return internalf("aggregate: unexpected key column %s", col.DataType())
	}
	return nil
}

func widen[T ~int16 | ~int32 | ~int64](dst []int64, vals []T) []int64 {
	for _, v := range vals {
		dst = append(dst, int64(v))
	}
	return dst
}

func (k *intKeys) unbind()       { k.unbindNulls(); k.in = nil }
func (k *intKeys) grow(n int)    { k.vals = growTo(k.vals, n) }
func (k *intKeys) clear(g int32) { k.vals[g] = 0; k.setNull(g, false) }
func (k *intKeys) set(g int32, i int) {
	null := k.inNull(i)
	k.setNull(g, null)
	if !null {
		k.vals[g] = k.in[i]
	}
}

func (k *intKeys) equal(g int32, i int) bool {
	if k.col != nil || k.bits != nil {
		if eq, done := k.nullsEqual(g, i); done {
			return eq
		}
	}
	return k.vals[g] == k.in[i]
}

func (k *intKeys) appendAll(b array.Builder, gs []int32) bool {
	ib, ok := b.(*array.Int64Builder)
	if !ok {
		return false
	}
	ib.Reserve(len(gs))
	for _, g := range gs {
		if k.isNull(g) {
			ib.UnsafeAppendBoolToBitmap(false)
		} else {
			ib.UnsafeAppend(k.vals[g])
		}
	}
	return true
}

func (k *intKeys) appendTo(b array.Builder, g int32) {
	if k.isNull(g) {
		b.AppendNull()
		return
	}
	v := k.vals[g]
	switch b := b.(type) {
	case *array.Int64Builder:
		b.Append(v)
	case *array.Int32Builder:
		b.Append(int32(v))
	case *array.Int16Builder:
		b.Append(int16(v))
	case *array.Date32Builder:
		b.Append(arrow.Date32(v))
	case *array.TimestampBuilder:
		b.Append(arrow.Timestamp(v))
	}
}

// floatKeys stores real and double precision keys as float64 (exact for real).
type floatKeys struct {
	nullBits
	vals []float64
	in   []float64
	buf  []float64
}

func (k *floatKeys) bind(col arrow.Array) error {
	k.bindNulls(col)
	switch c := col.(type) {
	case *array.Float64:
		k.in = c.Float64Values()
	case *array.Float32:
		k.buf = k.buf[:0]
		for _, v := range c.Float32Values() {
			k.buf = append(k.buf, float64(v))
		}
		k.in = k.buf
	default:
		return internalf("aggregate: unexpected key column %s", col.DataType())
	}
	return nil
}

func (k *floatKeys) unbind() {
	k.unbindNulls()
	k.in = nil
	if cap(k.buf) > maxKeptScratch {
		k.buf = nil
	}
}

func (k *floatKeys) grow(n int)    { k.vals = growTo(k.vals, n) }
func (k *floatKeys) clear(g int32) { k.vals[g] = 0; k.setNull(g, false) }
func (k *floatKeys) set(g int32, i int) {
	null := k.inNull(i)
	k.setNull(g, null)
	if !null {
		k.vals[g] = k.in[i]
	}
}

func (k *floatKeys) equal(g int32, i int) bool {
	if eq, done := k.nullsEqual(g, i); done {
		return eq
	}
	x, y := k.vals[g], k.in[i]
	return x == y || (math.IsNaN(x) && math.IsNaN(y)) // -0 == +0; NaNs group together
}

func (k *floatKeys) appendTo(b array.Builder, g int32) {
	if k.isNull(g) {
		b.AppendNull()
		return
	}
	switch b := b.(type) {
	case *array.Float64Builder:
		b.Append(k.vals[g])
	case *array.Float32Builder:
		b.Append(float32(k.vals[g]))
	}
}

// boolKeys stores boolean keys.
type boolKeys struct {
	nullBits
	vals []bool
	in   *array.Boolean
}

func (k *boolKeys) bind(col arrow.Array) error {
	k.bindNulls(col)
	c, ok := col.(*array.Boolean)
	if !ok {
		return internalf("aggregate: unexpected key column %s", col.DataType())
	}
	k.in = c
	return nil
}

func (k *boolKeys) unbind()       { k.unbindNulls(); k.in = nil }
func (k *boolKeys) grow(n int)    { k.vals = growTo(k.vals, n) }
func (k *boolKeys) clear(g int32) { k.vals[g] = false; k.setNull(g, false) }
func (k *boolKeys) set(g int32, i int) {
	null := k.inNull(i)
	k.setNull(g, null)
	if !null {
		k.vals[g] = k.in.Value(i)
	}
}

func (k *boolKeys) equal(g int32, i int) bool {
	if eq, done := k.nullsEqual(g, i); done {
		return eq
	}
	return k.vals[g] == k.in.Value(i)
}

func (k *boolKeys) appendTo(b array.Builder, g int32) {
	if k.isNull(g) {
		b.AppendNull()
		return
	}
	b.(*array.BooleanBuilder).Append(k.vals[g])
}
