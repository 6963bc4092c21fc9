package engine

import (
	"context"
	"testing"

	"github.com/apache/arrow-go/v18/arrow"
	"github.com/apache/arrow-go/v18/arrow/array"
	"github.com/apache/arrow-go/v18/arrow/memory"

	"github.com/runnel-db/runnel/exec/sqlerr"
)

func TestIndexesUnderCopyAndInsert(t *testing.T) {
	e := openMem(t)
	s := newSession(t, e)
	ctx := context.Background()
	mustQuery(t, s, "CREATE TABLE c (id int, name text UNIQUE); CREATE INDEX c_id ON c (id)")
	copyIn := func(data string) error {
		p, err := s.Prepare(ctx, "COPY c FROM STDIN", nil)
		if err != nil {
			t.Fatal(err)
		}
		r, err := s.Execute(ctx, p, nil)
		if err != nil {
			t.Fatal(err)
		}
		if err := r.CopyIn.Write([]byte(data)); err != nil {
			return err
		}
		_, err = r.CopyIn.Done(ctx)
		return err
	}
	if err := copyIn("1\tone\n2\ttwo\n3\t\\N\n4\t\\N\n"); err != nil {
		t.Fatal(err)
	}
	if err := copyIn("5\tfive\n6\tone\n"); sqlerr.From(err) == nil || sqlerr.From(err).Code != sqlerr.UniqueViolation {
		t.Fatalf("COPY of a duplicate: %v", err)
	}
	checkIndexes(t, e, "c")
	mem := memory.NewCheckedAllocator(memory.DefaultAllocator)
	defer mem.AssertSize(t, 0)
	insert := func(id int32, name string) error {
		ib := array.NewInt32Builder(mem)
		defer ib.Release()
		ib.Append(id)
		sb := array.NewStringBuilder(mem)
		defer sb.Release()
		sb.Append(name)
		ids, names := ib.NewArray(), sb.NewArray()
		defer ids.Release()
		defer names.Release()
		return e.Insert(ctx, "c", []arrow.Array{ids, names})
	}
	if err := insert(7, "seven"); err != nil {
		t.Fatal(err)
	}
	if err := insert(8, "two"); sqlerr.From(err) == nil || sqlerr.From(err).Code != sqlerr.UniqueViolation {
		t.Fatalf("Insert of a duplicate: %v", err)
	}
	expectRows(t, s, "SELECT * FROM c WHERE id = 7", "7|seven")
	expectRows(t, s, "SELECT count(*) FROM c", "5")
	checkIndexes(t, e, "c")
}

func TestIndexesNoArrowLeaks(t *testing.T) {
	e, mem := openChecked(t)
	s := newSession(t, e)
	mustQuery(t, s, `CREATE TABLE a (k int, v numeric UNIQUE, s text); CREATE INDEX a_k ON a (k);
		INSERT INTO a VALUES (1, 1.5, 'x'), (2, 2, 'y'), (1, 3, NULL), (3, NULL, 'z');
		CREATE UNIQUE INDEX a_s ON a (s);
		UPDATE a SET s = 'w' WHERE k = 1 AND v = 3;
		DELETE FROM a WHERE k = 2`)
	expectRows(t, s, "SELECT v, s FROM a WHERE k = 1 ORDER BY v", "1.5|x", "3|w")
	expectRows(t, s, "SELECT k FROM a WHERE v = 1.50", "1")
	expectRows(t, s, "SELECT k FROM a WHERE k = 9")
	expectError(t, s, "INSERT INTO a VALUES (5, 3.00, 'q')", sqlerr.UniqueViolation)
	expectError(t, s, "CREATE UNIQUE INDEX a_k2 ON a (k)", sqlerr.UniqueViolation)
	mustQuery(t, s, "TRUNCATE a")
	if err := e.Close(); err != nil {
		t.Fatal(err)
	}
	mem.AssertSize(t, 0)
}
