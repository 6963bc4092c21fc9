package storage

import (
	"bytes"
	"fmt"
	"testing"
)

func openMem(t testing.TB) *DB {
	t.Helper()
	db, err := Open(DefaultOptions(MemoryDir))
	if err != nil {
		t.Fatal(err)
	}
	return db
}

func mustCommit(t testing.TB, db *DB, f func(b *Batch)) {
	t.Helper()
	b := db.NewBatch()
	defer b.Close()
	f(b)
	if err := b.Commit(true); err != nil {
		t.Fatal(err)
	}
}

func set(t testing.TB, b *Batch, k, v string) {
	t.Helper()
	if err := b.Set([]byte(k), []byte(v)); err != nil {
		t.Fatal(err)
	}
}

// scan returns "k=v" for each key in [lower, upper) of r.
func scan(t testing.TB, r Reader, lower, upper []byte) []string {
	t.Helper()
	it, err := r.NewIter(lower, upper)
	if err != nil {
		t.Fatal(err)
	}
	var out []string
	for ok := it.First(); ok; ok = it.Next() {
		out = append(out, fmt.Sprintf("%s=%s", it.Key(), it.Value()))
	}
	if err := it.Close(); err != nil {
		t.Fatal(err)
	}
	return out
}

func expectGet(t testing.TB, r Reader, key, want string, wantOK bool) {
	t.Helper()
	v, ok, err := r.Get([]byte(key))
	if err != nil {
		t.Fatal(err)
	}
	if ok != wantOK || string(v) != want {
		t.Fatalf("Get(%q) = %q, %v; want %q, %v", key, v, ok, want, wantOK)
	}
}

func TestPutGetScanDeleteRange(t *testing.T) {
	db := openMem(t)
	defer db.Close()
	mustCommit(t, db, func(b *Batch) {
		for _, k := range []string{"a1", "a2", "a3", "b1", "c1"} {
			set(t, b, k, "v"+k)
		}
	})
	expectGet(t, db, "a2", "va2", true)
	expectGet(t, db, "zz", "", false)
	if got, want := fmt.Sprint(scan(t, db, []byte("a"), PrefixEnd([]byte("a")))), "[a1=va1 a2=va2 a3=va3]"; got != want {
		t.Fatalf("scan a: got %s want %s", got, want)
	}
	mustCommit(t, db, func(b *Batch) {
		if err := b.DeleteRange([]byte("a"), PrefixEnd([]byte("a"))); err != nil {
			t.Fatal(err)
		}
		if err := b.Delete([]byte("c1")); err != nil {
			t.Fatal(err)
		}
	})
	if got, want := fmt.Sprint(scan(t, db, nil, nil)), "[b1=vb1]"; got != want {
		t.Fatalf("after deletes: got %s want %s", got, want)
	}
}

func TestGetReturnsCopy(t *testing.T) {
	db := openMem(t)
	defer db.Close()
	mustCommit(t, db, func(b *Batch) { set(t, b, "k", "value") })
	snap := db.NewSnapshot()
	defer snap.Close()
	v, _, err := snap.Get([]byte("k"))
	if err != nil {
		t.Fatal(err)
	}
	v[0] = 'X'
	expectGet(t, snap, "k", "value", true)
}

func TestBatchReadsOwnWrites(t *testing.T) {
	db := openMem(t)
	defer db.Close()
	mustCommit(t, db, func(b *Batch) {
		set(t, b, "k1", "old1")
		set(t, b, "k2", "old2")
		set(t, b, "k3", "old3")
	})
	b := db.NewBatch()
	defer b.Close()
	set(t, b, "k2", "new2")
	set(t, b, "k4", "new4")
	if err := b.Delete([]byte("k3")); err != nil {
		t.Fatal(err)
	}
	expectGet(t, b, "k1", "old1", true)
	expectGet(t, b, "k2", "new2", true)
	expectGet(t, b, "k3", "", false)
	if got, want := fmt.Sprint(scan(t, b, nil, nil)), "[k1=old1 k2=new2 k4=new4]"; got != want {
		t.Fatalf("batch scan: got %s want %s", got, want)
	}
	// Not committed: the database does not see the batch.
	expectGet(t, db, "k2", "old2", true)
	expectGet(t, db, "k4", "", false)

	// A range delete in the batch hides committed keys and the batch's earlier writes alike.
	if err := b.DeleteRange([]byte("k1"), []byte("k3")); err != nil {
		t.Fatal(err)
	}
	expectGet(t, b, "k1", "", false)
	expectGet(t, b, "k2", "", false)
	set(t, b, "k2", "newer2")
	if got, want := fmt.Sprint(scan(t, b, nil, nil)), "[k2=newer2 k4=new4]"; got != want {
		t.Fatalf("batch scan after range delete: got %s want %s", got, want)
	}
	if err := b.Commit(true); err != nil {
		t.Fatal(err)
	}
	if got, want := fmt.Sprint(scan(t, db, nil, nil)), "[k2=newer2 k4=new4]"; got != want {
		t.Fatalf("committed: got %s want %s", got, want)
	}
}

func TestWriteBatchRejectsReads(t *testing.T) {
	db := openMem(t)
	defer db.Close()
	b := db.NewWriteBatch()
	defer b.Close()
	set(t, b, "k", "v")
	if _, _, err := b.Get([]byte("k")); err == nil {
		t.Fatal("Get on a write-only batch succeeded")
	}
	if _, err := b.NewIter(nil, nil); err == nil {
		t.Fatal("NewIter on a write-only batch succeeded")
	}
	if err := b.Commit(false); err != nil {
		t.Fatal(err)
	}
	expectGet(t, db, "k", "v", true)
}

func TestSnapshotIsolation(t *testing.T) {
	db := openMem(t)
	defer db.Close()
	mustCommit(t, db, func(b *Batch) { set(t, b, "k1", "epoch1") })
	snap := db.NewSnapshot()
	defer snap.Close()
	mustCommit(t, db, func(b *Batch) {
		set(t, b, "k1", "epoch2")
		set(t, b, "k2", "epoch2")
	})
	expectGet(t, snap, "k1", "epoch1", true)
	expectGet(t, snap, "k2", "", false)
	if got, want := fmt.Sprint(scan(t, snap, nil, nil)), "[k1=epoch1]"; got != want {
		t.Fatalf("snapshot scan: got %s want %s", got, want)
	}
	snap2 := db.NewSnapshot()
	defer snap2.Close()
	if got, want := fmt.Sprint(scan(t, snap2, nil, nil)), "[k1=epoch2 k2=epoch2]"; got != want {
		t.Fatalf("new snapshot scan: got %s want %s", got, want)
	}
}

func TestReopenSeesCommittedNotUncommitted(t *testing.T) {
	dir := t.TempDir()
	db, err := Open(DefaultOptions(dir))
	if err != nil {
		t.Fatal(err)
	}
	if !db.Options().Sync {
		t.Fatal("DefaultOptions of a real directory must sync")
	}
	mustCommit(t, db, func(b *Batch) {
		set(t, b, string(MetaKey("epoch")), "7")
		set(t, b, string(TableRowKey(nil, 42, []byte("row"))), "data")
	})
	pending := db.NewBatch()
	set(t, pending, "lost", "x")
	if err := pending.Close(); err != nil { // closed without Commit
		t.Fatal(err)
	}
	if err := db.Close(); err != nil {
		t.Fatal(err)
	}

	db, err = Open(DefaultOptions(dir))
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	expectGet(t, db, string(MetaKey("epoch")), "7", true)
	expectGet(t, db, string(TableRowKey(nil, 42, []byte("row"))), "data", true)
	expectGet(t, db, "lost", "", false)
}

func TestMemoryIsNotShared(t *testing.T) {
	db1 := openMem(t)
	defer db1.Close()
	db2 := openMem(t)
	defer db2.Close()
	mustCommit(t, db1, func(b *Batch) { set(t, b, "k", "v") })
	expectGet(t, db2, "k", "", false)
	if db1.Options().Sync {
		t.Fatal("in-memory database must not sync")
	}
}

func TestOptionsValidation(t *testing.T) {
	if _, err := Open(Options{Dir: MemoryDir, CacheSize: -1}); err == nil {
		t.Fatal("negative CacheSize accepted")
	}
	o, err := Options{}.normalize()
	if err != nil {
		t.Fatal(err)
	}
	if o.Dir != DefaultDir || o.CacheSize != DefaultCacheSize {
		t.Fatalf("defaults not applied: %+v", o)
	}
	o, err = Options{Dir: MemoryDir, Sync: true}.normalize()
	if err != nil || o.Sync {
		t.Fatalf("memory options: %+v, %v", o, err)
	}
}

func TestIterSeekAndBounds(t *testing.T) {
	db := openMem(t)
	defer db.Close()
	mustCommit(t, db, func(b *Batch) {
		for i := 0; i < 10; i++ {
			set(t, b, fmt.Sprintf("k%d", i), fmt.Sprint(i))
		}
	})
	it, err := db.NewIter([]byte("k2"), []byte("k5"))
	if err != nil {
		t.Fatal(err)
	}
	if !it.SeekGE([]byte("k3")) || !bytes.Equal(it.Key(), []byte("k3")) {
		t.Fatalf("SeekGE k3 landed on %q", it.Key())
	}
	if !it.Next() || it.Next() || it.Valid() {
		t.Fatal("iterator went past its upper bound")
	}
	if err := it.Close(); err != nil {
		t.Fatal(err)
	}
}
