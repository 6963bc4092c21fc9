package rowcodec

import (
	"bytes"
	"math/rand/v2"
	"sort"
	"testing"

	"github.com/apache/arrow-go/v18/arrow"
	"github.com/apache/arrow-go/v18/arrow/array"
	"github.com/apache/arrow-go/v18/arrow/memory"

	"github.com/runnel-db/runnel/exec/types"
)

// randomArrays returns n random values of type at (small elements, NULL arrays and elements, empty
// arrays) so that equal, prefix and NULL-element cases are frequent.
func randomArrays(r *rand.Rand, at types.T, n int) []types.Datum {
	out := make([]types.Datum, n)
	for i := range out {
		if r.IntN(8) == 0 {
			continue // NULL array
		}
		a := types.ArrayValue{}
		for k := r.IntN(4); k > 0; k-- {
			switch {
			case r.IntN(5) == 0:
				a = append(a, nil)
			case at.Elem == types.Text:
				a = append(a, string(rune('a'+r.IntN(3)))+string(make([]byte, r.IntN(2))))
			default:
				a = append(a, int64(r.IntN(5)-2))
			}
		}
		out[i] = a
	}
	return out
}

// TestArrayRoundTripAndOrder round-trips array columns through keys and values, and checks that
// key order is PostgreSQL's array order (array_cmp) with equal keys exactly for equal arrays.
func TestArrayRoundTripAndOrder(t *testing.T) {
	mem := memory.NewCheckedAllocator(memory.NewGoAllocator())
	defer mem.AssertSize(t, 0)
	r := rand.New(rand.NewPCG(7, 7))
	intArr, _ := types.ArrayOf(types.Int32T)
	colTypes := []types.T{intArr, types.TextArrayT, types.Int2VectorT}
	c := New(colTypes)
	const n = 300
	cols := make([]arrow.Array, len(colTypes))
	for i, ct := range colTypes {
		cols[i] = types.MakeArray(mem, ct, randomArrays(r, ct, n))
	}
	defer release(cols)
	for _, split := range []struct{ keyCols, valCols []int }{
		{seq(0, 3), nil}, {nil, seq(0, 3)}, {[]int{1}, []int{0, 2}},
	} {
		got := roundTrip(t, mem, c, cols, split.keyCols, split.valCols)
		for i := range cols {
			if !array.Equal(cols[i], got[i]) {
				t.Fatalf("split %v: column %d differs:\nwant %v\ngot  %v", split, i, cols[i], got[i])
			}
		}
		release(got)
	}
	// Key order against types.CompareArrays (NULL arrays first, as AppendKey puts them).
	keys := make([][]byte, n)
	for i := range keys {
		keys[i] = c.AppendKey(nil, cols, i, []int{0})
	}
	idx := seq(0, n)
	sort.Slice(idx, func(a, b int) bool { return bytes.Compare(keys[idx[a]], keys[idx[b]]) < 0 })
	ref := func(i, j int) int {
		ni, nj := cols[0].IsNull(i), cols[0].IsNull(j)
		switch {
		case ni && nj:
			return 0
		case ni:
			return -1
		case nj:
			return 1
		}
		return types.CompareArrays(types.DatumAt(cols[0], i, intArr).(types.ArrayValue), types.DatumAt(cols[0], j, intArr).(types.ArrayValue), types.Int32T)
	}
	for k := 1; k < n; k++ {
		i, j := idx[k-1], idx[k]
		c := ref(i, j)
		if c > 0 {
			t.Fatalf("rows %d and %d out of order: %v then %v", i, j, types.DatumAt(cols[0], i, intArr), types.DatumAt(cols[0], j, intArr))
		}
		if (c == 0) != bytes.Equal(keys[i], keys[j]) {
			t.Fatalf("rows %d and %d: compare %d but keys equal %v", i, j, c, bytes.Equal(keys[i], keys[j]))
		}
	}
}

func TestArrayDecodeCorrupt(t *testing.T) {
	mem := memory.NewCheckedAllocator(memory.NewGoAllocator())
	defer mem.AssertSize(t, 0)
	intArr, _ := types.ArrayOf(types.Int32T)
	c := New([]types.T{intArr})
	for _, bad := range [][]byte{{0x01, 0x01}, {0x01, 0x01, 0x07}, {0x01, 0x09}} {
		d := c.NewDecoder(mem)
		if err := d.DecodeKey(bad, []int{0}); err == nil {
			t.Errorf("key %x decoded", bad)
		}
		d.Release()
	}
	for _, bad := range [][]byte{{0x00, 0x7f}, {0x00, 0x04, 0x00}} {
		d := c.NewDecoder(mem)
		if err := d.DecodeValue(bad, []int{0}); err == nil {
			t.Errorf("value %x decoded", bad)
		}
		d.Release()
	}
}
