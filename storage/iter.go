package storage

import (
	"fmt"

	"github.com/cockroachdb/pebble/v2"
)

// Iter walks keys in ascending byte order within the bounds it was created with. It wraps a
// Pebble iterator thinly: Key and Value alias Pebble's buffers and stay valid only until the next
// positioning call (First, Next, SeekGE) or Close.
//
//	it, err := snap.NewIter(lo, hi)
//	for ok := it.First(); ok; ok = it.Next() { use(it.Key(), it.Value()) }
//	err = it.Close() // also reports any error met while iterating
type Iter struct {
	it  *pebble.Iterator
	err error
	// ov, when not nil, is a snapshot's overlay merged over it (overlay.go); onOverlay says
	// which side the current entry is from, last that Last positioned it.
	ov        *overlayRuns
	onOverlay bool
	last      bool
}

// First moves to the first key in bounds and reports whether there is one.
func (i *Iter) First() bool {
	if i.ov == nil {
		return i.it.First()
	}
	i.last = false
	i.it.First()
	i.ov.first()
	return i.settle(false)
}

// Next moves to the next key and reports whether there is one.
func (i *Iter) Next() bool {
	if i.ov == nil {
		return i.it.Next()
	}
	return i.nextMerged()
}

// SeekGE moves to the first key >= key (within bounds) and reports whether there is one.
func (i *Iter) SeekGE(key []byte) bool {
	if i.ov == nil {
		return i.it.SeekGE(key)
	}
	i.last = false
	i.it.SeekGE(key)
	i.ov.seekGE(key)
	return i.settle(false)
}

// Valid reports whether the iterator is positioned at a key.
func (i *Iter) Valid() bool {
	if i.ov != nil && i.onOverlay {
		return true
	}
	return i.it.Valid()
}

// Key returns the current key; valid until the next positioning call.
func (i *Iter) Key() []byte {
	if i.ov != nil && i.onOverlay {
		return i.ov.key()
	}
	return i.it.Key()
}

// Value returns the current value; valid until the next positioning call. On a read error it
// returns nil and the error is reported by Error and Close.
func (i *Iter) Value() []byte {
	if i.ov != nil && i.onOverlay {
		return i.ov.value()
	}
	v, err := i.it.ValueAndErr()
	if err != nil {
		if i.err == nil {
			i.err = fmt.Errorf("storage: read value: %w", err)
		}
		return nil
	}
	return v
}

// Error returns the first error met while iterating, if any.
func (i *Iter) Error() error {
	if i.err != nil {
		return i.err
	}
	if err := i.it.Error(); err != nil {
		return fmt.Errorf("storage: iterate: %w", err)
	}
	return nil
}

// Close releases the iterator and returns the first error met while iterating.
func (i *Iter) Close() error {
	err := i.Error()
	if cerr := i.it.Close(); cerr != nil && err == nil {
		err = fmt.Errorf("storage: close iterator: %w", cerr)
	}
	return err
}

// Last moves to the last key in bounds and reports whether there is one. Next after it reports
// false.
func (i *Iter) Last() bool {
	if i.ov == nil {
		return i.it.Last()
	}
	i.last = true
	i.it.Last()
	i.ov.last()
	return i.settle(true)
}
