package exec

import (
	"math/rand"
	"sort"
	"testing"

	"github.com/runnel-db/runnel/exec/types"
	"github.com/runnel-db/runnel/exec/zset"
)

// windowTypes are (partition, order key, value).
var windowTypes = []types.T{types.Int64T, types.Int64T, types.Int64T}

func genWindowRow(rng *rand.Rand) []types.Datum {
	return []types.Datum{maybeNull(rng, int64(rng.Intn(3))), maybeNull(rng, int64(rng.Intn(4))), maybeNull(rng, int64(rng.Intn(10)))}
}

// refKeyCompare orders rows by the sort keys only.
func refKeyCompare(a, b []types.Datum, keys []zset.SortKey) int {
	only := func(row []types.Datum) []types.Datum {
		k := make([]types.Datum, len(row))
		for _, sk := range keys {
			k[sk.Col] = row[sk.Col]
		}
		return k
	}
	return refCompare(only(a), only(b), keys)
}

// refWindow computes f for every row of a partition sorted by refCompare, straight from the
// definitions: each row is compared with every other row.
func refWindow(f WindowFunc, rows [][]types.Datum, keys []zset.SortKey) []types.Datum {
	n := len(rows)
	peer := func(i, j int) bool { return refKeyCompare(rows[i], rows[j], keys) == 0 }
	orderLess := func(j, i int) bool { return refKeyCompare(rows[j], rows[i], keys) < 0 }
	frame := func(i int) []int { // rows of row i's frame, from the definitions
		var in []int
		for j := 0; j < n; j++ {
			startOK, endOK := true, true
			switch st := f.Frame.Start; st.Kind {
			case OffsetPreceding:
				startOK = j >= i-int(st.Offset)
			case CurrentRow:
				startOK = j >= i
				if !f.Frame.Rows {
					startOK = !orderLess(j, i)
				}
			case OffsetFollowing:
				startOK = j >= i+int(st.Offset)
			}
			switch en := f.Frame.End; en.Kind {
			case OffsetPreceding:
				endOK = j <= i-int(en.Offset)
			case CurrentRow:
				endOK = j <= i
				if !f.Frame.Rows {
					endOK = !orderLess(i, j)
				}
			case OffsetFollowing:
				endOK = j <= i+int(en.Offset)
			}
			if startOK && endOK {
				in = append(in, j)
			}
		}
		return in
	}
	res := make([]types.Datum, n)
	for i := range rows {
		var before, distinctBefore, upTo int
		seen := map[string]bool{}
		for j := range rows {
			if orderLess(j, i) {
				before++
				if k := fmtRow(rows[j][1:2]); !seen[k] {
					seen[k] = true
					distinctBefore++
				}
			}
			if orderLess(j, i) || peer(i, j) {
				upTo++
			}
		}
		switch f.Name {
		case "row_number":
			res[i] = int64(i + 1)
		case "rank":
			res[i] = int64(before + 1)
		case "dense_rank":
			res[i] = int64(distinctBefore + 1)
		case "percent_rank":
			res[i] = float64(0)
			if n > 1 {
				res[i] = float64(before) / float64(n-1)
			}
		case "cume_dist":
			res[i] = float64(upTo) / float64(n)
		case "lag":
			if i > 0 {
				res[i] = rows[i-1][2]
			}
		case "lead":
			if i+1 < n {
				res[i] = rows[i+1][2]
			}
		case "first_value":
			if fr := frame(i); len(fr) > 0 {
				res[i] = rows[fr[0]][2]
			}
		case "last_value":
			if fr := frame(i); len(fr) > 0 {
				res[i] = rows[fr[len(fr)-1]][2]
			}
		case "count":
			c := int64(0)
			for _, j := range frame(i) {
				if len(f.Args) == 0 || rows[j][2] != nil {
					c++
				}
			}
			res[i] = c
		case "max":
			var m types.Datum
			for _, j := range frame(i) {
				if v := rows[j][2]; v != nil && (m == nil || v.(int64) > m.(int64)) {
					m = v
				}
			}
			res[i] = m
		}
	}
	return res
}

func TestWindowOracle(t *testing.T) {
	rows := func(start, end FrameBound) WindowFrame { return WindowFrame{Rows: true, Start: start, End: end} }
	unboundedPreceding, current := FrameBound{Kind: UnboundedPreceding}, FrameBound{Kind: CurrentRow}
	preceding := func(k int64) FrameBound { return FrameBound{Kind: OffsetPreceding, Offset: k} }
	following := func(k int64) FrameBound { return FrameBound{Kind: OffsetFollowing, Offset: k} }
	everything := WindowFrame{Start: unboundedPreceding, End: FrameBound{Kind: UnboundedFollowing}}
	funcs := []WindowFunc{
		{Name: "row_number", Frame: DefaultFrame, ResultType: types.Int64T},
		{Name: "rank", ResultType: types.Int64T},
		{Name: "dense_rank", ResultType: types.Int64T},
		{Name: "percent_rank", ResultType: types.Float64T},
		{Name: "cume_dist", ResultType: types.Float64T},
		{Name: "lag", Args: []int{2}, ResultType: types.Int64T},
		{Name: "lead", Args: []int{2}, ResultType: types.Int64T},
		{Name: "first_value", Args: []int{2}, Frame: DefaultFrame, ResultType: types.Int64T},
		{Name: "last_value", Args: []int{2}, Frame: DefaultFrame, ResultType: types.Int64T},
		{Name: "last_value", Args: []int{2}, Frame: rows(unboundedPreceding, current), ResultType: types.Int64T},
		{Name: "first_value", Args: []int{2}, Frame: rows(preceding(1), following(1)), ResultType: types.Int64T},
		{Name: "last_value", Args: []int{2}, Frame: rows(following(1), following(2)), ResultType: types.Int64T},
		{Name: "count", Frame: DefaultFrame, ResultType: types.Int64T},
		{Name: "count", Args: []int{2}, Frame: rows(unboundedPreceding, current), ResultType: types.Int64T},
		{Name: "count", Args: []int{2}, Frame: rows(preceding(2), preceding(1)), ResultType: types.Int64T},
		{Name: "max", Args: []int{2}, Frame: DefaultFrame, ResultType: types.Int64T},
		{Name: "max", Args: []int{2}, Frame: everything, ResultType: types.Int64T},
		{Name: "max", Args: []int{2}, Frame: rows(preceding(1), current), ResultType: types.Int64T},
		{Name: "max", Args: []int{2}, Frame: WindowFrame{Start: current, End: FrameBound{Kind: UnboundedFollowing}}, ResultType: types.Int64T},
	}
	configs := []struct {
		partition []int
		keys      []zset.SortKey
	}{
		{[]int{0}, []zset.SortKey{{Col: 1}}},
		{nil, []zset.SortKey{{Col: 1, Desc: true, NullsFirst: true}}},
		{[]int{0}, nil},
		{[]int{0, 1}, []zset.SortKey{{Col: 1}}},
	}
	defer func(v int) { topNInsertMax = v }(topNInsertMax)
	for ci, cfg := range configs {
		for seed := int64(1); seed <= 25; seed++ {
			topNInsertMax = int(seed % 2 * 16)
			oracle(t, seed*10+int64(ci), 30, func() Operator { return NewWindow(windowTypes, cfg.partition, cfg.keys, funcs) },
				[][]types.T{windowTypes}, []func(*rand.Rand) []types.Datum{genWindowRow},
				func(rels []*relation) zmap {
					parts := map[string][][]types.Datum{}
					var names []string
					rels[0].each(func(row []types.Datum, n int64) {
						var key []types.Datum
						for _, c := range cfg.partition {
							key = append(key, row[c])
						}
						k := fmtRow(key)
						if _, ok := parts[k]; !ok {
							names = append(names, k)
						}
						for ; n > 0; n-- {
							parts[k] = append(parts[k], row)
						}
					})
					want := zmap{}
					for _, k := range names {
						rows := parts[k]
						// Peers are ordered by the whole row as the operator does (their order is
						// the implementation's choice in SQL).
						sort.SliceStable(rows, func(i, j int) bool {
							if c := refKeyCompare(rows[i], rows[j], cfg.keys); c != 0 {
								return c < 0
							}
							return zset.CompareFull(rows[i], rows[j]) < 0
						})
						results := make([][]types.Datum, len(funcs))
						for f := range funcs {
							results[f] = refWindow(funcs[f], rows, cfg.keys)
						}
						for i, r := range rows {
							out := append([]types.Datum{}, r...)
							for f := range funcs {
								out = append(out, results[f][i])
							}
							want.add(out, 1)
						}
					}
					return want
				})
		}
	}
}

func TestNtile(t *testing.T) {
	// PostgreSQL: ntile(3) over 7 rows is 1,1,1,2,2,3,3; ntile(5) over 3 rows is 1,2,3.
	for _, c := range []struct {
		n, k int64
		want []int64
	}{{7, 3, []int64{1, 1, 1, 2, 2, 3, 3}}, {3, 5, []int64{1, 2, 3}}, {4, 2, []int64{1, 1, 2, 2}}} {
		for i := int64(0); i < c.n; i++ {
			if got := ntile(i, c.n, c.k); got != c.want[i] {
				t.Errorf("ntile(%d) row %d of %d = %d, want %d", c.k, i, c.n, got, c.want[i])
			}
		}
	}
}
