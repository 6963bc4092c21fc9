package engine

import (
	"bytes"
	"fmt"

	"github.com/apache/arrow-go/v18/arrow"
	"github.com/apache/arrow-go/v18/arrow/memory"

	"github.com/runnel-db/runnel/exec/expr"
	"github.com/runnel-db/runnel/exec/types"
	"github.com/runnel-db/runnel/exec/zset"
	"github.com/runnel-db/runnel/storage"
)

// Index reads. When an ad-hoc query's or DML statement's filter on a table pins every column of
// one of its indexes with equalities, and the primary-key range does not apply, only the rows
// that index lists are read: a scan of the index range for the pinned values, then point reads
// of the rows by their storage keys. The statement's filter still runs over what is read.

// pickIndex returns the index of o whose columns pinned all covers (unique indexes first, then
// the one with the most columns), or nil.
func pickIndex(o *object, pinned map[int]types.Datum) *index {
	var best *index
	for i := range o.Indexes {
		ix := &o.Indexes[i]
		all := true
		for _, c := range ix.Columns {
			if _, ok := pinned[c]; !ok {
				all = false
				break
			}
		}
		if !all {
			continue
		}
		if best == nil || ix.Unique && !best.Unique || ix.Unique == best.Unique && len(ix.Columns) > len(best.Columns) {
			best = ix
		}
	}
	return best
}

// pinnedRow encodes pinned values as one row of a relation with colTypes (other columns NULL).
// The caller releases the arrays.
func pinnedRow(mem memory.Allocator, colTypes []types.T, pinned map[int]types.Datum) []arrow.Array {
	cols := make([]arrow.Array, len(colTypes))
	for i, t := range colTypes {
		var d types.Datum
		if v, ok := pinned[i]; ok {
			d = v
		}
		cols[i] = types.MakeArray(mem, t, []types.Datum{d})
	}
	return cols
}

// indexRange returns the range of index entries that holds every row of o satisfying pred, and
// false when pred pins no index completely.
func (l *layout) indexRange(ectx *expr.Context, mem memory.Allocator, o *object, pred expr.Expr) (lower, upper []byte, ok bool) {
	if len(o.Indexes) == 0 {
		return nil, nil, false
	}
	pinned := expr.KeyEqualities(ectx, pred)
	ix := pickIndex(o, pinned)
	if ix == nil {
		return nil, nil, false
	}
	cols := pinnedRow(mem, l.colTypes, pinned)
	defer func() {
		for _, c := range cols {
			c.Release()
		}
	}()
	lower = l.codec.AppendKey(ix.prefix(), cols, 0, ix.Columns)
	return lower, storage.PrefixEnd(lower), true
}

// readIndexed reads the rows listed by the index entries in [lower, upper) as one batch.
func (l *layout) readIndexed(r reader, mem memory.Allocator, colTypes []arrow.DataType, lower, upper []byte) (zset.Batch, error) {
	ix, err := r.NewIter(lower, upper)
	if err != nil {
		return zset.Batch{}, err
	}
	var keys [][]byte
	for ok := ix.First(); ok; ok = ix.Next() {
		keys = append(keys, storage.TableRowKey(nil, l.id, ix.Key()[len(lower):]))
	}
	if err := ix.Close(); err != nil {
		return zset.Batch{}, err
	}
	if len(keys) == 0 {
		return emptyBatch(mem, colTypes), nil
	}
	// Entries with equal values are in row key order, so one forward iterator serves them all.
	return l.readKeys(r, mem, keys, func(k []byte) error {
		return fmt.Errorf("internal error: relation %d: index entry for row %x without the row", l.id, k)
	})
}

// readKeys reads the stored rows with the given storage keys, in ascending order, with one
// iterator. A key without a row is skipped when missing is nil, else missing's error is returned.
func (l *layout) readKeys(r reader, mem memory.Allocator, keys [][]byte, missing func(key []byte) error) (zset.Batch, error) {
	table := l.prefix()
	it, err := r.NewIter(table, storage.PrefixEnd(table))
	if err != nil {
		return zset.Batch{}, err
	}
	defer it.Close()
	var parts []zset.Batch
	defer func() {
		for _, p := range parts {
			p.Release()
		}
	}()
	sink := l.newRowSink(mem, false, func(b zset.Batch, _ [][]byte) error {
		b.Retain()
		parts = append(parts, b)
		return nil
	})
	defer sink.release()
	for _, k := range keys {
		if l.rowid {
			found, err := sink.addFromBlock(it, k)
			if err != nil {
				return zset.Batch{}, err
			}
			if !found && missing != nil {
				return zset.Batch{}, missing(k)
			}
			continue
		}
		if !it.SeekGE(k) || !bytes.Equal(it.Key(), k) {
			if err := it.Error(); err != nil {
				return zset.Batch{}, err
			}
			if missing == nil {
				continue
			}
			return zset.Batch{}, missing(k)
		}
		if err := sink.add(it.Key(), it.Value()); err != nil {
			return zset.Batch{}, err
		}
	}
	if err := sink.flush(); err != nil {
		return zset.Batch{}, err
	}
	switch len(parts) {
	case 0:
		return emptyBatch(mem, arrowTypes(l.colTypes)), nil
	case 1:
		parts[0].Retain()
		return parts[0], nil
	}
	return zset.Concat(mem, parts), nil
}

// addFromBlock adds the row of a row-id table with storage key key, from the block it positions
// it at, and reports whether the row is stored.
func (s *rowSink) addFromBlock(it *storage.Iter, key []byte) (bool, error) {
	want, err := blockLastID(key)
	if err != nil {
		return false, err
	}
	if !it.SeekGE(key) {
		return false, it.Error()
	}
	blk := newBlockReader(it.Key(), it.Value())
	for {
		id, row, ok := blk.next()
		if !ok || id > want {
			break
		}
		if id == want {
			return true, s.addRowID(id, row)
		}
	}
	if blk.err != nil {
		return false, fmt.Errorf("relation %d: %w", s.l.id, blk.err)
	}
	return false, nil
}
