package csv

import (
	"time"

	"github.com/runnel-db/runnel/connectors/format/row"
	"github.com/runnel-db/runnel/exec/sqlerr"
)

// Column is one column: a header name and the SQL type its values convert to.
type Column = row.Column

// Options configures a Decoder or Encoder.
type Options struct {
	// Delimiter separates fields; 0 means ','. It may not be '"', '\r' or '\n'.
	Delimiter byte
	// WithoutHeader maps fields to columns by position. When false, the decoder reads the first
	// record as a header that maps columns by name, and the encoder's AppendHeader writes one.
	WithoutHeader bool
	// Location is the zone for timestamptz input without an explicit zone and for timestamptz
	// output; nil means UTC.
	Location *time.Location
}

// badCopyFormat is PostgreSQL's SQLSTATE for malformed COPY data (bad_copy_file_format).
const badCopyFormat = "22P04"

// validate fills defaults and checks the options.
func (o Options) validate() (Options, error) {
	if o.Delimiter == 0 {
		o.Delimiter = ','
	}
	switch o.Delimiter {
	case '"', '\r', '\n':
		return o, sqlerr.New(sqlerr.InvalidParameterValue, "CSV delimiter cannot be %q", rune(o.Delimiter))
	}
	return o, nil
}
