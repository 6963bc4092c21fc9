package exec

import (
	"fmt"
	"sort"
	"strings"

	"github.com/runnel-db/runnel/exec/expr"
	"github.com/runnel-db/runnel/exec/types"
	"github.com/runnel-db/runnel/exec/zset"
)

// topNOp is the incremental ORDER BY ... LIMIT/OFFSET over its whole input: it keeps the
// input multiset sorted by the sort keys, ties broken by the whole row so that the window is
// deterministic, and emits the change of the rows at positions [offset, offset+limit).
// Non-linear; the sorted multiset is its persisted state.
type topNOp struct {
	colTypes      []types.T
	keys          []zset.SortKey
	limit, offset int64
	rows          []*topNRow // sorted by less
}

type topNRow struct {
	vals []types.Datum
	w    int64
}

type windowItem struct {
	row *topNRow
	n   int64
}

var _ Operator = (*topNOp)(nil)

// NewTopN returns the incremental top-N over rows of colTypes ordered by keys; limit -1 means
// no limit.
func NewTopN(colTypes []types.T, keys []zset.SortKey, limit, offset int64) Operator {
	return &topNOp{colTypes: colTypes, keys: keys, limit: limit, offset: offset}
}

func (t *topNOp) Explain() string {
	parts := make([]string, len(t.keys))
	for i, k := range t.keys {
		parts[i] = sortKeyString(k)
	}
	s := "TopN order by " + strings.Join(parts, ", ")
	if t.limit >= 0 {
		s += fmt.Sprintf(" limit %d", t.limit)
	}
	if t.offset > 0 {
		s += fmt.Sprintf(" offset %d", t.offset)
	}
	return s
}

func sortKeyString(k zset.SortKey) string {
	s := fmt.Sprintf("#%d", k.Col)
	if k.Desc {
		s += " DESC"
	}
	if k.NullsFirst != k.Desc {
		if k.NullsFirst {
			s += " NULLS FIRST"
		} else {
			s += " NULLS LAST"
		}
	}
	return s
}

func (t *topNOp) compare(a, b []types.Datum) int {
	if c := zset.CompareRows(a, b, t.keys); c != 0 {
		return c
	}
	return zset.CompareFull(a, b)
}

// window lists the rows at positions [offset, offset+limit) with their multiplicity there.
func (t *topNOp) window() []windowItem {
	var out []windowItem
	skip, take := t.offset, t.limit
	for _, r := range t.rows {
		if take == 0 {
			break
		}
		n := r.w
		if skip > 0 {
			s := min(skip, n)
			skip -= s
			n -= s
		}
		if n <= 0 {
			continue
		}
		if take > 0 {
			n = min(n, take)
			take -= n
		}
		out = append(out, windowItem{row: r, n: n})
	}
	return out
}

// topNInsertMax is the delta size up to which rows are inserted one by one.
var topNInsertMax = 16

// apply adds the delta to the sorted multiset: binary-search inserts for a few rows, a sort
// and one merge pass for many (so a large initial load is O(n log n), not quadratic).
func (t *topNOp) apply(b zset.Batch) {
	n := b.NumRows()
	delta := make([]*topNRow, n)
	for i, w := range b.Weights() {
		delta[i] = &topNRow{vals: zset.RowAt(b.Cols(), i), w: w}
	}
	if n <= topNInsertMax {
		for _, d := range delta {
			t.insert(d)
		}
		return
	}
	sort.Slice(delta, func(i, j int) bool { return t.compare(delta[i].vals, delta[j].vals) < 0 })
	merged := make([]*topNRow, 0, len(t.rows)+n)
	i, k := 0, 0
	for i < len(t.rows) || k < n {
		var c int
		switch {
		case i == len(t.rows):
			c = 1
		case k == n:
			c = -1
		default:
			c = t.compare(t.rows[i].vals, delta[k].vals)
		}
		switch {
		case c < 0:
			merged = append(merged, t.rows[i])
			i++
		case c > 0:
			merged = append(merged, delta[k])
			k++
		default:
			r := t.rows[i]
			r.w += delta[k].w
			if r.w != 0 {
				merged = append(merged, r)
			}
			i++
			k++
		}
	}
	t.rows = merged
}

// insert adds one delta row by binary search.
func (t *topNOp) insert(d *topNRow) {
	pos := sort.Search(len(t.rows), func(k int) bool { return t.compare(t.rows[k].vals, d.vals) >= 0 })
	if pos < len(t.rows) && t.compare(t.rows[pos].vals, d.vals) == 0 {
		r := t.rows[pos]
		r.w += d.w
		if r.w == 0 {
			t.rows = append(t.rows[:pos], t.rows[pos+1:]...)
		}
		return
	}
	t.rows = append(t.rows, nil)
	copy(t.rows[pos+1:], t.rows[pos:])
	t.rows[pos] = d
}

func (t *topNOp) Step(ctx *expr.Context, in []zset.Batch) (zset.Batch, error) {
	if err := checkArity("topn", in, 1); err != nil {
		return zset.Batch{}, err
	}
	b := in[0]
	mem := ctx.Allocator()
	if b.NumRows() == 0 {
		return zset.Empty(mem, t.colTypes), nil
	}
	before := t.window()
	t.apply(b)
	after := t.window()

	// Both windows are sorted: merge them and emit the multiplicity differences.
	out := zset.NewBuilder(mem, t.colTypes)
	i, k := 0, 0
	for i < len(before) || k < len(after) {
		var c int
		switch {
		case i == len(before):
			c = 1
		case k == len(after):
			c = -1
		default:
			c = t.compare(before[i].row.vals, after[k].row.vals)
		}
		switch {
		case c < 0:
			out.AppendRow(before[i].row.vals, -before[i].n)
			i++
		case c > 0:
			out.AppendRow(after[k].row.vals, after[k].n)
			k++
		default:
			if d := after[k].n - before[i].n; d != 0 {
				out.AppendRow(after[k].row.vals, d)
			}
			i++
			k++
		}
	}
	return zset.Consolidate(mem, out.Build()), nil
}

// SortKey is zset.SortKey, re-exported so that plans can name it from this package.
type SortKey = zset.SortKey

func (t *topNOp) stateColumns(input int) []bool { return allColumns(len(t.colTypes)) }
