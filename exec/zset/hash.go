package zset

import (
	"fmt"
	"hash/maphash"
	"math/bits"

	"github.com/apache/arrow-go/v18/arrow"
	"github.com/apache/arrow-go/v18/arrow/array"
)

// Row hashing under SQL grouping equality (see the package comment). Hashes are per process
// (strings use a random seed): they index in-memory tables and are never persisted.

var stringSeed = maphash.MakeSeed()

const (
	hashInit  = 0x243f6a8885a308d3
	hashNull  = 0x9e3779b97f4a7c15
	hashMulti = 0xff51afd7ed558ccd
)

func mix(h, v uint64) uint64 {
	return (bits.RotateLeft64(h, 27) ^ v) * hashMulti
}

// HashRows sets hashes[i] to the hash of row i over cols, for i < len(hashes). Equal rows
// (RowsEqual) hash equally. One typed loop per column; no allocation.
func HashRows(cols []arrow.Array, hashes []uint64) {
	for i := range hashes {
		hashes[i] = hashInit
	}
	for _, c := range cols {
		hashColumn(c, hashes)
	}
}

func hashColumn(c arrow.Array, h []uint64) {
	if c.NullN() > 0 {
		// Null slots hold arbitrary bytes: hash value by value, nulls as a constant.
		for i := range h {
			if c.IsNull(i) {
				h[i] = mix(h[i], hashNull)
			} else {
				h[i] = mix(h[i], hashValue(c, i))
			}
		}
		return
	}
	switch a := c.(type) {
	case *array.Int16:
		hashInts(a.Int16Values(), h)
	case *array.Int32:
		hashInts(a.Int32Values(), h)
	case *array.Int64:
		hashInts(a.Int64Values(), h)
	case *array.Date32:
		hashInts(a.Date32Values(), h)
	case *array.Timestamp:
		hashInts(a.TimestampValues(), h)
	case *array.Float64:
		for i, f := range a.Float64Values()[:len(h)] {
			h[i] = mix(h[i], canonicalFloat(f))
		}
	case *array.String:
		for i := range h {
			h[i] = mix(h[i], maphash.String(stringSeed, a.Value(i)))
		}
	default:
		for i := range h {
			h[i] = mix(h[i], hashValue(c, i))
		}
	}
}

func hashInts[T ~int16 | ~int32 | ~int64](vals []T, h []uint64) {
	for i, v := range vals[:len(h)] {
		h[i] = mix(h[i], uint64(int64(v)))
	}
}

// hashValue hashes non-null value i of c.
func hashValue(c arrow.Array, i int) uint64 {
	switch a := c.(type) {
	case *array.Boolean:
		if a.Value(i) {
			return 1
		}
		return 0
	case *array.Int16:
		return uint64(int64(a.Value(i)))
	case *array.Int32:
		return uint64(int64(a.Value(i)))
	case *array.Int64:
		return uint64(a.Value(i))
	case *array.Date32:
		return uint64(int64(a.Value(i)))
	case *array.Timestamp:
		return uint64(int64(a.Value(i)))
	case *array.Float32:
		return canonicalFloat(float64(a.Value(i)))
	case *array.Float64:
		return canonicalFloat(a.Value(i))
	case *array.FixedSizeBinary:
		v := normalizeNumeric(numericAt(a, i))
		return mix(mix(v.Coef.LowBits(), uint64(v.Coef.HighBits())), uint64(v.Scale))
	case *array.String:
		return maphash.String(stringSeed, a.Value(i))
	case *array.MonthDayNanoInterval:
		v := a.Value(i)
		s := intervalSpan(v.Months, v.Days, v.Nanoseconds/1000)
		return mix(s.LowBits(), uint64(s.HighBits()))
	case *array.List:
		start, end := a.ValueOffsets(i)
		vals := a.ListValues()
		h := mix(hashInit, uint64(end-start))
		for k := int(start); k < int(end); k++ {
			if vals.IsNull(k) {
				h = mix(h, hashNull)
			} else {
				h = mix(h, hashValue(vals, k))
			}
		}
		return h
	}
	panic(fmt.Sprintf("zset: cannot hash Arrow type %s", c.DataType()))
}

// RowsEqual reports whether row i of a equals row j of b column by column under SQL grouping
// equality: NULL equals NULL, numerics and intervals compare by value, floats with one NaN and
// -0 = +0. a and b must have the same column types.
func RowsEqual(a []arrow.Array, i int, b []arrow.Array, j int) bool {
	for c := range a {
		if !valuesEqual(a[c], i, b[c], j) {
			return false
		}
	}
	return true
}

func valuesEqual(x arrow.Array, i int, y arrow.Array, j int) bool {
	xn, yn := x.IsNull(i), y.IsNull(j)
	if xn || yn {
		return xn && yn
	}
	switch a := x.(type) {
	case *array.Boolean:
		return a.Value(i) == y.(*array.Boolean).Value(j)
	case *array.Int16:
		return a.Value(i) == y.(*array.Int16).Value(j)
	case *array.Int32:
		return a.Value(i) == y.(*array.Int32).Value(j)
	case *array.Int64:
		return a.Value(i) == y.(*array.Int64).Value(j)
	case *array.Date32:
		return a.Value(i) == y.(*array.Date32).Value(j)
	case *array.Timestamp:
		return a.Value(i) == y.(*array.Timestamp).Value(j)
	case *array.Float32:
		return canonicalFloat(float64(a.Value(i))) == canonicalFloat(float64(y.(*array.Float32).Value(j)))
	case *array.Float64:
		return canonicalFloat(a.Value(i)) == canonicalFloat(y.(*array.Float64).Value(j))
	case *array.String:
		return a.Value(i) == y.(*array.String).Value(j)
	case *array.FixedSizeBinary:
		return compareNumeric(numericAt(a, i), numericAt(y.(*array.FixedSizeBinary), j)) == 0
	case *array.MonthDayNanoInterval:
		u, v := a.Value(i), y.(*array.MonthDayNanoInterval).Value(j)
		return u == v || intervalSpan(u.Months, u.Days, u.Nanoseconds/1000) == intervalSpan(v.Months, v.Days, v.Nanoseconds/1000)
	case *array.List:
		return listsMatch(a, i, y.(*array.List), j, valuesEqual)
	}
	panic(fmt.Sprintf("zset: cannot compare Arrow type %s", x.DataType()))
}

// listsMatch reports whether lists x[i] and y[j] have the same length and elements that match
// pairwise under eq.
func listsMatch(x *array.List, i int, y *array.List, j int, eq func(arrow.Array, int, arrow.Array, int) bool) bool {
	xs, xe := x.ValueOffsets(i)
	ys, ye := y.ValueOffsets(j)
	if xe-xs != ye-ys {
		return false
	}
	xv, yv := x.ListValues(), y.ListValues()
	for k := int64(0); k < xe-xs; k++ {
		if !eq(xv, int(xs+k), yv, int(ys+k)) {
			return false
		}
	}
	return true
}
