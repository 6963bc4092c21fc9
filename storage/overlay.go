package storage

import (
	"bytes"
	"sort"
)

// Overlay is a sorted run of writes that a Snapshot reads over its committed state without their
// being in Pebble: an entry's value replaces the stored one, a deletion hides it. It covers one
// object's key range, [Lower, PrefixEnd(Lower)). An object may have several runs; a later one in
// a snapshot's list wins over an earlier one. The engine keeps rows that change often in memory
// this way and writes them out later, in bulk.
//
// Entries are appended in ascending key order, each key once, and an Overlay must not be changed
// once a snapshot reads it. It holds no pointers per entry, so the garbage collector does not
// scan its entries, and its bytes lie in one buffer in key order.
type Overlay struct {
	Lower []byte // the object's prefix
	data  []byte
	ents  []overlayEntry
}

type overlayEntry struct {
	at, keyLen, valueLen uint32 // valueLen deleted: a deletion
}

const deleted = ^uint32(0)

// NewOverlay returns an empty run for the object with prefix lower, with room for entries
// entries of size bytes in all.
func NewOverlay(lower []byte, entries, size int) *Overlay {
	return &Overlay{Lower: lower, data: make([]byte, 0, size), ents: make([]overlayEntry, 0, entries)}
}

// Append adds an entry after the others: key's row value, or its deletion when value is nil. The
// bytes are copied.
func (o *Overlay) Append(key, value []byte) {
	e := overlayEntry{at: uint32(len(o.data)), keyLen: uint32(len(key)), valueLen: deleted}
	o.data = append(o.data, key...)
	if value != nil {
		e.valueLen = uint32(len(value))
		o.data = append(o.data, value...)
	}
	o.ents = append(o.ents, e)
}

// Len is the number of entries.
func (o *Overlay) Len() int { return len(o.ents) }

// Size is the number of bytes of the entries' keys and values.
func (o *Overlay) Size() int { return len(o.data) }

// Key returns entry i's key (aliasing the run).
func (o *Overlay) Key(i int) []byte {
	e := o.ents[i]
	return o.data[e.at : e.at+e.keyLen : e.at+e.keyLen]
}

// Value returns entry i's value (aliasing the run), or nil for a deletion.
func (o *Overlay) Value(i int) []byte {
	e := o.ents[i]
	if e.valueLen == deleted {
		return nil
	}
	start := e.at + e.keyLen
	return o.data[start : start+e.valueLen : start+e.valueLen]
}

// search returns the index of the first key >= key.
func (o *Overlay) search(key []byte) int {
	return sort.Search(len(o.ents), func(i int) bool { return bytes.Compare(o.Key(i), key) >= 0 })
}

// SetOverlays makes the snapshot read through overlays: sorted runs, each of one object, a later
// run of an object winning over an earlier one. It must be called before the first read.
func (s *Snapshot) SetOverlays(overlays []*Overlay) { s.overlays = overlays }

// getOverlaid looks key up in the overlays, newest first: found reports whether one holds it.
func (s *Snapshot) getOverlaid(key []byte) (value []byte, found bool) {
	for i := len(s.overlays) - 1; i >= 0; i-- {
		o := s.overlays[i]
		if !bytes.HasPrefix(key, o.Lower) {
			continue
		}
		if n := o.search(key); n < o.Len() && bytes.Equal(o.Key(n), key) {
			return o.Value(n), true
		}
	}
	return nil, false
}

// overlaysIn returns the runs of the overlays whose objects meet [lower, upper), oldest first.
func (s *Snapshot) overlaysIn(lower, upper []byte) *overlayRuns {
	var r *overlayRuns
	for _, o := range s.overlays {
		end := PrefixEnd(o.Lower)
		if (upper == nil || bytes.Compare(o.Lower, upper) < 0) && (end == nil || bytes.Compare(lower, end) < 0) {
			if r == nil {
				r = &overlayRuns{}
			}
			r.runs = append(r.runs, newOverlayRun(o, lower, upper))
		}
	}
	return r
}

// overlayRun is one run's side of an Iter: the entries of ov in [start, end).
type overlayRun struct {
	ov         *Overlay
	start, end int
	pos        int
}

func newOverlayRun(ov *Overlay, lower, upper []byte) overlayRun {
	r := overlayRun{ov: ov, end: ov.Len()}
	if lower != nil {
		r.start = ov.search(lower)
	}
	if upper != nil {
		r.end = ov.search(upper)
	}
	return r
}

func (r *overlayRun) valid() bool { return r.pos >= r.start && r.pos < r.end }
func (r *overlayRun) key() []byte { return r.ov.Key(r.pos) }

// overlayRuns merges the runs an Iter reads over Pebble: the current entry is the smallest key
// (largest, walking down) of any run, from the latest run that has it.
type overlayRuns struct {
	runs []overlayRun
	cur  int // the run at the current entry, -1 when none
}

// settle finds the current entry: the smallest key, or the largest when down.
func (o *overlayRuns) settle(down bool) {
	o.cur = -1
	for i := range o.runs {
		r := &o.runs[i]
		if !r.valid() {
			continue
		}
		if o.cur < 0 {
			o.cur = i
			continue
		}
		c := bytes.Compare(r.key(), o.runs[o.cur].key())
		if c == 0 || (c < 0) != down {
			o.cur = i // equal keys: the later run wins
		}
	}
}

func (o *overlayRuns) first() {
	for i := range o.runs {
		o.runs[i].pos = o.runs[i].start
	}
	o.settle(false)
}

func (o *overlayRuns) last() {
	for i := range o.runs {
		o.runs[i].pos = o.runs[i].end - 1
	}
	o.settle(true)
}

func (o *overlayRuns) seekGE(key []byte) {
	for i := range o.runs {
		r := &o.runs[i]
		r.pos = max(r.start, r.ov.search(key))
	}
	o.settle(false)
}

func (o *overlayRuns) valid() bool   { return o.cur >= 0 }
func (o *overlayRuns) key() []byte   { return o.runs[o.cur].key() }
func (o *overlayRuns) value() []byte { return o.runs[o.cur].ov.Value(o.runs[o.cur].pos) }
func (o *overlayRuns) deletes() bool { return o.value() == nil }

// step moves every run at the current key one entry on (down: back), so older runs' entries
// for it are passed too.
func (o *overlayRuns) step(down bool) {
	key := o.key()
	for i := range o.runs {
		r := &o.runs[i]
		if r.valid() && bytes.Equal(r.key(), key) {
			if down {
				r.pos--
			} else {
				r.pos++
			}
		}
	}
	o.settle(down)
}

// Iter positions over overlays: the pebble iterator and the runs are merged, the runs winning on
// equal keys and their deletions hiding stored rows.

// settle moves past deleted entries until the iterator is at the smallest live key of either
// side (the largest when down, for Last), and reports whether there is one.
func (i *Iter) settle(down bool) bool {
	for {
		pValid := i.it.Valid()
		if !i.ov.valid() {
			i.onOverlay = false
			return pValid
		}
		// c > 0: the stored key comes first in the direction of travel; without one, the
		// overlay's does.
		c := -1
		if pValid {
			if c = bytes.Compare(i.ov.key(), i.it.Key()); down {
				c = -c
			}
		}
		if c > 0 {
			i.onOverlay = false
			return true
		}
		if i.ov.deletes() {
			if c == 0 {
				if down {
					i.it.Prev()
				} else {
					i.it.Next()
				}
			}
			i.ov.step(down)
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
		for r := range i.ov.runs {
			i.ov.runs[r].pos = i.ov.runs[r].end
		}
		i.ov.cur = -1
		i.it.Last()
		i.it.Next()
		return false
	}
	if i.onOverlay {
		if i.it.Valid() && bytes.Equal(i.it.Key(), i.ov.key()) {
			i.it.Next()
		}
		i.ov.step(false)
	} else {
		i.it.Next()
	}
	return i.settle(false)
}
