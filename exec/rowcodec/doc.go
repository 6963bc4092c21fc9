// Package rowcodec turns rows of Arrow columns into storage bytes and back: an order-preserving
// key for the columns a row is addressed by, and a compact value for the rest.
//
// A Codec is built from the column types (exec/types.T) of a relation; every call names the
// columns it encodes by index, so one Codec serves any split of a row into key and value.
// Column i of cols must hold the Arrow type colTypes[i].ArrowType(); a mismatch is a bug and
// panics.
//
// Key encoding (AppendKey, see storage/encoding): per key column a null marker (NULL sorts first)
// then the value's order-preserving encoding, so bytes.Compare on keys orders rows like the tuple
// of key values, and values SQL calls equal encode to identical bytes:
//
//	NUMERIC   by value: 1.5 and 1.50 give the same key (the display scale is not kept)
//	REAL/DOUBLE  -0 = +0; every NaN is one NaN, sorting after +Infinity (PostgreSQL's order)
//	INTERVAL  by PostgreSQL's interval_cmp: 1 mon = 30 days, 1 day = 24 hours
//	TEXT/VARCHAR/JSONB  byte order (C collation), not a locale's
//	ARRAY     element by element (a NULL element above every value, a prefix first), as
//	          PostgreSQL's array_cmp; elements in their canonical form (see array.go)
//
// Decoding a key therefore yields the canonical representative of each value: NUMERIC with the
// smallest exact scale (1.50 → 1.5), INTERVAL justified into months of 30 days, days and time
// (36 hours → 1 day 12:00:00), -0 → 0. Callers that must return the exact original value of a
// NUMERIC or INTERVAL key column also encode that column in the value and decode it from there.
//
// AppendOrderKey is the sort-key variant for ORDER BY state (top-N): per column ASC or DESC and
// NULLS FIRST or LAST; it is not decodable.
//
// Value encoding (AppendValue): a bitmap of NULL columns (one bit per value column), then each
// non-NULL value: zigzag varints for SMALLINT/INTEGER/BIGINT/DATE, fixed little endian for
// floats and timestamps, the 17 raw bytes for NUMERIC (display scale kept), uvarint length +
// bytes for strings, varints for INTERVAL's months, days and nanoseconds, and for an ARRAY a varint
// count followed by each element as a one-column value. Values round-trip exactly.
//
// A Decoder appends decoded rows into one Arrow builder per column. A row is typically one
// DecodeKey (filling the key columns) plus one DecodeValue (filling the complementary columns);
// Finish then returns one array per column, padding with NULLs any column that was decoded for
// fewer rows (columns a scan did not need). Decoding allocates nothing per row beyond the
// builders' own growth. After a decoding error the Decoder holds a partial row: Release it.
//
// Ownership: arrays returned by Finish belong to the caller, who releases them; the Decoder's
// builders are released by Release. Codecs are immutable and safe for concurrent use; a Decoder
// belongs to one goroutine.
package rowcodec
