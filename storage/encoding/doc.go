// Package encoding holds the byte encodings of single values used in storage keys and values.
//
// Key encodings (Encode*/Decode*) are order-preserving: for two values a and b of one type,
// bytes.Compare(Encode(a), Encode(b)) has the sign of the SQL comparison of a and b, and a
// concatenation of encodings compares like the tuple of values, because every encoding is
// self-delimiting and no encoding is a proper prefix of another of the same type. Values SQL
// considers equal encode to identical bytes: -0 and +0, every NaN (one canonical NaN, sorting
// after +Inf as in PostgreSQL), decimals that differ only in trailing zeros (1.5 and 1.50).
// Decoding such a key therefore yields the canonical representative (0, the canonical NaN, 1.5).
//
// A nullable key column is a null marker (EncodeNull sorts first, EncodeNullLast last) or
// EncodeNotNull followed by the value. Only ascending order is provided; strings compare as
// bytes (the C collation), which is the storage order, not necessarily a query's ORDER BY.
//
// Value encodings (AppendValue*/DecodeValue*) are compact and fast but not ordered: fixed-width
// little endian for numbers, a uvarint length before bytes.
//
// Every decoder takes the buffer, returns the decoded value and the rest of the buffer, and
// reports truncated or malformed input as an error wrapping ErrCorrupt; decoders never panic on
// bad input. Nothing here allocates except when appending to a caller's slice.
package encoding
