package exec

import (
	"math/rand"
	"sort"
	"testing"

	"github.com/runnel-db/runnel/exec/expr"
	"github.com/runnel-db/runnel/exec/types"
	"github.com/runnel-db/runnel/exec/zset"
)

// refCompare orders rows by keys, then by every column ascending with NULLs last.
func refCompare(a, b []types.Datum, keys []zset.SortKey) int {
	cmp := func(x, y types.Datum, desc, nullsFirst bool) int {
		switch {
		case x == nil && y == nil:
			return 0
		case x == nil && nullsFirst, y == nil && !nullsFirst:
			return -1
		case x == nil, y == nil:
			return 1
		}
		c := zset.CompareDatum(x, y)
		if desc {
			return -c
		}
		return c
	}
	for _, k := range keys {
		if c := cmp(a[k.Col], b[k.Col], k.Desc, k.NullsFirst); c != 0 {
			return c
		}
	}
	for i := range a {
		if c := cmp(a[i], b[i], false, false); c != 0 {
			return c
		}
	}
	return 0
}

func TestTopNOracle(t *testing.T) {
	configs := []struct {
		keys          []zset.SortKey
		limit, offset int64
	}{
		{[]zset.SortKey{{Col: 0, Desc: true, NullsFirst: true}}, 3, 0},
		{[]zset.SortKey{{Col: 1}, {Col: 0, Desc: true}}, 4, 2},
		{[]zset.SortKey{{Col: 0, NullsFirst: true}}, -1, 3},
		{[]zset.SortKey{{Col: 1, Desc: true}}, 1, 0},
		{nil, 2, 1},
	}
	defer func(v int) { topNInsertMax = v }(topNInsertMax)
	for ci, cfg := range configs {
		for seed := int64(1); seed <= 30; seed++ {
			topNInsertMax = int(seed % 2 * 16) // odd seeds: inserts; even seeds: sort and merge
			oracle(t, seed*10+int64(ci), 30, func() Operator { return NewTopN(kvTypes, cfg.keys, cfg.limit, cfg.offset) },
				[][]types.T{kvTypes}, []func(*rand.Rand) []types.Datum{genKV},
				func(rels []*relation) zmap {
					var all [][]types.Datum
					rels[0].each(func(row []types.Datum, n int64) {
						for ; n > 0; n-- {
							all = append(all, row)
						}
					})
					sort.SliceStable(all, func(i, j int) bool { return refCompare(all[i], all[j], cfg.keys) < 0 })
					want := zmap{}
					for i, row := range all {
						if int64(i) >= cfg.offset && (cfg.limit < 0 || int64(i) < cfg.offset+cfg.limit) {
							want.add(row, 1)
						}
					}
					return want
				})
		}
	}
}

func TestSortRows(t *testing.T) {
	mem := newMem(t)
	ctx := &expr.Context{Mem: mem}
	b := zset.NewBuilder(mem, kvTypes)
	b.Append(2, int64(3), "a")
	b.Append(1, nil, "b")
	b.Append(1, int64(1), "c")
	in := b.Build()
	defer in.Release()
	out, err := SortRows(ctx, in, []zset.SortKey{{Col: 0, Desc: true, NullsFirst: true}})
	if err != nil {
		t.Fatal(err)
	}
	defer out.Release()
	var got []string
	for i, w := range out.Weights() {
		if w != 1 {
			t.Errorf("weight %d", w)
		}
		got = append(got, fmtRow(zset.RowAt(out.Cols(), i)))
	}
	want := []string{"NULL|string:b", "int64:3|string:a", "int64:3|string:a", "int64:1|string:c"}
	if len(got) != len(want) {
		t.Fatalf("got %v", got)
	}
	for i := range want {
		if got[i] != want[i] {
			t.Errorf("row %d = %s, want %s", i, got[i], want[i])
		}
	}
}
