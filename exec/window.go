package exec

import (
	"fmt"
	"strings"

	"github.com/apache/arrow-go/v18/arrow"
	"github.com/apache/arrow-go/v18/arrow/array"
	"github.com/apache/arrow-go/v18/arrow/memory"

	"github.com/runnel-db/runnel/exec/expr"
	"github.com/runnel-db/runnel/exec/sqlerr"
	"github.com/runnel-db/runnel/exec/types"
	"github.com/runnel-db/runnel/exec/zset"
)

// PostgreSQL's errors for bad ntile and nth_value arguments.
const (
	codeInvalidNtileArgument    = "22014"
	codeInvalidNthValueArgument = "22016"
)

// BoundKind is where a window frame starts or ends, relative to the current row.
type BoundKind uint8

// The frame bounds.
const (
	UnboundedPreceding BoundKind = iota
	OffsetPreceding              // Offset rows before the current row (ROWS only)
	CurrentRow                   // the current row (ROWS), or its first/last peer (RANGE, GROUPS)
	OffsetFollowing              // Offset rows after the current row (ROWS only)
	UnboundedFollowing
)

// FrameBound is one end of a window frame.
type FrameBound struct {
	Kind   BoundKind
	Offset int64
}

// WindowFrame is the frame of a window function: the rows an aggregate or
// first_value/last_value/nth_value sees for each row.
type WindowFrame struct {
	// Rows counts offsets and CURRENT ROW in rows; otherwise CURRENT ROW means the current
	// row's peers (rows equal on the ORDER BY keys; without ORDER BY, the whole partition).
	Rows       bool
	Start, End FrameBound
}

// DefaultFrame is PostgreSQL's default: RANGE BETWEEN UNBOUNDED PRECEDING AND CURRENT ROW.
var DefaultFrame = WindowFrame{Start: FrameBound{Kind: UnboundedPreceding}, End: FrameBound{Kind: CurrentRow}}

// String renders the frame as SQL: "ROWS BETWEEN 2 PRECEDING AND CURRENT ROW".
func (f WindowFrame) String() string {
	bound := func(b FrameBound) string {
		switch b.Kind {
		case UnboundedPreceding:
			return "UNBOUNDED PRECEDING"
		case OffsetPreceding:
			return fmt.Sprintf("%d PRECEDING", b.Offset)
		case CurrentRow:
			return "CURRENT ROW"
		case OffsetFollowing:
			return fmt.Sprintf("%d FOLLOWING", b.Offset)
		}
		return "UNBOUNDED FOLLOWING"
	}
	mode := "RANGE"
	if f.Rows {
		mode = "ROWS"
	}
	return fmt.Sprintf("%s BETWEEN %s AND %s", mode, bound(f.Start), bound(f.End))
}

// isRanking reports whether name is a window function that ignores the frame.
func isRanking(name string) bool {
	switch name {
	case "first_value", "last_value", "nth_value":
		return false
	}
	return !IsAggregate(name)
}

// bounds returns row i's frame [lo, hi) among n rows, clamped to the partition (hi >= lo).
// Both are non-decreasing in i.
func (f WindowFrame) bounds(i, n int, peerStart, peerEnd []int) (lo, hi int) {
	switch f.Start.Kind {
	case OffsetPreceding:
		lo = i - int(min(f.Start.Offset, int64(n)))
	case CurrentRow:
		lo = i
		if !f.Rows {
			lo = peerStart[i]
		}
	case OffsetFollowing:
		lo = i + int(min(f.Start.Offset, int64(n)))
	case UnboundedFollowing:
		lo = n
	}
	switch f.End.Kind {
	case UnboundedPreceding:
		hi = 0
	case OffsetPreceding:
		hi = i + 1 - int(min(f.End.Offset, int64(n)))
	case CurrentRow:
		hi = i + 1
		if !f.Rows {
			hi = peerEnd[i]
		}
	case OffsetFollowing:
		hi = i + 1 + int(min(f.End.Offset, int64(n)))
	case UnboundedFollowing:
		hi = n
	}
	lo, hi = max(lo, 0), min(hi, n)
	return lo, max(hi, lo)
}

// WindowFunc is one window function call over the input columns.
type WindowFunc struct {
	// Name is the lowercase function: row_number, rank, dense_rank, percent_rank, cume_dist,
	// ntile, lag, lead, first_value, last_value, nth_value, or an aggregate (count, sum, avg, min,
	// max, bool_and, bool_or, every).
	Name string
	// Args are the argument columns (lag's value, offset and default; an aggregate's argument).
	// count(*) has none.
	Args []int
	// Frame is the frame of aggregates and first_value/last_value/nth_value.
	Frame WindowFrame
	// ResultType is the type of the result column.
	ResultType types.T
}

// windowOp computes window functions incrementally, per partition: it keeps each partition's
// rows sorted by the ORDER BY keys (ties broken by the whole row, so results are deterministic)
// and, when an epoch changes a partition, emits -old +new for the whole partition's output.
// Work per change is proportional to the partitions it touches. Output: the input columns, then
// one column per function. Non-linear; the partitions' rows are its persisted state.
type windowOp struct {
	inTypes   []types.T
	partition []int
	order     []zset.SortKey
	funcs     []WindowFunc
	outTypes  []types.T

	parts  []*windowPartition
	byHash map[uint64][]int32 // partition key hash → partition ids
	free   []int32
	hashes []uint64
}

type windowPartition struct {
	key  []types.Datum
	rows []*topNRow
}

var _ Operator = (*windowOp)(nil)

// NewWindow returns the window operator over rows of inTypes, partitioned by the partition
// columns and ordered by order, computing funcs.
func NewWindow(inTypes []types.T, partition []int, order []zset.SortKey, funcs []WindowFunc) Operator {
	w := &windowOp{inTypes: inTypes, partition: partition, order: order, funcs: funcs, byHash: map[uint64][]int32{}}
	w.outTypes = append(append([]types.T{}, inTypes...), make([]types.T, len(funcs))...)
	for i, f := range funcs {
		w.outTypes[len(inTypes)+i] = f.ResultType
	}
	return w
}

func (w *windowOp) Explain() string {
	fs := make([]string, len(w.funcs))
	for i, f := range w.funcs {
		args := make([]string, len(f.Args))
		for k, a := range f.Args {
			args[k] = fmt.Sprintf("#%d", a)
		}
		fs[i] = fmt.Sprintf("%s(%s)", f.Name, strings.Join(args, ", "))
		if f.Frame != DefaultFrame && !isRanking(f.Name) {
			fs[i] += " " + f.Frame.String()
		}
	}
	s := "Window " + strings.Join(fs, ", ")
	if len(w.partition) > 0 {
		ps := make([]string, len(w.partition))
		for i, p := range w.partition {
			ps[i] = fmt.Sprintf("#%d", p)
		}
		s += " partition by " + strings.Join(ps, ", ")
	}
	if len(w.order) > 0 {
		os := make([]string, len(w.order))
		for i, k := range w.order {
			os[i] = sortKeyString(k)
		}
		s += " order by " + strings.Join(os, ", ")
	}
	return s
}

func (w *windowOp) compare(a, b []types.Datum) int {
	if c := zset.CompareRows(a, b, w.order); c != 0 {
		return c
	}
	return zset.CompareFull(a, b)
}

func (w *windowOp) stateColumns(input int) []bool { return allColumns(len(w.inTypes)) }

// partitionOf returns the id of the partition of row (creating it when new).
func (w *windowOp) partitionOf(row []types.Datum, h uint64) int32 {
	for _, id := range w.byHash[h] {
		if sameKey(w.parts[id].key, row, w.partition) {
			return id
		}
	}
	key := make([]types.Datum, len(w.partition))
	for i, c := range w.partition {
		key[i] = row[c]
	}
	p := &windowPartition{key: key}
	var id int32
	if n := len(w.free); n > 0 {
		id, w.free = w.free[n-1], w.free[:n-1]
		w.parts[id] = p
	} else {
		id = int32(len(w.parts))
		w.parts = append(w.parts, p)
	}
	w.byHash[h] = append(w.byHash[h], id)
	return id
}

// sameKey reports whether row's partition columns equal key (NULLs equal, as in GROUP BY).
func sameKey(key, row []types.Datum, cols []int) bool {
	for i, c := range cols {
		if zset.CompareFull(key[i:i+1], row[c:c+1]) != 0 {
			return false
		}
	}
	return true
}

func (w *windowOp) dropPartition(id int32, h uint64) {
	ids := w.byHash[h]
	for i, x := range ids {
		if x == id {
			ids = append(ids[:i], ids[i+1:]...)
			break
		}
	}
	if len(ids) == 0 {
		delete(w.byHash, h)
	} else {
		w.byHash[h] = ids
	}
	w.parts[id] = nil
	w.free = append(w.free, id)
}

func (w *windowOp) Step(ctx *expr.Context, in []zset.Batch) (zset.Batch, error) {
	if err := checkArity("window", in, 1); err != nil {
		return zset.Batch{}, err
	}
	b := in[0]
	mem := ctx.Allocator()
	n := b.NumRows()
	if n == 0 {
		return zset.Empty(mem, w.outTypes), nil
	}
	cols := b.Cols()
	w.hashes = growTo(w.hashes[:0], n)[:n]
	keyCols := make([]arrow.Array, len(w.partition))
	for i, c := range w.partition {
		keyCols[i] = cols[c]
	}
	if len(keyCols) > 0 {
		zset.HashRows(keyCols, w.hashes)
	} else {
		clear(w.hashes)
	}
	deltas := map[int32][]*topNRow{}
	hashOf := map[int32]uint64{}
	var order []int32 // touched partitions in first-touch order (deterministic output)
	for i, wt := range b.Weights() {
		row := zset.RowAt(cols, i)
		id := w.partitionOf(row, w.hashes[i])
		if _, ok := deltas[id]; !ok {
			order = append(order, id)
			hashOf[id] = w.hashes[i]
		}
		deltas[id] = append(deltas[id], &topNRow{vals: row, w: wt})
	}
	out := zset.NewBuilder(mem, w.outTypes)
	defer out.Release()
	for _, id := range order {
		p := w.parts[id]
		if err := w.emit(mem, out, p.rows, -1); err != nil {
			return zset.Batch{}, err
		}
		p.rows = mergeSorted(p.rows, deltas[id], w.compare)
		for _, r := range p.rows {
			if r.w < 0 {
				return zset.Batch{}, internalf("window: negative multiplicity %d in partition", r.w)
			}
		}
		if err := w.emit(mem, out, p.rows, 1); err != nil {
			return zset.Batch{}, err
		}
		if len(p.rows) == 0 {
			w.dropPartition(id, hashOf[id])
		}
	}
	return zset.Consolidate(mem, out.Build()), nil
}

// emit appends the output rows of a partition whose sorted rows are rows, with weight sign.
func (w *windowOp) emit(mem memory.Allocator, out *zset.Builder, rows []*topNRow, sign int64) error {
	if len(rows) == 0 {
		return nil
	}
	// Expand multiplicities: a row of weight k is k rows of the partition (they get different
	// row numbers).
	var expanded []*topNRow
	for _, r := range rows {
		for k := int64(0); k < r.w; k++ {
			expanded = append(expanded, r)
		}
	}
	n := len(expanded)
	// peerEnd[i] is one past the last peer of row i; peerStart[i] its first peer.
	peerStart, peerEnd := make([]int, n), make([]int, n)
	for i := 0; i < n; {
		j := i + 1
		for j < n && zset.CompareRows(expanded[i].vals, expanded[j].vals, w.order) == 0 {
			j++
		}
		for k := i; k < j; k++ {
			peerStart[k], peerEnd[k] = i, j
		}
		i = j
	}
	results := make([][]types.Datum, len(w.funcs))
	for f := range w.funcs {
		r, err := w.compute(mem, &w.funcs[f], expanded, peerStart, peerEnd)
		if err != nil {
			return err
		}
		results[f] = r
	}
	row := make([]types.Datum, len(w.outTypes))
	for i, r := range expanded {
		copy(row, r.vals)
		for f := range w.funcs {
			row[len(w.inTypes)+f] = results[f][i]
		}
		out.AppendRow(row, sign)
	}
	return nil
}

// compute returns function f's value for every row of the sorted, expanded partition.
func (w *windowOp) compute(mem memory.Allocator, f *WindowFunc, rows []*topNRow, peerStart, peerEnd []int) ([]types.Datum, error) {
	n := len(rows)
	res := make([]types.Datum, n)
	arg := func(i, k int) types.Datum { return rows[i].vals[f.Args[k]] }
	switch f.Name {
	case "row_number":
		for i := range res {
			res[i] = int64(i + 1)
		}
	case "rank":
		for i := range res {
			res[i] = int64(peerStart[i] + 1)
		}
	case "dense_rank":
		var rank int64
		for i := range res {
			if i == peerStart[i] {
				rank++
			}
			res[i] = rank
		}
	case "percent_rank":
		for i := range res {
			if n > 1 {
				res[i] = float64(peerStart[i]) / float64(n-1)
			} else {
				res[i] = float64(0)
			}
		}
	case "cume_dist":
		for i := range res {
			res[i] = float64(peerEnd[i]) / float64(n)
		}
	case "ntile":
		for i := range res {
			v := arg(i, 0)
			if v == nil {
				continue
			}
			buckets := v.(int64)
			if buckets <= 0 {
				return nil, sqlerr.New(codeInvalidNtileArgument, "argument of ntile must be greater than zero")
			}
			res[i] = ntile(int64(i), int64(n), buckets)
		}
	case "lag", "lead":
		for i := range res {
			off := int64(1)
			if len(f.Args) > 1 {
				v := arg(i, 1)
				if v == nil {
					continue // a NULL offset gives NULL
				}
				off = v.(int64)
			}
			if f.Name == "lead" {
				off = -off
			}
			if j := int64(i) - off; j >= 0 && j < int64(n) {
				res[i] = arg(int(j), 0)
			} else if len(f.Args) > 2 {
				res[i] = arg(i, 2)
			}
		}
	case "first_value", "last_value", "nth_value":
		for i := range res {
			lo, hi := f.Frame.bounds(i, n, peerStart, peerEnd)
			j := lo
			switch f.Name {
			case "last_value":
				j = hi - 1
			case "nth_value":
				v := arg(i, 1)
				if v == nil {
					continue
				}
				k := v.(int64)
				if k <= 0 {
					return nil, sqlerr.New(codeInvalidNthValueArgument, "argument of nth_value must be greater than zero")
				}
				j = lo + int(min(k-1, int64(n)))
			}
			if j >= lo && j < hi {
				res[i] = rows[j].vals[f.Args[0]]
			}
		}
	default:
		return w.aggregate(mem, f, rows, peerStart, peerEnd, res)
	}
	return res, nil
}

// ntile is PostgreSQL's bucket of row i (0-based) of n rows in k buckets: the first n mod k
// buckets have one row more.
func ntile(i, n, k int64) int64 {
	size, extra := n/k, n%k
	if size == 0 {
		return i + 1
	}
	if big := extra * (size + 1); i < big {
		return i/(size+1) + 1
	} else {
		return extra + (i-big)/size + 1
	}
}

// aggregate computes an aggregate over each row's frame. Frames only move forward from row to
// row, so one accumulator slides along the partition: rows entering the frame are added, rows
// leaving it retracted (accumulators are invertible).
func (w *windowOp) aggregate(mem memory.Allocator, f *WindowFunc, rows []*topNRow, peerStart, peerEnd []int, res []types.Datum) ([]types.Datum, error) {
	call := AggCall{Name: f.Name, Arg: -1, Filter: -1, ResultType: f.ResultType}
	var col arrow.Array
	if len(f.Args) > 0 {
		call.Arg, call.ArgType = 0, w.inTypes[f.Args[0]]
		b := zset.NewBuilder(mem, []types.T{call.ArgType})
		for _, r := range rows {
			b.Append(1, r.vals[f.Args[0]])
		}
		batch := b.Build()
		b.Release()
		defer batch.Release()
		col = batch.Cols()[0]
	}
	acc, err := newAccumulator(mem, call)
	if err != nil {
		return nil, err
	}
	acc.grow(1)
	n := len(rows)
	gids := make([]int32, n)
	ones, minusOnes := make([]int64, n), make([]int64, n)
	for i := range ones {
		ones[i], minusOnes[i] = 1, -1
	}
	feed := func(from, to int, w []int64) error {
		if from >= to {
			return nil
		}
		var part arrow.Array
		if col != nil {
			part = array.NewSlice(col, int64(from), int64(to))
			defer part.Release()
		}
		return acc.update(part, gids[from:to], w[from:to])
	}
	curLo, curHi := 0, 0 // the accumulator holds rows [curLo, curHi)
	for i := 0; i < n; i++ {
		lo, hi := f.Frame.bounds(i, n, peerStart, peerEnd)
		if hi > curHi {
			if err := feed(curHi, hi, ones); err != nil {
				return nil, err
			}
			curHi = hi
		}
		if lo > curLo {
			if err := feed(curLo, lo, minusOnes); err != nil {
				return nil, err
			}
			curLo = lo
		}
		v, err := acc.result(0)
		if err != nil {
			return nil, err
		}
		res[i] = v
	}
	return res, nil
}
