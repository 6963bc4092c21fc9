package zset

import (
	"math"
	"testing"

	"github.com/apache/arrow-go/v18/arrow/decimal128"
	"github.com/apache/arrow-go/v18/arrow/memory"

	"github.com/runnel-db/runnel/exec/types"
)

func num(coef int64, scale int8) types.NumericValue {
	return types.NumericValue{Coef: decimal128.FromI64(coef), Scale: scale}
}

// TestConsolidateIdentity checks that consolidation merges identical rows only: values equal in
// SQL but written differently (1.5 and 1.50, '1 mon' and '30 days', 0 and -0) stay apart, while
// NULLs and NaNs (any payload) are identical to each other.
func TestConsolidateIdentity(t *testing.T) {
	mem := memory.NewCheckedAllocator(memory.NewGoAllocator())
	defer mem.AssertSize(t, 0)
	ts := []types.T{types.Int32T, types.Float64T, types.NumericT, types.TextT, types.IntervalT}
	b := NewBuilder(mem, ts)
	b.Append(1, int64(1), 0.0, num(15, 1), "a", types.IntervalValue{Months: 1})
	b.Append(2, int64(1), math.Copysign(0, -1), num(150, 2), "a", types.IntervalValue{Days: 30})
	b.Append(1, int64(1), 0.0, num(15, 1), "a", types.IntervalValue{Months: 1})
	b.Append(1, nil, math.NaN(), nil, nil, nil)
	b.Append(-1, nil, -math.NaN(), nil, nil, nil)
	b.Append(1, int64(2), 1.0, num(1, 0), "b", nil)
	b.Append(1, int64(2), 1.0, num(1, 0), "c", nil)
	b.Append(0, int64(3), 1.0, num(1, 0), "c", nil)
	out := Consolidate(mem, b.Build())
	defer out.Release()
	want := []int64{2, 2, 1, 1}
	if out.NumRows() != len(want) {
		t.Fatalf("rows = %d, want %d", out.NumRows(), len(want))
	}
	for i, w := range out.Weights() {
		if w != want[i] {
			t.Errorf("weight %d = %d, want %d", i, w, want[i])
		}
	}
	if got := DatumAt(out.Col(2), 1).(types.NumericValue); got.Scale != 2 {
		t.Errorf("second row keeps scale %d, want 2", got.Scale)
	}
	// SQL equality still sees the first two rows as equal.
	if !RowsEqual(out.Cols(), 0, out.Cols(), 1) || RowsIdentical(out.Cols(), 0, out.Cols(), 1) {
		t.Error("rows 0 and 1 must be equal but not identical")
	}
}

func TestConsolidateAlreadyConsolidatedAndEmpty(t *testing.T) {
	mem := memory.NewCheckedAllocator(memory.NewGoAllocator())
	defer mem.AssertSize(t, 0)
	b := NewBuilder(mem, []types.T{types.Int64T})
	b.Append(1, int64(1))
	b.Append(-1, int64(2))
	in := b.Build()
	out := Consolidate(mem, in)
	if out.Record() != in.Record() {
		t.Error("consolidated input was copied")
	}
	out.Release()
	b = NewBuilder(mem, []types.T{types.Int64T})
	b.Append(1, int64(1))
	b.Append(-1, int64(1))
	out = Consolidate(mem, b.Build())
	if !out.Empty() {
		t.Errorf("rows = %d, want 0", out.NumRows())
	}
	out.Release()
	e := Empty(mem, []types.T{types.TextT, types.NumericT})
	if e.NumRows() != 0 || e.NumCols() != 2 {
		t.Errorf("Empty: %d rows %d cols", e.NumRows(), e.NumCols())
	}
	e.Release()
}

func TestHashEqualKeysAgree(t *testing.T) {
	mem := memory.NewCheckedAllocator(memory.NewGoAllocator())
	defer mem.AssertSize(t, 0)
	ts := []types.T{types.NumericT, types.Float32T, types.BoolT, types.DateT, types.TimestampT, types.Int16T}
	b := NewBuilder(mem, ts)
	b.Append(1, num(-1200, 3), float64(float32(0.5)), true, types.DateValue(3), types.TimestampValue(7), int64(-4))
	b.Append(1, num(-12, 1), float64(float32(0.5)), true, types.DateValue(3), types.TimestampValue(7), int64(-4))
	b.Append(1, num(-12, 0), float64(float32(0.5)), true, types.DateValue(3), types.TimestampValue(7), int64(-4))
	b.Append(1, nil, nil, nil, nil, nil, nil)
	bt := b.Build()
	defer bt.Release()
	h := make([]uint64, 4)
	HashRows(bt.Cols(), h)
	keys := EncodeKeys(nil, bt.Cols(), 4)
	if h[0] != h[1] || string(keys[0]) != string(keys[1]) || !RowsEqual(bt.Cols(), 0, bt.Cols(), 1) {
		t.Error("-1.200 and -1.2 differ")
	}
	if string(keys[1]) == string(keys[2]) || RowsEqual(bt.Cols(), 1, bt.Cols(), 2) {
		t.Error("-1.2 and -12 equal")
	}
	if string(keys[3]) == string(keys[2]) || RowsEqual(bt.Cols(), 3, bt.Cols(), 2) {
		t.Error("NULL row equals a value row")
	}
}

func TestCompareDatum(t *testing.T) {
	cases := []struct {
		a, b types.Datum
		want int
	}{
		{num(15, 1), num(150, 2), 0},
		{num(15, 1), num(2, 0), -1},
		{num(-3, 0), num(-25, 1), -1},
		{math.NaN(), math.Inf(1), 1},
		{math.NaN(), math.NaN(), 0},
		{types.IntervalValue{Months: 1}, types.IntervalValue{Days: 30}, 0},
		{types.IntervalValue{Days: 1}, types.IntervalValue{Micros: 86_400_000_001}, -1},
		{"a", "b", -1},
		{false, true, -1},
		// 10^37 cannot be rescaled by 30 digits in 128 bits: the big.Int path.
		{types.NumericValue{Coef: decimal128.FromI64(1).IncreaseScaleBy(37)}, num(5, 30), 1},
		{types.NumericValue{Coef: decimal128.FromI64(-1).IncreaseScaleBy(37)}, num(-5, 30), -1},
		{types.NumericValue{Coef: decimal128.FromI64(3).IncreaseScaleBy(36), Scale: 2}, types.NumericValue{Coef: decimal128.FromI64(3).IncreaseScaleBy(34)}, 0},
	}
	for _, c := range cases {
		if got := CompareDatum(c.a, c.b); got != c.want {
			t.Errorf("CompareDatum(%v, %v) = %d, want %d", c.a, c.b, got, c.want)
		}
	}
	if c := CompareRows([]types.Datum{nil}, []types.Datum{int64(1)}, []SortKey{{Col: 0, Desc: true, NullsFirst: true}}); c != -1 {
		t.Errorf("DESC NULLS FIRST: %d", c)
	}
}

func TestConcatTake(t *testing.T) {
	mem := memory.NewCheckedAllocator(memory.NewGoAllocator())
	defer mem.AssertSize(t, 0)
	ts := []types.T{types.TextT, types.IntervalT}
	b1 := NewBuilder(mem, ts)
	b1.Append(1, "x", types.IntervalValue{Days: 1})
	b2 := NewBuilder(mem, ts)
	b2.Append(-2, nil, nil)
	x, y := b1.Build(), b2.Build()
	c := Concat(mem, []Batch{x, {}, y})
	x.Release()
	y.Release()
	defer c.Release()
	if c.NumRows() != 2 || c.Weights()[1] != -2 {
		t.Fatalf("concat: %d rows", c.NumRows())
	}
	tk := Take(mem, c, []int32{1, 0, 1}, []int64{5, 6, 7})
	defer tk.Release()
	if got := RowAt(tk.Cols(), 1); got[0] != "x" || got[1] != (types.IntervalValue{Days: 1}) || tk.Weights()[2] != 7 || !tk.Col(0).IsNull(2) {
		t.Errorf("take: %v", got)
	}
}
