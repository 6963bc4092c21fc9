// Package engine is the database: the catalog (persisted in Pebble), sessions, DDL and DML
// execution, and the epoch coordinator that keeps materialized views up to date.
//
// Epochs. Every change (a DML statement, COPY, or CREATE MATERIALIZED VIEW's backfill) is one
// epoch: under the write lock the engine computes the table deltas, runs every affected view's
// dataflow once in dependency order, and writes table rows, view contents and the catalog in one
// Pebble batch, committed with fsync before the statement returns. So a statement that returned
// is durable and visible to every later SELECT (read-your-writes), and no reader sees half an
// epoch: reads use a Pebble snapshot of the last commit, in which all views agree.
//
// Failure atomicity. If any step of an epoch fails — a constraint violation, or an evaluation
// error such as division by zero inside a view's query for the new rows — nothing is committed
// and the statement fails with that error. Operators whose in-memory state may already have
// absorbed the failed epoch's deltas are rebuilt from the last committed contents, so the
// view invariant holds after every failure.
//
// Recovery. Table rows and view contents are the durable state; dataflow operator state is kept
// in memory and rebuilt on open by replaying each view's inputs as of the last commit (the
// computation is deterministic, so it agrees with the stored contents).
//
// Concurrency. Sessions run concurrently; statements that write are serialized by the write lock;
// SELECTs run in parallel on snapshots and never block writers.
package engine
