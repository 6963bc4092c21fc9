package sqllogictest

import (
	"crypto/md5"
	"encoding/hex"
	"fmt"
	"math"
	"slices"
	"strconv"
	"strings"
)

// Render turns one text-format value (nil for NULL) into its sqllogictest form for the column
// type letter typ: I an integer (a boolean as 1 or 0), R "%.3f", anything else text; NULL is
// "NULL", the empty string "(empty)", control characters become "@".
func Render(v []byte, typ byte) string {
	if v == nil {
		return "NULL"
	}
	s := string(v)
	switch typ {
	case 'I':
		if n, err := strconv.ParseInt(s, 10, 64); err == nil {
			return strconv.FormatInt(n, 10) // "-0" (a float's text) is 0
		}
		switch s { // booleans read as integers, as SQLite's harness reads them
		case "t":
			return "1"
		case "f":
			return "0"
		}
		if f, err := strconv.ParseFloat(s, 64); err == nil && !math.IsInf(f, 0) && !math.IsNaN(f) && math.Abs(f) < 9.2e18 {
			return strconv.FormatInt(int64(f), 10)
		}
	case 'R':
		if f, err := strconv.ParseFloat(s, 64); err == nil && !math.IsInf(f, 0) && !math.IsNaN(f) {
			return fmt.Sprintf("%.3f", f)
		}
	}
	if s == "" {
		return "(empty)"
	}
	return strings.Map(func(r rune) rune {
		if r < 0x20 || r == 0x7f {
			return '@'
		}
		return r
	}, s)
}

// renderRows renders raw rows with the record's type letters; a column beyond the letters is text.
func renderRows(raw [][][]byte, types string) [][]string {
	rows := make([][]string, len(raw))
	for i, r := range raw {
		row := make([]string, len(r))
		for j, v := range r {
			t := byte('T')
			if j < len(types) {
				t = types[j]
			}
			row[j] = Render(v, t)
		}
		rows[i] = row
	}
	return rows
}

// sortRows orders rows as the sort mode asks and returns them with the flattened value list.
// valuesort sorts the values on their own; the returned rows are then meaningless and nil.
func sortRows(rows [][]string, mode SortMode) ([][]string, []string) {
	switch mode {
	case RowSort:
		rows = slices.Clone(rows)
		slices.SortStableFunc(rows, slices.Compare)
	case ValueSort:
		vals := flatten(rows)
		slices.Sort(vals)
		return nil, vals
	}
	return rows, flatten(rows)
}

func flatten(rows [][]string) []string {
	var vals []string
	for _, r := range rows {
		vals = append(vals, r...)
	}
	return vals
}

// HashValues returns SQLite's "N values hashing to <md5>" line for values already sorted.
func HashValues(vals []string) string {
	h := md5.New()
	for _, v := range vals {
		h.Write([]byte(v))
		h.Write([]byte{'\n'})
	}
	return fmt.Sprintf("%d values hashing to %s", len(vals), hex.EncodeToString(h.Sum(nil)))
}

func isHashLine(s string) bool {
	f := strings.Fields(s)
	return len(f) == 5 && f[1] == "values" && f[2] == "hashing" && f[3] == "to"
}

// resultsMatch reports whether expected lines describe vals (one per line), rows (one row per
// line), or their hash.
func resultsMatch(expected []string, rows [][]string, vals []string, mode SortMode) bool {
	if len(expected) == 1 && isHashLine(expected[0]) {
		return strings.Join(strings.Fields(expected[0]), " ") == HashValues(vals)
	}
	if slices.Equal(expected, vals) {
		return true
	}
	if rows == nil || len(expected) != len(rows) {
		return false
	}
	exp := make([]string, len(expected))
	for i, e := range expected {
		exp[i] = strings.Join(strings.Fields(e), " ")
	}
	act := make([]string, len(rows))
	for i, r := range rows {
		act[i] = strings.Join(strings.Fields(strings.Join(r, " ")), " ")
	}
	if mode == RowSort {
		slices.Sort(exp)
		slices.Sort(act)
	}
	return slices.Equal(exp, act)
}

// formatResults lays out actual results as a test file would: the hash line when there are more
// values than threshold (> 0), else one value per line (valueLayout) or one row per line.
func formatResults(rows [][]string, vals []string, threshold int, valueLayout bool) []string {
	if threshold > 0 && len(vals) > threshold {
		return []string{HashValues(vals)}
	}
	if valueLayout || rows == nil {
		return slices.Clone(vals)
	}
	out := make([]string, len(rows))
	for i, r := range rows {
		out[i] = strings.Join(r, " ")
	}
	return out
}
