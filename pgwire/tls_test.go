package pgwire

import (
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/tls"
	"crypto/x509"
	"crypto/x509/pkix"
	"database/sql"
	"math/big"
	"net"
	"testing"
	"time"
)

// selfSignedTLS returns a server config with a fresh self-signed certificate for 127.0.0.1.
func selfSignedTLS(t *testing.T) *tls.Config {
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
	return &tls.Config{Certificates: []tls.Certificate{{Certificate: [][]byte{der}, PrivateKey: key}}}
}

func TestTLS(t *testing.T) {
	_, addr := startServer(t, Options{TLSConfig: selfSignedTLS(t)})

	// pgx with sslmode=require: SSLRequest → 'S' → TLS, then the usual protocol.
	conn := pgxConnect(t, addr, "&sslmode=require")
	if conn.PgConn().Conn().(*tls.Conn) == nil {
		t.Fatal("pgx connection is not TLS")
	}
	checkT(t, scanT(t, conn))

	// lib/pq's default sslmode (require) works once the server speaks TLS.
	db, err := sql.Open("postgres", "postgres://runnel@"+addr+"/runnel")
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	var one int
	if err := db.QueryRowContext(testCtx(t), "select 1").Scan(&one); err != nil || one != 1 {
		t.Fatalf("lib/pq over TLS: %d, %v", one, err)
	}

	// Plain-text clients are still served.
	plain := pgxConnect(t, addr, "&sslmode=disable")
	checkT(t, scanT(t, plain))
}
