// Package csv decodes and encodes CSV records, one record per message (FORMAT PLAIN ENCODE CSV,
// options delimiter and without_header).
//
// # Decoding
//
// A record follows PostgreSQL's COPY … CSV rules: fields split on the delimiter; a double quote
// starts and ends a quoted section anywhere in a field, where the delimiter, newlines and doubled
// quotes ("") are literal; an unquoted empty field is NULL, a quoted empty field ("") is the
// empty string; spaces are kept. One trailing "\n" or "\r\n" is dropped; any other newline outside
// quotes is an error. Values convert with the column type's PostgreSQL input function
// (exec/types.ParseText semantics, through format/row's fast paths).
//
// Without a header (WithoutHeader), fields map to columns by position and a record must have
// exactly one field per column. Otherwise the first record decoded is the header: its names map
// to columns (exact match first, then case-insensitive), unknown names are ignored, columns it
// does not name are NULL, and every later record must have as many fields as the header.
//
// Decode appends exactly one row or nothing: a rejected record returns a *sqlerr.Error (22P04
// for record structure, otherwise the conversion's SQLSTATE with the column name in the
// message) and leaves the batch as it was.
//
// # Encoding
//
// Encoder appends rows of Arrow arrays as CSV lines with PostgreSQL's COPY TO … CSV output: the
// text output of each value (exec/types.AppendText), NULL as an empty field, and quotes around a
// value that contains the delimiter, a quote, CR or LF, is empty, or is \. so that decoding
// gives the same row back.
//
// Decoders and Encoders are not safe for concurrent use; Finish's arrays belong to the caller.
package csv
