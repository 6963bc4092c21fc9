package rowcodec

import (
	"math/rand/v2"
	"testing"

	"github.com/apache/arrow-go/v18/arrow/array"
	"github.com/apache/arrow-go/v18/arrow/memory"
)

// TestDecodeKeyExceptRestoresExactForms stores every column in the key and the lossy ones also in
// the value, and checks that decoding with DecodeKeyExcept + DecodeValue gives back every value
// exactly (NUMERIC display scale and INTERVAL fields included), many rows per decoder so the
// discard builders are emptied along the way.
func TestDecodeKeyExceptRestoresExactForms(t *testing.T) {
	mem := memory.NewCheckedAllocator(memory.NewGoAllocator())
	defer mem.AssertSize(t, 0)
	r := rand.New(rand.NewPCG(3, 4))
	const n = 3000
	cols := randomColumns(t, mem, r, allTypes, n, genOpts{nullEvery: 5})
	defer func() {
		for _, c := range cols {
			c.Release()
		}
	}()
	c := New(allTypes)
	keyCols := make([]int, len(allTypes))
	except := make([]bool, len(allTypes))
	var valueCols []int
	for i, t := range allTypes {
		keyCols[i] = i
		if name := t.String(); name == "numeric" || name == "interval" {
			except[i] = true
			valueCols = append(valueCols, i)
		}
	}
	if len(valueCols) != 2 {
		t.Fatalf("expected numeric and interval among allTypes, got %v", valueCols)
	}
	dec := c.NewDecoder(mem)
	defer dec.Release()
	for i := 0; i < n; i++ {
		key := c.AppendKey(nil, cols, i, keyCols)
		val := c.AppendValue(nil, cols, i, valueCols)
		if err := dec.DecodeKeyExcept(key, keyCols, except); err != nil {
			t.Fatal(err)
		}
		if err := dec.DecodeValue(val, valueCols); err != nil {
			t.Fatal(err)
		}
	}
	got := dec.Finish()
	defer func() {
		for _, g := range got {
			g.Release()
		}
	}()
	for ci := range cols {
		if !array.Equal(cols[ci], got[ci]) {
			t.Errorf("column %d (%s) differs after the round trip", ci, allTypes[ci])
		}
	}
}
