package exec

import (
	"fmt"

	"github.com/apache/arrow-go/v18/arrow/array"

	"github.com/runnel-db/runnel/exec/expr"
	"github.com/runnel-db/runnel/exec/zset"
)

// filterOp keeps the rows for which a predicate is true (not false, not NULL). Linear and
// stateless: a consolidated input gives a consolidated output.
type filterOp struct {
	pred expr.Expr
}

var _ Operator = (*filterOp)(nil)

// NewFilter returns the operator that keeps rows where pred is true.
func NewFilter(pred expr.Expr) Operator { return &filterOp{pred: pred} }

func (f *filterOp) Explain() string { return fmt.Sprintf("Filter %s", f.pred.String()) }

func (f *filterOp) Step(ctx *expr.Context, in []zset.Batch) (zset.Batch, error) {
	if err := checkArity("filter", in, 1); err != nil {
		return zset.Batch{}, err
	}
	b := in[0]
	n := b.NumRows()
	if n == 0 {
		b.Retain()
		return b, nil
	}
	res, err := f.pred.Eval(ctx, b.Cols(), n)
	if err != nil {
		return zset.Batch{}, fmt.Errorf("filter: %w", err)
	}
	defer res.Release()
	mask, ok := res.(*array.Boolean)
	if !ok {
		return zset.Batch{}, internalf("filter: predicate returned %s", res.DataType())
	}
	idx := selectTrue(mask, nil)
	if len(idx) == n {
		b.Retain()
		return b, nil
	}
	return zset.Take(ctx.Allocator(), b, idx, nil), nil
}

// selectTrue appends to idx the positions where mask is true and not null.
func selectTrue(mask *array.Boolean, idx []int32) []int32 {
	n := mask.Len()
	if mask.NullN() == 0 {
		for i := 0; i < n; i++ {
			if mask.Value(i) {
				idx = append(idx, int32(i))
			}
		}
		return idx
	}
	for i := 0; i < n; i++ {
		if mask.IsValid(i) && mask.Value(i) {
			idx = append(idx, int32(i))
		}
	}
	return idx
}
