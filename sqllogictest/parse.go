package sqllogictest

import (
	"bufio"
	"fmt"
	"io"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"time"
)

// Kind is the kind of a Record.
type Kind int

// The record kinds.
const (
	KindStatement Kind = iota
	KindQuery
	KindHashThreshold
	KindHalt
	KindSortMode
	KindSleep
	KindInclude
)

// SortMode says how a query's rows are ordered before comparison.
type SortMode int

// The sort modes of SQLite's format.
const (
	NoSort SortMode = iota
	RowSort
	ValueSort
)

// Condition is one skipif/onlyif line in front of a record.
type Condition struct {
	Skip   bool   // skipif (true) or onlyif (false)
	Engine string // the database name it names
}

// Record is one statement, query or control record of a test file.
type Record struct {
	Kind       Kind
	Line       int // 1-based line of the record's first non-comment line
	Conditions []Condition
	SQL        string

	// Statements and queries.
	ExpectError bool   // statement error / query error
	ErrorRegex  string // "" matches any error
	Count       int64  // statement count N; -1 when not given

	// Queries.
	Types    string   // one letter per result column
	Sort     SortMode // NoSort unless given (or set by control sortmode)
	SortSet  bool     // the sort mode was written in the record
	Label    string
	Expected []string // expected result lines (after "----")

	// Positions for rewriting, as 0-based indexes into the file's lines: the last line of the
	// SQL, and the "----" line and the last result line (-1 when there is no "----").
	SQLEnd, ResultStart, ResultEnd int

	// Control records.
	N        int           // hash-threshold
	Duration time.Duration // sleep
	Arg      string        // include glob, sort mode name
}

// skipped reports whether the conditions exclude an engine known by names.
func (r *Record) skipped(names []string) bool {
	for _, c := range r.Conditions {
		if c.Skip == slices.Contains(names, c.Engine) {
			return true
		}
	}
	return false
}

type line struct {
	n    int // 0-based index in the file
	text string
}

// Parse reads the records of a test file. name is used in error messages only.
func Parse(name string, r io.Reader) ([]Record, error) {
	var lines []string
	sc := bufio.NewScanner(r)
	sc.Buffer(make([]byte, 64*1024), 16*1024*1024)
	for sc.Scan() {
		lines = append(lines, strings.TrimRight(sc.Text(), "\r"))
	}
	if err := sc.Err(); err != nil {
		return nil, fmt.Errorf("read %s: %w", name, err)
	}
	var recs []Record
	var block []line
	flush := func() error {
		if len(block) == 0 {
			return nil
		}
		rec, err := parseRecord(block)
		block = block[:0]
		if err != nil {
			return fmt.Errorf("%s:%w", name, err)
		}
		recs = append(recs, rec)
		return nil
	}
	for i, l := range lines {
		if strings.TrimSpace(l) == "" {
			if err := flush(); err != nil {
				return nil, err
			}
			continue
		}
		if strings.HasPrefix(l, "#") {
			continue // comments neither belong to nor separate records
		}
		block = append(block, line{i, l})
	}
	if err := flush(); err != nil {
		return nil, err
	}
	return recs, nil
}

func parseRecord(block []line) (Record, error) {
	rec := Record{Count: -1, ResultStart: -1, ResultEnd: -1}
	first := block[0].n + 1
	for len(block) > 0 {
		f := strings.Fields(block[0].text)
		if len(f) >= 2 && (f[0] == "skipif" || f[0] == "onlyif") { // words after the name are a comment
			rec.Conditions = append(rec.Conditions, Condition{Skip: f[0] == "skipif", Engine: f[1]})
			block = block[1:]
			continue
		}
		break
	}
	if len(block) == 0 {
		return rec, fmt.Errorf("%d: skipif/onlyif without a record", first)
	}
	head := block[0]
	rec.Line = head.n + 1
	f := strings.Fields(head.text)
	bad := func(format string, args ...any) (Record, error) {
		return rec, fmt.Errorf("%d: %s", rec.Line, fmt.Sprintf(format, args...))
	}
	body := block[1:]
	switch f[0] {
	case "statement":
		rec.Kind = KindStatement
		if len(f) < 2 {
			return bad("statement needs ok, error or count")
		}
		switch f[1] {
		case "ok":
		case "error":
			rec.ExpectError = true
			rec.ErrorRegex = afterWords(head.text, 2)
		case "count":
			if len(f) != 3 {
				return bad("statement count needs a number")
			}
			n, err := strconv.ParseInt(f[2], 10, 64)
			if err != nil {
				return bad("statement count: %v", err)
			}
			rec.Count = n
		default:
			return bad("unknown statement mode %q", f[1])
		}
		sql, res := splitResult(body)
		if len(sql) == 0 {
			return bad("statement without SQL")
		}
		rec.SQL = joinLines(sql)
		rec.SQLEnd = sql[len(sql)-1].n
		if res != nil && rec.ExpectError && rec.ErrorRegex == "" {
			// sqllogictest-rs: the expected error message follows "----".
			rec.ErrorRegex = regexp.QuoteMeta(strings.TrimSpace(joinLines(res[1:])))
		}
	case "query":
		rec.Kind = KindQuery
		if len(f) >= 2 && f[1] == "error" {
			rec.ExpectError = true
			rec.ErrorRegex = afterWords(head.text, 2)
		} else {
			args := f[1:]
			if len(args) > 0 {
				if _, isSort := parseSortMode(args[0]); !isSort { // "query rowsort": no type string
					rec.Types, args = args[0], args[1:]
				}
			}
			if len(args) > 0 {
				m, ok := parseSortMode(args[0])
				if !ok {
					return bad("unknown sort mode %q", args[0])
				}
				rec.Sort, rec.SortSet, args = m, true, args[1:]
			}
			if len(args) > 0 {
				rec.Label = args[0]
			}
		}
		sql, res := splitResult(body)
		if len(sql) == 0 {
			return bad("query without SQL")
		}
		rec.SQL = joinLines(sql)
		rec.SQLEnd = sql[len(sql)-1].n
		if res != nil {
			rec.ResultStart = res[0].n
			rec.ResultEnd = res[len(res)-1].n
			for _, l := range res[1:] {
				rec.Expected = append(rec.Expected, l.text)
			}
			if rec.ExpectError && rec.ErrorRegex == "" {
				rec.ErrorRegex = regexp.QuoteMeta(strings.TrimSpace(joinLines(res[1:])))
			}
		}
	case "hash-threshold":
		rec.Kind = KindHashThreshold
		if len(f) != 2 {
			return bad("hash-threshold needs a number")
		}
		n, err := strconv.Atoi(f[1])
		if err != nil {
			return bad("hash-threshold: %v", err)
		}
		rec.N = n
	case "halt":
		rec.Kind = KindHalt
	case "control":
		if len(f) != 3 || f[1] != "sortmode" {
			return bad("unknown control record %q", head.text)
		}
		m, ok := parseSortMode(f[2])
		if !ok {
			return bad("unknown sort mode %q", f[2])
		}
		rec.Kind, rec.Sort, rec.Arg = KindSortMode, m, f[2]
	case "sleep":
		if len(f) != 2 {
			return bad("sleep needs a duration")
		}
		d, err := time.ParseDuration(f[1])
		if err != nil {
			return bad("sleep: %v", err)
		}
		rec.Kind, rec.Duration = KindSleep, d
	case "include":
		if len(f) != 2 {
			return bad("include needs a path")
		}
		rec.Kind, rec.Arg = KindInclude, f[1]
	default:
		return bad("unknown record %q", head.text)
	}
	return rec, nil
}

// splitResult splits a record body at its "----" line; res starts with that line (nil if none).
func splitResult(body []line) (sql, res []line) {
	for i, l := range body {
		if strings.TrimSpace(l.text) == "----" {
			return body[:i], body[i:]
		}
	}
	return body, nil
}

func joinLines(ls []line) string {
	var b strings.Builder
	for i, l := range ls {
		if i > 0 {
			b.WriteByte('\n')
		}
		b.WriteString(l.text)
	}
	return b.String()
}

// afterWords returns the text of s after its first n whitespace-separated words, trimmed.
func afterWords(s string, n int) string {
	s = strings.TrimSpace(s)
	for range n {
		i := strings.IndexAny(s, " \t")
		if i < 0 {
			return ""
		}
		s = strings.TrimSpace(s[i:])
	}
	return s
}

func parseSortMode(s string) (SortMode, bool) {
	switch s {
	case "nosort":
		return NoSort, true
	case "rowsort":
		return RowSort, true
	case "valuesort":
		return ValueSort, true
	}
	return NoSort, false
}
