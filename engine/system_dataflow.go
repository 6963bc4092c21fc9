package engine

import (
	"fmt"
	"strings"
	"sync"
	"time"

	"github.com/runnel-db/runnel/exec/types"
	"github.com/runnel-db/runnel/planner"
	"github.com/runnel-db/runnel/storage"
)

// runnel_catalog views of the running system: each materialized view's dataflow operators with
// their work and state, the last committed epochs, and the storage each object takes.

func init() {
	i64 := func(name string) planner.RelColumn { return col(name, types.Int64T) }
	txt := func(name string) planner.RelColumn { return col(name, types.TextT) }
	systemRelations = append(systemRelations,
		&systemRelation{schema: SystemSchema, name: "dataflow_operators",
			cols: []planner.RelColumn{txt("view"), col("id", types.Int32T), txt("operator"), txt("inputs"), i64("epochs"),
				i64("rows_in"), i64("rows_out"), i64("state_rows"), col("busy_ms", types.Float64T)},
			rows: dataflowOperatorRows},
		&systemRelation{schema: SystemSchema, name: "epochs",
			cols: []planner.RelColumn{i64("epoch"), col("committed_at", types.TimestampTZT), col("commit_ms", types.Float64T),
				i64("changed_rows")},
			rows: epochRows},
		&systemRelation{schema: SystemSchema, name: "sizes",
			cols: []planner.RelColumn{txt("object"), txt("kind"), i64("disk_bytes"), i64("state_rows")},
			rows: sizeRows},
	)
}

func dataflowOperatorRows(e *Engine) [][]types.Datum {
	var rows [][]types.Datum
	for _, o := range e.userObjects() {
		f := e.flows[o.ID]
		if f == nil {
			continue
		}
		for _, op := range f.graph.Operators() {
			ins := make([]string, len(op.Inputs))
			for i, in := range op.Inputs {
				ins[i] = fmt.Sprint(in)
			}
			var state types.Datum
			if op.StateRows >= 0 {
				state = op.StateRows
			}
			rows = append(rows, []types.Datum{o.Schema + "." + o.Name, int64(op.ID), op.Operator, strings.Join(ins, ","),
				op.Steps, op.RowsIn, op.RowsOut, state, float64(op.Busy.Microseconds()) / 1000})
		}
	}
	return rows
}

// epochLogSize is how many commits runnel_catalog.epochs keeps.
const epochLogSize = 100

type epochRecord struct {
	epoch       uint64
	committedAt time.Time
	commit      time.Duration
	changedRows int64
}

// epochLog is a ring of the last commits. Commits add to it under writeMu; system views read it
// under e.mu, so it has its own lock.
type epochLog struct {
	mu   sync.Mutex
	ring []epochRecord
	next int
}

func (l *epochLog) add(r epochRecord) {
	l.mu.Lock()
	defer l.mu.Unlock()
	if len(l.ring) < epochLogSize {
		l.ring = append(l.ring, r)
		return
	}
	l.ring[l.next] = r
	l.next = (l.next + 1) % epochLogSize
}

// records returns the ring's records, oldest first.
func (l *epochLog) records() []epochRecord {
	l.mu.Lock()
	defer l.mu.Unlock()
	return append(append([]epochRecord{}, l.ring[l.next:]...), l.ring[:l.next]...)
}

func epochRows(e *Engine) [][]types.Datum {
	var rows [][]types.Datum
	for _, r := range e.epochLog.records() {
		rows = append(rows, []types.Datum{int64(r.epoch), types.TimestampFromTime(r.committedAt),
			float64(r.commit.Microseconds()) / 1000, r.changedRows})
	}
	return rows
}

// sizeRows estimates each object's bytes on disk (its rows, indexes and operator state; data not
// yet flushed from the memtable is not counted) and the rows its dataflow's state holds.
func sizeRows(e *Engine) [][]types.Datum {
	var rows [][]types.Datum
	estimate := func(kind storage.Kind, id uint64) int64 {
		lo := storage.Prefix(kind, id)
		n, err := e.db.EstimateDiskUsage(lo, storage.PrefixEnd(lo))
		if err != nil {
			return 0
		}
		return int64(n)
	}
	for _, o := range e.userObjects() {
		var disk int64
		var state types.Datum
		switch o.Kind {
		case planner.Table:
			disk = estimate(storage.KindTable, o.ID)
			for _, ix := range o.Indexes {
				disk += estimate(storage.KindIndex, ix.ID)
			}
		case planner.MaterializedView:
			disk = estimate(storage.KindView, o.ID)
			lo, hi := stateRange(o.ID)
			if n, err := e.db.EstimateDiskUsage(lo, hi); err == nil {
				disk += int64(n)
			}
			if f := e.flows[o.ID]; f != nil {
				var n int64
				for _, op := range f.graph.Operators() {
					n += max(op.StateRows, 0)
				}
				state = n
			}
		default:
			continue
		}
		rows = append(rows, []types.Datum{o.Schema + "." + o.Name, kindName(o.Kind), disk, state})
	}
	return rows
}
