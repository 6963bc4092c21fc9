package exec

import (
	"fmt"
	"strings"

	"github.com/apache/arrow-go/v18/arrow"

	"github.com/runnel-db/runnel/exec/expr"
	"github.com/runnel-db/runnel/exec/zset"
)

// projectOp computes one output column per expression, keeping each row's weight, then
// consolidates (a projection can map distinct rows to equal ones). Linear and stateless.
type projectOp struct {
	exprs []expr.Expr
}

var _ Operator = (*projectOp)(nil)

// NewProject returns the operator that maps each row to exprs evaluated over it.
func NewProject(exprs []expr.Expr) Operator { return &projectOp{exprs: exprs} }

func (p *projectOp) Explain() string {
	parts := make([]string, len(p.exprs))
	for i, e := range p.exprs {
		parts[i] = e.String()
	}
	return "Project " + strings.Join(parts, ", ")
}

func (p *projectOp) Step(ctx *expr.Context, in []zset.Batch) (zset.Batch, error) {
	if err := checkArity("project", in, 1); err != nil {
		return zset.Batch{}, err
	}
	b := in[0]
	n := b.NumRows()
	cols := make([]arrow.Array, len(p.exprs))
	defer func() {
		for _, c := range cols {
			if c != nil {
				c.Release()
			}
		}
	}()
	for i, e := range p.exprs {
		c, err := e.Eval(ctx, b.Cols(), n)
		if err != nil {
			return zset.Batch{}, fmt.Errorf("project: %w", err)
		}
		cols[i] = c
	}
	out := zset.New(cols, b.WeightArray())
	return zset.Consolidate(ctx.Allocator(), out), nil
}
