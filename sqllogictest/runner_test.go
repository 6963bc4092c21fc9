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
	if sum.String() != "3 passed, 2 failed, 1 skipped" {
		t.Fatalf("%s: %v", sum, sum.Failures)
	}
	if sum.Failures[0].Line != 7 || sum.Failures[1].Line != 13 {
		t.Errorf("failures at %d and %d", sum.Failures[0].Line, sum.Failures[1].Line)
	}
	data, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(string(data), "----\n1 x\n2 NULL\n\nquery I\nSELECT a FROM t WHERE a > 1\n----\n2\n\nskipif") {
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
