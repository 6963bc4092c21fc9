package exec

import "github.com/runnel-db/runnel/exec/expr"

// cancelCheckEvery is how many units of work (join pairs, rows) a long loop does between two
// looks at the statement's cancellation: rare enough to cost nothing, often enough that a
// cancelled statement stops within milliseconds.
const cancelCheckEvery = 1 << 16

// cancelCheck looks at ctx.Err once per cancelCheckEvery units of work.
type cancelCheck struct {
	ctx  *expr.Context
	next int
}

// at returns the statement's cancellation cause once work has passed the next checkpoint.
func (c *cancelCheck) at(work int) error {
	if work < c.next {
		return nil
	}
	c.next = work + cancelCheckEvery
	return c.ctx.Err()
}
