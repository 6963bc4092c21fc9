package storage

import "fmt"

// MemoryDir is the Options.Dir that selects an in-memory database (tests, the playground).
const MemoryDir = ":memory:"

// DefaultDir is the data directory used when Options.Dir is empty.
const DefaultDir = "./runnel-data"

// DefaultCacheSize is the block cache size used when Options.CacheSize is zero.
const DefaultCacheSize = 64 << 20

// Options configure a DB. Start from DefaultOptions, which turns Sync on for a real directory;
// defaults and validation live in normalize, and only there.
type Options struct {
	// Dir is the data directory, created if missing; MemoryDir keeps everything in memory.
	// Empty means DefaultDir.
	Dir string
	// Sync makes Commit(true) wait until the write-ahead log reaches stable storage, so a
	// committed epoch survives a machine crash. Without it a commit survives a process crash
	// only. Ignored (always off) for MemoryDir.
	Sync bool
	// CacheSize is the Pebble block cache size in bytes; 0 means DefaultCacheSize.
	CacheSize int64
}

// DefaultOptions returns the options for a database in dir: durable commits for a real directory,
// no syncing for MemoryDir.
func DefaultOptions(dir string) Options {
	return Options{Dir: dir, Sync: dir != MemoryDir, CacheSize: DefaultCacheSize}
}

// normalize returns o with defaults applied, or an error naming the invalid field.
func (o Options) normalize() (Options, error) {
	if o.Dir == "" {
		o.Dir = DefaultDir
	}
	if o.CacheSize == 0 {
		o.CacheSize = DefaultCacheSize
	}
	if o.CacheSize < 0 {
		return o, fmt.Errorf("storage: invalid CacheSize %d: must be >= 0", o.CacheSize)
	}
	if o.Dir == MemoryDir {
		o.Sync = false
	}
	return o, nil
}

// memory reports whether o selects the in-memory file system.
func (o Options) memory() bool { return o.Dir == MemoryDir }
