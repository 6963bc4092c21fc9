// Package row stages one decoded row and appends it, whole, to a batch of Arrow builders. It is
// shared by the message formats (format/json, format/csv).
//
// # Contract
//
//   - A Builder is made for a fixed list of Columns. A decoder calls Reset, then sets the values
//     it finds with the Put* methods (values already of the column's type) or SetText (a
//     PostgreSQL input function), and finally Commit. Nothing reaches the Arrow builders before
//     Commit, so a decoder that gives up half-way simply does not commit: the batch is exactly as
//     before the message ("no partial row"). Columns not set before Commit are NULL; setting a
//     column twice keeps the last value.
//   - Byte slices passed to PutBytes and SetText are retained until Commit (or the next Reset),
//     not copied: the caller keeps them alive and unchanged until then.
//   - SetText has PostgreSQL's input semantics (exec/types.ParseText), through allocation-free fast
//     paths for plain integers, floats, numerics, text, ISO dates and RFC 3339 timestamps; every
//     other form goes through exec/types, so results and errors are the same as ParseText's.
//   - Finish hands over the built arrays (the caller releases them) and resets the builders for
//     the next batch. Release frees the builders. A Builder is not safe for concurrent use.
package row
