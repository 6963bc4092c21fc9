package pgwire

import (
	"context"
	"encoding/binary"
	"encoding/hex"
	"fmt"
	"io"
	"log/slog"
	"net"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/apache/arrow-go/v18/arrow"
	"github.com/apache/arrow-go/v18/arrow/array"
	"github.com/apache/arrow-go/v18/arrow/memory"

	"github.com/runnel-db/runnel/engine"
	"github.com/runnel-db/runnel/exec/sqlerr"
	"github.com/runnel-db/runnel/exec/types"
)

// fakeBackend serves a tiny fixed repertoire of statements (see fakeSession.Prepare) with Arrow
// results built from Go values, so the protocol can be tested without the engine.
type fakeBackend struct {
	mem *memory.CheckedAllocator

	mu       sync.Mutex
	copied   []string // rows received by COPY FROM STDIN
	aborted  int      // CopyIn.Abort calls
	closed   int      // Rows.Close calls that released unread chunks or finished
	sessions int      // Session.Close calls
	// sleeping receives a value whenever "select pg_sleep(60)" starts waiting.
	sleeping chan struct{}
}

func newFakeBackend() *fakeBackend {
	return &fakeBackend{mem: memory.NewCheckedAllocator(memory.NewGoAllocator()), sleeping: make(chan struct{}, 16)}
}

func (b *fakeBackend) NewSession(ctx context.Context, s Startup) (Session, error) {
	if s.Database == "nodb" {
		return nil, sqlerr.New("3D000", "database \"%s\" does not exist", s.Database)
	}
	return &fakeSession{b: b, tx: 'I', loc: time.UTC}, nil
}

type fakeSession struct {
	b   *fakeBackend
	tx  byte
	loc *time.Location
}

func (s *fakeSession) Parameters() []engine.Parameter {
	return []engine.Parameter{
		{Name: "server_version", Value: "15.18"},
		{Name: "client_encoding", Value: "UTF8"},
		{Name: "DateStyle", Value: "ISO, MDY"},
		{Name: "standard_conforming_strings", Value: "on"},
		{Name: "integer_datetimes", Value: "on"},
		{Name: "TimeZone", Value: s.loc.String()},
	}
}

func (s *fakeSession) TxStatus() byte           { return s.tx }
func (s *fakeSession) Location() *time.Location { return s.loc }

func (s *fakeSession) Close() {
	s.b.mu.Lock()
	s.b.sessions++
	s.b.mu.Unlock()
}

// Split cuts at semicolons outside single quotes and drops pieces that hold only blanks and
// "--" comments.
func (s *fakeSession) Split(q string) ([]string, []int, error) {
	var stmts []string
	var offs []int
	start, quoted := 0, false
	emit := func(end int) {
		piece := q[start:end]
		if strings.TrimSpace(stripComments(piece)) != "" {
			lead := len(piece) - len(strings.TrimLeft(piece, " \t\r\n"))
			stmts = append(stmts, strings.TrimSpace(piece))
			offs = append(offs, start+lead)
		}
	}
	for i := 0; i < len(q); i++ {
		switch q[i] {
		case '\'':
			quoted = !quoted
		case ';':
			if !quoted {
				emit(i)
				start = i + 1
			}
		}
	}
	emit(len(q))
	return stmts, offs, nil
}

func stripComments(s string) string {
	var b strings.Builder
	for _, line := range strings.Split(s, "\n") {
		if i := strings.Index(line, "--"); i >= 0 {
			line = line[:i]
		}
		b.WriteString(line)
	}
	return b.String()
}

// typeNames maps the cast names the fake understands in "select $1::int8, ..." to types.
var typeNames = map[string]types.T{
	"int2": types.Int16T, "int4": types.Int32T, "int8": types.Int64T, "float4": types.Float32T,
	"float8": types.Float64T, "numeric": types.NumericT, "bool": types.BoolT, "date": types.DateT,
	"timestamp": types.TimestampT, "timestamptz": types.TimestampTZT, "interval": types.IntervalT,
	"text": types.TextT, "varchar": types.VarcharT, "jsonb": types.JSONBT,
}

// tableT is the fake table "t": the columns and rows "select * from t" returns.
var tableT = []engine.Column{
	{Name: "id", Type: types.Int64T, TableOID: 16385, Attnum: 1},
	{Name: "f", Type: types.Float64T, TableOID: 16385, Attnum: 2},
	{Name: "n", Type: types.T{Kind: types.Numeric, Precision: 10, Scale: 2}, TableOID: 16385, Attnum: 3},
	{Name: "b", Type: types.BoolT, TableOID: 16385, Attnum: 4},
	{Name: "d", Type: types.DateT, TableOID: 16385, Attnum: 5},
	{Name: "ts", Type: types.TimestampTZT, TableOID: 16385, Attnum: 6},
	{Name: "s", Type: types.TextT, TableOID: 16385, Attnum: 7},
}

func mustNumeric(s string) types.NumericValue {
	v, err := types.ParseNumeric(s)
	if err != nil {
		panic(err)
	}
	return v
}

// tableRows are the rows of "t"; the timestamps are 2024-01-02 03:04:05.123456 UTC and
// 1999-12-31 23:59:59 UTC, the dates 2024-01-02 (19724) and 1999-12-31 (10956).
var tableRows = [][]types.Datum{
	{int64(1), 1.5, mustNumeric("12.50"), true, types.DateValue(19724), types.TimestampValue(1704164645123456), "alice"},
	{int64(2), -0.25, mustNumeric("-1234567.89"), false, types.DateValue(10956), types.TimestampValue(946684799000000), "bob é"},
	{int64(3), nil, nil, nil, nil, nil, nil},
}

func (s *fakeSession) Prepare(ctx context.Context, q string, pts []types.T) (*engine.Prepared, error) {
	l := strings.ToLower(strings.TrimSpace(q))
	p := &engine.Prepared{SQL: q}
	switch {
	case l == "select 1":
		p.Columns = []engine.Column{{Name: "?column?", Type: types.Int32T}}
	case l == "select * from t" || l == `select "id", "s" from "t"`:
		p.Columns = tableT
		if strings.Contains(l, `"id"`) {
			p.Columns = []engine.Column{tableT[0], tableT[6]}
		}
	case strings.HasPrefix(l, "select $"):
		for i, item := range strings.Split(l[len("select "):], ",") {
			ref, name, ok := strings.Cut(strings.TrimSpace(item), "::")
			t, known := typeNames[name]
			if !ok || !known || ref != "$"+strconv.Itoa(i+1) {
				return nil, sqlerr.New(sqlerr.SyntaxError, "fake: cannot echo %q", item)
			}
			if i < len(pts) && pts[i].Kind != types.Unknown && pts[i] != t {
				return nil, sqlerr.New(sqlerr.DatatypeMismatch, "fake: $%d declared %s, cast to %s", i+1, pts[i], t)
			}
			p.ParamTypes = append(p.ParamTypes, t)
			p.Columns = append(p.Columns, engine.Column{Name: "p" + strconv.Itoa(i+1), Type: t})
		}
	case strings.HasPrefix(l, "select generate_series(1,"):
		p.Columns = []engine.Column{{Name: "generate_series", Type: types.Int64T}}
	case l == "select pg_sleep(60)":
		p.Columns = []engine.Column{{Name: "pg_sleep", Type: types.TextT}}
	case l == "select boom", l == "select boom_rows":
		p.Columns = []engine.Column{{Name: "boom", Type: types.Int64T}}
	case l == "select error":
		return nil, sqlerr.New(sqlerr.UndefinedColumn, "column \"error\" does not exist").At(8)
	case strings.HasPrefix(l, "copy "), strings.HasPrefix(l, "set "), l == "begin", l == "commit", l == "-- only a comment":
	default:
		return nil, sqlerr.New(sqlerr.SyntaxError, "syntax error at or near \"%s\"", strings.Fields(q + " x")[0]).At(1)
	}
	return p, nil
}

func (s *fakeSession) Execute(ctx context.Context, p *engine.Prepared, params []types.Datum) (*engine.Result, error) {
	l := strings.ToLower(strings.TrimSpace(p.SQL))
	res := &engine.Result{Tag: "SELECT", RowCountInTag: true, Columns: p.Columns}
	switch {
	case l == "select 1":
		res.Rows = s.rows(p.Columns, [][]types.Datum{{int64(1)}}, 1)
	case l == "select * from t":
		res.Rows = s.rows(p.Columns, tableRows, 2)
	case l == `select "id", "s" from "t"`:
		res.Rows = s.rows(p.Columns, [][]types.Datum{{int64(1), "alice"}}, 1)
	case strings.HasPrefix(l, "select $"):
		res.Rows = s.rows(p.Columns, [][]types.Datum{params}, 1)
	case strings.HasPrefix(l, "select generate_series(1,"):
		n, err := strconv.Atoi(strings.TrimSuffix(strings.TrimSpace(l[len("select generate_series(1,"):]), ")"))
		if err != nil {
			return nil, err
		}
		rows := make([][]types.Datum, n)
		for i := range rows {
			rows[i] = []types.Datum{int64(i + 1)}
		}
		res.Rows = s.rows(p.Columns, rows, 2)
	case l == "select pg_sleep(60)":
		res.Rows = &sleepRows{b: s.b}
	case l == "select boom":
		panic("boom")
	case l == "select boom_rows":
		res.Rows = &panicRows{}
	case strings.HasPrefix(l, "copy "):
		res = &engine.Result{CopyIn: &fakeCopyIn{b: s.b, binary: strings.HasSuffix(l, " binary")}}
	case strings.HasPrefix(l, "set timezone"):
		_, name, _ := strings.Cut(l, "=")
		name = strings.Trim(name, "' ")
		loc, err := time.LoadLocation(map[string]string{"utc": "UTC", "asia/tokyo": "Asia/Tokyo"}[name])
		if err != nil {
			return nil, sqlerr.New(sqlerr.InvalidParameterValue, "invalid value for parameter \"TimeZone\": \"%s\"", name)
		}
		s.loc = loc
		res = &engine.Result{Tag: "SET", ParameterChanges: []engine.Parameter{{Name: "TimeZone", Value: loc.String()}}}
	case strings.HasPrefix(l, "set "):
		res = &engine.Result{Tag: "SET"}
	case l == "begin":
		s.tx = 'T'
		res = &engine.Result{Tag: "BEGIN"}
	case l == "commit":
		s.tx = 'I'
		res = &engine.Result{Tag: "COMMIT"}
	case l == "-- only a comment":
		res = &engine.Result{Empty: true}
	default:
		return nil, fmt.Errorf("fake: no result for %q", p.SQL)
	}
	return res, nil
}

// rows builds chunks of at most chunk rows; they are made lazily in Next with the checked
// allocator, so a leak shows in mem.AssertSize.
func (s *fakeSession) rows(cols []engine.Column, data [][]types.Datum, chunk int) engine.Rows {
	return &sliceRows{b: s.b, cols: cols, data: data, chunk: chunk}
}

type sliceRows struct {
	b      *fakeBackend
	cols   []engine.Column
	data   [][]types.Datum
	chunk  int
	closed bool
}

func (r *sliceRows) Next(ctx context.Context) (arrow.RecordBatch, error) {
	if err := ctx.Err(); err != nil {
		return nil, err
	}
	if r.closed || len(r.data) == 0 {
		return nil, nil
	}
	n := min(r.chunk, len(r.data))
	part := r.data[:n]
	r.data = r.data[n:]
	arrs := make([]arrow.Array, len(r.cols))
	fields := make([]arrow.Field, len(r.cols))
	for j, c := range r.cols {
		ds := make([]types.Datum, n)
		for i := range part {
			ds[i] = part[i][j]
		}
		arrs[j] = types.MakeArray(r.b.mem, c.Type, ds)
		fields[j] = arrow.Field{Name: c.Name, Type: arrs[j].DataType(), Nullable: true}
	}
	rec := array.NewRecordBatch(arrow.NewSchema(fields, nil), arrs, int64(n))
	for _, a := range arrs {
		a.Release()
	}
	return rec, nil
}

func (r *sliceRows) Close() {
	if !r.closed {
		r.closed = true
		r.b.mu.Lock()
		r.b.closed++
		r.b.mu.Unlock()
	}
}

// sleepRows blocks until its context is cancelled.
type sleepRows struct{ b *fakeBackend }

func (r *sleepRows) Next(ctx context.Context) (arrow.RecordBatch, error) {
	select {
	case r.b.sleeping <- struct{}{}:
	default:
	}
	<-ctx.Done()
	return nil, ctx.Err()
}

func (r *sleepRows) Close() {
	r.b.mu.Lock()
	r.b.closed++
	r.b.mu.Unlock()
}

// panicRows panics in Next.
type panicRows struct{}

func (panicRows) Next(context.Context) (arrow.RecordBatch, error) { panic("rows boom") }
func (panicRows) Close()                                          {}

// fakeCopyIn accepts COPY data of two columns and records the rows: text lines as they are,
// binary tuples as their fields' hex joined by tabs.
type fakeCopyIn struct {
	b      *fakeBackend
	binary bool
	data   []byte
}

func (c *fakeCopyIn) Format() engine.CopyFormat {
	if c.binary {
		return engine.CopyBinary
	}
	return engine.CopyText
}
func (c *fakeCopyIn) NumColumns() int { return 2 }
func (c *fakeCopyIn) Write(data []byte) error {
	c.data = append(c.data, data...)
	return nil
}

func (c *fakeCopyIn) Done(ctx context.Context) (string, error) {
	lines := strings.Split(strings.TrimSuffix(string(c.data), "\n"), "\n")
	if c.binary {
		var err error
		if lines, err = parseBinaryCopy(c.data); err != nil {
			return "", err
		}
	}
	c.b.mu.Lock()
	c.b.copied = append(c.b.copied, lines...)
	c.b.mu.Unlock()
	return fmt.Sprintf("COPY %d", len(lines)), nil
}

func (c *fakeCopyIn) Abort() {
	c.b.mu.Lock()
	c.b.aborted++
	c.b.mu.Unlock()
}

// startServer serves a fake backend on 127.0.0.1:0; cleanup shuts it down and checks that every
// Arrow buffer was released.
func startServer(t *testing.T, opts Options) (*fakeBackend, string) {
	t.Helper()
	b := newFakeBackend()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	if opts.Logger == nil {
		opts.Logger = quietLogger()
	}
	srv := NewServer(b, opts)
	done := make(chan error, 1)
	go func() { done <- srv.Serve(ln) }()
	t.Cleanup(func() {
		ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
		defer cancel()
		if err := srv.Shutdown(ctx); err != nil {
			t.Errorf("Shutdown: %v", err)
		}
		if err := <-done; err != ErrServerClosed {
			t.Errorf("Serve returned %v, want ErrServerClosed", err)
		}
		b.mem.AssertSize(t, 0)
	})
	return b, ln.Addr().String()
}

func quietLogger() *slog.Logger { return slog.New(slog.NewTextHandler(io.Discard, nil)) }

// parseBinaryCopy reads PostgreSQL's binary COPY format: signature, flags, header extension,
// tuples (int16 field count, then int32 length + bytes per field, -1 for NULL), optional trailer -1.
func parseBinaryCopy(b []byte) ([]string, error) {
	const sig = "PGCOPY\n\xff\r\n\x00"
	if len(b) < len(sig)+8 || string(b[:len(sig)]) != sig {
		return nil, sqlerr.New("22P04", "COPY file signature not recognized")
	}
	be := binary.BigEndian
	b = b[len(sig)+4:]
	ext := int(be.Uint32(b))
	b = b[4+ext:]
	var rows []string
	for {
		if len(b) == 0 {
			return rows, nil // the trailer is optional: pgx does not send it
		}
		n := int16(be.Uint16(b))
		b = b[2:]
		if n == -1 {
			return rows, nil
		}
		var fields []string
		for range n {
			l := int32(be.Uint32(b))
			b = b[4:]
			if l < 0 {
				fields = append(fields, "NULL")
				continue
			}
			fields = append(fields, hex.EncodeToString(b[:l]))
			b = b[l:]
		}
		rows = append(rows, strings.Join(fields, "\t"))
	}
}
