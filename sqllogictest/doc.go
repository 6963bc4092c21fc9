// Package sqllogictest runs sqllogictest files against a PostgreSQL-protocol server: Runnel
// started in-process on a throwaway in-memory store (one fresh server per file, so files are
// independent), or any server given by URL (the real PostgreSQL, to check a test file itself).
//
// Formats. Both SQLite's format (FORMAT.wiki: `statement ok|error`, `query <types> <sort> [label]`,
// one value per result line, `N values hashing to <md5>`, `hash-threshold`, `skipif`/`onlyif`,
// `halt`) and the sqllogictest-rs extensions (one row per result line with values separated by
// spaces, `statement error <regex>`, `query error <regex>`, `statement count N`, `include <glob>`,
// `control sortmode <mode>`, `sleep <duration>`) are read. A query's expected lines match if they
// equal the rendered values one per line, or the rendered rows one per line (values joined by
// one space, runs of whitespace in the expected line collapsed). A statement or query skipped
// by `skipif`/`onlyif` counts as skipped.
//
// Values. Rows are read in the text format over the simple query protocol and rendered by the
// type letter of their column: I as an integer (a fractional value is truncated toward zero, a
// boolean is 1 or 0), R with "%.3f", anything else as the server's text. NULL renders as
// "NULL", the empty string as "(empty)", and control characters inside a value as "@". Sorting
// (rowsort, valuesort) compares rendered values as byte strings; hashing is MD5 over each sorted
// value followed by "\n". Queries with the same label must hash alike.
//
// Errors. `statement error <regex>` and `query error <regex>` match the regex (unanchored)
// against the error text, which for a server error reads "ERROR: <message> (SQLSTATE <code>)",
// so a regex may name the SQLSTATE.
//
// Incremental mode. With Options.Incremental, every query without an expected error is also
// created as a materialized view as soon as the relations it reads exist (it is retried after
// every successful CREATE, DROP, SET or RESET statement until its creation stops failing with
// 42P01); at the query's position the view's rows are compared, as a multiset, with the query's
// own rows (which are checked against the expected results as usual), and the view is dropped. A query that cannot be a view runs normally. Before a DROP,
// SET or RESET the pending views are dropped and created again after it, so they never block
// the file's own DDL nor see settings other than their query's.
//
// Engine names. Every target answers to "postgresql" in skipif/onlyif; a Runnel target (the
// in-process server, or one whose server_version says "Runnel") also answers to "runnel", so a
// file checked against the real PostgreSQL can bridge a difference, e.g. `skipif runnel` in
// front of the REFRESH MATERIALIZED VIEW that only PostgreSQL needs.
//
// Rewriting. With Options.Rewrite, the expected results of failing queries (and the N of a
// failing `statement count N`) are replaced in place by the actual results, hashed when the
// value count exceeds the hash threshold; files ending in ".test" keep SQLite's
// one-value-per-line layout, others get one row per line.
//
// Concurrency: each RunFile call has its own connection (and, without a URL, its own server),
// so calls may run concurrently unless they share a URL and the same table names.
package sqllogictest
