package rowcodec

import (
	"math/rand/v2"
	"testing"

	"github.com/apache/arrow-go/v18/arrow/memory"
)

// FuzzDecode feeds arbitrary bytes to DecodeKey and DecodeValue over every type: they must
// return an error or decode, never panic.
func FuzzDecode(f *testing.F) {
	mem := memory.NewGoAllocator()
	c := New(allTypes)
	all := seq(0, len(allTypes))
	cols := randomColumns(f, mem, rand.New(rand.NewPCG(7, 7)), allTypes, 4, genOpts{nullEvery: 3})
	for row := 0; row < 4; row++ {
		f.Add(c.AppendKey(nil, cols, row, all), c.AppendValue(nil, cols, row, all))
	}
	release(cols)
	f.Fuzz(func(t *testing.T, key, val []byte) {
		d := c.NewDecoder(mem)
		defer d.Release()
		_ = d.DecodeKey(key, all)
		_ = d.DecodeValue(val, all)
		release(d.Finish())
	})
}
