package planner

import (
	pg_query "github.com/pganalyze/pg_query_go/v6"

	"github.com/runnel-db/runnel/exec/expr"
	"github.com/runnel-db/runnel/exec/sqlerr"
	"github.com/runnel-db/runnel/exec/types"
)

// rangeFunction binds a function in FROM. Only RisingWave's TUMBLE(relation, time_column,
// interval) is supported: the relation's rows with window_start and window_end appended, the
// fixed-size window (aligned to the Unix epoch) the time falls in.
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
	if schema != "" || name != "tumble" {
		return nil, nil, s.notSupported("function "+name+" in FROM", fc.Location)
	}
	if len(fc.Args) != 3 {
		return nil, nil, s.errAt(sqlerr.New(sqlerr.UndefinedFunction, "TUMBLE takes a relation, a time column and an interval"), fc.Location)
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
	end, err := expr.Call("+", []expr.Expr{start, size})
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
	exprs := append(identity(r.types()), start, end)
	return &projectRel{in: r, exprs: exprs}, out, nil
}
