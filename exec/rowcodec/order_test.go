package rowcodec

import (
	"bytes"
	"math"
	"math/big"
	"math/rand/v2"
	"sort"
	"testing"

	"github.com/apache/arrow-go/v18/arrow"
	"github.com/apache/arrow-go/v18/arrow/array"
	"github.com/apache/arrow-go/v18/arrow/memory"

	"github.com/runnel-db/runnel/exec/types"
)

// refCompare is an independent SQL comparison of value row i of a with row j of b (both non-null).
func refCompare(t types.T, a arrow.Array, i, j int) int {
	switch t.Kind {
	case types.Int64:
		x, y := a.(*array.Int64).Value(i), a.(*array.Int64).Value(j)
		return cmpInt(x < y, x > y)
	case types.Float64:
		x, y := a.(*array.Float64).Value(i), a.(*array.Float64).Value(j)
		xn, yn := math.IsNaN(x), math.IsNaN(y)
		if xn || yn {
			return cmpInt(!xn, !yn)
		}
		return cmpInt(x < y, x > y)
	case types.Numeric:
		fa := a.(*array.FixedSizeBinary)
		return numericRat(fa.Value(i)).Cmp(numericRat(fa.Value(j)))
	case types.Text:
		return bytes.Compare([]byte(a.(*array.String).Value(i)), []byte(a.(*array.String).Value(j)))
	case types.Interval:
		ia := a.(*array.MonthDayNanoInterval)
		return intervalBig(ia.Value(i)).Cmp(intervalBig(ia.Value(j)))
	}
	panic("refCompare: unsupported type " + t.String())
}

func cmpInt(less, greater bool) int {
	switch {
	case less:
		return -1
	case greater:
		return 1
	}
	return 0
}

func numericRat(b []byte) *big.Rat {
	lo, hi, scale := numericParts(b)
	c := new(big.Int).Lsh(big.NewInt(hi), 64)
	c.Or(c, new(big.Int).SetUint64(lo))
	return new(big.Rat).SetFrac(c, new(big.Int).Exp(big.NewInt(10), big.NewInt(int64(scale)), nil))
}

// intervalBig is PostgreSQL's interval_cmp_value computed with big integers.
func intervalBig(v arrow.MonthDayNanoInterval) *big.Int {
	days := new(big.Int).Add(big.NewInt(int64(v.Months)*30), big.NewInt(int64(v.Days)))
	span := days.Mul(days, big.NewInt(microsPerDay))
	return span.Add(span, big.NewInt(v.Nanoseconds/1000))
}

// TestKeyOrderMatchesSQLOrder sorts random rows by their encoded keys and checks the order against
// an independent comparison (NULL first), and that equal keys mean equal values and vice versa.
func TestKeyOrderMatchesSQLOrder(t *testing.T) {
	mem := memory.NewCheckedAllocator(memory.NewGoAllocator())
	defer mem.AssertSize(t, 0)
	colTypes := []types.T{types.NumericT, types.IntervalT, types.Float64T, types.TextT, types.Int64T}
	c := New(colTypes)
	r := rand.New(rand.NewPCG(4, 4))
	cols := randomColumns(t, mem, r, colTypes, 400, genOpts{nullEvery: 4})
	defer release(cols)
	keyCols := []int{0, 1, 2, 3, 4}
	cmpRows := func(i, j int) int {
		for _, ci := range keyCols {
			ni, nj := cols[ci].IsNull(i), cols[ci].IsNull(j)
			if ni || nj {
				if ni != nj {
					return cmpInt(ni, nj)
				}
				continue
			}
			if s := refCompare(colTypes[ci], cols[ci], i, j); s != 0 {
				return s
			}
		}
		return 0
	}
	n := cols[0].Len()
	keys := make([][]byte, n)
	for row := range keys {
		keys[row] = c.AppendKey(nil, cols, row, keyCols)
	}
	for i := 0; i < n; i++ {
		for j := 0; j < n; j++ {
			if got, want := bytes.Compare(keys[i], keys[j]), cmpRows(i, j); got != want {
				t.Fatalf("rows %d and %d: key order %d, SQL order %d", i, j, got, want)
			}
		}
	}
	order := seq(0, n)
	sort.Slice(order, func(x, y int) bool { return bytes.Compare(keys[order[x]], keys[order[y]]) < 0 })
	for k := 1; k < n; k++ {
		if cmpRows(order[k-1], order[k]) > 0 {
			t.Fatalf("rows sorted by key are out of SQL order at %d", k)
		}
	}
}

// TestKeyEqualityFollowsSQL checks that values SQL calls equal get one key and decode to the
// canonical representative.
func TestKeyEqualityFollowsSQL(t *testing.T) {
	mem := memory.NewCheckedAllocator(memory.NewGoAllocator())
	defer mem.AssertSize(t, 0)
	colTypes := []types.T{types.NumericT, types.IntervalT, types.Float64T, types.Float32T}
	c := New(colTypes)
	nb := array.NewFixedSizeBinaryBuilder(mem, types.NumericArrowType)
	ib := array.NewMonthDayNanoIntervalBuilder(mem)
	fb := array.NewFloat64Builder(mem)
	f32b := array.NewFloat32Builder(mem)
	day := int64(microsPerDay) * 1000
	// Pairs of SQL-equal values: rows 2k and 2k+1.
	nb.Append(numericBytes(15, 1))
	nb.Append(numericBytes(1500, 3))
	ib.Append(arrow.MonthDayNanoInterval{Months: 1})
	ib.Append(arrow.MonthDayNanoInterval{Days: 30})
	fb.Append(0)
	fb.Append(math.Copysign(0, -1))
	f32b.Append(float32(math.NaN()))
	f32b.Append(-float32(math.NaN()))

	nb.Append(numericBytes(-100, 0))
	nb.Append(numericBytes(-10000, 2))
	ib.Append(arrow.MonthDayNanoInterval{Days: 1, Nanoseconds: day / 2})
	ib.Append(arrow.MonthDayNanoInterval{Nanoseconds: 3 * day / 2})
	fb.Append(math.NaN())
	fb.Append(math.Float64frombits(0xfff8000000000000))
	f32b.Append(1)
	f32b.Append(1)

	nb.Append(numericBytes(0, 5))
	nb.Append(numericBytes(0, 0))
	ib.Append(arrow.MonthDayNanoInterval{Months: -1, Days: 31})
	ib.Append(arrow.MonthDayNanoInterval{Days: 1})
	fb.Append(2.5)
	fb.Append(2.5)
	f32b.Append(0)
	f32b.Append(float32(math.Copysign(0, -1)))

	cols := []arrow.Array{nb.NewArray(), ib.NewArray(), fb.NewArray(), f32b.NewArray()}
	defer release(cols)
	for _, b := range []interface{ Release() }{nb, ib, fb, f32b} {
		b.Release()
	}
	all := []int{0, 1, 2, 3}
	for row := 0; row < cols[0].Len(); row += 2 {
		for _, ci := range all {
			k1 := c.AppendKey(nil, cols, row, []int{ci})
			k2 := c.AppendKey(nil, cols, row+1, []int{ci})
			if !bytes.Equal(k1, k2) {
				t.Errorf("rows %d/%d column %s: SQL-equal values have keys %x and %x", row, row+1, colTypes[ci], k1, k2)
			}
		}
	}

	d := c.NewDecoder(mem)
	defer d.Release()
	for row := 0; row < cols[0].Len(); row++ {
		if err := d.DecodeKey(c.AppendKey(nil, cols, row, all), all); err != nil {
			t.Fatal(err)
		}
	}
	out := d.Finish()
	defer release(out)
	num := out[0].(*array.FixedSizeBinary)
	for row, want := range []string{"15/1", "15/1", "-100/0", "-100/0", "0/0", "0/0"} {
		lo, _, scale := numericParts(num.Value(row))
		if got := big.NewInt(int64(lo)).String() + "/" + big.NewInt(int64(scale)).String(); got != want {
			t.Errorf("numeric row %d decodes to coef/scale %s, want %s", row, got, want)
		}
	}
	iv := out[1].(*array.MonthDayNanoInterval)
	for row, want := range []arrow.MonthDayNanoInterval{
		{Months: 1}, {Months: 1}, {Days: 1, Nanoseconds: day / 2}, {Days: 1, Nanoseconds: day / 2}, {Days: 1}, {Days: 1},
	} {
		if got := iv.Value(row); got != want {
			t.Errorf("interval row %d decodes to %+v, want %+v", row, got, want)
		}
	}
	f64 := out[2].(*array.Float64)
	if math.Signbit(f64.Value(1)) || !math.IsNaN(f64.Value(2)) || !math.IsNaN(f64.Value(3)) {
		t.Errorf("float64 keys decode to %v", f64)
	}
	f32 := out[3].(*array.Float32)
	if !math.IsNaN(float64(f32.Value(1))) || math.Signbit(float64(f32.Value(5))) {
		t.Errorf("float32 keys decode to %v", f32)
	}
}

func TestIntervalSpanExtremes(t *testing.T) {
	for _, v := range []arrow.MonthDayNanoInterval{
		{Months: math.MaxInt32, Days: 29, Nanoseconds: (microsPerDay - 1) * 1000},
		{Months: math.MinInt32, Days: -29, Nanoseconds: -(microsPerDay - 1) * 1000},
		{Months: 0, Days: 0, Nanoseconds: -1000},
	} {
		lo, hi := intervalSpan(v)
		got, ok := intervalFromSpan(lo, hi)
		if !ok || got != v {
			t.Errorf("interval %+v → span → %+v, %v", v, got, ok)
		}
		back := new(big.Int).Lsh(big.NewInt(hi), 64)
		back.Or(back, new(big.Int).SetUint64(lo))
		if back.Cmp(intervalBig(v)) != 0 {
			t.Errorf("span of %+v = %s, want %s", v, back, intervalBig(v))
		}
	}
}

// TestOrderKeyMatchesOrderBy checks AppendOrderKey against an ORDER BY comparator for every
// combination of ASC/DESC and NULLS FIRST/LAST.
func TestOrderKeyMatchesOrderBy(t *testing.T) {
	mem := memory.NewCheckedAllocator(memory.NewGoAllocator())
	defer mem.AssertSize(t, 0)
	colTypes := []types.T{types.TextT, types.Int64T, types.NumericT}
	c := New(colTypes)
	cols := randomColumns(t, mem, rand.New(rand.NewPCG(6, 6)), colTypes, 150, genOpts{nullEvery: 4})
	defer release(cols)
	n := cols[0].Len()
	for mask := 0; mask < 1<<6; mask++ {
		order := []OrderCol{
			{Col: 0, Desc: mask&1 != 0, NullsFirst: mask&2 != 0},
			{Col: 2, Desc: mask&4 != 0, NullsFirst: mask&8 != 0},
			{Col: 1, Desc: mask&16 != 0, NullsFirst: mask&32 != 0},
		}
		cmpRows := func(i, j int) int {
			for _, o := range order {
				ni, nj := cols[o.Col].IsNull(i), cols[o.Col].IsNull(j)
				var s int
				switch {
				case ni && nj:
					continue
				case ni || nj:
					s = cmpInt(ni == o.NullsFirst, ni != o.NullsFirst)
				default:
					s = refCompare(colTypes[o.Col], cols[o.Col], i, j)
					if o.Desc {
						s = -s
					}
				}
				if s != 0 {
					return s
				}
			}
			return 0
		}
		keys := make([][]byte, n)
		for row := range keys {
			keys[row] = c.AppendOrderKey(nil, cols, row, order)
		}
		for i := 0; i < n; i++ {
			for j := 0; j < n; j++ {
				if got, want := bytes.Compare(keys[i], keys[j]), cmpRows(i, j); got != want {
					t.Fatalf("order %+v rows %d, %d: key order %d, ORDER BY %d", order, i, j, got, want)
				}
			}
		}
	}
}
