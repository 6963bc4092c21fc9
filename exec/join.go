package exec

import (
	"fmt"
	"strings"

	"github.com/apache/arrow-go/v18/arrow/array"

	"github.com/runnel-db/runnel/exec/expr"
	"github.com/runnel-db/runnel/exec/sqlerr"
	"github.com/runnel-db/runnel/exec/types"
	"github.com/runnel-db/runnel/exec/zset"
)

// JoinKind is the kind of a join.
type JoinKind int

// The join kinds. Semi and anti joins output left columns only; NullAwareAntiJoin is
// `x NOT IN (subquery)`: a left row passes only if the right side is empty, or it has a
// non-NULL key, no right key is NULL, and no right key equals it.
const (
	InnerJoin JoinKind = iota
	LeftJoin
	RightJoin
	FullJoin
	SemiJoin
	AntiJoin
	NullAwareAntiJoin
)

// String is the kind as EXPLAIN shows it, e.g. "left".
func (k JoinKind) String() string {
	return [...]string{"inner", "left", "right", "full", "semi", "anti", "null-aware anti"}[k]
}

// joinOp is the incremental equi-join with an optional residual predicate. It keeps an
// arrangement of each side and computes ΔL⋈R + L⋈ΔR + ΔL⋈ΔR per epoch. For outer, semi and
// anti joins every stored row also keeps its match count (sum of weights of the other side's
// rows it joins with), and the null-padded / semi / anti output of a row is re-derived from
// its weight and match count before and after the epoch, so padding appears and disappears
// exactly as matches do. Bilinear plus that per-row non-linear part; the arrangements are the
// persisted state.
type joinOp struct {
	kind                  JoinKind
	leftTypes, rightTypes []types.T
	leftKeys, rightKeys   []int
	residual              expr.Expr
	outTypes              []types.T
	left, right           *arrangement
	epoch                 uint64
}

var _ Operator = (*joinOp)(nil)

// NewJoin returns the join of input 0 (left) and input 1 (right) on leftKeys[i] = rightKeys[i]
// (SQL equality: NULL never matches) and residual (nil = true) over left ++ right columns.
// The output is left ++ right columns, or left columns only for semi and anti joins. Without
// keys it is a nested-loop (cross) join filtered by the residual.
func NewJoin(kind JoinKind, leftTypes, rightTypes []types.T, leftKeys, rightKeys []int, residual expr.Expr) Operator {
	j := &joinOp{kind: kind, leftTypes: leftTypes, rightTypes: rightTypes, leftKeys: leftKeys,
		rightKeys: rightKeys, residual: residual,
		left: newArrangement(leftKeys), right: newArrangement(rightKeys)}
	j.outTypes = append(j.outTypes, leftTypes...)
	if kind < SemiJoin {
		j.outTypes = append(j.outTypes, rightTypes...)
	}
	return j
}

func (j *joinOp) Explain() string {
	var sb strings.Builder
	fmt.Fprintf(&sb, "Join %s", j.kind)
	if len(j.leftKeys) > 0 {
		keys := make([]string, len(j.leftKeys))
		for i := range j.leftKeys {
			keys[i] = fmt.Sprintf("#%d = #%d", j.leftKeys[i], len(j.leftTypes)+j.rightKeys[i])
		}
		fmt.Fprintf(&sb, " on %s", strings.Join(keys, " AND "))
	}
	if j.residual != nil {
		fmt.Fprintf(&sb, " filter %s", j.residual.String())
	}
	return sb.String()
}

// joinPair is a candidate output pair; dl and dr are its contributions to the match counts.
type joinPair struct {
	l, r   *joinRow
	w      int64
	dl, dr int64
}

func (j *joinOp) Step(ctx *expr.Context, in []zset.Batch) (zset.Batch, error) {
	if err := checkArity("join", in, 2); err != nil {
		return zset.Batch{}, err
	}
	if j.kind == NullAwareAntiJoin && (len(j.leftKeys) != 1 || j.residual != nil) {
		return zset.Batch{}, sqlerr.NotSupported("NOT IN with a multi-column or correlated subquery")
	}
	mem := ctx.Allocator()
	j.epoch++
	dl, dr := in[0], in[1]
	L, R := j.left, j.right
	oldRTotal, oldRNull := R.total, R.nullW
	var touchedL, touchedR []*joinRow
	var pairs []joinPair
	cancel := cancelCheck{ctx: ctx}

	// ΔL ⋈ R_old.
	L.encode(dl)
	for i, wi := range dl.Weights() {
		l := L.lookup(dl, i, j.epoch, &touchedL)
		if !l.nullKey {
			for _, r := range R.bucketOf(L.joinKeys[i]) {
				snapshot(r, j.epoch, &touchedR)
				p := joinPair{l: l, r: r, w: wi * r.w, dr: wi}
				if l.created {
					p.dl = r.w
				}
				pairs = append(pairs, p)
			}
		}
		L.addWeight(l, wi)
		if err := cancel.at(len(pairs)); err != nil {
			return zset.Batch{}, err
		}
	}
	// L_new ⋈ ΔR.
	R.encode(dr)
	for i, wi := range dr.Weights() {
		r := R.lookup(dr, i, j.epoch, &touchedR)
		if !r.nullKey {
			for _, l := range L.bucketOf(R.joinKeys[i]) {
				if l.w == 0 {
					continue
				}
				snapshot(l, j.epoch, &touchedL)
				p := joinPair{l: l, r: r, w: l.w * wi, dl: wi}
				if r.created {
					p.dr = l.w
				}
				pairs = append(pairs, p)
			}
		}
		R.addWeight(r, wi)
		if err := cancel.at(len(pairs)); err != nil {
			return zset.Batch{}, err
		}
	}

	pairs, err := j.applyResidual(ctx, pairs)
	if err != nil {
		return zset.Batch{}, err
	}
	out := zset.NewBuilder(mem, j.outTypes)
	nl := len(j.leftTypes)
	for i, p := range pairs {
		if i%cancelCheckEvery == cancelCheckEvery-1 {
			if err := ctx.Err(); err != nil {
				out.Release()
				return zset.Batch{}, err
			}
		}
		if j.kind < SemiJoin && p.w != 0 {
			out.AppendConcat(p.l.vals, p.r.vals, nl, p.w)
		}
		p.l.match += p.dl
		p.r.match += p.dr
	}

	// Per-row outputs derived from (weight, match count).
	switch j.kind {
	case LeftJoin, FullJoin:
		for _, l := range touchedL {
			if d := padded(l.w, l.match) - padded(l.oldW, l.oldMat); d != 0 {
				out.AppendConcat(l.vals, nil, nl, d)
			}
		}
	case SemiJoin, AntiJoin:
		for _, l := range touchedL {
			f := func(w, m int64) int64 {
				if (m != 0) == (j.kind == SemiJoin) {
					return w
				}
				return 0
			}
			if d := f(l.w, l.match) - f(l.oldW, l.oldMat); d != 0 {
				out.AppendRow(l.vals, d)
			}
		}
	case NullAwareAntiJoin:
		j.emitNotIn(out, touchedL, oldRTotal, oldRNull)
	}
	if j.kind == RightJoin || j.kind == FullJoin {
		for _, r := range touchedR {
			if d := padded(r.w, r.match) - padded(r.oldW, r.oldMat); d != 0 {
				out.AppendConcat(nil, r.vals, nl, d)
			}
		}
	}

	for _, l := range touchedL {
		if l.w == 0 && L.rows[l.key] == l {
			L.remove(l)
		}
	}
	for _, r := range touchedR {
		if r.w == 0 && R.rows[r.key] == r {
			R.remove(r)
		}
	}
	return zset.Consolidate(mem, out.Build()), nil
}

// padded is the multiplicity of a row's null-padded output: its weight while it has no match.
func padded(w, match int64) int64 {
	if match == 0 {
		return w
	}
	return 0
}

// emitNotIn emits the NOT IN output changes. When the right side's emptiness or its having a
// NULL key flips, every left row's output may change, so all are re-derived.
func (j *joinOp) emitNotIn(out *zset.Builder, touched []*joinRow, oldTotal, oldNull int64) {
	L, R := j.left, j.right
	f := func(l *joinRow, w, m, total, null int64) int64 {
		if total == 0 || (null == 0 && !l.nullKey && m == 0) {
			return w
		}
		return 0
	}
	rows := touched
	if (oldTotal == 0) != (R.total == 0) || (oldNull == 0) != (R.nullW == 0) {
		rows = rows[:0:0]
		for _, l := range L.rows {
			rows = append(rows, l)
		}
	}
	for _, l := range rows {
		oldW, oldMat := l.w, l.match
		if l.stamp == j.epoch {
			oldW, oldMat = l.oldW, l.oldMat
		}
		if d := f(l, l.w, l.match, R.total, R.nullW) - f(l, oldW, oldMat, oldTotal, oldNull); d != 0 {
			out.AppendRow(l.vals, d)
		}
	}
}

// applyResidual keeps the pairs for which the residual predicate is true.
func (j *joinOp) applyResidual(ctx *expr.Context, pairs []joinPair) ([]joinPair, error) {
	if j.residual == nil || len(pairs) == 0 {
		return pairs, nil
	}
	all := append(append([]types.T{}, j.leftTypes...), j.rightTypes...)
	b := zset.NewBuilder(ctx.Allocator(), all)
	for i, p := range pairs {
		b.AppendConcat(p.l.vals, p.r.vals, len(j.leftTypes), 1)
		if i%cancelCheckEvery == cancelCheckEvery-1 {
			if err := ctx.Err(); err != nil {
				b.Release()
				return nil, err
			}
		}
	}
	batch := b.Build()
	defer batch.Release()
	res, err := j.residual.Eval(ctx, batch.Cols(), batch.NumRows())
	if err != nil {
		return nil, fmt.Errorf("join filter: %w", err)
	}
	defer res.Release()
	mask, ok := res.(*array.Boolean)
	if !ok {
		return nil, internalf("join filter returned %s", res.DataType())
	}
	kept := pairs[:0]
	for i, p := range pairs {
		if mask.IsValid(i) && mask.Value(i) {
			kept = append(kept, p)
		}
	}
	return kept, nil
}

// stateColumns: both arrangements keep whole rows.
func (j *joinOp) stateColumns(input int) []bool {
	if input == 0 {
		return allColumns(len(j.leftTypes))
	}
	return allColumns(len(j.rightTypes))
}
