package pgwire

import (
	"context"
	"fmt"

	"github.com/jackc/pgx/v5/pgproto3"

	"github.com/runnel-db/runnel/engine"
	"github.com/runnel-db/runnel/exec/sqlerr"
)

// copyIn runs the COPY FROM STDIN sub-protocol: CopyInResponse, then CopyData payloads into ci
// until CopyDone (ci.Done gives the tag) or CopyFail (57014). ci is aborted on every other path.
// Flush and Sync are ignored during the copy, as PostgreSQL does.
func (c *conn) copyIn(ctx context.Context, ci engine.CopyIn) (tag string, err error) {
	finished := false
	defer func() {
		if !finished {
			ci.Abort()
		}
	}()
	var overall byte
	if ci.Format() == engine.CopyBinary {
		overall = 1
	}
	cf := make([]uint16, ci.NumColumns())
	for i := range cf {
		cf[i] = uint16(overall)
	}
	c.w.send(&pgproto3.CopyInResponse{OverallFormat: overall, ColumnFormatCodes: cf})
	if err := c.w.flush(); err != nil {
		return "", err
	}
	for {
		f, err := c.next(ctx)
		if err != nil {
			return "", err
		}
		switch f.typ {
		case 'd':
			if err := ci.Write(f.body); err != nil {
				return "", err
			}
		case 'c':
			finished = true
			return ci.Done(ctx)
		case 'f':
			var m pgproto3.CopyFail
			if err := m.Decode(f.body); err != nil {
				return "", sqlerr.New(sqlerr.ProtocolViolation, "invalid CopyFail message: %v", err)
			}
			return "", sqlerr.New(sqlerr.QueryCanceled, "COPY from stdin failed: %s", m.Message)
		case 'H', 'S':
		default:
			return "", sqlerr.New(sqlerr.ProtocolViolation, "unexpected message type 0x%02X during COPY from stdin", f.typ)
		}
	}
}

// copyOut runs the COPY TO STDOUT sub-protocol: CopyOutResponse, CopyData with whole rows,
// CopyDone. It closes co and returns the tag.
func (c *conn) copyOut(ctx context.Context, co engine.CopyOut) (tag string, err error) {
	defer co.Close()
	c.w.send(&pgproto3.CopyOutResponse{OverallFormat: 0, ColumnFormatCodes: make([]uint16, co.NumColumns())})
	if err := c.w.flush(); err != nil {
		return "", err
	}
	var n int64
	for {
		data, rows, err := co.Next(ctx)
		if err != nil {
			return "", err
		}
		if data == nil {
			break
		}
		n += int64(rows)
		c.w.send(&pgproto3.CopyData{Data: data})
		flush := c.w.flushIfFull
		if s, ok := co.(interface{ Streaming() bool }); ok && s.Streaming() {
			flush = c.w.flush // a subscription: the next rows may be far off
		}
		if err := flush(); err != nil {
			return "", err
		}
	}
	c.w.send(&pgproto3.CopyDone{})
	return fmt.Sprintf("COPY %d", n), nil
}
