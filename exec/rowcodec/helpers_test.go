package rowcodec

import (
	"math"
	"math/rand/v2"
	"testing"

	"github.com/apache/arrow-go/v18/arrow"
	"github.com/apache/arrow-go/v18/arrow/array"
	"github.com/apache/arrow-go/v18/arrow/memory"

	"github.com/runnel-db/runnel/exec/types"
)

// allTypes has one column of every kind a table can store.
var allTypes = []types.T{
	types.BoolT, types.Int16T, types.Int32T, types.Int64T, types.Float32T, types.Float64T,
	types.NumericT, types.TextT, types.VarcharT, types.DateT, types.TimestampT, types.TimestampTZT,
	types.IntervalT, types.JSONBT,
}

func numericBytes(coef int64, scale int8) []byte {
	var b [types.NumericWidth]byte
	hi := int64(0)
	if coef < 0 {
		hi = -1
	}
	putNumeric(&b, uint64(coef), hi, scale)
	return b[:]
}

// genOpts steer randomColumns.
type genOpts struct {
	// canonical restricts values to those key decoding returns unchanged: no trailing zeros in a
	// NUMERIC's scale, INTERVALs justified into 30-day months, days and time of one sign.
	canonical bool
	// nullEvery makes about one value in nullEvery NULL; 0 means none.
	nullEvery int
}

// randomColumns builds n rows of random values for colTypes.
func randomColumns(t testing.TB, mem memory.Allocator, r *rand.Rand, colTypes []types.T, n int, o genOpts) []arrow.Array {
	t.Helper()
	cols := make([]arrow.Array, len(colTypes))
	strs := []string{"", "a", "a\x00", "ab", "b", "héllo", "\x00", "zz\x00z", `{"k": 1}`}
	for ci, ct := range colTypes {
		b := array.NewBuilder(mem, ct.ArrowType())
		for i := 0; i < n; i++ {
			if o.nullEvery > 0 && r.IntN(o.nullEvery) == 0 {
				b.AppendNull()
				continue
			}
			switch ct.Kind {
			case types.Bool:
				b.(*array.BooleanBuilder).Append(r.IntN(2) == 1)
			case types.Int16:
				b.(*array.Int16Builder).Append(int16(r.Uint32()))
			case types.Int32:
				b.(*array.Int32Builder).Append(int32(r.Uint32()))
			case types.Int64:
				v := int64(r.Uint64())
				if r.IntN(2) == 0 {
					v = int64(r.IntN(200) - 100)
				}
				b.(*array.Int64Builder).Append(v)
			case types.Float32:
				b.(*array.Float32Builder).Append(float32(r.NormFloat64() * 1000))
			case types.Float64:
				vals := []float64{math.Inf(1), math.Inf(-1), 0, 1e300, -1e-300}
				v := r.NormFloat64()
				if r.IntN(4) == 0 {
					v = vals[r.IntN(len(vals))]
				}
				b.(*array.Float64Builder).Append(v)
			case types.Numeric:
				coef := int64(r.IntN(20001) - 10000)
				scale := int8(r.IntN(4))
				if o.canonical && scale > 0 {
					for coef%10 == 0 {
						coef++
					}
				}
				b.(*array.FixedSizeBinaryBuilder).Append(numericBytes(coef, scale))
			case types.Text, types.Varchar, types.JSONB:
				b.(*array.StringBuilder).Append(strs[r.IntN(len(strs))])
			case types.Date:
				b.(*array.Date32Builder).Append(arrow.Date32(r.IntN(40000) - 20000))
			case types.Timestamp, types.TimestampTZ:
				b.(*array.TimestampBuilder).Append(arrow.Timestamp(int64(r.Uint64() >> 12)))
			case types.Interval:
				sign := int64(1)
				if r.IntN(2) == 0 {
					sign = -1
				}
				v := arrow.MonthDayNanoInterval{
					Months:      int32(sign * int64(r.IntN(100))),
					Days:        int32(sign * int64(r.IntN(30))),
					Nanoseconds: sign * int64(r.IntN(microsPerDay)) * 1000,
				}
				if !o.canonical {
					v.Days = int32(r.IntN(100) - 50)
					v.Nanoseconds = int64(r.IntN(3*microsPerDay)-microsPerDay) * 1000
				}
				b.(*array.MonthDayNanoIntervalBuilder).Append(v)
			default:
				t.Fatalf("no generator for %s", ct)
			}
		}
		cols[ci] = b.NewArray()
		b.Release()
	}
	return cols
}

func release(arrs []arrow.Array) {
	for _, a := range arrs {
		a.Release()
	}
}

func seq(lo, hi int) []int {
	var out []int
	for i := lo; i < hi; i++ {
		out = append(out, i)
	}
	return out
}
