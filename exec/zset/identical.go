package zset

import (
	"bytes"
	"math"

	"github.com/apache/arrow-go/v18/arrow"
	"github.com/apache/arrow-go/v18/arrow/array"
)

// RowsIdentical reports whether row i of a and row j of b hold the same values in the same
// form: like RowsEqual, except that NUMERIC values must also agree in display scale (1.5 is not
// 1.50), INTERVALs in their fields ('1 mon' is not '30 days') and floats in sign (-0 is not 0).
// It is Z-set row identity, which consolidation uses, so that replacing a value by an equal one
// in another form (UPDATE t SET x = 3.0 where x was 3) is a real change that storage sees. SQL
// equality (grouping, joins, DISTINCT) stays RowsEqual. Identical rows are equal, so HashRows
// serves both.
func RowsIdentical(a []arrow.Array, i int, b []arrow.Array, j int) bool {
	for c := range a {
		if !valuesIdentical(a[c], i, b[c], j) {
			return false
		}
	}
	return true
}

func valuesIdentical(x arrow.Array, i int, y arrow.Array, j int) bool {
	xn, yn := x.IsNull(i), y.IsNull(j)
	if xn || yn {
		return xn && yn
	}
	switch a := x.(type) {
	case *array.FixedSizeBinary:
		return bytes.Equal(a.Value(i), y.(*array.FixedSizeBinary).Value(j))
	case *array.MonthDayNanoInterval:
		return a.Value(i) == y.(*array.MonthDayNanoInterval).Value(j)
	case *array.Float64:
		return floatBits(a.Value(i)) == floatBits(y.(*array.Float64).Value(j))
	case *array.Float32:
		return floatBits(float64(a.Value(i))) == floatBits(float64(y.(*array.Float32).Value(j)))
	case *array.List:
		return listsMatch(a, i, y.(*array.List), j, valuesIdentical)
	}
	return valuesEqual(x, i, y, j)
}

// floatBits is the bit pattern of f with every NaN made one.
func floatBits(f float64) uint64 {
	if math.IsNaN(f) {
		return math.Float64bits(math.NaN())
	}
	return math.Float64bits(f)
}
