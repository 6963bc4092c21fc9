package engine

import (
	"context"
	"strings"
	"testing"

	"github.com/runnel-db/runnel/exec/types"
)

// copyOutText runs a COPY … TO STDOUT statement and returns its data and row count.
func copyOutText(t *testing.T, s *Session, text string) (string, int) {
	t.Helper()
	ctx := context.Background()
	p, err := s.Prepare(ctx, text, nil)
	if err != nil {
		t.Fatalf("%s: %v", text, err)
	}
	r, err := s.Execute(ctx, p, make([]types.Datum, len(p.ParamTypes)))
	if err != nil {
		t.Fatalf("%s: %v", text, err)
	}
	if r.CopyOut == nil {
		t.Fatalf("%s: no COPY data", text)
	}
	defer r.CopyOut.Close()
	var b strings.Builder
	rows := 0
	for {
		data, n, err := r.CopyOut.Next(ctx)
		if err != nil {
			t.Fatal(err)
		}
		if data == nil {
			return b.String(), rows
		}
		b.Write(data)
		rows += n
	}
}

func TestCopyTo(t *testing.T) {
	_, s := openDir(t, "CREATE TABLE t (id int, name text, price numeric(6,2));"+
		`INSERT INTO t VALUES (1, 'a,b', 1.5), (2, E'tab\there\\back\nline', NULL), (3, '', 0), (4, 'say "hi"', 2)`)
	for _, c := range []struct {
		sql, want string
		rows      int
	}{
		{"COPY t TO STDOUT", "1\ta,b\t1.50\n2\ttab\\there\\\\back\\nline\t\\N\n3\t\t0.00\n4\tsay \"hi\"\t2.00\n", 4},
		{"COPY t (name, id) TO STDOUT WITH (DELIMITER '|', NULL 'none')", "a,b|1\ntab\\there\\\\back\\nline|2\n|3\nsay \"hi\"|4\n", 4},
		{"COPY t TO STDOUT WITH (FORMAT csv, HEADER)", "id,name,price\n1,\"a,b\",1.50\n2,\"tab\there\\back\nline\",\n3,\"\",0.00\n4,\"say \"\"hi\"\"\",2.00\n", 4},
		{"COPY (SELECT id * 10 AS x FROM t WHERE price > 1 ORDER BY id DESC) TO STDOUT (FORMAT csv, HEADER true)", "x\n40\n10\n", 2},
	} {
		got, rows := copyOutText(t, s, c.sql)
		if got != c.want {
			t.Errorf("%s:\ngot  %q\nwant %q", c.sql, got, c.want)
		}
		if rows != c.rows {
			t.Errorf("%s: %d rows, want %d", c.sql, rows, c.rows)
		}
	}
	expectError(t, s, "COPY t TO '/tmp/x'", "0A000")
	expectError(t, s, "COPY t TO STDOUT (FORMAT binary)", "0A000")
	expectError(t, s, "COPY nope TO STDOUT", "42P01")
}
