package pgwire

import (
	"encoding/binary"
	"errors"
	"fmt"
	"io"
	"slices"

	"github.com/jackc/pgx/v5/pgproto3"
)

// Startup packet codes (the first int32 after the length).
const (
	codeSSLRequest    = 80877103
	codeGSSENCRequest = 80877104
	codeCancelRequest = 80877102
	protocolMajor3    = 3
)

// maxStartupPacket is MAX_STARTUP_PACKET_LENGTH from PostgreSQL.
const maxStartupPacket = 10000

// frame is one framed frontend message. body is owned by the receiver of the frame: the reader
// allocates a fresh one per message, so handlers may keep slices of it.
type frame struct {
	typ  byte
	body []byte
}

// tooLargeError is a message whose declared length exceeds Options.MaxMessageSize.
type tooLargeError struct{ size, max int }

func (e *tooLargeError) Error() string {
	return fmt.Sprintf("message length %d exceeds the maximum of %d bytes", e.size, e.max)
}

// protocolError is a framing or decoding failure: the connection is closed after a FATAL 08P01.
type protocolError struct{ msg string }

func (e *protocolError) Error() string { return e.msg }

// readStartupPacket reads one length-prefixed startup packet (no type byte) and returns its body,
// which starts with the int32 protocol version or request code.
func readStartupPacket(r io.Reader) ([]byte, error) {
	var hdr [4]byte
	if _, err := io.ReadFull(r, hdr[:]); err != nil {
		return nil, err
	}
	n := int(int32(binary.BigEndian.Uint32(hdr[:])))
	if n < 8 || n > maxStartupPacket {
		return nil, &protocolError{fmt.Sprintf("invalid length of startup packet: %d", n)}
	}
	body := make([]byte, n-4)
	if _, err := io.ReadFull(r, body); err != nil {
		return nil, unexpectedEOF(err)
	}
	return body, nil
}

// decodeStartup decodes a startup packet body into a StartupMessage, SSLRequest, GSSEncRequest or
// CancelRequest. A StartupMessage of an unsupported protocol version is returned with its
// ProtocolVersion set and no parameters, so the caller can reject it politely.
func decodeStartup(body []byte) (pgproto3.FrontendMessage, error) {
	if len(body) < 4 {
		return nil, &protocolError{"startup packet too short"}
	}
	code := binary.BigEndian.Uint32(body)
	switch {
	case code == codeSSLRequest:
		return &pgproto3.SSLRequest{}, nil
	case code == codeGSSENCRequest:
		return &pgproto3.GSSEncRequest{}, nil
	case code == codeCancelRequest:
		m := &pgproto3.CancelRequest{}
		if err := m.Decode(body); err != nil {
			return nil, &protocolError{err.Error()}
		}
		return m, nil
	case code == pgproto3.ProtocolVersion30 || code == pgproto3.ProtocolVersion32:
		m := &pgproto3.StartupMessage{}
		if err := m.Decode(body); err != nil {
			return nil, &protocolError{"invalid startup packet layout: " + err.Error()}
		}
		return m, nil
	case code>>16 == protocolMajor3:
		return &pgproto3.StartupMessage{ProtocolVersion: code}, nil
	}
	return nil, &protocolError{fmt.Sprintf("unsupported frontend protocol %d.%d: server supports 3.0", code>>16, code&0xffff)}
}

// readFrame reads one typed message. A declared length over max returns a *tooLargeError without
// reading the body; the connection cannot be resynchronized after it.
func readFrame(r io.Reader, max int) (frame, error) {
	var hdr [5]byte
	if _, err := io.ReadFull(r, hdr[:]); err != nil {
		if errors.Is(err, io.ErrUnexpectedEOF) {
			return frame{}, io.ErrUnexpectedEOF
		}
		return frame{}, err
	}
	n := int(int32(binary.BigEndian.Uint32(hdr[1:])))
	if n < 4 {
		return frame{}, &protocolError{fmt.Sprintf("invalid message length %d", n)}
	}
	if n-4 > max {
		return frame{}, &tooLargeError{size: n - 4, max: max}
	}
	body, err := readBody(r, n-4)
	if err != nil {
		return frame{}, unexpectedEOF(err)
	}
	return frame{typ: hdr[0], body: body}, nil
}

// readChunk is the step in which readBody grows a large message's buffer, so that a client
// announcing a huge message costs memory only as its bytes arrive.
const readChunk = 1 << 20

// readBody reads exactly n bytes into a new slice.
func readBody(r io.Reader, n int) ([]byte, error) {
	body := make([]byte, 0, min(n, readChunk))
	for len(body) < n {
		step := min(n-len(body), readChunk)
		body = slices.Grow(body, step)
		m, err := io.ReadFull(r, body[len(body):len(body)+step])
		body = body[:len(body)+m]
		if err != nil {
			return nil, err
		}
	}
	return body, nil
}

// decodeFrontend decodes a frame into a new frontend message that owns no shared buffers beyond
// f.body.
func decodeFrontend(f frame) (pgproto3.FrontendMessage, error) {
	var m pgproto3.FrontendMessage
	switch f.typ {
	case 'Q':
		m = &pgproto3.Query{}
	case 'P':
		m = &pgproto3.Parse{}
	case 'B':
		m = &pgproto3.Bind{}
	case 'D':
		m = &pgproto3.Describe{}
	case 'E':
		m = &pgproto3.Execute{}
	case 'C':
		m = &pgproto3.Close{}
	case 'S':
		m = &pgproto3.Sync{}
	case 'H':
		m = &pgproto3.Flush{}
	case 'X':
		m = &pgproto3.Terminate{}
	case 'd':
		// CopyData.Decode copies the payload; alias it instead, f.body is ours.
		return &pgproto3.CopyData{Data: f.body}, nil
	case 'c':
		m = &pgproto3.CopyDone{}
	case 'f':
		m = &pgproto3.CopyFail{}
	case 'F':
		m = &pgproto3.FunctionCall{}
	case 'p':
		m = &pgproto3.PasswordMessage{}
	default:
		return nil, &protocolError{fmt.Sprintf("invalid frontend message type %d", f.typ)}
	}
	if err := m.Decode(f.body); err != nil {
		return nil, &protocolError{fmt.Sprintf("invalid %c message: %v", f.typ, err)}
	}
	return m, nil
}

func unexpectedEOF(err error) error {
	if errors.Is(err, io.EOF) {
		return io.ErrUnexpectedEOF
	}
	return err
}
