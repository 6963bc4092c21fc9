package pgwire

import (
	"io"

	"github.com/jackc/pgx/v5/pgproto3"
)

// flushThreshold is the buffered output size at which row streaming writes to the socket.
const flushThreshold = 64 << 10

// writer buffers backend messages. The first write error sticks: later sends and flushes do
// nothing and the connection loop ends.
type writer struct {
	w   io.Writer
	buf []byte
	err error
}

// send appends one message.
func (w *writer) send(m pgproto3.BackendMessage) {
	if w.err != nil {
		return
	}
	buf, err := m.Encode(w.buf)
	if err != nil {
		w.err = err
		return
	}
	w.buf = buf
}

// flush writes the buffered messages.
func (w *writer) flush() error {
	if w.err != nil {
		return w.err
	}
	if len(w.buf) == 0 {
		return nil
	}
	_, err := w.w.Write(w.buf)
	if cap(w.buf) > 4*flushThreshold {
		w.buf = nil
	} else {
		w.buf = w.buf[:0]
	}
	w.err = err
	return err
}

// flushIfFull writes when enough output has accumulated.
func (w *writer) flushIfFull() error {
	if len(w.buf) >= flushThreshold {
		return w.flush()
	}
	return w.err
}
