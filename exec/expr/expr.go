package expr

import (
	"context"
	"time"

	"github.com/apache/arrow-go/v18/arrow"
	"github.com/apache/arrow-go/v18/arrow/memory"

	"github.com/runnel-db/runnel/exec/types"
)

// Context carries what evaluation needs besides the input columns.
type Context struct {
	// Mem allocates result arrays. Nil means memory.DefaultAllocator.
	Mem memory.Allocator
	// Now is the transaction/statement timestamp returned by now() and current_timestamp.
	Now types.TimestampValue
	// Location is the session TimeZone, used by timestamptz text I/O, casts and date_trunc.
	// Nil means UTC.
	Location *time.Location
	// Params are the bound values of $1..$n (Params[0] is $1), already of the inferred types.
	Params []types.Datum
	// User and Database are the session's user and database, returned by current_user and
	// current_database().
	User, Database string
	// Schema is returned by current_schema; empty means "public" (the default search_path).
	Schema string
	// Catalog resolves object names for the reg types and the catalog functions; nil when the
	// statement has no catalog access (see Catalog).
	Catalog Catalog
	// Setting returns the session's value of a configuration parameter (current_setting); nil
	// outside a session.
	Setting func(name string) (string, error)
	// Cancel, when set, is the statement's context: long-running loops (joins, the graph
	// scheduler) check it through Err and stop once a cancel request or statement_timeout ends it.
	Cancel context.Context
}

// Allocator returns ctx.Mem or the default allocator.
func (ctx *Context) Allocator() memory.Allocator {
	if ctx == nil || ctx.Mem == nil {
		return memory.DefaultAllocator
	}
	return ctx.Mem
}

// Loc returns the session location, UTC when unset.
func (ctx *Context) Loc() *time.Location {
	if ctx == nil || ctx.Location == nil {
		return time.UTC
	}
	return ctx.Location
}

// Expr is a resolved scalar expression.
type Expr interface {
	// Type is the SQL type of the result.
	Type() types.T
	// Eval evaluates the expression for n rows whose input columns are cols (borrowed) and
	// returns an array of n values of Type().ArrowType(); the caller releases it.
	Eval(ctx *Context, cols []arrow.Array, n int) (arrow.Array, error)
	// String renders the expression for EXPLAIN, e.g. "(#0 + 1)", "lower(#2)".
	String() string
}
