package zset

import "github.com/runnel-db/runnel/exec/types"

// SortKey orders rows by column Col, descending when Desc, NULLs before values when NullsFirst
// (PostgreSQL's defaults are NULLS LAST for ASC and NULLS FIRST for DESC; the planner fills
// NullsFirst explicitly).
type SortKey struct {
	Col        int
	Desc       bool
	NullsFirst bool
}

// CompareRows orders two Datum rows by keys. NULLS FIRST/LAST applies independently of Desc,
// as in PostgreSQL.
func CompareRows(a, b []types.Datum, keys []SortKey) int {
	for _, k := range keys {
		x, y := a[k.Col], b[k.Col]
		if x == nil || y == nil {
			if c := CompareNullable(x, y, k.NullsFirst); c != 0 {
				return c
			}
			continue
		}
		c := CompareDatum(x, y)
		if k.Desc {
			c = -c
		}
		if c != 0 {
			return c
		}
	}
	return 0
}

// CompareFull orders two Datum rows by all columns ascending, NULLs last: a total order used
// to break ties deterministically.
func CompareFull(a, b []types.Datum) int {
	for i := range a {
		if c := CompareNullable(a[i], b[i], false); c != 0 {
			return c
		}
	}
	return 0
}
