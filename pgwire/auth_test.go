package pgwire

import (
	"context"
	"crypto/tls"
	"database/sql"
	"encoding/base64"
	"errors"
	"io"
	"net"
	"os/exec"
	"strings"
	"testing"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgconn"
	"github.com/jackc/pgx/v5/pgproto3"
	"github.com/lib/pq"
	"github.com/xdg-go/scram"

	"github.com/runnel-db/runnel/engine"
)

// authBackend is the fake backend with roles.
type authBackend struct {
	*fakeBackend
	roles map[string]Role
}

func (b authBackend) LookupRole(_ context.Context, user string) (Role, bool, error) {
	r, ok := b.roles[user]
	return r, ok, nil
}

// testRoles: alice (SCRAM), mel (MD5), nora (right password, NOLOGIN), pat (no password).
func testRoles(t *testing.T) map[string]Role {
	t.Helper()
	scram, err := engine.EncryptPassword(engine.PasswordSCRAM, "alice", "secret")
	if err != nil {
		t.Fatal(err)
	}
	nora, err := engine.EncryptPassword(engine.PasswordSCRAM, "nora", "secret")
	if err != nil {
		t.Fatal(err)
	}
	return map[string]Role{
		"alice": {CanLogin: true, Password: scram},
		"mel":   {CanLogin: true, Password: engine.MD5Secret("mel", "md5pw")},
		"nora":  {CanLogin: false, Password: nora},
		"pat":   {CanLogin: true},
	}
}

// startAuthServer serves the fake backend with testRoles on addr (127.0.0.1:0 when empty).
func startAuthServer(t *testing.T, opts Options, addr string) string {
	t.Helper()
	if addr == "" {
		addr = "127.0.0.1:0"
	}
	b := authBackend{fakeBackend: newFakeBackend(), roles: testRoles(t)}
	ln, err := net.Listen("tcp", addr)
	if err != nil {
		t.Fatal(err)
	}
	if opts.Logger == nil {
		opts.Logger = quietLogger()
	}
	srv := NewServer(b, opts)
	done := make(chan error, 1)
	go func() { done <- srv.Serve(ln) }()
	t.Cleanup(func() {
		ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
		defer cancel()
		if err := srv.Shutdown(ctx); err != nil {
			t.Errorf("Shutdown: %v", err)
		}
		<-done
		b.mem.AssertSize(t, 0)
	})
	return ln.Addr().String()
}

// pgxLogin connects with pgx as user with password; extra is appended to the URL's query.
func pgxLogin(t *testing.T, addr, user, password, extra string) (*pgx.Conn, error) {
	t.Helper()
	cfg, err := pgx.ParseConfig("postgres://" + addr + "/runnel?sslmode=disable" + extra)
	if err != nil {
		t.Fatal(err)
	}
	cfg.User, cfg.Password = user, password
	conn, err := pgx.ConnectConfig(testCtx(t), cfg)
	if err == nil {
		t.Cleanup(func() { conn.Close(context.Background()) })
	}
	return conn, err
}

// wantLoginError checks a failed connection's SQLSTATE and message.
func wantLoginError(t *testing.T, err error, code, msg string) {
	t.Helper()
	var pe *pgconn.PgError
	if !errors.As(err, &pe) || pe.Code != code || pe.Message != msg || pe.Severity != "FATAL" {
		t.Fatalf("got %v, want FATAL %s %s", err, code, msg)
	}
}

func TestAuthSCRAM(t *testing.T) {
	addr := startAuthServer(t, Options{Auth: AuthPassword}, "")
	conn, err := pgxLogin(t, addr, "alice", "secret", "")
	if err != nil {
		t.Fatal(err)
	}
	checkT(t, scanT(t, conn))

	_, err = pgxLogin(t, addr, "alice", "wrong", "")
	wantLoginError(t, err, "28P01", `password authentication failed for user "alice"`)
	// An unknown role and a role without a password fail with the same message: no leak.
	_, err = pgxLogin(t, addr, "nobody", "secret", "")
	wantLoginError(t, err, "28P01", `password authentication failed for user "nobody"`)
	_, err = pgxLogin(t, addr, "pat", "", "")
	wantLoginError(t, err, "28P01", `password authentication failed for user "pat"`)
	// NOLOGIN is told only to whoever knows the password.
	_, err = pgxLogin(t, addr, "nora", "wrong", "")
	wantLoginError(t, err, "28P01", `password authentication failed for user "nora"`)
	_, err = pgxLogin(t, addr, "nora", "secret", "")
	wantLoginError(t, err, "28000", `role "nora" is not permitted to log in`)
}

// TestAuthSCRAMMessages drives the exchange by hand: the mechanisms offered, the made-up salt
// for unknown roles (stable per user, like a real role's), and protocol errors.
func TestAuthSCRAMMessages(t *testing.T) {
	addr := startAuthServer(t, Options{Auth: AuthPassword}, "")
	serverFirst := func(user string) string {
		t.Helper()
		c := dialRaw(t, addr)
		c.send(&pgproto3.StartupMessage{ProtocolVersion: pgproto3.ProtocolVersion30, Parameters: map[string]string{"user": user}})
		m, err := c.fe.Receive()
		if err != nil {
			t.Fatal(err)
		}
		sasl, ok := m.(*pgproto3.AuthenticationSASL)
		if !ok || strings.Join(sasl.AuthMechanisms, ",") != "SCRAM-SHA-256" {
			t.Fatalf("%s: got %#v, want AuthenticationSASL with SCRAM-SHA-256 only (no TLS, no -PLUS)", user, m)
		}
		c.send(&pgproto3.SASLInitialResponse{AuthMechanism: "SCRAM-SHA-256", Data: []byte("n,,n=,r=abcdefghijklmnop")})
		m, err = c.fe.Receive()
		if err != nil {
			t.Fatal(err)
		}
		cont, ok := m.(*pgproto3.AuthenticationSASLContinue)
		if !ok {
			t.Fatalf("%s: got %#v, want AuthenticationSASLContinue", user, m)
		}
		fields := strings.Split(string(cont.Data), ",") // copied: Receive reuses its buffer
		c.send(&pgproto3.SASLResponse{Data: []byte("c=biws," + fields[0] + ",p=" + base64.StdEncoding.EncodeToString(make([]byte, 32)))})
		expectSeq(t, c.until('E'), `E FATAL 28P01 password authentication failed for user "`+user+`"`)
		expectClosed(t, c.nc)
		if len(fields) != 3 || !strings.HasPrefix(fields[0], "r=abcdefghijklmnop") || fields[2] != "i=4096" {
			t.Fatalf("server-first-message %q", cont.Data)
		}
		return fields[1]
	}
	ghost1, ghost2, other := serverFirst("ghost"), serverFirst("ghost"), serverFirst("other")
	if ghost1 != ghost2 || ghost1 == other {
		t.Errorf("made-up salts: ghost %s then %s, other %s; want stable per user", ghost1, ghost2, other)
	}
	alice1, alice2 := serverFirst("alice"), serverFirst("alice")
	if alice1 != alice2 || alice1 == ghost1 {
		t.Errorf("alice's salt %s then %s", alice1, alice2)
	}

	// Protocol errors: an unknown mechanism, a -PLUS mechanism without TLS, a query instead of
	// the SASL response.
	for _, c := range []struct {
		msg  pgproto3.FrontendMessage
		want string
	}{
		{&pgproto3.SASLInitialResponse{AuthMechanism: "SCRAM-SHA-1", Data: []byte("n,,n=,r=x")}, "E FATAL 08P01 client selected an invalid SASL authentication mechanism"},
		{&pgproto3.SASLInitialResponse{AuthMechanism: "SCRAM-SHA-256-PLUS", Data: []byte("p=tls-server-end-point,,n=,r=x")}, "E FATAL 08P01 client selected an invalid SASL authentication mechanism"},
		{&pgproto3.SASLInitialResponse{AuthMechanism: "SCRAM-SHA-256", Data: []byte("garbage")}, "E FATAL 08P01 malformed SCRAM message: not enough fields in first server message"},
		{&pgproto3.Query{String: "select 1"}, "E FATAL 08P01 expected password response, got message type 81"},
	} {
		raw := dialRaw(t, addr)
		raw.send(&pgproto3.StartupMessage{ProtocolVersion: pgproto3.ProtocolVersion30, Parameters: map[string]string{"user": "alice"}})
		if m, err := raw.fe.Receive(); err != nil {
			t.Fatal(err)
		} else if _, ok := m.(*pgproto3.AuthenticationSASL); !ok {
			t.Fatalf("got %#v", m)
		}
		raw.send(c.msg)
		expectSeq(t, raw.until('E'), c.want)
		expectClosed(t, raw.nc)
	}
}

func TestAuthMD5(t *testing.T) {
	addr := startAuthServer(t, Options{Auth: AuthPassword}, "")
	conn, err := pgxLogin(t, addr, "mel", "md5pw", "")
	if err != nil {
		t.Fatal(err)
	}
	checkT(t, scanT(t, conn))
	_, err = pgxLogin(t, addr, "mel", "nope", "")
	wantLoginError(t, err, "28P01", `password authentication failed for user "mel"`)

	// The stored verifier picks the method: MD5 for mel, with a fresh salt each time.
	salt := func() [4]byte {
		c := dialRaw(t, addr)
		c.send(&pgproto3.StartupMessage{ProtocolVersion: pgproto3.ProtocolVersion30, Parameters: map[string]string{"user": "mel"}})
		m, err := c.fe.Receive()
		if err != nil {
			t.Fatal(err)
		}
		md5m, ok := m.(*pgproto3.AuthenticationMD5Password)
		if !ok {
			t.Fatalf("got %#v, want AuthenticationMD5Password", m)
		}
		return md5m.Salt
	}
	if salt() == salt() {
		t.Error("two MD5 challenges with the same salt")
	}

	// lib/pq answers the MD5 challenge too.
	db, err := sql.Open("postgres", "postgres://mel:md5pw@"+addr+"/runnel?sslmode=disable")
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	var one int
	if err := db.QueryRowContext(testCtx(t), "select 1").Scan(&one); err != nil || one != 1 {
		t.Fatalf("lib/pq md5: %d, %v", one, err)
	}
}

func TestAuthTrustOnLoopback(t *testing.T) {
	addr := startAuthServer(t, Options{}, "") // AuthLoopbackTrust
	for _, user := range []string{"alice", "mel", "pat", "somebody"} {
		conn, err := pgxLogin(t, addr, user, "", "")
		if err != nil {
			t.Fatalf("%s over loopback: %v", user, err)
		}
		checkT(t, scanT(t, conn))
	}
	// Trust does not override NOLOGIN.
	_, err := pgxLogin(t, addr, "nora", "", "")
	wantLoginError(t, err, "28000", `role "nora" is not permitted to log in`)

	// AuthTrust lets everyone in; AuthPassword asks loopback clients too.
	trust := startAuthServer(t, Options{Auth: AuthTrust}, "")
	if _, err := pgxLogin(t, trust, "alice", "", ""); err != nil {
		t.Fatal(err)
	}
	strict := startAuthServer(t, Options{Auth: AuthPassword}, "")
	_, err = pgxLogin(t, strict, "alice", "", "")
	wantLoginError(t, err, "28P01", `password authentication failed for user "alice"`)
}

// TestAuthRemoteNeedsPassword serves on a non-loopback address of this machine, if it has one:
// the default policy asks those clients for a password.
func TestAuthRemoteNeedsPassword(t *testing.T) {
	var ip net.IP
	addrs, _ := net.InterfaceAddrs()
	for _, a := range addrs {
		if n, ok := a.(*net.IPNet); ok && n.IP.To4() != nil && !n.IP.IsLoopback() && !n.IP.IsLinkLocalUnicast() {
			ip = n.IP
			break
		}
	}
	if ip == nil {
		t.Skip("no non-loopback IPv4 address on this machine")
	}
	addr := startAuthServer(t, Options{}, net.JoinHostPort(ip.String(), "0"))
	_, err := pgxLogin(t, addr, "alice", "", "")
	wantLoginError(t, err, "28P01", `password authentication failed for user "alice"`)
	_, err = pgxLogin(t, addr, "somebody", "", "")
	wantLoginError(t, err, "28P01", `password authentication failed for user "somebody"`)
	conn, err := pgxLogin(t, addr, "alice", "secret", "")
	if err != nil {
		t.Fatal(err)
	}
	checkT(t, scanT(t, conn))
}

func TestAuthIsLocal(t *testing.T) {
	a, b := net.Pipe()
	defer a.Close()
	defer b.Close()
	for _, c := range []struct {
		addr net.Addr
		want bool
	}{
		{&net.TCPAddr{IP: net.ParseIP("127.0.0.1")}, true},
		{&net.TCPAddr{IP: net.ParseIP("127.8.9.1")}, true},
		{&net.TCPAddr{IP: net.ParseIP("::1")}, true},
		{&net.TCPAddr{IP: net.ParseIP("::ffff:127.0.0.1")}, true},
		{&net.TCPAddr{IP: net.ParseIP("10.0.0.1")}, false},
		{&net.TCPAddr{IP: net.ParseIP("2001:db8::1")}, false},
		{&net.UnixAddr{Name: "/tmp/.s.PGSQL.5432", Net: "unix"}, true},
		{a.RemoteAddr(), true},
		{nil, false},
	} {
		if got := isLocal(c.addr); got != c.want {
			t.Errorf("isLocal(%v) = %v, want %v", c.addr, got, c.want)
		}
	}
	for _, name := range []string{"loopback-trust", "trust", "password"} {
		m, err := ParseAuthMethod(name)
		if err != nil || m.String() != name {
			t.Errorf("ParseAuthMethod(%q) = %v, %v", name, m, err)
		}
	}
	if _, err := ParseAuthMethod("md5"); err == nil {
		t.Error("ParseAuthMethod(md5) succeeded")
	}
}

// TestAuthWithoutAuthenticator: a Backend that knows no roles cannot check passwords, so
// password authentication fails closed.
func TestAuthWithoutAuthenticator(t *testing.T) {
	_, addr := startServer(t, Options{Auth: AuthPassword})
	_, err := pgxLogin(t, addr, "runnel", "anything", "")
	wantLoginError(t, err, "28P01", `password authentication failed for user "runnel"`)
}

func TestAuthConnectionLimit(t *testing.T) {
	addr := startAuthServer(t, Options{Auth: AuthPassword, MaxConnections: 1}, "")
	if _, err := pgxLogin(t, addr, "alice", "secret", ""); err != nil {
		t.Fatal(err)
	}
	_, err := pgxLogin(t, addr, "alice", "secret", "")
	wantLoginError(t, err, "53300", "sorry, too many clients already")

	// A client that hangs up during authentication gives its slot back.
	addr = startAuthServer(t, Options{Auth: AuthPassword, MaxConnections: 1}, "")
	c := dialRaw(t, addr)
	c.send(&pgproto3.StartupMessage{ProtocolVersion: pgproto3.ProtocolVersion30, Parameters: map[string]string{"user": "alice"}})
	if m, err := c.fe.Receive(); err != nil {
		t.Fatal(err)
	} else if _, ok := m.(*pgproto3.AuthenticationSASL); !ok {
		t.Fatalf("got %#v", m)
	}
	c.nc.Close()
	deadline := time.Now().Add(5 * time.Second)
	for {
		_, err := pgxLogin(t, addr, "alice", "secret", "")
		if err == nil {
			break
		}
		if time.Now().After(deadline) {
			t.Fatalf("slot not released after a hang-up during authentication: %v", err)
		}
		time.Sleep(10 * time.Millisecond)
	}
}

func TestAuthTLS(t *testing.T) {
	addr := startAuthServer(t, Options{Auth: AuthPassword, TLSConfig: selfSignedTLS(t)}, "")

	// pgx over TLS negotiates SCRAM-SHA-256-PLUS (tls-server-end-point channel binding) when
	// asked to require it, and plain SCRAM-SHA-256 when it is disabled.
	for _, cb := range []string{"require", "prefer", "disable"} {
		conn, err := pgxLogin(t, addr, "alice", "secret", "&sslmode=require&channel_binding="+cb)
		if err != nil {
			t.Fatalf("channel_binding=%s: %v", cb, err)
		}
		if _, ok := conn.PgConn().Conn().(*tls.Conn); !ok {
			t.Fatal("pgx connection is not TLS")
		}
		checkT(t, scanT(t, conn))
	}
	_, err := pgxLogin(t, addr, "alice", "wrong", "&sslmode=require&channel_binding=require")
	wantLoginError(t, err, "28P01", `password authentication failed for user "alice"`)
	conn, err := pgxLogin(t, addr, "mel", "md5pw", "&sslmode=require")
	if err != nil {
		t.Fatal(err)
	}
	checkT(t, scanT(t, conn))

	// lib/pq: sslmode defaults to require.
	for _, c := range []struct{ user, password string }{{"alice", "secret"}, {"mel", "md5pw"}} {
		db, err := sql.Open("postgres", "postgres://"+c.user+":"+c.password+"@"+addr+"/runnel")
		if err != nil {
			t.Fatal(err)
		}
		var one int
		if err := db.QueryRowContext(testCtx(t), "select 1").Scan(&one); err != nil || one != 1 {
			t.Fatalf("lib/pq as %s over TLS: %d, %v", c.user, one, err)
		}
		db.Close()
	}
	db, err := sql.Open("postgres", "postgres://alice:bad@"+addr+"/runnel")
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	err = db.PingContext(testCtx(t))
	var pqErr *pq.Error
	if !errors.As(err, &pqErr) || pqErr.Code != "28P01" {
		t.Fatalf("lib/pq wrong password: %#v", err)
	}
}

// TestAuthPsql logs in with libpq (psql): SCRAM with and without TLS (with TLS libpq prefers
// channel binding), MD5, and a wrong password.
func TestAuthPsql(t *testing.T) {
	psql, err := exec.LookPath("psql")
	if err != nil {
		t.Skip("psql is not on PATH; install postgresql-client to run this test")
	}
	addr := startAuthServer(t, Options{Auth: AuthPassword, TLSConfig: selfSignedTLS(t)}, "")
	host, port, _ := net.SplitHostPort(addr)
	run := func(user, password, sslmode, channelBinding string) (string, error) {
		cmd := exec.CommandContext(testCtx(t), psql, "-X", "-w", "-h", host, "-p", port, "-U", user, "-d", "runnel", "-Atc", "select 1")
		cmd.Env = append(cmd.Environ(), "PGPASSWORD="+password, "PGSSLMODE="+sslmode, "PGCHANNELBINDING="+channelBinding, "PGCONNECT_TIMEOUT=10")
		out, err := cmd.CombinedOutput()
		return string(out), err
	}
	for _, c := range []struct{ user, password, sslmode, cb string }{
		{"alice", "secret", "disable", "prefer"},
		{"alice", "secret", "require", "require"},
		{"mel", "md5pw", "require", "prefer"},
	} {
		if out, err := run(c.user, c.password, c.sslmode, c.cb); err != nil || out != "1\n" {
			t.Errorf("psql as %s (sslmode=%s channel_binding=%s): %q, %v", c.user, c.sslmode, c.cb, out, err)
		}
	}
	out, err := run("alice", "wrong", "require", "prefer")
	if err == nil || !strings.Contains(out, `password authentication failed for user "alice"`) {
		t.Errorf("psql with a wrong password: %q, %v", out, err)
	}
}

// TestAuthEngineBackend logs in against the engine's roles.
func TestAuthEngineBackend(t *testing.T) {
	opts := engine.DefaultOptions()
	opts.DataDir = engine.MemoryDir
	eng, err := engine.Open(opts)
	if err != nil {
		t.Fatal(err)
	}
	defer eng.Close()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	srv := NewServer(EngineBackend(eng), Options{Auth: AuthPassword, Logger: quietLogger()})
	go srv.Serve(ln)
	defer func() {
		ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
		defer cancel()
		srv.Shutdown(ctx)
	}()
	addr := ln.Addr().String()

	// runnel has no password yet: nobody gets in over password authentication.
	_, err = pgxLogin(t, addr, "runnel", "", "")
	wantLoginError(t, err, "28P01", `password authentication failed for user "runnel"`)

	s, err := eng.NewSession("runnel", "runnel", nil)
	if err != nil {
		t.Fatal(err)
	}
	for _, q := range []string{
		"ALTER ROLE runnel PASSWORD 'root'",
		"CREATE USER app PASSWORD 'app-pw'",
		"SET password_encryption = md5",
		"CREATE ROLE legacy LOGIN PASSWORD 'old'",
		"CREATE ROLE group_only PASSWORD 'x'",
	} {
		p, err := s.Prepare(context.Background(), q, nil)
		if err == nil {
			_, err = s.Execute(context.Background(), p, nil)
		}
		if err != nil {
			t.Fatalf("%s: %v", q, err)
		}
	}
	for _, c := range []struct{ user, password string }{{"runnel", "root"}, {"app", "app-pw"}, {"legacy", "old"}} {
		conn, err := pgxLogin(t, addr, c.user, c.password, "")
		if err != nil {
			t.Fatalf("%s: %v", c.user, err)
		}
		var user string
		if err := conn.QueryRow(testCtx(t), "SHOW session_authorization").Scan(&user); err != nil || user != c.user {
			t.Errorf("session_authorization = %q, %v; want %s", user, err, c.user)
		}
	}
	_, err = pgxLogin(t, addr, "app", "root", "")
	wantLoginError(t, err, "28P01", `password authentication failed for user "app"`)
	_, err = pgxLogin(t, addr, "group_only", "x", "")
	wantLoginError(t, err, "28000", `role "group_only" is not permitted to log in`)
}

// TestAuthChannelBinding checks SCRAM-SHA-256-PLUS by hand over TLS: the server offers it, the
// right tls-server-end-point binding logs in, a different one (as a man in the middle with its
// own certificate would present) is refused even with the right password.
func TestAuthChannelBinding(t *testing.T) {
	addr := startAuthServer(t, Options{Auth: AuthPassword, TLSConfig: selfSignedTLS(t)}, "")
	login := func(tamper bool) []string {
		t.Helper()
		c := dialRaw(t, addr)
		c.send(&pgproto3.SSLRequest{})
		var b [1]byte
		if _, err := io.ReadFull(c.nc, b[:]); err != nil || b[0] != 'S' {
			t.Fatalf("SSLRequest: %q, %v", b[:], err)
		}
		tc := tls.Client(c.nc, &tls.Config{InsecureSkipVerify: true})
		if err := tc.HandshakeContext(testCtx(t)); err != nil {
			t.Fatal(err)
		}
		c.fe = pgproto3.NewFrontend(tc, tc)
		state := tc.ConnectionState()
		cb, err := scram.NewTLSServerEndpointBinding(&state)
		if err != nil {
			t.Fatal(err)
		}
		if tamper {
			cb.Data[0] ^= 1
		}
		c.send(&pgproto3.StartupMessage{ProtocolVersion: pgproto3.ProtocolVersion30, Parameters: map[string]string{"user": "alice"}})
		m, err := c.fe.Receive()
		if err != nil {
			t.Fatal(err)
		}
		if sasl, ok := m.(*pgproto3.AuthenticationSASL); !ok || strings.Join(sasl.AuthMechanisms, ",") != "SCRAM-SHA-256-PLUS,SCRAM-SHA-256" {
			t.Fatalf("got %#v, want SCRAM-SHA-256-PLUS and SCRAM-SHA-256", m)
		}
		client, err := scram.SHA256.NewClient("", "secret", "")
		if err != nil {
			t.Fatal(err)
		}
		conv := client.NewConversationWithChannelBinding(cb)
		first, err := conv.Step("")
		if err != nil {
			t.Fatal(err)
		}
		c.send(&pgproto3.SASLInitialResponse{AuthMechanism: "SCRAM-SHA-256-PLUS", Data: []byte(first)})
		m, err = c.fe.Receive()
		if err != nil {
			t.Fatal(err)
		}
		cont, ok := m.(*pgproto3.AuthenticationSASLContinue)
		if !ok {
			t.Fatalf("got %#v", m)
		}
		final, err := conv.Step(string(cont.Data))
		if err != nil {
			t.Fatal(err)
		}
		c.send(&pgproto3.SASLResponse{Data: []byte(final)})
		if tamper {
			return c.until('E')
		}
		return c.until('Z')
	}
	expectSeq(t, login(false), "AuthenticationSASLFinal", "AuthenticationOk", "BackendKeyData", "ZI")
	got := login(true)
	if len(got) != 1 || !strings.HasPrefix(got[0], "E FATAL 08P01 malformed SCRAM message: channel binding mismatch") {
		t.Fatalf("tampered channel binding: %v", got)
	}
}
