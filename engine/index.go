package engine

import (
	"bytes"
	"fmt"
	"slices"
	"strings"

	"github.com/apache/arrow-go/v18/arrow"

	"github.com/runnel-db/runnel/exec/rowcodec"
	"github.com/runnel-db/runnel/exec/sqlerr"
	"github.com/runnel-db/runnel/exec/types"
	"github.com/runnel-db/runnel/planner"
	"github.com/runnel-db/runnel/storage"
)

// Secondary indexes. A table's indexes (CREATE INDEX, and the unique index behind each UNIQUE
// constraint) live in its catalog entry. Each stored row copy has one entry per index:
//
//	key   = storage.IndexEntryKey(index id, canonical key encoding of the index columns ++ row key suffix)
//	value = empty
//
// where the row key suffix is the row's storage key without its 9-byte prefix (the 8-byte row id
// of a table without a primary key, the encoded primary key otherwise). Every change to a table
// writes and deletes its index entries in the same Pebble batch as the rows (layout.apply reports
// each stored row it writes or deletes to an indexWriter), so entries and rows always agree.
//
// A unique index rejects a new entry whose non-NULL index value already has an entry after the
// epoch's deletions (23505); NULLs never collide, as in PostgreSQL.

// index is one secondary index of a table, persisted in the table's catalog entry.
type index struct {
	ID      uint64 `json:"id"`
	Name    string `json:"name"`
	Columns []int  `json:"columns"`
	Unique  bool   `json:"unique,omitempty"`
	// Constraint says the index backs a UNIQUE constraint of CREATE TABLE (DROP INDEX refuses it).
	Constraint bool `json:"constraint,omitempty"`
}

// prefix is the common prefix of every entry of the index.
func (ix *index) prefix() []byte { return storage.Prefix(storage.KindIndex, ix.ID) }

// lookupIndex finds the index named name and the table it belongs to.
func (c *catalog) lookupIndex(schema, name string) (*object, *index) {
	if schema == "" {
		schema = DefaultSchema
	}
	for _, o := range c.byID {
		if o.Schema != schema {
			continue
		}
		for i := range o.Indexes {
			if o.Indexes[i].Name == name {
				return o, &o.Indexes[i]
			}
		}
	}
	return nil, nil
}

// chooseIndexName picks a free name as PostgreSQL does: table_col1_col2_suffix, then with 1, 2, …
// appended. taken holds names already chosen in the same statement.
func (c *catalog) chooseIndexName(schema, table string, cols []string, suffix string, taken map[string]bool) string {
	base := table + "_" + strings.Join(cols, "_")
	for n := 0; ; n++ {
		name := base + "_" + suffix
		if n > 0 {
			name = fmt.Sprintf("%s%d", name, n)
		}
		if !taken[name] && c.checkNameFree(schema, name) == nil {
			return name
		}
	}
}

// withIndexes returns a copy of table o whose index list is indexes (o itself is not changed:
// sessions may be reading it).
func (o *object) withIndexes(indexes []index) *object {
	cp := *o
	cp.Indexes = indexes
	return &cp
}

// indexWriter maintains the index entries of one table while its rows are written (one
// layout.apply call, then flush). Deletions go to the batch at once; new entries are buffered,
// checked against unique indexes and written in key order by flush, after every deletion of the
// change (Pebble's memtable also inserts sorted keys much faster than scattered ones).
type indexWriter struct {
	wb      *storage.Batch
	table   *object
	codec   *rowcodec.Codec
	indexes []index
	cols    []arrow.Array // the delta's columns (borrowed for the apply call)
	// pending are the new entries; checks the unique values among them, by index.
	pending [][]byte
	checks  [][]uniqueCheck
	// seen are the unique values (index prefix + value encoding) of pending entries.
	seen map[string]bool
}

// uniqueCheck is a new non-NULL value of a unique index and the delta row that brings it.
type uniqueCheck struct {
	value []byte
	row   int
}

// newIndexWriter returns the writer of o's index entries into wb, or nil when o has no index.
func newIndexWriter(wb *storage.Batch, o *object, l *layout) *indexWriter {
	if len(o.Indexes) == 0 {
		return nil
	}
	return &indexWriter{wb: wb, table: o, codec: l.codec, indexes: o.Indexes, checks: make([][]uniqueCheck, len(o.Indexes))}
}

// row is layout.apply's report of one stored row copy: row of cols was written under key
// (added) or the stored copy under key was deleted. It deletes that copy's entries, or buffers
// the new ones.
func (w *indexWriter) row(cols []arrow.Array, row int, key []byte, added bool) error {
	w.cols = cols
	suffix := key[storage.PrefixLen:]
	for i := range w.indexes {
		ix := &w.indexes[i]
		k := storage.IndexEntryKey(nil, ix.ID, nil)
		k = w.codec.AppendKey(k, cols, row, ix.Columns)
		valueEnd := len(k)
		k = append(k, suffix...)
		if !added {
			if err := w.wb.Delete(k); err != nil {
				return err
			}
			continue
		}
		if ix.Unique && !anyNull(cols, row, ix.Columns) {
			value := k[:valueEnd:valueEnd]
			if w.seen[string(value)] {
				return w.violation(ix, row)
			}
			if w.seen == nil {
				w.seen = map[string]bool{}
			}
			w.seen[string(value)] = true
			w.checks[i] = append(w.checks[i], uniqueCheck{value: value, row: row})
		}
		w.pending = append(w.pending, k)
	}
	return nil
}

func (w *indexWriter) violation(ix *index, row int) error {
	return &sqlerr.Error{Code: sqlerr.UniqueViolation,
		Message: fmt.Sprintf("duplicate key value violates unique constraint %q", ix.Name),
		Detail:  describeIndexKey(w.table, ix, w.cols, row) + " already exists."}
}

// flush checks the new values of unique indexes against the stored entries (after the change's
// deletions) and writes the buffered entries in key order.
func (w *indexWriter) flush() error {
	for i, checks := range w.checks {
		if len(checks) == 0 {
			continue
		}
		ix := &w.indexes[i]
		slices.SortFunc(checks, func(a, b uniqueCheck) int { return bytes.Compare(a.value, b.value) })
		p := ix.prefix()
		it, err := w.wb.NewIter(p, storage.PrefixEnd(p))
		if err != nil {
			return err
		}
		for _, c := range checks {
			if it.SeekGE(c.value) && bytes.HasPrefix(it.Key(), c.value) {
				it.Close()
				return w.violation(ix, c.row)
			}
		}
		if err := it.Close(); err != nil {
			return err
		}
	}
	slices.SortFunc(w.pending, bytes.Compare)
	for _, k := range w.pending {
		if err := w.wb.Set(k, nil); err != nil {
			return err
		}
	}
	return nil
}

func anyNull(cols []arrow.Array, row int, which []int) bool {
	for _, c := range which {
		if cols[c].IsNull(row) {
			return true
		}
	}
	return false
}

// describeIndexKey renders "Key (a, b)=(1, x)" for a unique-violation detail.
func describeIndexKey(o *object, ix *index, cols []arrow.Array, row int) string {
	names := make([]string, len(ix.Columns))
	vals := make([]string, len(ix.Columns))
	for i, c := range ix.Columns {
		names[i] = o.Columns[c].Name
		if cols[c].IsNull(row) {
			vals[i] = "null"
		} else {
			vals[i] = string(types.AppendText(nil, cols[c], row, o.Columns[c].Type, nil))
		}
	}
	return fmt.Sprintf("Key (%s)=(%s)", strings.Join(names, ", "), strings.Join(vals, ", "))
}

// dropIndexEntries deletes every entry of o's indexes (o is being dropped).
func dropIndexEntries(wb *storage.Batch, o *object) error {
	if o.Kind != planner.Table {
		return nil
	}
	for i := range o.Indexes {
		p := o.Indexes[i].prefix()
		if err := wb.DeleteRange(p, storage.PrefixEnd(p)); err != nil {
			return err
		}
	}
	return nil
}
