package pgwire

import (
	"io"
	"net"
	"testing"
	"time"

	"github.com/jackc/pgx/v5/pgproto3"
)

// FuzzServe runs a whole connection over arbitrary client bytes: the server must neither panic,
// hang nor leak Arrow memory, whatever the client sends.
func FuzzServe(f *testing.F) {
	startup := encodeAll(f, &pgproto3.StartupMessage{ProtocolVersion: pgproto3.ProtocolVersion30, Parameters: map[string]string{"user": "u"}})
	seed := func(msgs ...pgproto3.FrontendMessage) {
		f.Add(append(append([]byte{}, startup...), encodeAll(f, msgs...)...))
	}
	seed(&pgproto3.Query{String: "select * from t; select 1"}, &pgproto3.Terminate{})
	seed(&pgproto3.Parse{Name: "g", Query: "select generate_series(1, 5)"}, &pgproto3.Bind{DestinationPortal: "p", PreparedStatement: "g", ResultFormatCodes: []int16{1}},
		&pgproto3.Execute{Portal: "p", MaxRows: 1}, &pgproto3.Sync{}, &pgproto3.Execute{Portal: "p", MaxRows: 1})
	seed(&pgproto3.Parse{Query: "select $1::numeric, $2::timestamptz"}, &pgproto3.Bind{ParameterFormatCodes: []int16{1},
		Parameters: [][]byte{{0, 1, 0, 0, 0, 0, 0, 0, 0, 5}, {0, 0, 0, 0, 0, 0, 0, 0}}, ResultFormatCodes: []int16{1}}, &pgproto3.Describe{ObjectType: 'P'}, &pgproto3.Execute{}, &pgproto3.Sync{})
	seed(&pgproto3.Query{String: "copy t from stdin"}, &pgproto3.CopyData{Data: []byte("1\tx\n")}, &pgproto3.CopyDone{}, &pgproto3.Query{String: "select 1"})
	seed(&pgproto3.Query{String: "copy t from stdin"}, &pgproto3.CopyData{Data: []byte("1\tx\n")})
	seed(&pgproto3.Query{String: "select pg_sleep(60)"})
	seed(&pgproto3.Query{String: "select boom"}, &pgproto3.Parse{Query: "select boom_rows"}, &pgproto3.Bind{}, &pgproto3.Execute{}, &pgproto3.Sync{})
	f.Add(encodeAll(f, &pgproto3.SSLRequest{}))
	f.Fuzz(func(t *testing.T, data []byte) {
		b := newFakeBackend()
		srv := NewServer(b, Options{Logger: quietLogger(), MaxMessageSize: 1 << 16, StartupTimeout: 2 * time.Second})
		client, server := net.Pipe()
		c := newConn(srv, server)
		done := make(chan struct{})
		go func() {
			c.serve()
			close(done)
		}()
		go io.Copy(io.Discard, client)
		client.Write(data)
		client.Close()
		select {
		case <-done:
		case <-time.After(10 * time.Second):
			t.Fatal("connection did not end after the client closed")
		}
		b.mem.AssertSize(t, 0)
	})
}
