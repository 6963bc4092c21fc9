package pgwire

import (
	"io"
	"net"
	"testing"
	"time"

	"github.com/jackc/pgx/v5/pgproto3"

	"github.com/runnel-db/runnel/engine"
	"github.com/runnel-db/runnel/exec/types"
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

// BenchmarkDataRows measures encoding a 1024-row chunk of bigint, double, numeric, text and
// timestamptz into DataRow messages.
func BenchmarkDataRows(b *testing.B) {
	b.ReportAllocs()
	fb := newFakeBackend()
	cols := []engine.Column{
		{Name: "id", Type: types.Int64T}, {Name: "f", Type: types.Float64T}, {Name: "n", Type: types.NumericT},
		{Name: "s", Type: types.TextT}, {Name: "ts", Type: types.TimestampTZT},
	}
	data := make([][]types.Datum, 1024)
	for i := range data {
		data[i] = []types.Datum{int64(i * 7919), float64(i) / 3, mustNumeric("12345.67"), "some customer name", types.TimestampValue(1704164645123456 + int64(i))}
	}
	rows := (&fakeSession{b: fb}).rows(cols, data, len(data))
	batch, err := rows.Next(b.Context())
	if err != nil {
		b.Fatal(err)
	}
	defer batch.Release()
	for _, bc := range []struct {
		name   string
		format int16
	}{{"text", formatText}, {"binary", formatBinary}} {
		b.Run(bc.name, func(b *testing.B) {
			formats := []int16{bc.format, bc.format, bc.format, bc.format, bc.format}
			var buf []byte
			for b.Loop() {
				enc, err := newRowEncoder(batch, cols, formats, time.UTC)
				if err != nil {
					b.Fatal(err)
				}
				buf = buf[:0]
				for i := range len(data) {
					buf = enc.appendRow(buf, i)
				}
			}
			b.SetBytes(int64(len(buf)))
		})
	}
}
