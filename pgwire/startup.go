package pgwire

import (
	"bufio"
	"crypto/tls"
	"errors"
	"fmt"
	"runtime/debug"
	"strings"

	"github.com/jackc/pgx/v5/pgproto3"

	"github.com/runnel-db/runnel/exec/sqlerr"
)

// maxSSLRequests bounds SSLRequest/GSSENCRequest round trips before a StartupMessage.
const maxSSLRequests = 2

// startup runs the handshake: SSL/GSS negotiation, cancel requests, the StartupMessage,
// authentication (auth.go) and the initial ParameterStatus set. ok is false when the connection must
// close; admitted tells whether it was counted against MaxConnections.
func (c *conn) startup() (ok, admitted bool) {
	stop := c.startupDeadline()
	defer stop()
	for requests := 0; ; requests++ {
		body, err := readStartupPacket(c.br)
		if err != nil {
			c.logStartupError(err)
			return false, false
		}
		msg, err := decodeStartup(body)
		if err != nil {
			c.logStartupError(err)
			return false, false
		}
		switch m := msg.(type) {
		case *pgproto3.SSLRequest, *pgproto3.GSSEncRequest:
			if requests >= maxSSLRequests || c.br.Buffered() > 0 || c.tls {
				// Bytes sent before our answer would be a plaintext injection into a TLS
				// handshake (CVE-2021-23214); refuse them.
				c.log.Warn("pgwire: closing connection: unexpected data after SSL/GSS request")
				return false, false
			}
			if _, ok := m.(*pgproto3.SSLRequest); ok && c.srv.opts.TLSConfig != nil {
				if !c.startTLS() {
					return false, false
				}
				continue
			}
			if _, err := c.nc.Write([]byte{'N'}); err != nil {
				return false, false
			}
		case *pgproto3.CancelRequest:
			c.srv.cancelRequest(m.ProcessID, m.SecretKey)
			return false, false
		case *pgproto3.StartupMessage:
			return c.start(m)
		default:
			return false, false
		}
	}
}

// startTLS answers 'S' and runs the server side of the TLS handshake; the rest of the
// connection is read and written through TLS.
func (c *conn) startTLS() bool {
	if _, err := c.nc.Write([]byte{'S'}); err != nil {
		return false
	}
	tc := tls.Server(c.nc, c.srv.opts.TLSConfig)
	if err := tc.HandshakeContext(c.ctx); err != nil {
		c.log.Warn("pgwire: TLS handshake failed", "error", err)
		return false
	}
	c.tls = true
	c.br = bufio.NewReaderSize(tc, readBufferSize)
	c.w.w = tc
	return true
}

func (c *conn) logStartupError(err error) {
	var pe *protocolError
	if errors.As(err, &pe) {
		c.log.Warn("pgwire: bad startup packet", "error", err)
	}
}

// start answers a StartupMessage.
func (c *conn) start(m *pgproto3.StartupMessage) (ok, admitted bool) {
	if m.ProtocolVersion>>16 != protocolMajor3 {
		c.fatal(sqlerr.New(sqlerr.FeatureNotSupported, "unsupported frontend protocol %d.%d: server supports 3.0 to 3.0", m.ProtocolVersion>>16, m.ProtocolVersion&0xffff))
		return false, false
	}
	params := make(map[string]string, len(m.Parameters))
	var unrecognized []string
	for k, v := range m.Parameters {
		if strings.HasPrefix(k, "_pq_.") {
			unrecognized = append(unrecognized, k)
			continue
		}
		params[k] = v
	}
	if m.ProtocolVersion&0xffff != 0 || len(unrecognized) > 0 {
		c.w.send(&pgproto3.NegotiateProtocolVersion{NewestMinorProtocol: 0, UnrecognizedOptions: unrecognized})
	}
	user := params["user"]
	if user == "" {
		c.fatal(sqlerr.New("28000", "no PostgreSQL user name specified in startup packet"))
		return false, false
	}
	db := params["database"]
	if db == "" {
		db = user
	}
	if !c.srv.admit() {
		c.fatal(sqlerr.New(sqlerr.TooManyConnections, "sorry, too many clients already"))
		return false, false
	}
	if err := c.authenticate(user); err != nil {
		if errors.Is(err, errAuthEOF) {
			c.log.Debug("pgwire: authentication ended", "user", user, "error", err)
		} else {
			c.fatal(err)
		}
		return false, true
	}
	sess, err := c.newSession(Startup{User: user, Database: db, Params: params, RemoteAddr: c.nc.RemoteAddr()})
	if err != nil {
		c.fatal(err)
		return false, true
	}
	c.sess = sess
	c.srv.register(c)

	c.w.send(&pgproto3.AuthenticationOk{})
	for _, p := range sess.Parameters() {
		c.w.send(&pgproto3.ParameterStatus{Name: p.Name, Value: p.Value})
	}
	c.w.send(&pgproto3.BackendKeyData{ProcessID: c.pid, SecretKey: c.secret[:]})
	c.readyForQuery()
	return c.w.flush() == nil, true
}

// newSession calls Backend.NewSession, turning a panic into an error.
func (c *conn) newSession(s Startup) (sess Session, err error) {
	defer func() {
		if r := recover(); r != nil {
			c.log.Error("pgwire: panic in NewSession", "panic", r, "stack", string(debug.Stack()))
			sess, err = nil, panicError(r)
		}
	}()
	sess, err = c.srv.backend.NewSession(c.ctx, s)
	if err == nil && sess == nil {
		err = fmt.Errorf("backend returned no session")
	}
	return sess, err
}
