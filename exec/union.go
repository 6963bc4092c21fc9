package exec

import (
	"fmt"

	"github.com/runnel-db/runnel/exec/expr"
	"github.com/runnel-db/runnel/exec/zset"
)

// unionOp is UNION ALL: the sum of its inputs' deltas, consolidated. Linear and stateless.
type unionOp struct {
	arity int
}

var _ Operator = (*unionOp)(nil)

// NewUnion returns the UNION ALL of arity inputs with equal column types.
func NewUnion(arity int) Operator { return &unionOp{arity: arity} }

func (u *unionOp) Explain() string { return fmt.Sprintf("Union all (%d inputs)", u.arity) }

func (u *unionOp) Step(ctx *expr.Context, in []zset.Batch) (zset.Batch, error) {
	if err := checkArity("union", in, u.arity); err != nil {
		return zset.Batch{}, err
	}
	return zset.Consolidate(ctx.Allocator(), zset.Concat(ctx.Allocator(), in)), nil
}
