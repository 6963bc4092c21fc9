package pgwire

import (
	"context"
	"fmt"
	"runtime/debug"
	"strings"

	"github.com/jackc/pgx/v5/pgproto3"

	"github.com/runnel-db/runnel/engine"
	"github.com/runnel-db/runnel/exec/sqlerr"
	"github.com/runnel-db/runnel/exec/types"
)

// handleExtended handles Parse, Bind, Describe, Execute and Close. A returned error makes the
// caller skip messages until Sync.
func (c *conn) handleExtended(m pgproto3.FrontendMessage) (err error) {
	defer func() {
		if r := recover(); r != nil {
			c.log.Error("pgwire: panic in extended protocol", "message", fmt.Sprintf("%T", m), "panic", r, "stack", string(debug.Stack()))
			err = panicError(r)
		}
	}()
	switch m := m.(type) {
	case *pgproto3.Parse:
		return c.handleParse(m)
	case *pgproto3.Bind:
		return c.handleBind(m)
	case *pgproto3.Describe:
		return c.handleDescribe(m)
	case *pgproto3.Execute:
		return c.handleExecute(m)
	case *pgproto3.Close:
		return c.handleClose(m)
	}
	return sqlerr.New(sqlerr.ProtocolViolation, "unexpected message %T", m)
}

func (c *conn) handleParse(m *pgproto3.Parse) error {
	if _, exists := c.stmts[m.Name]; exists && m.Name != "" {
		return sqlerr.New(codeDuplicatePreparedStatement, "prepared statement \"%s\" already exists", m.Name)
	}
	pts := make([]types.T, len(m.ParameterOIDs))
	for i, oid := range m.ParameterOIDs {
		t, ok := types.FromOID(oid)
		if !ok {
			return sqlerr.New(sqlerr.UndefinedObject, "type with OID %d is not supported", oid)
		}
		pts[i] = t
	}
	st := &statement{}
	if strings.TrimSpace(m.Query) == "" {
		st.empty = true
		st.prep = &engine.Prepared{SQL: m.Query, ParamTypes: pts}
	} else {
		ctx := c.beginStatement()
		prep, err := c.sess.Prepare(ctx, m.Query, pts)
		c.endStatement()
		if err != nil {
			return statementError(ctx, err)
		}
		st.prep = prep
	}
	c.stmts[m.Name] = st
	c.w.send(&pgproto3.ParseComplete{})
	return nil
}

func (c *conn) statement(name string) (*statement, error) {
	st, ok := c.stmts[name]
	if !ok {
		if name == "" {
			return nil, sqlerr.New(sqlerr.InvalidSQLStatementName, "unnamed prepared statement does not exist")
		}
		return nil, sqlerr.New(sqlerr.InvalidSQLStatementName, "prepared statement \"%s\" does not exist", name)
	}
	return st, nil
}

func (c *conn) handleBind(m *pgproto3.Bind) error {
	st, err := c.statement(m.PreparedStatement)
	if err != nil {
		return err
	}
	if _, exists := c.portals[m.DestinationPortal]; exists && m.DestinationPortal != "" {
		return sqlerr.New(codeDuplicateCursor, "cursor \"%s\" already exists", m.DestinationPortal)
	}
	pts := st.prep.ParamTypes
	if len(m.Parameters) != len(pts) {
		return sqlerr.New(sqlerr.ProtocolViolation, "bind message supplies %d parameters, but prepared statement \"%s\" requires %d", len(m.Parameters), m.PreparedStatement, len(pts))
	}
	if nf := len(m.ParameterFormatCodes); nf > 1 && nf != len(m.Parameters) {
		return sqlerr.New(sqlerr.ProtocolViolation, "bind message has %d parameter formats but %d parameters", nf, len(m.Parameters))
	}
	params, err := decodeParams(m.Parameters, m.ParameterFormatCodes, pts, location(c.sess))
	if err != nil {
		return err
	}
	formats, err := resultFormats(m.ResultFormatCodes, len(st.prep.Columns))
	if err != nil {
		return err
	}
	c.closePortal(m.DestinationPortal)
	c.portals[m.DestinationPortal] = &portal{stmt: st, params: params, formats: formats}
	c.w.send(&pgproto3.BindComplete{})
	return nil
}

// resultFormats expands Bind's result format codes to one per column.
func resultFormats(codes []int16, ncols int) ([]int16, error) {
	for _, f := range codes {
		if f != formatText && f != formatBinary {
			return nil, sqlerr.New(sqlerr.InvalidParameterValue, "unsupported format code: %d", f)
		}
	}
	switch {
	case len(codes) == 0:
		return nil, nil
	case len(codes) == 1:
		out := make([]int16, ncols)
		for i := range out {
			out[i] = codes[0]
		}
		return out, nil
	case len(codes) == ncols:
		return append([]int16(nil), codes...), nil
	}
	return nil, sqlerr.New(sqlerr.ProtocolViolation, "bind message has %d result formats but query has %d columns", len(codes), ncols)
}

func (c *conn) handleDescribe(m *pgproto3.Describe) error {
	switch m.ObjectType {
	case 'S':
		st, err := c.statement(m.Name)
		if err != nil {
			return err
		}
		oids := make([]uint32, len(st.prep.ParamTypes))
		for i, t := range st.prep.ParamTypes {
			oids[i] = t.OID()
		}
		c.w.send(&pgproto3.ParameterDescription{ParameterOIDs: oids})
		c.describeRows(st, nil)
	case 'P':
		p, ok := c.portals[m.Name]
		if !ok {
			return sqlerr.New(sqlerr.InvalidCursorName, "portal \"%s\" does not exist", m.Name)
		}
		c.describeRows(p.stmt, p.formats)
	default:
		return sqlerr.New(sqlerr.ProtocolViolation, "invalid DESCRIBE message subtype %d", m.ObjectType)
	}
	return nil
}

// describeRows sends RowDescription for a row-returning statement, NoData otherwise.
func (c *conn) describeRows(st *statement, formats []int16) {
	if st.empty || st.prep.Columns == nil {
		c.w.send(&pgproto3.NoData{})
		return
	}
	c.w.send(&pgproto3.RowDescription{Fields: fieldDescriptions(st.prep.Columns, formats)})
}

func (c *conn) handleExecute(m *pgproto3.Execute) error {
	p, ok := c.portals[m.Portal]
	if !ok {
		return sqlerr.New(sqlerr.InvalidCursorName, "portal \"%s\" does not exist", m.Portal)
	}
	if p.stmt.empty {
		c.w.send(&pgproto3.EmptyQueryResponse{})
		return nil
	}
	ctx := c.beginStatement()
	defer c.endStatement()
	if err := c.executePortal(ctx, p, int64(m.MaxRows)); err != nil {
		// A failed portal cannot be resumed.
		c.closePortal(m.Portal)
		return statementError(ctx, err)
	}
	return nil
}

// executePortal runs the portal's statement on its first Execute and sends up to maxRows rows.
func (c *conn) executePortal(ctx context.Context, p *portal, maxRows int64) error {
	prep := p.stmt.prep
	if p.res == nil {
		res, err := c.sess.Execute(ctx, prep, p.params)
		if err != nil {
			return err
		}
		p.res = res
		if res.Rows == nil || res.Empty || res.CopyIn != nil || res.CopyOut != nil {
			p.done = true
			return c.sendResult(ctx, res, prep, p.formats, false)
		}
	} else if p.done {
		// Executing a completed portal again sends its tag with no rows.
		c.complete(&engine.Result{Tag: p.res.Tag, RowCountInTag: p.res.RowCountInTag}, 0)
		return nil
	}
	n, suspended, err := c.sendRows(ctx, p.res, resultColumns(p.res, prep), p.formats, &p.cursor, maxRows)
	if err != nil {
		return err
	}
	if suspended {
		c.w.send(&pgproto3.PortalSuspended{})
		return nil
	}
	p.done = true
	p.close()
	c.complete(p.res, n)
	return nil
}

func (c *conn) handleClose(m *pgproto3.Close) error {
	switch m.ObjectType {
	case 'S':
		delete(c.stmts, m.Name)
	case 'P':
		c.closePortal(m.Name)
	default:
		return sqlerr.New(sqlerr.ProtocolViolation, "invalid CLOSE message subtype %d", m.ObjectType)
	}
	c.w.send(&pgproto3.CloseComplete{})
	return nil
}

// handleSync ends an extended-protocol exchange. Outside a transaction block the implicit
// transaction ends here, and with it every portal.
func (c *conn) handleSync() {
	c.ignoreTillSync = false
	if c.sess.TxStatus() != 'T' {
		c.closePortals()
	}
	c.readyForQuery()
}
