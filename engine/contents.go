package engine

import (
	"bytes"
	"cmp"
	"encoding/binary"
	"fmt"
	"slices"
	"strings"
	"sync"

	"github.com/apache/arrow-go/v18/arrow"
	"github.com/apache/arrow-go/v18/arrow/array"
	"github.com/apache/arrow-go/v18/arrow/memory"

	"github.com/runnel-db/runnel/exec/rowcodec"
	"github.com/runnel-db/runnel/exec/sqlerr"
	"github.com/runnel-db/runnel/exec/types"
	"github.com/runnel-db/runnel/exec/zset"
	"github.com/runnel-db/runnel/planner"
	"github.com/runnel-db/runnel/storage"
)

// Stored contents of tables and materialized views.
//
// Keyed relations store one Pebble entry per row: key = the order-preserving encoding of the key
// columns, value = the other columns. Tables are keyed by their primary key; materialized views
// whose dataflow output is a set are keyed by a unique key the planner proves (the group columns
// of an aggregate, all columns of a DISTINCT). Every other relation (tables without a key, other
// views) is a multiset stored as a Z-set: key = the encoding of the whole row, value = its
// multiplicity as a varint (storage.AppendZSetValue). All are under the relation's own prefix.
//
// Adding copies of a multiset row is a Pebble merge operand that never reads first; a retraction
// reads the multiplicity and writes the rest back, or deletes the entry at zero. Keyed views
// overwrite and delete without reading; keyed tables read to enforce the primary key.

// layout says how one relation's rows map to Pebble entries.
//
// Keys hold canonical forms (NUMERIC 1.50 and 1.5 share a key, as SQL equality demands), so
// columns whose exact form a key would lose (NUMERIC display scale, INTERVAL fields, the sign of
// a float zero) are also
// written elsewhere and read back from there ("exact" columns): into the value of keyed and
// row-id relations, and as a key suffix of multisets, whose rows are Z-set rows with exact
// identity (3 and 3.0 are two rows there).
type layout struct {
	id        uint64
	kind      storage.Kind // the key kind the rows are under: table rows, view rows or operator state
	codec     *rowcodec.Codec
	keyCols   []int  // the key columns, or every column of a multiset
	valueCols []int  // columns stored in the value: non-key columns, then exact key columns
	exact     []bool // by column: a key column decoded from the value instead
	keyed     bool
	// unique means keyed by columns the data guarantees unique (a view whose dataflow output is
	// a set), so updates overwrite and delete without reading anything first.
	unique bool
	// rowid means a table without a primary key: each stored row (one per copy) is keyed by a
	// row id that only grows, so inserts append; see rowid.go.
	rowid bool
	// exactInKey means a multiset whose keys end with the exact forms of its NUMERIC/INTERVAL
	// columns and a uint16 length of them (see rowKey).
	exactInKey bool
	colNames   []string
	colTypes   []types.T
}

func layoutOf(o *object) *layout {
	kind := storage.KindTable
	if o.Kind == planner.MaterializedView {
		kind = storage.KindView
	}
	l := &layout{id: o.ID, kind: kind, codec: rowcodec.New(o.columnTypes()), colTypes: o.columnTypes()}
	for _, c := range o.Columns {
		l.colNames = append(l.colNames, c.Name)
	}
	l.exact = make([]bool, len(o.Columns))
	key, keyed := o.PrimaryKey, o.Kind == planner.Table && len(o.PrimaryKey) > 0
	if o.Kind == planner.MaterializedView && o.ViewKeyed {
		key, keyed, l.unique = o.ViewKey, true, true
	}
	l.rowid = o.Kind == planner.Table && !keyed
	if keyed {
		l.keyed = true
		l.keyCols = key
		inKey := map[int]bool{}
		for _, k := range key {
			inKey[k] = true
		}
		for i := range o.Columns {
			if !inKey[i] {
				l.valueCols = append(l.valueCols, i)
			}
		}
	} else {
		l.keyCols = make([]int, len(o.Columns))
		for i := range o.Columns {
			l.keyCols[i] = i
		}
	}
	l.markExact()
	return l
}

// markExact finds the key columns whose exact form the key encoding loses (arrays among them: their
// elements may be any of those).
func (l *layout) markExact() {
	for _, k := range l.keyCols {
		if kind := l.colTypes[k].Kind; kind == types.Numeric || kind == types.Interval || l.colTypes[k].IsFloat() || kind == types.Array {
			l.exact[k] = true
			l.valueCols = append(l.valueCols, k)
		}
	}
	// A multiset's rows are Z-set rows, whose identity is exact (3 and 3.0 are two rows): the
	// exact forms join the key as a suffix, and the value is only the multiplicity.
	l.exactInKey = !l.keyed && !l.rowid && len(l.valueCols) > 0
}

func (l *layout) prefix() []byte { return storage.Prefix(l.kind, l.id) }

func (l *layout) rowKey(dst []byte, cols []arrow.Array, row int) []byte {
	dst = storage.AppendPrefix(dst, l.kind, l.id)
	dst = l.codec.AppendKey(dst, cols, row, l.keyCols)
	if l.exactInKey {
		start := len(dst)
		dst = l.codec.AppendValue(dst, cols, row, l.valueCols)
		dst = binary.BigEndian.AppendUint16(dst, uint16(len(dst)-start))
	}
	return dst
}

// splitExactKey splits an exactInKey row key into its canonical encoding and exact suffix.
func splitExactKey(key []byte) (canon, exact []byte, err error) {
	if len(key) < 2 {
		return nil, nil, fmt.Errorf("corrupt row key %x", key)
	}
	n := int(binary.BigEndian.Uint16(key[len(key)-2:]))
	if n > len(key)-2 {
		return nil, nil, fmt.Errorf("corrupt row key %x", key)
	}
	return key[:len(key)-2-n], key[len(key)-2-n : len(key)-2], nil
}

// reader is what scans need: a snapshot or an indexed batch.
type reader interface {
	NewIter(lower, upper []byte) (*storage.Iter, error)
}

// chunkRows is the number of rows per batch a scan produces.
const chunkRows = 4096

// scan reads the relation's whole contents as consolidated Z-set batches of up to chunkRows
// rows, calling fn with each (borrowed).
func (l *layout) scan(r reader, mem memory.Allocator, fn func(zset.Batch) error) error {
	lower := l.prefix()
	return l.scanRange(r, mem, lower, storage.PrefixEnd(lower), fn)
}

// scanRange is scan restricted to the storage keys in [lower, upper).
func (l *layout) scanRange(r reader, mem memory.Allocator, lower, upper []byte, fn func(zset.Batch) error) error {
	return l.scanRangeKeys(r, mem, lower, upper, false, func(b zset.Batch, _ [][]byte) error { return fn(b) })
}

// scanRangeKeys is scanRange that also hands fn the storage key of each row when withKeys is set
// (keys[i] is row i's; borrowed like the batch).
func (l *layout) scanRangeKeys(r reader, mem memory.Allocator, lower, upper []byte, withKeys bool, fn func(zset.Batch, [][]byte) error) error {
	it, err := r.NewIter(lower, upper)
	if err != nil {
		return err
	}
	defer it.Close()
	sink := l.newRowSink(mem, withKeys, fn)
	defer sink.release()
	for it.First(); it.Valid(); it.Next() {
		if err := sink.add(it.Key(), it.Value()); err != nil {
			return err
		}
	}
	if err := it.Error(); err != nil {
		return err
	}
	return sink.flush()
}

// rowSink decodes stored entries of a relation into batches of up to chunkRows rows.
type rowSink struct {
	l        *layout
	dec      *rowcodec.Decoder
	weights  *array.Int64Builder
	withKeys bool
	keys     [][]byte
	fn       func(zset.Batch, [][]byte) error
}

func (l *layout) newRowSink(mem memory.Allocator, withKeys bool, fn func(zset.Batch, [][]byte) error) *rowSink {
	return &rowSink{l: l, dec: l.codec.NewDecoder(mem), weights: array.NewInt64Builder(mem), withKeys: withKeys, fn: fn}
}

func (s *rowSink) release() {
	s.dec.Release()
	s.weights.Release()
}

// add decodes one stored entry (key and value are borrowed): a row, or a block of rows of a
// row-id table.
func (s *rowSink) add(storageKey, value []byte) error {
	l := s.l
	if l.rowid {
		blk := newBlockReader(storageKey, value)
		for {
			id, row, ok := blk.next()
			if !ok {
				break
			}
			if err := s.addRowID(id, row); err != nil {
				return err
			}
		}
		if blk.err != nil {
			return fmt.Errorf("relation %d: %w", l.id, blk.err)
		}
		return nil
	}
	// key: the canonical encoding; exact: where the exact forms of lossy columns are.
	key, exact := storageKey[storage.PrefixLen:], value
	n := int64(1)
	var err error
	if !l.keyed {
		if n, _, err = storage.DecodeZSetValue(exact); err == nil && n <= 0 {
			err = fmt.Errorf("internal error: a row with multiplicity %d", n)
		}
		exact = nil
		if err == nil && l.exactInKey {
			key, exact, err = splitExactKey(key)
		}
	}
	if err != nil {
		return fmt.Errorf("relation %d: %w", l.id, err)
	}
	return s.decode(storageKey, key, exact, n)
}

// addRowID decodes the stored row of a row-id table with row id id (row is borrowed).
func (s *rowSink) addRowID(id uint64, row []byte) error {
	key, exact, err := splitRowIDValue(row)
	if err != nil {
		return fmt.Errorf("relation %d: %w", s.l.id, err)
	}
	var storageKey []byte
	if s.withKeys {
		storageKey = binary.BigEndian.AppendUint64(s.l.prefix(), id)
	}
	return s.decode(storageKey, key, exact, 1)
}

// decode appends the row with canonical key encoding key, exact forms (or value columns) exact
// and multiplicity n; storageKey is kept when the sink hands out keys.
func (s *rowSink) decode(storageKey, key, exact []byte, n int64) error {
	l := s.l
	if err := s.dec.DecodeKeyExcept(key, l.keyCols, l.exact); err != nil {
		return fmt.Errorf("decode row of relation %d: %w", l.id, err)
	}
	if err := s.dec.DecodeValue(exact, l.valueCols); err != nil {
		return fmt.Errorf("decode row of relation %d: %w", l.id, err)
	}
	s.weights.Append(n)
	if s.withKeys {
		s.keys = append(s.keys, append([]byte(nil), storageKey...))
	}
	if s.dec.Len() >= chunkRows {
		return s.flush()
	}
	return nil
}

// flush hands the rows decoded so far to fn.
func (s *rowSink) flush() error {
	if s.dec.Len() == 0 {
		return nil
	}
	cols := s.dec.Finish()
	w := s.weights.NewArray()
	b := zset.New(cols, w)
	for _, c := range cols {
		c.Release()
	}
	w.Release()
	defer b.Release()
	keys := s.keys
	s.keys = nil
	return s.fn(b, keys)
}

// readAll reads the relation's whole contents as one batch (the caller releases it).
func (l *layout) readAll(r reader, mem memory.Allocator, colTypes []arrow.DataType) (zset.Batch, error) {
	lower := l.prefix()
	return l.readRange(r, mem, colTypes, lower, storage.PrefixEnd(lower))
}

// readRange reads the rows with storage keys in [lower, upper) as one batch.
func (l *layout) readRange(r reader, mem memory.Allocator, colTypes []arrow.DataType, lower, upper []byte) (zset.Batch, error) {
	var parts []zset.Batch
	defer func() {
		for _, p := range parts {
			p.Release()
		}
	}()
	err := l.scanRange(r, mem, lower, upper, func(b zset.Batch) error {
		b.Retain()
		parts = append(parts, b)
		return nil
	})
	if err != nil {
		return zset.Batch{}, err
	}
	if len(parts) == 1 {
		parts[0].Retain()
		return parts[0], nil
	}
	if len(parts) == 0 {
		return emptyBatch(mem, colTypes), nil
	}
	return zset.Concat(mem, parts), nil
}

func emptyBatch(mem memory.Allocator, colTypes []arrow.DataType) zset.Batch {
	cols := make([]arrow.Array, len(colTypes))
	for i, t := range colTypes {
		cols[i] = array.MakeArrayOfNull(mem, t, 0)
	}
	w := array.NewInt64Builder(mem)
	wa := w.NewArray()
	w.Release()
	b := zset.New(cols, wa)
	for _, c := range cols {
		c.Release()
	}
	wa.Release()
	return b
}

// rowReport is told of each stored row copy a table change writes (added) or deletes: its
// values are row of cols, its storage key is key (borrowed).
type rowReport func(cols []arrow.Array, row int, key []byte, added bool) error

// apply writes a consolidated delta into the relation's stored contents within batch wb.
// For keyed tables it enforces the primary key (23505); for multisets it keeps multiplicities.
// For row-id tables, next allocates row ids; other layouts ignore it. For tables (keyed or
// row-id), onRow (if not nil) is told of every stored row written or deleted, deletions first.
func (l *layout) apply(wb *storage.Batch, delta zset.Batch, name string, next func() uint64, onRow rowReport) error {
	cols := delta.Cols()
	weights := delta.Weights()
	if l.rowid {
		return l.applyRowID(wb, delta, next, onRow)
	}
	keys := l.sortedKeys(cols, len(weights))
	defer keys.release()
	var val []byte
	if l.unique {
		// Rows with equal keys are adjacent in key order: a run with an insertion overwrites the
		// stored row, a run of retractions only deletes it.
		for r := 0; r < len(keys.order); {
			end, ins := r, -1
			for ; end < len(keys.order) && bytes.Equal(keys.key(keys.order[end]), keys.key(keys.order[r])); end++ {
				if i := keys.order[end]; weights[i] > 0 {
					if weights[i] != 1 || ins >= 0 {
						return fmt.Errorf("internal error: view %d: key not unique in a delta", l.id)
					}
					ins = i
				}
			}
			var err error
			if val, err = l.putUnique(wb, keys.key(keys.order[r]), cols, ins, val); err != nil {
				return err
			}
			r = end
		}
		return nil
	}
	if l.keyed {
		// Deletions first, so that an update of a row's non-key columns (−old, +new with the same
		// key) and a key change that frees a key both work.
		for pass := 0; pass < 2; pass++ {
			for _, i := range keys.order {
				w := weights[i]
				if (pass == 0) != (w < 0) {
					continue
				}
				key := keys.key(i)
				_, found, err := wb.Get(key)
				if err != nil {
					return err
				}
				switch {
				case w < 0:
					if !found || w != -1 {
						return fmt.Errorf("internal error: relation %d: deleting a row that is not stored", l.id)
					}
					if err := wb.Delete(key); err != nil {
						return err
					}
					if onRow != nil {
						if err := onRow(cols, i, key, false); err != nil {
							return err
						}
					}
				case found || w > 1:
					return &sqlerr.Error{Code: sqlerr.UniqueViolation,
						Message: fmt.Sprintf("duplicate key value violates unique constraint %q", name+"_pkey"),
						Detail:  l.describeKey(cols, i)}
				default:
					val = l.codec.AppendValue(val[:0], cols, i, l.valueCols)
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
		}
		return nil
	}
	// Retractions first, then additions (merge operands that need no read).
	for _, i := range keys.order {
		if w := weights[i]; w < 0 {
			if err := l.retract(wb, keys.key(i), w); err != nil {
				return err
			}
		}
	}
	for _, i := range keys.order {
		if w := weights[i]; w > 0 {
			val = storage.AppendZSetValue(val[:0], w, nil)
			if err := wb.Merge(keys.key(i), val); err != nil {
				return err
			}
		}
	}
	return nil
}

// putUnique writes a uniquely keyed view's row under key: row ins of cols, or none when ins < 0.
// val is scratch space, returned for reuse.
func (l *layout) putUnique(wb *storage.Batch, key []byte, cols []arrow.Array, ins int, val []byte) ([]byte, error) {
	if ins < 0 {
		return val, wb.Delete(key)
	}
	val = l.codec.AppendValue(val[:0], cols, ins, l.valueCols)
	return val, wb.Set(key, val)
}

// retract lowers a multiset entry's multiplicity by -w, deleting it at zero.
func (l *layout) retract(wb *storage.Batch, key []byte, w int64) error {
	old, found, err := wb.Get(key)
	if err != nil {
		return err
	}
	n, tail := int64(0), []byte(nil)
	if found {
		if n, tail, err = storage.DecodeZSetValue(old); err != nil {
			return err
		}
	}
	switch n += w; {
	case n < 0:
		return fmt.Errorf("internal error: relation %d: retracting a row that is not stored", l.id)
	case n == 0:
		return wb.Delete(key)
	default:
		return wb.Set(key, storage.AppendZSetValue(nil, n, tail))
	}
}

// rowKeys are the storage keys of a delta's rows and the rows in key order. Writing an epoch in
// key order lets Pebble's memtable insert each key next to the previous one instead of searching
// its skiplist from the top.
type rowKeys struct {
	buf   []byte
	ends  []int
	order []int
	heads []keyHead // sorting scratch
}

func (k *rowKeys) key(i int) []byte {
	start := 0
	if i > 0 {
		start = k.ends[i-1]
	}
	return k.buf[start:k.ends[i]]
}

// rowKeysPool keeps the buffers of rowKeys between epochs: an epoch over a source writes
// hundreds of thousands of keys, and allocating their buffers anew each time feeds the GC.
var rowKeysPool = sync.Pool{New: func() any { return new(rowKeys) }}

// release returns k's buffers for reuse; k must not be used afterwards.
func (k *rowKeys) release() { rowKeysPool.Put(k) }

func (l *layout) sortedKeys(cols []arrow.Array, n int) *rowKeys {
	k := rowKeysPool.Get().(*rowKeys)
	k.buf = k.buf[:0]
	k.ends = slices.Grow(k.ends[:0], n)[:n]
	k.order = slices.Grow(k.order[:0], n)[:n]
	for i := 0; i < n; i++ {
		k.buf = l.rowKey(k.buf, cols, i)
		k.ends[i] = len(k.buf)
	}
	// Sort by the first 16 bytes after the prefix every key shares, as two big-endian integers,
	// and the length: that decides every comparison between keys of at most 16 bytes (most keys)
	// without touching them. Rows with equal keys keep their order (view_log.go relies on it).
	k.heads = slices.Grow(k.heads[:0], n)[:n]
	heads := k.heads
	for i := range heads {
		var b [16]byte
		key := k.key(i)[storage.PrefixLen:]
		copy(b[:], key)
		heads[i] = keyHead{binary.BigEndian.Uint64(b[:8]), binary.BigEndian.Uint64(b[8:]), int32(len(key)), int32(i)}
	}
	slices.SortFunc(heads, func(a, b keyHead) int {
		switch {
		case a.hi != b.hi:
			return cmp.Compare(a.hi, b.hi)
		case a.lo != b.lo:
			return cmp.Compare(a.lo, b.lo)
		case a.n != b.n && a.n <= 16 && b.n <= 16:
			return cmp.Compare(a.n, b.n) // equal 16-byte heads: the shorter is a prefix of the longer
		case a.n > 16 || b.n > 16:
			if c := bytes.Compare(k.key(int(a.row)), k.key(int(b.row))); c != 0 {
				return c
			}
		}
		return cmp.Compare(a.row, b.row) // equal keys stay in row order
	})
	for i, h := range heads {
		k.order[i] = int(h.row)
	}
	return k
}

// keyHead is a key's first 16 bytes after its prefix (zero-padded), its length and its row.
type keyHead struct {
	hi, lo uint64
	n      int32
	row    int32
}

// describeKey renders PostgreSQL's unique-violation detail: Key (a, b)=(1, x) already exists.
func (l *layout) describeKey(cols []arrow.Array, row int) string {
	var names, vals []string
	for _, k := range l.keyCols {
		names = append(names, l.colNames[k])
		if cols[k].IsNull(row) {
			vals = append(vals, "null")
		} else {
			vals = append(vals, string(types.AppendText(nil, cols[k], row, l.colTypes[k], nil)))
		}
	}
	return fmt.Sprintf("Key (%s)=(%s) already exists.", strings.Join(names, ", "), strings.Join(vals, ", "))
}

// pointDeleteLimit is the number of rows up to which dropping a relation deletes its keys one
// by one: every range tombstone in the memtable slows the creation of every later iterator, and
// sessions that create and drop many small views would pile them up.
const pointDeleteLimit = 1024

// dropContents removes every stored row of the relation.
func (l *layout) dropContents(wb *storage.Batch) error {
	p := l.prefix()
	return deleteKeys(wb, p, storage.PrefixEnd(p))
}

// deleteKeys deletes every key in [lower, upper): one by one when there are few (a range
// tombstone costs every later read that crosses it until compaction), by a range deletion when
// there are more than pointDeleteLimit.
func deleteKeys(wb *storage.Batch, lower, upper []byte) error {
	it, err := wb.NewIter(lower, upper)
	if err != nil {
		return err
	}
	var keys [][]byte
	for ok := it.First(); ok && len(keys) <= pointDeleteLimit; ok = it.Next() {
		keys = append(keys, append([]byte(nil), it.Key()...))
	}
	if err := it.Close(); err != nil {
		return err
	}
	if len(keys) > pointDeleteLimit {
		return wb.DeleteRange(lower, upper)
	}
	for _, k := range keys {
		if err := wb.Delete(k); err != nil {
			return err
		}
	}
	return nil
}
