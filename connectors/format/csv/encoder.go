package csv

import (
	"bytes"
	"fmt"

	"github.com/apache/arrow-go/v18/arrow"
	"github.com/runnel-db/runnel/exec/types"
)

// Encoder writes rows as CSV lines. See the package comment.
type Encoder struct {
	cols []Column
	opts Options
	buf  []byte
}

// NewEncoder returns an Encoder for cols.
func NewEncoder(cols []Column, opts Options) (*Encoder, error) {
	opts, err := opts.validate()
	if err != nil {
		return nil, err
	}
	return &Encoder{cols: append([]Column(nil), cols...), opts: opts}, nil
}

// AppendHeader appends the header line (the column names, "\n"-terminated) to dst, or returns dst
// unchanged when the options say WithoutHeader. The caller decides where a header belongs (for
// example once per file).
func (e *Encoder) AppendHeader(dst []byte) []byte {
	if e.opts.WithoutHeader {
		return dst
	}
	for i, c := range e.cols {
		if i > 0 {
			dst = append(dst, e.opts.Delimiter)
		}
		dst = e.appendField(dst, []byte(c.Name))
	}
	return append(dst, '\n')
}

// AppendRow appends row i of arrs (one array per column, of the columns' types) as one
// "\n"-terminated CSV line.
func (e *Encoder) AppendRow(dst []byte, arrs []arrow.Array, i int) ([]byte, error) {
	if len(arrs) != len(e.cols) {
		return dst, fmt.Errorf("csv encoder: %d arrays for %d columns", len(arrs), len(e.cols))
	}
	for c, a := range arrs {
		if c > 0 {
			dst = append(dst, e.opts.Delimiter)
		}
		if a.IsNull(i) {
			continue
		}
		e.buf = types.AppendText(e.buf[:0], a, i, e.cols[c].Type, e.opts.Location)
		dst = e.appendField(dst, e.buf)
	}
	return append(dst, '\n'), nil
}

// appendField appends one non-NULL value, quoted when decoding would otherwise misread it.
func (e *Encoder) appendField(dst, v []byte) []byte {
	need := len(v) == 0 || (len(v) == 2 && v[0] == '\\' && v[1] == '.')
	for _, c := range v {
		if c == e.opts.Delimiter || c == '"' || c == '\n' || c == '\r' {
			need = true
			break
		}
	}
	if !need {
		return append(dst, v...)
	}
	dst = append(dst, '"')
	for {
		k := bytes.IndexByte(v, '"')
		if k < 0 {
			break
		}
		dst = append(dst, v[:k+1]...)
		dst = append(dst, '"')
		v = v[k+1:]
	}
	dst = append(dst, v...)
	return append(dst, '"')
}
