package rowcodec

import (
	"errors"
	"math/rand/v2"
	"testing"

	"github.com/apache/arrow-go/v18/arrow"
	"github.com/apache/arrow-go/v18/arrow/array"
	"github.com/apache/arrow-go/v18/arrow/memory"

	"github.com/runnel-db/runnel/exec/types"
	"github.com/runnel-db/runnel/storage/encoding"
)

// roundTrip encodes every row of cols with keyCols in the key and valueCols in the value,
// decodes them all with one Decoder and returns the decoded columns.
func roundTrip(t *testing.T, mem memory.Allocator, c *Codec, cols []arrow.Array, keyCols, valueCols []int) []arrow.Array {
	t.Helper()
	d := c.NewDecoder(mem)
	defer d.Release()
	var key, val []byte
	for row := 0; row < cols[0].Len(); row++ {
		key = c.AppendKey(key[:0], cols, row, keyCols)
		val = c.AppendValue(val[:0], cols, row, valueCols)
		if err := d.DecodeKey(key, keyCols); err != nil {
			t.Fatalf("row %d: %v", row, err)
		}
		if err := d.DecodeValue(val, valueCols); err != nil {
			t.Fatalf("row %d: %v", row, err)
		}
	}
	if d.Len() != cols[0].Len() {
		t.Fatalf("Len = %d, want %d", d.Len(), cols[0].Len())
	}
	return d.Finish()
}

func assertEqualColumns(t *testing.T, want, got []arrow.Array) {
	t.Helper()
	for i := range want {
		if !array.Equal(want[i], got[i]) {
			t.Fatalf("column %d (%s) differs:\nwant %v\ngot  %v", i, allTypes[i], want[i], got[i])
		}
	}
}

func TestRoundTripEveryType(t *testing.T) {
	mem := memory.NewCheckedAllocator(memory.NewGoAllocator())
	defer mem.AssertSize(t, 0)
	r := rand.New(rand.NewPCG(1, 1))
	c := New(allTypes)
	n := len(allTypes)
	splits := []struct {
		name             string
		keyCols, valCols []int
	}{
		{"all-value", nil, seq(0, n)},
		{"all-key", seq(0, n), nil},
		{"first-half-key", seq(0, n/2), seq(n/2, n)},
		{"reversed-key", []int{13, 7, 2, 6, 12, 0}, []int{1, 3, 4, 5, 8, 9, 10, 11}},
	}
	for _, nullEvery := range []int{0, 3} {
		// Canonical values (as key decoding returns them), so every split must round-trip exactly.
		cols := randomColumns(t, mem, r, allTypes, 300, genOpts{canonical: true, nullEvery: nullEvery})
		for _, s := range splits {
			got := roundTrip(t, mem, c, cols, s.keyCols, s.valCols)
			assertEqualColumns(t, cols, got)
			release(got)
		}
		release(cols)
		// Arbitrary values round-trip exactly through the value encoding.
		cols = randomColumns(t, mem, r, allTypes, 300, genOpts{nullEvery: nullEvery})
		got := roundTrip(t, mem, c, cols, nil, seq(0, n))
		assertEqualColumns(t, cols, got)
		release(got)
		release(cols)
	}
}

func TestFinishPadsUndecodedColumnsAndResets(t *testing.T) {
	mem := memory.NewCheckedAllocator(memory.NewGoAllocator())
	defer mem.AssertSize(t, 0)
	c := New([]types.T{types.Int64T, types.TextT, types.BoolT})
	cols := randomColumns(t, mem, rand.New(rand.NewPCG(2, 2)), c.Types(), 5, genOpts{canonical: true})
	defer release(cols)
	d := c.NewDecoder(mem)
	defer d.Release()
	for row := 0; row < 5; row++ {
		if err := d.DecodeKey(c.AppendKey(nil, cols, row, []int{0}), []int{0}); err != nil {
			t.Fatal(err)
		}
	}
	if d.Len() != 5 {
		t.Fatalf("Len = %d", d.Len())
	}
	out := d.Finish()
	if !array.Equal(out[0], cols[0]) || out[1].Len() != 5 || out[1].NullN() != 5 || out[2].NullN() != 5 {
		t.Fatalf("Finish: %v %v %v", out[0], out[1], out[2])
	}
	release(out)
	if d.Len() != 0 {
		t.Fatalf("Len after Finish = %d", d.Len())
	}
	out = d.Finish()
	if out[0].Len() != 0 {
		t.Fatalf("second Finish returned %d rows", out[0].Len())
	}
	release(out)
}

func TestDecodeRejectsCorruptInput(t *testing.T) {
	mem := memory.NewCheckedAllocator(memory.NewGoAllocator())
	defer mem.AssertSize(t, 0)
	c := New([]types.T{types.Int64T, types.TextT, types.NumericT})
	cols := randomColumns(t, mem, rand.New(rand.NewPCG(3, 3)), c.Types(), 1, genOpts{})
	defer release(cols)
	all := []int{0, 1, 2}
	key := c.AppendKey(nil, cols, 0, all)
	val := c.AppendValue(nil, cols, 0, all)
	for name, f := range map[string]func(d *Decoder) error{
		"key trailing":  func(d *Decoder) error { return d.DecodeKey(append(key, 0), all) },
		"key truncated": func(d *Decoder) error { return d.DecodeKey(key[:len(key)-1], all) },
		"key prefixed":  func(d *Decoder) error { return d.DecodeKey(append([]byte{7}, key...), all) },
		"val trailing":  func(d *Decoder) error { return d.DecodeValue(append(val, 0), all) },
		"val truncated": func(d *Decoder) error { return d.DecodeValue(val[:len(val)-1], all) },
		"val empty":     func(d *Decoder) error { return d.DecodeValue(nil, all) },
	} {
		d := c.NewDecoder(mem)
		if err := f(d); !errors.Is(err, encoding.ErrCorrupt) {
			t.Errorf("%s: got %v, want ErrCorrupt", name, err)
		}
		d.Release()
	}
}
