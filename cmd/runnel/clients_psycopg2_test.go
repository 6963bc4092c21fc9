package main

import (
	"context"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"
)

// systemPython is Debian's interpreter, where apt's python3-psycopg2 lives (the python3 first
// on PATH may be another one).
const systemPython = "/usr/bin/python3"

// TestPsycopg2 drives the real server with psycopg2: parameters of many types, transactions,
// named (server-side) cursors, COPY both ways, errors as psycopg2 exceptions with their
// SQLSTATE, statement_timeout, a materialized view updating, and a subscription read through a
// named cursor. The script checks every answer itself and exits non-zero on a mismatch.
func TestPsycopg2(t *testing.T) {
	if _, err := os.Stat(systemPython); err != nil {
		t.Skip("psycopg2 test: " + systemPython + " not installed: apt-get install python3-psycopg2")
	}
	if out, err := exec.Command(systemPython, "-c", "import psycopg2").CombinedOutput(); err != nil {
		t.Skipf("psycopg2 not installed: apt-get install python3-psycopg2 (%s)", strings.TrimSpace(string(out)))
	}
	s := startServer(t, ":memory:")
	host, port, _ := strings.Cut(s.addr, ":")
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Minute)
	defer cancel()
	script, err := filepath.Abs("testdata/clients/psycopg2/check.py")
	if err != nil {
		t.Fatal(err)
	}
	out, err := exec.CommandContext(ctx, systemPython, script, host, port).CombinedOutput()
	if err != nil {
		t.Fatalf("psycopg2 checks failed: %v\n%s\nserver logs:\n%s", err, out, tail(s.logs.String(), 2000))
	}
	if !strings.Contains(string(out), "psycopg2: all checks passed") {
		t.Fatalf("psycopg2 script ended early:\n%s", out)
	}
	t.Logf("%s", out)
}
