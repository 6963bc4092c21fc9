package main

import (
	"context"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"

	"github.com/runnel-db/runnel/sql"
)

var errMarker = regexp.MustCompile(`--\s*error:\s*(\w+)`)

// TestDocsSQLRuns runs every ```sql block of README.md and docs/*.md, in order, against a fresh
// server: the documentation may only show SQL that works. A statement that is meant to fail is
// marked with a "-- error: <SQLSTATE>" comment on the line before it.
func TestDocsSQLRuns(t *testing.T) {
	files, _ := filepath.Glob("../../docs/*.md")
	files = append([]string{"../../README.md"}, files...)
	block := regexp.MustCompile("(?s)```sql\n(.*?)```")
	for _, f := range files {
		data, err := os.ReadFile(f)
		if err != nil {
			t.Fatal(err)
		}
		blocks := block.FindAllStringSubmatch(string(data), -1)
		if len(blocks) == 0 {
			continue
		}
		t.Run(filepath.Base(f), func(t *testing.T) {
			s := startServer(t, ":memory:")
			c := connect(t, s)
			ran := 0
			for _, b := range blocks {
				texts, offsets, err := sql.Split(b[1])
				if err != nil {
					t.Fatalf("%s: %v", f, err)
				}
				prevEnd := 0
				for i, text := range texts {
					// The marker comment sits between the previous statement and this one.
					wantErr := ""
					if m := errMarker.FindStringSubmatch(b[1][prevEnd:offsets[i]]); m != nil {
						wantErr = m[1]
					}
					prevEnd = offsets[i] + len(text)
					_, err := c.Exec(context.Background(), text)
					ran++
					switch {
					case wantErr == "" && err != nil:
						t.Errorf("%s: %s\n  failed: %v", f, strings.TrimSpace(text), err)
					case wantErr != "" && (err == nil || !strings.Contains(err.Error(), wantErr)):
						t.Errorf("%s: %s\n  want error %s, got %v", f, strings.TrimSpace(text), wantErr, err)
					}
				}
			}
			if ran == 0 {
				t.Fatalf("%s: sql blocks held no statements", f)
			}
		})
	}
}
