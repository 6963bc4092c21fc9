package engine

import (
	"context"

	"github.com/apache/arrow-go/v18/arrow"
	"github.com/apache/arrow-go/v18/arrow/array"
	"github.com/apache/arrow-go/v18/arrow/memory"

	"github.com/runnel-db/runnel/exec"
	"github.com/runnel-db/runnel/exec/expr"
	"github.com/runnel-db/runnel/exec/types"
	"github.com/runnel-db/runnel/exec/zset"
	"github.com/runnel-db/runnel/planner"
	"github.com/runnel-db/runnel/sql"
)

// Ad-hoc queries run through the same planner and operators as views: the plan's graph is
// stepped once with the whole committed contents of its inputs as +1 deltas (DESIGN.md §6), its
// output is expanded by weight, ordered, and cut by OFFSET/LIMIT.

type queryExec struct {
	st         sql.Statement
	paramTypes []types.T
	// first is the plan made while binding, for the first execution (see dmlExec.first).
	first          *planner.Query
	catalogVersion uint64
}

func (s *Session) bindQuery(st sql.Statement, paramTypes []types.T, p *Prepared) (executor, error) {
	s.e.mu.RLock()
	q, err := s.e.planner().PlanQuery(st, paramTypes)
	version := s.e.cat.version
	s.e.mu.RUnlock()
	if err != nil {
		return nil, err
	}
	for _, r := range q.Relations {
		if r.Kind == planner.Source {
			q.Graph.Release()
			return nil, errSourceRead(r.Name)
		}
	}
	p.ParamTypes = resolvedParams(q.ParamTypes)
	p.Columns = outputColumns(q.Columns)
	x := &queryExec{st: st, paramTypes: p.ParamTypes}
	if typesEqual(p.ParamTypes, q.ParamTypes) {
		x.first, x.catalogVersion = q, version
	}
	return x, nil
}

func outputColumns(cs []planner.OutputColumn) []Column {
	out := make([]Column, len(cs))
	for i, c := range cs {
		out[i] = Column{Name: c.Name, Type: c.Type, TableOID: c.TableOID, Attnum: c.Attnum}
	}
	return out
}

func (x *queryExec) execute(ctx context.Context, s *Session, params []types.Datum) (*Result, error) {
	e := s.e
	// Plan and snapshot under the read lock so the plan matches the catalog the snapshot holds.
	e.mu.RLock()
	q := x.first
	x.first = nil
	if q != nil && x.catalogVersion != e.cat.version {
		q.Graph.Release()
		q = nil
	}
	if q == nil {
		var err error
		if q, err = e.planner().PlanQuery(x.st, x.paramTypes); err != nil {
			e.mu.RUnlock()
			return nil, err
		}
	}
	ectx := e.evalContext(s, params)
	ectx.Cancel = ctx
	reader := e.catalogReader()
	ectx.Catalog = reader
	snap, err := e.readSnapshot(q.Graph.Inputs())
	if err != nil {
		e.mu.RUnlock()
		return nil, err
	}
	in, err := e.inputContents(q.Graph, snap, ectx)
	e.mu.RUnlock()
	snap.Close()
	if err != nil {
		return nil, err
	}
	defer releaseAll(in)
	out, err := runQuery(ctx, ectx, q, in)
	if err != nil {
		return nil, err
	}
	cols := outputColumns(q.Columns)
	if out, err = reader.nameRegColumns(cols, out); err != nil {
		return nil, err
	}
	return &Result{Tag: "SELECT", RowCountInTag: true, Columns: cols, Rows: &batchRows{b: out}}, nil
}

// runQuery steps q's graph once over the inputs and returns the presented rows: every weight 1,
// in ORDER BY order, OFFSET/LIMIT applied. The caller releases the batch.
func runQuery(ctx context.Context, ectx *expr.Context, q *planner.Query, in map[uint64]zset.Batch) (zset.Batch, error) {
	if err := ctx.Err(); err != nil {
		return zset.Batch{}, err
	}
	out, err := q.Graph.Step(ectx, in)
	if err != nil {
		return zset.Batch{}, err
	}
	sorted, err := exec.SortRows(ectx, out, q.OrderBy)
	out.Release()
	if err != nil {
		return zset.Batch{}, err
	}
	n := int64(sorted.NumRows())
	lo, hi := int64(0), n
	if q.Offset > 0 {
		lo = min(q.Offset, n)
	}
	if q.Limit >= 0 {
		hi = min(lo+q.Limit, n)
	}
	if lo == 0 && hi == n && sorted.NumCols() == len(q.Columns) {
		return sorted, nil
	}
	cut := cutBatch(sorted, lo, hi, len(q.Columns))
	sorted.Release()
	return cut, nil
}

// cutBatch returns rows [lo, hi) and the first ncols columns of b as a new batch (sharing
// buffers): OFFSET/LIMIT, and dropping the hidden sort columns a plan may carry.
func cutBatch(b zset.Batch, lo, hi int64, ncols int) zset.Batch {
	cols := make([]arrow.Array, ncols)
	for i := range cols {
		cols[i] = array.NewSlice(b.Col(i), lo, hi)
	}
	w := array.NewSlice(b.WeightArray(), lo, hi)
	out := zset.New(cols, w)
	for _, c := range cols {
		c.Release()
	}
	w.Release()
	return out
}

// batchRows serves a computed result batch in chunks.
type batchRows struct {
	b   zset.Batch
	pos int64
}

// rowsChunk is the number of rows handed to the protocol layer at a time.
const rowsChunk = 1024

func (r *batchRows) Next(ctx context.Context) (arrow.RecordBatch, error) {
	if r.b.Record() == nil {
		return nil, nil
	}
	n := int64(r.b.NumRows())
	if r.pos >= n {
		return nil, nil
	}
	if err := ctx.Err(); err != nil {
		return nil, err
	}
	hi := min(r.pos+rowsChunk, n)
	rec := r.b.Record()
	cols := rec.Columns()[:r.b.NumCols()]
	sliced := make([]arrow.Array, len(cols))
	fields := make([]arrow.Field, len(cols))
	for i, c := range cols {
		sliced[i] = array.NewSlice(c, r.pos, hi)
		fields[i] = rec.Schema().Field(i)
	}
	out := array.NewRecordBatch(arrow.NewSchema(fields, nil), sliced, hi-r.pos)
	for _, c := range sliced {
		c.Release()
	}
	r.pos = hi
	return out, nil
}

func (r *batchRows) Close() {
	r.b.Release()
	r.b = zset.Batch{}
}

// rowsResult builds a small result from datums (SHOW, SHOW TABLES, EXPLAIN, ...).
func rowsResult(tag string, cols []Column, mem memory.Allocator, rows [][]types.Datum) *Result {
	arrs := make([]arrow.Array, len(cols))
	for i, c := range cols {
		ds := make([]types.Datum, len(rows))
		for r := range rows {
			ds[r] = rows[r][i]
		}
		arrs[i] = types.MakeArray(mem, c.Type, ds)
	}
	wb := array.NewInt64Builder(mem)
	for range rows {
		wb.Append(1)
	}
	w := wb.NewArray()
	wb.Release()
	b := zset.New(arrs, w)
	for _, a := range arrs {
		a.Release()
	}
	w.Release()
	return &Result{Tag: tag, RowCountInTag: tag == "SELECT", Columns: cols, Rows: &batchRows{b: b}}
}
