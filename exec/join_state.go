package exec

import (
	"github.com/apache/arrow-go/v18/arrow"

	"github.com/runnel-db/runnel/exec/types"
	"github.com/runnel-db/runnel/exec/zset"
)

// arrangement is one side of a join: every row with its multiplicity, indexed by join key.
// It is the join state that gets persisted per epoch (rows with weight and match count).
type arrangement struct {
	keyCols []int
	rows    map[string]*joinRow    // full-row key → row
	buckets map[string]*joinBucket // join key → rows with that key (non-NULL keys only)
	total   int64                  // sum of all weights
	nullW   int64                  // sum of weights of rows with a NULL key column

	rowKeys, joinKeys [][]byte
	keyArrs           []arrow.Array
	// Rows and their values are carved from slabs to save two allocations per stored row; a
	// slab lives while any of its rows does.
	rowSlab []joinRow
	valSlab []types.Datum
}

const joinSlabRows = 128

// newRow allocates a row holding row i of b.
func (a *arrangement) newRow(b zset.Batch, i int) *joinRow {
	if len(a.rowSlab) == 0 {
		a.rowSlab = make([]joinRow, joinSlabRows)
	}
	r := &a.rowSlab[0]
	a.rowSlab = a.rowSlab[1:]
	n := b.NumCols()
	if len(a.valSlab) < n {
		a.valSlab = make([]types.Datum, joinSlabRows*n)
	}
	r.vals = a.valSlab[:n:n]
	a.valSlab = a.valSlab[n:]
	for c := range r.vals {
		r.vals[c] = zset.DatumAt(b.Col(c), i)
	}
	return r
}

// joinRow is one distinct row of a side.
type joinRow struct {
	vals    []types.Datum
	key     string // full-row key in arrangement.rows
	w       int64
	match   int64 // sum of weights of the other side's rows it joins with (residual included)
	bucket  *joinBucket
	pos     int32 // index in bucket.rows
	nullKey bool

	// Snapshot of the row before the current epoch, valid when stamp is the epoch.
	stamp        uint64
	oldW, oldMat int64
	created      bool // absent before this epoch
}

type joinBucket struct {
	key  string
	rows []*joinRow
}

func newArrangement(keyCols []int) *arrangement {
	return &arrangement{keyCols: keyCols, rows: map[string]*joinRow{}, buckets: map[string]*joinBucket{}}
}

// encode computes the full-row and join keys of b's rows.
func (a *arrangement) encode(b zset.Batch) {
	n := b.NumRows()
	a.rowKeys = zset.EncodeKeys(a.rowKeys, b.Cols(), n)
	a.keyArrs = a.keyArrs[:0]
	for _, c := range a.keyCols {
		a.keyArrs = append(a.keyArrs, b.Col(c))
	}
	a.joinKeys = zset.EncodeKeys(a.joinKeys, a.keyArrs, n)
}

// hasNullKey reports whether row i has a NULL in a join key column.
func (a *arrangement) hasNullKey(i int) bool {
	for _, c := range a.keyArrs {
		if c.IsNull(i) {
			return true
		}
	}
	return false
}

// lookup returns the row i of the encoded batch, creating it (weight 0) when absent. The
// returned row is snapshotted for epoch.
func (a *arrangement) lookup(b zset.Batch, i int, epoch uint64, touched *[]*joinRow) *joinRow {
	r := a.rows[string(a.rowKeys[i])]
	if r == nil {
		r = a.newRow(b, i)
		r.key, r.nullKey, r.created, r.stamp = string(a.rowKeys[i]), a.hasNullKey(i), true, epoch
		*touched = append(*touched, r)
		a.rows[r.key] = r
		if !r.nullKey {
			jk := a.joinKeys[i]
			bk := a.buckets[string(jk)]
			if bk == nil {
				bk = &joinBucket{key: string(jk)}
				a.buckets[bk.key] = bk
			}
			r.bucket, r.pos = bk, int32(len(bk.rows))
			bk.rows = append(bk.rows, r)
		}
		return r
	}
	snapshot(r, epoch, touched)
	return r
}

// snapshot records r's state before the epoch's first change to it.
func snapshot(r *joinRow, epoch uint64, touched *[]*joinRow) {
	if r.stamp != epoch {
		r.stamp, r.oldW, r.oldMat, r.created = epoch, r.w, r.match, false
		*touched = append(*touched, r)
	}
}

// addWeight changes r's multiplicity by w, maintaining the side totals.
func (a *arrangement) addWeight(r *joinRow, w int64) {
	r.w += w
	a.total += w
	if r.nullKey {
		a.nullW += w
	}
}

// remove deletes r, whose weight is zero, from the arrangement.
func (a *arrangement) remove(r *joinRow) {
	delete(a.rows, r.key)
	if bk := r.bucket; bk != nil {
		last := bk.rows[len(bk.rows)-1]
		bk.rows[r.pos] = last
		last.pos = r.pos
		bk.rows = bk.rows[:len(bk.rows)-1]
		if len(bk.rows) == 0 {
			delete(a.buckets, bk.key)
		}
		r.bucket = nil
	}
}

// bucketOf returns the rows sharing row i's join key (nil for a NULL key).
func (a *arrangement) bucketOf(joinKey []byte) []*joinRow {
	if bk := a.buckets[string(joinKey)]; bk != nil {
		return bk.rows
	}
	return nil
}
