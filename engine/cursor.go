package engine

import (
	"context"
	"errors"
	"fmt"
	"math"
	"strconv"
	"strings"
	"time"

	"github.com/apache/arrow-go/v18/arrow"
	pg_query "github.com/pganalyze/pg_query_go/v6"

	"github.com/runnel-db/runnel/exec/sqlerr"
	"github.com/runnel-db/runnel/exec/types"
	"github.com/runnel-db/runnel/sql"
)

// Cursors: DECLARE, FETCH, MOVE and CLOSE, as in PostgreSQL, over a query or (in Materialize's
// shape) a SUBSCRIBE.
//
// Guarantees:
//   - A cursor's rows are its query's answer over the snapshot taken at DECLARE: the query runs
//     then, FETCH hands out its rows in order, forward only (NO SCROLL).
//   - Without WITH HOLD a cursor exists only inside a transaction block (25P01 otherwise) and is
//     closed by the block's COMMIT or ROLLBACK; WITH HOLD survives COMMIT, and is closed by the
//     ROLLBACK of the block that declared it. Every cursor is closed when the session ends.
//   - A SUBSCRIBE cursor holds a live subscription: FETCH n returns up to n rows of
//     (mz_timestamp, mz_diff, columns...) that are already buffered, waiting for the first one
//     (at most TIMEOUT when given; TIMEOUT 0 never waits). Closing the cursor ends the
//     subscription and frees its buffer.
//
// Not supported (0A000 or 55000, as PostgreSQL words it): SCROLL and INSENSITIVE cursors,
// FETCH BACKWARD/PRIOR/ABSOLUTE/RELATIVE/FIRST/LAST, FORWARD 0.

// PostgreSQL's DECLARE option bits (parsenodes.h CURSOR_OPT_*).
const (
	cursorOptBinary      = 0x1
	cursorOptScroll      = 0x2
	cursorOptInsensitive = 0x8
	cursorOptHold        = 0x20
)

// SQLSTATEs of cursors.
const (
	codeNoActiveTransaction = "25P01"
	codeDuplicateCursor     = "42P03"
)

// cursor is one open cursor of a session.
type cursor struct {
	name         string
	hold, binary bool
	// inTx marks a cursor declared in the current transaction block: ROLLBACK closes it even
	// WITH HOLD.
	inTx bool
	cols []Column
	rows Rows
	// streaming is rows as StreamingRows for a SUBSCRIBE cursor, nil for a query.
	streaming StreamingRows
	// chunk is the batch being handed out (owned), pos its next row.
	chunk  arrow.RecordBatch
	pos    int64
	done   bool // rows ended
	closed bool
}

// next returns up to max (> 0) of the cursor's next rows, or nil at the end. It waits in
// rows.Next only when nothing is buffered. The caller releases the batch.
func (c *cursor) next(ctx context.Context, max int64) (arrow.RecordBatch, error) {
	for c.chunk == nil || c.pos >= c.chunk.NumRows() {
		if c.done || c.closed {
			return nil, nil
		}
		c.releaseChunk()
		b, err := c.rows.Next(ctx)
		if err != nil {
			return nil, err
		}
		if b == nil {
			c.done = true
			return nil, nil
		}
		c.chunk, c.pos = b, 0
	}
	hi := min(c.pos+max, c.chunk.NumRows())
	out := c.chunk.NewSlice(c.pos, hi)
	c.pos = hi
	return out, nil
}

// buffered reports whether next returns without waiting.
func (c *cursor) buffered() bool {
	if c.closed || c.done || c.streaming == nil || c.chunk != nil && c.pos < c.chunk.NumRows() {
		return true
	}
	return c.streaming.Buffered()
}

func (c *cursor) releaseChunk() {
	if c.chunk != nil {
		c.chunk.Release()
		c.chunk = nil
	}
}

// close releases the cursor's rows (ending a subscription).
func (c *cursor) close() {
	if c.closed {
		return
	}
	c.closed = true
	c.releaseChunk()
	c.rows.Close()
}

// closeCursors closes and forgets the session's cursors for which drop is true.
func (s *Session) closeCursors(drop func(*cursor) bool) {
	for name, c := range s.cursors {
		if drop(c) {
			c.close()
			delete(s.cursors, name)
		}
	}
}

// endTxCursors closes the cursors a transaction block's end ends: COMMIT keeps WITH HOLD
// cursors, ROLLBACK keeps only those declared before the block.
func (s *Session) endTxCursors(commit bool) {
	s.closeCursors(func(c *cursor) bool { return !c.hold || !commit && c.inTx })
	for _, c := range s.cursors {
		c.inTx = false
	}
}

func (s *Session) cursor(name string) (*cursor, error) {
	c := s.cursors[name]
	if c == nil {
		return nil, sqlerr.New(sqlerr.InvalidCursorName, "cursor %q does not exist", name)
	}
	return c, nil
}

// DECLARE

type declareExec struct {
	name         string
	hold, binary bool
	query        executor // a query or a SUBSCRIBE
}

func (s *Session) bindDeclare(st sql.Statement, d *pg_query.DeclareCursorStmt, paramTypes []types.T, p *Prepared) (executor, error) {
	if d.Options&(cursorOptScroll|cursorOptInsensitive) != 0 {
		what := "SCROLL"
		if d.Options&cursorOptInsensitive != 0 {
			what = "INSENSITIVE"
		}
		return nil, sqlerr.NotSupported(what + " cursors")
	}
	if d.Query.GetSelectStmt() == nil {
		return nil, sqlerr.NotSupported("DECLARE CURSOR for a " + statementName(d.Query))
	}
	var inner Prepared
	q, err := s.bindQuery(sql.Statement{AST: d.Query, Text: st.Text}, paramTypes, &inner)
	if err != nil {
		return nil, err
	}
	p.ParamTypes = inner.ParamTypes
	return &declareExec{name: d.Portalname, hold: d.Options&cursorOptHold != 0, binary: d.Options&cursorOptBinary != 0, query: q}, nil
}

func (s *Session) bindDeclareSubscribe(d *sql.DeclareSubscribe) (executor, error) {
	var inner Prepared
	q, err := s.bindSubscribe(d.Subscribe, &inner)
	if err != nil {
		return nil, err
	}
	return &declareExec{name: d.Cursor, hold: d.Hold, binary: d.Binary, query: q}, nil
}

func (x *declareExec) execute(ctx context.Context, s *Session, params []types.Datum) (*Result, error) {
	if !x.hold && s.txStatus == 'I' && !s.implicitTx {
		return nil, sqlerr.New(codeNoActiveTransaction, "DECLARE CURSOR can only be used in transaction blocks")
	}
	if _, exists := s.cursors[x.name]; exists {
		return nil, sqlerr.New(codeDuplicateCursor, "cursor %q already exists", x.name)
	}
	r, err := x.query.execute(ctx, s, params)
	if err != nil {
		return nil, err
	}
	if r.Rows == nil {
		return nil, fmt.Errorf("internal error: cursor %q: the query returned no rows", x.name)
	}
	c := &cursor{name: x.name, hold: x.hold, binary: x.binary, inTx: s.txStatus != 'I' || s.implicitTx, cols: r.Columns, rows: r.Rows}
	c.streaming, _ = r.Rows.(StreamingRows)
	if s.cursors == nil {
		s.cursors = map[string]*cursor{}
	}
	s.cursors[x.name] = c
	return &Result{Tag: "DECLARE CURSOR"}, nil
}

// FETCH and MOVE

type fetchExec struct {
	name string
	// count is the number of rows; -1 means ALL.
	count int64
	move  bool
	// timeout bounds the wait for a SUBSCRIBE cursor's first row; hasTimeout false waits as
	// long as it takes.
	timeout    time.Duration
	hasTimeout bool
}

// errFetchTimeout ends a FETCH's wait at its TIMEOUT.
var errFetchTimeout = errors.New("fetch timeout")

func (s *Session) bindFetch(f *pg_query.FetchStmt, p *Prepared) (executor, error) {
	x := &fetchExec{name: f.Portalname, move: f.Ismove}
	switch f.Direction {
	case pg_query.FetchDirection_FETCH_FORWARD:
		switch {
		case f.HowMany == math.MaxInt64:
			x.count = -1
		case f.HowMany > 0:
			x.count = f.HowMany
		default:
			return nil, errScanForward()
		}
	case pg_query.FetchDirection_FETCH_BACKWARD:
		return nil, errScanForward()
	case pg_query.FetchDirection_FETCH_RELATIVE:
		return nil, sqlerr.NotSupported("FETCH RELATIVE")
	default:
		return nil, sqlerr.NotSupported("FETCH ABSOLUTE (and FIRST, LAST)")
	}
	s.describeFetch(x, p)
	return x, nil
}

func (s *Session) bindFetchWith(f *sql.Fetch, p *Prepared) (executor, error) {
	d, err := parseFetchTimeout(f.Timeout)
	if err != nil {
		return nil, err.At(f.TimeoutPos)
	}
	if f.Count == 0 {
		return nil, errScanForward()
	}
	x := &fetchExec{name: f.Cursor, count: f.Count, timeout: d, hasTimeout: true}
	s.describeFetch(x, p)
	return x, nil
}

// describeFetch gives a FETCH the columns of its cursor, if it exists yet (as PostgreSQL
// describes it).
func (s *Session) describeFetch(x *fetchExec, p *Prepared) {
	if c := s.cursors[x.name]; c != nil && !x.move {
		p.Columns = c.cols
	}
}

func errScanForward() error {
	return &sqlerr.Error{Code: sqlerr.ObjectNotInPrerequisiteState, Message: "cursor can only scan forward",
		Hint: "Runnel's cursors are NO SCROLL: fetch forward only."}
}

// parseFetchTimeout reads FETCH's TIMEOUT: a number (seconds, as an interval literal) with an
// optional unit (us, ms, s, min, h, or their long forms).
func parseFetchTimeout(v string) (time.Duration, *sqlerr.Error) {
	t := strings.TrimSpace(strings.ToLower(v))
	i := 0
	for i < len(t) && (t[i] >= '0' && t[i] <= '9' || t[i] == '.') {
		i++
	}
	f, err := strconv.ParseFloat(t[:i], 64)
	unit := strings.TrimSpace(t[i:])
	scale, ok := map[string]time.Duration{
		"": time.Second, "s": time.Second, "sec": time.Second, "second": time.Second, "seconds": time.Second,
		"ms": time.Millisecond, "millisecond": time.Millisecond, "milliseconds": time.Millisecond,
		"us": time.Microsecond, "microsecond": time.Microsecond, "microseconds": time.Microsecond,
		"min": time.Minute, "minute": time.Minute, "minutes": time.Minute,
		"h": time.Hour, "hour": time.Hour, "hours": time.Hour,
	}[unit]
	if err != nil || !ok || f*float64(scale) > float64(24*time.Hour) {
		return 0, sqlerr.New(sqlerr.InvalidParameterValue, "invalid FETCH timeout %q: want an interval of at most 1 day, such as '1s' or '250ms'", v)
	}
	return time.Duration(f * float64(scale)), nil
}

func (x *fetchExec) execute(ctx context.Context, s *Session, _ []types.Datum) (*Result, error) {
	c, err := s.cursor(x.name)
	if err != nil {
		return nil, err
	}
	rows := &fetchRows{c: c, left: x.count, timeout: x.timeout, hasTimeout: x.hasTimeout}
	if !x.move {
		return &Result{Tag: "FETCH", RowCountInTag: true, Columns: c.cols, Rows: rows, Binary: c.binary}, nil
	}
	var n int64
	for {
		b, err := rows.Next(ctx)
		if err != nil {
			return nil, err
		}
		if b == nil {
			break
		}
		n += b.NumRows()
		b.Release()
	}
	return &Result{Tag: "MOVE " + strconv.FormatInt(n, 10)}, nil
}

// fetchRows serves one FETCH from its cursor: up to left rows (-1: all), and for a SUBSCRIBE
// cursor only what is buffered once the first rows came.
type fetchRows struct {
	c          *cursor
	left       int64
	sent       int64
	timeout    time.Duration
	hasTimeout bool
}

func (f *fetchRows) Next(ctx context.Context) (arrow.RecordBatch, error) {
	if f.left == 0 {
		return nil, nil
	}
	max := int64(rowsChunk)
	if f.left > 0 {
		max = min(max, f.left)
	}
	if f.c.streaming != nil && !f.c.buffered() {
		if f.sent > 0 || f.hasTimeout && f.timeout <= 0 {
			return nil, nil
		}
		if f.hasTimeout {
			wctx, cancel := context.WithTimeoutCause(ctx, f.timeout, errFetchTimeout)
			defer cancel()
			b, err := f.c.next(wctx, max)
			if err != nil && errors.Is(context.Cause(wctx), errFetchTimeout) && ctx.Err() == nil {
				return nil, nil
			}
			return f.counted(b, err)
		}
	}
	return f.counted(f.c.next(ctx, max))
}

func (f *fetchRows) counted(b arrow.RecordBatch, err error) (arrow.RecordBatch, error) {
	if err != nil || b == nil {
		return nil, err
	}
	f.sent += b.NumRows()
	if f.left > 0 {
		f.left -= b.NumRows()
	}
	return b, nil
}

// Close leaves the cursor open: only CLOSE, the transaction's end or the session's end close it.
func (f *fetchRows) Close() {}

// CLOSE

type closeExec struct{ name string } // "" is CLOSE ALL

func (x *closeExec) execute(_ context.Context, s *Session, _ []types.Datum) (*Result, error) {
	if x.name == "" {
		s.closeCursors(func(*cursor) bool { return true })
		return &Result{Tag: "CLOSE CURSOR ALL"}, nil
	}
	c, err := s.cursor(x.name)
	if err != nil {
		return nil, err
	}
	c.close()
	delete(s.cursors, x.name)
	return &Result{Tag: "CLOSE CURSOR"}, nil
}
