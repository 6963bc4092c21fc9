package kafka

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"math/rand/v2"
	"sync"
	"sync/atomic"
	"time"

	"github.com/apache/arrow-go/v18/arrow"
	"github.com/apache/arrow-go/v18/arrow/memory"
	"github.com/runnel-db/runnel/connectors/format/row"
	"github.com/twmb/franz-go/pkg/kadm"
	"github.com/twmb/franz-go/pkg/kgo"
)

// ReaderOptions tunes a Reader; the zero value is usable.
type ReaderOptions struct {
	// Source names the source in logs and RecordErrors.
	Source string
	// Mem allocates the Arrow arrays of chunks (nil: memory.DefaultAllocator).
	Mem memory.Allocator
	// Location is the zone for timestamptz text without an explicit zone (nil: UTC).
	Location *time.Location
	// MaxBufferedBytes bounds what franz-go fetches ahead of Poll, per broker: at most one fetch
	// response of at most this many bytes (FetchMaxBytes) is buffered or in flight per broker,
	// plus one record batch per partition when a single batch is larger. Default 8 MiB;
	// properties.fetch.max.bytes overrides it.
	MaxBufferedBytes int32
	// PartitionDiscoveryInterval is how often the topic's partitions (and high watermarks) are
	// listed; default 10 s.
	PartitionDiscoveryInterval time.Duration
	// RetryBackoffMax caps franz-go's exponential retry backoff (starting at 100 ms) when a
	// broker is unreachable; default 2 s.
	RetryBackoffMax time.Duration
	// Logger receives rate-limited reports of rejected records and partition changes (nil:
	// discarded).
	Logger *slog.Logger
}

const (
	defaultMaxBufferedBytes = 8 << 20
	defaultDiscovery        = 10 * time.Second
	defaultBackoffMax       = 2 * time.Second
	// DefaultPollRecords is Poll's limit when maxRecords <= 0.
	DefaultPollRecords = 4096
)

// ErrClosed is returned by Poll and Rewind after Close.
var ErrClosed = errors.New("kafka reader closed")

// Chunk is what one Poll delivers: decoded rows and the offsets they advance.
type Chunk struct {
	// Cols holds the decoded rows, one array per column in the reader's column order.
	Cols []arrow.Array
	// Deletes is set for FORMAT UPSERT: Deletes[i] marks row i as a tombstone whose key columns
	// are set and other columns NULL. nil for FORMAT PLAIN.
	Deletes []bool
	// Offsets is the next offset per partition after this chunk: last record offset + 1 for
	// each partition that delivered records (rejected ones included), plus the resolved start
	// offset of partitions assigned since the last chunk that have not delivered a record yet.
	Offsets map[int32]int64
	// Rejected is how many of this chunk's records were rejected (see Reader.RecentErrors).
	Rejected int
	// Partitions and RowOffsets are the partition and offset of each row's record, so that a
	// consumer can commit part of a chunk (offsets through row i) and report a row it rejects.
	Partitions []int32
	RowOffsets []int64
}

// Len is the number of rows.
func (c *Chunk) Len() int {
	if len(c.Cols) == 0 {
		return 0
	}
	return c.Cols[0].Len()
}

// Release frees the chunk's arrays.
func (c *Chunk) Release() {
	for _, a := range c.Cols {
		a.Release()
	}
	c.Cols = nil
}

// Reader reads one Kafka topic for one source. See the package comment for the contract.
type Reader struct {
	cfg     Config
	enc     Encoding
	opts    ReaderOptions
	logger  *slog.Logger
	dec     *decoder
	records recordPool // lent to franz-go (pool.go)
	health  *health
	rejects rejectLog

	pollMu    sync.Mutex   // serializes Poll, Rewind and the decoder's release
	pollLoops atomic.Int64 // iterations of Poll's wait loop (tests check it does not spin)

	mu         sync.Mutex
	cl         *kgo.Client // consuming client; Rewind replaces it
	admCl      *kgo.Client // metadata and ListOffsets
	adm        *kadm.Client
	started    bool
	closed     bool
	committed  map[int32]int64 // positions given by Start / Rewind
	initial    map[int32]bool  // partitions of the first successful listing: they use cfg.Startup
	parts      map[int32]*partStats
	origin     map[int32]int64 // position each partition was assigned at
	fromCommit map[int32]bool  // origin came from committed offsets
	unreported map[int32]bool  // resolved starts not yet carried by a chunk
	wake       context.CancelFunc
	stop       context.CancelFunc
	done       chan struct{}
}

// NewReader returns a Reader decoding enc into cols; keyCols are the primary-key column indexes
// (FORMAT UPSERT only). It does not connect; Start does.
func NewReader(cfg Config, enc Encoding, cols []row.Column, keyCols []int, opts ReaderOptions) (*Reader, error) {
	if cfg.Topic == "" || len(cfg.Brokers) == 0 {
		return nil, errors.New("kafka: config without topic or brokers (use ParseOptions)")
	}
	if opts.Mem == nil {
		opts.Mem = memory.DefaultAllocator
	}
	if opts.MaxBufferedBytes <= 0 {
		opts.MaxBufferedBytes = defaultMaxBufferedBytes
	}
	if cfg.FetchMaxBytes > 0 {
		opts.MaxBufferedBytes = cfg.FetchMaxBytes
	}
	if opts.PartitionDiscoveryInterval <= 0 {
		opts.PartitionDiscoveryInterval = defaultDiscovery
	}
	if opts.RetryBackoffMax <= 0 {
		opts.RetryBackoffMax = defaultBackoffMax
	}
	if opts.Logger == nil {
		opts.Logger = slog.New(slog.DiscardHandler)
	}
	if enc.Format == FormatPlain {
		keyCols = nil
	}
	dec, err := newDecoder(opts.Mem, enc, cols, keyCols, opts.Location)
	if err != nil {
		return nil, fmt.Errorf("kafka source %q: %w", opts.Source, err)
	}
	return &Reader{
		cfg: cfg, enc: enc, opts: opts, dec: dec, health: &health{},
		logger: opts.Logger.With("source", opts.Source, "topic", cfg.Topic),
		parts:  make(map[int32]*partStats), origin: make(map[int32]int64),
		fromCommit: make(map[int32]bool), unreported: make(map[int32]bool),
	}, nil
}

// clientOpts are the options shared by both clients.
func (r *Reader) clientOpts() []kgo.Opt {
	backoffMax := r.opts.RetryBackoffMax
	return []kgo.Opt{
		kgo.SeedBrokers(r.cfg.Brokers...),
		kgo.ClientID(r.cfg.ClientID),
		kgo.WithHooks(&hooks{h: r.health}),
		kgo.RetryBackoffFn(func(fails int) time.Duration {
			d := 100 * time.Millisecond << min(fails, 8)
			d = min(d, backoffMax)
			return d/2 + rand.N(d/2+1) // jitter
		}),
		kgo.MetadataMinAge(100 * time.Millisecond),
		kgo.WithPools(&r.records),
	}
}

// newConsumer makes a consuming client for the given exact positions.
func (r *Reader) newConsumer(positions map[int32]int64) (*kgo.Client, error) {
	ps := make(map[int32]kgo.Offset, len(positions))
	for p, o := range positions {
		ps[p] = kgo.NewOffset().At(o)
	}
	maxBytes := r.opts.MaxBufferedBytes
	opts := append(r.clientOpts(),
		kgo.ConsumePartitions(map[string]map[int32]kgo.Offset{r.cfg.Topic: ps}),
		kgo.ConsumeResetOffset(kgo.NewOffset().AtStart()), // an offset deleted by retention
		kgo.FetchMaxWait(r.cfg.FetchMaxWait),
		kgo.FetchMaxBytes(maxBytes),
		kgo.FetchMaxPartitionBytes(min(maxBytes, 1<<20)),
	)
	return kgo.NewClient(opts...)
}

// Start connects and begins reading. committed holds the next offset per partition from the
// last committed chunk; other partitions start per scan.startup.mode (see the package comment
// for partitions added to the topic later). Broker trouble does not fail Start: the reader
// keeps retrying and Status reports it. ctx is only checked; the reader's background work runs
// until Close.
func (r *Reader) Start(ctx context.Context, committed map[int32]int64) error {
	if err := ctx.Err(); err != nil {
		return err
	}
	r.mu.Lock()
	defer r.mu.Unlock()
	if r.closed {
		return ErrClosed
	}
	if r.started {
		return errors.New("kafka reader already started")
	}
	admCl, err := kgo.NewClient(r.clientOpts()...)
	if err != nil {
		return fmt.Errorf("kafka source %q: %w", r.opts.Source, err)
	}
	cl, err := r.newConsumer(nil)
	if err != nil {
		admCl.Close()
		return fmt.Errorf("kafka source %q: %w", r.opts.Source, err)
	}
	r.committed = make(map[int32]int64, len(committed))
	for p, o := range committed {
		r.committed[p] = o
	}
	r.cl, r.admCl, r.adm, r.started = cl, admCl, kadm.NewClient(admCl), true
	dctx, stop := context.WithCancel(context.Background())
	r.stop, r.done = stop, make(chan struct{})
	go r.discoverLoop(dctx)
	return nil
}

// Poll blocks until at least one record was read (or new partitions' start positions must be
// reported, see Chunk.Offsets) or ctx is done, and returns at most maxRecords records
// (DefaultPollRecords when maxRecords <= 0) decoded into a Chunk, which the caller releases.
// Rejected records are skipped, counted and reported; a chunk may hold zero rows when all its
// records were rejected. Poll waits without spinning while brokers are unreachable. Poll and
// Rewind must not be called concurrently (one waits for the other).
func (r *Reader) Poll(ctx context.Context, maxRecords int) (*Chunk, error) {
	if maxRecords <= 0 {
		maxRecords = DefaultPollRecords
	}
	r.pollMu.Lock()
	defer r.pollMu.Unlock()
	for {
		r.pollLoops.Add(1)
		r.mu.Lock()
		switch {
		case r.closed:
			r.mu.Unlock()
			return nil, ErrClosed
		case !r.started:
			r.mu.Unlock()
			return nil, errors.New("kafka reader not started")
		case len(r.unreported) > 0:
			c := r.emptyChunkLocked()
			r.mu.Unlock()
			return c, nil
		}
		cl := r.cl
		pctx, cancel := context.WithCancel(ctx)
		r.wake = cancel
		r.mu.Unlock()

		fetches := cl.PollRecords(pctx, maxRecords)

		r.mu.Lock()
		r.wake = nil
		r.mu.Unlock()
		cancel()

		var fetchErr error
		closed := false
		fetches.EachError(func(_ string, p int32, err error) {
			switch {
			case errors.Is(err, context.Canceled), errors.Is(err, context.DeadlineExceeded):
			case errors.Is(err, kgo.ErrClientClosed):
				closed = true
			default:
				r.health.fail(fmt.Errorf("partition %d: %w", p, err))
				fetchErr = err
			}
		})
		if fetches.NumRecords() > 0 {
			return r.build(fetches), nil
		}
		r.rejects.maybeLog(time.Now(), r.logger)
		if err := ctx.Err(); err != nil {
			return nil, err
		}
		if closed {
			r.mu.Lock()
			isClosed := r.closed
			r.mu.Unlock()
			if isClosed {
				return nil, ErrClosed
			}
		}
		if fetchErr != nil || closed {
			// A partition error without records: wait before polling again rather than spin.
			select {
			case <-ctx.Done():
				return nil, ctx.Err()
			case <-time.After(250 * time.Millisecond):
			}
		}
	}
}

// emptyChunkLocked returns a chunk with no rows that reports the unreported start positions.
func (r *Reader) emptyChunkLocked() *Chunk {
	cols, del := r.dec.finish()
	c := &Chunk{Cols: cols, Deletes: del, Offsets: make(map[int32]int64, len(r.unreported))}
	for p := range r.unreported {
		c.Offsets[p] = r.parts[p].next
	}
	clear(r.unreported)
	return c
}

// build decodes polled records into a chunk and updates the bookkeeping.
func (r *Reader) build(fetches kgo.Fetches) *Chunk {
	c := &Chunk{Offsets: make(map[int32]int64)}
	now := time.Now()
	r.mu.Lock()
	defer r.mu.Unlock()
	fetches.EachPartition(func(fp kgo.FetchTopicPartition) {
		if fp.Topic != r.cfg.Topic || len(fp.Records) == 0 {
			return
		}
		ps := r.parts[fp.Partition]
		if ps == nil { // cannot happen: every consumed partition was assigned by discover
			ps = newPartStats(-1, -1, now)
			r.parts[fp.Partition] = ps
		}
		if fp.HighWatermark > ps.hwm {
			ps.hwm = fp.HighWatermark
		}
		for _, rec := range fp.Records {
			ps.records++
			ps.bytes += int64(len(rec.Key) + len(rec.Value))
			if err := r.dec.add(rec.Key, rec.Value); err == nil {
				c.Partitions = append(c.Partitions, fp.Partition)
				c.RowOffsets = append(c.RowOffsets, rec.Offset)
			} else {
				ps.rejected++
				c.Rejected++
				r.rejects.add(RecordError{
					Source: r.opts.Source, Partition: fp.Partition, Offset: rec.Offset,
					Time: now, Reason: err.Error(), Payload: payloadPrefix(rec.Value),
				}, r.logger)
			}
			c.Offsets[fp.Partition] = rec.Offset + 1
			rec.Recycle() // decoded: its memory goes back to the pool
		}
		ps.next = c.Offsets[fp.Partition]
		ps.sample(now)
	})
	for p := range r.unreported {
		if _, ok := c.Offsets[p]; !ok {
			c.Offsets[p] = r.parts[p].next
		}
	}
	clear(r.unreported)
	c.Cols, c.Deletes = r.dec.finish()
	return c
}

// Rewind repositions every partition to committed (the next offset per partition of the last
// chunk the engine did commit) so that the records after it are delivered again; a partition
// absent from committed goes back to the position it was assigned at (its committed offset at
// Start, or its resolved startup position, which the next chunk reports again). Buffered
// records are dropped. It waits for a Poll in progress.
func (r *Reader) Rewind(committed map[int32]int64) error {
	r.pollMu.Lock()
	defer r.pollMu.Unlock()
	r.mu.Lock()
	defer r.mu.Unlock()
	if r.closed {
		return ErrClosed
	}
	if !r.started {
		return errors.New("kafka reader not started")
	}
	for p, o := range committed {
		r.committed[p] = o
	}
	positions := make(map[int32]int64, len(r.parts))
	for p, ps := range r.parts {
		pos, ok := committed[p]
		if !ok {
			pos = r.origin[p]
			if !r.fromCommit[p] {
				r.unreported[p] = true
			}
		}
		positions[p] = pos
		ps.next = pos
	}
	cl, err := r.newConsumer(positions)
	if err != nil {
		return fmt.Errorf("kafka source %q: rewind: %w", r.opts.Source, err)
	}
	old := r.cl
	r.cl = cl
	old.Close()
	return nil
}

// Close stops reading and frees the reader's resources. A Poll in progress returns ErrClosed;
// chunks already returned stay valid.
func (r *Reader) Close() {
	r.mu.Lock()
	if r.closed {
		r.mu.Unlock()
		return
	}
	r.closed = true
	started := r.started
	if started {
		r.stop()
	}
	r.mu.Unlock()
	if started {
		// Closing the clients makes a blocked PollRecords return.
		r.cl.Close()
		<-r.done
		r.admCl.Close()
	}
	r.pollMu.Lock() // wait for a Poll still decoding
	r.dec.release()
	r.pollMu.Unlock()
}
