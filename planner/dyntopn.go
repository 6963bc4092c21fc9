package planner

import (
	"fmt"

	"github.com/runnel-db/runnel/exec"
	"github.com/runnel-db/runnel/exec/expr"
	"github.com/runnel-db/runnel/exec/sqlerr"
	"github.com/runnel-db/runnel/exec/types"
	"github.com/runnel-db/runnel/exec/zset"
)

// dynTopNRel is a top-N whose LIMIT and/or OFFSET are parameters (limitE/offsetE non-nil);
// limit and offset hold the constant parts (-1 for none).
type dynTopNRel struct {
	in              rel
	keys            []zset.SortKey
	limit, offset   int64
	limitE, offsetE expr.Expr
}

func (n *dynTopNRel) types() []types.T { return n.in.types() }

// paramTopN builds its exec top-N operator at the first Step, when the parameter values are
// in the context.
type paramTopN struct {
	n     *dynTopNRel
	ts    []types.T
	inner exec.Operator
}

var _ exec.Operator = (*paramTopN)(nil)

func (p *paramTopN) Explain() string {
	text := func(v int64, e expr.Expr) string {
		if e != nil {
			return e.String()
		}
		return fmt.Sprint(v)
	}
	order := ""
	if len(p.n.keys) > 0 {
		order = " order by " + sortKeysText(p.n.keys)
	}
	return fmt.Sprintf("TopN%s limit %s offset %s", order, text(p.n.limit, p.n.limitE), text(p.n.offset, p.n.offsetE))
}

func (p *paramTopN) Step(ctx *expr.Context, in []zset.Batch) (zset.Batch, error) {
	if p.inner == nil {
		limit, err := evalLimit(ctx, p.n.limit, p.n.limitE, "LIMIT", "2201W")
		if err != nil {
			return zset.Batch{}, err
		}
		offset, err := evalLimit(ctx, p.n.offset, p.n.offsetE, "OFFSET", "2201X")
		if err != nil {
			return zset.Batch{}, err
		}
		p.inner = exec.NewTopN(p.ts, p.n.keys, limit, max(offset, 0))
	}
	return p.inner.Step(ctx, in)
}

// evalLimit evaluates a LIMIT/OFFSET parameter: NULL means none (-1).
func evalLimit(ctx *expr.Context, v int64, e expr.Expr, clause, code string) (int64, error) {
	if e == nil {
		return v, nil
	}
	d, err := expr.EvalConst(ctx, e)
	if err != nil {
		return 0, err
	}
	if d == nil {
		return -1, nil
	}
	i, ok := d.(int64)
	if !ok {
		return 0, sqlerr.New(sqlerr.Internal, "%s evaluated to %T", clause, d)
	}
	if i < 0 {
		return 0, sqlerr.New(code, "%s must not be negative", clause)
	}
	return i, nil
}
