package sqllogictest

import (
	"strings"
	"testing"
)

const sample = `hash-threshold 8

statement ok
CREATE TABLE t1(a INTEGER, b INTEGER)

# a comment does not end a record
skipif mysql
query II rowsort label-1
SELECT a, b
# comments inside a record are dropped
  FROM t1
----
1
2

onlyif sqlite
query I nosort
SELECT 1

query IT valuesort
SELECT a, b FROM t1
----
3 values hashing to 947ac7611a144a747fd1ba4cb9205642

statement error 22012
SELECT 1/0

statement count 2
INSERT INTO t1 VALUES (1, 2), (3, 4)

query error division by zero
SELECT 1/0

query valuesort
SELECT 1

control sortmode rowsort

sleep 10ms

include other/*.slt

halt
`

func TestParseSample(t *testing.T) {
	recs, err := Parse("sample", strings.NewReader(sample))
	if err != nil {
		t.Fatal(err)
	}
	kinds := []Kind{KindHashThreshold, KindStatement, KindQuery, KindQuery, KindQuery, KindStatement, KindStatement, KindQuery, KindQuery, KindSortMode, KindSleep, KindInclude, KindHalt}
	if len(recs) != len(kinds) {
		t.Fatalf("got %d records, want %d: %+v", len(recs), len(kinds), recs)
	}
	for i, k := range kinds {
		if recs[i].Kind != k {
			t.Errorf("record %d: kind %d, want %d", i, recs[i].Kind, k)
		}
	}
	if recs[0].N != 8 {
		t.Errorf("hash-threshold %d", recs[0].N)
	}
	q := recs[2]
	if q.Line != 8 || q.Types != "II" || q.Sort != RowSort || q.Label != "label-1" || len(q.Conditions) != 1 || !q.Conditions[0].Skip || q.Conditions[0].Engine != "mysql" {
		t.Errorf("query header parsed as %+v", q)
	}
	if q.SQL != "SELECT a, b\n  FROM t1" {
		t.Errorf("SQL %q", q.SQL)
	}
	if strings.Join(q.Expected, ",") != "1,2" || q.ResultStart != 11 || q.ResultEnd != 13 || q.SQLEnd != 10 {
		t.Errorf("results %q at %d..%d, SQL ends %d", q.Expected, q.ResultStart, q.ResultEnd, q.SQLEnd)
	}
	if q.skipped([]string{EngineName}) {
		t.Error("skipif mysql skips postgresql")
	}
	if !recs[3].skipped([]string{EngineName, RunnelName}) || recs[3].ResultStart != -1 {
		t.Errorf("onlyif sqlite record: %+v", recs[3])
	}
	if recs[5].ErrorRegex != "22012" || !recs[5].ExpectError {
		t.Errorf("statement error regex %q", recs[5].ErrorRegex)
	}
	if recs[6].Count != 2 || recs[1].Count != -1 {
		t.Errorf("counts %d %d", recs[6].Count, recs[1].Count)
	}
	if !recs[7].ExpectError || recs[7].ErrorRegex != "division by zero" {
		t.Errorf("query error: %+v", recs[7])
	}
	if recs[8].Types != "" || recs[8].Sort != ValueSort || !recs[8].SortSet {
		t.Errorf("query without a type string: %+v", recs[8])
	}
	if recs[9].Sort != RowSort || recs[10].Duration.Milliseconds() != 10 || recs[11].Arg != "other/*.slt" {
		t.Errorf("control records: %+v %+v %+v", recs[9], recs[10], recs[11])
	}

	// The hashed query: valuesort over 1, 2, NULL hashes to the md5 of "1\n2\nNULL\n".
	vq := recs[4]
	rows, vals := sortRows(renderRows([][][]byte{{[]byte("2"), nil}, {[]byte("1"), nil}}, "IT"), vq.Sort)
	if vals[0] != "1" || vals[3] != "NULL" {
		t.Errorf("valuesort: %q", vals)
	}
	if resultsMatch(vq.Expected, rows, vals, vq.Sort) {
		t.Error("4 values matched a hash of 3")
	}
	_, vals = sortRows([][]string{{"2"}, {"NULL"}, {"1"}}, ValueSort)
	if !resultsMatch(vq.Expected, nil, vals, ValueSort) {
		t.Errorf("hash mismatch: %s", HashValues(vals))
	}
}

func TestParseErrors(t *testing.T) {
	for _, bad := range []string{"statement maybe\nSELECT 1", "query I\n", "hash-threshold x", "frobnicate", "skipif postgresql\n"} {
		if _, err := Parse("bad", strings.NewReader(bad)); err == nil {
			t.Errorf("%q parsed without error", bad)
		}
	}
}

func TestRender(t *testing.T) {
	for _, c := range []struct {
		v    []byte
		typ  byte
		want string
	}{
		{nil, 'I', "NULL"},
		{[]byte("42"), 'I', "42"},
		{[]byte("-2.7"), 'I', "-2"},
		{[]byte("t"), 'I', "1"},
		{[]byte("-0"), 'I', "0"},
		{[]byte("f"), 'I', "0"},
		{[]byte("1.5"), 'R', "1.500"},
		{[]byte("-0.0001"), 'R', "-0.000"},
		{[]byte("7"), 'R', "7.000"},
		{[]byte("Infinity"), 'R', "Infinity"},
		{[]byte(""), 'T', "(empty)"},
		{[]byte("a\tb\n"), 'T', "a@b@"},
		{[]byte("t"), 'T', "t"},
		{[]byte("hello world"), 'X', "hello world"},
	} {
		if got := Render(c.v, c.typ); got != c.want {
			t.Errorf("Render(%q, %c) = %q, want %q", c.v, c.typ, got, c.want)
		}
	}
}

func TestResultsMatchLayouts(t *testing.T) {
	rows := [][]string{{"b", "2001-02-03 04:05:06"}, {"a", "NULL"}}
	sorted, vals := sortRows(rows, RowSort)
	if !resultsMatch([]string{"a", "NULL", "b", "2001-02-03 04:05:06"}, sorted, vals, RowSort) {
		t.Error("one value per line did not match")
	}
	if !resultsMatch([]string{"a NULL", "b  2001-02-03 04:05:06"}, sorted, vals, RowSort) {
		t.Error("one row per line did not match")
	}
	if resultsMatch([]string{"a NULL"}, sorted, vals, RowSort) {
		t.Error("a missing row matched")
	}
	_, vals = sortRows([][]string{{"a"}, {"b"}}, NoSort)
	if HashValues(vals) != "2 values hashing to dd8c6a395b5dd36c56d23275028f526c" {
		t.Errorf("hash: %s", HashValues(vals))
	}
	if got := formatResults(sorted, vals, 1, false); len(got) != 1 || !isHashLine(got[0]) {
		t.Errorf("over the threshold: %q", got)
	}
}
