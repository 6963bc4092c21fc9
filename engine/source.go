package engine

import (
	"context"
	"encoding/binary"
	"errors"
	"fmt"
	"log/slog"
	"sort"
	"strings"
	"sync"
	"time"

	"github.com/apache/arrow-go/v18/arrow"
	"github.com/apache/arrow-go/v18/arrow/array"
	"github.com/apache/arrow-go/v18/arrow/memory"

	"github.com/runnel-db/runnel/connectors/format/row"
	"github.com/runnel-db/runnel/connectors/kafka"
	"github.com/runnel-db/runnel/exec/sqlerr"
	"github.com/runnel-db/runnel/exec/types"
	"github.com/runnel-db/runnel/exec/zset"
	"github.com/runnel-db/runnel/planner"
	"github.com/runnel-db/runnel/storage"
)

// Sources and connector-fed tables.
//
// CREATE SOURCE stores only a catalog entry: a source's rows are never stored. Each materialized
// view that reads a source directly consumes it on its own, as in RisingWave: a feed per (view,
// source) reads the topic from the view's own committed offsets, and each chunk it polls becomes
// one epoch that steps that view's dataflow alone and writes the view's rows, its operator state
// and the feed's new offsets in one Pebble batch. The view's operator state is stored (state
// slots, see dataflow.go) because the source's rows are not: after a crash the state is restored
// and the feed resumes from the committed offsets, so nothing is lost or counted twice.
//
// A table created WITH (connector = ...) is an ordinary stored table fed by one feed: FORMAT
// PLAIN appends rows, FORMAT UPSERT replaces the row with the message's key and deletes it on a
// tombstone. Views over it are ordinary views over a table.

// connectorSpec is the external feed of a source or connector table, as declared.
type connectorSpec struct {
	With          map[string]string `json:"with"`
	Format        string            `json:"format"`
	Encode        string            `json:"encode"`
	EncodeOptions map[string]string `json:"encode_options,omitempty"`
}

// config validates the spec for a relation with cols (keyCols: its primary key).
func (c *connectorSpec) config(cols []row.Column, keyCols []int) (kafka.Config, kafka.Encoding, error) {
	if c.With["connector"] != "kafka" {
		return kafka.Config{}, kafka.Encoding{}, sqlerr.New(sqlerr.InvalidParameterValue, "connector %q is not supported (supported: kafka)", c.With["connector"])
	}
	cfg, err := kafka.ParseOptions(c.With)
	if err != nil {
		return cfg, kafka.Encoding{}, err
	}
	enc, err := kafka.ParseEncoding(c.Format, c.Encode, c.EncodeOptions)
	return cfg, enc, err
}

// Epoch sizing of a feed: an epoch takes what the first poll returns and, while polls keep
// returning a backlog (at least backlogRecords at once), what the reader fetches next (waiting
// up to gatherPollWait for each fetch while the broker holds at least backlogRecords more), up to maxEpochRecords records or maxEpochGather of
// gathering. Under light load each poll is an epoch of its own (latency is the fetch's); while a
// backlog is read epochs grow beyond what the reader buffers, and a group or key changed many
// times in one epoch is written once: with 100K groups, epochs of ~300K instead of ~100K events
// cut the CPU per event by a quarter (BenchmarkSourceGroupBy).
const (
	backlogRecords  = 1024
	maxEpochRecords = 500_000
	maxEpochGather  = 100 * time.Millisecond
	gatherPollWait  = 20 * time.Millisecond
)

// feedKey names a feed: the view or table it feeds and the source it reads (the table itself
// for a connector table).
type feedKey struct{ consumer, source uint64 }

// feed is one connector reader feeding one consumer.
type feed struct {
	key      feedKey
	consumer *object
	source   *object
	reader   *kafka.Reader
	cancel   context.CancelFunc
	done     chan struct{}

	mu       sync.Mutex
	lastErr  string // the last error that stopped an epoch, for the status view
	errAt    time.Time
	rejected int64 // records the dataflow rejected (evaluation errors), beyond the reader's own
	errs     []kafka.RecordError
	// columns, when set, are the source's columns the view uses: the reader decodes only those,
	// and widen gives the chunks the source's full width.
	columns  []bool
	logged   time.Time // when a rejection was last logged (at most one line per rejectLogEvery)
	unlogged int64     // rejections since then
}

// rejectLogEvery rate-limits the log lines about rejected records of one feed.
const rejectLogEvery = 5 * time.Second

// feedsOf lists the feeds object o needs: one per source a materialized view reads directly, or
// one for a connector table.
func (e *Engine) feedsOf(o *object) []feedKey {
	switch {
	case o.Kind == planner.Table && o.Connector != nil:
		return []feedKey{{o.ID, o.ID}}
	case o.Kind == planner.MaterializedView:
		f := e.flows[o.ID]
		if f == nil {
			return nil
		}
		var keys []feedKey
		seen := map[uint64]bool{}
		for _, id := range f.graph.Inputs() {
			if src := e.cat.byID[id]; src != nil && src.Kind == planner.Source && !seen[id] {
				seen[id] = true
				keys = append(keys, feedKey{o.ID, id})
			}
		}
		return keys
	}
	return nil
}

// startFeeds starts the feeds of object o. The caller holds writeMu; the feeds' goroutines wait
// for it before their first epoch.
func (e *Engine) startFeeds(o *object) {
	for _, k := range e.feedsOf(o) {
		src := e.cat.byID[k.source]
		f := &feed{key: k, consumer: o, source: src, done: make(chan struct{})}
		if df := e.flows[o.ID]; df != nil && df.broken != nil {
			f.noteError(df.broken)
			close(f.done)
			e.setFeed(f)
			continue
		}
		cols := make([]row.Column, len(src.Columns))
		for i, c := range src.Columns {
			cols[i] = row.Column{Name: c.Name, Type: c.Type}
		}
		cfg, enc, err := src.Connector.config(cols, src.PrimaryKey)
		if err == nil && o.Kind == planner.MaterializedView && enc.Encode == kafka.EncodeJSON {
			// Decode only the columns the view uses (JSON finds fields by name); the others are
			// fed to the view as NULL.
			f.columns = e.flows[o.ID].graph.InputColumns(src.ID)
			cols = usedOnly(cols, f.columns)
		}
		if err == nil {
			f.reader, err = kafka.NewReader(cfg, enc, cols, src.PrimaryKey, kafka.ReaderOptions{
				Source: src.Name, Mem: e.mem, Logger: e.opts.Logger, PartitionDiscoveryInterval: e.opts.PartitionDiscovery})
		}
		if err != nil {
			// Validated at CREATE; only a changed environment gets here.
			f.noteError(fmt.Errorf("start reading source %s: %w", src.Name, err))
			e.opts.Logger.Error("cannot start source", "source", src.Name, "consumer", o.Name, "err", err)
			close(f.done)
			e.setFeed(f)
			continue
		}
		ctx, cancel := context.WithCancel(context.Background())
		f.cancel = cancel
		e.setFeed(f)
		go e.runFeed(ctx, f)
	}
}

func (e *Engine) setFeed(f *feed) {
	e.feedsMu.Lock()
	if e.feeds == nil {
		e.feeds = map[feedKey]*feed{}
	}
	e.feeds[f.key] = f
	e.feedsMu.Unlock()
}

// stopFeeds stops the feeds of consumer id. The caller holds writeMu, so a feed cannot be in an
// epoch; its goroutine exits at its next poll or epoch.
func (e *Engine) stopFeeds(id uint64) {
	e.feedsMu.Lock()
	defer e.feedsMu.Unlock()
	for k, f := range e.feeds {
		if k.consumer == id {
			if f.cancel != nil {
				f.cancel()
			}
			delete(e.feeds, k)
		}
	}
}

// stopAllFeeds cancels every feed and waits for their goroutines. The caller must not hold writeMu.
func (e *Engine) stopAllFeeds() {
	e.feedsMu.Lock()
	fs := make([]*feed, 0, len(e.feeds))
	for k, f := range e.feeds {
		if f.cancel != nil {
			f.cancel()
		}
		fs = append(fs, f)
		delete(e.feeds, k)
	}
	e.feedsMu.Unlock()
	for _, f := range fs {
		<-f.done
	}
}

var errFeedStopped = errors.New("feed stopped")

// runFeed polls f's reader and commits each chunk as an epoch until ctx ends.
func (e *Engine) runFeed(ctx context.Context, f *feed) {
	defer close(f.done)
	defer f.reader.Close()
	committed, err := e.committedOffsets(f.key)
	if err == nil {
		err = f.reader.Start(ctx, committed)
	}
	if err != nil {
		f.noteError(err)
		e.opts.Logger.Error("cannot start source", "source", f.source.Name, "consumer", f.consumer.Name, "err", err)
		return
	}
	backoff := 50 * time.Millisecond
	for ctx.Err() == nil {
		ch, err := f.reader.Poll(ctx, maxEpochRecords)
		if err != nil {
			if ctx.Err() != nil {
				return
			}
			f.noteError(err)
			sleep(ctx, backoff)
			continue
		}
		if ch, err = f.gather(ch, e.mem); err != nil {
			f.noteError(err)
			e.rewind(f)
			continue
		}
		f.widen(ch, e.mem)
		err = e.applyChunk(ctx, f, ch)
		ch.Release()
		switch {
		case err == nil:
			backoff = 50 * time.Millisecond
		case errors.Is(err, errFeedStopped) || ctx.Err() != nil:
			return
		default:
			// Not the data's fault (storage, an internal error): nothing was committed. Deliver the
			// same records again after a pause.
			f.noteError(err)
			e.opts.Logger.Error("source epoch failed; retrying", "source", f.source.Name, "consumer", f.consumer.Name, "err", err)
			sleep(ctx, backoff)
			backoff = min(2*backoff, 5*time.Second)
			e.rewind(f)
		}
	}
}

// rewind repositions f's reader at its committed offsets, so that records read but not
// committed are delivered again.
func (e *Engine) rewind(f *feed) {
	committed, err := e.committedOffsets(f.key)
	if err == nil {
		err = f.reader.Rewind(committed)
	}
	if err != nil {
		f.noteError(err)
	}
}

// usedOnly returns the columns marked in used, or the first column when none is (the reader
// needs one to count rows).
func usedOnly(cols []row.Column, used []bool) []row.Column {
	var out []row.Column
	for i, c := range cols {
		if used[i] {
			out = append(out, c)
		}
	}
	if len(out) == 0 && len(cols) > 0 {
		out = cols[:1]
		used[0] = true
	}
	return out
}

// widen gives a chunk read with only f.columns the source's full width, the other columns NULL.
func (f *feed) widen(ch *kafka.Chunk, mem memory.Allocator) {
	if f.columns == nil || len(ch.Cols) == 0 || len(ch.Cols) == len(f.source.Columns) {
		return
	}
	n := chunkLen(ch)
	full := make([]arrow.Array, len(f.source.Columns))
	next := 0
	for i, c := range f.source.Columns {
		if f.columns[i] {
			full[i] = ch.Cols[next]
			next++
		} else {
			full[i] = array.MakeArrayOfNull(mem, c.Type.ArrowType(), n)
		}
	}
	ch.Cols = full
}

// gather extends ch with what f's reader fetches while a backlog is being read (see
// maxEpochRecords).
func (f *feed) gather(ch *kafka.Chunk, mem memory.Allocator) (*kafka.Chunk, error) {
	if chunkLen(ch) == 0 {
		return ch, nil
	}
	more := []*kafka.Chunk{ch}
	n := chunkLen(ch)
	deadline := time.Now().Add(maxEpochGather)
	for last := n; last >= backlogRecords && n < maxEpochRecords && time.Now().Before(deadline); {
		// Wait for the next fetch only while the broker holds a backlog: at the end of one, commit
		// at once.
		wait := time.Now()
		if f.reader.Lag() >= backlogRecords {
			wait = wait.Add(gatherPollWait)
			if wait.After(deadline) {
				wait = deadline
			}
		}
		ctx, cancel := context.WithDeadline(context.Background(), wait)
		next, err := f.reader.Poll(ctx, maxEpochRecords-n)
		cancel()
		if err != nil || next == nil {
			break
		}
		more = append(more, next)
		last = chunkLen(next)
		n += last
	}
	if len(more) == 1 {
		return ch, nil
	}
	return concatChunks(mem, more)
}

// concatChunks joins consecutive chunks of one reader into one, releasing them.
func concatChunks(mem memory.Allocator, cs []*kafka.Chunk) (*kafka.Chunk, error) {
	defer func() {
		for _, c := range cs {
			c.Release()
		}
	}()
	out := &kafka.Chunk{Offsets: map[int32]int64{}}
	upsert := false
	for _, c := range cs {
		for p, o := range c.Offsets {
			out.Offsets[p] = o
		}
		out.Rejected += c.Rejected
		out.Partitions = append(out.Partitions, c.Partitions...)
		out.RowOffsets = append(out.RowOffsets, c.RowOffsets...)
		upsert = upsert || c.Deletes != nil
	}
	for _, c := range cs {
		if upsert {
			if c.Deletes != nil {
				out.Deletes = append(out.Deletes, c.Deletes...)
			} else {
				out.Deletes = append(out.Deletes, make([]bool, chunkLen(c))...)
			}
		}
	}
	var ncols int
	for _, c := range cs {
		ncols = max(ncols, len(c.Cols))
	}
	for i := 0; i < ncols; i++ {
		var parts []arrow.Array
		for _, c := range cs {
			if len(c.Cols) > i && c.Cols[i].Len() > 0 {
				parts = append(parts, c.Cols[i])
			}
		}
		if len(parts) == 0 {
			continue
		}
		col, err := array.Concatenate(parts, mem)
		if err != nil {
			out.Release()
			return nil, fmt.Errorf("join polled records: %w", err)
		}
		out.Cols = append(out.Cols, col)
	}
	return out, nil
}

func sleep(ctx context.Context, d time.Duration) {
	t := time.NewTimer(d)
	defer t.Stop()
	select {
	case <-ctx.Done():
	case <-t.C:
	}
}

func (f *feed) noteError(err error) {
	f.mu.Lock()
	f.lastErr, f.errAt = err.Error(), time.Now()
	f.mu.Unlock()
}

// committedOffsets reads the feed's committed offsets: partition → next offset to read.
func (e *Engine) committedOffsets(k feedKey) (map[int32]int64, error) {
	snap := e.db.NewSnapshot()
	defer snap.Close()
	lower := storage.OffsetKey(k.consumer, k.source, -1<<31)
	upper := storage.PrefixEnd(storage.OffsetKey(k.consumer, k.source, 1<<31-1))
	it, err := snap.NewIter(lower, upper)
	if err != nil {
		return nil, err
	}
	defer it.Close()
	out := map[int32]int64{}
	for it.First(); it.Valid(); it.Next() {
		_, p, err := storage.DecodeOffsetKey(it.Key())
		if err != nil {
			return nil, err
		}
		v, n := binary.Uvarint(it.Value())
		if n <= 0 {
			return nil, fmt.Errorf("corrupt offset entry %x", it.Key())
		}
		out[p] = int64(v)
	}
	return out, it.Error()
}

// applyChunk commits one polled chunk as an epoch. Records the dataflow cannot take (an
// evaluation error such as a division by zero, a NULL in a NOT NULL column) are found by
// splitting the chunk, skipped and reported like undecodable ones; the rest commit.
func (e *Engine) applyChunk(ctx context.Context, f *feed, ch *kafka.Chunk) error {
	e.writeMu.Lock()
	defer e.writeMu.Unlock()
	if e.closed.Load() || e.currentFeed(f.key) != f {
		return errFeedStopped
	}
	n := chunkLen(ch)
	err := e.runEpoch(ctx, func(tx *epochTx) error { return tx.feedRows(f, ch, 0, n, ch.Offsets) })
	if err == nil || !isDataError(err) {
		return err
	}
	// Find the rows that fail on their own by probing fresh copies of the view's dataflow, skip
	// them and commit the rest in one epoch; if something still fails (an error that depends on
	// the view's state or on other inputs), fall back to committing the chunk in halves.
	if bad := e.probeBadRows(f, ch); len(bad) > 0 {
		// Reported before the commit makes the rest visible, as a reader of both expects; a
		// retry after a failed commit reports them again.
		skip := map[int]bool{}
		for _, b := range bad {
			skip[b.row] = true
			f.reject(e.opts.Logger, ch, b.row, b.err)
		}
		err2 := e.runEpoch(ctx, func(tx *epochTx) error { return tx.feedRowsSkipping(f, ch, 0, n, skip, ch.Offsets) })
		if err2 == nil {
			return nil
		}
		if !isDataError(err2) {
			return err2
		}
	}
	return e.applyRowsSplitting(ctx, f, ch, 0, n, err)
}

// applyRowsSplitting commits rows [lo, hi) of ch, whose epoch failed with the data error cause:
// each half is tried as an epoch of its own (committing the offsets up to its last row), down to
// single rows, which are skipped and reported.
func (e *Engine) applyRowsSplitting(ctx context.Context, f *feed, ch *kafka.Chunk, lo, hi int, cause error) error {
	// The offsets after rows [a, b); the chunk's last rows also carry the records after them that
	// the reader rejected.
	offsets := func(a, b int) map[int32]int64 {
		if b == chunkLen(ch) {
			return ch.Offsets
		}
		return offsetsThrough(ch, a, b)
	}
	if hi-lo == 1 {
		f.reject(e.opts.Logger, ch, lo, cause)
		return e.runEpoch(ctx, func(tx *epochTx) error { return tx.feedRows(f, ch, lo, lo, offsets(lo, hi)) })
	}
	mid := (lo + hi) / 2
	for _, r := range [][2]int{{lo, mid}, {mid, hi}} {
		offs := offsets(r[0], r[1])
		err := e.runEpoch(ctx, func(tx *epochTx) error { return tx.feedRows(f, ch, r[0], r[1], offs) })
		if err != nil && isDataError(err) {
			err = e.applyRowsSplitting(ctx, f, ch, r[0], r[1], err)
		}
		if err != nil {
			return err
		}
	}
	return nil
}

// offsetsThrough are the next offsets after rows [lo, hi) of ch, per partition they touch.
func offsetsThrough(ch *kafka.Chunk, lo, hi int) map[int32]int64 {
	out := map[int32]int64{}
	for i := lo; i < hi; i++ {
		out[ch.Partitions[i]] = ch.RowOffsets[i] + 1
	}
	return out
}

func chunkLen(ch *kafka.Chunk) int {
	if len(ch.Cols) == 0 {
		return 0
	}
	return ch.Cols[0].Len()
}

// isDataError reports whether err is the data's fault (SQLSTATE class 22 data exception or 23
// integrity violation), so that skipping the records that cause it is the right response.
func isDataError(err error) bool {
	code := sqlerr.Code(err)
	return strings.HasPrefix(code, "22") || strings.HasPrefix(code, "23")
}

// reject records row i of ch as skipped because of err.
func (f *feed) reject(log *slog.Logger, ch *kafka.Chunk, i int, err error) {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.rejected++
	// The record's decoded values (its payload is not kept), as a JSON object of the columns the
	// view reads.
	var b strings.Builder
	b.WriteByte('{')
	for c, col := range ch.Cols {
		if f.columns != nil && !f.columns[c] {
			continue
		}
		if b.Len() > 1 {
			b.WriteString(", ")
		}
		fmt.Fprintf(&b, "%q: ", f.source.Columns[c].Name)
		switch d := zset.DatumAt(col, i); {
		case d == nil:
			b.WriteString("null")
		case f.source.Columns[c].Type.Kind == types.Text || f.source.Columns[c].Type.Kind == types.Varchar:
			fmt.Fprintf(&b, "%q", d)
		default:
			b.Write(types.AppendText(nil, col, i, f.source.Columns[c].Type, time.UTC))
		}
	}
	b.WriteByte('}')
	f.errs = append(f.errs, kafka.RecordError{Source: f.source.Name, Partition: ch.Partitions[i], Offset: ch.RowOffsets[i],
		Time: time.Now(), Reason: "materialized view " + f.consumer.Name + ": " + err.Error(), Payload: b.String()})
	if len(f.errs) > kafka.RecentErrorsCap {
		f.errs = f.errs[len(f.errs)-kafka.RecentErrorsCap:]
	}
	f.unlogged++
	if now := time.Now(); now.Sub(f.logged) >= rejectLogEvery {
		last := f.errs[len(f.errs)-1]
		log.Warn("skipped records a materialized view cannot compute", "source", f.source.Name, "view", f.consumer.Name,
			"count", f.unlogged, "partition", last.Partition, "offset", last.Offset, "reason", err.Error())
		f.logged, f.unlogged = now, 0
	}
}

func (e *Engine) currentFeed(k feedKey) *feed {
	e.feedsMu.Lock()
	defer e.feedsMu.Unlock()
	return e.feeds[k]
}

// feedRows adds rows [lo, hi) of ch to the epoch and sets the feed's offsets.
func (tx *epochTx) feedRows(f *feed, ch *kafka.Chunk, lo, hi int, offsets map[int32]int64) error {
	return tx.feedRowsSkipping(f, ch, lo, hi, nil, offsets)
}

// feedRowsSkipping is feedRows without the rows in skip.
func (tx *epochTx) feedRowsSkipping(f *feed, ch *kafka.Chunk, lo, hi int, skip map[int]bool, offsets map[int32]int64) error {
	for p, off := range offsets {
		if err := tx.wb.Set(storage.OffsetKey(f.key.consumer, f.key.source, p), binary.AppendUvarint(nil, uint64(off))); err != nil {
			return err
		}
	}
	cols, deletes, err := selectRows(tx.e.mem, ch, lo, hi, skip)
	if err != nil || cols == nil {
		return err
	}
	defer func() {
		for _, c := range cols {
			c.Release()
		}
	}()
	if f.consumer.Kind == planner.MaterializedView {
		b := onesBatch(tx.e.mem, cols) // the graph consolidates its inputs
		if tx.private == nil {
			tx.private = map[uint64]map[uint64]zset.Batch{}
		}
		m := tx.private[f.consumer.ID]
		if m == nil {
			m = map[uint64]zset.Batch{}
			tx.private[f.consumer.ID] = m
		}
		m[f.source.ID] = b
		return nil
	}
	o := f.consumer
	var d zset.Batch
	if upsert(o) {
		if d, err = tx.upsertDelta(o, cols, deletes); err != nil {
			return err
		}
	} else {
		d = zset.Consolidate(tx.e.mem, onesBatch(tx.e.mem, cols))
	}
	if err := checkNotNull(o, d); err != nil {
		d.Release()
		return err
	}
	return tx.applyTable(o, d)
}

// selectRows returns the columns and tombstone flags of rows [lo, hi) of ch without those in skip
// (nil columns when no row is left). The caller releases the columns.
func selectRows(mem memory.Allocator, ch *kafka.Chunk, lo, hi int, skip map[int]bool) ([]arrow.Array, []bool, error) {
	var ranges [][2]int
	for i := lo; i < hi; {
		for i < hi && skip[i] {
			i++
		}
		j := i
		for j < hi && !skip[j] {
			j++
		}
		if j > i {
			ranges = append(ranges, [2]int{i, j})
		}
		i = j
	}
	if len(ranges) == 0 {
		return nil, nil, nil
	}
	var deletes []bool
	if ch.Deletes != nil {
		for _, r := range ranges {
			deletes = append(deletes, ch.Deletes[r[0]:r[1]]...)
		}
	}
	cols := make([]arrow.Array, len(ch.Cols))
	for c, col := range ch.Cols {
		parts := make([]arrow.Array, len(ranges))
		for k, r := range ranges {
			parts[k] = array.NewSlice(col, int64(r[0]), int64(r[1]))
		}
		if len(parts) == 1 {
			cols[c] = parts[0]
			continue
		}
		joined, err := array.Concatenate(parts, mem)
		for _, p := range parts {
			p.Release()
		}
		if err != nil {
			for _, done := range cols[:c] {
				done.Release()
			}
			return nil, nil, fmt.Errorf("select polled rows: %w", err)
		}
		cols[c] = joined
	}
	return cols, deletes, nil
}

func upsert(o *object) bool {
	return o.Connector != nil && strings.EqualFold(o.Connector.Format, "UPSERT")
}

// upsertDelta turns upserts (rows) and deletes (tombstones: only key columns set) into a table
// delta: the last message per key wins; it retracts the stored row and inserts the new one.
func (tx *epochTx) upsertDelta(o *object, cols []arrow.Array, deletes []bool) (zset.Batch, error) {
	l := layoutOf(o)
	n := cols[0].Len()
	last := map[string]int{}
	keys := make([][]byte, n)
	for i := 0; i < n; i++ {
		keys[i] = l.rowKey(nil, cols, i)
		last[string(keys[i])] = i
	}
	var live []int
	var stored [][]byte
	for i := 0; i < n; i++ {
		if last[string(keys[i])] == i {
			live = append(live, i)
			stored = append(stored, keys[i])
		}
	}
	old, err := l.getRows(tx.wb, tx.e.mem, stored)
	if err != nil {
		return zset.Batch{}, err
	}
	defer old.Release()
	b := zset.NewBuilder(tx.e.mem, o.columnTypes())
	oc, ow := old.Cols(), old.Weights()
	for i := range ow {
		b.AppendFrom(oc, i, -ow[i])
	}
	for _, i := range live {
		if deletes == nil || !deletes[i] {
			b.AppendFrom(cols, i, 1)
		}
	}
	return zset.Consolidate(tx.e.mem, b.Build()), nil
}

// getRows reads the stored rows with the given storage keys (absent keys are skipped).
func (l *layout) getRows(r reader, mem memory.Allocator, keys [][]byte) (zset.Batch, error) {
	sorted := append([][]byte(nil), keys...)
	sort.Slice(sorted, func(i, j int) bool { return string(sorted[i]) < string(sorted[j]) })
	return l.readKeys(r, mem, sorted, nil)
}

// onesBatch is cols with weight 1 per row.
func onesBatch(mem memory.Allocator, cols []arrow.Array) zset.Batch {
	n := 0
	if len(cols) > 0 {
		n = cols[0].Len()
	}
	wb := array.NewInt64Builder(mem)
	defer wb.Release()
	wb.Reserve(n)
	for i := 0; i < n; i++ {
		wb.UnsafeAppend(1)
	}
	w := wb.NewArray()
	defer w.Release()
	return zset.New(cols, w)
}
