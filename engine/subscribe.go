package engine

import (
	"context"
	"fmt"
	"sync"
	"sync/atomic"

	"github.com/apache/arrow-go/v18/arrow"
	"github.com/apache/arrow-go/v18/arrow/array"

	"github.com/runnel-db/runnel/exec/sqlerr"
	"github.com/runnel-db/runnel/exec/types"
	"github.com/runnel-db/runnel/exec/zset"
	"github.com/runnel-db/runnel/planner"
	"github.com/runnel-db/runnel/sql"
	"github.com/runnel-db/runnel/storage"
)

// SUBSCRIBE streams a relation's changes, epoch by epoch, as rows
// (mz_timestamp numeric, mz_diff bigint, the relation's columns...), in Materialize's shape.
//
// Guarantees:
//   - mz_timestamp is the number of the epoch (Engine.Epoch) whose commit made the change; rows
//     arrive in epoch order, every epoch that changed the relation is sent whole, none is skipped.
//   - Each epoch is consolidated: one row per distinct row, mz_diff its change in multiplicity
//     (never 0). Within an epoch rows come in no particular order.
//   - With SNAPSHOT (the default), the first rows are the relation's contents as of the epoch E at
//     which the subscription started (mz_timestamp E, mz_diff the multiplicity), then every change
//     of the epochs after E: the subscription is registered and the snapshot taken under the write
//     lock, so no epoch falls between them or is counted twice.
//   - Tables and materialized views can be subscribed to: their per-epoch deltas exist anyway
//     (epochTx.deltas), so a subscription costs the epoch only a map lookup and a reference count
//     per changed subscribed relation, plus one catalog point read per subscribed relation (to end
//     the subscription when the relation is dropped). Plain views and sources have no deltas and
//     are rejected (0A000).
//
// Back-pressure: an epoch never waits for a subscriber. Each subscription buffers the deltas of
// the epochs it has not read yet (shared Arrow batches, retained, not copied), at most
// subscribeMaxEpochs epochs and about subscribeMaxBytes bytes of Arrow buffers. A subscriber that
// falls further behind is ended with SQLSTATE 53400 and its buffer is freed at once.
//
// End: a subscription ends when its statement's context is cancelled (a cancel request or the
// client disconnecting: Next returns the context's error), when its Rows are closed, or, with
// 42P01, when the relation is dropped (after the epochs before the drop were read). Ending
// unregisters it.

// Subscription buffer limits (see above); variables so that tests can lower them.
var (
	subscribeMaxEpochs       = 1000
	subscribeMaxBytes  int64 = 256 << 20
)

// StreamingRows is implemented by Rows whose Next may wait for data that does not exist yet
// (SUBSCRIBE). Buffered reports whether the next call to Next returns without waiting; when it is
// false, the protocol layer should write the rows sent so far to the client before calling Next.
type StreamingRows interface {
	Rows
	Buffered() bool
}

// subRegistry holds the live subscriptions by relation id. Lock order: subRegistry.mu, then
// subscription.mu.
type subRegistry struct {
	mu    sync.Mutex
	byRel map[uint64]map[*subscription]struct{}
	count atomic.Int64 // live subscriptions, so that epochs without subscribers skip the lock
}

func (r *subRegistry) add(s *subscription) {
	r.mu.Lock()
	defer r.mu.Unlock()
	if r.byRel == nil {
		r.byRel = map[uint64]map[*subscription]struct{}{}
	}
	m := r.byRel[s.rel.ID]
	if m == nil {
		m = map[*subscription]struct{}{}
		r.byRel[s.rel.ID] = m
	}
	m[s] = struct{}{}
	r.count.Add(1)
}

// removeLocked forgets s; the caller holds r.mu.
func (r *subRegistry) removeLocked(s *subscription) {
	m := r.byRel[s.rel.ID]
	if _, ok := m[s]; !ok {
		return
	}
	delete(m, s)
	if len(m) == 0 {
		delete(r.byRel, s.rel.ID)
	}
	r.count.Add(-1)
}

func (r *subRegistry) remove(s *subscription) {
	r.mu.Lock()
	defer r.mu.Unlock()
	r.removeLocked(s)
}

// publish hands the committed deltas of subscribed relations to their subscribers, and ends the
// subscriptions of relations this epoch dropped. Called by runEpoch after a successful commit,
// under e.writeMu; it never blocks on a subscriber.
func (e *Engine) publish(tx *epochTx) {
	r := &e.subs
	if r.count.Load() == 0 {
		return
	}
	epoch := e.epoch.Load()
	r.mu.Lock()
	defer r.mu.Unlock()
	for id, subs := range r.byRel {
		if _, ok, err := e.db.Get(storage.CatalogKey(id)); err == nil && !ok {
			for s := range subs {
				s.end(errSubscribedDropped(s.rel))
				r.removeLocked(s)
			}
			continue
		}
		d, ok := tx.deltas[id]
		if !ok || d.Empty() {
			continue
		}
		size := batchBytes(d)
		for s := range subs {
			if !s.push(epoch, d, size) {
				r.removeLocked(s)
			}
		}
	}
}

func errSubscribedDropped(o *object) error {
	return sqlerr.New(sqlerr.UndefinedTable, "subscribe has been terminated because underlying %s %q was dropped", kindName(o.Kind), o.Name)
}

// subscription is one SUBSCRIBE's buffer of epochs not yet read.
type subscription struct {
	e   *Engine
	rel *object

	mu    sync.Mutex
	queue []subEpoch
	bytes int64
	// err ends the subscription once the queue is read (an overflow empties the queue first).
	err   error
	ended bool          // no longer registered: push is not called again
	wake  chan struct{} // signalled (without blocking) when queue or err changes
}

// subEpoch is one epoch's delta for a subscriber; the subscription holds one reference.
type subEpoch struct {
	epoch uint64
	delta zset.Batch
	bytes int64
}

// push queues one epoch's delta (retaining it). It returns false when the subscriber fell too
// far behind and was ended instead; the caller unregisters it.
func (s *subscription) push(epoch uint64, d zset.Batch, size int64) bool {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.ended {
		return false
	}
	if len(s.queue) >= subscribeMaxEpochs || s.bytes+size > subscribeMaxBytes && len(s.queue) > 0 {
		s.failLocked(&sqlerr.Error{Code: "53400",
			Message: fmt.Sprintf("subscribe to %s fell behind: the client did not read the changes of %d epochs (%d bytes) fast enough", s.rel.Name, len(s.queue), s.bytes),
			Detail:  fmt.Sprintf("A subscription buffers at most %d epochs or about %d MiB of changes.", subscribeMaxEpochs, subscribeMaxBytes>>20),
		})
		return false
	}
	d.Retain()
	s.queue = append(s.queue, subEpoch{epoch: epoch, delta: d, bytes: size})
	s.bytes += size
	s.signal()
	return true
}

// end ends the subscription with err once the client has read the epochs already buffered.
func (s *subscription) end(err error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.ended {
		return
	}
	s.ended = true
	s.err = err
	s.signal()
}

// failLocked ends the subscription with err, freeing its buffer at once.
func (s *subscription) failLocked(err error) {
	if s.ended {
		return
	}
	s.ended = true
	s.err = err
	s.releaseQueueLocked()
	s.signal()
}

func (s *subscription) releaseQueueLocked() {
	for _, q := range s.queue {
		q.delta.Release()
	}
	s.queue, s.bytes = nil, 0
}

func (s *subscription) signal() {
	select {
	case s.wake <- struct{}{}:
	default:
	}
}

// take waits for the next queued epoch; the caller owns the returned delta.
func (s *subscription) take(ctx context.Context) (subEpoch, error) {
	for {
		s.mu.Lock()
		if len(s.queue) > 0 {
			q := s.queue[0]
			s.queue[0] = subEpoch{}
			s.queue = s.queue[1:]
			s.bytes -= q.bytes
			s.mu.Unlock()
			return q, nil
		}
		err := s.err
		s.mu.Unlock()
		if err != nil {
			return subEpoch{}, err
		}
		select {
		case <-s.wake:
		case <-ctx.Done():
			return subEpoch{}, context.Cause(ctx)
		}
	}
}

// pending reports whether take would return without waiting.
func (s *subscription) pending() bool {
	s.mu.Lock()
	defer s.mu.Unlock()
	return len(s.queue) > 0 || s.err != nil
}

// close unregisters the subscription and drops what it buffered.
func (s *subscription) close() {
	s.e.subs.remove(s)
	s.mu.Lock()
	defer s.mu.Unlock()
	s.ended = true
	s.releaseQueueLocked()
}

// batchBytes is the size of the Arrow buffers behind b (shared buffers counted in full).
func batchBytes(b zset.Batch) int64 {
	var n int64
	var add func(d arrow.ArrayData)
	add = func(d arrow.ArrayData) {
		for _, buf := range d.Buffers() {
			if buf != nil {
				n += int64(buf.Len())
			}
		}
		for _, c := range d.Children() {
			add(c)
		}
	}
	if rec := b.Record(); rec != nil {
		for _, c := range rec.Columns() {
			add(c.Data())
		}
	}
	return n
}

// subscribeExec runs SUBSCRIBE.
type subscribeExec struct {
	stmt *sql.Subscribe
	cols []Column // as described at bind time
}

// bindSubscribe resolves the relation and describes the output columns.
func (s *Session) bindSubscribe(stmt *sql.Subscribe, p *Prepared) (executor, error) {
	s.e.mu.RLock()
	o, err := s.e.subscribable(stmt)
	s.e.mu.RUnlock()
	if err != nil {
		return nil, err
	}
	p.Columns = subscribeColumns(o)
	return &subscribeExec{stmt: stmt, cols: p.Columns}, nil
}

// subscribable looks up the relation of a SUBSCRIBE and checks it can be subscribed to. The
// caller holds e.mu or e.writeMu.
func (e *Engine) subscribable(stmt *sql.Subscribe) (*object, error) {
	if stmt.Progress {
		return nil, sqlerr.NotSupported("SUBSCRIBE WITH (PROGRESS)").At(stmt.ProgressPos)
	}
	schema, name := "", stmt.Name[len(stmt.Name)-1]
	if len(stmt.Name) > 1 {
		schema = stmt.Name[len(stmt.Name)-2]
	}
	o := e.cat.lookup(schema, name)
	if o == nil {
		return nil, sqlerr.New(sqlerr.UndefinedTable, "relation %q does not exist", name).At(stmt.NamePos)
	}
	switch o.Kind {
	case planner.Table, planner.MaterializedView:
		return o, nil
	case planner.View:
		return nil, (&sqlerr.Error{Code: sqlerr.FeatureNotSupported,
			Message: fmt.Sprintf("SUBSCRIBE to view %q is not supported", o.Name),
			Detail:  "Only tables and materialized views have per-epoch changes to stream.",
			Hint:    "Create a materialized view with the same query and subscribe to it."}).At(stmt.NamePos)
	case planner.Source:
		return nil, (&sqlerr.Error{Code: sqlerr.FeatureNotSupported,
			Message: fmt.Sprintf("SUBSCRIBE to source %q is not supported", o.Name),
			Detail:  "A source's rows are not stored; only materialized views read them.",
			Hint:    "Create a materialized view over the source and subscribe to it."}).At(stmt.NamePos)
	}
	return nil, sqlerr.NotSupported("SUBSCRIBE to a " + kindName(o.Kind)).At(stmt.NamePos)
}

// subscribeColumns are mz_timestamp, mz_diff, then the relation's columns.
func subscribeColumns(o *object) []Column {
	cols := []Column{{Name: "mz_timestamp", Type: types.NumericT}, {Name: "mz_diff", Type: types.Int64T}}
	for _, c := range o.Columns {
		cols = append(cols, Column{Name: c.Name, Type: c.Type})
	}
	return cols
}

func (x *subscribeExec) execute(ctx context.Context, s *Session, _ []types.Datum) (*Result, error) {
	e := s.e
	// Register and snapshot under the write lock: every epoch is either in the snapshot or
	// published to the subscription, never both, never neither.
	e.writeMu.Lock()
	o, err := e.subscribable(x.stmt)
	if err != nil {
		e.writeMu.Unlock()
		return nil, err
	}
	cols := subscribeColumns(o)
	if !columnsEqual(cols, x.cols) {
		e.writeMu.Unlock()
		return nil, sqlerr.New(sqlerr.FeatureNotSupported, "cached plan must not change result type")
	}
	sub := &subscription{e: e, rel: o, wake: make(chan struct{}, 1)}
	e.subs.add(sub)
	epoch := e.epoch.Load()
	var snap *storage.Snapshot
	if x.stmt.Snapshot {
		if snap, err = e.readSnapshot([]uint64{o.ID}); err != nil {
			e.subs.remove(sub)
			e.writeMu.Unlock()
			return nil, err
		}
	}
	e.writeMu.Unlock()

	rows := &subscribeRows{sub: sub, e: e}
	if snap != nil {
		b, err := layoutOf(o).readAll(snap, e.mem, arrowTypes(o.columnTypes()))
		snap.Close()
		if err != nil {
			sub.close()
			return nil, fmt.Errorf("subscribe to %s: read the snapshot: %w", o.Name, err)
		}
		rows.start(epoch, zset.Consolidate(e.mem, b))
	}
	return &Result{Tag: "SUBSCRIBE", RowCountInTag: true, Columns: cols, Rows: rows}, nil
}

func columnsEqual(a, b []Column) bool {
	if len(a) != len(b) {
		return false
	}
	for i := range a {
		if a[i].Name != b[i].Name || a[i].Type != b[i].Type {
			return false
		}
	}
	return true
}

// subscribeRows serves a subscription: the snapshot, then each epoch in turn, in chunks of at
// most rowsChunk rows sharing the delta's arrays. Next blocks while nothing is buffered.
type subscribeRows struct {
	sub *subscription
	e   *Engine
	// cur is the epoch being sent (owned), pos the next row of it, ts its mz_timestamp column
	// (min(rows, rowsChunk) copies of the epoch number, sliced for each chunk).
	cur   zset.Batch
	epoch uint64
	pos   int64
	ts    arrow.Array
}

var _ StreamingRows = (*subscribeRows)(nil)

// start makes b (owned) the epoch being sent.
func (r *subscribeRows) start(epoch uint64, b zset.Batch) {
	r.releaseCur()
	r.cur, r.epoch, r.pos = b, epoch, 0
}

func (r *subscribeRows) releaseCur() {
	r.cur.Release()
	r.cur = zset.Batch{}
	if r.ts != nil {
		r.ts.Release()
		r.ts = nil
	}
}

func (r *subscribeRows) Next(ctx context.Context) (arrow.RecordBatch, error) {
	if r.sub == nil {
		return nil, nil
	}
	for int64(r.cur.NumRows()) <= r.pos {
		if err := ctx.Err(); err != nil {
			return nil, context.Cause(ctx)
		}
		q, err := r.sub.take(ctx)
		if err != nil {
			return nil, err
		}
		r.start(q.epoch, zset.Consolidate(r.e.mem, q.delta))
	}
	return r.chunk(), nil
}

// chunk returns the next rows of the current epoch as (mz_timestamp, mz_diff, columns...).
func (r *subscribeRows) chunk() arrow.RecordBatch {
	n := int64(r.cur.NumRows())
	hi := min(r.pos+rowsChunk, n)
	if r.ts == nil {
		b := array.NewFixedSizeBinaryBuilder(r.e.mem, types.NumericArrowType)
		var v [types.NumericWidth]byte
		types.NumericFromInt64(int64(r.epoch)).Put(v[:])
		for range min(n, rowsChunk) {
			b.Append(v[:])
		}
		r.ts = b.NewArray()
		b.Release()
	}
	src := r.cur.Record()
	ncols := r.cur.NumCols()
	arrs := make([]arrow.Array, 0, ncols+2)
	fields := make([]arrow.Field, 0, ncols+2)
	arrs = append(arrs, array.NewSlice(r.ts, 0, hi-r.pos), array.NewSlice(r.cur.WeightArray(), r.pos, hi))
	fields = append(fields, arrow.Field{Name: "mz_timestamp", Type: types.NumericArrowType},
		arrow.Field{Name: "mz_diff", Type: arrow.PrimitiveTypes.Int64})
	for i := range ncols {
		arrs = append(arrs, array.NewSlice(src.Column(i), r.pos, hi))
		fields = append(fields, src.Schema().Field(i))
	}
	out := array.NewRecordBatch(arrow.NewSchema(fields, nil), arrs, hi-r.pos)
	for _, a := range arrs {
		a.Release()
	}
	r.pos = hi
	return out
}

// Buffered reports whether Next has rows without waiting.
func (r *subscribeRows) Buffered() bool {
	if r.sub == nil || int64(r.cur.NumRows()) > r.pos {
		return true
	}
	return r.sub.pending()
}

// Close ends the subscription and releases what it holds.
func (r *subscribeRows) Close() {
	if r.sub == nil {
		return
	}
	r.sub.close()
	r.sub = nil
	r.releaseCur()
}
