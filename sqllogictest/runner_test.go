package sqllogictest

import (
	"context"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"
)

func writeFile(t *testing.T, name, text string) string {
	t.Helper()
	path := filepath.Join(t.TempDir(), name)
	if err := os.WriteFile(path, []byte(text), 0o644); err != nil {
		t.Fatal(err)
	}
	return path
}

func TestRunCountsAndRewrite(t *testing.T) {
	path := writeFile(t, "r.slt", `statement ok
CREATE TABLE t (a int, b text)

statement count 2
INSERT INTO t VALUES (1, 'x'), (2, NULL)

statement count 5
DELETE FROM t WHERE a > 5

query IT rowsort
SELECT a, b FROM t
----
1 x
2 wrong

query I
SELECT a FROM t WHERE a > 1

skipif postgresql
statement ok
SELECT nonsense

statement error 42P01
SELECT * FROM missing
`)
	sum, err := RunFile(context.Background(), path, Options{Rewrite: true, Timeout: 30 * time.Second})
	if err != nil {
		t.Fatal(err)
	}
	if sum.String() != "3 passed, 3 failed, 1 skipped" {
		t.Fatalf("%s: %v", sum, sum.Failures)
	}
	if sum.Failures[0].Line != 7 || sum.Failures[1].Line != 10 || sum.Failures[2].Line != 16 {
		t.Errorf("failures at %v", sum.Failures)
	}
	data, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(string(data), "statement count 0\nDELETE") || !strings.Contains(string(data), "----\n1 x\n2 NULL\n\nquery I\nSELECT a FROM t WHERE a > 1\n----\n2\n\nskipif") {
		t.Errorf("rewritten file:\n%s", data)
	}
	sum, err = RunFile(context.Background(), path, Options{Timeout: 30 * time.Second})
	if err != nil || sum.Failed != 0 {
		t.Errorf("after rewrite: %s %v %v", sum, sum.Failures, err)
	}
}

func TestRunIncremental(t *testing.T) {
	path := writeFile(t, "inc.slt", `query I
SELECT 1
----
1

statement ok
CREATE TABLE t (a int)

statement ok
INSERT INTO t VALUES (1), (2), (3)

statement ok
DELETE FROM t WHERE a = 2

query II rowsort
SELECT a, a * 10 FROM t
----
1 10
3 30

statement ok
DROP TABLE t

statement ok
CREATE TABLE t (a int)

query I
SELECT count(*) FROM t
----
0
`)
	sum, err := RunFile(context.Background(), path, Options{Incremental: true, Timeout: 30 * time.Second})
	if err != nil {
		t.Fatal(err)
	}
	if sum.Failed != 0 || sum.Passed != 8 || sum.ViewChecks != 3 {
		t.Errorf("%s, %d view checks: %v", sum, sum.ViewChecks, sum.Failures)
	}
}

func TestRunIncludeSortModeHalt(t *testing.T) {
	dir := t.TempDir()
	if err := os.MkdirAll(filepath.Join(dir, "parts"), 0o755); err != nil {
		t.Fatal(err)
	}
	part := "statement ok\nCREATE TABLE t (a int)\n\nstatement ok\nINSERT INTO t VALUES (2), (1)\n"
	if err := os.WriteFile(filepath.Join(dir, "parts", "a.slt"), []byte(part), 0o644); err != nil {
		t.Fatal(err)
	}
	main := `include parts/*.slt

control sortmode rowsort

sleep 1ms

query I
SELECT a FROM t
----
1
2

onlyif mysql
halt

halt

query I
SELECT 1
----
2
`
	path := filepath.Join(dir, "main.slt")
	if err := os.WriteFile(path, []byte(main), 0o644); err != nil {
		t.Fatal(err)
	}
	sum, err := RunFile(context.Background(), path, Options{Timeout: 30 * time.Second})
	if err != nil {
		t.Fatal(err)
	}
	if sum.String() != "3 passed, 0 failed, 0 skipped" {
		t.Errorf("%s: %v", sum, sum.Failures)
	}
}
