package json

import (
	"strings"
	"time"

	"github.com/apache/arrow-go/v18/arrow"
	"github.com/apache/arrow-go/v18/arrow/memory"
	"github.com/runnel-db/runnel/connectors/format/row"
)

// Column is one output column: a field name and the SQL type its values convert to.
type Column = row.Column

// maxDepth bounds nesting (exec/types normalizes jsonb up to the same depth).
const maxDepth = 6400

// Decoder turns JSON objects into rows of a batch. See the package comment for the mapping.
type Decoder struct {
	row   *row.Builder
	cols  []Column
	exact map[string]int // column name → index
	fold  map[string]int // lower-cased column name → first index with that folding
	hint  int            // the column after the last one matched: fields usually come in order

	// per message
	s       []byte
	pos     int
	scratch []byte  // unescaped strings of the current message
	stack   []byte  // closers of the containers being skipped
	errs    []error // deferred conversion error per column (a later duplicate may clear it)
	nerr    int
	dirty   bool // the row stage holds values of a rejected message
}

// NewDecoder returns a Decoder for cols; loc is the zone for timestamptz text without an explicit
// zone (nil: UTC). The caller calls Release.
func NewDecoder(mem memory.Allocator, cols []Column, loc *time.Location) *Decoder {
	d := &Decoder{
		row:   row.NewBuilder(mem, cols, loc),
		exact: make(map[string]int, len(cols)),
		fold:  make(map[string]int, len(cols)),
		errs:  make([]error, len(cols)),
	}
	d.cols = d.row.Columns()
	for i := len(cols) - 1; i >= 0; i-- { // the first of equal names wins
		d.exact[cols[i].Name] = i
		d.fold[strings.ToLower(cols[i].Name)] = i
	}
	return d
}

// Decode appends one row from one message payload, or returns a *sqlerr.Error and appends nothing.
// A conversion error names the field as the payload spells it. payload is not retained.
func (d *Decoder) Decode(payload []byte) error {
	if d.dirty {
		d.row.Reset()
		clear(d.errs)
		d.nerr, d.dirty = 0, false
	}
	d.s, d.pos, d.scratch = payload, 0, d.scratch[:0]
	err := d.object()
	d.s = nil
	if err == nil && d.nerr > 0 {
		for _, e := range d.errs {
			if e != nil {
				err = e
				break
			}
		}
	}
	if err != nil {
		d.dirty = true
		return err
	}
	d.row.Commit()
	return nil
}

// Len is the number of rows appended since the last Finish.
func (d *Decoder) Len() int { return d.row.Len() }

// Finish returns one array per column with the rows decoded since the last Finish (the caller
// releases them) and starts a new batch.
func (d *Decoder) Finish() []arrow.Array { return d.row.Finish() }

// Release frees the builders.
func (d *Decoder) Release() { d.row.Release() }

// lookup returns the column a field name maps to, or -1.
func (d *Decoder) lookup(key []byte) int {
	if h := d.hint; h < len(d.cols) && d.cols[h].Name == string(key) {
		d.hint = h + 1
		return h
	}
	if i, ok := d.exact[string(key)]; ok {
		d.hint = i + 1
		return i
	}
	var buf [64]byte
	lower, ascii := buf[:0], true
	for _, c := range key {
		if c >= 0x80 {
			ascii = false
			break
		}
		if 'A' <= c && c <= 'Z' {
			c += 'a' - 'A'
		}
		lower = append(lower, c)
	}
	var i int
	var ok bool
	if ascii {
		i, ok = d.fold[string(lower)]
	} else {
		i, ok = d.fold[strings.ToLower(string(key))]
	}
	if !ok {
		return -1
	}
	d.hint = i + 1
	return i
}
