package pgwire

import (
	"context"
	"crypto/md5"
	"crypto/rand"
	"crypto/subtle"
	"encoding/hex"
	"errors"
	"fmt"
	"io"
	"net"
	"runtime/debug"

	"github.com/jackc/pgx/v5/pgproto3"

	"github.com/runnel-db/runnel/engine"
	"github.com/runnel-db/runnel/exec/sqlerr"
)

// Authentication. Options.Auth says which connections must prove a password; the Backend's
// Authenticator (if it has one) says what the stored password is. The stored verifier decides
// the exchange, as in PostgreSQL's pg_hba "md5" method: a SCRAM-SHA-256 verifier is checked
// with SASL SCRAM-SHA-256 (SCRAM-SHA-256-PLUS with tls-server-end-point channel binding is also
// offered over TLS), an MD5 verifier with the MD5 challenge. An unknown role, a role without a
// password and a Backend without an Authenticator all go through a SCRAM exchange with made-up
// credentials that fails the same way a wrong password does, so the answer never tells whether
// a role exists. A role that may not log in (NOLOGIN) is refused with 28000 only after it has
// authenticated (or was trusted).

// AuthMethod is the authentication policy: which connections must give a password.
type AuthMethod int

const (
	// AuthLoopbackTrust (the default) trusts connections from loopback addresses and in-process
	// or Unix-socket connections; every other client must give a password.
	AuthLoopbackTrust AuthMethod = iota
	// AuthTrust lets every client in as the user it names, without a password.
	AuthTrust
	// AuthPassword requires a password from every client.
	AuthPassword
)

// ParseAuthMethod parses the names String returns.
func ParseAuthMethod(s string) (AuthMethod, error) {
	for _, m := range []AuthMethod{AuthLoopbackTrust, AuthTrust, AuthPassword} {
		if m.String() == s {
			return m, nil
		}
	}
	return 0, fmt.Errorf("unknown authentication method %q (want loopback-trust, trust or password)", s)
}

// String is the method's name: "loopback-trust", "trust" or "password".
func (m AuthMethod) String() string {
	switch m {
	case AuthLoopbackTrust:
		return "loopback-trust"
	case AuthTrust:
		return "trust"
	case AuthPassword:
		return "password"
	}
	return fmt.Sprintf("AuthMethod(%d)", int(m))
}

// Authenticator is implemented by a Backend that knows its roles. pgwire calls it during the
// startup handshake, before NewSession.
type Authenticator interface {
	// LookupRole returns what logging in as user requires; ok is false when there is no such
	// role. An error ends the connection with FATAL.
	LookupRole(ctx context.Context, user string) (r Role, ok bool, err error)
}

// Role is what authentication needs to know about a role.
type Role struct {
	// CanLogin is false for roles that may not log in (NOLOGIN): they get FATAL 28000.
	CanLogin bool
	// Password is the stored verifier in PostgreSQL's pg_authid.rolpassword form:
	// "SCRAM-SHA-256$<iterations>:<salt>$<StoredKey>:<ServerKey>" or "md5" + 32 hex digits;
	// "" when the role has no password (password authentication then fails).
	Password string
}

// maxAuthMessage bounds SASL and password messages (PostgreSQL's PG_MAX_AUTH_TOKEN_LENGTH).
const maxAuthMessage = 65535

// errAuthEOF is returned when the client hung up during authentication, as psql does when it
// learns that a password is needed and has none yet (it asks and reconnects).
var errAuthEOF = errors.New("client closed the connection during authentication")

func errPasswordFailed(user string) error {
	return sqlerr.New("28P01", "password authentication failed for user %q", user)
}

// authenticate runs the authentication exchange for user. It returns nil when the client may
// proceed, errAuthEOF when it went away, or the error to send as FATAL.
func (c *conn) authenticate(user string) error {
	auth, _ := c.srv.backend.(Authenticator)
	var role Role
	found := false
	if auth != nil {
		var err error
		if role, found, err = c.lookupRole(auth, user); err != nil {
			return err
		}
	}
	if c.needsPassword() {
		if err := c.passwordExchange(user, role, found); err != nil {
			return err
		}
	}
	if found && !role.CanLogin {
		return sqlerr.New("28000", "role %q is not permitted to log in", user)
	}
	return nil
}

// needsPassword applies the policy to the client's address.
func (c *conn) needsPassword() bool {
	switch c.srv.opts.Auth {
	case AuthTrust:
		return false
	case AuthLoopbackTrust:
		return !isLocal(c.nc.RemoteAddr())
	}
	return true
}

// isLocal reports whether a is a loopback address, a Unix socket or an in-process pipe.
func isLocal(a net.Addr) bool {
	switch a := a.(type) {
	case *net.TCPAddr:
		return a.IP.IsLoopback()
	case *net.UnixAddr:
		return true
	case nil:
		return false
	}
	return a.Network() == "pipe" // net.Pipe: both ends are in this process
}

// lookupRole calls Authenticator.LookupRole, turning a panic into an error.
func (c *conn) lookupRole(auth Authenticator, user string) (r Role, ok bool, err error) {
	defer func() {
		if p := recover(); p != nil {
			c.log.Error("pgwire: panic in LookupRole", "panic", p, "stack", string(debug.Stack()))
			r, ok, err = Role{}, false, panicError(p)
		}
	}()
	return auth.LookupRole(c.ctx, user)
}

// passwordExchange asks for and checks the password, by the method the stored verifier allows.
func (c *conn) passwordExchange(user string, role Role, found bool) error {
	if found {
		if sec, ok := engine.ParseSCRAMSecret(role.Password); ok {
			return c.scramExchange(user, sec, true)
		}
		if engine.IsMD5Secret(role.Password) {
			return c.md5Exchange(user, role.Password)
		}
		c.log.Info("pgwire: password authentication failed", "user", user, "reason", "role has no password")
	} else {
		c.log.Info("pgwire: password authentication failed", "user", user, "reason", "no such role")
	}
	sec, err := c.srv.mockSecret(user)
	if err != nil {
		return err
	}
	return c.scramExchange(user, sec, false)
}

// md5Exchange runs PostgreSQL's MD5 challenge: the client answers
// "md5" + hex(md5(hex(md5(password || user)) || salt)).
func (c *conn) md5Exchange(user, verifier string) error {
	var salt [4]byte
	if _, err := rand.Read(salt[:]); err != nil {
		return fmt.Errorf("md5 salt: %w", err)
	}
	c.w.send(&pgproto3.AuthenticationMD5Password{Salt: salt})
	body, err := c.readAuthMessage()
	if err != nil {
		return err
	}
	var pm pgproto3.PasswordMessage
	if err := pm.Decode(body); err != nil {
		return sqlerr.New(sqlerr.ProtocolViolation, "invalid password packet: %s", err.Error())
	}
	sum := md5.Sum(append([]byte(verifier[3:]), salt[:]...))
	want := "md5" + hex.EncodeToString(sum[:])
	if subtle.ConstantTimeCompare([]byte(pm.Password), []byte(want)) != 1 {
		c.log.Info("pgwire: password authentication failed", "user", user, "reason", "wrong password (md5)")
		return errPasswordFailed(user)
	}
	return nil
}

// readAuthMessage flushes what was sent and reads the client's next message, which must be a
// password or SASL message ('p'), and returns its body.
func (c *conn) readAuthMessage() ([]byte, error) {
	if err := c.w.flush(); err != nil {
		return nil, errAuthEOF
	}
	f, err := readFrame(c.br, maxAuthMessage)
	if err != nil {
		var tl *tooLargeError
		var pe *protocolError
		switch {
		case errors.As(err, &tl), errors.As(err, &pe):
			return nil, sqlerr.New(sqlerr.ProtocolViolation, "invalid authentication message: %s", err.Error())
		case errors.Is(err, io.EOF), errors.Is(err, io.ErrUnexpectedEOF):
			return nil, errAuthEOF
		}
		return nil, fmt.Errorf("%w: %v", errAuthEOF, err)
	}
	if f.typ != 'p' {
		return nil, sqlerr.New(sqlerr.ProtocolViolation, "expected password response, got message type %d", f.typ)
	}
	return f.body, nil
}
