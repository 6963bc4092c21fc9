package engine

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"sync"
	"sync/atomic"
	"time"

	"github.com/apache/arrow-go/v18/arrow/memory"

	"github.com/runnel-db/runnel/exec/expr"
	"github.com/runnel-db/runnel/exec/types"
	"github.com/runnel-db/runnel/planner"
	"github.com/runnel-db/runnel/storage"
)

// Options configure an Engine. The zero value is not valid: use DefaultOptions and override.
type Options struct {
	// DataDir is the Pebble directory, or ":memory:" for a throwaway in-memory store.
	DataDir string
	// Sync makes every epoch commit wait for fsync. Forced off for ":memory:".
	Sync bool
	// Logger receives operational messages; nil discards them.
	Logger *slog.Logger
	// Mem allocates Arrow buffers; nil means the default Go allocator.
	Mem memory.Allocator
	// PartitionDiscovery is how often source feeds look for new Kafka partitions; 0 means the
	// connector's default.
	PartitionDiscovery time.Duration
}

// MemoryDir is the DataDir value for an in-memory store.
const MemoryDir = ":memory:"

// DefaultOptions returns the defaults: ./runnel-data with fsync on commit.
func DefaultOptions() Options {
	return Options{DataDir: "./runnel-data", Sync: true}
}

func (o *Options) validate() error {
	if o.DataDir == "" {
		return errors.New("engine: DataDir must be set (use \":memory:\" for an in-memory store)")
	}
	if o.DataDir == MemoryDir {
		o.Sync = false
	}
	if o.Logger == nil {
		o.Logger = slog.New(slog.DiscardHandler)
	}
	if o.Mem == nil {
		o.Mem = memory.DefaultAllocator
	}
	return nil
}

// Engine is one Runnel database.
type Engine struct {
	opts Options
	db   *storage.DB
	mem  memory.Allocator

	// writeMu serializes everything that changes state: DML, DDL, epoch commits.
	writeMu sync.Mutex
	// mu guards cat and flows for readers; writers hold writeMu and then mu for the swap.
	mu    sync.RWMutex
	cat   *catalog
	flows map[uint64]*dataflow // materialized view id → its running dataflow
	// readers maps a relation id to the dataflows that read it; derived from flows, rebuilt
	// (under writeMu) after any change to flows.
	readers map[uint64][]*dataflow
	// rowIDs allocates row ids of tables without a primary key; used under writeMu.
	rowIDs rowIDs
	// feeds are the running connector readers (source.go), changed under writeMu and feedsMu.
	// feedsMu is a leaf lock: nothing else is locked while it is held (the system views read
	// feeds while a query holds mu).
	feedsMu sync.Mutex
	feeds   map[feedKey]*feed
	// subs are the live SUBSCRIBEs (subscribe.go), published to after each commit.
	subs subRegistry

	epoch    atomic.Uint64
	epochLog epochLog // the last commits, for runnel_catalog.epochs
	// compactor runs the operator state logs' compactions (state_log.go).
	compactor backgroundCompactor
	// views holds the committed view deltas not yet applied to the views' rows (view_log.go).
	views     viewLogs
	sessionID atomic.Uint64
	closed    atomic.Bool
}

// Open opens (or creates) the database in opts.DataDir and recovers its catalog and views.
func Open(opts Options) (*Engine, error) {
	if err := opts.validate(); err != nil {
		return nil, err
	}
	db, err := storage.Open(storage.Options{Dir: opts.DataDir, Sync: opts.Sync})
	if err != nil {
		return nil, fmt.Errorf("open storage in %s: %w", opts.DataDir, err)
	}
	e := &Engine{opts: opts, db: db, mem: opts.Mem, cat: newCatalog(), flows: map[uint64]*dataflow{}}
	e.compactor.db, e.compactor.mem = db, e.mem
	e.views.limitRows, e.views.limitRuns, e.views.limitOverlay, e.views.chunk = materializeRows, materializeRuns, overlayRows, applyChunk
	e.views.epoch = &e.epoch
	if err := e.recover(); err != nil {
		db.Close()
		return nil, err
	}
	e.startAllFeeds()
	return e, nil
}

// recover loads the catalog and rebuilds each materialized view's dataflow state from the
// committed contents of its inputs.
func (e *Engine) recover() error {
	if err := checkFormat(e.db); err != nil {
		return fmt.Errorf("open %s: %w", e.opts.DataDir, err)
	}
	if err := e.cat.load(e.db); err != nil {
		return err
	}
	epoch, err := readEpoch(e.db)
	if err != nil {
		return err
	}
	e.epoch.Store(epoch)
	// Views are complete through this epoch; the views over tables are recomputed below when
	// epochs were committed after it, and only then is the current epoch recorded.
	through, err := e.materializedThrough()
	if err != nil {
		return err
	}
	stale := epoch > through
	if err := e.recoverViewLogs(); err != nil {
		return err
	}
	snap, err := e.readSnapshotAll()
	if err != nil {
		return err
	}
	defer func() { snap.Close() }()
	for _, o := range e.cat.materializedInOrder() {
		f, err := e.buildDataflow(o)
		if err != nil {
			return fmt.Errorf("recover materialized view %s: %w", o.Name, err)
		}
		if stale && f.recomputable {
			// The crash may have lost some of its deltas: compute it again and write the
			// difference, where the views after it (that may read it) will see it.
			changed, err := e.reconcileView(context.Background(), f, snap)
			if err != nil {
				return fmt.Errorf("recover materialized view %s: %w", o.Name, err)
			}
			if changed {
				snap.Close()
				snap = e.db.NewSnapshot()
			}
		} else if err := e.warmDataflow(context.Background(), f, snap); err != nil {
			var pc *planChangedError
			if !errors.As(err, &pc) {
				return fmt.Errorf("recover materialized view %s: %w", o.Name, err)
			}
			// The view keeps its stored rows for reads but cannot be maintained: every change
			// that would reach it fails with pc, until it is dropped.
			e.opts.Logger.Error("materialized view out of service", "view", o.Name, "err", err)
			f.broken = pc
		}
		e.flows[o.ID] = f
		e.readers = nil
	}
	if stale {
		if err := e.markMaterialized(); err != nil {
			return err
		}
	}
	e.opts.Logger.Info("recovered", "epoch", epoch, "objects", len(e.cat.byID))
	return nil
}

// startAllFeeds starts the connector feeds of every object, after recovery.
func (e *Engine) startAllFeeds() {
	e.writeMu.Lock()
	defer e.writeMu.Unlock()
	for _, o := range e.cat.byID {
		e.startFeeds(o)
	}
}

// Close flushes and closes the database. Sessions must be closed first.
func (e *Engine) Close() error {
	if !e.closed.CompareAndSwap(false, true) {
		return nil
	}
	e.stopAllFeeds()
	e.writeMu.Lock()
	defer e.writeMu.Unlock()
	e.views.bg.Wait()
	if err := e.materialize(); err != nil {
		// The next Open applies the views' logs and recomputes the other views.
		e.opts.Logger.Error("applying view deltas before close failed", "err", err)
	} else if err := e.markMaterialized(); err != nil {
		e.opts.Logger.Error("recording applied view deltas failed", "err", err)
	}
	e.views.mu.Lock()
	e.views.releaseLocked()
	e.views.mu.Unlock()
	e.compactor.wg.Wait() // their snapshots must be closed first
	return e.db.Close()
}

// Epoch is the number of the last committed epoch.
func (e *Engine) Epoch() uint64 { return e.epoch.Load() }

// planner returns a planner over the current catalog. Callers hold e.mu (read) while planning.
func (e *Engine) planner() *planner.Planner { return planner.New(catalogView{c: e.cat, e: e}) }

// evalContext is the expression context for one statement.
func (e *Engine) evalContext(s *Session, params []any) *expr.Context {
	ctx := &expr.Context{Mem: e.mem, Params: params}
	if s != nil {
		ctx.Location = s.location()
		ctx.Now = s.statementTime()
		ctx.User, ctx.Database = s.user, databaseName
		ctx.Setting = s.currentSetting
	} else {
		ctx.Now = timestampNow()
	}
	return ctx
}

func timestampNow() types.TimestampValue { return types.TimestampValue(time.Now().UnixMicro()) }
