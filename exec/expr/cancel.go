package expr

import "context"

// Err reports why the statement was cancelled (its context's cause: a cancel request or
// statement_timeout), or nil while it may go on. Loops over many rows call it every few
// thousand rows, so that a cancelled statement stops within milliseconds.
func (ctx *Context) Err() error {
	if ctx == nil || ctx.Cancel == nil || ctx.Cancel.Err() == nil {
		return nil
	}
	return context.Cause(ctx.Cancel)
}
