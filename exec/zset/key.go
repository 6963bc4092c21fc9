package zset

import (
	"encoding/binary"
	"fmt"

	"github.com/apache/arrow-go/v18/arrow"
	"github.com/apache/arrow-go/v18/arrow/array"
)

// EncodeKeys appends to keys[i] the canonical key of row i over cols, for every row of the
// columns, and returns keys (grown to the row count; existing slices are reused after
// truncation, so pass the previous result back to avoid allocation). Two rows have byte-equal
// keys exactly when RowsEqual holds, which makes keys collision-free map keys for operator
// state. Integers of all widths encode alike, so join keys of smallint and bigint columns
// match by value. The encoding is for equality only: it does not preserve order and is not stable
// across releases, so it is not a storage format.
func EncodeKeys(keys [][]byte, cols []arrow.Array, n int) [][]byte {
	if cap(keys) >= n {
		keys = keys[:n]
	} else {
		keys = append(keys[:cap(keys)], make([][]byte, n-cap(keys))...)
	}
	for i := range keys {
		keys[i] = keys[i][:0]
	}
	for _, c := range cols {
		if c.NullN() > 0 || !encodeColumnFast(c, keys) {
			for i := range keys {
				keys[i] = AppendValueKey(keys[i], c, i)
			}
		}
	}
	return keys
}

// encodeColumnFast handles null-free columns of the commonest types with a typed loop.
func encodeColumnFast(c arrow.Array, keys [][]byte) bool {
	switch a := c.(type) {
	case *array.Int64:
		for i, v := range a.Int64Values()[:len(keys)] {
			keys[i] = binary.LittleEndian.AppendUint64(append(keys[i], 1), uint64(v))
		}
	case *array.Int32:
		for i, v := range a.Int32Values()[:len(keys)] {
			keys[i] = binary.LittleEndian.AppendUint64(append(keys[i], 1), uint64(int64(v)))
		}
	case *array.String:
		for i := range keys {
			s := a.Value(i)
			keys[i] = append(binary.AppendUvarint(append(keys[i], 1), uint64(len(s))), s...)
		}
	default:
		return false
	}
	return true
}

// AppendValueKey appends the canonical key of value i of c (see EncodeKeys).
func AppendValueKey(dst []byte, c arrow.Array, i int) []byte {
	if c.IsNull(i) {
		return append(dst, 0)
	}
	dst = append(dst, 1)
	switch a := c.(type) {
	case *array.Boolean:
		if a.Value(i) {
			return append(dst, 1)
		}
		return append(dst, 0)
	case *array.Int16:
		return binary.LittleEndian.AppendUint64(dst, uint64(int64(a.Value(i))))
	case *array.Int32:
		return binary.LittleEndian.AppendUint64(dst, uint64(int64(a.Value(i))))
	case *array.Int64:
		return binary.LittleEndian.AppendUint64(dst, uint64(a.Value(i)))
	case *array.Date32:
		return binary.LittleEndian.AppendUint32(dst, uint32(a.Value(i)))
	case *array.Timestamp:
		return binary.LittleEndian.AppendUint64(dst, uint64(a.Value(i)))
	case *array.Float32:
		return binary.LittleEndian.AppendUint64(dst, canonicalFloat(float64(a.Value(i))))
	case *array.Float64:
		return binary.LittleEndian.AppendUint64(dst, canonicalFloat(a.Value(i)))
	case *array.FixedSizeBinary:
		v := normalizeNumeric(numericAt(a, i))
		dst = binary.LittleEndian.AppendUint64(dst, v.Coef.LowBits())
		dst = binary.LittleEndian.AppendUint64(dst, uint64(v.Coef.HighBits()))
		return append(dst, byte(v.Scale))
	case *array.String:
		s := a.Value(i)
		return append(binary.AppendUvarint(dst, uint64(len(s))), s...)
	case *array.MonthDayNanoInterval:
		v := a.Value(i)
		s := intervalSpan(v.Months, v.Days, v.Nanoseconds/1000)
		dst = binary.LittleEndian.AppendUint64(dst, s.LowBits())
		return binary.LittleEndian.AppendUint64(dst, uint64(s.HighBits()))
	case *array.List:
		start, end := a.ValueOffsets(i)
		dst = binary.AppendUvarint(dst, uint64(end-start))
		vals := a.ListValues()
		for k := int(start); k < int(end); k++ {
			dst = AppendValueKey(dst, vals, k)
		}
		return dst
	}
	panic(fmt.Sprintf("zset: cannot encode Arrow type %s", c.DataType()))
}
