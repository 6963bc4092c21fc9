// Package pgwire serves the PostgreSQL v3 frontend/backend protocol over TCP. It knows nothing
// about SQL or dataflow: every statement goes to a Session supplied by a Backend, and pgwire turns
// the engine's results (Arrow record batches) into DataRow messages in text or binary format.
//
// Contract:
//
//   - One goroutine runs each connection: it reads the startup packet, then handles messages one at
//     a time and calls the Session from that goroutine only, so a Session needs no locking of its
//     own. A second, reader goroutine frames incoming messages so that a disconnect is noticed while
//     a statement runs: it cancels the context of the running Execute, Rows.Next or CopyIn.Done.
//
//   - Cancel requests (BackendKeyData: random process id and secret per connection) cancel the
//     context of the statement running at that moment on the target connection, nothing else.
//     A Session that implements StatementTimeouter (statement_timeout) has each statement's
//     context (a simple-protocol statement, or one Parse or Execute) end after that long, with
//     57014 "canceling statement due to statement timeout"; the connection stays usable.
//
//   - Results marked engine.Result.Binary (FETCH from a BINARY cursor) are sent in binary
//     format when the client did not choose formats (the simple protocol).
//
//   - Ownership: pgwire owns every engine.Rows and engine.CopyIn it receives. Rows are closed when
//     their portal is closed, replaced, finished, when the transaction ends (Sync outside a
//     transaction block) or when the connection ends; a CopyIn is Done or Aborted exactly once.
//     Each chunk from Rows.Next is released after encoding.
//
//   - Errors: a *sqlerr.Error becomes an ErrorResponse with its SQLSTATE, detail, hint and position
//     (shifted to the whole Query string for multi-statement simple queries); any other error is
//     XX000. A panic while handling a message is recovered, logged and reported as XX000; the
//     connection continues. Protocol violations (oversized or malformed messages, unknown message
//     types) get a FATAL 08P01 and close that connection only.
//
//   - After an error in the extended protocol, messages are discarded until Sync, as PostgreSQL does.
//
//   - Encoding: text output uses exec/types.AppendText with the session's time zone (the Session
//     may implement Locator; UTC otherwise). Binary send/receive follows PostgreSQL's *send/*recv
//     functions for bool, int2/4/8, float4/8, numeric, text, varchar, date, timestamp[tz], interval
//     and jsonb.
//
//   - TLS: with Options.TLSConfig an SSLRequest is answered 'S' and the session runs over TLS;
//     without it (and always for GSSENCRequest) the answer is 'N' and the client continues in
//     plain text on the same socket.
//
//   - Memory: a connection holds at most a few frontend messages (each at most MaxMessageSize)
//     read ahead, and buffers output up to about 64 KiB before writing while rows stream.
//     Rows that implement engine.StreamingRows (SUBSCRIBE) may wait in Next for data that does
//     not exist yet: before such a wait (Buffered is false) the buffered rows are written, so the
//     client sees each chunk as soon as it is produced.
//
//   - Authentication (auth.go): Options.Auth (loopback-trust by default, password, trust) decides
//     who must give a password; the Backend's Authenticator supplies the stored verifier, which
//     picks SCRAM-SHA-256 (-PLUS over TLS) or MD5; an unknown role gets a made-up SCRAM exchange
//     and the same 28P01 as a wrong password.
//
//   - COPY … TO STDOUT (copy.go): CopyOutResponse, CopyData holding whole rows, CopyDone.
//
// Not implemented yet: the function call protocol (0A000).
package pgwire
