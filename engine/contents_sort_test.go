package engine

import (
	"bytes"
	"math/rand"
	"strings"
	"testing"

	"github.com/apache/arrow-go/v18/arrow"
	"github.com/apache/arrow-go/v18/arrow/array"
	"github.com/apache/arrow-go/v18/arrow/memory"

	"github.com/runnel-db/runnel/exec/types"
	"github.com/runnel-db/runnel/planner"
)

// TestSortedKeysOrder: sortedKeys orders rows by their storage keys byte-wise, for keys shorter
// and longer than the 16 bytes it compares as integers, prefixes of each other and duplicates.
func TestSortedKeysOrder(t *testing.T) {
	rng := rand.New(rand.NewSource(1))
	o := &object{ID: 5, Kind: planner.Table, Columns: []planner.RelColumn{{Name: "a", Type: types.TextT}, {Name: "b", Type: types.Int64T}}}
	l := layoutOf(o)
	for round := 0; round < 50; round++ {
		tb := array.NewStringBuilder(memory.DefaultAllocator)
		ib := array.NewInt64Builder(memory.DefaultAllocator)
		n := 1 + rng.Intn(300)
		for i := 0; i < n; i++ {
			tb.Append(strings.Repeat("x", rng.Intn(20)) + string(rune('a'+rng.Intn(3))))
			if rng.Intn(5) == 0 {
				ib.AppendNull()
			} else {
				ib.Append(rng.Int63n(5) - 2)
			}
		}
		cols := []arrow.Array{tb.NewArray(), ib.NewArray()}
		k := l.sortedKeys(cols, n)
		for i := 1; i < n; i++ {
			if bytes.Compare(k.key(k.order[i-1]), k.key(k.order[i])) > 0 {
				t.Fatalf("round %d: key %x sorted before %x", round, k.key(k.order[i-1]), k.key(k.order[i]))
			}
		}
	}
}
