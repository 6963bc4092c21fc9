package pgwire

import (
	"testing"
)

// TestStatementTimeout: a query that outlives statement_timeout fails with 57014 and stops, and
// the connection stays usable; 0 disables the limit; the options startup parameter sets it.
func TestStatementTimeout(t *testing.T) {
	addr := startEngineServer(t, "")
	ctx := testCtx(t)
	// A cross join of 10^8 pairs runs for a minute or more: long enough to be cut at 500ms on
	// any machine. The test would hang (not fail on timing) if the join did not stop.
	const slow = "SELECT count(*) FROM generate_series(1, 100000) a, generate_series(1, 1000) b WHERE a.a + b.b < 0"
	for _, mode := range []string{"", "&default_query_exec_mode=simple_protocol"} {
		conn := pgxConnect(t, addr, mode)
		if _, err := conn.Exec(ctx, "SET statement_timeout = '500ms'"); err != nil {
			t.Fatal(err)
		}
		var v string
		if err := conn.QueryRow(ctx, "SHOW statement_timeout").Scan(&v); err != nil || v != "500ms" {
			t.Fatalf("SHOW statement_timeout = %q, %v", v, err)
		}
		var n int64
		err := conn.QueryRow(ctx, slow).Scan(&n)
		pe := wantPgError(t, err, "57014")
		if pe.Message != "canceling statement due to statement timeout" {
			t.Errorf("message %q", pe.Message)
		}
		// The connection stays usable (the limit is lifted first, so that a loaded machine
		// cannot make this quick query time out too).
		if _, err := conn.Exec(ctx, "SET statement_timeout = 0"); err != nil {
			t.Fatal(err)
		}
		if err := conn.QueryRow(ctx, "SELECT count(*) FROM generate_series(1, 10)").Scan(&n); err != nil || n != 10 {
			t.Fatalf("after the timeout: %d, %v", n, err)
		}
		if err := conn.QueryRow(ctx, "SELECT count(*) FROM generate_series(1, 300) a, generate_series(1, 300) b").Scan(&n); err != nil || n != 90000 {
			t.Fatalf("without a timeout: %d, %v", n, err)
		}
	}
	conn := pgxConnect(t, addr, "&options=-c%20statement_timeout%3D2s")
	var v string
	if err := conn.QueryRow(ctx, "SHOW statement_timeout").Scan(&v); err != nil || v != "2s" {
		t.Fatalf("statement_timeout from options = %q, %v", v, err)
	}
	for _, bad := range []string{"SET statement_timeout = '-1'", "SET statement_timeout = 'soon'"} {
		_, err := conn.Exec(ctx, bad)
		wantPgError(t, err, "22023")
	}
}

// TestParameterStatusOnChange: SET, RESET, RESET ALL and the end of a transaction block that
// changed a reported parameter re-send it with ParameterStatus, as PostgreSQL does.
func TestParameterStatusOnChange(t *testing.T) {
	addr := startEngineServer(t, "")
	ctx := testCtx(t)
	conn := pgxConnect(t, addr, "&application_name=start&timezone=Europe/Paris")
	pc := conn.PgConn()
	status := func(name, want string) {
		t.Helper()
		if got := pc.ParameterStatus(name); got != want {
			t.Errorf("ParameterStatus %s = %q, want %q", name, got, want)
		}
	}
	show := func(name, want string) {
		t.Helper()
		var got string
		if err := conn.QueryRow(ctx, "SHOW "+name).Scan(&got); err != nil || got != want {
			t.Errorf("SHOW %s = %q, %v; want %q", name, got, err, want)
		}
	}
	exec := func(sql string) {
		t.Helper()
		if _, err := conn.Exec(ctx, sql); err != nil {
			t.Fatalf("%s: %v", sql, err)
		}
	}
	status("application_name", "start")
	status("TimeZone", "Europe/Paris")
	exec("SET application_name = 'app2'")
	status("application_name", "app2")
	exec("SET TIME ZONE 'America/New_York'")
	status("TimeZone", "America/New_York")
	exec("SET DateStyle = 'ISO'")
	status("DateStyle", "ISO, MDY")
	exec("RESET application_name") // back to the startup value, as in PostgreSQL
	status("application_name", "start")
	exec("SET search_path = public, \"$user\"")
	show("search_path", `public, "$user"`)
	exec("SET extra_float_digits = 3")
	show("extra_float_digits", "3")
	exec("SET client_encoding = 'UTF8'")
	status("client_encoding", "UTF8")
	_, err := conn.Exec(ctx, "SET client_encoding = 'LATIN1'")
	wantPgError(t, err, "0A000")
	_, err = conn.Exec(ctx, "SET extra_float_digits = 4")
	wantPgError(t, err, "22023")
	_, err = conn.Exec(ctx, "SET no_such_thing = 1")
	wantPgError(t, err, "42704")
	_, err = conn.Exec(ctx, "SET search_path = elsewhere") // tables live in public only
	wantPgError(t, err, "0A000")

	// Transactional settings: ROLLBACK undoes SET, COMMIT ends SET LOCAL, both re-report.
	exec("BEGIN")
	exec("SET application_name = 'in_tx'")
	status("application_name", "in_tx")
	exec("ROLLBACK")
	status("application_name", "start")
	exec("BEGIN")
	exec("SET LOCAL application_name = 'local'")
	exec("SET statement_timeout = '5s'")
	status("application_name", "local")
	exec("COMMIT")
	status("application_name", "start")
	show("statement_timeout", "5s")

	exec("RESET ALL")
	status("TimeZone", "Europe/Paris")
	show("search_path", `"$user", public`)
	show("statement_timeout", "0")
	show("extra_float_digits", "1")

	rows, err := conn.Query(ctx, "SHOW ALL")
	if err != nil {
		t.Fatal(err)
	}
	seen := map[string]string{}
	for rows.Next() {
		var name, setting, desc string
		if err := rows.Scan(&name, &setting, &desc); err != nil {
			t.Fatal(err)
		}
		seen[name] = setting
	}
	if rows.Err() != nil {
		t.Fatal(rows.Err())
	}
	for name, want := range map[string]string{"TimeZone": "Europe/Paris", "application_name": "start", "DateStyle": "ISO, MDY", "statement_timeout": "0", "client_encoding": "UTF8"} {
		if seen[name] != want {
			t.Errorf("SHOW ALL: %s = %q, want %q", name, seen[name], want)
		}
	}
}
