package pgwire

import (
	"bufio"
	"context"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net"
	"runtime/debug"
	"sync"
	"time"

	"github.com/jackc/pgx/v5/pgproto3"

	"github.com/runnel-db/runnel/exec/sqlerr"
)

// errDisconnected is the cause of a connection context cancelled because the client went away.
var errDisconnected = errors.New("client disconnected")

// errUserCancel is the cause of a statement context cancelled by a CancelRequest.
var errUserCancel = &sqlerr.Error{Code: sqlerr.QueryCanceled, Message: "canceling statement due to user request"}

// readBufferSize is the size of a connection's read buffer.
const readBufferSize = 16 << 10

// readResult is one frame (or the read error that ended the stream) from the reader goroutine.
type readResult struct {
	f   frame
	err error
}

// conn is one client connection. Everything but cancelStatement runs on the connection goroutine.
type conn struct {
	srv *Server
	// nc is the socket: closed to end the connection, and where deadlines are set. With TLS,
	// br and w go through the TLS layer on top of it.
	nc  net.Conn
	br  *bufio.Reader
	w   writer
	tls bool
	log *slog.Logger

	pid    uint32
	secret [4]byte

	// ctx lives as long as the connection; cancelled on disconnect (errDisconnected) and on
	// server shutdown (errShutdown).
	ctx    context.Context
	cancel context.CancelCauseFunc
	frames chan readResult
	// readErr is the error that ended the frame stream; every later read returns it.
	readErr error

	sess    Session
	stmts   map[string]*statement
	portals map[string]*portal
	// ignoreTillSync is set after an error in the extended protocol.
	ignoreTillSync bool

	mu         sync.Mutex
	stmtCancel context.CancelCauseFunc // the running statement's, nil between statements
}

func newConn(s *Server, nc net.Conn) *conn {
	ctx, cancel := context.WithCancelCause(s.ctx)
	return &conn{
		srv:     s,
		nc:      nc,
		br:      bufio.NewReaderSize(nc, readBufferSize),
		w:       writer{w: nc},
		log:     s.opts.Logger.With("remote", nc.RemoteAddr().String()),
		ctx:     ctx,
		cancel:  cancel,
		stmts:   make(map[string]*statement),
		portals: make(map[string]*portal),
	}
}

// serve runs the connection to its end and releases everything it holds.
func (c *conn) serve() {
	admitted := false
	defer func() {
		if r := recover(); r != nil {
			c.log.Error("pgwire: panic in connection", "panic", r, "stack", string(debug.Stack()))
		}
		c.closePortals()
		if c.sess != nil {
			c.closeSession()
		}
		c.srv.release(c, admitted)
		c.cancel(errDisconnected)
		c.nc.Close()
	}()

	ok, admitted := c.startup()
	if !ok {
		return
	}
	// A small buffer: the reader holds at most a few messages (each up to MaxMessageSize) ahead.
	c.frames = make(chan readResult, 2)
	go c.readLoop()
	c.loop()
}

// closeSession calls Session.Close, containing a panic.
func (c *conn) closeSession() {
	defer func() {
		if r := recover(); r != nil {
			c.log.Error("pgwire: panic in Session.Close", "panic", r, "stack", string(debug.Stack()))
		}
	}()
	c.sess.Close()
}

// readLoop frames messages for the connection goroutine, so that a disconnect is seen even while
// a statement runs. It exits after the first read error.
func (c *conn) readLoop() {
	for {
		f, err := readFrame(c.br, c.srv.opts.MaxMessageSize)
		select {
		case c.frames <- readResult{f, err}:
		case <-c.ctx.Done():
			return
		}
		if err != nil {
			var tl *tooLargeError
			var pe *protocolError
			if !errors.As(err, &tl) && !errors.As(err, &pe) {
				c.cancel(errDisconnected)
			}
			return
		}
	}
}

// next returns the next frame, or an error when the stream ended or ctx is done.
func (c *conn) next(ctx context.Context) (frame, error) {
	if c.readErr != nil {
		return frame{}, c.readErr
	}
	select {
	case r := <-c.frames:
		if r.err != nil {
			c.readErr = r.err
		}
		return r.f, r.err
	case <-ctx.Done():
		return frame{}, context.Cause(ctx)
	}
}

// loop handles messages until Terminate, a fatal error, disconnect or shutdown.
func (c *conn) loop() {
	for {
		if err := c.w.err; err != nil {
			return
		}
		f, err := c.next(c.ctx)
		if err != nil {
			c.fatalRead(err)
			return
		}
		m, err := decodeFrontend(f)
		if err != nil {
			var pe *protocolError
			if errors.As(err, &pe) && knownType(f.typ) {
				// A well-framed but malformed message: an ERROR, the stream is still in sync.
				e := sqlerr.New(sqlerr.ProtocolViolation, "%s", err.Error())
				if f.typ == 'Q' || f.typ == 'F' {
					c.sendError(e)
					c.readyForQuery()
				} else if !c.ignoreTillSync {
					c.fail(e)
				}
				c.w.flush()
				continue
			}
			c.fatal(sqlerr.New(sqlerr.ProtocolViolation, "%s", err.Error()))
			return
		}
		if quit := c.dispatch(m); quit {
			return
		}
	}
}

// knownType reports whether typ is a frontend message type decodeFrontend accepts.
func knownType(typ byte) bool {
	switch typ {
	case 'Q', 'P', 'B', 'D', 'E', 'C', 'S', 'H', 'X', 'd', 'c', 'f', 'F', 'p':
		return true
	}
	return false
}

// dispatch handles one message; it reports whether the connection should end.
func (c *conn) dispatch(m pgproto3.FrontendMessage) (quit bool) {
	defer func() {
		if r := recover(); r != nil {
			c.log.Error("pgwire: panic handling message", "message", fmt.Sprintf("%T", m), "panic", r, "stack", string(debug.Stack()))
			if _, ok := m.(*pgproto3.Query); ok {
				c.sendError(panicError(r))
				c.readyForQuery()
			} else {
				c.fail(panicError(r))
			}
			c.w.flush()
		}
	}()
	switch m := m.(type) {
	case *pgproto3.Terminate:
		c.w.flush()
		return true
	case *pgproto3.Query:
		if c.ignoreTillSync {
			return false // PostgreSQL skips everything but Sync after an extended-protocol error
		}
		c.handleQuery(m.String)
		c.readyForQuery()
		c.w.flush()
	case *pgproto3.Sync:
		c.handleSync()
		c.w.flush()
	case *pgproto3.Flush:
		c.w.flush()
	case *pgproto3.CopyData, *pgproto3.CopyDone, *pgproto3.CopyFail:
		// Left over from a COPY that already failed: dropped, as PostgreSQL does.
	case *pgproto3.FunctionCall:
		if c.ignoreTillSync {
			return false
		}
		c.sendError(sqlerr.NotSupported("the function call protocol"))
		c.readyForQuery()
		c.w.flush()
	case *pgproto3.PasswordMessage:
		c.fatal(sqlerr.New(sqlerr.ProtocolViolation, "unexpected password message"))
		return true
	default:
		if c.ignoreTillSync {
			return false
		}
		if err := c.handleExtended(m); err != nil {
			c.fail(err)
		}
	}
	return c.ctx.Err() != nil && context.Cause(c.ctx) == errDisconnected
}

// fail reports a non-fatal error; in the extended protocol the rest up to Sync is then skipped.
func (c *conn) fail(err error) {
	c.ignoreTillSync = true
	c.sendError(err)
}

// fatal sends a FATAL error and flushes; the caller then closes the connection.
func (c *conn) fatal(err error) {
	e := errorResponse(err)
	e.Severity, e.SeverityUnlocalized = "FATAL", "FATAL"
	c.w.send(e)
	c.w.flush()
}

// fatalRead ends the connection after the frame stream failed.
func (c *conn) fatalRead(err error) {
	var tl *tooLargeError
	var pe *protocolError
	switch {
	case errors.As(err, &tl):
		c.log.Warn("pgwire: closing connection", "error", err)
		c.fatal(sqlerr.New(sqlerr.ProtocolViolation, "invalid message length: %s", err.Error()))
	case errors.As(err, &pe):
		c.log.Warn("pgwire: closing connection", "error", err)
		c.fatal(sqlerr.New(sqlerr.ProtocolViolation, "%s", err.Error()))
	case err == errShutdown:
		c.fatal(errShutdown)
	case errors.Is(err, io.EOF), err == errDisconnected:
		// The client went away without Terminate.
	default:
		c.log.Debug("pgwire: connection read failed", "error", err)
	}
}

// readyForQuery ends an exchange.
func (c *conn) readyForQuery() {
	c.w.send(&pgproto3.ReadyForQuery{TxStatus: c.sess.TxStatus()})
}

// errStatementTimeout is the cause of a statement context that outlived statement_timeout.
var errStatementTimeout = &sqlerr.Error{Code: sqlerr.QueryCanceled, Message: "canceling statement due to statement timeout"}

// beginStatement returns the context for one statement (or one Execute of a portal), which a
// CancelRequest cancels, and the session's statement_timeout ends. The caller must call
// endStatement.
func (c *conn) beginStatement() context.Context {
	ctx, cancel := context.WithCancelCause(c.ctx)
	if t, ok := c.sess.(StatementTimeouter); ok {
		if d := t.StatementTimeout(); d > 0 {
			var stop context.CancelFunc
			ctx, stop = context.WithTimeoutCause(ctx, d, errStatementTimeout)
			cancelOuter := cancel
			cancel = func(cause error) {
				cancelOuter(cause)
				stop()
			}
		}
	}
	c.mu.Lock()
	c.stmtCancel = cancel
	c.mu.Unlock()
	return ctx
}

func (c *conn) endStatement() {
	c.mu.Lock()
	cancel := c.stmtCancel
	c.stmtCancel = nil
	c.mu.Unlock()
	if cancel != nil {
		cancel(nil)
	}
}

// cancelStatement cancels the running statement, if any. Safe from any goroutine.
func (c *conn) cancelStatement() {
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.stmtCancel != nil {
		c.stmtCancel(errUserCancel)
	}
}

// startupDeadline bounds the handshake and unblocks it on shutdown.
func (c *conn) startupDeadline() (stop func()) {
	c.nc.SetDeadline(time.Now().Add(c.srv.opts.StartupTimeout))
	stopAfter := context.AfterFunc(c.ctx, func() { c.nc.SetDeadline(time.Unix(1, 0)) })
	return func() {
		stopAfter()
		c.nc.SetDeadline(time.Time{})
	}
}
