package pgwire

import (
	"bytes"
	"encoding/binary"
	"errors"
	"testing"

	"github.com/jackc/pgx/v5/pgproto3"
)

func encodeAll(t testing.TB, msgs ...pgproto3.FrontendMessage) []byte {
	var buf []byte
	for _, m := range msgs {
		var err error
		if buf, err = m.Encode(buf); err != nil {
			t.Fatal(err)
		}
	}
	return buf
}

// decodeStream runs the server's reader over raw bytes: one startup packet, then typed messages.
func decodeStream(data []byte, max int) (msgs []pgproto3.FrontendMessage, err error) {
	r := bytes.NewReader(data)
	body, err := readStartupPacket(r)
	if err != nil {
		return nil, err
	}
	m, err := decodeStartup(body)
	if err != nil {
		return nil, err
	}
	msgs = append(msgs, m)
	for {
		f, err := readFrame(r, max)
		if err != nil {
			return msgs, err
		}
		m, err := decodeFrontend(f)
		if err != nil {
			return msgs, err
		}
		msgs = append(msgs, m)
	}
}

func TestReaderDecodesClientMessages(t *testing.T) {
	data := encodeAll(t,
		&pgproto3.StartupMessage{ProtocolVersion: pgproto3.ProtocolVersion30, Parameters: map[string]string{"user": "runnel"}},
		&pgproto3.Parse{Name: "s", Query: "select $1::int8", ParameterOIDs: []uint32{20}},
		&pgproto3.Bind{PreparedStatement: "s", ParameterFormatCodes: []int16{1}, Parameters: [][]byte{{0, 0, 0, 0, 0, 0, 0, 7}}, ResultFormatCodes: []int16{1}},
		&pgproto3.Describe{ObjectType: 'P'},
		&pgproto3.Execute{MaxRows: 1},
		&pgproto3.Sync{},
		&pgproto3.CopyData{Data: []byte("1\tx\n")},
		&pgproto3.Terminate{},
	)
	msgs, err := decodeStream(data, 1<<20)
	if err == nil || err.Error() != "EOF" {
		t.Fatalf("stream ended with %v, want EOF", err)
	}
	if len(msgs) != 8 {
		t.Fatalf("decoded %d messages, want 8", len(msgs))
	}
	if b := msgs[2].(*pgproto3.Bind); b.PreparedStatement != "s" || b.Parameters[0][7] != 7 {
		t.Errorf("bind decoded as %+v", b)
	}
	if cd := msgs[6].(*pgproto3.CopyData); string(cd.Data) != "1\tx\n" {
		t.Errorf("copy data decoded as %q", cd.Data)
	}
}

func TestReaderRejects(t *testing.T) {
	startup := encodeAll(t, &pgproto3.StartupMessage{ProtocolVersion: pgproto3.ProtocolVersion30, Parameters: map[string]string{"user": "u"}})
	big := encodeAll(t, &pgproto3.Query{String: string(make([]byte, 100))})
	if _, err := decodeStream(append(startup, big...), 50); !errors.As(err, new(*tooLargeError)) {
		t.Errorf("oversized message: %v, want tooLargeError", err)
	}
	if _, err := decodeStream(append(startup, 'Z', 0, 0, 0, 4), 50); !errors.As(err, new(*protocolError)) {
		t.Errorf("unknown type: %v, want protocolError", err)
	}
	if _, err := decodeStream(append(startup, 'Q', 0, 0, 0, 2), 50); !errors.As(err, new(*protocolError)) {
		t.Errorf("negative body length: %v, want protocolError", err)
	}
	if _, err := decodeStream([]byte("GET / HTTP/1.1\r\n\r\n"), 50); !errors.As(err, new(*protocolError)) {
		t.Errorf("HTTP request: %v, want protocolError", err)
	}
	var v2 [8]byte
	binary.BigEndian.PutUint32(v2[:], 8)
	binary.BigEndian.PutUint32(v2[4:], 2<<16)
	if _, err := decodeStream(v2[:], 50); !errors.As(err, new(*protocolError)) {
		t.Errorf("protocol 2.0: %v, want protocolError", err)
	}
}

// FuzzDecode feeds arbitrary bytes to the server's message reader; it must return errors, never
// panic or allocate beyond the length limit.
func FuzzDecode(f *testing.F) {
	startup := encodeAll(f, &pgproto3.StartupMessage{ProtocolVersion: pgproto3.ProtocolVersion30, Parameters: map[string]string{"user": "u", "database": "d"}})
	f.Add(startup)
	f.Add(encodeAll(f, &pgproto3.SSLRequest{}))
	f.Add(encodeAll(f, &pgproto3.CancelRequest{ProcessID: 7, SecretKey: []byte{1, 2, 3, 4}}))
	f.Add(append(append([]byte{}, startup...), encodeAll(f,
		&pgproto3.Query{String: "select 1"},
		&pgproto3.Parse{Query: "select $1", ParameterOIDs: []uint32{0}},
		&pgproto3.Bind{Parameters: [][]byte{nil, {1}}, ResultFormatCodes: []int16{0, 1}},
		&pgproto3.Describe{ObjectType: 'S', Name: "x"},
		&pgproto3.Close{ObjectType: 'P'},
		&pgproto3.CopyFail{Message: "no"},
		&pgproto3.CopyDone{},
		&pgproto3.Flush{},
	)...))
	f.Add([]byte("\x00\x00\x00\x08\x00\x03\x00\x00B\x00\x00\x00\x06\x00"))
	f.Fuzz(func(t *testing.T, data []byte) {
		msgs, err := decodeStream(data, 1<<16)
		if err == nil {
			t.Fatalf("stream of %d bytes decoded %d messages without reaching its end", len(data), len(msgs))
		}
	})
}

func TestReadBodyLarge(t *testing.T) {
	data := bytes.Repeat([]byte("abcdefg"), 3*readChunk/7+5)
	got, err := readBody(bytes.NewReader(data), len(data))
	if err != nil || !bytes.Equal(got, data) {
		t.Fatalf("readBody of %d bytes: %d bytes, %v", len(data), len(got), err)
	}
	if _, err := readBody(bytes.NewReader(data[:readChunk+3]), len(data)); err == nil {
		t.Fatal("short input read without error")
	}
}
