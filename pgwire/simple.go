package pgwire

import (
	"runtime/debug"

	"github.com/jackc/pgx/v5/pgproto3"
)

// handleQuery runs a simple Query: every statement in turn, stopping at the first error. The
// caller sends ReadyForQuery.
func (c *conn) handleQuery(q string) {
	// A simple Query destroys the unnamed statement and portal, as in PostgreSQL.
	delete(c.stmts, "")
	c.closePortal("")

	stmts, offs, err := c.split(q)
	if err != nil {
		c.sendError(err)
		return
	}
	if len(stmts) == 0 {
		c.w.send(&pgproto3.EmptyQueryResponse{})
		return
	}
	failed := false
	if it, ok := c.sess.(ImplicitTransactioner); ok && len(stmts) > 1 {
		it.BeginImplicit()
		defer func() { it.EndImplicit(failed) }()
	}
	for i, s := range stmts {
		if err := c.runSimple(s); err != nil {
			failed = true
			if i < len(offs) {
				err = shiftPosition(err, q, offs[i])
			}
			c.sendError(err)
			return
		}
		if c.w.err != nil {
			failed = true
			return
		}
	}
}

// split calls Session.Split, containing a panic.
func (c *conn) split(q string) (stmts []string, offs []int, err error) {
	defer func() {
		if r := recover(); r != nil {
			c.log.Error("pgwire: panic in Split", "panic", r, "stack", string(debug.Stack()))
			err = panicError(r)
		}
	}()
	return c.sess.Split(q)
}

// runSimple prepares, executes and sends one statement of a simple Query, with text results.
func (c *conn) runSimple(sql string) (err error) {
	ctx := c.beginStatement()
	defer c.endStatement()
	defer func() {
		if r := recover(); r != nil {
			c.log.Error("pgwire: panic running statement", "sql", sql, "panic", r, "stack", string(debug.Stack()))
			err = panicError(r)
		}
		if err != nil {
			err = statementError(ctx, err)
		}
	}()
	prep, err := c.sess.Prepare(ctx, sql, nil)
	if err != nil {
		return err
	}
	res, err := c.sess.Execute(ctx, prep, nil)
	if err != nil {
		return err
	}
	return c.sendResult(ctx, res, prep, nil, true)
}
