package engine

import (
	"crypto/md5"
	"crypto/rand"
	"encoding/base64"
	"encoding/hex"
	"fmt"
	"strconv"
	"strings"

	"github.com/xdg-go/scram"

	"github.com/runnel-db/runnel/exec/sqlerr"
)

// Stored passwords. A role's password is kept only as a verifier, in the form PostgreSQL stores
// in pg_authid.rolpassword, and which form decides the authentication method that can work:
//
//   - "SCRAM-SHA-256$<iterations>:<salt>$<StoredKey>:<ServerKey>" (RFC 5803, base64 fields):
//     SCRAM-SHA-256 authentication only. MD5 needs md5(password || user), which a SCRAM
//     verifier cannot give.
//   - "md5" + hex(md5(password || user)): MD5 authentication only (the server cannot run SCRAM
//     without the salted password).
//
// password_encryption (scram-sha-256, the default, or md5) picks the form a plain-text password
// is turned into; a password given already in one of these forms is stored as is.

// Password encryption methods: the values of the password_encryption setting.
const (
	PasswordSCRAM = "scram-sha-256"
	PasswordMD5   = "md5"
)

// scramIterations and scramSaltLen are PostgreSQL's defaults (scram_iterations, SCRAM_SALT_LEN).
const (
	scramIterations = 4096
	scramSaltLen    = 16
	scramPrefix     = "SCRAM-SHA-256$"
)

// SCRAMSecret is a parsed SCRAM-SHA-256 verifier.
type SCRAMSecret struct {
	Iterations int
	Salt       []byte
	StoredKey  []byte
	ServerKey  []byte
}

// ParseSCRAMSecret parses a verifier in PostgreSQL's form
// "SCRAM-SHA-256$<iterations>:<salt>$<StoredKey>:<ServerKey>"; ok is false if s is not one.
func ParseSCRAMSecret(s string) (sec SCRAMSecret, ok bool) {
	rest, found := strings.CutPrefix(s, scramPrefix)
	if !found {
		return sec, false
	}
	factors, keys, found := strings.Cut(rest, "$")
	if !found {
		return sec, false
	}
	iters, salt, found := strings.Cut(factors, ":")
	if !found {
		return sec, false
	}
	stored, server, found := strings.Cut(keys, ":")
	if !found {
		return sec, false
	}
	n, err := strconv.Atoi(iters)
	if err != nil || n <= 0 {
		return sec, false
	}
	sec.Iterations = n
	dec := base64.StdEncoding.DecodeString
	if sec.Salt, err = dec(salt); err != nil || len(sec.Salt) == 0 {
		return SCRAMSecret{}, false
	}
	if sec.StoredKey, err = dec(stored); err != nil || len(sec.StoredKey) != 32 {
		return SCRAMSecret{}, false
	}
	if sec.ServerKey, err = dec(server); err != nil || len(sec.ServerKey) != 32 {
		return SCRAMSecret{}, false
	}
	return sec, true
}

// String renders the verifier in PostgreSQL's form.
func (s SCRAMSecret) String() string {
	enc := base64.StdEncoding.EncodeToString
	return fmt.Sprintf("%s%d:%s$%s:%s", scramPrefix, s.Iterations, enc(s.Salt), enc(s.StoredKey), enc(s.ServerKey))
}

// IsMD5Secret reports whether s is an MD5 verifier: "md5" followed by 32 lower-case hex digits.
func IsMD5Secret(s string) bool {
	if len(s) != 35 || !strings.HasPrefix(s, "md5") {
		return false
	}
	for _, c := range s[3:] {
		if !('0' <= c && c <= '9' || 'a' <= c && c <= 'f') {
			return false
		}
	}
	return true
}

// MD5Secret returns the MD5 verifier of password for user: "md5" + hex(md5(password || user)).
func MD5Secret(user, password string) string {
	sum := md5.Sum([]byte(password + user))
	return "md5" + hex.EncodeToString(sum[:])
}

// EncryptPassword turns a password into the verifier to store, as PostgreSQL's
// encrypt_password does: a password already in SCRAM or MD5 form is returned as is, a plain one
// is hashed with method (PasswordSCRAM or PasswordMD5) and a fresh random salt.
func EncryptPassword(method, user, password string) (string, error) {
	if _, ok := ParseSCRAMSecret(password); ok || IsMD5Secret(password) {
		return password, nil
	}
	switch method {
	case PasswordMD5:
		return MD5Secret(user, password), nil
	case PasswordSCRAM:
		salt := make([]byte, scramSaltLen)
		if _, err := rand.Read(salt); err != nil {
			return "", fmt.Errorf("scram salt: %w", err)
		}
		return scramSecret(password, salt, scramIterations)
	}
	return "", sqlerr.New(sqlerr.InvalidParameterValue, "invalid value for parameter \"password_encryption\": %q", method)
}

// scramSecret computes the SCRAM-SHA-256 verifier of password. Like PostgreSQL, the password is
// normalized with SASLprep when it can be, and used as is otherwise.
func scramSecret(password string, salt []byte, iterations int) (string, error) {
	client, err := scram.SHA256.NewClient("", password, "")
	if err != nil {
		client, err = scram.SHA256.NewClientUnprepped("", password, "")
		if err != nil {
			return "", fmt.Errorf("scram: %w", err)
		}
	}
	creds, err := client.GetStoredCredentialsWithError(scram.KeyFactors{Salt: string(salt), Iters: iterations})
	if err != nil {
		return "", fmt.Errorf("scram: %w", err)
	}
	return SCRAMSecret{Iterations: iterations, Salt: salt, StoredKey: creds.StoredKey, ServerKey: creds.ServerKey}.String(), nil
}

func normalizePasswordEncryption(v string) (string, error) {
	switch strings.ToLower(strings.TrimSpace(v)) {
	case PasswordSCRAM:
		return PasswordSCRAM, nil
	case PasswordMD5:
		return PasswordMD5, nil
	}
	e := sqlerr.New(sqlerr.InvalidParameterValue, "invalid value for parameter \"password_encryption\": %q", v)
	e.Hint = "Available values: md5, scram-sha-256."
	return "", e
}

func init() {
	// password_encryption lives here, next to the only code that reads it.
	knownSettings["password_encryption"] = &setting{name: "password_encryption", def: PasswordSCRAM, normalize: normalizePasswordEncryption,
		desc: "Chooses the algorithm for encrypting passwords."}
}
