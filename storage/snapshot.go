package storage

import (
	"bytes"
	"fmt"

	"github.com/cockroachdb/pebble/v2"
)

// Reader is what both a Snapshot (committed state) and a Batch (committed state plus the batch's
// own writes) offer to readers such as table scans.
type Reader interface {
	// Get returns a copy of key's value; ok is false when the key does not exist.
	Get(key []byte) (value []byte, ok bool, err error)
	// NewIter returns an iterator over keys in [lower, upper); nil bounds are open.
	NewIter(lower, upper []byte) (*Iter, error)
}

var (
	_ Reader = (*Snapshot)(nil)
	_ Reader = (*Batch)(nil)
	_ Reader = (*DB)(nil)
)

// Snapshot is a consistent, read-only view of the database as of NewSnapshot: it sees every batch
// committed before and none committed after. It is safe for concurrent readers and must be closed.
type Snapshot struct {
	s *pebble.Snapshot
	// overlays are read over s (SetOverlays).
	overlays []*Overlay
}

// NewSnapshot captures the currently committed state.
func (db *DB) NewSnapshot() *Snapshot { return &Snapshot{s: db.pdb.NewSnapshot()} }

// Get returns a copy of key's value in the snapshot; ok is false when the key does not exist.
func (s *Snapshot) Get(key []byte) (value []byte, ok bool, err error) {
	if v, found := s.getOverlaid(key); found {
		if v == nil {
			return nil, false, nil
		}
		return bytes.Clone(v), true, nil
	}
	return getCopy(s.s.Get(key))
}

// NewIter returns an iterator over the snapshot's keys in [lower, upper); nil bounds are open.
func (s *Snapshot) NewIter(lower, upper []byte) (*Iter, error) {
	it, err := s.s.NewIter(&pebble.IterOptions{LowerBound: lower, UpperBound: upper})
	if err != nil {
		return nil, fmt.Errorf("storage: snapshot iterator: %w", err)
	}
	if o := s.overlaysIn(lower, upper); o != nil {
		return &Iter{it: it, ov: o}, nil
	}
	return &Iter{it: it}, nil
}

// Close releases the snapshot. Iterators created from it must be closed first.
func (s *Snapshot) Close() error {
	if err := s.s.Close(); err != nil {
		return fmt.Errorf("storage: close snapshot: %w", err)
	}
	return nil
}
