// Package storage is Runnel's one Pebble instance (DESIGN.md §4–5): the key space, atomic epoch
// batches and consistent snapshots. It knows nothing about SQL types or Arrow; row bytes come from
// exec/rowcodec and the order-preserving primitives live in storage/encoding.
//
// Key space. Every key is one byte of Kind, then an 8-byte big-endian object id, then a
// kind-specific rest:
//
//	KindCatalog  id                      → catalog entry bytes (owned by the engine)
//	KindMeta     0, name                 → engine metadata (last committed epoch, next object id, …)
//	KindTable    table id, row key       → row value (keyed tables), or
//	             table id, last row id   → a block of rows (tables without a primary key)
//	KindView     view id, row key        → row value
//	KindState    operator id, state key  → state value (arrangements, aggregates)
//	KindOffset   source id, partition    → committed source offset
//	KindIndex    index id, index key     → empty (secondary index entries)
//	KindRole     0, role name            → role
//	KindViewLog  view id, epoch          → a view's delta not yet applied to its rows
//
// So everything that belongs to one object is the contiguous range [Prefix(kind, id),
// PrefixEnd(Prefix(kind, id))): a scan reads it with NewIter and DROP deletes it with one
// DeleteRange.
//
// Durability. An epoch's writes go into one Batch and become visible and durable together on
// Commit (the commit of DESIGN.md §4). Options.Sync decides whether a commit asked to sync waits
// for the write-ahead log to reach stable storage; ":memory:" databases never sync and vanish on
// Close.
//
// Reads. A Snapshot sees exactly the batches committed before it was taken, never later ones: all
// reads of one query use one Snapshot so every view agrees with every other. A Batch reads its own
// uncommitted writes merged over the committed database. A Snapshot can also read through
// overlays (SetOverlays): sorted runs of an object's rows kept in memory by the engine, merged
// over the stored rows by Get and Iter as if they had been written.
//
// Lifetimes. Byte slices returned by Get are copies owned by the caller. Iter.Key and Iter.Value
// alias Pebble's buffers and are valid only until the next positioning call (Next, First, SeekGE)
// or Close: copy what you keep. Every Iter, Snapshot and Batch must be closed before DB.Close.
//
// Concurrency. A DB is safe for concurrent use; Snapshots may be read from several goroutines,
// but one Batch or one Iter belongs to one goroutine at a time.
package storage
