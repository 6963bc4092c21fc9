package engine

import (
	"encoding/binary"
	"fmt"

	"github.com/runnel-db/runnel/exec/zset"
	"github.com/runnel-db/runnel/storage"
)

// Tables without a primary key are multisets, stored one entry per copy of a row under a row id
// that only grows: key = prefix + big-endian row id, value = uvarint length + the row's canonical
// key encoding (every column) + the exact forms of NUMERIC/INTERVAL columns. Inserting appends at
// the end of the table's key range, which Pebble's memtable does cheaply, and needs no read.
// Retracting a row finds stored copies with the same canonical encoding (SQL equality) by scanning
// the table, as DELETE and UPDATE scan it anyway to evaluate their WHERE clause.

// rowIDs hands out row ids per table. It is used under the engine's write lock.
type rowIDs struct {
	next map[uint64]uint64 // table id → next row id; absent until first used
}

// allocator returns the row-id source for table id, reading the largest stored id from r the
// first time.
func (ids *rowIDs) allocator(r reader, id uint64) (func() uint64, error) {
	if ids.next == nil {
		ids.next = map[uint64]uint64{}
	}
	if _, ok := ids.next[id]; !ok {
		lower := storage.Prefix(storage.KindTable, id)
		it, err := r.NewIter(lower, storage.PrefixEnd(lower))
		if err != nil {
			return nil, err
		}
		n := uint64(1)
		if it.Last() {
			k := it.Key()[len(lower):]
			if len(k) != 8 {
				it.Close()
				return nil, fmt.Errorf("table %d: corrupt row id key %x", id, it.Key())
			}
			n = binary.BigEndian.Uint64(k) + 1
		}
		if err := it.Close(); err != nil {
			return nil, err
		}
		ids.next[id] = n
	}
	return func() uint64 {
		n := ids.next[id]
		ids.next[id] = n + 1
		return n
	}, nil
}

// forget drops the cached counter of a dropped table.
func (ids *rowIDs) forget(id uint64) { delete(ids.next, id) }

// splitRowIDValue splits a row-id table value into the canonical key encoding and the exact tail.
func splitRowIDValue(v []byte) (canon, tail []byte, err error) {
	n, k := binary.Uvarint(v)
	if k <= 0 || uint64(len(v)-k) < n {
		return nil, nil, fmt.Errorf("corrupt row value %x", v)
	}
	return v[k : k+int(n)], v[k+int(n):], nil
}

// applyRowID writes a delta into a row-id table: retractions delete stored copies with equal
// canonical encodings, insertions append copies under new row ids.
// onRow (if not nil) is told of each copy deleted and written.
func (l *layout) applyRowID(wb *storage.Batch, delta zset.Batch, next func() uint64, onRow rowReport) error {
	cols, weights := delta.Cols(), delta.Weights()
	need := map[string]int64{}
	rowOf := map[string]int{} // canonical encoding → a delta row with it
	var canon, val []byte
	for i, w := range weights {
		if w < 0 {
			canon = l.codec.AppendKey(canon[:0], cols, i, l.keyCols)
			need[string(canon)] -= w
			rowOf[string(canon)] = i
		}
	}
	if len(need) > 0 {
		var report func(canon string, key []byte) error
		if onRow != nil {
			report = func(canon string, key []byte) error { return onRow(cols, rowOf[canon], key, false) }
		}
		if err := l.deleteCopies(wb, need, report); err != nil {
			return err
		}
	}
	key := storage.Prefix(storage.KindTable, l.id)
	for i, w := range weights {
		if w <= 0 {
			continue
		}
		canon = l.codec.AppendKey(canon[:0], cols, i, l.keyCols)
		val = binary.AppendUvarint(val[:0], uint64(len(canon)))
		val = l.codec.AppendValue(append(val, canon...), cols, i, l.valueCols)
		for ; w > 0; w-- {
			key = binary.BigEndian.AppendUint64(key[:storage.PrefixLen], next())
			if err := wb.Set(key, val); err != nil {
				return err
			}
			if onRow != nil {
				if err := onRow(cols, i, key, true); err != nil {
					return err
				}
			}
		}
	}
	return nil
}

// deleteCopies deletes, for each canonical encoding in need, that many stored copies, telling
// report (if not nil) of each.
func (l *layout) deleteCopies(wb *storage.Batch, need map[string]int64, report func(canon string, key []byte) error) error {
	lower := storage.Prefix(storage.KindTable, l.id)
	it, err := wb.NewIter(lower, storage.PrefixEnd(lower))
	if err != nil {
		return err
	}
	var doomed [][]byte
	var doomedCanon []string
	left := len(need)
	for ok := it.First(); ok && left > 0; ok = it.Next() {
		canon, _, err := splitRowIDValue(it.Value())
		if err != nil {
			it.Close()
			return fmt.Errorf("table %d: %w", l.id, err)
		}
		if n := need[string(canon)]; n > 0 {
			doomed = append(doomed, append([]byte(nil), it.Key()...))
			doomedCanon = append(doomedCanon, string(canon))
			if need[string(canon)] = n - 1; n == 1 {
				left--
			}
		}
	}
	if err := it.Close(); err != nil {
		return err
	}
	if left > 0 {
		return fmt.Errorf("internal error: table %d: retracting rows that are not stored", l.id)
	}
	for i, k := range doomed {
		if err := wb.Delete(k); err != nil {
			return err
		}
		if report != nil {
			if err := report(doomedCanon[i], k); err != nil {
				return err
			}
		}
	}
	return nil
}
