package sqllogictest

import (
	"bufio"
	"context"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"
)

const knownFailuresFile = "testdata/known_failures.txt"

// loadKnownFailures reads "file:line reason" lines (file relative to testdata); # starts a comment.
func loadKnownFailures(t *testing.T) map[string]string {
	t.Helper()
	f, err := os.Open(knownFailuresFile)
	if os.IsNotExist(err) {
		return map[string]string{}
	}
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	known := map[string]string{}
	sc := bufio.NewScanner(f)
	for n := 1; sc.Scan(); n++ {
		l := strings.TrimSpace(sc.Text())
		if l == "" || strings.HasPrefix(l, "#") {
			continue
		}
		key, reason, _ := strings.Cut(l, " ")
		if strings.TrimSpace(reason) == "" {
			t.Errorf("%s:%d: %s has no reason", knownFailuresFile, n, key)
		}
		known[key] = reason
	}
	if err := sc.Err(); err != nil {
		t.Fatal(err)
	}
	return known
}

// TestSpec runs every testdata file against a fresh in-process Runnel, once as written and
// once in incremental mode (every query also checked through a materialized view). A failing
// record fails the test unless known_failures.txt lists it ("file:line", or
// "incremental:file:line" for a record that fails only through its view); a listed record that
// passes fails the test too, so the list only shrinks.
func TestSpec(t *testing.T) {
	files, err := Files([]string{"testdata"})
	if err != nil {
		t.Fatal(err)
	}
	known := loadKnownFailures(t)
	ran := map[string]bool{}
	failed := map[string]bool{}
	for _, path := range files {
		rel, err := filepath.Rel("testdata", path)
		if err != nil {
			t.Fatal(err)
		}
		rel = filepath.ToSlash(rel)
		for _, incremental := range []bool{false, true} {
			prefix := ""
			if incremental {
				prefix = "incremental:"
			}
			t.Run(prefix+rel, func(t *testing.T) {
				ran[prefix+rel] = true
				ctx, cancel := context.WithTimeout(context.Background(), 5*time.Minute)
				defer cancel()
				sum, err := RunFile(ctx, path, Options{Timeout: 30 * time.Second, Incremental: incremental})
				if err != nil {
					t.Fatalf("%s: %v", rel, err)
				}
				for _, f := range sum.Failures {
					key := fmt.Sprintf("%s:%d", rel, f.Line)
					if _, ok := known[key]; ok && incremental {
						continue // the query itself fails: listed once, for the plain run
					}
					failed[prefix+key] = true
					if _, ok := known[prefix+key]; !ok {
						t.Errorf("%s%s", prefix, strings.Replace(f.String(), path, rel, 1))
					}
				}
				t.Log(sum)
			})
		}
	}
	for key := range known {
		file := key[:strings.LastIndex(key, ":")]
		if ran[file] && !failed[key] {
			t.Errorf("%s is listed in %s but passes now: remove it from the list", key, knownFailuresFile)
		}
	}
}

// TestSQLiteCorpusSmoke runs SQLite's select1.test (when the corpus is present) and reports the
// counts. Engine gaps do not fail it yet; it checks that every record was run.
func TestSQLiteCorpusSmoke(t *testing.T) {
	const path = "/work/shared/slt/sqlite/select1.test"
	recs, err := parseFile(path)
	if os.IsNotExist(err) {
		t.Skip("the SQLite corpus is not on this machine")
	}
	if err != nil {
		t.Fatal(err)
	}
	want := 0
	for _, r := range recs {
		if r.Kind == KindStatement || r.Kind == KindQuery {
			want++
		}
	}
	start := time.Now()
	sum, err := RunFile(context.Background(), path, Options{Timeout: 30 * time.Second})
	if err != nil {
		t.Fatal(err)
	}
	t.Logf("select1.test: %s in %v", sum, time.Since(start).Round(time.Millisecond))
	if got := sum.Passed + sum.Failed + sum.Skipped; got != want {
		t.Errorf("ran %d records, the file has %d", got, want)
	}
	if sum.Passed == 0 {
		t.Error("no record passed: the runner or the server is broken")
	}
}
