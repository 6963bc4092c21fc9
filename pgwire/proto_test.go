package pgwire

import (
	"context"
	"fmt"
	"io"
	"net"
	"strings"
	"testing"
	"time"

	"github.com/jackc/pgx/v5/pgproto3"
)

// rawClient speaks the protocol directly with pgproto3's Frontend.
type rawClient struct {
	t  *testing.T
	nc net.Conn
	fe *pgproto3.Frontend
}

func dialRaw(t *testing.T, addr string) *rawClient {
	t.Helper()
	nc, err := net.Dial("tcp", addr)
	if err != nil {
		t.Fatal(err)
	}
	nc.SetDeadline(time.Now().Add(20 * time.Second))
	t.Cleanup(func() { nc.Close() })
	return &rawClient{t: t, nc: nc, fe: pgproto3.NewFrontend(nc, nc)}
}

// startup connects as runnel and reads up to ReadyForQuery.
func startRaw(t *testing.T, addr string) *rawClient {
	c := dialRaw(t, addr)
	c.send(&pgproto3.StartupMessage{ProtocolVersion: pgproto3.ProtocolVersion30, Parameters: map[string]string{"user": "runnel", "database": "runnel"}})
	c.until('Z')
	return c
}

func (c *rawClient) send(msgs ...pgproto3.FrontendMessage) {
	c.t.Helper()
	for _, m := range msgs {
		c.fe.Send(m)
	}
	if err := c.fe.Flush(); err != nil {
		c.t.Fatal(err)
	}
}

// until reads messages up to and including one of type typ ('Z' for ReadyForQuery) and returns
// them in a compact notation.
func (c *rawClient) until(typ byte) []string {
	c.t.Helper()
	var out []string
	for {
		m, err := c.fe.Receive()
		if err != nil {
			c.t.Fatalf("receive after %v: %v", out, err)
		}
		s, k := describeMsg(m)
		if k != 'S' { // ParameterStatus is noise here
			out = append(out, s)
		}
		if k == typ {
			return out
		}
	}
}

func describeMsg(m pgproto3.BackendMessage) (string, byte) {
	switch m := m.(type) {
	case *pgproto3.ReadyForQuery:
		return "Z" + string(m.TxStatus), 'Z'
	case *pgproto3.DataRow:
		var vals []string
		for _, v := range m.Values {
			vals = append(vals, fmt.Sprintf("%x", v))
		}
		return "D[" + strings.Join(vals, ",") + "]", 'D'
	case *pgproto3.CommandComplete:
		return "C " + string(m.CommandTag), 'C'
	case *pgproto3.ErrorResponse:
		return "E " + m.Severity + " " + m.Code + " " + m.Message, 'E'
	case *pgproto3.ParameterStatus:
		return "S", 'S'
	case *pgproto3.RowDescription:
		var f []string
		for _, d := range m.Fields {
			f = append(f, fmt.Sprintf("%s:%d/%d", d.Name, d.DataTypeOID, d.Format))
		}
		return "T[" + strings.Join(f, ",") + "]", 'T'
	case *pgproto3.ParameterDescription:
		return fmt.Sprintf("t%v", m.ParameterOIDs), 't'
	}
	name := fmt.Sprintf("%T", m)
	return name[strings.LastIndex(name, ".")+1:], 0
}

func expectSeq(t *testing.T, got []string, want ...string) {
	t.Helper()
	if strings.Join(got, " | ") != strings.Join(want, " | ") {
		t.Errorf("got  %s\nwant %s", strings.Join(got, " | "), strings.Join(want, " | "))
	}
}

func TestPortalSuspension(t *testing.T) {
	b, addr := startServer(t, Options{})
	c := startRaw(t, addr)
	c.send(
		&pgproto3.Parse{Name: "g", Query: "select generate_series(1, 5)"},
		&pgproto3.Describe{ObjectType: 'S', Name: "g"},
		&pgproto3.Bind{PreparedStatement: "g", ResultFormatCodes: []int16{1}},
		&pgproto3.Execute{MaxRows: 1},
		&pgproto3.Execute{MaxRows: 1},
		&pgproto3.Execute{MaxRows: 2},
		&pgproto3.Execute{},
		&pgproto3.Execute{},
		&pgproto3.Sync{},
	)
	expectSeq(t, c.until('Z'),
		"ParseComplete", "t[]", "T[generate_series:20/0]", "BindComplete",
		"D[0000000000000001]", "PortalSuspended",
		"D[0000000000000002]", "PortalSuspended",
		"D[0000000000000003]", "D[0000000000000004]", "PortalSuspended",
		"D[0000000000000005]", "C SELECT 1",
		"C SELECT 0",
		"ZI")

	// Inside a transaction a named portal survives Sync (pgjdbc's fetchSize); Close P releases it.
	c.send(&pgproto3.Query{String: "begin"})
	c.until('Z')
	c.send(
		&pgproto3.Bind{DestinationPortal: "C_2", PreparedStatement: "g"},
		&pgproto3.Execute{Portal: "C_2", MaxRows: 3},
		&pgproto3.Sync{},
	)
	expectSeq(t, c.until('Z'), "BindComplete", "D[31]", "D[32]", "D[33]", "PortalSuspended", "ZT")
	c.send(&pgproto3.Execute{Portal: "C_2", MaxRows: 3}, &pgproto3.Close{ObjectType: 'P', Name: "C_2"}, &pgproto3.Sync{})
	expectSeq(t, c.until('Z'), "D[34]", "D[35]", "C SELECT 2", "CloseComplete", "ZT")

	// A portal left suspended is closed by Close P, and its rows are released.
	c.send(
		&pgproto3.Bind{DestinationPortal: "p", PreparedStatement: "g"},
		&pgproto3.Execute{Portal: "p", MaxRows: 1},
		&pgproto3.Close{ObjectType: 'P', Name: "p"},
		&pgproto3.Execute{Portal: "p"},
		&pgproto3.Sync{},
	)
	expectSeq(t, c.until('Z'), "BindComplete", "D[31]", "PortalSuspended", "CloseComplete",
		`E ERROR 34000 portal "p" does not exist`, "ZT")
	_ = b
}

func TestExtendedProtocolErrors(t *testing.T) {
	_, addr := startServer(t, Options{})
	c := startRaw(t, addr)
	// After an error everything up to Sync is skipped.
	c.send(
		&pgproto3.Parse{Name: "a", Query: "select 1"},
		&pgproto3.Parse{Name: "a", Query: "select 1"},
		&pgproto3.Bind{PreparedStatement: "a"},
		&pgproto3.Execute{},
		&pgproto3.Sync{},
	)
	expectSeq(t, c.until('Z'), "ParseComplete", `E ERROR 42P05 prepared statement "a" already exists`, "ZI")
	// The unnamed statement is simply replaced.
	c.send(&pgproto3.Parse{Query: "select 1"}, &pgproto3.Parse{Query: "select * from t"}, &pgproto3.Describe{ObjectType: 'S'}, &pgproto3.Sync{})
	got := c.until('Z')
	if len(got) != 5 || !strings.HasPrefix(got[3], "T[id:20/0,f:701/0,n:1700/0") {
		t.Errorf("re-parse of the unnamed statement: %v", got)
	}
	c.send(&pgproto3.Bind{PreparedStatement: "a", Parameters: [][]byte{[]byte("1")}}, &pgproto3.Sync{})
	expectSeq(t, c.until('Z'), `E ERROR 08P01 bind message supplies 1 parameters, but prepared statement "a" requires 0`, "ZI")
	c.send(&pgproto3.Bind{PreparedStatement: "a", ResultFormatCodes: []int16{0, 0}}, &pgproto3.Sync{})
	expectSeq(t, c.until('Z'), "E ERROR 08P01 bind message has 2 result formats but query has 1 columns", "ZI")
	c.send(&pgproto3.Bind{PreparedStatement: "nope"}, &pgproto3.Describe{ObjectType: 'S', Name: "x"}, &pgproto3.Sync{})
	expectSeq(t, c.until('Z'), `E ERROR 26000 prepared statement "nope" does not exist`, "ZI")
	c.send(&pgproto3.Bind{DestinationPortal: "p", PreparedStatement: "a"}, &pgproto3.Bind{DestinationPortal: "p", PreparedStatement: "a"}, &pgproto3.Sync{})
	expectSeq(t, c.until('Z'), "BindComplete", `E ERROR 42P03 cursor "p" already exists`, "ZI")
	c.send(&pgproto3.Parse{Name: "b", Query: "select $1::int8", ParameterOIDs: []uint32{20}},
		&pgproto3.Bind{PreparedStatement: "b", ParameterFormatCodes: []int16{1}, Parameters: [][]byte{{0, 0, 0, 1}}}, &pgproto3.Sync{})
	expectSeq(t, c.until('Z'), "ParseComplete", "E ERROR 08P01 insufficient data left in message", "ZI")
	c.send(&pgproto3.Parse{Name: "u", Query: "select 1", ParameterOIDs: []uint32{2950}}, &pgproto3.Sync{})
	expectSeq(t, c.until('Z'), "E ERROR 42704 type with OID 2950 is not supported", "ZI")
	// Statement errors carry the position within the statement.
	c.send(&pgproto3.Parse{Query: "select error"}, &pgproto3.Sync{})
	expectSeq(t, c.until('Z'), `E ERROR 42703 column "error" does not exist`, "ZI")

	// pgjdbc's isValid(): an empty statement describes as NoData and executes to
	// EmptyQueryResponse.
	c.send(&pgproto3.Parse{}, &pgproto3.Bind{}, &pgproto3.Describe{ObjectType: 'P'}, &pgproto3.Execute{}, &pgproto3.Sync{})
	expectSeq(t, c.until('Z'), "ParseComplete", "BindComplete", "NoData", "EmptyQueryResponse", "ZI")
	// Describe of a statement returning no rows; Close S; Flush without Sync.
	c.send(&pgproto3.Parse{Name: "s", Query: "set x = 1"}, &pgproto3.Describe{ObjectType: 'S', Name: "s"},
		&pgproto3.Bind{PreparedStatement: "s"}, &pgproto3.Execute{}, &pgproto3.Close{ObjectType: 'S', Name: "s"}, &pgproto3.Flush{})
	expectSeq(t, c.until('C'), "ParseComplete", "t[]", "NoData", "BindComplete", "C SET")
	expectSeq(t, c.until(0), "CloseComplete")
	c.send(&pgproto3.Sync{})
	expectSeq(t, c.until('Z'), "ZI")
	// Binary results of every kind in text and binary, through one Bind.
	c.send(&pgproto3.Parse{Query: "select $1::interval, $2::jsonb, $3::varchar", ParameterOIDs: []uint32{1186, 3802, 0}},
		&pgproto3.Bind{ParameterFormatCodes: []int16{1, 1, 0}, Parameters: [][]byte{
			{0, 0, 0, 0, 0, 0x0f, 0x42, 0x40, 0, 0, 0, 2, 0, 0, 0, 3}, append([]byte{1}, `{"a":1}`...), []byte("v")},
			ResultFormatCodes: []int16{0, 1, 1}},
		&pgproto3.Execute{}, &pgproto3.Sync{})
	expectSeq(t, c.until('Z'), "ParseComplete", "BindComplete",
		fmt.Sprintf("D[%x,%x,76]", "3 mons 2 days 00:00:01", "\x01"+`{"a": 1}`), "C SELECT 1", "ZI")
}

func TestConnectionIsolation(t *testing.T) {
	_, addr := startServer(t, Options{MaxMessageSize: 1024})
	good := pgxConnect(t, addr, "")
	ctx := testCtx(t)
	check := func(when string) {
		t.Helper()
		var one int32
		if err := good.QueryRow(ctx, "select 1").Scan(&one); err != nil || one != 1 {
			t.Fatalf("%s: the other connection failed: %v", when, err)
		}
	}
	check("before")

	// An oversized message: FATAL 08P01, then the server closes the connection.
	big := startRaw(t, addr)
	big.send(&pgproto3.Query{String: strings.Repeat("x", 2000)})
	if got := big.until('E'); !strings.HasPrefix(got[0], "E FATAL 08P01 invalid message length") {
		t.Errorf("oversized message answered %v", got)
	}
	expectClosed(t, big.nc)
	check("after oversized message")

	// Garbage instead of a startup packet: closed without a word.
	junk := dialRaw(t, addr)
	junk.nc.Write([]byte("GET / HTTP/1.1\r\nHost: x\r\n\r\n"))
	expectClosed(t, junk.nc)
	check("after garbage startup")

	// Garbage after startup: FATAL 08P01 for the unknown message type.
	junk2 := startRaw(t, addr)
	junk2.nc.Write([]byte{0xff, 0, 0, 0, 4, 1, 2, 3})
	if got := junk2.until('E'); !strings.HasPrefix(got[0], "E FATAL 08P01 invalid frontend message type 255") {
		t.Errorf("garbage answered %v", got)
	}
	expectClosed(t, junk2.nc)
	check("after garbage message")

	// A malformed but well-framed message is an ERROR; the session continues.
	mal := startRaw(t, addr)
	mal.nc.Write([]byte{'B', 0, 0, 0, 6, 'x', 'y'})
	mal.send(&pgproto3.Sync{})
	if got := mal.until('Z'); len(got) != 2 || !strings.HasPrefix(got[0], "E ERROR 08P01 invalid B message") {
		t.Errorf("malformed Bind answered %v", got)
	}
	mal.send(&pgproto3.Query{String: "select 1"})
	expectSeq(t, mal.until('Z'), "T[?column?:23/0]", "D[31]", "C SELECT 1", "ZI")
	check("after malformed message")
}

func expectClosed(t *testing.T, nc net.Conn) {
	t.Helper()
	nc.SetReadDeadline(time.Now().Add(5 * time.Second))
	buf := make([]byte, 512)
	for {
		_, err := nc.Read(buf)
		if err == io.EOF {
			return
		}
		if err != nil {
			if ne, ok := err.(net.Error); ok && ne.Timeout() {
				t.Fatal("connection was not closed by the server")
			}
			return // reset
		}
	}
}

func TestDisconnectCancelsQuery(t *testing.T) {
	b, addr := startServer(t, Options{})
	c := startRaw(t, addr)
	c.send(&pgproto3.Parse{Query: "select generate_series(1, 9)"}, &pgproto3.Bind{DestinationPortal: "p"},
		&pgproto3.Execute{Portal: "p", MaxRows: 1}, &pgproto3.Flush{})
	c.until(0) // ParseComplete
	c.until(0) // BindComplete
	c.until(0) // PortalSuspended
	c.send(&pgproto3.Query{String: "select pg_sleep(60)"})
	<-b.sleeping
	c.nc.Close()
	// The sleeping statement's context is cancelled; its rows and the suspended portal's rows are closed.
	deadline := time.Now().Add(5 * time.Second)
	for {
		b.mu.Lock()
		closed, sessions := b.closed, b.sessions
		b.mu.Unlock()
		if closed == 2 && sessions == 1 {
			break
		}
		if time.Now().After(deadline) {
			t.Fatalf("after disconnect: %d rows closed, %d sessions closed; want 2 and 1", closed, sessions)
		}
		time.Sleep(10 * time.Millisecond)
	}
}

func TestStartupVariants(t *testing.T) {
	_, addr := startServer(t, Options{MaxConnections: 2})

	// SSLRequest is refused with 'N' and the handshake continues on the same socket.
	c := dialRaw(t, addr)
	c.send(&pgproto3.SSLRequest{})
	var n [1]byte
	if _, err := io.ReadFull(c.nc, n[:]); err != nil || n[0] != 'N' {
		t.Fatalf("SSLRequest answered %q, %v", n[:], err)
	}
	c.send(&pgproto3.StartupMessage{ProtocolVersion: pgproto3.ProtocolVersion30, Parameters: map[string]string{"user": "runnel"}})
	expectSeq(t, c.until('Z'), "AuthenticationOk", "BackendKeyData", "ZI")

	// Protocol 3.2 is negotiated down to 3.0.
	c32 := dialRaw(t, addr)
	c32.send(&pgproto3.StartupMessage{ProtocolVersion: pgproto3.ProtocolVersion32, Parameters: map[string]string{"user": "runnel", "_pq_.x": "1"}})
	expectSeq(t, c32.until('Z'), "NegotiateProtocolVersion", "AuthenticationOk", "BackendKeyData", "ZI")

	// The third session exceeds MaxConnections.
	c3 := dialRaw(t, addr)
	c3.send(&pgproto3.StartupMessage{ProtocolVersion: pgproto3.ProtocolVersion30, Parameters: map[string]string{"user": "runnel"}})
	expectSeq(t, c3.until('E'), "E FATAL 53300 sorry, too many clients already")
	expectClosed(t, c3.nc)
	c32.send(&pgproto3.Terminate{})
	expectClosed(t, c32.nc)

	// Backend errors at startup are FATAL.
	bad := dialRaw(t, addr)
	bad.send(&pgproto3.StartupMessage{ProtocolVersion: pgproto3.ProtocolVersion30, Parameters: map[string]string{"user": "runnel", "database": "nodb"}})
	deadline := time.Now().Add(5 * time.Second)
	for {
		got := bad.until('E')
		if got[0] == `E FATAL 3D000 database "nodb" does not exist` {
			break
		}
		// The Terminate above may not have been processed yet: retry on a new connection.
		if time.Now().After(deadline) {
			t.Fatalf("startup with a missing database: %v", got)
		}
		bad = dialRaw(t, addr)
		bad.send(&pgproto3.StartupMessage{ProtocolVersion: pgproto3.ProtocolVersion30, Parameters: map[string]string{"user": "runnel", "database": "nodb"}})
		time.Sleep(10 * time.Millisecond)
	}
	nouser := dialRaw(t, addr)
	nouser.send(&pgproto3.StartupMessage{ProtocolVersion: pgproto3.ProtocolVersion30, Parameters: map[string]string{"database": "x"}})
	expectSeq(t, nouser.until('E'), "E FATAL 28000 no PostgreSQL user name specified in startup packet")
}

func TestShutdownTerminatesSessions(t *testing.T) {
	b := newFakeBackend()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	srv := NewServer(b, Options{Logger: quietLogger()})
	done := make(chan error, 1)
	go func() { done <- srv.Serve(ln) }()
	idle := startRaw(t, ln.Addr().String())
	busy := startRaw(t, ln.Addr().String())
	busy.send(&pgproto3.Query{String: "select pg_sleep(60)"})
	<-b.sleeping

	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	if err := srv.Shutdown(ctx); err != nil {
		t.Fatal(err)
	}
	if err := <-done; err != ErrServerClosed {
		t.Errorf("Serve returned %v", err)
	}
	expectSeq(t, idle.until('E'), "E FATAL 57P01 terminating connection due to administrator command")
	if got := busy.until('E'); got[0] != "T[pg_sleep:25/0]" || !strings.HasPrefix(got[1], "E ERROR 57P01") {
		t.Errorf("busy session got %v", got)
	}
	expectClosed(t, busy.nc)
	b.mem.AssertSize(t, 0)
}

func TestDisconnectAbortsCopy(t *testing.T) {
	b, addr := startServer(t, Options{})
	c := startRaw(t, addr)
	c.send(&pgproto3.Query{String: "copy t from stdin"})
	expectSeq(t, c.until(0), "CopyInResponse")
	c.send(&pgproto3.CopyData{Data: []byte("1\tx\n")})
	c.nc.Close()
	deadline := time.Now().Add(5 * time.Second)
	for {
		b.mu.Lock()
		aborted, copied := b.aborted, len(b.copied)
		b.mu.Unlock()
		if aborted == 1 && copied == 0 {
			return
		}
		if time.Now().After(deadline) {
			t.Fatalf("after disconnect: %d aborts, %d rows copied; want 1 and 0", aborted, copied)
		}
		time.Sleep(10 * time.Millisecond)
	}
}

// TestCopyProtocolDetails: CopyFail, Flush/Sync inside a copy, leftover copy messages after a
// failed copy, and COPY through the extended protocol.
func TestCopyProtocolDetails(t *testing.T) {
	b, addr := startServer(t, Options{})
	c := startRaw(t, addr)
	c.send(&pgproto3.Query{String: "copy t from stdin; select 1"})
	expectSeq(t, c.until(0), "CopyInResponse")
	c.send(&pgproto3.CopyData{Data: []byte("1\tx\n")}, &pgproto3.Flush{}, &pgproto3.CopyFail{Message: "user said no"},
		&pgproto3.CopyData{Data: []byte("dropped\n")}, &pgproto3.CopyDone{})
	expectSeq(t, c.until('Z'), "E ERROR 57014 COPY from stdin failed: user said no", "ZI")
	c.send(&pgproto3.Query{String: "select 1"})
	expectSeq(t, c.until('Z'), "T[?column?:23/0]", "D[31]", "C SELECT 1", "ZI")

	c.send(&pgproto3.Parse{Query: "copy t from stdin"}, &pgproto3.Bind{}, &pgproto3.Describe{ObjectType: 'P'}, &pgproto3.Execute{}, &pgproto3.Sync{})
	expectSeq(t, c.until(0), "ParseComplete")
	expectSeq(t, c.until(0), "BindComplete")
	expectSeq(t, c.until(0), "NoData")
	expectSeq(t, c.until(0), "CopyInResponse")
	c.send(&pgproto3.CopyData{Data: []byte("5\ty\n")}, &pgproto3.Sync{}, &pgproto3.CopyDone{}, &pgproto3.Sync{})
	expectSeq(t, c.until('Z'), "C COPY 1", "ZI")
	b.mu.Lock()
	defer b.mu.Unlock()
	if len(b.copied) != 1 || b.copied[0] != "5\ty" || b.aborted != 1 {
		t.Errorf("copied %q, %d aborts", b.copied, b.aborted)
	}
}
