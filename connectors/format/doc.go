// Package format groups the message formats connectors read and write. Each format is its own
// sub-package with the same shape:
//
//   - a Decoder built for a list of columns (name + SQL type) that appends one row per message
//     payload straight into Arrow builders (no per-message maps or reflection on the hot path);
//     Decode either appends exactly one complete row or returns a *sqlerr.Error naming the field
//     and appends nothing ("no partial row");
//   - Len, Finish (the built arrays, owned by the caller, and a reset for the next batch) and
//     Release;
//   - where the format can be written, an Encoder that appends rows to a byte slice.
//
// Values convert to their column types with PostgreSQL's input functions (exec/types.ParseText
// semantics), through allocation-free fast paths for the common forms. The shared row staging
// and conversion live in format/row.
//
// Sub-packages: json (JSON objects, one per message), csv (one record per message, decode and
// encode), row (staging and text conversion shared by the decoders).
package format
