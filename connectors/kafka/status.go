package kafka

import (
	"log/slog"
	"net"
	"sort"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"github.com/twmb/franz-go/pkg/kgo"
)

// Status is a snapshot of a Reader for monitoring (SHOW SOURCES and the like).
type Status struct {
	// State is "starting" (no broker answered yet), "running", "retrying: <error>" (the last
	// broker request failed; franz-go retries with backoff) or "closed".
	State string
	// LastError is the last broker or metadata error ("" if none) and LastErrorTime when it
	// happened; they are kept after the reader recovers.
	LastError     string
	LastErrorTime time.Time
	// Partitions are the assigned partitions, by partition number.
	Partitions []PartitionStatus
	// BufferedRecords and BufferedBytes are what franz-go holds fetched but not yet polled;
	// PeakBufferedRecords and PeakBufferedBytes are their maxima since NewReader. Bytes count
	// keys, values and headers.
	BufferedRecords, BufferedBytes         int64
	PeakBufferedRecords, PeakBufferedBytes int64
	// Rejected is the total number of rejected records.
	Rejected int64
}

// PartitionStatus is one partition's progress.
type PartitionStatus struct {
	Partition int32
	// NextOffset is the offset of the next record Poll will deliver (-1 while unresolved).
	NextOffset int64
	// HighWatermark is the last known log end offset (-1 unknown); Lag = HighWatermark -
	// NextOffset (-1 unknown).
	HighWatermark int64
	Lag           int64
	// Records and Bytes count delivered records (rejected ones included) and their key+value
	// bytes; Rejected counts the rejected ones.
	Records, Bytes, Rejected int64
	// RecordsPerSec is the delivery rate over the last few seconds.
	RecordsPerSec float64
}

// RecordError describes one rejected record.
type RecordError struct {
	Source    string
	Partition int32
	Offset    int64
	Time      time.Time
	Reason    string
	// Payload is the first PayloadPrefix bytes of the value as text (invalid UTF-8 replaced).
	Payload string
}

const (
	// PayloadPrefix is how many payload bytes a RecordError keeps.
	PayloadPrefix = 64
	// RecentErrorsCap bounds RecentErrors.
	RecentErrorsCap = 100
	// rejectLogEvery is the minimum interval between two log lines about rejected records.
	rejectLogEvery = 5 * time.Second
	rateWindow     = 5 * time.Second
)

// rateSample is a cumulative record count at a time.
type rateSample struct {
	at time.Time
	n  int64
}

// partStats is the reader's bookkeeping for one partition (guarded by Reader.mu).
type partStats struct {
	next                     int64 // next offset to deliver; -1 unresolved
	hwm                      int64
	records, bytes, rejected int64
	samples                  []rateSample // ring of recent cumulative counts, oldest first
}

func newPartStats(next, hwm int64, now time.Time) *partStats {
	return &partStats{next: next, hwm: hwm, samples: []rateSample{{now, 0}}}
}

// sample records the cumulative count at most every 200 ms and forgets samples older than the
// rate window (keeping at least one).
func (p *partStats) sample(now time.Time) {
	if n := len(p.samples); n == 0 || now.Sub(p.samples[n-1].at) >= 200*time.Millisecond {
		p.samples = append(p.samples, rateSample{now, p.records})
	}
	i := 0
	for i < len(p.samples)-1 && now.Sub(p.samples[i+1].at) >= rateWindow {
		i++
	}
	p.samples = p.samples[i:]
}

// rate is records per second since the oldest sample within the window.
func (p *partStats) rate(now time.Time) float64 {
	p.sample(now)
	first := p.samples[0]
	d := now.Sub(first.at).Seconds()
	if d <= 0 {
		return 0
	}
	return float64(p.records-first.n) / d
}

// health tracks broker errors from franz-go hooks; it is shared by every client of a Reader.
type health struct {
	mu        sync.Mutex
	lastErr   string
	errAt     time.Time
	okAt      time.Time
	discErr   string // the last partition discovery failed (sticky until one succeeds)
	bufRec    atomic.Int64
	bufBytes  atomic.Int64
	peakRec   atomic.Int64
	peakBytes atomic.Int64
}

func (h *health) fail(err error) {
	if err == nil {
		return
	}
	h.mu.Lock()
	h.lastErr, h.errAt = err.Error(), time.Now()
	h.mu.Unlock()
}

// discovered records the outcome of a partition discovery.
func (h *health) discovered(err error) {
	h.mu.Lock()
	defer h.mu.Unlock()
	if err == nil {
		h.discErr = ""
		return
	}
	h.discErr = "partition discovery: " + err.Error()
	h.lastErr, h.errAt = h.discErr, time.Now()
}

func (h *health) ok() {
	h.mu.Lock()
	h.okAt = time.Now()
	h.mu.Unlock()
}

// state returns the reader state and the last error.
func (h *health) state() (state, lastErr string, errAt time.Time) {
	h.mu.Lock()
	defer h.mu.Unlock()
	switch {
	case h.discErr != "":
		state = "retrying: " + h.discErr
	case !h.errAt.IsZero() && !h.errAt.Before(h.okAt):
		state = "retrying: " + h.lastErr
	case h.okAt.IsZero():
		state = "starting"
	default:
		state = "running"
	}
	return state, h.lastErr, h.errAt
}

// hooks are the franz-go hooks of a Reader's clients.
type hooks struct{ h *health }

var (
	_ kgo.HookBrokerConnect         = (*hooks)(nil)
	_ kgo.HookBrokerRead            = (*hooks)(nil)
	_ kgo.HookBrokerWrite           = (*hooks)(nil)
	_ kgo.HookFetchRecordBuffered   = (*hooks)(nil)
	_ kgo.HookFetchRecordUnbuffered = (*hooks)(nil)
)

func (k *hooks) OnBrokerConnect(_ kgo.BrokerMetadata, _ time.Duration, _ net.Conn, err error) {
	k.h.fail(err)
}

func (k *hooks) OnBrokerRead(_ kgo.BrokerMetadata, _ int16, _ int, _, _ time.Duration, err error) {
	if err != nil {
		k.h.fail(err)
		return
	}
	k.h.ok()
}

func (k *hooks) OnBrokerWrite(_ kgo.BrokerMetadata, _ int16, _ int, _, _ time.Duration, err error) {
	k.h.fail(err)
}

func recordSize(r *kgo.Record) int64 {
	n := len(r.Key) + len(r.Value)
	for _, h := range r.Headers {
		n += len(h.Key) + len(h.Value)
	}
	return int64(n)
}

func (k *hooks) OnFetchRecordBuffered(r *kgo.Record) {
	raiseTo(&k.h.peakRec, k.h.bufRec.Add(1))
	raiseTo(&k.h.peakBytes, k.h.bufBytes.Add(recordSize(r)))
}

func (k *hooks) OnFetchRecordUnbuffered(r *kgo.Record, _ bool) {
	k.h.bufRec.Add(-1)
	k.h.bufBytes.Add(-recordSize(r))
}

func raiseTo(a *atomic.Int64, v int64) {
	for {
		cur := a.Load()
		if v <= cur || a.CompareAndSwap(cur, v) {
			return
		}
	}
}

// rejectLog keeps RecentErrors and rate-limits log lines about rejected records.
type rejectLog struct {
	mu       sync.Mutex
	ring     []RecordError
	head     int // index of the oldest entry once the ring is full
	pending  int // rejections not yet logged
	last     RecordError
	loggedAt time.Time
}

func (l *rejectLog) add(e RecordError, logger *slog.Logger) {
	l.mu.Lock()
	defer l.mu.Unlock()
	if len(l.ring) < RecentErrorsCap {
		l.ring = append(l.ring, e)
	} else {
		l.ring[l.head] = e
		l.head = (l.head + 1) % RecentErrorsCap
	}
	l.pending++
	l.last = e
	l.maybeLogLocked(e.Time, logger)
}

func (l *rejectLog) maybeLog(now time.Time, logger *slog.Logger) {
	l.mu.Lock()
	l.maybeLogLocked(now, logger)
	l.mu.Unlock()
}

func (l *rejectLog) maybeLogLocked(now time.Time, logger *slog.Logger) {
	if l.pending == 0 || now.Sub(l.loggedAt) < rejectLogEvery {
		return
	}
	logger.Warn("kafka source rejected records", "count", l.pending, // the logger names the source
		"last_partition", l.last.Partition, "last_offset", l.last.Offset,
		"last_reason", l.last.Reason, "last_payload", l.last.Payload)
	l.pending, l.loggedAt = 0, now
}

func (l *rejectLog) recent() []RecordError {
	l.mu.Lock()
	defer l.mu.Unlock()
	out := make([]RecordError, 0, len(l.ring))
	out = append(out, l.ring[l.head:]...)
	return append(out, l.ring[:l.head]...)
}

func payloadPrefix(v []byte) string {
	if len(v) > PayloadPrefix {
		v = v[:PayloadPrefix]
	}
	return strings.ToValidUTF8(string(v), "\uFFFD")
}

// Status returns a snapshot of the reader's progress and health. It is safe to call
// concurrently with every other method.
func (r *Reader) Status() Status {
	state, lastErr, errAt := r.health.state()
	r.mu.Lock()
	defer r.mu.Unlock()
	if r.closed {
		state = "closed"
	}
	s := Status{
		State: state, LastError: lastErr, LastErrorTime: errAt,
		BufferedRecords: r.health.bufRec.Load(), BufferedBytes: r.health.bufBytes.Load(),
		PeakBufferedRecords: r.health.peakRec.Load(), PeakBufferedBytes: r.health.peakBytes.Load(),
	}
	now := time.Now()
	for p, ps := range r.parts {
		lag := int64(-1)
		if ps.hwm >= 0 && ps.next >= 0 {
			lag = max(ps.hwm-ps.next, 0)
		}
		s.Partitions = append(s.Partitions, PartitionStatus{
			Partition: p, NextOffset: ps.next, HighWatermark: ps.hwm, Lag: lag,
			Records: ps.records, Bytes: ps.bytes, Rejected: ps.rejected,
			RecordsPerSec: ps.rate(now),
		})
		s.Rejected += ps.rejected
	}
	sort.Slice(s.Partitions, func(i, j int) bool { return s.Partitions[i].Partition < s.Partitions[j].Partition })
	return s
}

// RecentErrors returns up to RecentErrorsCap most recent rejected records, newest last.
func (r *Reader) RecentErrors() []RecordError { return r.rejects.recent() }

// Lag is the number of records the broker had, at the last fetch, beyond those Poll delivered:
// the backlog, buffered or not yet fetched (partitions with unknown positions count zero).
func (r *Reader) Lag() int64 {
	r.mu.Lock()
	defer r.mu.Unlock()
	var lag int64
	for _, ps := range r.parts {
		if ps.hwm >= 0 && ps.next >= 0 {
			lag += max(ps.hwm-ps.next, 0)
		}
	}
	return lag
}
