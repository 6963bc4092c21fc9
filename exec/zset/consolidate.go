package zset

import (
	"github.com/apache/arrow-go/v18/arrow/memory"
)

// Consolidate is the one consolidation function of Runnel: it returns b with identical rows
// merged (weights summed) and zero-weight rows dropped, so that the result is *consolidated* (no
// two rows identical under RowsIdentical, no zero weight). Identity, not SQL equality: 3 and 3.0
// are different rows of a Z-set, so replacing one by the other is a change. It hashes every row
// (HashRows) into an open-addressing table whose chains are resolved with RowsIdentical, so hash
// collisions never merge distinct rows. The surviving rows keep the order of their first
// occurrence.
//
// Consolidate takes ownership of b. When b is already consolidated it is returned as is, and a
// batch Consolidate returned is not hashed again.
func Consolidate(mem memory.Allocator, b Batch) Batch {
	if b.consolidated {
		return b
	}
	out := consolidate(mem, b)
	out.consolidated = true
	return out
}

func consolidate(mem memory.Allocator, b Batch) Batch {
	n := b.NumRows()
	w := b.Weights()
	if n <= 1 {
		if n == 1 && w[0] == 0 {
			out := Take(mem, b, nil, nil)
			b.Release()
			return out
		}
		return b
	}
	cols := b.Cols()
	hashes := make([]uint64, n)
	HashRows(cols, hashes)

	size := 1
	for size < 2*n {
		size <<= 1
	}
	mask := uint64(size - 1)
	slots := make([]int32, size) // representative row + 1; 0 = empty
	sums := make([]int64, n)     // indexed by representative row
	reps := make([]int32, 0, n)  // representatives in first-occurrence order
	merged := false
	for i := 0; i < n; i++ {
		h := hashes[i]
		for p := h & mask; ; p = (p + 1) & mask {
			s := slots[p]
			if s == 0 {
				slots[p] = int32(i) + 1
				sums[i] = w[i]
				reps = append(reps, int32(i))
				break
			}
			r := int(s - 1)
			if hashes[r] == h && RowsIdentical(cols, r, cols, i) {
				sums[r] += w[i]
				merged = true
				break
			}
		}
	}
	keep := reps[:0]
	var weights []int64
	for _, r := range reps {
		if sums[r] != 0 {
			keep = append(keep, r)
			weights = append(weights, sums[r])
		}
	}
	if !merged && len(keep) == n {
		return b
	}
	out := Take(mem, b, keep, weights)
	b.Release()
	return out
}

// IsConsolidated reports whether b is consolidated: no zero weight and no two identical rows.
// It costs a hash of every row; operators call it only under the invariants build tag.
func IsConsolidated(b Batch) bool {
	n := b.NumRows()
	for _, w := range b.Weights() {
		if w == 0 {
			return false
		}
	}
	if n <= 1 {
		return true
	}
	cols := b.Cols()
	hashes := make([]uint64, n)
	HashRows(cols, hashes)
	seen := make(map[uint64][]int32, n)
	for i, h := range hashes {
		for _, j := range seen[h] {
			if RowsIdentical(cols, int(j), cols, i) {
				return false
			}
		}
		seen[h] = append(seen[h], int32(i))
	}
	return true
}
