package pgwire

import (
	"context"
	"fmt"
	"runtime/debug"
	"strconv"

	"github.com/apache/arrow-go/v18/arrow"
	"github.com/jackc/pgx/v5/pgproto3"

	"github.com/runnel-db/runnel/engine"
	"github.com/runnel-db/runnel/exec/types"
)

// statement is a prepared statement of the extended protocol.
type statement struct {
	prep *engine.Prepared
	// empty marks a blank query text: it describes as NoData and executes to EmptyQueryResponse
	// without reaching the session.
	empty bool
}

// portal is a bound statement. Its Result is produced by the first Execute; a row-returning
// result stays open between Executes with a row limit (PortalSuspended).
type portal struct {
	stmt    *statement
	params  []types.Datum
	formats []int16 // result format per column of stmt.prep.Columns; nil: all text
	res     *engine.Result
	cursor  rowCursor
	done    bool
}

// close releases the portal's rows.
func (p *portal) close() {
	p.cursor.release()
	if p.res != nil && p.res.Rows != nil {
		p.res.Rows.Close()
	}
}

// rowCursor is the position in a result: the chunk being sent and the next row in it.
type rowCursor struct {
	batch arrow.RecordBatch
	enc   *rowEncoder
	row   int
}

func (rc *rowCursor) release() {
	if rc.batch != nil {
		rc.batch.Release()
		rc.batch, rc.enc = nil, nil
	}
}

// resultColumns are the columns rows are encoded with.
func resultColumns(res *engine.Result, prep *engine.Prepared) []engine.Column {
	if res.Columns != nil || prep == nil {
		return res.Columns
	}
	return prep.Columns
}

// sendRows sends DataRows from res.Rows, resuming at cur, until the rows end or maxRows (> 0)
// rows were sent; suspended reports the latter. A panic while encoding drops the partial row and
// becomes an error.
func (c *conn) sendRows(ctx context.Context, res *engine.Result, cols []engine.Column, formats []int16, cur *rowCursor, maxRows int64) (n int64, suspended bool, err error) {
	mark := len(c.w.buf)
	defer func() {
		if r := recover(); r != nil {
			c.log.Error("pgwire: panic encoding rows", "panic", r, "stack", string(debug.Stack()))
			c.w.buf = c.w.buf[:mark]
			cur.release()
			err = panicError(r)
		}
	}()
	tf := textFormatOf(c.sess)
	streaming, _ := res.Rows.(engine.StreamingRows)
	for maxRows <= 0 || n < maxRows {
		if cur.batch == nil {
			// A streaming result (SUBSCRIBE) may wait in Next for data that does not exist yet:
			// the client gets what was sent so far first.
			if streaming != nil && !streaming.Buffered() {
				if err := c.w.flush(); err != nil {
					return n, false, err
				}
			}
			b, err := res.Rows.Next(ctx)
			if err != nil {
				return n, false, err
			}
			if b == nil {
				return n, false, nil
			}
			if b.NumRows() == 0 {
				b.Release()
				continue
			}
			enc, err := newRowEncoder(b, cols, formats, tf)
			if err != nil {
				b.Release()
				return n, false, fmt.Errorf("internal error: %w", err)
			}
			cur.batch, cur.enc, cur.row = b, enc, 0
		}
		rows := int(cur.batch.NumRows())
		for cur.row < rows && (maxRows <= 0 || n < maxRows) {
			mark = len(c.w.buf)
			c.w.buf = cur.enc.appendRow(c.w.buf, cur.row)
			cur.row++
			n++
			if err := c.w.flushIfFull(); err != nil {
				return n, false, err
			}
			mark = len(c.w.buf)
		}
		if cur.row == rows {
			cur.release()
		}
		if err := ctx.Err(); err != nil {
			return n, false, err
		}
	}
	return n, true, nil
}

// complete sends CommandComplete for res after n rows, then the parameters it changed.
func (c *conn) complete(res *engine.Result, n int64) {
	tag := res.Tag
	if res.RowCountInTag {
		tag = string(strconv.AppendInt([]byte(tag+" "), n, 10))
	}
	c.w.send(&pgproto3.CommandComplete{CommandTag: []byte(tag)})
	for _, p := range res.ParameterChanges {
		c.w.send(&pgproto3.ParameterStatus{Name: p.Name, Value: p.Value})
	}
}

// sendResult sends the whole output of an executed statement: EmptyQueryResponse, a COPY FROM
// STDIN exchange, or (RowDescription if describe) DataRows and CommandComplete. It closes
// res.Rows.
func (c *conn) sendResult(ctx context.Context, res *engine.Result, prep *engine.Prepared, formats []int16, describe bool) error {
	switch {
	case res.Empty:
		if res.Rows != nil {
			res.Rows.Close()
		}
		c.w.send(&pgproto3.EmptyQueryResponse{})
	case res.CopyIn != nil:
		if res.Rows != nil {
			res.Rows.Close()
		}
		tag, err := c.copyIn(ctx, res.CopyIn)
		if err != nil {
			return err
		}
		c.complete(&engine.Result{Tag: tag, ParameterChanges: res.ParameterChanges}, 0)
	case res.CopyOut != nil:
		tag, err := c.copyOut(ctx, res.CopyOut)
		if err != nil {
			return err
		}
		c.complete(&engine.Result{Tag: tag, ParameterChanges: res.ParameterChanges}, 0)
	case res.Rows != nil:
		defer res.Rows.Close()
		cols := resultColumns(res, prep)
		if formats == nil && res.Binary && describe { // the simple protocol: no Bind chose formats
			formats = make([]int16, len(cols))
			for i := range formats {
				formats[i] = formatBinary
			}
		}
		if describe {
			c.w.send(&pgproto3.RowDescription{Fields: fieldDescriptions(cols, formats)})
		}
		var cur rowCursor
		defer cur.release()
		n, _, err := c.sendRows(ctx, res, cols, formats, &cur, 0)
		if err != nil {
			return err
		}
		c.complete(res, n)
	default:
		c.complete(res, 0)
	}
	return nil
}

// closePortal closes and forgets one portal, if it exists.
func (c *conn) closePortal(name string) {
	if p, ok := c.portals[name]; ok {
		p.close()
		delete(c.portals, name)
	}
}

// closePortals closes every portal (end of transaction or connection).
func (c *conn) closePortals() {
	for name := range c.portals {
		c.closePortal(name)
	}
}
