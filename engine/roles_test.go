package engine

import (
	"crypto/md5"
	"encoding/hex"
	"strings"
	"testing"
)

func md5hex(s string) string {
	sum := md5.Sum([]byte(s))
	return hex.EncodeToString(sum[:])
}

// reopen closes e and opens its data directory again.
func reopen(t *testing.T, e *Engine) *Engine {
	t.Helper()
	opts := e.opts
	if err := e.Close(); err != nil {
		t.Fatal(err)
	}
	e2, err := Open(opts)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { e2.Close() })
	return e2
}

// checkSCRAM checks that verifier is a SCRAM-SHA-256 verifier of password.
func checkSCRAM(t *testing.T, verifier, password string) {
	t.Helper()
	sec, ok := ParseSCRAMSecret(verifier)
	if !ok {
		t.Fatalf("not a SCRAM verifier: %q", verifier)
	}
	if sec.Iterations != 4096 || len(sec.Salt) != 16 {
		t.Errorf("verifier %q: %d iterations, %d-byte salt; want 4096, 16", verifier, sec.Iterations, len(sec.Salt))
	}
	want, err := scramSecret(password, sec.Salt, sec.Iterations)
	if err != nil {
		t.Fatal(err)
	}
	if want != verifier {
		t.Errorf("verifier %q is not that of %q (%q)", verifier, password, want)
	}
}

func TestRolesPersistAcrossRestart(t *testing.T) {
	e, _ := openDir(t, `CREATE ROLE alice WITH LOGIN PASSWORD 'secret';
		CREATE USER bob PASSWORD 'hunter2';
		CREATE ROLE readers;
		CREATE ROLE admin SUPERUSER LOGIN;
		ALTER ROLE runnel PASSWORD 'root';
		SET password_encryption = 'md5';
		CREATE ROLE carol LOGIN PASSWORD 'pw';
		ALTER ROLE alice NOLOGIN;
		ALTER ROLE bob WITH PASSWORD NULL;
		DROP ROLE readers;
		DROP ROLE IF EXISTS nobody`)
	check := func(e *Engine) {
		t.Helper()
		alice, ok := e.LookupRole("alice")
		if !ok || alice.Login || alice.Superuser {
			t.Errorf("alice = %+v, %v; want NOLOGIN", alice, ok)
		}
		checkSCRAM(t, alice.Password, "secret")
		if bob, ok := e.LookupRole("bob"); !ok || !bob.Login || bob.Password != "" {
			t.Errorf("bob = %+v, %v; want LOGIN without password", bob, ok)
		}
		if admin, ok := e.LookupRole("admin"); !ok || !admin.Login || !admin.Superuser || admin.Password != "" {
			t.Errorf("admin = %+v, %v", admin, ok)
		}
		// md5(password || user), as PostgreSQL computes it.
		if carol, ok := e.LookupRole("carol"); !ok || carol.Password != "md5"+md5hex("pwcarol") || !IsMD5Secret(carol.Password) {
			t.Errorf("carol = %+v, %v", carol, ok)
		}
		runnel, ok := e.LookupRole("runnel")
		if !ok || !runnel.Login || !runnel.Superuser {
			t.Errorf("runnel = %+v, %v", runnel, ok)
		}
		checkSCRAM(t, runnel.Password, "root")
		if r, ok := e.LookupRole("readers"); ok {
			t.Errorf("dropped role readers is still there: %+v", r)
		}
	}
	check(e)
	e = reopen(t, e)
	check(e)

	// The reopened engine serves the roles: a duplicate is still one.
	s := newSession(t, e)
	expectError(t, s, "CREATE ROLE alice", "42710")
	mustQuery(t, s, "DROP ROLE alice, bob")
	e = reopen(t, e)
	for _, name := range []string{"alice", "bob"} {
		if _, ok := e.LookupRole(name); ok {
			t.Errorf("role %s survived DROP ROLE and a restart", name)
		}
	}
	if _, ok := e.LookupRole("carol"); !ok {
		t.Error("carol is gone")
	}
}

func TestRoleMD5KnownValue(t *testing.T) {
	// PostgreSQL: SELECT 'md5' || md5('pw' || 'carol').
	if got := MD5Secret("carol", "pw"); got != "md5"+md5hex("pwcarol") {
		t.Fatalf("MD5Secret = %s", got)
	}
	// A value computed by PostgreSQL 15 for CREATE ROLE postgres PASSWORD 'postgres' with
	// password_encryption = md5.
	if got := MD5Secret("postgres", "postgres"); got != "md53175bce1d3201d16594cebf9d7eb3f9d" {
		t.Fatalf("MD5Secret(postgres, postgres) = %s", got)
	}
}

func TestRolePrehashedPasswordStoredAsIs(t *testing.T) {
	e, s := openDir(t, "")
	scram, err := EncryptPassword(PasswordSCRAM, "x", "pw")
	if err != nil {
		t.Fatal(err)
	}
	md5 := MD5Secret("dave", "pw")
	mustQuery(t, s, "CREATE ROLE dave LOGIN PASSWORD '"+md5+"'; CREATE ROLE erin LOGIN PASSWORD '"+scram+"'")
	if r, _ := e.LookupRole("dave"); r.Password != md5 {
		t.Errorf("dave's MD5 verifier was changed: %q", r.Password)
	}
	if r, _ := e.LookupRole("erin"); r.Password != scram {
		t.Errorf("erin's SCRAM verifier was changed: %q", r.Password)
	}
	checkSCRAM(t, scram, "pw")
	// Not quite a verifier: hashed like any password.
	mustQuery(t, s, "CREATE ROLE frank LOGIN PASSWORD 'SCRAM-SHA-256$4096:abc'")
	r, _ := e.LookupRole("frank")
	checkSCRAM(t, r.Password, "SCRAM-SHA-256$4096:abc")
	// An empty password is no password.
	mustQuery(t, s, "ALTER ROLE frank PASSWORD ''")
	if r, _ := e.LookupRole("frank"); r.Password != "" {
		t.Errorf("empty password stored as %q", r.Password)
	}
}

func TestRoleErrors(t *testing.T) {
	e, s := openDir(t, "CREATE ROLE alice LOGIN PASSWORD 'a'")
	for _, c := range []struct{ sql, code string }{
		{"CREATE ROLE alice", "42710"},
		{"CREATE USER runnel", "42710"},
		{"ALTER ROLE nobody PASSWORD 'x'", "42704"},
		{"DROP ROLE nobody", "42704"},
		{"DROP ROLE IF EXISTS nobody, runnel", "55006"},
		{"DROP ROLE runnel", "55006"},
		{"ALTER ROLE runnel NOSUPERUSER", "42501"},
		{"CREATE ROLE pg_monitor2", "42939"},
		{"CREATE ROLE x CREATEDB", "0A000"},
		{"CREATE ROLE x NOINHERIT", "0A000"},
		{"CREATE ROLE x LOGIN NOLOGIN", "42601"},
		{"SET password_encryption = 'sha1'", "22023"},
		{"ALTER GROUP readers ADD USER alice", "0A000"},
	} {
		expectError(t, s, c.sql, c.code)
	}
	expectRows(t, s, "SHOW password_encryption", "scram-sha-256")
	// A failed DROP changes nothing, even for the names before the failing one.
	mustQuery(t, s, "CREATE ROLE bob")
	expectError(t, s, "DROP ROLE bob, nobody", "42704")
	if _, ok := e.LookupRole("bob"); !ok {
		t.Error("bob dropped by a failed DROP ROLE")
	}

	// alice is no superuser: she may change her own password, nothing else.
	as, err := e.NewSession("alice", "runnel", nil)
	if err != nil {
		t.Fatal(err)
	}
	for _, c := range []struct{ sql, code string }{
		{"CREATE ROLE y", "42501"},
		{"DROP ROLE bob", "42501"},
		{"ALTER ROLE bob PASSWORD 'x'", "42501"},
		{"ALTER ROLE alice SUPERUSER", "42501"},
	} {
		expectError(t, as, c.sql, c.code)
	}
	mustQuery(t, as, "ALTER ROLE CURRENT_USER PASSWORD 'new'")
	r, _ := e.LookupRole("alice")
	checkSCRAM(t, r.Password, "new")

	// A superuser cannot drop itself.
	mustQuery(t, s, "CREATE ROLE root SUPERUSER LOGIN")
	rs, err := e.NewSession("root", "runnel", nil)
	if err != nil {
		t.Fatal(err)
	}
	if e := expectError(t, rs, "DROP ROLE root", "55006"); !strings.Contains(e.Message, "current user") {
		t.Errorf("drop self: %v", e)
	}
	mustQuery(t, rs, "DROP ROLE alice")
}

// TestIsSuperuserReported: the is_superuser parameter a session reports follows its role.
func TestIsSuperuserReported(t *testing.T) {
	e := openMem(t)
	admin := newSession(t, e)
	mustQuery(t, admin, "CREATE ROLE app LOGIN PASSWORD 'pw'")
	for user, want := range map[string]string{"runnel": "on", "app": "off", "nobody": "off"} {
		s, err := e.NewSession(user, "runnel", nil)
		if err != nil {
			t.Fatal(err)
		}
		got := ""
		for _, p := range s.Parameters() {
			if p.Name == "is_superuser" {
				got = p.Value
			}
		}
		if got != want {
			t.Errorf("%s: is_superuser = %q, want %q", user, got, want)
		}
		expectRows(t, s, "SHOW is_superuser", want)
		s.Close()
	}
}
