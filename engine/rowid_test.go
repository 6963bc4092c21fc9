package engine

import (
	"encoding/binary"
	"fmt"
	"math/rand"
	"slices"
	"strings"
	"testing"

	"github.com/runnel-db/runnel/storage"
)

// TestRowBlocksEqualKeyedTwin applies the same random changes to a table without a primary key
// (rows in blocks) and to a keyed twin, with inserts that fill several blocks, deletes and
// updates that empty some and punch holes in others, index reads into them and restarts. After
// every change both tables, and an index lookup on each, hold the same rows.
func TestRowBlocksEqualKeyedTwin(t *testing.T) {
	e, s := openDir(t, `CREATE TABLE b (id int, v int, n numeric); CREATE INDEX b_v ON b (v);
		CREATE TABLE k (id int PRIMARY KEY, v int, n numeric)`)
	rng := rand.New(rand.NewSource(3))
	next := 0
	same := func(what, q string) {
		t.Helper()
		got, want := mustQuery(t, s, strings.ReplaceAll(q, "TBL", "b")), mustQuery(t, s, strings.ReplaceAll(q, "TBL", "k"))
		if !slices.Equal(got, want) {
			t.Fatalf("%s: %q gives %d rows on the blocks, %d on the twin; first difference in %.200q vs %.200q",
				what, q, len(got), len(want), got, want)
		}
	}
	for step := 0; step < 60; step++ {
		var change string
		switch r := rng.Intn(10); {
		case r < 4: // from 1 row to a few blocks' worth
			n := []int{1, 3, blockRows - 1, blockRows, blockRows + 1, 2*blockRows + 500}[rng.Intn(6)]
			change = fmt.Sprintf("INSERT INTO TBL SELECT i, i %% 97, (i %% 13)::numeric / 4 FROM generate_series(%d, %d) i", next, next+n-1)
			next += n
		case r < 6:
			change = fmt.Sprintf("DELETE FROM TBL WHERE id %% %d = %d", rng.Intn(5)+1, rng.Intn(3))
		case r < 8:
			change = fmt.Sprintf("UPDATE TBL SET v = v + 1, n = n * 2 WHERE v = %d OR id < %d", rng.Intn(97), rng.Intn(next+1))
		case r < 9:
			change = fmt.Sprintf("DELETE FROM TBL WHERE id BETWEEN %d AND %d", rng.Intn(next+1), rng.Intn(next+1)+blockRows)
		default:
			e = reopen(t, e)
			s = newSession(t, e)
			same("after a restart", "SELECT id, v, n FROM TBL ORDER BY id")
			continue
		}
		mustQuery(t, s, strings.ReplaceAll(change, "TBL", "b"))
		mustQuery(t, s, strings.ReplaceAll(change, "TBL", "k"))
		same(change, "SELECT id, v, n FROM TBL ORDER BY id")
		same(change, fmt.Sprintf("SELECT id, v, n FROM TBL WHERE v = %d ORDER BY id", rng.Intn(98)))
	}
	// Row ids are never handed out twice: the blocks' keys cover every id used.
	var ids []uint64
	lower := storage.Prefix(storage.KindTable, e.cat.lookup("", "b").ID)
	it, err := e.db.NewIter(lower, storage.PrefixEnd(lower))
	if err != nil {
		t.Fatal(err)
	}
	for it.First(); it.Valid(); it.Next() {
		blk := newBlockReader(it.Key(), it.Value())
		for id, _, ok := blk.next(); ok; id, _, ok = blk.next() {
			ids = append(ids, id)
		}
		if blk.err != nil {
			t.Fatal(blk.err)
		}
	}
	if err := it.Close(); err != nil {
		t.Fatal(err)
	}
	if !slices.IsSorted(ids) || len(slices.Compact(slices.Clone(ids))) != len(ids) {
		t.Fatalf("row ids not ascending and distinct across blocks")
	}
	if got := mustQuery(t, s, "SELECT count(*) FROM b"); got[0] != fmt.Sprint(len(ids)) {
		t.Fatalf("count(*) = %s, blocks hold %d rows", got[0], len(ids))
	}
}

// TestOtherStorageFormatsAreRefused checks that a data directory in another layout is refused
// with an error saying why, not read as if it were this one.
func TestOtherStorageFormatsAreRefused(t *testing.T) {
	e, _ := openDir(t, "CREATE TABLE t (a int); INSERT INTO t VALUES (1)")
	opts := e.opts
	if err := e.Close(); err != nil {
		t.Fatal(err)
	}
	for _, tc := range []struct {
		format []byte // nil: no record, as before formats were recorded
		want   string
	}{
		{binary.BigEndian.AppendUint64(nil, storageFormat+1), "holds storage format 3"},
		{nil, "earlier build of Runnel (storage format 1)"},
	} {
		db, err := storage.Open(storage.Options{Dir: opts.DataDir})
		if err != nil {
			t.Fatal(err)
		}
		wb := db.NewWriteBatch()
		if tc.format == nil {
			err = wb.Delete(storage.MetaKey(metaFormat))
		} else {
			err = wb.Set(storage.MetaKey(metaFormat), tc.format)
		}
		if err != nil || wb.Commit(true) != nil {
			t.Fatal(err)
		}
		wb.Close()
		if err := db.Close(); err != nil {
			t.Fatal(err)
		}
		if e, err := Open(opts); err == nil || !strings.Contains(err.Error(), tc.want) {
			if err == nil {
				e.Close()
			}
			t.Fatalf("Open = %v, want an error saying %q", err, tc.want)
		}
	}
}
