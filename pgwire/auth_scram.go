package pgwire

import (
	"crypto"
	"crypto/hmac"
	"crypto/rand"
	"crypto/sha256"
	"crypto/tls"
	"crypto/x509"
	"fmt"
	"strings"

	"github.com/jackc/pgx/v5/pgproto3"
	"github.com/xdg-go/scram"

	"github.com/runnel-db/runnel/engine"
	"github.com/runnel-db/runnel/exec/sqlerr"
)

// SASL mechanism names.
const (
	mechSCRAM     = "SCRAM-SHA-256"
	mechSCRAMPlus = "SCRAM-SHA-256-PLUS"
)

// scramExchange runs SASL SCRAM-SHA-256 (RFC 5802, 7677) with the server side of
// github.com/xdg-go/scram. real is false for made-up credentials: the exchange then always
// ends in 28P01, however the client answers.
func (c *conn) scramExchange(user string, sec engine.SCRAMSecret, real bool) error {
	mechs := []string{mechSCRAM}
	cb := c.channelBinding()
	if cb.IsSupported() {
		mechs = []string{mechSCRAMPlus, mechSCRAM}
	}
	c.w.send(&pgproto3.AuthenticationSASL{AuthMechanisms: mechs})
	body, err := c.readAuthMessage()
	if err != nil {
		return err
	}
	var first pgproto3.SASLInitialResponse
	if err := first.Decode(body); err != nil {
		return sqlerr.New(sqlerr.ProtocolViolation, "malformed SASL message: %s", err.Error())
	}
	// The mechanism and the GS2 channel-binding flag must agree: "p" exactly with -PLUS.
	plus := first.AuthMechanism == mechSCRAMPlus
	switch {
	case first.AuthMechanism != mechSCRAM && !(plus && cb.IsSupported()):
		return sqlerr.New(sqlerr.ProtocolViolation, "client selected an invalid SASL authentication mechanism")
	case plus != strings.HasPrefix(string(first.Data), "p"):
		return sqlerr.New(sqlerr.ProtocolViolation, "malformed SCRAM message: channel binding flag does not match the mechanism")
	}

	creds := scram.StoredCredentials{
		KeyFactors: scram.KeyFactors{Salt: string(sec.Salt), Iters: sec.Iterations},
		StoredKey:  sec.StoredKey,
		ServerKey:  sec.ServerKey,
	}
	// The user name inside the SCRAM message is ignored (libpq sends none): the startup packet's
	// user is the one authenticated, as in PostgreSQL.
	srv, err := scram.SHA256.NewServer(func(string) (scram.StoredCredentials, error) { return creds, nil })
	if err != nil {
		return fmt.Errorf("scram server: %w", err)
	}
	conv := srv.NewConversation()
	if cb.IsSupported() {
		conv = srv.NewConversationWithChannelBinding(cb)
	}
	serverFirst, err := conv.Step(string(first.Data))
	if err != nil {
		return sqlerr.New(sqlerr.ProtocolViolation, "malformed SCRAM message: %s", err.Error())
	}
	c.w.send(&pgproto3.AuthenticationSASLContinue{Data: []byte(serverFirst)})
	body, err = c.readAuthMessage()
	if err != nil {
		return err
	}
	var final pgproto3.SASLResponse
	if err := final.Decode(body); err != nil {
		return sqlerr.New(sqlerr.ProtocolViolation, "malformed SASL message: %s", err.Error())
	}
	serverFinal, err := conv.Step(string(final.Data))
	switch {
	case err != nil && serverFinal != scram.ErrInvalidProof:
		return sqlerr.New(sqlerr.ProtocolViolation, "malformed SCRAM message: %s", err.Error())
	case err != nil || !conv.Valid() || !real:
		if real {
			c.log.Info("pgwire: password authentication failed", "user", user, "reason", "wrong password (SCRAM)")
		}
		return errPasswordFailed(user)
	}
	c.w.send(&pgproto3.AuthenticationSASLFinal{Data: []byte(serverFinal)})
	return nil
}

// channelBinding returns the tls-server-end-point channel binding (RFC 5929) of a TLS
// connection: the hash of the server certificate. It is known when the TLS configuration has
// exactly one certificate (and no GetCertificate callback); otherwise -PLUS is not offered.
func (c *conn) channelBinding() scram.ChannelBinding {
	if !c.tls {
		return scram.ChannelBinding{}
	}
	c.srv.cbOnce.Do(func() { c.srv.cbData = endPointHash(c.srv.opts.TLSConfig) })
	if c.srv.cbData == nil {
		return scram.ChannelBinding{}
	}
	return scram.ChannelBinding{Type: scram.ChannelBindingTLSServerEndpoint, Data: c.srv.cbData}
}

// endPointHash hashes the configuration's only certificate with the hash of its signature
// algorithm (SHA-256 for MD5 and SHA-1), as RFC 5929 says; nil when that is not possible.
func endPointHash(cfg *tls.Config) []byte {
	if cfg == nil || cfg.GetCertificate != nil || len(cfg.Certificates) != 1 || len(cfg.Certificates[0].Certificate) == 0 {
		return nil
	}
	cert, err := x509.ParseCertificate(cfg.Certificates[0].Certificate[0])
	if err != nil {
		return nil
	}
	var h crypto.Hash
	switch cert.SignatureAlgorithm {
	case x509.MD5WithRSA, x509.SHA1WithRSA, x509.ECDSAWithSHA1, x509.DSAWithSHA1,
		x509.SHA256WithRSA, x509.SHA256WithRSAPSS, x509.ECDSAWithSHA256:
		h = crypto.SHA256
	case x509.SHA384WithRSA, x509.SHA384WithRSAPSS, x509.ECDSAWithSHA384:
		h = crypto.SHA384
	case x509.SHA512WithRSA, x509.SHA512WithRSAPSS, x509.ECDSAWithSHA512:
		h = crypto.SHA512
	default:
		return nil // e.g. Ed25519: no hash to use (PostgreSQL refuses channel binding too)
	}
	d := h.New()
	d.Write(cert.Raw)
	return d.Sum(nil)
}

// mockSecret returns made-up SCRAM credentials for a user that cannot log in with a password:
// the salt is derived from the user name and a per-server random key, so repeated attempts see
// the same salt, as they would for a real role.
func (s *Server) mockSecret(user string) (engine.SCRAMSecret, error) {
	mac := hmac.New(sha256.New, s.mockKey[:])
	mac.Write([]byte(user))
	sec := engine.SCRAMSecret{Iterations: 4096, Salt: mac.Sum(nil)[:16], StoredKey: make([]byte, 32), ServerKey: make([]byte, 32)}
	if _, err := rand.Read(sec.StoredKey); err != nil {
		return sec, fmt.Errorf("scram mock credentials: %w", err)
	}
	if _, err := rand.Read(sec.ServerKey); err != nil {
		return sec, fmt.Errorf("scram mock credentials: %w", err)
	}
	return sec, nil
}
