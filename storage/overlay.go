package storage

import (
	"bytes"
	"sort"
)

// Overlay is a sorted set of writes that a Snapshot reads over its committed state without their
// being in Pebble: an entry's value replaces the stored one, a nil value deletes it. It covers one
// object's key range, [Lower, PrefixEnd(Lower)); keys outside it are ignored. The engine keeps
// rows that change often in memory this way and writes them out later, in bulk.
//
// An Overlay must not be changed once a snapshot reads it.
type Overlay struct {
	Lower  []byte   // the object's prefix
	Keys   [][]byte // ascending, distinct, each starting with Lower
	Values [][]byte // Values[i] is Keys[i]'s row; nil deletes the stored row
}

// search returns the index of the first key >= key.
func (o *Overlay) search(key []byte) int {
	return sort.Search(len(o.Keys), func(i int) bool { return bytes.Compare(o.Keys[i], key) >= 0 })
}

// NewSnapshotWith captures the currently committed state, read through overlays (at most one per
// object, sorted by Lower).
func (db *DB) NewSnapshotWith(overlays []*Overlay) *Snapshot {
	s := db.NewSnapshot()
	s.overlays = overlays
	return s
}

// overlayFor returns the overlay covering key, or nil.
func (s *Snapshot) overlayFor(key []byte) *Overlay {
	for _, o := range s.overlays {
		if bytes.HasPrefix(key, o.Lower) {
			return o
		}
	}
	return nil
}

// overlaysIn returns one overlay holding the entries of every overlay in [lower, upper): the only
// one, or a concatenation when the range spans several objects' overlays.
func (s *Snapshot) overlaysIn(lower, upper []byte) *Overlay {
	var in []*Overlay
	for _, o := range s.overlays {
		end := PrefixEnd(o.Lower)
		if (upper == nil || bytes.Compare(o.Lower, upper) < 0) && (end == nil || bytes.Compare(lower, end) < 0) {
			in = append(in, o)
		}
	}
	switch len(in) {
	case 0:
		return nil
	case 1:
		return in[0]
	}
	all := &Overlay{}
	for _, o := range in {
		all.Keys = append(all.Keys, o.Keys...)
		all.Values = append(all.Values, o.Values...)
	}
	return all
}

// overlayIter is the overlay side of an Iter: the entries of ov in [start, end).
type overlayIter struct {
	ov         *Overlay
	start, end int
	pos        int
}

func newOverlayIter(ov *Overlay, lower, upper []byte) *overlayIter {
	o := &overlayIter{ov: ov, end: len(ov.Keys)}
	if lower != nil {
		o.start = ov.search(lower)
	}
	if upper != nil {
		o.end = ov.search(upper)
	}
	return o
}

func (o *overlayIter) valid() bool     { return o.pos >= o.start && o.pos < o.end }
func (o *overlayIter) key() []byte     { return o.ov.Keys[o.pos] }
func (o *overlayIter) deletes() bool   { return o.ov.Values[o.pos] == nil }
func (o *overlayIter) value() []byte   { return o.ov.Values[o.pos] }
func (o *overlayIter) seekGE(k []byte) { o.pos = max(o.start, o.ov.search(k)) }

// Iter positions over an overlay: the pebble iterator and the overlay are merged, the overlay
// winning on equal keys and its deletions hiding stored rows.

// settleForward moves past deleted entries until the iterator is at the smallest live key of
// either side, and reports whether there is one.
func (i *Iter) settleForward() bool {
	for {
		pValid := i.it.Valid()
		if !i.ov.valid() {
			i.onOverlay = false
			return pValid
		}
		c := -1
		if pValid {
			c = bytes.Compare(i.ov.key(), i.it.Key())
		}
		if c > 0 {
			i.onOverlay = false
			return true
		}
		if i.ov.deletes() {
			if c == 0 {
				i.it.Next()
			}
			i.ov.pos++
			continue
		}
		i.onOverlay = true
		return true
	}
}

// settleBackward is settleForward walking down, for Last.
func (i *Iter) settleBackward() bool {
	for {
		pValid := i.it.Valid()
		if !i.ov.valid() {
			i.onOverlay = false
			return pValid
		}
		c := 1
		if pValid {
			c = bytes.Compare(i.ov.key(), i.it.Key())
		}
		if c < 0 {
			i.onOverlay = false
			return true
		}
		if i.ov.deletes() {
			if c == 0 {
				i.it.Prev()
			}
			i.ov.pos--
			continue
		}
		i.onOverlay = true
		return true
	}
}

// nextMerged moves past the current entry of a merged iterator.
func (i *Iter) nextMerged() bool {
	if i.last {
		// Last is the largest key: nothing follows it.
		i.last = false
		i.ov.pos = i.ov.end
		i.it.Last()
		i.it.Next()
		return i.settleForward()
	}
	if i.onOverlay {
		if i.it.Valid() && bytes.Equal(i.it.Key(), i.ov.key()) {
			i.it.Next()
		}
		i.ov.pos++
	} else {
		i.it.Next()
	}
	return i.settleForward()
}

// getOverlaid is Snapshot.Get over the overlay covering key.
func (s *Snapshot) getOverlaid(o *Overlay, key []byte) (value []byte, ok bool, err error) {
	if n := o.search(key); n < len(o.Keys) && bytes.Equal(o.Keys[n], key) {
		if o.Values[n] == nil {
			return nil, false, nil
		}
		return bytes.Clone(o.Values[n]), true, nil
	}
	return getCopy(s.s.Get(key))
}
