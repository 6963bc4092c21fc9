package exec

import (
	"fmt"

	"github.com/runnel-db/runnel/exec/expr"
	"github.com/runnel-db/runnel/exec/sqlerr"
	"github.com/runnel-db/runnel/exec/zset"
)

// Operator turns the input deltas of one epoch into its output delta.
type Operator interface {
	// Step runs one epoch: in[i] is the consolidated delta of input i (possibly empty, never
	// the zero Batch when driven by a Graph), borrowed. It returns a consolidated delta the
	// caller releases; it has the operator's output columns even when empty.
	Step(ctx *expr.Context, in []zset.Batch) (zset.Batch, error)
	// Explain is one line describing the operator, e.g. "Filter (#1 > 5)".
	Explain() string
}

// checkArity fails loudly when the scheduler feeds an operator the wrong number of inputs: a
// planner bug, never a user error.
func checkArity(name string, in []zset.Batch, n int) error {
	if len(in) != n {
		return sqlerr.New(sqlerr.Internal, "%s: %d inputs, want %d", name, len(in), n)
	}
	return nil
}

// internalf is an internal invariant failure.
func internalf(format string, args ...any) error {
	return sqlerr.New(sqlerr.Internal, "%s", fmt.Sprintf(format, args...))
}
