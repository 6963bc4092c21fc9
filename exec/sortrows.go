package exec

import (
	"sort"

	"github.com/runnel-db/runnel/exec/expr"
	"github.com/runnel-db/runnel/exec/types"
	"github.com/runnel-db/runnel/exec/zset"
)

// SortRows returns b's rows for presentation: each row repeated weight times with weight 1,
// sorted by keys (stable: rows equal under keys keep their order in b). Borrows b. A row with
// a non-positive weight is an internal error (a query result is a set with multiplicities).
func SortRows(ctx *expr.Context, b zset.Batch, keys []zset.SortKey) (zset.Batch, error) {
	n := b.NumRows()
	var idx []int32
	for i, w := range b.Weights() {
		if w <= 0 {
			return zset.Batch{}, internalf("SortRows: row %d has weight %d", i, w)
		}
		for ; w > 0; w-- {
			idx = append(idx, int32(i))
		}
	}
	if len(keys) > 0 && n > 1 {
		rows := make([][]types.Datum, n)
		for i := range rows {
			rows[i] = zset.RowAt(b.Cols(), i)
		}
		sort.SliceStable(idx, func(x, y int) bool {
			return zset.CompareRows(rows[idx[x]], rows[idx[y]], keys) < 0
		})
	}
	ones := make([]int64, len(idx))
	for i := range ones {
		ones[i] = 1
	}
	return zset.Take(ctx.Allocator(), b, idx, ones), nil
}
