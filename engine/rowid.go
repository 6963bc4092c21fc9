package engine

import (
	"encoding/binary"
	"fmt"
	"slices"
	"sync"

	"github.com/runnel-db/runnel/exec/zset"
	"github.com/runnel-db/runnel/storage"
)

// Tables without a primary key are multisets whose rows (one per copy) have row ids that only
// grow. Rows are stored in blocks: one Pebble entry holds the rows one statement inserted, up to
// blockRows of them, under key = prefix + big-endian id of the block's last row. A row's storage
// key is still prefix + its own row id (index entries point at it, DELETE reports it), and the
// block that holds it is the first entry at or after that key. An epoch of 1,000 inserted rows
// is then one memtable insert and one key to flush and compact, not 1,000: per-row keys cost
// more in Pebble than everything else an insert does.
//
// A block's value is its rows in ascending row id order, each as
//
//	uvarint(last id - row id) uvarint(len(row)) row
//
// where row = uvarint length + the row's canonical key encoding (every column) + the exact forms
// of NUMERIC/INTERVAL columns. Deleting rows rewrites their block without them (or deletes it
// when none is left); the key stays, so row ids are never handed out twice. Retracting a row
// finds stored copies with the same canonical encoding (SQL equality) by scanning the table, as
// DELETE and UPDATE scan it anyway to evaluate their WHERE clause.

// blockRows is the most rows one block holds: enough that bulk inserts write few keys, few
// enough that deleting a row rewrites little.
const blockRows = 1024

// rowIDs hands out row ids per table. It is used under the engine's write lock.
type rowIDs struct {
	next map[uint64]*uint64 // table id → next row id; absent until first used
}

// allocator returns the row-id source for table id, reading the largest stored id from r the
// first time.
func (ids *rowIDs) allocator(r reader, id uint64) (func() uint64, error) {
	if ids.next == nil {
		ids.next = map[uint64]*uint64{}
	}
	n := ids.next[id]
	if n == nil {
		lower := storage.Prefix(storage.KindTable, id)
		it, err := r.NewIter(lower, storage.PrefixEnd(lower))
		if err != nil {
			return nil, err
		}
		first := uint64(1)
		if it.Last() {
			last, err := blockLastID(it.Key())
			if err != nil {
				it.Close()
				return nil, fmt.Errorf("table %d: %w", id, err)
			}
			first = last + 1
		}
		if err := it.Close(); err != nil {
			return nil, err
		}
		n = &first
		ids.next[id] = n
	}
	return func() uint64 {
		*n++
		return *n - 1
	}, nil
}

// forget drops the cached counter of a dropped table.
func (ids *rowIDs) forget(id uint64) { delete(ids.next, id) }

// blockLastID returns the id of the last row a block's key covers.
func blockLastID(key []byte) (uint64, error) {
	if len(key) != storage.PrefixLen+8 {
		return 0, fmt.Errorf("corrupt row block key %x", key)
	}
	return binary.BigEndian.Uint64(key[storage.PrefixLen:]), nil
}

// blockReader walks the rows of one block.
type blockReader struct {
	last uint64
	data []byte
	err  error
}

func newBlockReader(key, value []byte) blockReader {
	last, err := blockLastID(key)
	return blockReader{last: last, data: value, err: err}
}

// next returns the next row's id and value (borrowed from the block), or ok false at the end or on
// a corrupt block (see err).
func (b *blockReader) next() (id uint64, row []byte, ok bool) {
	if b.err != nil || len(b.data) == 0 {
		return 0, nil, false
	}
	off, k := binary.Uvarint(b.data)
	if k <= 0 || off > b.last {
		b.err = fmt.Errorf("corrupt row block at row id offset %x", b.data)
		return 0, nil, false
	}
	b.data = b.data[k:]
	n, k := binary.Uvarint(b.data)
	if k <= 0 || uint64(len(b.data)-k) < n {
		b.err = fmt.Errorf("corrupt row block at row length %x", b.data)
		return 0, nil, false
	}
	row = b.data[k : k+int(n)]
	b.data = b.data[k+int(n):]
	return b.last - off, row, true
}

// appendBlockRow appends a row of a block whose last row id is last.
func appendBlockRow(dst []byte, last, id uint64, row []byte) []byte {
	dst = binary.AppendUvarint(dst, last-id)
	dst = binary.AppendUvarint(dst, uint64(len(row)))
	return append(dst, row...)
}

// splitRowIDValue splits a stored row of a row-id table into the canonical key encoding and the
// exact tail.
func splitRowIDValue(v []byte) (canon, tail []byte, err error) {
	n, k := binary.Uvarint(v)
	if k <= 0 || uint64(len(v)-k) < n {
		return nil, nil, fmt.Errorf("corrupt row value %x", v)
	}
	return v[k : k+int(n)], v[k+int(n):], nil
}

// rowCopy is a copy of a row applyRowID inserts: its delta row, its id, and where its stored row
// is in the scratch rows.
type rowCopy struct {
	row        int
	id         uint64
	start, end int
}

// blockScratch is applyRowID's scratch space, kept from one statement to the next.
type blockScratch struct {
	copies      []rowCopy
	rows, block []byte
}

var blockScratches = sync.Pool{New: func() any { return new(blockScratch) }}

// applyRowID writes a delta into a row-id table: retractions delete stored copies with equal
// canonical encodings, insertions append copies under new row ids, in blocks.
// onRow (if not nil) is told of each copy deleted and written.
func (l *layout) applyRowID(wb *storage.Batch, delta zset.Batch, next func() uint64, onRow rowReport) error {
	cols, weights := delta.Cols(), delta.Weights()
	var need map[string]int64
	var rowOf map[string]int // canonical encoding → a delta row with it
	var canon []byte
	copies := 0
	for i, w := range weights {
		if w > 0 {
			copies += int(w)
			continue
		}
		if w < 0 {
			if need == nil {
				need, rowOf = map[string]int64{}, map[string]int{}
			}
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
	if copies == 0 {
		return nil
	}
	sc := blockScratches.Get().(*blockScratch)
	defer blockScratches.Put(sc)
	all := slices.Grow(sc.copies[:0], copies)
	rows := sc.rows[:0]
	for i, w := range weights {
		if w <= 0 {
			continue
		}
		start := len(rows)
		canon = l.codec.AppendKey(canon[:0], cols, i, l.keyCols)
		rows = binary.AppendUvarint(rows, uint64(len(canon)))
		rows = l.codec.AppendValue(append(rows, canon...), cols, i, l.valueCols)
		if start == 0 && cap(rows) < len(rows)*len(weights) { // room for the rest, guessed from the first
			rows = slices.Grow(rows, len(rows)*len(weights))
		}
		for ; w > 0; w-- {
			all = append(all, rowCopy{row: i, id: next(), start: start, end: len(rows)})
		}
	}
	sc.copies, sc.rows = all, rows
	key := storage.Prefix(storage.KindTable, l.id)
	block := sc.block[:0]
	defer func() { sc.block = block }()
	for len(all) > 0 {
		n := min(len(all), blockRows)
		last := all[n-1].id
		block = block[:0]
		for _, c := range all[:n] {
			block = appendBlockRow(block, last, c.id, rows[c.start:c.end])
		}
		key = binary.BigEndian.AppendUint64(key[:storage.PrefixLen], last)
		if err := wb.Set(key, block); err != nil {
			return err
		}
		if onRow != nil {
			for _, c := range all[:n] {
				key = binary.BigEndian.AppendUint64(key[:storage.PrefixLen], c.id)
				if err := onRow(cols, c.row, key, true); err != nil {
					return err
				}
			}
		}
		all = all[n:]
	}
	return nil
}

// deleteCopies deletes, for each canonical encoding in need, that many stored copies, telling
// report (if not nil) of each with its row's storage key.
func (l *layout) deleteCopies(wb *storage.Batch, need map[string]int64, report func(canon string, key []byte) error) error {
	lower := storage.Prefix(storage.KindTable, l.id)
	it, err := wb.NewIter(lower, storage.PrefixEnd(lower))
	if err != nil {
		return err
	}
	type rewrite struct{ key, value []byte } // value nil: the block is left empty
	var rewrites []rewrite
	var doomedKeys [][]byte
	var doomedCanon []string
	left := len(need)
	for ok := it.First(); ok && left > 0; ok = it.Next() {
		blk := newBlockReader(it.Key(), it.Value())
		var kept []byte
		changed := false
		for {
			id, row, ok := blk.next()
			if !ok {
				break
			}
			canon, _, err := splitRowIDValue(row)
			if err != nil {
				it.Close()
				return fmt.Errorf("table %d: %w", l.id, err)
			}
			if n := need[string(canon)]; n > 0 {
				changed = true
				doomedKeys = append(doomedKeys, binary.BigEndian.AppendUint64(storage.Prefix(storage.KindTable, l.id), id))
				doomedCanon = append(doomedCanon, string(canon))
				if need[string(canon)] = n - 1; n == 1 {
					left--
				}
				continue
			}
			kept = appendBlockRow(kept, blk.last, id, row)
		}
		if blk.err != nil {
			it.Close()
			return fmt.Errorf("table %d: %w", l.id, blk.err)
		}
		if changed {
			rewrites = append(rewrites, rewrite{key: append([]byte(nil), it.Key()...), value: kept})
		}
	}
	if err := it.Close(); err != nil {
		return err
	}
	if left > 0 {
		return fmt.Errorf("internal error: table %d: retracting rows that are not stored", l.id)
	}
	for _, r := range rewrites {
		var err error
		if len(r.value) == 0 {
			err = wb.Delete(r.key)
		} else {
			err = wb.Set(r.key, r.value)
		}
		if err != nil {
			return err
		}
	}
	if report != nil {
		for i, k := range doomedKeys {
			if err := report(doomedCanon[i], k); err != nil {
				return err
			}
		}
	}
	return nil
}
