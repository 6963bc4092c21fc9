package engine

import (
	"github.com/apache/arrow-go/v18/arrow/memory"

	"github.com/runnel-db/runnel/exec"
	"github.com/runnel-db/runnel/exec/expr"
	"github.com/runnel-db/runnel/exec/zset"
	"github.com/runnel-db/runnel/storage"
)

// Point and prefix reads. When an ad-hoc query filters a keyed relation (a table by its primary
// key, a materialized view by its unique key) with equalities on a leading part of the key —
// SELECT … FROM totals WHERE customer = 'alice' — only that key range is read instead of the
// whole relation (DESIGN.md §6). The query's filter still runs over what is read, so reading a
// superset is always safe.

// keyRange returns the storage key range that holds every row of l satisfying pred, and false
// when pred pins no leading key column.
func (l *layout) keyRange(ectx *expr.Context, mem memory.Allocator, pred expr.Expr) (lower, upper []byte, ok bool) {
	if !l.keyed || len(l.keyCols) == 0 {
		return nil, nil, false
	}
	pinned := expr.KeyEqualities(ectx, pred)
	n := 0
	for n < len(l.keyCols) {
		if _, ok := pinned[l.keyCols[n]]; !ok {
			break
		}
		n++
	}
	if n == 0 {
		return nil, nil, false
	}
	// Encode the pinned values as one row of the relation (other columns NULL); the key encoding
	// of the first n key columns is a prefix of every matching row's key.
	cols := pinnedRow(mem, l.colTypes, pinned)
	defer func() {
		for _, c := range cols {
			c.Release()
		}
	}()
	lower = l.prefix()
	lower = l.codec.AppendKey(lower, cols, 0, l.keyCols[:n])
	return lower, storage.PrefixEnd(lower), true
}

// readInput reads the part of relation o that query graph g needs: a key range when g's filter
// on o pins leading key columns, the rows an index lists when it pins all of an index's columns
// (index_read.go), otherwise everything.
func (e *Engine) readInput(g *exec.Graph, ectx *expr.Context, o *object, r reader) (zset.Batch, error) {
	l := layoutOf(o)
	colTypes := arrowTypes(o.columnTypes())
	if ectx != nil {
		if pred, ok := g.InputFilter(o.ID); ok {
			if lower, upper, ok := l.keyRange(ectx, e.mem, pred); ok {
				return l.readRange(r, e.mem, colTypes, lower, upper)
			}
			if lower, upper, ok := l.indexRange(ectx, e.mem, o, pred); ok {
				return l.readIndexed(r, e.mem, colTypes, lower, upper)
			}
		}
	}
	return l.readAll(r, e.mem, colTypes)
}
