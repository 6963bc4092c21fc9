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

// TestNodePostgres drives the real server with node-postgres (npm pg): queries with and without
// parameters, types, a named prepared statement, a cursor in a transaction, errors with their
// SQLSTATE, statement_timeout. The script checks every answer itself and exits non-zero on a
// mismatch. .ci/run installs the module with npm ci into testdata/clients/node.
func TestNodePostgres(t *testing.T) {
	node, err := exec.LookPath("node")
	if err != nil {
		t.Skip("node-postgres test: node not installed (apt-get install nodejs npm)")
	}
	dir, err := filepath.Abs("testdata/clients/node")
	if err != nil {
		t.Fatal(err)
	}
	if _, err := os.Stat(filepath.Join(dir, "node_modules", "pg", "package.json")); err != nil {
		t.Skip("node-postgres test: the pg module is not installed: run npm ci in cmd/runnel/testdata/clients/node (.ci/run does)")
	}
	s := startServer(t, ":memory:")
	host, port, _ := strings.Cut(s.addr, ":")
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Minute)
	defer cancel()
	cmd := exec.CommandContext(ctx, node, "check.js", host, port)
	cmd.Dir = dir
	out, err := cmd.CombinedOutput()
	if err != nil {
		t.Fatalf("node-postgres checks failed: %v\n%s\nserver logs:\n%s", err, out, tail(s.logs.String(), 2000))
	}
	if !strings.Contains(string(out), "node-postgres: all checks passed") {
		t.Fatalf("node-postgres script ended early:\n%s", out)
	}
	t.Logf("%s", out)
}
