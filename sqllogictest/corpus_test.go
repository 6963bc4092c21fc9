package sqllogictest

import (
	"bufio"
	"context"
	"flag"
	"fmt"
	"os"
	"path/filepath"
	"sort"
	"strconv"
	"strings"
	"testing"
)

// The SQLite sqllogictest corpus (../shared/slt/sqlite beside the repository) measures SQL
// coverage. TestSQLiteCorpus runs it in normal and incremental mode and compares the pass count of
// every file with testdata/sqlite_baseline.txt: a count may only go up. After an improvement, run
// `go test ./sqllogictest -run SQLiteCorpus -update-baseline` and commit the new baseline.

var updateBaseline = flag.Bool("update-baseline", false, "rewrite testdata/sqlite_baseline.txt with the measured pass counts")

const baselineFile = "testdata/sqlite_baseline.txt"

// corpusDir finds the shared corpus: RUNNEL_SLT_CORPUS, or ../shared/slt/sqlite from the repo root.
func corpusDir() string {
	if d := os.Getenv("RUNNEL_SLT_CORPUS"); d != "" {
		return d
	}
	return filepath.Join("..", "..", "shared", "slt", "sqlite")
}

func loadBaseline(t *testing.T) map[string]int {
	t.Helper()
	base := map[string]int{}
	data, err := os.ReadFile(baselineFile)
	if os.IsNotExist(err) {
		return base
	}
	if err != nil {
		t.Fatal(err)
	}
	sc := bufio.NewScanner(strings.NewReader(string(data)))
	for sc.Scan() {
		l := strings.TrimSpace(sc.Text())
		if l == "" || strings.HasPrefix(l, "#") {
			continue
		}
		f := strings.Fields(l)
		if len(f) != 2 {
			t.Fatalf("%s: bad line %q", baselineFile, l)
		}
		n, err := strconv.Atoi(f[1])
		if err != nil {
			t.Fatalf("%s: bad count in %q", baselineFile, l)
		}
		base[f[0]] = n
	}
	return base
}

func TestSQLiteCorpus(t *testing.T) {
	if testing.Short() {
		t.Skip("the SQLite corpus run is skipped in -short mode")
	}
	dir := corpusDir()
	if _, err := os.Stat(dir); err != nil {
		t.Skipf("SQLite corpus not found at %s (set RUNNEL_SLT_CORPUS): %v", dir, err)
	}
	files, err := Files([]string{dir})
	if err != nil {
		t.Fatal(err)
	}
	if len(files) == 0 {
		t.Fatalf("no test files under %s", dir)
	}
	base := loadBaseline(t)
	measured := map[string]int{}
	var lines []string
	for _, mode := range []string{"normal", "incremental"} {
		total := Summary{}
		for _, path := range files {
			rel, _ := filepath.Rel(dir, path)
			key := mode + ":" + filepath.ToSlash(rel)
			sum, err := RunFile(context.Background(), path, Options{Incremental: mode == "incremental"})
			if err != nil {
				t.Errorf("%s: %v", key, err)
				continue
			}
			measured[key] = sum.Passed
			total.Passed += sum.Passed
			total.Failed += sum.Failed
			total.Skipped += sum.Skipped
			lines = append(lines, fmt.Sprintf("%s %d", key, sum.Passed))
			t.Logf("%-55s %s", key, sum)
			if want, ok := base[key]; ok && sum.Passed < want {
				t.Errorf("%s: %d passed, below the baseline of %d", key, sum.Passed, want)
			} else if ok && sum.Passed > want {
				t.Logf("%s: %d passed, above the baseline of %d (run with -update-baseline)", key, sum.Passed, want)
			} else if !ok && !*updateBaseline {
				t.Errorf("%s has no baseline (run with -update-baseline)", key)
			}
		}
		t.Logf("%s mode total: %s", mode, total)
	}
	if *updateBaseline {
		sort.Strings(lines)
		out := "# Passed records per SQLite corpus file and mode; counts may only go up (see corpus_test.go).\n" +
			strings.Join(lines, "\n") + "\n"
		if err := os.WriteFile(baselineFile, []byte(out), 0o644); err != nil {
			t.Fatal(err)
		}
	}
}
