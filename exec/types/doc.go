// Package types is Runnel's SQL type system: the types a column can have, how each maps to an Arrow
// array type and to a PostgreSQL type OID and typmod, the scalar Datum used for constants and
// parameters, and the text input/output functions whose output matches PostgreSQL's byte for byte.
//
// Representation (DESIGN.md §3, with one documented change for NUMERIC, see docs/decisions.md):
//
//	BOOLEAN              → arrow.Boolean
//	SMALLINT/INT/BIGINT  → arrow.Int16 / Int32 / Int64
//	REAL/DOUBLE          → arrow.Float32 / Float64
//	NUMERIC[(p,s)]       → FixedSizeBinary(17): a 128-bit two's-complement coefficient (little endian)
//	                       followed by one byte of display scale, so each value keeps PostgreSQL's
//	                       per-value scale (avg and division results depend on the value)
//	TEXT/VARCHAR(n)      → arrow.String
//	DATE                 → arrow.Date32 (days since 1970-01-01)
//	TIMESTAMP[TZ]        → arrow.Timestamp(µs); TIMESTAMPTZ values are UTC instants
//	INTERVAL             → arrow.MonthDayNanoInterval (nanoseconds always a multiple of 1000)
//	JSONB                → arrow.String holding the normalized JSON text
//
// Datum is the scalar form used outside hot loops (constants, parameters, catalog defaults):
// nil is SQL NULL; otherwise bool, int64 (all integer kinds), float64 (both float kinds),
// NumericValue, string (text, varchar, jsonb), DateValue, TimestampValue (both timestamp kinds) or
// IntervalValue.
package types
