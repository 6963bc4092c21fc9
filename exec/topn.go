package exec

import (
	"fmt"
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

// apply adds the delta to the sorted multiset.
func (t *topNOp) apply(b zset.Batch) {
	delta := make([]*topNRow, b.NumRows())
	for i, w := range b.Weights() {
		delta[i] = &topNRow{vals: zset.RowAt(b.Cols(), i), w: w}
	}
	t.rows = mergeSorted(t.rows, delta, t.compare)
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
