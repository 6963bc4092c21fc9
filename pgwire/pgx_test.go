package pgwire

import (
	"context"
	"errors"
	"fmt"
	"math/big"
	"strings"
	"testing"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgconn"
	"github.com/jackc/pgx/v5/pgtype"
)

func testCtx(t *testing.T) context.Context {
	ctx, cancel := context.WithTimeout(context.Background(), 20*time.Second)
	t.Cleanup(cancel)
	return ctx
}

func pgxConnect(t *testing.T, addr, extra string) *pgx.Conn {
	t.Helper()
	ctx := testCtx(t)
	conn, err := pgx.Connect(ctx, "postgres://runnel@"+addr+"/runnel?sslmode=disable"+extra)
	if err != nil {
		t.Fatalf("connect: %v", err)
	}
	t.Cleanup(func() { conn.Close(context.Background()) })
	return conn
}

func wantPgError(t *testing.T, err error, code string) *pgconn.PgError {
	t.Helper()
	var pe *pgconn.PgError
	if !errors.As(err, &pe) {
		t.Fatalf("error %v (%T), want a PgError %s", err, err, code)
	}
	if pe.Code != code {
		t.Fatalf("error %s %q, want code %s", pe.Code, pe.Message, code)
	}
	return pe
}

type tRow struct {
	id int64
	f  *float64
	n  pgtype.Numeric
	b  *bool
	d  *time.Time
	ts *time.Time
	s  *string
}

func scanT(t *testing.T, conn *pgx.Conn) []tRow {
	t.Helper()
	rows, err := conn.Query(testCtx(t), "select * from t")
	if err != nil {
		t.Fatal(err)
	}
	var out []tRow
	for rows.Next() {
		var r tRow
		if err := rows.Scan(&r.id, &r.f, &r.n, &r.b, &r.d, &r.ts, &r.s); err != nil {
			t.Fatal(err)
		}
		out = append(out, r)
	}
	if err := rows.Err(); err != nil {
		t.Fatal(err)
	}
	if tag := rows.CommandTag().String(); tag != "SELECT 3" {
		t.Errorf("tag %q, want SELECT 3", tag)
	}
	return out
}

func checkT(t *testing.T, rows []tRow) {
	t.Helper()
	if len(rows) != 3 {
		t.Fatalf("%d rows, want 3", len(rows))
	}
	r := rows[0]
	nv, _ := r.n.Value()
	if r.id != 1 || *r.f != 1.5 || nv != "12.50" || !*r.b || *r.s != "alice" {
		t.Errorf("row 1 = %d %v %v %v %q", r.id, *r.f, nv, *r.b, *r.s)
	}
	if got := r.d.Format("2006-01-02"); got != "2024-01-02" {
		t.Errorf("date %s", got)
	}
	if want := time.Date(2024, 1, 2, 3, 4, 5, 123456000, time.UTC); !r.ts.Equal(want) {
		t.Errorf("timestamptz %s, want %s", r.ts, want)
	}
	r = rows[1]
	nv, _ = r.n.Value()
	if r.id != 2 || *r.f != -0.25 || nv != "-1234567.89" || *r.b || *r.s != "bob é" {
		t.Errorf("row 2 = %d %v %v %v %q", r.id, *r.f, nv, *r.b, *r.s)
	}
	if want := time.Date(1999, 12, 31, 23, 59, 59, 0, time.UTC); !r.ts.Equal(want) || r.d.Format("2006-01-02") != "1999-12-31" {
		t.Errorf("row 2 date/time %s %s", r.d, r.ts)
	}
	r = rows[2]
	if r.id != 3 || r.f != nil || r.n.Valid || r.b != nil || r.d != nil || r.ts != nil || r.s != nil {
		t.Errorf("row 3 should be NULLs: %+v", r)
	}
}

// TestPgxCacheStatement uses pgx's default mode: named statements, Describe, binary results for
// int8, float8, numeric, bool, date and timestamptz, binary parameters.
func TestPgxCacheStatement(t *testing.T) {
	_, addr := startServer(t, Options{})
	conn := pgxConnect(t, addr, "")
	ctx := testCtx(t)
	for range 2 { // the second round hits pgx's statement cache
		checkT(t, scanT(t, conn))
	}

	when := time.Date(2021, 3, 4, 5, 6, 7, 891011000, time.UTC)
	num := pgtype.Numeric{Int: big.NewInt(-12345), Exp: -3, Valid: true}
	var (
		i8   int64
		f8   float64
		n    pgtype.Numeric
		b    bool
		d    time.Time
		ts   time.Time
		s    string
		iv   pgtype.Interval
		i2   int16
		i4   int32
		f4   float32
		tsNo time.Time
	)
	err := conn.QueryRow(ctx, "select $1::int8, $2::float8, $3::numeric, $4::bool, $5::date, $6::timestamptz, $7::text, $8::interval, $9::int2, $10::int4, $11::float4, $12::timestamp",
		int64(-42), 2.25, num, true, time.Date(2020, 2, 29, 0, 0, 0, 0, time.UTC), when, "héllo", pgtype.Interval{Months: 14, Days: 3, Microseconds: 4005006, Valid: true},
		int16(-7), int32(1<<30), float32(0.5), time.Date(1970, 1, 1, 0, 0, 1, 0, time.UTC),
	).Scan(&i8, &f8, &n, &b, &d, &ts, &s, &iv, &i2, &i4, &f4, &tsNo)
	if err != nil {
		t.Fatal(err)
	}
	nv, _ := n.Value()
	if i8 != -42 || f8 != 2.25 || nv != "-12.345" || !b || s != "héllo" || i2 != -7 || i4 != 1<<30 || f4 != 0.5 {
		t.Errorf("echo = %d %v %v %v %q %d %d %v", i8, f8, nv, b, s, i2, i4, f4)
	}
	if d.Format("2006-01-02") != "2020-02-29" || !ts.Equal(when) || !tsNo.Equal(time.Unix(1, 0)) {
		t.Errorf("echo dates = %s %s %s", d, ts, tsNo)
	}
	if iv.Months != 14 || iv.Days != 3 || iv.Microseconds != 4005006 {
		t.Errorf("echo interval = %+v", iv)
	}

	var js string
	if err := conn.QueryRow(ctx, "select $1::jsonb", `{"a": [1, 2]}`).Scan(&js); err != nil {
		t.Fatal(err)
	}
	if js != `{"a": [1, 2]}` {
		t.Errorf("jsonb echo = %q", js)
	}

	var null *int64
	if err := conn.QueryRow(ctx, "select $1::int8", nil).Scan(&null); err != nil || null != nil {
		t.Errorf("NULL echo = %v, %v", null, err)
	}

	_, err = conn.Exec(ctx, "select error")
	if pe := wantPgError(t, err, "42703"); pe.Position != 8 {
		t.Errorf("position %d, want 8", pe.Position)
	}
	// A panic in the session is an internal error; the connection survives.
	_, err = conn.Exec(ctx, "select boom_rows")
	wantPgError(t, err, "XX000")
	var one int32
	if err := conn.QueryRow(ctx, "select 1").Scan(&one); err != nil || one != 1 {
		t.Fatalf("select 1 after panic: %d, %v", one, err)
	}
	if err := conn.Ping(ctx); err != nil {
		t.Fatalf("ping: %v", err)
	}
}

// TestPgxOtherModes covers pgx's unnamed-statement modes and its simple protocol.
func TestPgxOtherModes(t *testing.T) {
	_, addr := startServer(t, Options{})
	for _, mode := range []string{"cache_describe", "describe_exec", "exec", "simple_protocol"} {
		t.Run(mode, func(t *testing.T) {
			conn := pgxConnect(t, addr, "&default_query_exec_mode="+mode)
			checkT(t, scanT(t, conn))
			var s string
			if mode != "simple_protocol" {
				if err := conn.QueryRow(testCtx(t), "select $1::text", "x'y").Scan(&s); err != nil || s != "x'y" {
					t.Errorf("text echo = %q, %v", s, err)
				}
			}
		})
	}
}

func TestPgxSimpleProtocolMultiStatement(t *testing.T) {
	b, addr := startServer(t, Options{})
	conn := pgxConnect(t, addr, "&default_query_exec_mode=simple_protocol")
	ctx := testCtx(t)
	pgc := conn.PgConn()

	results, err := pgc.Exec(ctx, "select 1; select * from t;\n-- only a comment\n; begin").ReadAll()
	if err != nil {
		t.Fatal(err)
	}
	if len(results) != 3 {
		t.Fatalf("%d results, want 3", len(results))
	}
	if got := string(results[0].Rows[0][0]); got != "1" {
		t.Errorf("select 1 = %q", got)
	}
	want := [][]string{
		{"1", "1.5", "12.50", "t", "2024-01-02", "2024-01-02 03:04:05.123456+00", "alice"},
		{"2", "-0.25", "-1234567.89", "f", "1999-12-31", "1999-12-31 23:59:59+00", "bob é"},
	}
	for i, w := range want {
		for j, v := range w {
			if got := string(results[1].Rows[i][j]); got != v {
				t.Errorf("row %d col %d = %q, want %q", i, j, got, v)
			}
		}
	}
	if results[1].Rows[2][1] != nil {
		t.Errorf("NULL sent as %q", results[1].Rows[2][1])
	}
	fd := results[1].FieldDescriptions
	if fd[2].DataTypeOID != 1700 || fd[2].TypeModifier != 655366 || fd[0].TableOID != 16385 || fd[6].TableAttributeNumber != 7 {
		t.Errorf("field descriptions %+v", fd)
	}
	if results[2].CommandTag.String() != "BEGIN" || pgc.TxStatus() != 'T' {
		t.Errorf("begin: tag %q, tx %c", results[2].CommandTag, pgc.TxStatus())
	}

	// The error stops the string; its position counts characters of the whole string.
	_, err = pgc.Exec(ctx, "commit; select 'é';  select error; select 1").ReadAll()
	if pe := wantPgError(t, err, "42601"); pe.Position != 0 {
		// "select 'é'" is not in the fake's repertoire: a syntax error at its first character.
		if pe.Position != 9 {
			t.Errorf("position %d, want 9", pe.Position)
		}
	}
	_, err = pgc.Exec(ctx, "select 1;  select error; select 1").ReadAll()
	if pe := wantPgError(t, err, "42703"); pe.Position != 19 {
		t.Errorf("position %d, want 19", pe.Position)
	}
	if pgc.TxStatus() != 'I' {
		t.Errorf("tx status %c after commit", pgc.TxStatus())
	}

	// SET reports the changed parameter; timestamptz text output follows the session zone.
	if _, err := pgc.Exec(ctx, "set timezone = 'Asia/Tokyo'").ReadAll(); err != nil {
		t.Fatal(err)
	}
	if got := pgc.ParameterStatus("TimeZone"); got != "Asia/Tokyo" {
		t.Errorf("TimeZone parameter %q", got)
	}
	res, err := pgc.Exec(ctx, "select * from t").ReadAll()
	if err != nil {
		t.Fatal(err)
	}
	if got := string(res[0].Rows[0][5]); got != "2024-01-02 12:04:05.123456+09" {
		t.Errorf("timestamptz in Tokyo = %q", got)
	}

	// Empty queries.
	for _, q := range []string{"", ";", "-- ping", " ; ;"} {
		res, err := pgc.Exec(ctx, q).ReadAll()
		if err != nil || len(res) != 1 || len(res[0].Rows) != 0 || res[0].CommandTag.String() != "" {
			t.Errorf("empty query %q: %v %v", q, res, err)
		}
	}
	// A panicking statement reports XX000 and leaves the session usable.
	_, err = pgc.Exec(ctx, "select boom").ReadAll()
	wantPgError(t, err, "XX000")
	if err := conn.Ping(ctx); err != nil {
		t.Fatal(err)
	}
	_ = b
}

func TestPgxCopyFrom(t *testing.T) {
	b, addr := startServer(t, Options{})
	conn := pgxConnect(t, addr, "")
	ctx := testCtx(t)
	tag, err := conn.PgConn().CopyFrom(ctx, strings.NewReader("1\talice\n2\tbob\n"), "copy t from stdin")
	if err != nil {
		t.Fatal(err)
	}
	if tag.String() != "COPY 2" {
		t.Errorf("tag %q", tag)
	}
	b.mu.Lock()
	got := strings.Join(b.copied, "|")
	b.mu.Unlock()
	if got != "1\talice|2\tbob" {
		t.Errorf("copied %q", got)
	}
	// A reader error makes pgx send CopyFail: the copy is aborted with 57014.
	_, err = conn.PgConn().CopyFrom(ctx, &failingReader{}, "copy t from stdin")
	pe := wantPgError(t, err, "57014")
	if !strings.HasPrefix(pe.Message, "COPY from stdin failed: ") {
		t.Errorf("message %q", pe.Message)
	}
	b.mu.Lock()
	aborted := b.aborted
	b.mu.Unlock()
	if aborted != 1 {
		t.Errorf("%d aborts, want 1", aborted)
	}
	checkT(t, scanT(t, conn))
}

type failingReader struct{ n int }

func (r *failingReader) Read(p []byte) (int, error) {
	if r.n > 0 {
		return 0, errors.New("disk on fire")
	}
	r.n++
	return copy(p, "1\tx\n"), nil
}

func TestCancelRequest(t *testing.T) {
	_, addr := startServer(t, Options{})
	conn := pgxConnect(t, addr, "")
	ctx := testCtx(t)
	done := make(chan error, 1)
	go func() {
		_, err := conn.Exec(ctx, "select pg_sleep(60)")
		done <- err
	}()
	for {
		time.Sleep(50 * time.Millisecond)
		if err := conn.PgConn().CancelRequest(ctx); err != nil {
			t.Fatal(err)
		}
		select {
		case err := <-done:
			pe := wantPgError(t, err, "57014")
			if pe.Message != "canceling statement due to user request" {
				t.Errorf("message %q", pe.Message)
			}
			var one int32
			if err := conn.QueryRow(ctx, "select 1").Scan(&one); err != nil || one != 1 {
				t.Fatalf("select 1 after cancel: %v", err)
			}
			return
		case <-ctx.Done():
			t.Fatal("query was not cancelled")
		default:
		}
	}
}

// TestPgxCopyFromBinary runs pgx's high-level CopyFrom: it describes `select "id", "s" from "t"`,
// then streams binary COPY data.
func TestPgxCopyFromBinary(t *testing.T) {
	b, addr := startServer(t, Options{})
	conn := pgxConnect(t, addr, "")
	n, err := conn.CopyFrom(testCtx(t), pgx.Identifier{"t"}, []string{"id", "s"},
		pgx.CopyFromRows([][]any{{int64(7), "x"}, {int64(8), nil}}))
	if err != nil {
		t.Fatal(err)
	}
	if n != 2 {
		t.Errorf("%d rows copied, want 2", n)
	}
	b.mu.Lock()
	got := strings.Join(b.copied, "|")
	b.mu.Unlock()
	if got != "0000000000000007\t78|0000000000000008\tNULL" {
		t.Errorf("copied %q", got)
	}
}

// TestConcurrentSessions runs several clients at once, mixing protocols, with one of them being
// cancelled, to show sessions do not interfere.
func TestConcurrentSessions(t *testing.T) {
	_, addr := startServer(t, Options{})
	const clients = 8
	errs := make(chan error, clients)
	for i := range clients {
		go func() {
			mode := []string{"", "&default_query_exec_mode=simple_protocol"}[i%2]
			ctx := testCtx(t)
			conn, err := pgx.Connect(ctx, "postgres://runnel@"+addr+"/runnel?sslmode=disable"+mode)
			if err != nil {
				errs <- err
				return
			}
			defer conn.Close(ctx)
			for range 20 {
				var n int64
				rows, err := conn.Query(ctx, "select generate_series(1, 50)")
				if err != nil {
					errs <- err
					return
				}
				for rows.Next() {
					var v int64
					if err := rows.Scan(&v); err != nil {
						errs <- err
						return
					}
					n += v
				}
				if err := rows.Err(); err != nil || n != 1275 {
					errs <- fmt.Errorf("sum %d, %v", n, err)
					return
				}
			}
			errs <- nil
		}()
	}
	for range clients {
		if err := <-errs; err != nil {
			t.Error(err)
		}
	}
}
