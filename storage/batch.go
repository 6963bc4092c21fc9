package storage

import (
	"errors"
	"fmt"

	"github.com/cockroachdb/pebble/v2"
)

// Batch collects one epoch's writes and applies them atomically on Commit. Until then nothing is
// visible to snapshots, and nothing survives a crash or Close. A Batch from NewBatch is indexed:
// Get and NewIter see the batch's own writes merged over the committed database. A Batch belongs
// to one goroutine and must be closed (also after Commit).
type Batch struct {
	b  *pebble.Batch
	db *DB
}

// errNotIndexed is returned by reads on a write-only batch.
var errNotIndexed = errors.New("storage: reads need a batch from NewBatch, not NewWriteBatch")

// NewBatch returns an empty indexed batch that can read its own writes.
func (db *DB) NewBatch() *Batch { return &Batch{b: db.pdb.NewIndexedBatch(), db: db} }

// NewWriteBatch returns an empty write-only batch: cheaper per Set (no index), but Get and NewIter
// return an error. For bulk loads that never read back.
func (db *DB) NewWriteBatch() *Batch { return &Batch{b: db.pdb.NewBatch(), db: db} }

// Set writes key = value. Both slices are copied; the caller may reuse them at once.
func (b *Batch) Set(key, value []byte) error {
	if err := b.b.Set(key, value, nil); err != nil {
		return fmt.Errorf("storage: batch set: %w", err)
	}
	return nil
}

// Delete removes key.
func (b *Batch) Delete(key []byte) error {
	if err := b.b.Delete(key, nil); err != nil {
		return fmt.Errorf("storage: batch delete: %w", err)
	}
	return nil
}

// DeleteRange removes every key in [start, end), e.g. a dropped object's
// [Prefix(kind, id), PrefixEnd(Prefix(kind, id))).
func (b *Batch) DeleteRange(start, end []byte) error {
	if err := b.b.DeleteRange(start, end, nil); err != nil {
		return fmt.Errorf("storage: batch delete range: %w", err)
	}
	return nil
}

// Get returns a copy of key's value as this batch would leave it: the batch's own writes over the
// committed database.
func (b *Batch) Get(key []byte) (value []byte, ok bool, err error) {
	if !b.b.Indexed() {
		return nil, false, errNotIndexed
	}
	return getCopy(b.b.Get(key))
}

// NewIter returns an iterator over [lower, upper) of the batch's writes merged over the committed
// database. It sees the writes made before NewIter, not later ones.
func (b *Batch) NewIter(lower, upper []byte) (*Iter, error) {
	if !b.b.Indexed() {
		return nil, errNotIndexed
	}
	it, err := b.b.NewIter(&pebble.IterOptions{LowerBound: lower, UpperBound: upper})
	if err != nil {
		return nil, fmt.Errorf("storage: batch iterator: %w", err)
	}
	return &Iter{it: it}, nil
}

// Len is the size in bytes of the batch's encoded writes (to bound an epoch's size).
func (b *Batch) Len() int { return b.b.Len() }

// Count is the number of writes in the batch.
func (b *Batch) Count() uint32 { return b.b.Count() }

// Empty reports whether the batch holds no writes.
func (b *Batch) Empty() bool { return b.b.Empty() }

// Commit applies the batch atomically: after it returns, new snapshots see every write, or (on
// error) none. With sync true and Options.Sync set, it also waits until the write-ahead log is on
// stable storage; the engine commits each epoch with sync true. The batch must still be closed
// and cannot be committed twice.
func (b *Batch) Commit(sync bool) error {
	wo := pebble.NoSync
	if sync && b.db.opts.Sync {
		wo = pebble.Sync
	}
	if err := b.b.Commit(wo); err != nil {
		return fmt.Errorf("storage: commit: %w", err)
	}
	return nil
}

// Close releases the batch, discarding it if it was not committed.
func (b *Batch) Close() error {
	if err := b.b.Close(); err != nil {
		return fmt.Errorf("storage: close batch: %w", err)
	}
	return nil
}
