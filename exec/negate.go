package exec

import (
	"github.com/apache/arrow-go/v18/arrow/array"

	"github.com/runnel-db/runnel/exec/expr"
	"github.com/runnel-db/runnel/exec/zset"
)

// negateOp multiplies every weight by -1 (the difference operator's right side). Linear.
type negateOp struct{}

var _ Operator = (*negateOp)(nil)

// NewNegate returns the operator that negates every weight.
func NewNegate() Operator { return negateOp{} }

func (negateOp) Explain() string { return "Negate" }

func (negateOp) Step(ctx *expr.Context, in []zset.Batch) (zset.Batch, error) {
	if err := checkArity("negate", in, 1); err != nil {
		return zset.Batch{}, err
	}
	b := in[0]
	w := b.Weights()
	neg := make([]int64, len(w))
	for i, x := range w {
		neg[i] = -x
	}
	wb := array.NewInt64Builder(ctx.Allocator())
	wb.AppendValues(neg, nil)
	wa := wb.NewArray()
	wb.Release()
	out := zset.New(b.Cols(), wa)
	wa.Release()
	return out, nil
}
