package pgwire

import (
	"database/sql"
	"net"
	"os/exec"
	"strings"
	"testing"

	_ "github.com/lib/pq"
)

func TestLibPQ(t *testing.T) {
	_, addr := startServer(t, Options{})
	db, err := sql.Open("postgres", "postgres://runnel@"+addr+"/runnel?sslmode=disable")
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	ctx := testCtx(t)
	if err := db.PingContext(ctx); err != nil { // lib/pq pings with ";"
		t.Fatal(err)
	}

	// No arguments: simple Query, text results.
	rows, err := db.QueryContext(ctx, "select * from t")
	if err != nil {
		t.Fatal(err)
	}
	var got []string
	for rows.Next() {
		var id int64
		var f, n, d, ts, s sql.NullString
		var b sql.NullBool
		if err := rows.Scan(&id, &f, &n, &b, &d, &ts, &s); err != nil {
			t.Fatal(err)
		}
		got = append(got, strings.Join([]string{f.String, n.String, d.String[:min(10, len(d.String))], ts.String, s.String}, ","))
	}
	if err := rows.Err(); err != nil {
		t.Fatal(err)
	}
	want := []string{
		"1.5,12.50,2024-01-02,2024-01-02T03:04:05.123456Z,alice",
		"-0.25,-1234567.89,1999-12-31,1999-12-31T23:59:59Z,bob é",
		",,,,",
	}
	if strings.Join(got, "\n") != strings.Join(want, "\n") {
		t.Errorf("rows:\n%s\nwant:\n%s", strings.Join(got, "\n"), strings.Join(want, "\n"))
	}

	// Arguments: unnamed Parse + Describe, then Bind with text parameters and binary int8.
	var i8 int64
	var txt string
	var num string
	if err := db.QueryRowContext(ctx, "select $1::int8, $2::text, $3::numeric", 77, "pq", "3.14").Scan(&i8, &txt, &num); err != nil {
		t.Fatal(err)
	}
	if i8 != 77 || txt != "pq" || num != "3.14" {
		t.Errorf("echo %d %q %q", i8, txt, num)
	}

	// db.Prepare: a named statement, used twice, then Close S.
	st, err := db.PrepareContext(ctx, "select $1::int4")
	if err != nil {
		t.Fatal(err)
	}
	for _, v := range []int32{5, -6} {
		var out int32
		if err := st.QueryRowContext(ctx, v).Scan(&out); err != nil || out != v {
			t.Errorf("prepared echo %d = %d, %v", v, out, err)
		}
	}
	if err := st.Close(); err != nil {
		t.Fatal(err)
	}

	// Bad parameter text: 22P02 from the type's input function.
	_, err = db.ExecContext(ctx, "select $1::int8", "abc")
	if err == nil || !strings.Contains(err.Error(), "invalid input syntax for type bigint") {
		t.Errorf("bad int8 parameter: %v", err)
	}

	tx, err := db.BeginTx(ctx, nil)
	if err == nil {
		err = tx.Rollback()
	}
	// The fake has no ROLLBACK: lib/pq's BEGIN works, the rollback fails with a syntax error.
	if err == nil || !strings.Contains(err.Error(), "syntax error") {
		t.Errorf("rollback: %v", err)
	}
}

func TestPsql(t *testing.T) {
	psql, err := exec.LookPath("psql")
	if err != nil {
		t.Skip("psql is not on PATH; install postgresql-client to run this test")
	}
	_, addr := startServer(t, Options{})
	host, port, _ := net.SplitHostPort(addr)
	run := func(q string) (string, error) {
		cmd := exec.CommandContext(testCtx(t), psql, "-X", "-h", host, "-p", port, "-U", "runnel", "-d", "runnel", "-Atc", q)
		cmd.Env = append(cmd.Environ(), "PGSSLMODE=prefer", "PGCONNECT_TIMEOUT=10")
		out, err := cmd.CombinedOutput()
		return string(out), err
	}
	out, err := run("select 1")
	if err != nil || out != "1\n" {
		t.Fatalf("psql select 1: %q, %v", out, err)
	}
	out, err = run("select * from t")
	want := "1|1.5|12.50|t|2024-01-02|2024-01-02 03:04:05.123456+00|alice\n" +
		"2|-0.25|-1234567.89|f|1999-12-31|1999-12-31 23:59:59+00|bob é\n" +
		"3||||||\n"
	if err != nil || out != want {
		t.Fatalf("psql select * from t:\n%s\nwant:\n%s(%v)", out, want, err)
	}
	out, err = run("select 1; select error")
	if err == nil || !strings.Contains(out, `ERROR:  column "error" does not exist`) || !strings.Contains(out, "LINE 1: select 1; select error") {
		t.Fatalf("psql error: %q, %v", out, err)
	}
}
