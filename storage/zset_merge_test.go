package storage

import (
	"testing"
)

// TestZSetMergeSums checks that merge operands sum multiplicities across batches and commits,
// keep the oldest tail, are read through an indexed batch, and are shadowed by a Delete.
func TestZSetMergeSums(t *testing.T) {
	db, err := Open(DefaultOptions(MemoryDir))
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	key := []byte("k")
	commit := func(ops ...[]byte) {
		b := db.NewBatch()
		defer b.Close()
		for _, op := range ops {
			if err := b.Merge(key, op); err != nil {
				t.Fatal(err)
			}
		}
		if err := b.Commit(false); err != nil {
			t.Fatal(err)
		}
	}
	get := func() (int64, string, bool) {
		v, ok, err := db.Get(key)
		if err != nil {
			t.Fatal(err)
		}
		if !ok {
			return 0, "", false
		}
		n, tail, err := DecodeZSetValue(v)
		if err != nil {
			t.Fatal(err)
		}
		return n, string(tail), true
	}
	commit(AppendZSetValue(nil, 2, []byte("first")), AppendZSetValue(nil, 1, []byte("second")))
	if n, tail, ok := get(); !ok || n != 3 || tail != "first" {
		t.Fatalf("after +2,+1: %d %q %v; want 3 \"first\"", n, tail, ok)
	}
	commit(AppendZSetValue(nil, -1, []byte("other")))
	if n, tail, _ := get(); n != 2 || tail != "first" {
		t.Fatalf("after -1: %d %q; want 2 \"first\"", n, tail)
	}
	// Read-your-writes inside an indexed batch sees the merged value too.
	b := db.NewBatch()
	if err := b.Merge(key, AppendZSetValue(nil, 5, nil)); err != nil {
		t.Fatal(err)
	}
	v, ok, err := b.Get(key)
	if err != nil || !ok {
		t.Fatalf("batch Get: ok=%v err=%v", ok, err)
	}
	if n, tail, _ := DecodeZSetValue(v); n != 7 || string(tail) != "first" {
		t.Fatalf("batch Get after +5: %d %q; want 7 \"first\"", n, tail)
	}
	// A Delete shadows every older operand.
	if err := b.Delete(key); err != nil {
		t.Fatal(err)
	}
	if err := b.Commit(false); err != nil {
		t.Fatal(err)
	}
	b.Close()
	if _, _, ok := get(); ok {
		t.Fatal("deleted entry is still visible")
	}
	commit(AppendZSetValue(nil, 1, []byte("again")))
	if n, tail, _ := get(); n != 1 || tail != "again" {
		t.Fatalf("after re-adding: %d %q; want 1 \"again\"", n, tail)
	}
}
