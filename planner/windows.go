package planner

import (
	pg_query "github.com/pganalyze/pg_query_go/v6"

	"github.com/runnel-db/runnel/exec/expr"
	"github.com/runnel-db/runnel/exec/sqlerr"
	"github.com/runnel-db/runnel/exec/types"
)

// rangeFunction binds a function in FROM: generate_series over integer constants, and
// RisingWave's TUMBLE(relation, time_column, size) and HOP(relation, time_column, hop, size):
// the relation's rows with window_start and window_end appended, for the windows (aligned to
// the Unix epoch) the time falls in: one for TUMBLE, size/hop for HOP.
func (s *stmt) rangeFunction(rf *pg_query.RangeFunction, e *env) (rel, []colInfo, error) {
	if rf.Lateral || rf.Ordinality || rf.IsRowsfrom || len(rf.Functions) != 1 {
		return nil, nil, s.notSupported("this form of function in FROM", -1)
	}
	items := rf.Functions[0].GetList().GetItems()
	if len(items) == 0 || items[0].GetFuncCall() == nil {
		return nil, nil, s.notSupported("functions in FROM", -1)
	}
	fc := items[0].GetFuncCall()
	schema, name := funcName(fc)
	if schema == "" && name == "generate_series" {
		return s.generateSeries(fc, rf.Alias, e)
	}
	if schema != "" || (name != "tumble" && name != "hop") {
		return nil, nil, s.notSupported("function "+name+" in FROM", fc.Location)
	}
	if name == "tumble" && len(fc.Args) != 3 {
		return nil, nil, s.errAt(sqlerr.New(sqlerr.UndefinedFunction, "TUMBLE takes a relation, a time column and an interval"), fc.Location)
	}
	if name == "hop" && len(fc.Args) != 4 {
		return nil, nil, s.errAt(sqlerr.New(sqlerr.UndefinedFunction, "HOP takes a relation, a time column, a hop size and a window size"), fc.Location)
	}
	relRef := strs(fc.Args[0].GetColumnRef().GetFields())
	if len(relRef) == 0 || len(relRef) > 2 {
		return nil, nil, s.errAt(sqlerr.New(sqlerr.SyntaxError, "the first argument of TUMBLE must be a relation name"), nodeLocation(fc.Args[0]))
	}
	rv := &pg_query.RangeVar{Relname: relRef[len(relRef)-1], Location: nodeLocation(fc.Args[0]), Inh: true}
	if len(relRef) == 2 {
		rv.Schemaname = relRef[0]
	}
	r, cols, err := s.rangeVar(rv, e)
	if err != nil {
		return nil, nil, err
	}
	b := &bctx{s: s, env: e, sc: &scope{cols: cols}, noAgg: "functions in FROM"}
	ts, err := b.bind(fc.Args[1])
	if err != nil {
		return nil, nil, err
	}
	if k := ts.Type().Kind; k != types.Timestamp && k != types.TimestampTZ {
		return nil, nil, s.errAt(sqlerr.New(sqlerr.DatatypeMismatch, "the time column of TUMBLE must be a timestamp, not %s", ts.Type()), nodeLocation(fc.Args[1]))
	}
	size, err := b.bind(fc.Args[2])
	if err != nil {
		return nil, nil, err
	}
	if size, err = expr.Coerce(size, types.IntervalT, "argument of TUMBLE"); err != nil {
		return nil, nil, s.errAt(err, nodeLocation(fc.Args[2]))
	}
	origin, err := expr.Cast(expr.Const("1970-01-01 00:00:00+00", types.UnknownT), ts.Type())
	if err != nil {
		return nil, nil, err
	}
	start, err := expr.Call("date_bin", []expr.Expr{size, ts, origin})
	if err != nil {
		return nil, nil, s.errAt(err, fc.Location)
	}
	width := size
	if name == "hop" {
		if width, err = b.bind(fc.Args[3]); err != nil {
			return nil, nil, err
		}
		if width, err = expr.Coerce(width, types.IntervalT, "argument of HOP"); err != nil {
			return nil, nil, s.errAt(err, nodeLocation(fc.Args[3]))
		}
	}
	end, err := expr.Call("+", []expr.Expr{start, width})
	if err != nil {
		return nil, nil, s.errAt(err, fc.Location)
	}
	alias, names := aliasNames(rf.Alias)
	table := rv.Relname
	if alias != "" {
		table = alias
	}
	out := make([]colInfo, 0, len(cols)+2)
	for _, c := range cols {
		c.table, c.schema = table, ""
		out = append(out, c)
	}
	out = append(out, colInfo{table: table, name: "window_start", typ: start.Type()},
		colInfo{table: table, name: "window_end", typ: end.Type()})
	for i, n := range names {
		if i < len(out) {
			out[i].name = n
		}
	}
	if name == "hop" {
		hr, err := s.hopWindows(r, size, width, start, end, fc)
		if err != nil {
			return nil, nil, err
		}
		return hr, out, nil
	}
	exprs := append(identity(r.types()), start, end)
	return &projectRel{in: r, exprs: exprs}, out, nil
}

// hopWindows returns every row of r once per hopping window containing its time: windows of
// length width starting every hop, the latest one starting at start (the time binned by hop).
func (s *stmt) hopWindows(r rel, hop, width, start, end expr.Expr, fc *pg_query.FuncCall) (rel, error) {
	hv, ok1 := expr.ConstValue(hop)
	wv, ok2 := expr.ConstValue(width)
	h, okh := hv.(types.IntervalValue)
	w, okw := wv.(types.IntervalValue)
	if !ok1 || !ok2 || !okh || !okw || h.Months != 0 || w.Months != 0 {
		return nil, s.notSupported("HOP with sizes that are not constant day/time intervals", fc.Location)
	}
	const dayMicros = 86_400_000_000
	hm, wm := int64(h.Days)*dayMicros+h.Micros, int64(w.Days)*dayMicros+w.Micros
	if hm <= 0 || wm <= 0 || wm%hm != 0 || wm/hm > 1000 {
		return nil, s.notSupported("HOP whose window size is not a multiple of its hop size", fc.Location)
	}
	var ins []rel
	for i := int64(0); i < wm/hm; i++ {
		st, en := start, end
		if i > 0 {
			back := expr.Const(types.IntervalValue{Micros: i * hm}, types.IntervalT)
			var err error
			if st, err = expr.Call("-", []expr.Expr{start, back}); err != nil {
				return nil, err
			}
			if en, err = expr.Call("-", []expr.Expr{end, back}); err != nil {
				return nil, err
			}
		}
		ins = append(ins, &projectRel{in: r, exprs: append(identity(r.types()), st, en)})
	}
	if len(ins) == 1 {
		return ins[0], nil
	}
	return &unionRel{ins: ins}, nil
}
