// Package sql turns statement text into syntax trees. It does parsing only: no catalog, no types
// beyond syntax.
//
// PostgreSQL statements are parsed by the real PostgreSQL grammar (pg_query_go, the PostgreSQL 17
// parser), so everything psql, JDBC and ORMs send parses exactly as on PostgreSQL. Runnel's own
// statements that the PostgreSQL grammar lacks (CREATE SOURCE, CREATE TABLE … WITH (connector …)
// FORMAT … ENCODE …, DROP SOURCE, SHOW SOURCES / MATERIALIZED VIEWS, SHOW CREATE …, FLUSH; later
// CREATE SINK, SUBSCRIBE) are recognized by a small statement-level front parser that hands
// any embedded query or expression back to the PostgreSQL parser.
//
// A Statement's AST Location fields are byte offsets into its own Text; Position converts a byte
// offset into the 1-based character position that error responses carry.
package sql
