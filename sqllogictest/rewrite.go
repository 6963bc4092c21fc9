package sqllogictest

import (
	"bytes"
	"fmt"
	"os"
	"sort"
	"strings"
)

// edit replaces lines [start, end] (0-based, inclusive; end = start-1 inserts before start)
// of a file with lines.
type edit struct {
	start, end int
	lines      []string
}

func (r *fileRun) addEdit(path string, rec *Record, actual []string) {
	res := append([]string{"----"}, actual...)
	if rec.ResultStart >= 0 {
		r.edits[path] = append(r.edits[path], edit{rec.ResultStart, rec.ResultEnd, res})
		return
	}
	if len(actual) == 0 {
		return
	}
	r.edits[path] = append(r.edits[path], edit{rec.SQLEnd + 1, rec.SQLEnd, res})
}

// writeEdits applies the collected result rewrites to their files.
func (r *fileRun) writeEdits() error {
	for path, edits := range r.edits {
		data, err := os.ReadFile(path)
		if err != nil {
			return fmt.Errorf("rewrite %s: %w", path, err)
		}
		trailingNL := bytes.HasSuffix(data, []byte("\n"))
		lines := strings.Split(strings.TrimSuffix(string(data), "\n"), "\n")
		sort.Slice(edits, func(i, j int) bool { return edits[i].start > edits[j].start })
		for _, e := range edits {
			tail := append([]string(nil), lines[e.end+1:]...)
			lines = append(append(lines[:e.start], e.lines...), tail...)
		}
		out := strings.Join(lines, "\n")
		if trailingNL {
			out += "\n"
		}
		if err := os.WriteFile(path, []byte(out), 0o644); err != nil {
			return fmt.Errorf("rewrite %s: %w", path, err)
		}
	}
	r.edits = map[string][]edit{}
	return nil
}
