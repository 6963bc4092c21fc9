package engine

import (
	"cmp"
	"context"
	"encoding/binary"
	"fmt"
	"slices"
	"time"

	"github.com/runnel-db/runnel/exec/sqlerr"
	"github.com/runnel-db/runnel/exec/zset"
	"github.com/runnel-db/runnel/storage"
)

const metaEpoch = "epoch"

func readEpoch(db *storage.DB) (uint64, error) {
	snap := db.NewSnapshot()
	defer snap.Close()
	v, ok, err := snap.Get(storage.MetaKey(metaEpoch))
	if err != nil || !ok {
		return 0, err
	}
	if len(v) != 8 {
		return 0, fmt.Errorf("corrupt epoch record %x", v)
	}
	return binary.BigEndian.Uint64(v), nil
}

// epochTx is one epoch being built: the table deltas it applies and the catalog changes it makes,
// written together in one Pebble batch.
type epochTx struct {
	e  *Engine
	wb *storage.Batch
	// deltas are the consolidated changes of this epoch per relation id (tables given by the
	// statement, views computed by propagate). Owned by the epochTx.
	deltas map[uint64]zset.Batch
	// private are deltas only one dataflow sees: the rows a source feed polled for the view that
	// consumes it (view id → source id → delta). Owned by the epochTx.
	private map[uint64]map[uint64]zset.Batch
	// touched are the dataflows whose operator state has absorbed this epoch's deltas.
	touched []*dataflow
	// viewDeltas are the views' deltas written to their logs, kept after commit (view_log.go).
	viewDeltas []viewDelta
}

// beginEpoch starts an epoch. The caller holds e.writeMu and must call finish.
func (e *Engine) beginEpoch() *epochTx {
	return &epochTx{e: e, wb: e.db.NewBatch(), deltas: map[uint64]zset.Batch{}}
}

// applyTable adds a table delta (taking ownership) and writes it into the table's contents and
// index entries.
func (tx *epochTx) applyTable(o *object, delta zset.Batch) error {
	// The delta is written on its own; tx.deltas accumulates the epoch's total for the views.
	delta.Retain()
	defer delta.Release()
	if prev, ok := tx.deltas[o.ID]; ok {
		merged := zset.Consolidate(tx.e.mem, zset.Concat(tx.e.mem, []zset.Batch{prev, delta}))
		prev.Release()
		delta.Release()
		tx.deltas[o.ID] = merged
	} else {
		tx.deltas[o.ID] = delta
	}
	l := layoutOf(o)
	var next func() uint64
	if l.rowid {
		var err error
		if next, err = tx.e.rowIDs.allocator(tx.wb, o.ID); err != nil {
			return err
		}
	}
	w := newIndexWriter(tx.wb, o, l)
	if w == nil {
		return l.apply(tx.wb, delta, o.Name, next, nil)
	}
	if err := l.apply(tx.wb, delta, o.Name, next, w.row); err != nil {
		return err
	}
	return w.flush()
}

// affectedFlows returns the dataflows that read a changed relation, directly or through other
// views, in creation order (a topological order of their dependencies). Only these can change:
// with thousands of views, an epoch visits the few that read what it touched.
func (e *Engine) affectedFlows(changed map[uint64]zset.Batch, private map[uint64]map[uint64]zset.Batch) []*dataflow {
	if e.readers == nil {
		e.readers = map[uint64][]*dataflow{}
		for _, f := range e.flows {
			seen := map[uint64]bool{}
			for _, id := range f.graph.Inputs() {
				if !seen[id] {
					seen[id] = true
					e.readers[id] = append(e.readers[id], f)
				}
			}
		}
	}
	var out []*dataflow
	visited := map[uint64]bool{}
	queue := make([]uint64, 0, len(changed))
	for id := range changed {
		queue = append(queue, id)
	}
	for id := range private {
		if f := e.flows[id]; f != nil && !visited[id] {
			visited[id] = true
			out = append(out, f)
			queue = append(queue, id)
		}
	}
	for len(queue) > 0 {
		id := queue[len(queue)-1]
		queue = queue[:len(queue)-1]
		for _, f := range e.readers[id] {
			if !visited[f.view.ID] {
				visited[f.view.ID] = true
				out = append(out, f)
				queue = append(queue, f.view.ID)
			}
		}
	}
	slices.SortFunc(out, func(a, b *dataflow) int { return cmp.Compare(a.view.ID, b.view.ID) })
	return out
}

// propagate runs every materialized view whose inputs changed, in dependency order, writing the
// views' deltas into their stored contents.
func (tx *epochTx) propagate() error {
	e := tx.e
	for _, f := range e.affectedFlows(tx.deltas, tx.private) {
		o := f.view
		in := map[uint64]zset.Batch{}
		for _, id := range f.graph.Inputs() {
			if d, ok := tx.deltas[id]; ok && !d.Empty() {
				in[id] = d
			}
			if d, ok := tx.private[o.ID][id]; ok && !d.Empty() {
				in[id] = d
			}
		}
		if len(in) == 0 {
			continue
		}
		if f.broken != nil {
			return &sqlerr.Error{Code: sqlerr.ObjectNotInPrerequisiteState, Message: f.broken.Error()}
		}
		tx.touched = append(tx.touched, f)
		out, err := f.graph.Step(e.viewContext(o), in)
		if err != nil {
			f.dropPending()
			return fmt.Errorf("materialized view %s: %w", o.Name, err)
		}
		if err := f.writeState(tx.wb, e.mem); err != nil {
			out.Release()
			return err
		}
		if out.Empty() {
			out.Release()
			continue
		}
		tx.deltas[o.ID] = out
		if err := tx.writeView(f, out); err != nil {
			return err
		}
	}
	return nil
}

// commit writes the epoch number and commits the batch durably.
func (tx *epochTx) commit() error {
	next := tx.e.epoch.Load() + 1
	if err := tx.wb.Set(storage.MetaKey(metaEpoch), binary.BigEndian.AppendUint64(nil, next)); err != nil {
		return err
	}
	start := time.Now()
	views := &tx.e.views
	views.mu.Lock()
	if err := tx.wb.Commit(tx.e.opts.Sync); err != nil {
		views.mu.Unlock()
		return fmt.Errorf("commit epoch %d: %w", next, err)
	}
	tx.e.epoch.Store(next)
	views.addLocked(next, tx.viewDeltas)
	views.mu.Unlock()
	var changed int64
	for _, d := range tx.deltas {
		changed += int64(d.NumRows())
	}
	tx.e.epochLog.add(epochRecord{epoch: next, committedAt: start, commit: time.Since(start), changedRows: changed})
	return nil
}

// abort discards the batch and rebuilds the operator state of every dataflow that absorbed part
// of the failed epoch, from the last committed contents.
func (tx *epochTx) abort(ctx context.Context) error {
	e := tx.e
	if len(tx.touched) == 0 {
		return nil
	}
	snap, err := e.readSnapshotAll()
	if err != nil {
		return err
	}
	defer snap.Close()
	for _, f := range tx.touched {
		nf, err := e.buildDataflow(f.view)
		if err == nil {
			err = e.warmDataflow(ctx, nf, snap)
		}
		if err != nil {
			return fmt.Errorf("rebuild materialized view %s after a failed epoch: %w", f.view.Name, err)
		}
		e.mu.Lock()
		e.flows[f.view.ID] = nf
		e.readers = nil
		e.mu.Unlock()
	}
	return nil
}

// close releases the epoch's deltas and batch.
func (tx *epochTx) close() {
	releaseAll(tx.deltas)
	for _, m := range tx.private {
		releaseAll(m)
	}
	tx.wb.Close()
}

// runEpoch runs fn to fill an epoch, propagates it through the views and commits it; on any
// failure nothing is committed and in-memory state is restored. The caller holds e.writeMu.
func (e *Engine) runEpoch(ctx context.Context, fn func(tx *epochTx) error) error {
	tx := e.beginEpoch()
	defer tx.close()
	err := fn(tx)
	if err == nil {
		err = tx.propagate()
	}
	if err == nil {
		err = tx.commit()
	}
	if err != nil {
		if rerr := tx.abort(ctx); rerr != nil {
			e.opts.Logger.Error("restoring view state failed", "err", rerr)
			return fmt.Errorf("%w (and restoring view state failed: %v)", err, rerr)
		}
		return err
	}
	e.publish(tx)
	e.afterCommit()
	return nil
}
