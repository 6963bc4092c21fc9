package pgwire

import (
	"bytes"
	"context"
	"errors"
	"net"
	"os/exec"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgconn"
	"github.com/jackc/pgx/v5/pgconn/ctxwatch"
	"github.com/jackc/pgx/v5/pgtype"

	"github.com/runnel-db/runnel/engine"
)

// startEngineServer serves an in-memory engine, set up with setup, on a loopback port.
func startEngineServer(t *testing.T, setup string) string {
	t.Helper()
	opts := engine.DefaultOptions()
	opts.DataDir = engine.MemoryDir
	eng, err := engine.Open(opts)
	if err != nil {
		t.Fatal(err)
	}
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	srv := NewServer(EngineBackend(eng), Options{Logger: quietLogger()})
	done := make(chan error, 1)
	go func() { done <- srv.Serve(ln) }()
	t.Cleanup(func() {
		// Shutdown cancels subscriptions still streaming, so it does not wait for them.
		ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
		defer cancel()
		if err := srv.Shutdown(ctx); err != nil {
			t.Errorf("Shutdown: %v", err)
		}
		<-done
		eng.Close()
	})
	addr := ln.Addr().String()
	if setup != "" {
		c := pgxConnect(t, addr, "&default_query_exec_mode=simple_protocol")
		if _, err := c.Exec(testCtx(t), setup); err != nil {
			t.Fatal(err)
		}
	}
	return addr
}

// cancellingConnect connects with pgx set to send a CancelRequest when a query's context is
// cancelled (pgx's default closes the connection instead).
func cancellingConnect(t *testing.T, addr, extra string) *pgx.Conn {
	t.Helper()
	cfg, err := pgx.ParseConfig("postgres://runnel@" + addr + "/runnel?sslmode=disable" + extra)
	if err != nil {
		t.Fatal(err)
	}
	cfg.BuildContextWatcherHandler = func(pc *pgconn.PgConn) ctxwatch.Handler {
		return &pgconn.CancelRequestContextWatcherHandler{Conn: pc, DeadlineDelay: 5 * time.Second}
	}
	conn, err := pgx.ConnectConfig(testCtx(t), cfg)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { conn.Close(context.Background()) })
	return conn
}

type subRow struct {
	ts   int64
	diff int64
	k    int32
	v    string
}

func scanSub(t *testing.T, rows pgx.Rows) subRow {
	t.Helper()
	if !rows.Next() {
		t.Fatalf("subscription ended: %v", rows.Err())
	}
	var r subRow
	var ts pgtype.Numeric
	if err := rows.Scan(&ts, &r.diff, &r.k, &r.v); err != nil {
		t.Fatal(err)
	}
	i, err := ts.Int64Value()
	if err != nil {
		t.Fatal(err)
	}
	r.ts = i.Int64
	return r
}

// TestSubscribeOverPgx streams a materialized view's changes to pgx over the simple and the
// extended protocol, then cancels the query and reuses the connection.
func TestSubscribeOverPgx(t *testing.T) {
	addr := startEngineServer(t, `CREATE TABLE t (k int, v text);
		CREATE MATERIALIZED VIEW mv AS SELECT k, v FROM t WHERE k > 0;
		INSERT INTO t VALUES (1, 'a')`)
	writer := pgxConnect(t, addr, "")
	for _, mode := range []string{"&default_query_exec_mode=simple_protocol", ""} {
		name := "extended"
		if mode != "" {
			name = "simple"
		}
		t.Run(name, func(t *testing.T) {
			conn := cancellingConnect(t, addr, mode)
			ctx, cancel := context.WithCancel(testCtx(t))
			rows, err := conn.Query(ctx, "SUBSCRIBE mv")
			if err != nil {
				t.Fatal(err)
			}
			fields := rows.FieldDescriptions()
			if len(fields) != 4 || fields[0].Name != "mz_timestamp" || fields[0].DataTypeOID != 1700 ||
				fields[1].Name != "mz_diff" || fields[1].DataTypeOID != 20 || fields[2].Name != "k" {
				t.Fatalf("fields %+v", fields)
			}
			snap := scanSub(t, rows)
			if snap.diff != 1 || snap.k != 1 || snap.v != "a" {
				t.Fatalf("snapshot row %+v", snap)
			}
			// Each change is its own epoch, streamed as it commits.
			for i, q := range []string{"INSERT INTO t VALUES (2, 'b')", "UPDATE t SET v = 'c' WHERE k = 2"} {
				if _, err := writer.Exec(testCtx(t), q); err != nil {
					t.Fatal(err)
				}
				want := []subRow{{snap.ts + 1, 1, 2, "b"}}
				if i == 1 {
					want = []subRow{{snap.ts + 2, -1, 2, "b"}, {snap.ts + 2, 1, 2, "c"}}
				}
				var got []subRow
				for range want {
					got = append(got, scanSub(t, rows))
				}
				if len(got) == 2 && got[0].diff > got[1].diff {
					got[0], got[1] = got[1], got[0]
				}
				for j := range want {
					if got[j] != want[j] {
						t.Fatalf("%s: got %+v, want %+v", q, got, want)
					}
				}
			}
			// Undo the changes for the next protocol, then cancel.
			if _, err := writer.Exec(testCtx(t), "DELETE FROM t WHERE k = 2"); err != nil {
				t.Fatal(err)
			}
			if r := scanSub(t, rows); r != (subRow{snap.ts + 3, -1, 2, "c"}) {
				t.Fatalf("delete: %+v", r)
			}
			cancel()
			for rows.Next() {
			}
			rows.Close()
			if err := rows.Err(); err == nil {
				t.Fatal("no error after cancel")
			} else if pe := (*pgconn.PgError)(nil); !errors.As(err, &pe) || pe.Code != "57014" {
				// pgx may report the context's error when it wins the race with the server's.
				if !strings.Contains(err.Error(), "context canceled") {
					t.Fatalf("after cancel: %v", err)
				}
			}
			var one int32
			if err := conn.QueryRow(testCtx(t), "SELECT 1").Scan(&one); err != nil || one != 1 {
				t.Fatalf("SELECT 1 after cancelling SUBSCRIBE: %v", err)
			}
		})
	}
}

// TestSubscribeClientGoesAway closes a subscriber's socket; the server ends the subscription and
// keeps serving.
func TestSubscribeClientGoesAway(t *testing.T) {
	addr := startEngineServer(t, "CREATE TABLE t (k int)")
	// Simple protocol: pgx's extended Query of a cached statement returns only at the first row.
	conn := pgxConnect(t, addr, "&default_query_exec_mode=simple_protocol")
	rows, err := conn.Query(testCtx(t), "SUBSCRIBE t WITH (SNAPSHOT = false)")
	if err != nil {
		t.Fatal(err)
	}
	conn.PgConn().Conn().Close()
	rows.Close()
	other := pgxConnect(t, addr, "")
	for i := range 3 {
		if _, err := other.Exec(testCtx(t), "INSERT INTO t VALUES ($1)", i); err != nil {
			t.Fatal(err)
		}
	}
	var n int64
	if err := other.QueryRow(testCtx(t), "SELECT count(*) FROM t").Scan(&n); err != nil || n != 3 {
		t.Fatalf("count %d, %v", n, err)
	}
}

// TestSubscribePsql runs SUBSCRIBE in psql and interrupts it as a user would (SIGINT makes psql
// send a CancelRequest). psql prints a result only once it is complete, so no rows show.
func TestSubscribePsql(t *testing.T) {
	psql, err := exec.LookPath("psql")
	if err != nil {
		t.Skip("psql is not on PATH")
	}
	addr := startEngineServer(t, "CREATE TABLE t (k int); INSERT INTO t VALUES (1)")
	host, port, _ := net.SplitHostPort(addr)
	cmd := exec.Command(psql, "-X", "-h", host, "-p", port, "-U", "runnel", "-d", "runnel", "-c", "SUBSCRIBE t")
	var out bytes.Buffer
	cmd.Stdout, cmd.Stderr = &out, &out
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	done := make(chan error, 1)
	go func() { done <- cmd.Wait() }()
	select {
	case err := <-done:
		t.Fatalf("psql ended while subscribed: %v\n%s", err, out.String())
	case <-time.After(500 * time.Millisecond):
	}
	cmd.Process.Signal(syscall.SIGINT)
	select {
	case <-done:
	case <-time.After(10 * time.Second):
		cmd.Process.Kill()
		t.Fatal("psql did not end after SIGINT")
	}
	if !strings.Contains(out.String(), "canceling statement due to user request") {
		t.Errorf("psql output %q", out.String())
	}
}
