// Package sqlerr is the one user-facing error type: a SQLSTATE code, a message, optional detail
// and hint, and a cursor position into the statement text. Every layer that rejects a statement
// returns one (wrapped or not); pgwire finds it with errors.As and turns it into an ErrorResponse.
// Any other error reaching a client is an internal error (SQLSTATE XX000).
package sqlerr
