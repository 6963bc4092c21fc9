package engine

import (
	"sort"
	"time"

	"github.com/runnel-db/runnel/connectors/kafka"
	"github.com/runnel-db/runnel/exec/expr"
	"github.com/runnel-db/runnel/exec/types"
	"github.com/runnel-db/runnel/exec/zset"
	"github.com/runnel-db/runnel/planner"
)

// SystemSchema holds Runnel's system views, computed from the engine's state when read.
const SystemSchema = "runnel_catalog"

// InformationSchema holds the SQL-standard catalog views (information_schema.go).
const InformationSchema = "information_schema"

// systemRelation is one read-only view of a system schema. rows runs while the query that reads
// it holds e.mu for reading, so it reads e.cat directly and must not lock e.mu again.
type systemRelation struct {
	schema, name string
	cols         []planner.RelColumn
	rows         func(e *Engine) [][]types.Datum
	// sessionRows, when set, replaces rows for views whose rows depend on the reading session
	// (pg_settings): ectx is the reading statement's context.
	sessionRows func(e *Engine, ectx *expr.Context) [][]types.Datum
}

// systemIDBase is the first relation id of the system views: far above any object id.
const systemIDBase = 1 << 48

// systemOIDBase is the first pg_class oid of the system views, below user objects' firstOID.
const systemOIDBase = 12000

func col(name string, t types.T) planner.RelColumn { return planner.RelColumn{Name: name, Type: t} }

var systemRelations = []*systemRelation{
	{
		schema: SystemSchema, name: "source_status",
		cols: []planner.RelColumn{col("source", types.TextT), col("consumer", types.TextT), col("partition", types.Int32T),
			col("committed_offset", types.Int64T), col("read_offset", types.Int64T), col("high_watermark", types.Int64T), col("lag", types.Int64T),
			col("records", types.Int64T), col("bytes", types.Int64T), col("rejected", types.Int64T),
			col("records_per_sec", types.Float64T), col("state", types.TextT), col("last_error", types.TextT),
			col("last_error_at", types.TimestampTZT)},
		rows: sourceStatusRows,
	},
	{
		schema: SystemSchema, name: "source_errors",
		cols: []planner.RelColumn{col("source", types.TextT), col("consumer", types.TextT), col("partition", types.Int32T),
			col("offset", types.Int64T), col("at", types.TimestampTZT), col("reason", types.TextT), col("payload", types.TextT)},
		rows: sourceErrorRows,
	},
}

// lookupSystem returns the system view schema.name and its id, or nil.
func lookupSystem(schema, name string) (*systemRelation, uint64) {
	for i, r := range systemRelations {
		if r.schema == schema && r.name == name {
			return r, systemIDBase + uint64(i)
		}
	}
	return nil, 0
}

func systemByID(id uint64) *systemRelation {
	if id < systemIDBase || id-systemIDBase >= uint64(len(systemRelations)) {
		return nil
	}
	return systemRelations[id-systemIDBase]
}

func (r *systemRelation) relation(id uint64) *planner.Relation {
	return &planner.Relation{ID: id, OID: uint32(systemOIDBase + id - systemIDBase), Schema: r.schema, Name: r.name,
		Kind: planner.System, Columns: r.cols}
}

// contents computes the view's rows now, for the statement with context ectx.
func (r *systemRelation) contents(e *Engine, ectx *expr.Context) zset.Batch {
	ts := make([]types.T, len(r.cols))
	for i, c := range r.cols {
		ts[i] = c.Type
	}
	b := zset.NewBuilder(e.mem, ts)
	var rows [][]types.Datum
	if r.sessionRows != nil {
		rows = r.sessionRows(e, ectx)
	} else {
		rows = r.rows(e)
	}
	for _, row := range rows {
		b.AppendRow(row, 1)
	}
	return b.Build()
}

// sortedFeeds returns the running feeds ordered by consumer, then source.
func (e *Engine) sortedFeeds() []*feed {
	e.feedsMu.Lock()
	fs := make([]*feed, 0, len(e.feeds))
	for _, f := range e.feeds {
		fs = append(fs, f)
	}
	e.feedsMu.Unlock()
	sort.Slice(fs, func(i, j int) bool {
		if fs[i].key.consumer != fs[j].key.consumer {
			return fs[i].key.consumer < fs[j].key.consumer
		}
		return fs[i].key.source < fs[j].key.source
	})
	return fs
}

func timestamptz(t interface{ UnixMicro() int64 }) types.Datum {
	return types.TimestampValue(t.UnixMicro())
}

func sourceStatusRows(e *Engine) [][]types.Datum {
	var rows [][]types.Datum
	for _, f := range e.sortedFeeds() {
		f.mu.Lock()
		lastErr, errAt, rejected := f.lastErr, f.errAt, f.rejected
		f.mu.Unlock()
		committed, err := e.committedOffsets(f.key)
		if err != nil {
			lastErr, errAt = "read committed offsets: "+err.Error(), time.Now()
		}
		state := "stopped"
		parts := map[int32]*partitionRow{}
		part := func(p int32) *partitionRow {
			if parts[p] == nil {
				parts[p] = &partitionRow{partition: p, read: -1, hwm: -1}
			}
			return parts[p]
		}
		for p := range committed {
			part(p)
		}
		if f.reader != nil {
			st := f.reader.Status()
			state = st.State
			if st.LastError != "" && (lastErr == "" || st.LastErrorTime.After(errAt)) {
				lastErr, errAt = st.LastError, st.LastErrorTime
			}
			for _, ps := range st.Partitions {
				p := part(ps.Partition)
				p.read, p.hwm, p.records, p.bytes, p.rejected, p.rate = ps.NextOffset, ps.HighWatermark, ps.Records, ps.Bytes, ps.Rejected, ps.RecordsPerSec
			}
		}
		var errText, errTime types.Datum
		if lastErr != "" {
			errText, errTime = lastErr, timestamptz(errAt)
		}
		base := []types.Datum{f.source.Name, f.consumer.Name}
		if len(parts) == 0 {
			rows = append(rows, append(append([]types.Datum{}, base...), nil, nil, nil, nil, nil, int64(0), int64(0), rejected, float64(0), state, errText, errTime))
			continue
		}
		order := make([]int32, 0, len(parts))
		for p := range parts {
			order = append(order, p)
		}
		sort.Slice(order, func(i, j int) bool { return order[i] < order[j] })
		for i, pn := range order {
			p := parts[pn]
			rej := p.rejected
			if i == 0 {
				rej += rejected // evaluation rejections are not tracked per partition
			}
			var com, lag types.Datum
			if c, ok := committed[pn]; ok {
				com = c
				if p.hwm >= 0 {
					lag = max(p.hwm-c, 0)
				}
			} else if p.hwm >= 0 {
				lag = p.hwm // nothing committed yet: the whole partition is to be read
			}
			rows = append(rows, append(append([]types.Datum{}, base...), int64(pn), com, nullIfNegative(p.read),
				nullIfNegative(p.hwm), lag, p.records, p.bytes, rej, p.rate, state, errText, errTime))
		}
	}
	return rows
}

type partitionRow struct {
	partition                int32
	read, hwm                int64
	records, bytes, rejected int64
	rate                     float64
}

func nullIfNegative(v int64) types.Datum {
	if v < 0 {
		return nil
	}
	return v
}

func sourceErrorRows(e *Engine) [][]types.Datum {
	var rows [][]types.Datum
	for _, f := range e.sortedFeeds() {
		f.mu.Lock()
		errs := append([]kafka.RecordError(nil), f.errs...)
		f.mu.Unlock()
		if f.reader != nil {
			errs = append(errs, f.reader.RecentErrors()...)
		}
		sort.SliceStable(errs, func(i, j int) bool { return errs[i].Time.Before(errs[j].Time) })
		for _, r := range errs {
			rows = append(rows, []types.Datum{f.source.Name, f.consumer.Name, int64(r.Partition), r.Offset,
				timestamptz(r.Time), r.Reason, r.Payload})
		}
	}
	return rows
}
