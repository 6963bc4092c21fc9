package exec

import (
	"sort"

	"github.com/runnel-db/runnel/exec/types"
)

// topNInsertMax is the delta size up to which rows are inserted one by one.
var topNInsertMax = 16

// mergeSorted adds the delta rows (weights may be negative) to rows, a multiset sorted by
// compare without duplicates, and returns the result: binary-search inserts for a few rows, a
// sort and one merge pass for many (so a large initial load is O(n log n), not quadratic).
// Rows whose weight becomes zero are removed. delta is reordered.
func mergeSorted(rows, delta []*topNRow, compare func(a, b []types.Datum) int) []*topNRow {
	n := len(delta)
	if n <= topNInsertMax {
		for _, d := range delta {
			rows = insertSorted(rows, d, compare)
		}
		return rows
	}
	sort.Slice(delta, func(i, j int) bool { return compare(delta[i].vals, delta[j].vals) < 0 })
	merged := make([]*topNRow, 0, len(rows)+n)
	i, k := 0, 0
	for i < len(rows) || k < n {
		var c int
		switch {
		case i == len(rows):
			c = 1
		case k == n:
			c = -1
		default:
			c = compare(rows[i].vals, delta[k].vals)
		}
		switch {
		case c < 0:
			merged = append(merged, rows[i])
			i++
		case c > 0:
			if delta[k].w != 0 {
				merged = append(merged, delta[k])
			}
			k++
		default:
			r := rows[i]
			r.w += delta[k].w
			if r.w != 0 {
				merged = append(merged, r)
			}
			i++
			k++
		}
	}
	return merged
}

// insertSorted adds one delta row to rows by binary search.
func insertSorted(rows []*topNRow, d *topNRow, compare func(a, b []types.Datum) int) []*topNRow {
	pos := sort.Search(len(rows), func(k int) bool { return compare(rows[k].vals, d.vals) >= 0 })
	if pos < len(rows) && compare(rows[pos].vals, d.vals) == 0 {
		r := rows[pos]
		r.w += d.w
		if r.w == 0 {
			rows = append(rows[:pos], rows[pos+1:]...)
		}
		return rows
	}
	if d.w == 0 {
		return rows
	}
	rows = append(rows, nil)
	copy(rows[pos+1:], rows[pos:])
	rows[pos] = d
	return rows
}
