package pgwire

import (
	"testing"

	"github.com/jackc/pgx/v5"
)

// TestCursorsOverPgx runs cursors through both protocols: DECLARE/FETCH with parameters in the
// extended protocol (FETCH described with the cursor's columns, results in binary), a BINARY
// cursor in the simple protocol, and a SUBSCRIBE cursor fed by another connection.
func TestCursorsOverPgx(t *testing.T) {
	addr := startEngineServer(t, "CREATE TABLE t (k int PRIMARY KEY, v text); INSERT INTO t VALUES (1, 'a'), (2, 'b'), (3, 'c'); CREATE MATERIALIZED VIEW n AS SELECT count(*) AS n FROM t")
	ctx := testCtx(t)
	for _, mode := range []string{"", "&default_query_exec_mode=simple_protocol"} {
		conn := pgxConnect(t, addr, mode)
		tx, err := conn.Begin(ctx)
		if err != nil {
			t.Fatal(err)
		}
		if _, err := tx.Exec(ctx, "DECLARE c CURSOR FOR SELECT k, v FROM t WHERE k >= $1 ORDER BY k", 2); err != nil {
			t.Fatal(err)
		}
		var k int32
		var v string
		if err := tx.QueryRow(ctx, "FETCH 1 FROM c").Scan(&k, &v); err != nil || k != 2 || v != "b" {
			t.Fatalf("FETCH 1: %d %q %v", k, v, err)
		}
		tag, err := tx.Exec(ctx, "FETCH ALL FROM c")
		if err != nil || tag.String() != "FETCH 1" {
			t.Fatalf("FETCH ALL: %q, %v", tag, err)
		}
		if _, err := tx.Exec(ctx, "DECLARE b BINARY CURSOR FOR SELECT k FROM t ORDER BY k"); err != nil {
			t.Fatal(err)
		}
		rows, err := tx.Query(ctx, "FETCH 2 FROM b")
		if err != nil {
			t.Fatal(err)
		}
		var got []int32
		for rows.Next() {
			if err := rows.Scan(&k); err != nil {
				t.Fatal(err)
			}
			got = append(got, k)
		}
		if rows.Err() != nil || len(got) != 2 || got[0] != 1 || got[1] != 2 {
			t.Fatalf("binary cursor: %v, %v", got, rows.Err())
		}
		if err := tx.Commit(ctx); err != nil {
			t.Fatal(err)
		}
		_, err = conn.Exec(ctx, "FETCH 1 FROM c")
		wantPgError(t, err, "34000")
		conn.Close(ctx)
	}

	sub := pgxConnect(t, addr, "&default_query_exec_mode=simple_protocol")
	writer := pgxConnect(t, addr, "")
	if _, err := sub.Exec(ctx, "BEGIN; DECLARE s CURSOR FOR SUBSCRIBE n WITH (SNAPSHOT = false)"); err != nil {
		t.Fatal(err)
	}
	var ts, diff, n int64
	err := sub.QueryRow(ctx, "FETCH 1 s WITH (TIMEOUT = '0s')").Scan(&ts, &diff, &n)
	if err != pgx.ErrNoRows {
		t.Fatalf("nothing buffered yet: %v", err)
	}
	if _, err := writer.Exec(ctx, "INSERT INTO t VALUES ($1, $2)", 4, "d"); err != nil {
		t.Fatal(err)
	}
	rows, err := sub.Query(ctx, "FETCH ALL s")
	if err != nil {
		t.Fatal(err)
	}
	changes := map[int64]int64{}
	for rows.Next() {
		if err := rows.Scan(&ts, &diff, &n); err != nil {
			t.Fatal(err)
		}
		changes[n] += diff
	}
	if rows.Err() != nil || len(changes) != 2 || changes[3] != -1 || changes[4] != 1 {
		t.Fatalf("changes %v, %v", changes, rows.Err())
	}
	if _, err := sub.Exec(ctx, "COMMIT"); err != nil {
		t.Fatal(err)
	}

	// A multi-statement simple Query is an implicit block: DECLARE works in it, and the cursor
	// is gone when the Query ends.
	results, err := sub.PgConn().Exec(ctx, "DECLARE m CURSOR FOR SELECT k FROM t ORDER BY k; FETCH ALL m").ReadAll()
	if err != nil {
		t.Fatal(err)
	}
	if len(results) != 2 || results[1].CommandTag.String() != "FETCH 4" || len(results[1].Rows) != 4 || string(results[1].Rows[3][0]) != "4" {
		t.Fatalf("implicit block: %d results", len(results))
	}
	_, err = sub.Exec(ctx, "FETCH ALL m")
	wantPgError(t, err, "34000")
}
