package main

import (
	"errors"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
)

// TestSLTSubcommand runs `runnel slt` on a small file: the last line of output is the summary,
// and the exit status says whether anything failed.
func TestSLTSubcommand(t *testing.T) {
	dir := t.TempDir()
	good := filepath.Join(dir, "good.slt")
	bad := filepath.Join(dir, "bad.slt")
	const body = "statement ok\nCREATE TABLE t (a int)\n\nstatement ok\nINSERT INTO t VALUES (1), (2)\n\n" +
		"skipif postgresql\nstatement ok\nSELECT nonsense\n\nquery I rowsort\nSELECT a FROM t\n----\n"
	if err := os.WriteFile(good, []byte(body+"1\n2\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(bad, []byte(body+"1\n3\n"), 0o644); err != nil {
		t.Fatal(err)
	}

	out, err := exec.Command(runnelBin, "slt", good).Output()
	if err != nil {
		t.Fatalf("runnel slt %s: %v\n%s", good, err, out)
	}
	if got := strings.TrimSpace(string(out)); got != "3 passed, 0 failed, 1 skipped" {
		t.Errorf("summary %q", got)
	}

	out, err = exec.Command(runnelBin, "slt", "--timeout", "10s", good, bad, "-v").Output()
	var exit *exec.ExitError
	if !errors.As(err, &exit) || exit.ExitCode() != 1 {
		t.Fatalf("runnel slt with a failing file: %v\n%s", err, out)
	}
	lines := strings.Split(strings.TrimSpace(string(out)), "\n")
	if last := lines[len(lines)-1]; last != "5 passed, 1 failed, 2 skipped" {
		t.Errorf("summary %q", last)
	}
	if !strings.Contains(string(out), "bad.slt:11:") || !strings.Contains(string(out), "SELECT a FROM t") {
		t.Errorf("-v output lacks file:line and SQL:\n%s", out)
	}
}
