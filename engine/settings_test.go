package engine

import (
	"testing"

	"github.com/runnel-db/runnel/exec/sqlerr"
)

// TestStatementTimeoutValues checks SET statement_timeout against PostgreSQL 15's answers:
// units, rounding to whole milliseconds, and SHOW's choice of unit.
func TestStatementTimeoutValues(t *testing.T) {
	e := openMem(t)
	s := newSession(t, e)
	for in, want := range map[string]string{
		"100": "100ms", "'100ms'": "100ms", "'2s'": "2s", "2000": "2s", "60000": "1min", "'1.5s'": "1500ms",
		"'1min'": "1min", "0": "0", "'0.5ms'": "0", "'10 s'": "10s", "'1 h'": "1h", "'250us'": "0", "DEFAULT": "0",
	} {
		mustQuery(t, s, "SET statement_timeout = "+in)
		expectRows(t, s, "SHOW statement_timeout", want)
	}
	for in, code := range map[string]string{"'-1'": sqlerr.InvalidParameterValue, "'abc'": sqlerr.InvalidParameterValue, "'5 weeks'": sqlerr.InvalidParameterValue, "'3000000000'": sqlerr.InvalidParameterValue} {
		expectError(t, s, "SET statement_timeout = "+in, code)
	}
	mustQuery(t, s, "SET statement_timeout = '2s'")
	if d := s.StatementTimeout(); d.Seconds() != 2 {
		t.Errorf("StatementTimeout() = %v", d)
	}
}

// TestStartupOptions: the options startup parameter's -c switches set parameters, and RESET
// returns to the startup values.
func TestStartupOptions(t *testing.T) {
	e := openMem(t)
	s, err := e.NewSession("runnel", "runnel", map[string]string{
		"application_name": "app",
		"options":          `-c statement_timeout=5s --extra-float-digits=2 -csearch_path=public,x -c application_name=two\ words -c DateStyle=SQL,DMY`,
		"no_such_param":    "ignored",
	})
	if err != nil {
		t.Fatal(err)
	}
	expectRows(t, s, "SHOW statement_timeout", "5s")
	expectRows(t, s, "SHOW extra_float_digits", "2")
	expectRows(t, s, "SHOW search_path", "public, x")
	expectRows(t, s, "SHOW application_name", "two words")
	expectRows(t, s, "SHOW DateStyle", "ISO, MDY") // SQL output is not supported: the default stays
	mustQuery(t, s, "SET statement_timeout = 0; SET application_name = 'other'")
	mustQuery(t, s, "RESET ALL")
	expectRows(t, s, "SHOW statement_timeout", "5s")
	expectRows(t, s, "SHOW application_name", "two words")
}

// TestTransactionalSettings: ROLLBACK undoes SET, COMMIT keeps it, SET LOCAL ends with the
// block, and a failed block's COMMIT rolls back.
func TestTransactionalSettings(t *testing.T) {
	e := openMem(t)
	s := newSession(t, e)
	mustQuery(t, s, "BEGIN; SET extra_float_digits = 3; ROLLBACK")
	expectRows(t, s, "SHOW extra_float_digits", "1")
	mustQuery(t, s, "BEGIN; SET extra_float_digits = 3; SET LOCAL TimeZone = 'Asia/Tokyo'")
	expectRows(t, s, "SHOW TimeZone", "Asia/Tokyo")
	mustQuery(t, s, "COMMIT")
	expectRows(t, s, "SHOW extra_float_digits", "3")
	expectRows(t, s, "SHOW TimeZone", "UTC")
	mustQuery(t, s, "SET LOCAL extra_float_digits = 0") // outside a block: no effect
	expectRows(t, s, "SHOW extra_float_digits", "3")
	mustQuery(t, s, "BEGIN; SET application_name = 'x'")
	expectError(t, s, "SELECT 1/0", sqlerr.DivisionByZero)
	expectError(t, s, "SHOW application_name", "25P02")
	if tag := execTag(t, s, "COMMIT"); tag != "ROLLBACK" {
		t.Errorf("COMMIT of a failed block: %q", tag)
	}
	expectRows(t, s, "SHOW application_name", "")
	expectError(t, s, "SET DateStyle = 'ISO, DMY'", sqlerr.FeatureNotSupported)
	expectError(t, s, "SET bytea_output = 'escape'", sqlerr.FeatureNotSupported)
	expectError(t, s, "SET search_path = pg_catalog", sqlerr.FeatureNotSupported)
	mustQuery(t, s, `SET search_path TO "$user", public`)
	expectRows(t, s, "SHOW search_path", `"$user", public`)
}
