package main

import (
	"context"
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/tls"
	"crypto/x509"
	"crypto/x509/pkix"
	"database/sql"
	"encoding/pem"
	"errors"
	"math/big"
	"net"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgconn"
	"github.com/lib/pq"
)

// writeSelfSigned writes a fresh self-signed certificate for 127.0.0.1 and its key as PEM files.
func writeSelfSigned(t *testing.T) (certFile, keyFile string) {
	t.Helper()
	key, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		t.Fatal(err)
	}
	tmpl := &x509.Certificate{
		SerialNumber: big.NewInt(1),
		Subject:      pkix.Name{CommonName: "runnel test"},
		IPAddresses:  []net.IP{net.ParseIP("127.0.0.1")},
		NotBefore:    time.Now().Add(-time.Hour),
		NotAfter:     time.Now().Add(time.Hour),
		KeyUsage:     x509.KeyUsageDigitalSignature,
		ExtKeyUsage:  []x509.ExtKeyUsage{x509.ExtKeyUsageServerAuth},
	}
	der, err := x509.CreateCertificate(rand.Reader, tmpl, tmpl, &key.PublicKey, key)
	if err != nil {
		t.Fatal(err)
	}
	keyDER, err := x509.MarshalPKCS8PrivateKey(key)
	if err != nil {
		t.Fatal(err)
	}
	dir := t.TempDir()
	certFile, keyFile = filepath.Join(dir, "server.crt"), filepath.Join(dir, "server.key")
	if err := os.WriteFile(certFile, pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE", Bytes: der}), 0o644); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(keyFile, pem.EncodeToMemory(&pem.Block{Type: "PRIVATE KEY", Bytes: keyDER}), 0o600); err != nil {
		t.Fatal(err)
	}
	return certFile, keyFile
}

func authCtx(t *testing.T) context.Context {
	ctx, cancel := context.WithTimeout(context.Background(), 20*time.Second)
	t.Cleanup(cancel)
	return ctx
}

// TestAuthTLSPasswordServer sets passwords over a trusted loopback connection, restarts the
// binary with --auth password and TLS, and logs in with pgx, lib/pq and psql.
func TestAuthTLSPasswordServer(t *testing.T) {
	dir := t.TempDir()
	s := startServer(t, dir) // default --auth loopback-trust: runnel gets in without a password
	c := connect(t, s)
	mustExec(t, c, "ALTER ROLE runnel PASSWORD 'root-pw'")
	mustExec(t, c, "CREATE USER app WITH PASSWORD 'app-pw'")
	mustExec(t, c, "SET password_encryption = 'md5'")
	mustExec(t, c, "CREATE ROLE legacy LOGIN PASSWORD 'old-pw'")
	mustExec(t, c, "CREATE TABLE t (k int)")
	mustExec(t, c, "INSERT INTO t VALUES (1), (2)")
	c.Close(context.Background())
	s.stop(t)

	cert, key := writeSelfSigned(t)
	s = startServerArgs(t, dir, "--auth", "password", "--tls-cert", cert, "--tls-key", key, "--max-connections", "2")
	url := func(user, password, sslmode string) string {
		return "postgres://" + user + ":" + password + "@" + s.addr + "/runnel?sslmode=" + sslmode
	}

	// pgx over TLS: SCRAM (the server offers SCRAM-SHA-256-PLUS over TLS) and MD5.
	var conns []*pgx.Conn
	for _, u := range []struct{ user, password string }{{"app", "app-pw"}, {"legacy", "old-pw"}} {
		conn, err := pgx.Connect(authCtx(t), url(u.user, u.password, "require")+"&channel_binding=prefer")
		if err != nil {
			t.Fatalf("pgx as %s: %v\n%s", u.user, err, s.logs)
		}
		conns = append(conns, conn)
		if _, ok := conn.PgConn().Conn().(*tls.Conn); !ok {
			t.Errorf("pgx as %s: not TLS", u.user)
		}
		if got := rowsText(t, conn, "SELECT count(*) FROM t"); got != "2" {
			t.Errorf("pgx as %s: count %q", u.user, got)
		}
	}
	// --max-connections 2: a third session is refused.
	_, err := pgx.Connect(authCtx(t), url("app", "app-pw", "require"))
	var pe *pgconn.PgError
	if !errors.As(err, &pe) || pe.Code != "53300" {
		t.Errorf("third connection: %v", err)
	}
	for _, conn := range conns {
		conn.Close(context.Background())
	}

	// A password is required even over loopback, and checked.
	for _, u := range []struct{ user, password string }{{"runnel", ""}, {"runnel", "wrong"}, {"nobody", "x"}} {
		_, err := pgx.Connect(authCtx(t), url(u.user, u.password, "require"))
		if !errors.As(err, &pe) || pe.Code != "28P01" || pe.Message != `password authentication failed for user "`+u.user+`"` {
			t.Errorf("pgx as %s with password %q: %v", u.user, u.password, err)
		}
	}

	// lib/pq (sslmode defaults to require).
	db, err := sql.Open("postgres", "postgres://runnel:root-pw@"+s.addr+"/runnel")
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	var n int
	if err := db.QueryRowContext(authCtx(t), "SELECT count(*) FROM t").Scan(&n); err != nil || n != 2 {
		t.Errorf("lib/pq: %d, %v", n, err)
	}
	db.Close()
	bad, err := sql.Open("postgres", "postgres://app:nope@"+s.addr+"/runnel")
	if err != nil {
		t.Fatal(err)
	}
	defer bad.Close()
	var pqErr *pq.Error
	if err := bad.PingContext(authCtx(t)); !errors.As(err, &pqErr) || pqErr.Code != "28P01" {
		t.Errorf("lib/pq with a wrong password: %v", err)
	}

	psql, err := exec.LookPath("psql")
	if err != nil {
		t.Log("psql is not installed: skipping the psql part")
		return
	}
	host, port, _ := net.SplitHostPort(s.addr)
	runPsql := func(user, password string) (string, error) {
		cmd := exec.CommandContext(authCtx(t), psql, "-X", "-w", "-h", host, "-p", port, "-U", user, "-d", "runnel", "-At", "-c", "SELECT count(*) FROM t")
		cmd.Env = append(cmd.Environ(), "PGPASSWORD="+password, "PGSSLMODE=require", "PGCONNECT_TIMEOUT=10")
		out, err := cmd.CombinedOutput()
		return string(out), err
	}
	for _, u := range []struct{ user, password string }{{"app", "app-pw"}, {"legacy", "old-pw"}, {"runnel", "root-pw"}} {
		if out, err := runPsql(u.user, u.password); err != nil || out != "2\n" {
			t.Errorf("psql as %s: %q, %v", u.user, out, err)
		}
	}
	if out, err := runPsql("app", "wrong"); err == nil || !strings.Contains(out, `password authentication failed for user "app"`) {
		t.Errorf("psql with a wrong password: %q, %v", out, err)
	}
}

func TestAuthFlagErrors(t *testing.T) {
	for _, c := range []struct {
		args []string
		want string
	}{
		{[]string{"--auth", "md5"}, `unknown authentication method "md5"`},
		{[]string{"--tls-cert", "x.crt"}, "--tls-cert and --tls-key go together"},
		{[]string{"--tls-cert", "missing.crt", "--tls-key", "missing.key"}, "load TLS certificate"},
		{[]string{"--max-connections", "0"}, "--max-connections must be positive"},
	} {
		err := run(append([]string{"--data-dir", ":memory:", "--listen", "127.0.0.1:0"}, c.args...))
		if err == nil || !strings.Contains(err.Error(), c.want) {
			t.Errorf("runnel %v: %v, want %q", c.args, err, c.want)
		}
	}
}
