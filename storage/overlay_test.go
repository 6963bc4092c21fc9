package storage

import (
	"bytes"
	"fmt"
	"math/rand"
	"slices"
	"testing"
)

// TestOverlayReadsAsIfWritten compares a snapshot read through random overlays (several runs per
// object, later over earlier) with a database to which the runs' writes were applied in order:
// every scan (random bounds, inside and across objects), SeekGE, Last and Get must agree.
func TestOverlayReadsAsIfWritten(t *testing.T) {
	rng := rand.New(rand.NewSource(5))
	key := func(obj uint64, n int) []byte { return fmt.Appendf(AppendPrefix(nil, KindView, obj), "%03d", n) }
	for round := 0; round < 40; round++ {
		base, want := openMem(t), openMem(t)
		for _, db := range []*DB{base, want} {
			mustCommit(t, db, func(b *Batch) {
				r := rand.New(rand.NewSource(int64(round)))
				for obj := uint64(1); obj <= 3; obj++ {
					for n := 0; n < 60; n++ {
						if r.Intn(2) == 0 {
							set(t, b, string(key(obj, n)), fmt.Sprint("base", n))
						}
					}
				}
			})
		}
		var overlays []*Overlay
		for n := rng.Intn(6); n > 0; n-- {
			// Runs of random objects, later ones over earlier ones of the same object.
			obj := uint64(rng.Intn(3) + 1)
			o := NewOverlay(AppendPrefix(nil, KindView, obj), 0, 0)
			mustCommit(t, want, func(b *Batch) {
				for n := 0; n < 60; n++ {
					switch rng.Intn(4) {
					case 0:
						o.Append(key(obj, n), nil)
						if err := b.Delete(key(obj, n)); err != nil {
							t.Fatal(err)
						}
					case 1:
						v := fmt.Appendf(nil, "over%d.%d", n, len(overlays))
						o.Append(key(obj, n), v)
						set(t, b, string(key(obj, n)), string(v))
					}
				}
			})
			overlays = append(overlays, o)
		}
		slices.SortStableFunc(overlays, func(a, b *Overlay) int { return bytes.Compare(a.Lower, b.Lower) })
		snap, wantSnap := base.NewSnapshot(), want.NewSnapshot()
		snap.SetOverlays(overlays)
		bound := func() []byte {
			switch rng.Intn(4) {
			case 0:
				return nil
			case 1:
				return AppendPrefix(nil, KindView, uint64(rng.Intn(5)))
			}
			return key(uint64(rng.Intn(3)+1), rng.Intn(62))
		}
		for q := 0; q < 30; q++ {
			lower, upper := bound(), bound()
			if upper != nil && bytes.Compare(lower, upper) > 0 {
				lower, upper = upper, lower
			}
			if got, w := scan(t, snap, lower, upper), scan(t, wantSnap, lower, upper); !slices.Equal(got, w) {
				t.Fatalf("round %d: scan [%x, %x) = %q, want %q", round, lower, upper, got, w)
			}
			seek := key(uint64(rng.Intn(3)+1), rng.Intn(62))
			if got, w := seekLast(t, snap, lower, upper, seek), seekLast(t, wantSnap, lower, upper, seek); got != w {
				t.Fatalf("round %d: in [%x, %x): %s, want %s", round, lower, upper, got, w)
			}
			g, gok, err := snap.Get(seek)
			w, wok, err2 := wantSnap.Get(seek)
			if err != nil || err2 != nil || gok != wok || !bytes.Equal(g, w) {
				t.Fatalf("round %d: Get(%x) = %q, %v, %v; want %q, %v, %v", round, seek, g, gok, err, w, wok, err2)
			}
		}
		for _, c := range []interface{ Close() error }{snap, wantSnap, base, want} {
			if err := c.Close(); err != nil {
				t.Fatal(err)
			}
		}
	}
}

// seekLast describes what SeekGE(seek) then two Nexts, and Last then Next, find in [lower, upper).
func seekLast(t *testing.T, r Reader, lower, upper, seek []byte) string {
	t.Helper()
	it, err := r.NewIter(lower, upper)
	if err != nil {
		t.Fatal(err)
	}
	var out []string
	at := func(ok bool) {
		if ok {
			out = append(out, fmt.Sprintf("%x=%s", it.Key(), it.Value()))
		} else {
			out = append(out, "end")
		}
	}
	if upper == nil || bytes.Compare(seek, upper) < 0 {
		at(it.SeekGE(seek))
		if it.Valid() {
			at(it.Next())
		}
		if it.Valid() {
			at(it.Next())
		}
	}
	at(it.Last())
	if it.Valid() {
		at(it.Next())
	}
	if err := it.Close(); err != nil {
		t.Fatal(err)
	}
	return fmt.Sprint(out)
}
