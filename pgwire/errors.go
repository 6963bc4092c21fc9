package pgwire

import (
	"context"
	"errors"
	"fmt"
	"unicode/utf8"

	"github.com/jackc/pgx/v5/pgproto3"

	"github.com/runnel-db/runnel/exec/sqlerr"
)

// SQLSTATE codes used only by pgwire.
const (
	codeDuplicatePreparedStatement  = "42P05"
	codeDuplicateCursor             = "42P03"
	codeInvalidBinaryRepresentation = "22P03"
	codeCharacterNotInRepertoire    = "22021"
)

// errorResponse converts err into an ERROR response: a *sqlerr.Error keeps its fields, context
// cancellation is 57014, anything else is XX000 with the error's text.
func errorResponse(err error) *pgproto3.ErrorResponse {
	e := toSQLError(err)
	return &pgproto3.ErrorResponse{
		Severity:            "ERROR",
		SeverityUnlocalized: "ERROR",
		Code:                e.Code,
		Message:             e.Message,
		Detail:              e.Detail,
		Hint:                e.Hint,
		Position:            int32(e.Position),
	}
}

func toSQLError(err error) *sqlerr.Error {
	if e := sqlerr.From(err); e != nil {
		return e
	}
	switch {
	case errors.Is(err, context.Canceled):
		return errUserCancel
	case errors.Is(err, context.DeadlineExceeded):
		return &sqlerr.Error{Code: sqlerr.QueryCanceled, Message: "canceling statement due to statement timeout"}
	}
	return &sqlerr.Error{Code: sqlerr.Internal, Message: err.Error()}
}

// statementError prefers the reason ctx was cancelled (a cancel request, shutdown) over the
// generic error a session returned because of it.
func statementError(ctx context.Context, err error) error {
	if sqlerr.From(err) != nil || ctx.Err() == nil {
		return err
	}
	if cause := context.Cause(ctx); sqlerr.From(cause) != nil {
		return cause
	}
	return err
}

// panicError is the client-facing error for a recovered panic.
func panicError(r any) error {
	return &sqlerr.Error{Code: sqlerr.Internal, Message: fmt.Sprintf("internal error: %v", r)}
}

// shiftPosition moves a statement-relative error position to the whole query string, where the
// statement starts at byte offset off.
func shiftPosition(err error, query string, off int) error {
	e := sqlerr.From(err)
	if e == nil || e.Position <= 0 || off <= 0 || off > len(query) {
		return err
	}
	return e.At(e.Position + utf8.RuneCountInString(query[:off]))
}

// sendError sends an ErrorResponse for err and logs internal errors.
func (c *conn) sendError(err error) {
	if c.readErr != nil {
		return // the stream is broken: the connection ends with a FATAL or silently
	}
	r := errorResponse(err)
	if r.Code == sqlerr.Internal {
		c.log.Warn("pgwire: internal error", "error", err)
	}
	c.w.send(r)
}
