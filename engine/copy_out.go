package engine

import (
	"bytes"
	"context"
	"strings"

	pg_query "github.com/pganalyze/pg_query_go/v6"

	"github.com/runnel-db/runnel/exec/sqlerr"
	"github.com/runnel-db/runnel/exec/types"
	"github.com/runnel-db/runnel/sql"
)

// COPY t [(cols)] TO STDOUT and COPY (query) TO STDOUT [WITH (FORMAT text|csv, HEADER, DELIMITER
// 'c', NULL 's', QUOTE 'q')]: the rows of a query, encoded as PostgreSQL encodes them, streamed
// in chunks of whole rows.

// CopyOut streams the data of COPY … TO STDOUT.
type CopyOut interface {
	// NumColumns is the number of columns per row.
	NumColumns() int
	// Next returns the next piece of data, whole rows only, and how many rows it holds; nil at
	// the end.
	Next(ctx context.Context) (data []byte, rows int, err error)
	// Close releases the rows; safe to call more than once.
	Close()
}

type copyOutExec struct {
	query executor
	opts  copyOptions
	cols  []Column
}

// bindCopyOut binds COPY … TO STDOUT: the query it copies is planned as a SELECT.
func (s *Session) bindCopyOut(st sql.Statement, c *pg_query.CopyStmt, opts copyOptions) (executor, error) {
	if c.Filename != "" || c.IsProgram {
		return nil, sqlerr.NotSupported("COPY to a file or program (use COPY … TO STDOUT or psql's \\copy)")
	}
	var text string
	switch {
	case c.Query != nil:
		q, err := sql.Deparse(c.Query)
		if err != nil {
			return nil, err
		}
		text = q
	case c.Relation != nil:
		cols := "*"
		if len(c.Attlist) > 0 {
			names := make([]string, len(c.Attlist))
			for i, a := range c.Attlist {
				names[i] = quoteIdent(a.GetString_().Sval)
			}
			cols = strings.Join(names, ", ")
		}
		name := quoteIdent(c.Relation.Relname)
		if c.Relation.Schemaname != "" {
			name = quoteIdent(c.Relation.Schemaname) + "." + name
		}
		text = "SELECT " + cols + " FROM " + name
	default:
		return nil, sqlerr.New(sqlerr.SyntaxError, "COPY TO needs a table or a query")
	}
	qs, err := sql.ParseOne(text)
	if err != nil {
		return nil, err
	}
	if qs.AST == nil || qs.AST.GetSelectStmt() == nil {
		return nil, sqlerr.NotSupported("COPY (statement) TO: only queries can be copied")
	}
	var inner Prepared
	q, err := s.bindQuery(qs, nil, &inner)
	if err != nil {
		return nil, err
	}
	return &copyOutExec{query: q, opts: opts, cols: inner.Columns}, nil
}

// copySubscribeExec is COPY (SUBSCRIBE …) TO STDOUT: the subscription's rows as COPY data,
// streamed as epochs commit.
type copySubscribeExec struct {
	sub  executor
	cols []Column
	opts copyOptions
}

func (s *Session) bindCopySubscribe(cs *sql.CopySubscribe) (executor, error) {
	var inner Prepared
	sub, err := s.bindSubscribe(cs.Subscribe, &inner)
	if err != nil {
		return nil, err
	}
	opts := copyOptions{format: CopyText, delimiter: '\t', null: `\N`, quote: '"'}
	if cs.Format == "csv" {
		opts = copyOptions{format: CopyCSV, delimiter: ',', quote: '"'}
	}
	return &copySubscribeExec{sub: sub, cols: inner.Columns, opts: opts}, nil
}

func (x *copySubscribeExec) execute(ctx context.Context, s *Session, params []types.Datum) (*Result, error) {
	r, err := x.sub.execute(ctx, s, params)
	if err != nil {
		return nil, err
	}
	return &Result{CopyOut: &copyOut{s: s, rows: r.Rows, cols: x.cols, opts: x.opts, streaming: true}}, nil
}

func quoteIdent(s string) string { return `"` + strings.ReplaceAll(s, `"`, `""`) + `"` }

func (x *copyOutExec) execute(ctx context.Context, s *Session, params []types.Datum) (*Result, error) {
	r, err := x.query.execute(ctx, s, params)
	if err != nil {
		return nil, err
	}
	if r.Rows == nil {
		return nil, sqlerr.New(sqlerr.Internal, "internal error: COPY TO of a statement without rows")
	}
	return &Result{CopyOut: &copyOut{s: s, rows: r.Rows, cols: x.cols, opts: x.opts, header: x.opts.header}}, nil
}

// copyOut encodes a query's rows in COPY's text or csv format.
type copyOut struct {
	s      *Session
	rows   Rows
	cols   []Column
	opts   copyOptions
	header bool // the header line is still to be sent
	// streaming means Next may wait for data that does not exist yet (a subscription).
	streaming bool
	buf       []byte
	field     []byte
}

// Streaming reports whether Next may wait for future data, so that what was sent so far should
// reach the client first.
func (c *copyOut) Streaming() bool { return c.streaming }

func (c *copyOut) NumColumns() int { return len(c.cols) }

func (c *copyOut) Close() { c.rows.Close() }

func (c *copyOut) Next(ctx context.Context) ([]byte, int, error) {
	c.buf = c.buf[:0]
	if c.header {
		c.header = false
		for i, col := range c.cols {
			if i > 0 {
				c.buf = append(c.buf, c.opts.delimiter)
			}
			c.buf = c.appendField(c.buf, []byte(col.Name), false)
		}
		c.buf = append(c.buf, '\n')
	}
	rec, err := c.rows.Next(ctx)
	if err != nil {
		return nil, 0, err
	}
	if rec == nil {
		if len(c.buf) > 0 {
			return c.buf, 0, nil
		}
		return nil, 0, nil
	}
	defer rec.Release()
	loc := c.s.location()
	n := int(rec.NumRows())
	for r := 0; r < n; r++ {
		for i := range c.cols {
			if i > 0 {
				c.buf = append(c.buf, c.opts.delimiter)
			}
			col := rec.Column(i)
			if col.IsNull(r) {
				c.buf = append(c.buf, c.opts.null...)
				continue
			}
			c.field = types.AppendText(c.field[:0], col, r, c.cols[i].Type, loc)
			c.buf = c.appendField(c.buf, c.field, true)
		}
		c.buf = append(c.buf, '\n')
	}
	return c.buf, n, nil
}

// appendField appends one non-NULL value: escaped in text format, quoted when needed in csv
// (always when it could be read back as NULL).
func (c *copyOut) appendField(dst, v []byte, value bool) []byte {
	if c.opts.format == CopyCSV {
		q := c.opts.quote
		if len(v) == 0 && value || string(v) == c.opts.null && value ||
			bytes.IndexByte(v, c.opts.delimiter) >= 0 || bytes.IndexByte(v, q) >= 0 || bytes.ContainsAny(v, "\r\n") {
			dst = append(dst, q)
			for _, b := range v {
				if b == q {
					dst = append(dst, q)
				}
				dst = append(dst, b)
			}
			return append(dst, q)
		}
		return append(dst, v...)
	}
	for _, b := range v {
		switch b {
		case '\\':
			dst = append(dst, '\\', '\\')
		case '\n':
			dst = append(dst, '\\', 'n')
		case '\r':
			dst = append(dst, '\\', 'r')
		case '\t':
			dst = append(dst, '\\', 't')
		default:
			if b == c.opts.delimiter {
				dst = append(dst, '\\')
			}
			dst = append(dst, b)
		}
	}
	return dst
}
