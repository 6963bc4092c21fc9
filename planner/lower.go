package planner

import (
	"fmt"

	"github.com/apache/arrow-go/v18/arrow"
	"github.com/apache/arrow-go/v18/arrow/array"
	"github.com/apache/arrow-go/v18/arrow/memory"

	"github.com/runnel-db/runnel/exec"
	"github.com/runnel-db/runnel/exec/expr"
	"github.com/runnel-db/runnel/exec/types"
	"github.com/runnel-db/runnel/exec/zset"
)

// lowerer maps logical nodes to Graph nodes, once per node.
type lowerer struct {
	g     *exec.Graph
	mem   memory.Allocator
	memo  map[rel]exec.NodeID
	scans map[uint64]exec.NodeID
}

// lowerGraph optimizes r and builds its dataflow graph.
func lowerGraph(r rel) (*exec.Graph, error) {
	l := &lowerer{g: exec.NewGraph(), mem: memory.DefaultAllocator, memo: map[rel]exec.NodeID{}, scans: map[uint64]exec.NodeID{}}
	id, err := l.lower(optimize(pruneColumns(optimize(r))))
	if err != nil {
		return nil, err
	}
	l.g.SetOutput(id)
	return l.g, nil
}

func andPreds(ps []pred) (expr.Expr, error) {
	if len(ps) == 0 {
		return nil, nil
	}
	if len(ps) == 1 {
		return ps[0].e, nil
	}
	es := make([]expr.Expr, len(ps))
	for i, p := range ps {
		es[i] = p.e
	}
	return expr.And(es...)
}

func (l *lowerer) lower(r rel) (exec.NodeID, error) {
	if id, ok := l.memo[r]; ok {
		return id, nil
	}
	id, err := l.lowerNode(r)
	if err != nil {
		return 0, err
	}
	l.memo[r] = id
	return id, nil
}

func (l *lowerer) lowerNode(r rel) (exec.NodeID, error) {
	switch n := r.(type) {
	case *scanRel:
		if id, ok := l.scans[n.r.ID]; ok {
			return id, nil
		}
		id := l.g.Input(n.r.ID, n.ts)
		l.scans[n.r.ID] = id
		return id, nil
	case *constRel:
		b, err := l.constBatch(n.rows, n.ts)
		if err != nil {
			return 0, err
		}
		return l.g.Const(b, n.ts), nil
	case *valuesRel:
		one, err := l.constBatch([][]types.Datum{{}}, nil)
		if err != nil {
			return 0, err
		}
		src := l.g.Const(one, nil)
		ids := make([]exec.NodeID, len(n.rows))
		for i, row := range n.rows {
			ids[i] = l.g.Add(exec.NewProject(row), n.ts, src)
		}
		if len(ids) == 1 {
			return ids[0], nil
		}
		return l.g.Add(exec.NewUnion(len(ids)), n.ts, ids...), nil
	case *filterRel:
		in, err := l.lower(n.in)
		if err != nil {
			return 0, err
		}
		p, err := andPreds(n.preds)
		if err != nil {
			return 0, err
		}
		return l.g.Add(exec.NewFilter(p), n.types(), in), nil
	case *projectRel:
		in, err := l.lower(n.in)
		if err != nil {
			return 0, err
		}
		return l.g.Add(exec.NewProject(n.exprs), n.types(), in), nil
	case *projectSetRel:
		in, err := l.lower(n.in)
		if err != nil {
			return 0, err
		}
		return l.g.Add(exec.NewProjectSet(n.in.types(), n.funcs), n.types(), in), nil
	case *joinRel:
		return l.lowerJoin(n)
	case *aggRel:
		in, err := l.lower(n.in)
		if err != nil {
			return 0, err
		}
		return l.g.Add(exec.NewAggregate(n.in.types(), n.groupBy, n.aggs), n.ts, in), nil
	case *distinctRel:
		in, err := l.lower(n.in)
		if err != nil {
			return 0, err
		}
		return l.g.Add(exec.NewDistinct(n.types()), n.types(), in), nil
	case *unionRel:
		ids := make([]exec.NodeID, len(n.ins))
		for i, in := range n.ins {
			id, err := l.lower(in)
			if err != nil {
				return 0, err
			}
			ids[i] = id
		}
		return l.g.Add(exec.NewUnion(len(ids)), n.types(), ids...), nil
	case *setOpRel:
		a, err := l.lower(n.l)
		if err != nil {
			return 0, err
		}
		b, err := l.lower(n.r)
		if err != nil {
			return 0, err
		}
		return l.g.Add(exec.NewSetOp(n.kind, n.types()), n.types(), a, b), nil
	case *dynTopNRel:
		in, err := l.lower(n.in)
		if err != nil {
			return 0, err
		}
		return l.g.Add(&paramTopN{n: n, ts: n.types()}, n.types(), in), nil
	case *guardRel:
		in, err := l.lower(n.in)
		if err != nil {
			return 0, err
		}
		v, err := l.lower(n.violations)
		if err != nil {
			return 0, err
		}
		return l.g.Add(&cardinalityGuard{}, n.types(), in, v), nil
	case *topNRel:
		in, err := l.lower(n.in)
		if err != nil {
			return 0, err
		}
		return l.g.Add(exec.NewTopN(n.types(), n.keys, n.limit, n.offset), n.types(), in), nil
	case *windowRel:
		in, err := l.lower(n.in)
		if err != nil {
			return 0, err
		}
		return l.g.Add(exec.NewWindow(n.in.types(), n.partition, n.order, n.funcs), n.types(), in), nil
	}
	return 0, fmt.Errorf("planner: cannot lower %T", r)
}

// lowerJoin lowers a join. Keys that are not plain columns are computed by projections that
// append them to each side; a final projection drops them again.
func (l *lowerer) lowerJoin(n *joinRel) (exec.NodeID, error) {
	lt, rt := n.left.types(), n.right.types()
	left, right := n.left, n.right
	lkeys, lextra := keyColumns(n.lkeys, lt)
	rkeys, rextra := keyColumns(n.rkeys, rt)
	if len(lextra) > 0 {
		left = &projectRel{in: left, exprs: append(identity(lt), lextra...)}
	}
	if len(rextra) > 0 {
		right = &projectRel{in: right, exprs: append(identity(rt), rextra...)}
	}
	a, err := l.lower(left)
	if err != nil {
		return 0, err
	}
	b, err := l.lower(right)
	if err != nil {
		return 0, err
	}
	nl, nlx := len(lt), len(lt)+len(lextra)
	residual, err := andPreds(n.residual)
	if err != nil {
		return 0, err
	}
	if residual != nil && len(lextra) > 0 {
		residual = expr.Remap(residual, shiftMapping(nl+len(rt), nl, len(lextra)))
	}
	lx, rx := left.types(), right.types()
	var outTypes []types.T
	semi := n.kind == exec.SemiJoin || n.kind == exec.AntiJoin || n.kind == exec.NullAwareAntiJoin
	if semi {
		outTypes = lx
	} else {
		outTypes = append(append([]types.T{}, lx...), rx...)
	}
	id := l.g.Add(exec.NewJoin(n.kind, lx, rx, lkeys, rkeys, residual), outTypes, a, b)
	if len(lextra) == 0 && len(rextra) == 0 {
		return id, nil
	}
	// Drop the computed key columns.
	var keep []expr.Expr
	for i, t := range lt {
		keep = append(keep, expr.Column(i, t))
	}
	if !semi {
		for i, t := range rt {
			keep = append(keep, expr.Column(nlx+i, t))
		}
	}
	return l.g.Add(exec.NewProject(keep), n.types(), id), nil
}

// keyColumns returns the column index of each key over a side with types ts, and the key
// expressions that must be computed (appended after the side's columns).
func keyColumns(keys []expr.Expr, ts []types.T) ([]int, []expr.Expr) {
	idx := make([]int, len(keys))
	var extra []expr.Expr
	for i, k := range keys {
		if c, ok := colIndex(k); ok && k.Type() == ts[c] {
			idx[i] = c
			continue
		}
		idx[i] = len(ts) + len(extra)
		extra = append(extra, k)
	}
	return idx, extra
}

// constBatch builds a consolidated batch of rows (each weight 1).
func (l *lowerer) constBatch(rows [][]types.Datum, ts []types.T) (zset.Batch, error) {
	cols := make([]arrow.Array, len(ts))
	for j, t := range ts {
		ds := make([]types.Datum, len(rows))
		for i, row := range rows {
			ds[i] = row[j]
		}
		cols[j] = types.MakeArray(l.mem, t, ds)
	}
	wb := array.NewInt64Builder(l.mem)
	for range rows {
		wb.Append(1)
	}
	w := wb.NewArray()
	wb.Release()
	b := zset.New(cols, w)
	w.Release()
	for _, c := range cols {
		c.Release()
	}
	return zset.Consolidate(l.mem, b), nil
}
