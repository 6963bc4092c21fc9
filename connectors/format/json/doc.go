// Package json decodes JSON message payloads, one object per message, straight into Arrow
// builders (FORMAT PLAIN ENCODE JSON).
//
// # Mapping
//
// Each top-level field is matched to a column by name: an exact match first, then a
// case-insensitive one. Fields without a column are validated and ignored; columns without a
// field are NULL; a repeated field keeps its last value, as PostgreSQL's jsonb does (an
// unconvertible earlier value does not matter once a later one replaces it).
//
// Values convert as PostgreSQL's jsonb_populate_record does, through the column type's input
// function applied to the value's text (a number's text is its jsonb form: 1e3 is "1000", 1.0
// stays "1.0"), so 1.5 or 1.0 into an integer column fail with 22P02 like '1.5'::int, and "42"
// into an integer column is 42. Two deliberate differences: a JSON number into a timestamp or
// timestamptz column is epoch milliseconds (fractions allowed, rounded to microseconds), and an
// object or array into any column but jsonb is an error (PostgreSQL would store its text). A
// jsonb column takes any value, normalized as exec/types does for jsonb text input; JSON null is
// SQL NULL in every column.
//
// # Rejection
//
// Decode appends exactly one row or nothing. A payload that is not valid JSON (RFC 8259, UTF-8,
// no \u0000, no lone surrogates, nesting at most 6400 deep), is not an object, or has a field that
// does not convert is rejected with a *sqlerr.Error: 22P02 for syntax, otherwise the conversion's
// own SQLSTATE (22P02, 22003, 22007, 22008, 22001, ...), with the field name in the message.
//
// # Cost
//
// The scanner is hand-written over the payload bytes and keeps no per-message allocations for
// numbers, booleans, timestamps in RFC 3339 form and strings without escapes (strings are copied
// once, into the Arrow builder). Forms outside the fast paths (zone names, non-ISO dates, jsonb
// normalization) go through exec/types and may allocate.
//
// A Decoder is not safe for concurrent use; Finish's arrays belong to the caller.
package json
