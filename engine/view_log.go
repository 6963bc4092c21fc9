package engine

import (
	"bytes"
	"context"
	"encoding/binary"
	"fmt"
	"slices"
	"sync"
	"sync/atomic"

	"github.com/apache/arrow-go/v18/arrow/memory"

	"github.com/runnel-db/runnel/exec/zset"
	"github.com/runnel-db/runnel/storage"
)

// Materialized views apply their deltas to their rows lazily.
//
// An epoch does not write a view's changed rows one Pebble key each. It keeps the view's delta in
// memory (viewLogs) until it is materialized: the deltas of many epochs are applied to the view's
// rows together, with the view's layout, in one batch. Random row keys cost a skiplist insert each
// in Pebble's memtable, ~1.5 µs at a few hundred thousand entries; an epoch of 1,000 rows into a
// 100K-group aggregate spent most of its time there. Over many epochs, a group changed in several
// is written once, and the keys of one materialization are dense, so each insert starts next to
// the previous one.
//
// Durability. A view over tables and other views (recomputable) needs nothing more. Each
// materialization records the last epoch it covers (metaViewsMaterialized); recovery recomputes
// such views from their inputs anyway to rebuild their operators, so when epochs were committed
// after that one it writes the difference between what it computed and the stored rows
// (reconcileView). A view that reads a
// source cannot be recomputed (the source's rows are not stored): its epoch also writes the delta
// as one entry of the view's log (storage.ViewLogKey(view, epoch), Arrow IPC), which the
// materialization deletes and recovery applies.
//
// Uniquely keyed views over tables skip the deltas: their changed rows stay in memory as an
// overlay (view_overlay.go), which readers read through instead of waiting for it to be written.
//
// Readers never see the split: every snapshot that reads view rows comes from readSnapshot,
// which materializes what its relations have pending first and takes the snapshot under the
// lock epochs commit under, so the snapshot's view rows are exactly as of its epoch.
// Materialization also runs in the background when the pending deltas grow past materializeRows
// rows or materializeRuns epochs (the epoch that crosses twice that waits for it), and at Close.
type viewLogs struct {
	// mu guards the fields below; an epoch commits under it, so pending always matches what is
	// committed.
	mu      sync.Mutex
	pending map[uint64]*pendingView // view id → what its rows still lack
	rows    int                     // rows in all pending deltas
	runs    int                     // pending deltas (epochs × views)
	// overlays are the changed rows of uniquely keyed views over tables (view_overlay.go), by
	// view id; overlayRows counts their entries, overlayBytes their memory.
	overlays                  map[uint64]*viewOverlay
	overlayRows, overlayBytes int
	// limitRows and limitRuns are when to materialize pending deltas (materializeRows and
	// materializeRuns), limitOverlay when to write the overlays out (overlayRows), chunk how many
	// rows of uniquely keyed views one batch writes (applyChunk). Set at Open; tests lower them.
	limitRows, limitRuns, limitOverlay, chunk int
	// background is set while a background materialization runs; bg waits for it.
	background bool
	bg         sync.WaitGroup
	// matMu serializes materializations. It is held while one builds and commits its batch
	// (without mu, so epochs keep committing), and readers take it to wait for one in flight.
	matMu sync.Mutex
	// epoch is the engine's last committed epoch, stored under mu.
	epoch *atomic.Uint64
}

// pendingView is one view's committed deltas not yet applied to its rows, oldest first.
type pendingView struct {
	layout *layout
	name   string
	deltas []zset.Batch
	// logged means the deltas are also in the view's log, under the keys of epochs.
	logged bool
	epochs []uint64
}

// viewDelta is a view's delta in an epoch being built: a Z-set, or the entries of its overlay.
type viewDelta struct {
	f       *dataflow
	delta   zset.Batch // borrowed from epochTx.deltas
	logged  bool
	overlay *overlayDelta
}

// metaViewsMaterialized holds the last epoch whose view deltas are all in the views' rows.
const metaViewsMaterialized = "views-materialized"

// Materialization thresholds: enough epochs that repeated keys collapse and a materialization's
// keys are dense, few enough that the pending deltas stay small in memory. applyChunk is the
// writes per batch of uniquely keyed views' rows (see applyTaken).
const (
	materializeRows = 1 << 18
	materializeRuns = 512
	applyChunk      = 4096
	// overlayRows is how many changed rows of uniquely keyed views stay in memory before they are
	// written, unless they take more than overlayMemory first.
	overlayRows   = 1 << 18
	overlayMemory = 64 << 20
)

// writeView records view f's delta in this epoch: kept in memory for a later materialization
// (and, for a view that reads a source, also written to its log), or written straight into its
// rows when the delta alone is as large as a materialization (an epoch over a source's backlog),
// where deferring gains nothing. Rows written straight must not be overwritten by older deltas,
// so any pending ones are applied first.
func (tx *epochTx) writeView(f *dataflow, delta zset.Batch) error {
	if f.layout.unique && f.recomputable {
		d, err := encodeOverlayDelta(f.layout, delta)
		if err != nil {
			return fmt.Errorf("materialized view %s: %w", f.view.Name, err)
		}
		if len(d.buf) < overlayMemory/2 {
			tx.viewDeltas = append(tx.viewDeltas, viewDelta{f: f, overlay: d})
			return nil
		}
		// As large as the overlays may grow: written straight, after the overlay's older rows.
		if err := tx.e.materialize(); err != nil {
			return err
		}
		if err := f.layout.apply(tx.wb, delta, f.view.Name, nil, nil); err != nil {
			return fmt.Errorf("materialized view %s: %w", f.view.Name, err)
		}
		return nil
	}
	if delta.NumRows() < tx.e.views.limitRows/2 {
		if f.recomputable {
			tx.keepView(f, delta)
			return nil
		}
		return tx.logView(f, delta)
	}
	if err := tx.e.materializePending(); err != nil {
		return err
	}
	if err := f.layout.apply(tx.wb, delta, f.view.Name, nil, nil); err != nil {
		return fmt.Errorf("materialized view %s: %w", f.view.Name, err)
	}
	return nil
}

// keepView keeps a recomputable view's delta for materialization.
func (tx *epochTx) keepView(f *dataflow, delta zset.Batch) {
	tx.viewDeltas = append(tx.viewDeltas, viewDelta{f: f, delta: delta})
}

// logView writes view f's delta in this epoch to its log.
func (tx *epochTx) logView(f *dataflow, delta zset.Batch) error {
	blob, err := encodeRun(delta)
	if err != nil {
		return fmt.Errorf("materialized view %s: %w", f.view.Name, err)
	}
	if err := tx.wb.Set(storage.ViewLogKey(f.view.ID, tx.e.epoch.Load()+1), blob); err != nil {
		return err
	}
	tx.viewDeltas = append(tx.viewDeltas, viewDelta{f: f, delta: delta, logged: true})
	return nil
}

// addLocked keeps an epoch's committed view deltas (retaining them) until they are materialized.
// The caller holds v.mu.
func (v *viewLogs) addLocked(epoch uint64, deltas []viewDelta) {
	if v.pending == nil {
		v.pending = map[uint64]*pendingView{}
	}
	for _, d := range deltas {
		if d.overlay != nil {
			if v.overlays == nil {
				v.overlays = map[uint64]*viewOverlay{}
			}
			o := v.overlays[d.f.view.ID]
			if o == nil {
				o = newViewOverlay(d.f.layout, d.f.view.Name)
				v.overlays[d.f.view.ID] = o
			}
			v.overlayRows, v.overlayBytes = v.overlayRows-len(o.entries), v.overlayBytes-o.bytes()
			o.add(d.overlay)
			d.overlay.release()
			v.overlayRows, v.overlayBytes = v.overlayRows+len(o.entries), v.overlayBytes+o.bytes()
			continue
		}
		p := v.pending[d.f.view.ID]
		if p == nil {
			p = &pendingView{layout: d.f.layout, name: d.f.view.Name, logged: d.logged}
			v.pending[d.f.view.ID] = p
		}
		d.delta.Retain()
		p.deltas = append(p.deltas, d.delta)
		if d.logged {
			p.epochs = append(p.epochs, epoch)
		}
		v.rows += d.delta.NumRows()
		v.runs++
	}
}

// afterCommit starts a background materialization when the pending deltas have grown past the
// limits, and materializes in the caller when they have grown past twice the limits (the writer
// outruns the background).
func (e *Engine) afterCommit() {
	v := &e.views
	v.mu.Lock()
	due := v.rows >= v.limitRows || v.runs >= v.limitRuns
	overdue := v.rows >= 2*v.limitRows || v.runs >= 2*v.limitRuns
	// The overlays are written out with everything else; pending deltas alone without them.
	all := v.overlayRows >= v.limitOverlay || v.overlayBytes >= overlayMemory
	due, overdue = due || all, overdue || v.overlayRows >= 2*v.limitOverlay || v.overlayBytes >= 2*overlayMemory
	start := due && !v.background
	if start {
		v.background = true
		v.bg.Add(1)
	}
	v.mu.Unlock()
	run := e.materializePending
	if all {
		run = e.materialize
	}
	if start {
		go func() {
			defer v.bg.Done()
			if err := run(); err != nil {
				// The deltas stay pending; readers retry and report the failure.
				e.opts.Logger.Error("applying view deltas failed", "err", err)
			}
			v.mu.Lock()
			v.background = false
			v.mu.Unlock()
		}()
	}
	if overdue {
		if err := run(); err != nil {
			e.opts.Logger.Error("applying view deltas failed", "err", err)
		}
	}
}

// materialize applies every pending delta and overlay to its view's rows and records the epoch
// they cover.
func (e *Engine) materialize() error {
	e.views.matMu.Lock()
	defer e.views.matMu.Unlock()
	return e.views.materializeTaken(e.db, e.mem, true)
}

// materializePending applies the pending deltas, leaving the overlays in memory.
func (e *Engine) materializePending() error {
	e.views.matMu.Lock()
	defer e.views.matMu.Unlock()
	return e.views.materializeTaken(e.db, e.mem, false)
}

// readSnapshot returns a snapshot for reading the stored rows of the relations reads, in which
// their views' rows reflect every committed delta. Only when one of them has deltas pending are
// they applied (all views' at once): an INSERT … VALUES or a query of tables leaves them to pile up.
func (e *Engine) readSnapshot(reads []uint64) (*storage.Snapshot, error) {
	return e.snapshot(false, reads)
}

// readSnapshotAll is readSnapshot for reading any relation.
func (e *Engine) readSnapshotAll() (*storage.Snapshot, error) { return e.snapshot(true, nil) }

func (e *Engine) snapshot(all bool, reads []uint64) (*storage.Snapshot, error) {
	v := &e.views
	v.matMu.Lock()
	defer v.matMu.Unlock()
	for {
		v.mu.Lock()
		pending := all && len(v.pending) > 0
		for _, id := range reads {
			pending = pending || v.pending[id] != nil
		}
		if !pending {
			break
		}
		v.mu.Unlock()
		// Epochs may commit more while this runs: check again.
		if err := v.materializeTaken(e.db, e.mem, false); err != nil {
			return nil, err
		}
	}
	// Under v.mu: the overlays of the views read and the snapshot, as of the same epoch. What
	// changed in an overlay since it was last read is copied here, then sorted into a new run
	// once the lock is let go (the snapshot reads nothing before this returns).
	type read struct {
		o    *viewOverlay
		copy overlayCopy
		runs []*storage.Overlay
	}
	var reading []read
	for id, o := range v.overlays {
		if !all && !slices.Contains(reads, id) {
			continue
		}
		r := read{o: o, runs: o.runs}
		if c, ok := o.readCopy(); ok {
			r.copy = c
		}
		reading = append(reading, r)
	}
	snap := e.db.NewSnapshot()
	v.mu.Unlock()
	var overlays []*storage.Overlay
	built := false
	for i := range reading {
		if r := &reading[i]; r.copy.o != nil {
			r.runs, built = r.copy.build(), true
		}
		overlays = append(overlays, reading[i].runs...)
	}
	snap.SetOverlays(overlays)
	if built {
		v.mu.Lock()
		for _, r := range reading {
			if r.copy.o != nil {
				r.copy.keep(r.runs)
			}
		}
		v.mu.Unlock()
	}
	return snap, nil
}

// materializeTaken takes every pending delta (and with withOverlays every overlay), sums each
// view's deltas, applies the sums to the views' rows and deletes the log entries they came from.
// Epochs keep committing while the batches are built. On failure the deltas are pending again.
// The caller holds v.matMu.
func (v *viewLogs) materializeTaken(db *storage.DB, mem memory.Allocator, withOverlays bool) error {
	v.mu.Lock()
	taken, through := v.pending, v.epoch.Load()
	v.pending, v.rows, v.runs = nil, 0, 0
	var overlays map[uint64]*viewOverlay
	if withOverlays {
		overlays = v.overlays
		v.overlays, v.overlayRows, v.overlayBytes = nil, 0, 0
	}
	v.mu.Unlock()
	if len(taken) == 0 && len(overlays) == 0 {
		return nil
	}
	if err := v.applyTaken(db, mem, taken, overlays, through, withOverlays); err != nil {
		v.mu.Lock()
		v.putBackLocked(taken, overlays)
		v.mu.Unlock()
		return err
	}
	for _, p := range taken {
		p.release()
	}
	return nil
}

// applyTaken writes the taken deltas and overlays, which cover every epoch up to through; when
// complete (every overlay was taken), it records so.
//
// Uniquely keyed views' rows are committed first, applyChunk writes at a time: Pebble makes every
// later commit wait while a batch goes into its memtable, and one batch of 100K rows stalled
// epochs for tens of milliseconds. Writing them again after a crash in between is harmless (each
// write sets a key's final row). Multisets' rows, the log deletions and the epoch covered go in
// the last batch, atomically.
func (v *viewLogs) applyTaken(db *storage.DB, mem memory.Allocator, taken map[uint64]*pendingView, overlays map[uint64]*viewOverlay, through uint64, complete bool) error {
	ids := make([]uint64, 0, len(taken))
	for id := range taken {
		ids = append(ids, id)
	}
	slices.Sort(ids)
	overlaid := make([]uint64, 0, len(overlays))
	for id := range overlays {
		overlaid = append(overlaid, id)
	}
	slices.Sort(overlaid)
	// No sync anywhere: the log entries stay until the last batch is durable, and a later
	// synced commit makes it durable (the write-ahead log is written in order).
	wb := db.NewWriteBatch()
	defer func() { wb.Close() }()
	spill := func() (*storage.Batch, error) {
		if int(wb.Count()) < v.chunk {
			return wb, nil
		}
		if err := wb.Commit(false); err != nil {
			return nil, fmt.Errorf("apply materialized view deltas: %w", err)
		}
		wb.Close()
		wb = db.NewWriteBatch()
		return wb, nil
	}
	for _, id := range overlaid {
		if err := overlays[id].write(wb, spill); err != nil {
			return err
		}
	}
	var multisets []uint64
	for _, id := range ids {
		if p := taken[id]; p.layout.unique {
			if err := p.applyLatest(wb, mem, spill); err != nil {
				return err
			}
		} else {
			multisets = append(multisets, id)
		}
	}
	if len(multisets) > 0 {
		// Multisets read their stored multiplicities: through an indexed batch.
		if err := wb.Commit(false); err != nil {
			return fmt.Errorf("apply materialized view deltas: %w", err)
		}
		wb.Close()
		wb = db.NewBatch()
		for _, id := range multisets {
			if err := taken[id].applySum(wb, mem); err != nil {
				return err
			}
		}
	}
	for _, id := range ids {
		for _, epoch := range taken[id].epochs {
			if err := wb.Delete(storage.ViewLogKey(id, epoch)); err != nil {
				return err
			}
		}
	}
	if complete {
		if err := wb.Set(storage.MetaKey(metaViewsMaterialized), binary.BigEndian.AppendUint64(nil, through)); err != nil {
			return err
		}
	}
	if err := wb.Commit(false); err != nil {
		return fmt.Errorf("apply materialized view deltas: %w", err)
	}
	return nil
}

// putBackLocked returns taken deltas to pending and taken overlays under the current ones, before
// any committed since. The caller holds v.mu.
func (v *viewLogs) putBackLocked(taken map[uint64]*pendingView, overlays map[uint64]*viewOverlay) {
	for id, o := range v.overlays {
		if t := overlays[id]; t != nil {
			o.mergeUnder(t)
		}
	}
	for id, t := range overlays {
		if v.overlays[id] == nil {
			if v.overlays == nil {
				v.overlays = map[uint64]*viewOverlay{}
			}
			v.overlays[id] = t
		}
	}
	v.overlayRows, v.overlayBytes = 0, 0
	for _, o := range v.overlays {
		v.overlayRows, v.overlayBytes = v.overlayRows+len(o.entries), v.overlayBytes+o.bytes()
	}
	for id, p := range v.pending {
		if t := taken[id]; t != nil {
			t.deltas = append(t.deltas, p.deltas...)
			t.epochs = append(t.epochs, p.epochs...)
		} else {
			taken[id] = p
		}
	}
	v.pending = taken
	v.rows, v.runs = 0, 0
	for _, p := range taken {
		for _, d := range p.deltas {
			v.rows += d.NumRows()
		}
		v.runs += len(p.deltas)
	}
}

// applySum writes the sum of p's deltas into its view's rows.
func (p *pendingView) applySum(wb *storage.Batch, mem memory.Allocator) error {
	sum := p.deltas[0]
	sum.Retain()
	if len(p.deltas) > 1 {
		sum.Release()
		sum = zset.Consolidate(mem, zset.Concat(mem, p.deltas))
	}
	defer sum.Release()
	if sum.Empty() {
		return nil
	}
	if err := p.layout.apply(wb, sum, p.name, nil, nil); err != nil {
		return fmt.Errorf("materialized view %s: %w", p.name, err)
	}
	return nil
}

// applyLatest writes a uniquely keyed view's pending deltas without summing them: a key's stored
// row is what the last delta that changed the key left, its insertion, or nothing when that delta
// only retracted (each delta holds at most one retraction and one insertion per key). Summing
// would sort whole rows; this sorts keys, which the write needs anyway.
// After each write it calls spill, which may commit wb and return another batch to go on with.
func (p *pendingView) applyLatest(wb *storage.Batch, mem memory.Allocator, spill func() (*storage.Batch, error)) error {
	l := p.layout
	all := zset.Concat(mem, p.deltas)
	defer all.Release()
	cols, weights := all.Cols(), all.Weights()
	// ends[d] is one past the last row of delta d in all.
	ends := make([]int, len(p.deltas))
	n := 0
	for d, b := range p.deltas {
		n += b.NumRows()
		ends[d] = n
	}
	deltaOf := func(row int) int {
		d, _ := slices.BinarySearch(ends, row+1)
		return d
	}
	keys := l.sortedKeys(cols, len(weights))
	defer keys.release()
	var val []byte
	for r := 0; r < len(keys.order); {
		key := keys.key(keys.order[r])
		end := r + 1
		for end < len(keys.order) && bytes.Equal(keys.key(keys.order[end]), key) {
			end++
		}
		last := deltaOf(keys.order[end-1]) // rows with equal keys are in delta order
		ins := -1
		for j := end - 1; j >= r; j-- {
			i := keys.order[j]
			if i < ends[last]-p.deltas[last].NumRows() {
				break
			}
			if weights[i] > 0 {
				if weights[i] != 1 || ins >= 0 {
					return fmt.Errorf("internal error: view %d: key not unique in a delta", l.id)
				}
				ins = i
			}
		}
		var err error
		if val, err = l.putUnique(wb, key, cols, ins, val); err != nil {
			return fmt.Errorf("materialized view %s: %w", p.name, err)
		}
		if wb, err = spill(); err != nil {
			return err
		}
		r = end
	}
	return nil
}

func (p *pendingView) release() {
	for _, d := range p.deltas {
		d.Release()
	}
	p.deltas, p.epochs = nil, nil
}

// releaseLocked lets go of the pending deltas in memory (their log entries and the stale mark
// stay for the next Open). The caller holds v.mu.
func (v *viewLogs) releaseLocked() {
	for _, p := range v.pending {
		p.release()
	}
	v.pending, v.rows, v.runs = nil, 0, 0
	v.overlays, v.overlayRows, v.overlayBytes = nil, 0, 0
}

// reconcileView rebuilds recomputable view f's operator state from its inputs in r, as
// warmDataflow does, and makes its stored rows equal to the result. It reports whether any row
// changed.
func (e *Engine) reconcileView(ctx context.Context, f *dataflow, r reader) (bool, error) {
	out, err := e.backfill(ctx, f, r)
	if err != nil {
		return false, err
	}
	defer out.Release()
	stored, err := f.layout.readAll(r, e.mem, arrowTypes(f.view.columnTypes()))
	if err != nil {
		return false, err
	}
	neg := project(stored, 0, stored.NumCols(), -1, e)
	stored.Release()
	diff := zset.Consolidate(e.mem, zset.Concat(e.mem, []zset.Batch{out, neg}))
	neg.Release()
	defer diff.Release()
	if diff.Empty() {
		return false, nil
	}
	wb := e.db.NewBatch()
	defer wb.Close()
	if err := f.layout.apply(wb, diff, f.view.Name, nil, nil); err != nil {
		return false, err
	}
	return true, wb.Commit(false)
}

// materializedThrough returns the last epoch whose view deltas are all in the views' rows (0 when
// not recorded).
func (e *Engine) materializedThrough() (uint64, error) {
	v, ok, err := e.db.Get(storage.MetaKey(metaViewsMaterialized))
	if err != nil || !ok {
		return 0, err
	}
	if len(v) != 8 {
		return 0, fmt.Errorf("corrupt %s record %x", metaViewsMaterialized, v)
	}
	return binary.BigEndian.Uint64(v), nil
}

// markMaterialized records that every view's rows are as of the last committed epoch. The caller
// holds writeMu and has nothing pending.
func (e *Engine) markMaterialized() error {
	wb := e.db.NewWriteBatch()
	defer wb.Close()
	if err := wb.Set(storage.MetaKey(metaViewsMaterialized), binary.BigEndian.AppendUint64(nil, e.epoch.Load())); err != nil {
		return err
	}
	return wb.Commit(false)
}

// recoverViewLogs applies the view deltas a crash left in the logs (committed epochs whose deltas
// were not yet materialized), before anything reads view rows.
func (e *Engine) recoverViewLogs() error {
	lower := storage.KindPrefix(storage.KindViewLog)
	it, err := e.db.NewIter(lower, storage.PrefixEnd(lower))
	if err != nil {
		return err
	}
	defer it.Close()
	found := map[uint64]*pendingView{}
	for it.First(); it.Valid(); it.Next() {
		_, id, rest, err := storage.SplitKey(it.Key())
		if err != nil || len(rest) != 8 {
			return fmt.Errorf("corrupt view log key %x", it.Key())
		}
		o := e.cat.byID[id]
		if o == nil {
			return fmt.Errorf("view log entry %x for a view that does not exist", it.Key())
		}
		delta, err := decodeRun(it.Value(), e.mem)
		if err != nil {
			return fmt.Errorf("materialized view %s: %w", o.Name, err)
		}
		p := found[id]
		if p == nil {
			p = &pendingView{layout: layoutOf(o), name: o.Name, logged: true}
			found[id] = p
		}
		p.deltas = append(p.deltas, delta)
		p.epochs = append(p.epochs, binary.BigEndian.Uint64(rest))
	}
	if err := it.Error(); err != nil {
		return err
	}
	e.views.mu.Lock()
	e.views.putBackLocked(found, nil)
	e.views.mu.Unlock()
	// Without marking the views complete: the views over tables are recomputed after this, and a
	// crash before that must find them stale still.
	return e.materializePending()
}
