package csv

import (
	"strings"

	"github.com/apache/arrow-go/v18/arrow"
	"github.com/apache/arrow-go/v18/arrow/memory"
	"github.com/runnel-db/runnel/connectors/format/row"
	"github.com/runnel-db/runnel/exec/sqlerr"
)

// field is one parsed field of a record.
type field struct {
	val    []byte
	quoted bool // a quote appeared: an empty value is "", not NULL
}

// Decoder turns CSV records into rows of a batch. See the package comment.
type Decoder struct {
	row  *row.Builder
	cols []Column
	opts Options
	// colOf maps a field position to a column (-1: ignored); nil until the header is read
	// when a header is expected.
	colOf   []int
	fields  []field
	scratch []byte
	dirty   bool
}

// NewDecoder returns a Decoder for cols. The caller calls Release.
func NewDecoder(mem memory.Allocator, cols []Column, opts Options) (*Decoder, error) {
	opts, err := opts.validate()
	if err != nil {
		return nil, err
	}
	d := &Decoder{row: row.NewBuilder(mem, cols, opts.Location), opts: opts}
	d.cols = d.row.Columns()
	if opts.WithoutHeader {
		d.colOf = make([]int, len(cols))
		for i := range d.colOf {
			d.colOf[i] = i
		}
	}
	return d, nil
}

// Decode appends one row from one record, or returns a *sqlerr.Error and appends nothing. When a
// header is expected, the first record is read as the header and appends nothing. line is not
// retained.
func (d *Decoder) Decode(line []byte) error {
	if d.dirty {
		d.row.Reset()
		d.dirty = false
	}
	if err := d.split(line); err != nil {
		return err
	}
	if d.colOf == nil {
		return d.header()
	}
	if len(d.fields) != len(d.colOf) {
		if len(d.fields) < len(d.colOf) {
			for _, c := range d.colOf[len(d.fields):] {
				if c >= 0 {
					return sqlerr.New(badCopyFormat, "missing data for column %q", d.cols[c].Name)
				}
			}
			return sqlerr.New(badCopyFormat, "missing data: record has %d fields, want %d", len(d.fields), len(d.colOf))
		}
		return sqlerr.New(badCopyFormat, "extra data after last expected column")
	}
	for k, f := range d.fields {
		c := d.colOf[k]
		if c < 0 {
			continue
		}
		if len(f.val) == 0 && !f.quoted {
			d.row.PutNull(c)
			continue
		}
		if err := d.row.SetText(c, f.val); err != nil {
			d.dirty = true
			return row.FieldError(d.cols[c].Name, err)
		}
	}
	d.row.Commit()
	return nil
}

// header maps columns from the header record in d.fields.
func (d *Decoder) header() error {
	colOf := make([]int, len(d.fields))
	seen := make([]bool, len(d.cols))
	mapped := 0
	for k, f := range d.fields {
		colOf[k] = -1
		name := string(f.val)
		c := -1
		for i, col := range d.cols {
			if col.Name == name {
				c = i
				break
			}
		}
		if c < 0 {
			for i, col := range d.cols {
				if strings.EqualFold(col.Name, name) {
					c = i
					break
				}
			}
		}
		if c < 0 {
			continue
		}
		if seen[c] {
			return sqlerr.New(badCopyFormat, "CSV header names column %q twice", d.cols[c].Name)
		}
		seen[c] = true
		colOf[k] = c
		mapped++
	}
	if mapped == 0 && len(d.cols) > 0 {
		return sqlerr.New(badCopyFormat, "CSV header names none of the columns")
	}
	d.colOf = colOf
	return nil
}

// split parses one record into d.fields (values alias line or d.scratch).
func (d *Decoder) split(line []byte) error {
	if n := len(line); n > 0 && line[n-1] == '\n' {
		line = line[:n-1]
		if n > 1 && line[n-2] == '\r' {
			line = line[:n-2]
		}
	}
	d.fields = d.fields[:0]
	d.scratch = d.scratch[:0]
	delim := d.opts.Delimiter
	i := 0
	for {
		start := i
		// fast path: an unquoted field is a slice of line
		for i < len(line) && line[i] != delim && line[i] != '"' && line[i] != '\n' && line[i] != '\r' {
			i++
		}
		f := field{val: line[start:i]}
		if i < len(line) && line[i] == '"' {
			off := len(d.scratch)
			d.scratch = append(d.scratch, line[start:i]...)
			inQuote := false
			f.quoted = true
			for ; i < len(line); i++ {
				c := line[i]
				if inQuote {
					if c == '"' {
						if i+1 < len(line) && line[i+1] == '"' {
							d.scratch = append(d.scratch, '"')
							i++
						} else {
							inQuote = false
						}
						continue
					}
					d.scratch = append(d.scratch, c)
					continue
				}
				if c == delim || c == '\n' || c == '\r' {
					break
				}
				if c == '"' {
					inQuote = true
					continue
				}
				d.scratch = append(d.scratch, c)
			}
			if inQuote {
				return sqlerr.New(badCopyFormat, "unterminated CSV quoted field")
			}
			f.val = d.scratch[off:]
		}
		if i < len(line) && (line[i] == '\n' || line[i] == '\r') {
			return sqlerr.New(badCopyFormat, "unquoted newline found in CSV data")
		}
		d.fields = append(d.fields, f)
		if i >= len(line) {
			return nil
		}
		i++ // the delimiter
	}
}

// Len is the number of rows appended since the last Finish.
func (d *Decoder) Len() int { return d.row.Len() }

// Finish returns one array per column with the rows decoded since the last Finish (the caller
// releases them) and starts a new batch; the header mapping is kept.
func (d *Decoder) Finish() []arrow.Array { return d.row.Finish() }

// Release frees the builders.
func (d *Decoder) Release() { d.row.Release() }
