package storage

import (
	"context"
	"errors"
	"fmt"
	"log"
	"time"

	"github.com/cockroachdb/pebble/v2"
	"github.com/cockroachdb/pebble/v2/bloom"
	"github.com/cockroachdb/pebble/v2/vfs"
)

// DB is Runnel's Pebble instance. It is safe for concurrent use.
type DB struct {
	pdb  *pebble.DB
	opts Options
}

// Open opens (creating if needed) the database described by opts.
func Open(opts Options) (*DB, error) {
	opts, err := opts.normalize()
	if err != nil {
		return nil, err
	}
	cache := pebble.NewCache(opts.CacheSize)
	defer cache.Unref() // Pebble holds its own reference while open.
	po := &pebble.Options{
		Cache:              cache,
		FormatMajorVersion: pebble.FormatNewest,
		Logger:             quietLogger{},
		Merger:             zsetMerger,
		// Epochs write many small keys: a larger memtable flushes (and compacts) less often.
		MemTableSize: 32 << 20,
	}
	// Bloom filters let point lookups of absent keys (primary-key checks on insert) skip tables.
	for i := range po.Levels {
		po.Levels[i].FilterPolicy = bloom.FilterPolicy(10)
	}
	dir := opts.Dir
	if opts.memory() {
		po.FS = vfs.NewMem()
		dir = "mem"
	}
	pdb, err := pebble.Open(dir, po)
	if err != nil {
		return nil, fmt.Errorf("storage: open %q: %w", opts.Dir, err)
	}
	return &DB{pdb: pdb, opts: opts}, nil
}

// Options returns the normalized options the DB was opened with.
func (db *DB) Options() Options { return db.opts }

// Close closes the database. Every Batch, Snapshot and Iter must be closed first. An in-memory
// database's contents are gone afterwards.
func (db *DB) Close() error {
	if err := db.pdb.Close(); err != nil {
		return fmt.Errorf("storage: close: %w", err)
	}
	return nil
}

// Get reads the latest committed value of key. The returned slice is a copy owned by the caller;
// ok is false when the key does not exist.
func (db *DB) Get(key []byte) (value []byte, ok bool, err error) {
	return getCopy(db.pdb.Get(key))
}

// NewIter returns an iterator over the latest committed keys in [lower, upper). Reads that must
// agree with each other should share a Snapshot instead.
func (db *DB) NewIter(lower, upper []byte) (*Iter, error) {
	it, err := db.pdb.NewIter(&pebble.IterOptions{LowerBound: lower, UpperBound: upper})
	if err != nil {
		return nil, fmt.Errorf("storage: new iterator: %w", err)
	}
	return &Iter{it: it}, nil
}

// getCopy turns a Pebble Get result into an owned copy, mapping ErrNotFound to ok == false.
func getCopy(v []byte, closer interface{ Close() error }, err error) ([]byte, bool, error) {
	if errors.Is(err, pebble.ErrNotFound) {
		return nil, false, nil
	}
	if err != nil {
		return nil, false, fmt.Errorf("storage: get: %w", err)
	}
	out := make([]byte, len(v))
	copy(out, v)
	if err := closer.Close(); err != nil {
		return nil, false, fmt.Errorf("storage: get: %w", err)
	}
	return out, true, nil
}

// quietLogger drops Pebble's informational chatter (it logs on every Open, flush and compaction)
// and keeps errors.
type quietLogger struct{}

func (quietLogger) Infof(string, ...interface{}) {}

func (quietLogger) Errorf(format string, args ...interface{}) {
	log.Printf("pebble: "+format, args...)
}

func (quietLogger) Fatalf(format string, args ...interface{}) {
	log.Fatalf("pebble: "+format, args...)
}

// WaitIdle flushes the memtable and waits until no flush or compaction is running, or ctx ends.
// Benchmarks use it so background work left over from loading data is not measured.
func (db *DB) WaitIdle(ctx context.Context) error {
	if err := db.pdb.Flush(); err != nil {
		return fmt.Errorf("storage: flush: %w", err)
	}
	for {
		m := db.pdb.Metrics()
		if m.Compact.NumInProgress == 0 && m.Flush.NumInProgress == 0 {
			return nil
		}
		select {
		case <-ctx.Done():
			return ctx.Err()
		case <-time.After(10 * time.Millisecond):
		}
	}
}

// EstimateDiskUsage estimates the bytes the keys in [start, end) take in the store's files. Data
// still in the memtable (written but not yet flushed) is not counted.
func (db *DB) EstimateDiskUsage(start, end []byte) (uint64, error) {
	n, err := db.pdb.EstimateDiskUsage(start, end)
	if err != nil {
		return 0, fmt.Errorf("storage: estimate disk usage: %w", err)
	}
	return n, nil
}
