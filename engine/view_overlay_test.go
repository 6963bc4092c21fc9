package engine

import (
	"bytes"
	"fmt"
	"maps"
	"math/rand"
	"slices"
	"testing"

	"github.com/runnel-db/runnel/storage"
)

// TestOverlayCopiesMatchAModel applies random deltas to an overlay (new keys, values that shrink,
// grow and move, deletions and re-insertions), and takes reader copies at random moments, some
// while more deltas arrive between the copy and its build, as epochs do. Every copy must hold
// exactly the rows of a plain map as of the moment it was taken, sorted, and so must the rows
// finally written.
func TestOverlayCopiesMatchAModel(t *testing.T) {
	rng := rand.New(rand.NewSource(9))
	l := &layout{id: 7, kind: storage.KindView}
	o := newViewOverlay(l, "v")
	model := map[string][]byte{} // key → value, nil when deleted
	key := func(n int) []byte { return fmt.Appendf(l.prefix(), "k%05d", n) }
	randomDelta := func() overlayDelta {
		var d overlayDelta
		keys := rng.Intn(2000)
		for range rng.Intn(60) + 1 {
			d.buf = append(d.buf, key(rng.Intn(keys+1))...)
			keyEnd := len(d.buf)
			deleted := rng.Intn(5) == 0
			if !deleted {
				d.buf = append(d.buf, bytes.Repeat([]byte{byte('a' + rng.Intn(26))}, rng.Intn(12))...)
			}
			d.ents = append(d.ents, overlayDeltaEntry{keyEnd: int32(keyEnd), valueEnd: int32(len(d.buf)), deleted: deleted})
		}
		return d
	}
	applyModel := func(d overlayDelta) {
		start := int32(0)
		for _, e := range d.ents {
			k, v := string(d.buf[start:e.keyEnd]), d.buf[e.keyEnd:e.valueEnd]
			start = e.valueEnd
			if e.deleted {
				model[k] = nil
			} else {
				model[k] = append([]byte{}, v...)
			}
		}
	}
	check := func(what string, got *storage.Overlay, want map[string][]byte) {
		t.Helper()
		keys := make([]string, 0, len(want))
		for k := range want {
			keys = append(keys, k)
		}
		slices.Sort(keys)
		if len(got.Keys) != len(keys) {
			t.Fatalf("%s: %d keys, want %d", what, len(got.Keys), len(keys))
		}
		for i, k := range keys {
			if string(got.Keys[i]) != k || (got.Values[i] == nil) != (want[k] == nil) || !bytes.Equal(got.Values[i], want[k]) {
				t.Fatalf("%s: entry %d is %q=%q, want %q=%q", what, i, got.Keys[i], got.Values[i], k, want[k])
			}
		}
	}
	reads := 0
	for step := 0; step < 400; step++ {
		d := randomDelta()
		o.add(&d)
		applyModel(d)
		if rng.Intn(4) > 0 {
			continue
		}
		c, ok := o.readCopy()
		asOf := maps.Clone(model)
		// Epochs committed while the reader sorts change the overlay in place.
		for range rng.Intn(3) {
			d := randomDelta()
			o.add(&d)
			applyModel(d)
		}
		got := o.sorted
		if ok {
			got = c.build()
			c.keep(got)
		}
		check(fmt.Sprintf("read %d (step %d)", reads, step), got, asOf)
		reads++
	}
	var written []string
	s := o.sorted
	if c, ok := o.readCopy(); ok {
		s = c.build()
	}
	check("the rows written out", s, model)
	for _, k := range s.Keys {
		written = append(written, string(k))
	}
	if !slices.IsSorted(written) || reads < 50 {
		t.Fatalf("rows written out of order, or too few reads (%d)", reads)
	}
}
