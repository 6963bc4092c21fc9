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
		if got.Len() != len(keys) {
			t.Fatalf("%s: %d keys, want %d", what, got.Len(), len(keys))
		}
		for i, k := range keys {
			if string(got.Key(i)) != k || (got.Value(i) == nil) != (want[k] == nil) || !bytes.Equal(got.Value(i), want[k]) {
				t.Fatalf("%s: entry %d is %q=%q, want %q=%q", what, i, got.Key(i), got.Value(i), k, want[k])
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
		runs := o.runs
		if ok {
			runs = c.build()
			c.keep(runs)
		}
		if len(runs) > maxRuns {
			t.Fatalf("read %d: %d runs", reads, len(runs))
		}
		check(fmt.Sprintf("read %d (step %d)", reads, step), flatten(runs), asOf)
		reads++
	}
	var written []string
	runs := o.runs
	if c, ok := o.readCopy(); ok {
		runs = c.build()
	}
	s := flatten(runs)
	check("the rows written out", s, model)
	for i := 0; i < s.Len(); i++ {
		written = append(written, string(s.Key(i)))
	}
	if !slices.IsSorted(written) || reads < 50 {
		t.Fatalf("rows written out of order, or too few reads (%d)", reads)
	}
}

// flatten merges runs into one, as a reader sees them.
func flatten(runs []*storage.Overlay) *storage.Overlay {
	s := runs[0]
	for _, r := range runs[1:] {
		s = mergeRuns(s, r)
	}
	return s
}
