package pgwire

import (
	"context"
	"net"
	"time"

	"github.com/runnel-db/runnel/engine"
	"github.com/runnel-db/runnel/exec/types"
)

// Startup is what a client sent in its StartupMessage.
type Startup struct {
	User, Database string
	// Params holds every startup parameter, including user and database.
	Params     map[string]string
	RemoteAddr net.Addr
}

// Backend creates a Session for each connection that completed the startup handshake.
type Backend interface {
	// NewSession returns a session, or a *sqlerr.Error (e.g. 28000, 3D000) that is sent to the
	// client as FATAL before the connection is closed.
	NewSession(ctx context.Context, s Startup) (Session, error)
}

// Session is one client session. pgwire calls it from a single goroutine.
type Session interface {
	// Split splits a simple Query string into statements and their byte offsets in sql; an empty
	// slice for a query with no statements (only comments or semicolons).
	Split(sql string) ([]string, []int, error)
	// Prepare parses and binds one statement. paramTypes[i] is Unknown when the client did not
	// specify the type of $i+1. The Position of a returned *sqlerr.Error is relative to sql.
	Prepare(ctx context.Context, sql string, paramTypes []types.T) (*engine.Prepared, error)
	// Execute runs a prepared statement with parameters of its ParamTypes (nil is NULL).
	Execute(ctx context.Context, p *engine.Prepared, params []types.Datum) (*engine.Result, error)
	// Parameters is the initial ParameterStatus set.
	Parameters() []engine.Parameter
	// TxStatus is 'I' (idle), 'T' (in a transaction block) or 'E' (failed transaction block).
	TxStatus() byte
	// Close ends the session; it is called exactly once, when the connection ends.
	Close()
}

// Locator is implemented by a Session whose text output and input depend on its TimeZone
// setting. Sessions without it use UTC.
type Locator interface {
	Location() *time.Location
}

// FloatDigitser is implemented by a Session whose float text output follows its
// extra_float_digits setting (PostgreSQL's default, 1, gives the shortest exact form).
type FloatDigitser interface {
	ExtraFloatDigits() int
}

// StatementTimeouter is implemented by a Session with a statement_timeout: a statement (or an
// Execute of a portal) that runs longer is cancelled with 57014.
type StatementTimeouter interface {
	// StatementTimeout is the limit; 0 means none.
	StatementTimeout() time.Duration
}

// ImplicitTransactioner is implemented by a Session that runs the statements of a multi-statement
// simple Query in one implicit transaction block, as PostgreSQL does (so that a cursor declared
// in it can be fetched from by the statements after it).
type ImplicitTransactioner interface {
	BeginImplicit()
	// EndImplicit is called after the Query's last statement ran or one failed.
	EndImplicit(failed bool)
}

// textFormat is what a session's text output depends on.
type textFormat struct {
	loc              *time.Location
	extraFloatDigits int
}

func textFormatOf(s Session) textFormat {
	f := textFormat{loc: location(s), extraFloatDigits: 1}
	if d, ok := s.(FloatDigitser); ok {
		f.extraFloatDigits = d.ExtraFloatDigits()
	}
	return f
}

// location returns the session's time zone, UTC by default.
func location(s Session) *time.Location {
	if l, ok := s.(Locator); ok {
		if loc := l.Location(); loc != nil {
			return loc
		}
	}
	return time.UTC
}
