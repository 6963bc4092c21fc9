package main

import (
	"bufio"
	"context"
	"database/sql/driver"
	"fmt"
	"io"
	"math/rand"
	"net"
	"os"
	"os/exec"
	"path/filepath"
	"sort"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/jackc/pgx/v5"
)

// End-to-end tests: they build the real binary, start it as a separate process, and drive it
// with pgx and the psql binary, as a user would.

var runnelBin string

func TestMain(m *testing.M) {
	dir, err := os.MkdirTemp("", "runnel-e2e")
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		os.Exit(1)
	}
	runnelBin = filepath.Join(dir, "runnel")
	if out, err := exec.Command("go", "build", "-o", runnelBin, ".").CombinedOutput(); err != nil {
		fmt.Fprintf(os.Stderr, "build runnel: %v\n%s", err, out)
		os.Exit(1)
	}
	code := m.Run()
	os.RemoveAll(dir)
	os.Exit(code)
}

// server is a running runnel process.
type server struct {
	cmd  *exec.Cmd
	addr string
	logs *strings.Builder
}

func freePort(t testing.TB) string {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	addr := ln.Addr().String()
	ln.Close()
	return addr
}

// startServer starts runnel on dataDir and waits until it accepts connections.
func startServer(t testing.TB, dataDir string) *server {
	t.Helper()
	return startServerArgs(t, dataDir)
}

// startServerArgs is startServer with extra flags.
func startServerArgs(t testing.TB, dataDir string, args ...string) *server {
	t.Helper()
	addr := freePort(t)
	cmd := exec.Command(runnelBin, append([]string{"--listen", addr, "--data-dir", dataDir}, args...)...)
	stderr, err := cmd.StderrPipe()
	if err != nil {
		t.Fatal(err)
	}
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	s := &server{cmd: cmd, addr: addr, logs: &strings.Builder{}}
	ready := make(chan struct{})
	go func() {
		sc := bufio.NewScanner(stderr)
		once := false
		for sc.Scan() {
			s.logs.WriteString(sc.Text() + "\n")
			if !once && strings.Contains(sc.Text(), "listening on") {
				once = true
				close(ready)
			}
		}
	}()
	select {
	case <-ready:
	case <-time.After(30 * time.Second):
		cmd.Process.Kill()
		t.Fatalf("runnel did not start; logs:\n%s", s.logs)
	}
	t.Cleanup(func() { s.kill() })
	return s
}

func (s *server) url() string {
	return fmt.Sprintf("postgres://runnel@%s/runnel?sslmode=disable", s.addr)
}

func (s *server) kill() {
	if s.cmd.ProcessState == nil {
		s.cmd.Process.Signal(syscall.SIGKILL)
		s.cmd.Wait()
	}
}

func (s *server) stop(t *testing.T) {
	t.Helper()
	if err := s.cmd.Process.Signal(syscall.SIGTERM); err != nil {
		t.Fatal(err)
	}
	done := make(chan error, 1)
	go func() { done <- s.cmd.Wait() }()
	select {
	case err := <-done:
		if err != nil {
			t.Fatalf("runnel exited with %v after SIGTERM; logs:\n%s", err, s.logs)
		}
	case <-time.After(15 * time.Second):
		t.Fatal("runnel did not exit within 15s of SIGTERM")
	}
}

func connect(t testing.TB, s *server) *pgx.Conn {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	c, err := pgx.Connect(ctx, s.url())
	if err != nil {
		t.Fatalf("connect: %v", err)
	}
	t.Cleanup(func() { c.Close(context.Background()) })
	return c
}

func mustExec(t testing.TB, c *pgx.Conn, sql string, args ...any) {
	t.Helper()
	if _, err := c.Exec(context.Background(), sql, args...); err != nil {
		t.Fatalf("%s: %v", sql, err)
	}
}

// rowsText runs a query and renders its rows as "a|b" lines, like psql -At.
func rowsText(t testing.TB, c *pgx.Conn, sql string, args ...any) string {
	t.Helper()
	rows, err := c.Query(context.Background(), sql, args...)
	if err != nil {
		t.Fatalf("%s: %v", sql, err)
	}
	defer rows.Close()
	var lines []string
	for rows.Next() {
		vals, err := rows.Values()
		if err != nil {
			t.Fatalf("%s: %v", sql, err)
		}
		parts := make([]string, len(vals))
		for i, v := range vals {
			if dv, ok := v.(driver.Valuer); ok {
				v, _ = dv.Value()
			}
			parts[i] = fmt.Sprint(v)
		}
		lines = append(lines, strings.Join(parts, "|"))
	}
	if err := rows.Err(); err != nil {
		t.Fatalf("%s: %v", sql, err)
	}
	return strings.Join(lines, "\n")
}

func TestServeTablesAndViews(t *testing.T) {
	s := startServer(t, t.TempDir())
	c := connect(t, s)
	mustExec(t, c, "CREATE TABLE t (k int, v bigint)")
	mustExec(t, c, "CREATE MATERIALIZED VIEW mv AS SELECT k, count(*) AS n, sum(v) AS total FROM t GROUP BY k")
	mustExec(t, c, "INSERT INTO t VALUES (1, 10), (1, 20), (2, 5)")
	if got, want := rowsText(t, c, "SELECT k, n, total FROM mv ORDER BY k"), "1|2|30\n2|1|5"; got != want {
		t.Errorf("mv after insert:\n%s\nwant:\n%s", got, want)
	}
	mustExec(t, c, "UPDATE t SET v = v + 1 WHERE k = 2")
	mustExec(t, c, "DELETE FROM t WHERE v = 10")
	if got, want := rowsText(t, c, "SELECT k, n, total FROM mv ORDER BY k"), "1|1|20\n2|1|6"; got != want {
		t.Errorf("mv after update+delete:\n%s\nwant:\n%s", got, want)
	}
	// Parameters through the extended protocol (pgx's default statement cache).
	if got := rowsText(t, c, "SELECT total FROM mv WHERE k = $1", 1); got != "20" {
		t.Errorf("parameterized query: got %q", got)
	}
}

func TestPsql(t *testing.T) {
	psql, err := exec.LookPath("psql")
	if err != nil {
		t.Skip("psql is not installed: install postgresql-client to run this test (.ci/run does)")
	}
	s := startServer(t, t.TempDir())
	host, port, _ := net.SplitHostPort(s.addr)
	run := func(sql string) string {
		out, err := exec.Command(psql, "-h", host, "-p", port, "-U", "runnel", "-d", "runnel", "-X", "-At", "-v", "ON_ERROR_STOP=1", "-c", sql).CombinedOutput()
		if err != nil {
			t.Fatalf("psql -c %q: %v\n%s", sql, err, out)
		}
		return strings.TrimSpace(string(out))
	}
	run("CREATE TABLE items (id bigint PRIMARY KEY, name text NOT NULL, price numeric(10,2))")
	run("INSERT INTO items VALUES (1, 'apple', 1.5), (2, 'pear', 2.25)")
	run("CREATE MATERIALIZED VIEW total AS SELECT count(*) AS n, sum(price) AS s FROM items")
	if got, want := run("SELECT * FROM total"), "2|3.75"; got != want {
		t.Errorf("psql SELECT: got %q, want %q", got, want)
	}
	if got, want := run("SELECT name, price FROM items ORDER BY id"), "apple|1.50\npear|2.25"; got != want {
		t.Errorf("psql SELECT: got %q, want %q", got, want)
	}
	out, err := exec.Command(psql, "-h", host, "-p", port, "-U", "runnel", "-d", "runnel", "-X", "-At", "-c", "INSERT INTO items VALUES (1, 'again', 0)").CombinedOutput()
	if err == nil || !strings.Contains(string(out), "duplicate key value violates unique constraint") {
		t.Errorf("duplicate key: err %v, output %q", err, out)
	}
	if got, want := run(`\copy items to stdout with csv header`), "id,name,price\n1,apple,1.50\n2,pear,2.25"; got != want {
		t.Errorf("psql \\copy to: got %q, want %q", got, want)
	}
	csvFile := filepath.Join(t.TempDir(), "more.csv")
	if err := os.WriteFile(csvFile, []byte("3,plum,0.75\n4,\"fig, dried\",\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	if got, want := run(`\copy items from '`+csvFile+`' with csv`), "COPY 2"; got != want {
		t.Errorf("psql \\copy from: got %q, want %q", got, want)
	}
	if got, want := run("SELECT * FROM total"), "4|4.50"; got != want {
		t.Errorf("after \\copy from: got %q, want %q", got, want)
	}
	out, err = exec.Command(psql, "-h", host, "-p", port, "-U", "runnel", "-d", "runnel", "-X", "-A",
		"-c", `\x on`, "-c", "SELECT id, name FROM items WHERE id = 4").CombinedOutput()
	if got, want := string(out), "Expanded display is on.\nid|4\nname|fig, dried\n"; err != nil || got != want {
		t.Errorf("psql \\x: err %v, got %q, want %q", err, got, want)
	}
	// psql's own catalog queries: \d, \dt, \dv, \dm, \dn.
	run("CREATE VIEW cheap AS SELECT id FROM items WHERE price < 2")
	for cmd, want := range map[string]string{
		`\d`:  "public|cheap|view|runnel\npublic|items|table|runnel\npublic|total|materialized view|runnel",
		`\dt`: "public|items|table|runnel",
		`\dv`: "public|cheap|view|runnel",
		`\dm`: "public|total|materialized view|runnel",
		`\dn`: "public|runnel\nrunnel_catalog|runnel",
	} {
		if got := run(cmd); got != want {
			t.Errorf("psql %s: got %q, want %q", cmd, got, want)
		}
	}
}

// TestKillAndRecover SIGKILLs the server at random moments while a client inserts, restarts it
// on the same data dir each time, and checks that every acknowledged insert is there exactly
// once, in the table and in both views, and that the views keep updating.
func TestKillAndRecover(t *testing.T) {
	dir := t.TempDir()
	s := startServer(t, dir)
	c := connect(t, s)
	mustExec(t, c, "CREATE TABLE ev (id bigint PRIMARY KEY, k int)")
	mustExec(t, c, "CREATE MATERIALIZED VIEW per_k AS SELECT k, count(*) AS n FROM ev GROUP BY k")
	mustExec(t, c, "CREATE MATERIALIZED VIEW total AS SELECT sum(n) AS n FROM per_k")
	c.Close(context.Background())

	rng := rand.New(rand.NewSource(1))
	acked := int64(0)
	for round := 0; round < 10; round++ {
		if round > 0 {
			s = startServer(t, dir)
		}
		c := connect(t, s)
		check := func(when string, maxExtra int64) int64 {
			var n, viewN, total int64
			if err := c.QueryRow(context.Background(), "SELECT count(*) FROM ev").Scan(&n); err != nil {
				t.Fatalf("round %d %s: %v\nlogs:\n%s", round, when, err, s.logs)
			}
			if err := c.QueryRow(context.Background(), "SELECT coalesce(sum(n), 0) FROM per_k").Scan(&viewN); err != nil {
				t.Fatal(err)
			}
			if err := c.QueryRow(context.Background(), "SELECT coalesce(n, 0) FROM total").Scan(&total); err != nil {
				t.Fatal(err)
			}
			if n < acked || n > acked+maxExtra || viewN != n || total != n {
				t.Fatalf("round %d %s: table has %d rows, per_k sums to %d, total %d; %d inserts were acknowledged", round, when, n, viewN, total, acked)
			}
			return n
		}
		acked = check("after restart", 1)
		stop := time.After(time.Duration(50+rng.Intn(250)) * time.Millisecond)
		inserted := make(chan int64)
		go func() {
			n := acked
			for {
				select {
				case <-stop:
					s.kill()
					inserted <- n
					return
				default:
				}
				if _, err := c.Exec(context.Background(), "INSERT INTO ev VALUES ($1, $2)", n, n%7); err != nil {
					<-stop
					s.kill()
					inserted <- n
					return
				}
				n++
			}
		}()
		acked = <-inserted
	}
	s = startServer(t, dir)
	c = connect(t, s)
	var n int64
	if err := c.QueryRow(context.Background(), "SELECT count(*) FROM ev").Scan(&n); err != nil {
		t.Fatal(err)
	}
	if n < acked || n > acked+1 {
		t.Fatalf("after the last restart: %d rows, %d acknowledged", n, acked)
	}
	mustExec(t, c, "INSERT INTO ev VALUES (-1, 3)")
	if got := rowsText(t, c, "SELECT n FROM total"); got != fmt.Sprint(n+1) {
		t.Errorf("views stopped updating after recovery: total = %s, want %d", got, n+1)
	}
	s.stop(t)
}

func portOf(s *server) string {
	_, port, _ := net.SplitHostPort(s.addr)
	return port
}

// TestCopyToPgx reads COPY … TO STDOUT through pgx's CopyTo.
func TestCopyToPgx(t *testing.T) {
	s := startServer(t, ":memory:")
	c := connect(t, s)
	mustExec(t, c, "CREATE TABLE items (id bigint PRIMARY KEY, name text)")
	mustExec(t, c, "INSERT INTO items VALUES (1, 'pen'), (2, NULL)")
	var buf strings.Builder
	tag, err := c.PgConn().CopyTo(context.Background(), &buf, "COPY (SELECT * FROM items ORDER BY id) TO STDOUT WITH (FORMAT csv)")
	if err != nil {
		t.Fatal(err)
	}
	if got, want := buf.String(), "1,pen\n2,\n"; got != want || tag.String() != "COPY 2" {
		t.Errorf("CopyTo: %q, tag %q; want %q, COPY 2", got, tag, want)
	}
	if got := rowsText(t, c, "SELECT count(*) FROM items"); got != "2" {
		t.Errorf("the connection after COPY: %q", got)
	}
}

// TestCopySubscribe streams COPY (SUBSCRIBE …) TO STDOUT through pgx's CopyTo: the snapshot, then
// each committed change, until the client cancels.
func TestCopySubscribe(t *testing.T) {
	s := startServer(t, ":memory:")
	c := connect(t, s)
	mustExec(t, c, "CREATE TABLE t (id bigint, name text)")
	mustExec(t, c, "INSERT INTO t VALUES (1, 'a')")
	mustExec(t, c, "CREATE MATERIALIZED VIEW v AS SELECT name, count(*) AS n FROM t GROUP BY name")
	sub := connect(t, s)
	pr, pw := io.Pipe()
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	done := make(chan error, 1)
	go func() {
		_, err := sub.PgConn().CopyTo(ctx, pw, "COPY (SUBSCRIBE v) TO STDOUT WITH (FORMAT csv)")
		pw.CloseWithError(err)
		done <- err
	}()
	lines := bufio.NewScanner(pr)
	next := func() string {
		if !lines.Scan() {
			t.Fatalf("the subscription ended: %v", lines.Err())
		}
		f := strings.SplitN(lines.Text(), ",", 2) // drop mz_timestamp
		return f[1]
	}
	if got := next(); got != "1,a,1" {
		t.Fatalf("snapshot: %q", got)
	}
	mustExec(t, c, "INSERT INTO t VALUES (2, 'a')")
	got := []string{next(), next()}
	sort.Strings(got)
	if strings.Join(got, " ") != "-1,a,1 1,a,2" {
		t.Fatalf("changes: %q", got)
	}
	cancel()
	select {
	case <-done:
	case <-time.After(10 * time.Second):
		t.Fatal("cancelling the COPY did not end it")
	}
}
