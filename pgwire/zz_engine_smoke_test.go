package pgwire

import (
	"time"
	"context"
	"net"
	"os/exec"
	"testing"

	"github.com/runnel-db/runnel/engine"
)

type engBackend struct{ e *engine.Engine }

func (b engBackend) NewSession(ctx context.Context, s Startup) (Session, error) {
	return b.e.NewSession(s.User, s.Database, s.Params)
}

func TestZZEngineSmoke(t *testing.T) {
	opts := engine.DefaultOptions()
	opts.DataDir = engine.MemoryDir
	e, err := engine.Open(opts)
	if err != nil {
		t.Fatal(err)
	}
	defer e.Close()
	ln, _ := net.Listen("tcp", "127.0.0.1:0")
	srv := NewServer(engBackend{e}, Options{})
	go srv.Serve(ln)
	defer func() { st := time.Now(); srv.Shutdown(context.Background()); t.Logf("shutdown %v", time.Since(st)) }()
	host, port, _ := net.SplitHostPort(ln.Addr().String())
	for _, q := range []string{
		"create table orders(id bigint primary key, customer text not null, amount numeric(10,2), created_at timestamptz default now())",
		"insert into orders(id, customer, amount) values (1, 'alice', 12.5), (2, 'bob', 3), (3, 'alice', 1.25)",
		"select id, customer, amount from orders order by id",
		"create materialized view totals as select customer, sum(amount) as total, count(*) as n from orders group by customer",
		"select * from totals order by customer",
		"select 1/0",
		"select 1; select nosuch",
		"show timezone",
		"set timezone = 'Asia/Tokyo'",
	} {
		out, err := exec.Command("psql", "-X", "-h", host, "-p", port, "-U", "runnel", "-d", "runnel", "-Atc", q).CombinedOutput()
		t.Logf("%s\n=> %s (%v) %v", q, out, err, time.Now())
	}
	conn := pgxConnect(t, ln.Addr().String(), "")
	rows, err := conn.Query(testCtx(t), "select id, customer, amount, created_at from orders where customer = $1 order by id", "alice")
	if err != nil {
		t.Fatal(err)
	}
	vals := []any{}
	for rows.Next() {
		v, _ := rows.Values()
		vals = append(vals, v)
	}
	t.Logf("pgx: %v err=%v", vals, rows.Err())
	var n int64
	err = conn.QueryRow(testCtx(t), "select count(*) from orders where amount > $1", 2.0).Scan(&n)
	t.Logf("pgx count: %d %v", n, err)
	tag, err := conn.PgConn().CopyFrom(testCtx(t), stringsReader("10\tzed\t1.00\n"), "copy orders(id, customer, amount) from stdin")
	t.Logf("copy: %v %v", tag, err)
}
