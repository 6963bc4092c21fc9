package engine

import (
	"bytes"
	"encoding/binary"
	"fmt"
	"sync"

	"github.com/apache/arrow-go/v18/arrow/ipc"
	"github.com/apache/arrow-go/v18/arrow/memory"

	"github.com/runnel-db/runnel/exec/types"
	"github.com/runnel-db/runnel/exec/zset"
	"github.com/runnel-db/runnel/storage"
)

// slotLog stores one operator state slot (exec.StateSlot) as a log of runs: each epoch's delta of
// the slot is one Pebble entry holding the consolidated Z-set batch in Arrow IPC form, under
// StateKey(id, sequence number). Writing a run costs one key however many rows the delta has,
// where a row per key would cost a sort and a skiplist insert per row (the state of a GROUP BY
// over a source would double the epoch's writes). Restoring reads the runs, concatenates and
// consolidates them. When the runs written since the last compaction outgrow the compacted base,
// they are replaced by one run of their sum, so the log stays within about twice the state's size
// and compaction costs O(1) amortized per byte logged. With a database to read committed runs
// from (bg set), the sum is computed in the background from a snapshot, and a later epoch writes
// it in place of the runs it covers: summing thousands of small runs would otherwise stall the
// epoch that notices (25 ms at 40K rows of state, BenchmarkSourceLatency's periodic maximum).
type slotLog struct {
	id    uint64
	types []types.T
	// bg, when set, compacts in the background from snapshots of the database.
	bg *backgroundCompactor
	// compacting is the background compaction in flight, if any.
	compacting *runCompaction
	// next is the sequence number of the next run; runs and logBytes count the runs and bytes
	// written since the last compaction, baseBytes the size of the run it wrote.
	next                uint64
	runs                int
	logBytes, baseBytes int
	// compactAt is the least log size that triggers a compaction (minCompactBytes).
	compactAt int
}

// backgroundCompactor runs slot log compactions off the epoch path; the engine waits for them
// before closing the database.
type backgroundCompactor struct {
	db  *storage.DB
	mem memory.Allocator
	wg  sync.WaitGroup
}

// runCompaction is the sum of the runs with sequence numbers below upto, computed in the
// background. runs and bytes are what it covers: the base (if any) and the runs logged since.
type runCompaction struct {
	upto        uint64
	runs, bytes int
	done        chan struct{}
	blob        []byte
	err         error
}

// minCompactBytes keeps small states from compacting at every epoch.
const minCompactBytes = 1 << 20

func newSlotLog(id uint64, ts []types.T) *slotLog {
	return &slotLog{id: id, types: ts, compactAt: minCompactBytes}
}

func (l *slotLog) key(seq uint64) []byte {
	return storage.StateKey(nil, l.id, binary.BigEndian.AppendUint64(nil, seq))
}

func (l *slotLog) bounds() (lower, upper []byte) {
	lower = storage.Prefix(storage.KindState, l.id)
	return lower, storage.PrefixEnd(lower)
}

// append writes delta (consolidated, borrowed) as the next run into wb, compacting the log when
// it has outgrown its base. wb must be an indexed batch (compaction reads the runs through it).
func (l *slotLog) append(wb *storage.Batch, mem memory.Allocator, delta zset.Batch) error {
	blob, err := encodeRun(delta)
	if err != nil {
		return err
	}
	if err := wb.Set(l.key(l.next), blob); err != nil {
		return err
	}
	l.next++
	l.runs++
	l.logBytes += len(blob)
	if l.compacting != nil {
		return l.finishCompaction(wb)
	}
	if l.runs > 1 && l.logBytes > max(l.baseBytes, l.compactAt) {
		if l.bg != nil && l.runs > 2 {
			l.startCompaction(len(blob))
			return nil
		}
		return l.compact(wb, mem)
	}
	return nil
}

// startCompaction sums, in the background, every committed run: all but the one just written
// (lastBytes long) into the epoch's batch.
func (l *slotLog) startCompaction(lastBytes int) {
	c := &runCompaction{upto: l.next - 1, runs: l.runs - 1, bytes: l.logBytes - lastBytes, done: make(chan struct{})}
	l.compacting = c
	snap := l.bg.db.NewSnapshot()
	lower, _ := l.bounds()
	upper := l.key(c.upto)
	l.bg.wg.Add(1)
	go func() {
		defer l.bg.wg.Done()
		defer close(c.done)
		defer snap.Close()
		sum, _, err := readRuns(snap, l.bg.mem, l.types, l.id, lower, upper)
		if err != nil {
			c.err = err
			return
		}
		c.blob, c.err = encodeRun(sum)
		sum.Release()
	}()
}

// finishCompaction writes a finished background compaction into wb: its sum replaces the runs it
// covers, under the last one's key (later runs stay after it). A failed one is dropped (the next
// trigger starts another); one still running is left for a later epoch.
func (l *slotLog) finishCompaction(wb *storage.Batch) error {
	c := l.compacting
	select {
	case <-c.done:
	default:
		return nil
	}
	l.compacting = nil
	if c.err != nil {
		return nil
	}
	lower, _ := l.bounds()
	last := l.key(c.upto - 1)
	if err := wb.DeleteRange(lower, last); err != nil {
		return err
	}
	if err := wb.Set(last, c.blob); err != nil {
		return err
	}
	l.runs -= c.runs - 1
	l.logBytes -= c.bytes
	l.baseBytes = len(c.blob)
	return nil
}

// compact replaces every run by one holding their sum.
func (l *slotLog) compact(wb *storage.Batch, mem memory.Allocator) error {
	sum, _, err := l.read(wb, mem)
	if err != nil {
		return err
	}
	defer sum.Release()
	blob, err := encodeRun(sum)
	if err != nil {
		return err
	}
	lower, upper := l.bounds()
	if err := deleteKeys(wb, lower, upper); err != nil { // the runs are few: point deletions
		return err
	}
	if err := wb.Set(l.key(l.next), blob); err != nil {
		return err
	}
	l.next++
	l.runs, l.logBytes, l.baseBytes = 1, 0, len(blob)
	return nil
}

// load reads the slot's contents from r and positions the log after its last run.
func (l *slotLog) load(r reader, mem memory.Allocator) (zset.Batch, error) {
	sum, bytes, err := l.read(r, mem)
	if err != nil {
		return zset.Batch{}, err
	}
	l.runs, l.logBytes, l.baseBytes = 0, 0, bytes
	lower, upper := l.bounds()
	it, err := r.NewIter(lower, upper)
	if err != nil {
		sum.Release()
		return zset.Batch{}, err
	}
	defer it.Close()
	l.next = 0
	if it.Last() {
		l.next = binary.BigEndian.Uint64(it.Key()[storage.PrefixLen:]) + 1
	}
	return sum, nil
}

// read returns the consolidated sum of the slot's runs in r and their total size.
func (l *slotLog) read(r reader, mem memory.Allocator) (zset.Batch, int, error) {
	lower, upper := l.bounds()
	return readRuns(r, mem, l.types, l.id, lower, upper)
}

// readRuns returns the consolidated sum of the runs in [lower, upper) of slot id and their size.
func readRuns(r reader, mem memory.Allocator, ts []types.T, id uint64, lower, upper []byte) (zset.Batch, int, error) {
	it, err := r.NewIter(lower, upper)
	if err != nil {
		return zset.Batch{}, 0, err
	}
	defer it.Close()
	var parts []zset.Batch
	defer func() {
		for _, p := range parts {
			p.Release()
		}
	}()
	size := 0
	for it.First(); it.Valid(); it.Next() {
		v := it.Value()
		size += len(v)
		b, err := decodeRun(v, mem)
		if err != nil {
			return zset.Batch{}, 0, fmt.Errorf("operator state %d: %w", id, err)
		}
		parts = append(parts, b)
	}
	if err := it.Error(); err != nil {
		return zset.Batch{}, 0, err
	}
	if len(parts) == 0 {
		return zset.Empty(mem, ts), 0, nil
	}
	all := zset.Concat(mem, parts)
	return zset.Consolidate(mem, all), size, nil
}

// encodeRun serializes a Z-set batch (data columns and weights) in the Arrow IPC stream format.
func encodeRun(b zset.Batch) ([]byte, error) {
	var buf bytes.Buffer
	rec := b.Record()
	w := ipc.NewWriter(&buf, ipc.WithSchema(rec.Schema()))
	if err := w.Write(rec); err != nil {
		return nil, fmt.Errorf("encode operator state: %w", err)
	}
	if err := w.Close(); err != nil {
		return nil, fmt.Errorf("encode operator state: %w", err)
	}
	return buf.Bytes(), nil
}

// decodeRun is encodeRun's inverse; the caller releases the batch.
func decodeRun(blob []byte, mem memory.Allocator) (zset.Batch, error) {
	rd, err := ipc.NewReader(bytes.NewReader(blob), ipc.WithAllocator(mem))
	if err != nil {
		return zset.Batch{}, fmt.Errorf("decode operator state: %w", err)
	}
	defer rd.Release()
	if !rd.Next() {
		if err := rd.Err(); err != nil {
			return zset.Batch{}, fmt.Errorf("decode operator state: %w", err)
		}
		return zset.Batch{}, fmt.Errorf("decode operator state: empty run")
	}
	rec := rd.RecordBatch()
	rec.Retain()
	return zset.FromRecord(rec), nil
}
