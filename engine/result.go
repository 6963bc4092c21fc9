package engine

import (
	"context"

	"github.com/apache/arrow-go/v18/arrow"

	"github.com/runnel-db/runnel/exec/types"
)

// Column describes one result column, as RowDescription reports it.
type Column struct {
	Name string
	Type types.T
	// TableOID and Attnum identify the table column the value comes straight from, or are 0.
	TableOID uint32
	Attnum   int16
}

// Prepared is a parsed, bound statement, ready to execute any number of times with parameters.
type Prepared struct {
	// SQL is the statement text as given to Prepare.
	SQL string
	// ParamTypes are the types of $1..$n after inference (never Unknown).
	ParamTypes []types.T
	// Columns describe the rows the statement returns; nil when it returns none.
	Columns []Column

	exec executor
}

// executor runs one prepared statement.
type executor interface {
	execute(ctx context.Context, s *Session, params []types.Datum) (*Result, error)
}

// Result is the outcome of executing a statement.
type Result struct {
	// Tag is the CommandComplete tag: "SELECT 3", "INSERT 0 1", "CREATE TABLE", ...
	// For row-returning statements the row count is appended by the caller as rows are sent,
	// so Tag holds only the command word ("SELECT", "FETCH", "INSERT 0", ...) with RowCountInTag set.
	Tag string
	// RowCountInTag means the caller appends " <rows sent>" to Tag.
	RowCountInTag bool
	// Columns and Rows are set for statements that return rows.
	Columns []Column
	Rows    Rows
	// CopyIn is set for COPY ... FROM STDIN: the caller streams the client's data into it.
	CopyIn CopyIn
	// CopyOut is set for COPY ... TO STDOUT: the caller streams its data to the client and
	// closes it; the tag is "COPY <rows>".
	CopyOut CopyOut
	// Empty marks an empty query (only comments or semicolons): EmptyQueryResponse.
	Empty bool
	// ParameterChanges are session parameters this statement changed, to re-report.
	ParameterChanges []Parameter
	// Binary asks for the rows in binary format where the client did not choose formats
	// (FETCH from a BINARY cursor in the simple protocol).
	Binary bool
}

// Rows streams result rows in chunks.
type Rows interface {
	// Next returns the next chunk (data columns only, in Columns order), or nil at the end.
	// The caller releases each chunk.
	Next(ctx context.Context) (arrow.RecordBatch, error)
	// Close releases the rows; safe to call more than once and before the end.
	Close()
}

// CopyFormat is the format of COPY data.
type CopyFormat int

// COPY formats.
const (
	CopyText CopyFormat = iota
	CopyCSV
	CopyBinary
)

// CopyIn receives COPY FROM STDIN data.
type CopyIn interface {
	// Format is the data format; NumColumns the number of columns per row.
	Format() CopyFormat
	NumColumns() int
	// Write takes one CopyData payload (borrowed: copy what you keep).
	Write(data []byte) error
	// Done is called on CopyDone: it applies the rows and returns the tag ("COPY n").
	Done(ctx context.Context) (string, error)
	// Abort is called on CopyFail or disconnect: nothing is applied.
	Abort()
}

// Parameter is a session parameter reported with ParameterStatus.
type Parameter struct {
	Name, Value string
}
