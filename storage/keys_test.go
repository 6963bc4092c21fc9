package storage

import (
	"bytes"
	"fmt"
	"sort"
	"testing"
)

func TestKeyLayout(t *testing.T) {
	k := TableRowKey([]byte("keep"), 0x0102030405060708, []byte{0xaa})
	want := []byte{'k', 'e', 'e', 'p', 0x03, 1, 2, 3, 4, 5, 6, 7, 8, 0xaa}
	if !bytes.Equal(k, want) {
		t.Fatalf("TableRowKey = %x, want %x", k, want)
	}
	kind, id, rest, err := SplitKey(ViewRowKey(nil, 9, []byte("r")))
	if err != nil || kind != KindView || id != 9 || string(rest) != "r" {
		t.Fatalf("SplitKey = %v %d %q %v", kind, id, rest, err)
	}
	if _, _, _, err := SplitKey([]byte{1, 2}); err == nil {
		t.Fatal("SplitKey accepted a short key")
	}
	if got := MetaKey("epoch"); !bytes.Equal(got, append(Prefix(KindMeta, 0), "epoch"...)) {
		t.Fatalf("MetaKey = %x", got)
	}
	if got := StateKey(nil, 5, []byte("g")); !bytes.HasPrefix(got, Prefix(KindState, 5)) {
		t.Fatalf("StateKey = %x", got)
	}
	if got := CatalogKey(3); !bytes.Equal(got, Prefix(KindCatalog, 3)) {
		t.Fatalf("CatalogKey = %x", got)
	}
}

func TestPrefixEnd(t *testing.T) {
	for _, tc := range []struct{ in, want []byte }{
		{[]byte{1, 2, 3}, []byte{1, 2, 4}},
		{[]byte{1, 0xff, 0xff}, []byte{2}},
		{[]byte{0xff}, nil},
		{nil, nil},
	} {
		in := append([]byte(nil), tc.in...)
		if got := PrefixEnd(in); !bytes.Equal(got, tc.want) {
			t.Errorf("PrefixEnd(%x) = %x, want %x", tc.in, got, tc.want)
		}
		if !bytes.Equal(in, tc.in) {
			t.Errorf("PrefixEnd modified its input %x", tc.in)
		}
	}
	// Every key of an object lies inside [Prefix, PrefixEnd(Prefix)), and the next object's doesn't.
	lo, hi := Prefix(KindTable, 0xff), PrefixEnd(Prefix(KindTable, 0xff))
	in := TableRowKey(nil, 0xff, []byte{0xff, 0xff})
	out := TableRowKey(nil, 0x100, nil)
	if bytes.Compare(in, lo) < 0 || bytes.Compare(in, hi) >= 0 || bytes.Compare(out, hi) < 0 {
		t.Fatalf("range [%x, %x) wrong for %x / %x", lo, hi, in, out)
	}
}

func TestOffsetKeyOrder(t *testing.T) {
	parts := []int32{-5, 0, 3, 1 << 30, -1 << 31, 1<<31 - 1}
	var keys [][]byte
	for _, p := range parts {
		k := OffsetKey(7, 9, p)
		src, got, err := DecodeOffsetKey(k)
		if err != nil || got != p || src != 9 {
			t.Fatalf("DecodeOffsetKey(OffsetKey(7, 9, %d)) = %d, %d, %v", p, src, got, err)
		}
		keys = append(keys, k)
	}
	sort.Slice(keys, func(i, j int) bool { return bytes.Compare(keys[i], keys[j]) < 0 })
	sort.Slice(parts, func(i, j int) bool { return parts[i] < parts[j] })
	for i, k := range keys {
		_, p, _ := DecodeOffsetKey(k)
		if p != parts[i] {
			t.Fatalf("offset keys out of numeric order: %v", fmt.Sprint(keys))
		}
	}
}

func TestDropObjectWithDeleteRange(t *testing.T) {
	db := openMem(t)
	defer db.Close()
	mustCommit(t, db, func(b *Batch) {
		for id := uint64(1); id <= 3; id++ {
			for r := 0; r < 5; r++ {
				set(t, b, string(TableRowKey(nil, id, []byte{byte(r), 0xff})), "x")
			}
		}
	})
	mustCommit(t, db, func(b *Batch) {
		p := Prefix(KindTable, 2)
		if err := b.DeleteRange(p, PrefixEnd(p)); err != nil {
			t.Fatal(err)
		}
	})
	count := func(id uint64) int {
		p := Prefix(KindTable, id)
		return len(scan(t, db, p, PrefixEnd(p)))
	}
	if count(1) != 5 || count(2) != 0 || count(3) != 5 {
		t.Fatalf("after drop: %d %d %d rows", count(1), count(2), count(3))
	}
}
