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
//	elem[] (Kind Array)  → arrow.List of elem's Arrow type; int2vector, oidvector, oid[] and the
//	                       (x, n) record of _pg_expandarray are Array flavors (array.go)
//
// Datum is the scalar form used outside hot loops (constants, parameters, catalog defaults):
// nil is SQL NULL; otherwise bool, int64 (all integer kinds), float64 (both float kinds),
// NumericValue, string (text, varchar, jsonb), DateValue, TimestampValue (both timestamp kinds),
// IntervalValue or ArrayValue (the elements' Datums).
//
// # Text I/O contract
//
// Output (AppendText, FormatDatum, Append*) is PostgreSQL 15's with DateStyle ISO, MDY,
// IntervalStyle postgres and extra_float_digits 1 (shortest round-trip floats); timestamptz is shown
// in the session zone passed as loc (nil: UTC). Input (ParseText, Parse*) accepts what PostgreSQL
// accepts for the common forms and fails with PostgreSQL's SQLSTATE and message (22P02, 22003,
// 22007, 22008, 22015, 22001, 22023); special inputs that depend on the clock ('now', 'today')
// fail with 0A000. The test tables pg_*_cases_test.go hold outputs taken from a real PostgreSQL 15.
//
// # Limits (errors, never different answers)
//
//   - NUMERIC holds at most 38 significant digits and a scale of at most 38; NaN and ±Infinity are
//     not supported. A result beyond that fails with 22003 "value overflows numeric format".
//     Arithmetic follows PostgreSQL's scale rules exactly: + and - keep max(scale), * adds scales,
//     / uses select_div_scale, round/trunc/typmod round half away from zero.
//   - TIMESTAMP values end at 294247 AD (int64 µs from 1970; PostgreSQL goes to 294276 AD).
//   - INTERVAL time parts are limited to about ±292 years of hours (Arrow keeps nanoseconds).
//   - Wall-clock times in a DST gap or overlap resolve as PostgreSQL does (the offset before a
//     spring-forward gap, the standard-time offset in a fall-back overlap).
//   - Text compares by bytes (the C collation).
//
// # Ownership and allocation
//
// MakeArray and NewBuilder return Arrow objects the caller releases. NumericAdd/Sub/Mul, NumericCmp
// and AppendText (except timestamptz in a non-UTC zone) do not allocate; NumericDiv and NumericMod
// fall back to math/big (and allocate) only when the divisor needs more than 64 bits or the scaled
// dividend more than 128. All functions are safe for concurrent use.
package types
