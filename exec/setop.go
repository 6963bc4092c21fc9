package exec

import (
	"github.com/runnel-db/runnel/exec/expr"
	"github.com/runnel-db/runnel/exec/types"
	"github.com/runnel-db/runnel/exec/zset"
)

// SetOpKind is the kind of a set operation between two inputs with equal column types.
type SetOpKind int

// The set operations (UNION is Union + Distinct).
const (
	Intersect SetOpKind = iota
	IntersectAll
	Except
	ExceptAll
)

// String is the operation as EXPLAIN shows it, e.g. "Except all".
func (k SetOpKind) String() string {
	return [...]string{"Intersect", "Intersect all", "Except", "Except all"}[k]
}

// multiplicity is the output multiplicity of a row present a times on the left and b on the
// right (SQL's definitions for INTERSECT/EXCEPT with and without ALL).
func (k SetOpKind) multiplicity(a, b int64) int64 {
	switch k {
	case Intersect:
		return positive(min(a, b))
	case IntersectAll:
		return max(min(a, b), 0)
	case Except:
		if a > 0 && b <= 0 {
			return 1
		}
		return 0
	default:
		return max(a-max(b, 0), 0)
	}
}

// setOpOp keeps per-row counts of both sides and emits the change of each touched row's
// output multiplicity. Non-linear; its state (row key → both counts) is persisted per epoch.
type setOpOp struct {
	kind     SetOpKind
	colTypes []types.T
	counts   map[string][2]int64
	keys     [][]byte
}

var _ Operator = (*setOpOp)(nil)

// NewSetOp returns INTERSECT [ALL] or EXCEPT [ALL] of input 0 and input 1.
func NewSetOp(kind SetOpKind, colTypes []types.T) Operator {
	return &setOpOp{kind: kind, colTypes: colTypes, counts: map[string][2]int64{}}
}

func (s *setOpOp) Explain() string { return s.kind.String() }

func (s *setOpOp) Step(ctx *expr.Context, in []zset.Batch) (zset.Batch, error) {
	if err := checkArity("set operation", in, 2); err != nil {
		return zset.Batch{}, err
	}
	mem := ctx.Allocator()
	all := zset.Concat(mem, in)
	defer all.Release()
	n := all.NumRows()
	nleft := in[0].NumRows()
	s.keys = zset.EncodeKeys(s.keys, all.Cols(), n)
	type touched struct {
		first int32
		delta [2]int64
	}
	local := map[string]*touched{}
	var order []string
	for i, w := range all.Weights() {
		t := local[string(s.keys[i])]
		if t == nil {
			t = &touched{first: int32(i)}
			k := string(s.keys[i])
			local[k] = t
			order = append(order, k)
		}
		side := 0
		if i >= nleft {
			side = 1
		}
		t.delta[side] += w
	}
	var idx []int32
	var ws []int64
	for _, k := range order {
		t := local[k]
		old := s.counts[k]
		nw := [2]int64{old[0] + t.delta[0], old[1] + t.delta[1]}
		if nw == ([2]int64{}) {
			delete(s.counts, k)
		} else {
			s.counts[k] = nw
		}
		if dw := s.kind.multiplicity(nw[0], nw[1]) - s.kind.multiplicity(old[0], old[1]); dw != 0 {
			idx = append(idx, t.first)
			ws = append(ws, dw)
		}
	}
	if len(idx) == 0 {
		return zset.Empty(mem, s.colTypes), nil
	}
	return zset.Take(mem, all, idx, ws), nil
}

func (s *setOpOp) stateColumns(input int) []bool { return allColumns(len(s.colTypes)) }
