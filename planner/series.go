package planner

import (
	pg_query "github.com/pganalyze/pg_query_go/v6"

	"github.com/runnel-db/runnel/exec/expr"
	"github.com/runnel-db/runnel/exec/sqlerr"
	"github.com/runnel-db/runnel/exec/types"
)

// maxSeriesRows bounds generate_series, whose rows are built at plan time.
const maxSeriesRows = 10_000_000

// generateSeries binds generate_series(start, stop [, step]) over integer constants as a
// constant relation.
func (s *stmt) generateSeries(fc *pg_query.FuncCall, alias *pg_query.Alias, e *env) (rel, []colInfo, error) {
	if len(fc.Args) < 2 || len(fc.Args) > 3 {
		return nil, nil, s.errAt(sqlerr.New(sqlerr.UndefinedFunction, "function generate_series with %d arguments does not exist", len(fc.Args)), fc.Location)
	}
	b := &bctx{s: s, env: e, sc: &scope{}, noAgg: "functions in FROM"}
	args, err := b.bindList(fc.Args)
	if err != nil {
		return nil, nil, err
	}
	t := types.Int32T
	for _, a := range args {
		if a.Type().Kind == types.Int64 {
			t = types.Int64T
		} else if !a.Type().IsInteger() && a.Type().Kind != types.Unknown {
			return nil, nil, s.notSupported("generate_series over "+a.Type().String(), fc.Location)
		}
	}
	vals := make([]int64, 3)
	vals[2] = 1
	for i, a := range args {
		c, err := expr.Coerce(a, t, "argument of generate_series")
		if err != nil {
			return nil, nil, s.errAt(err, nodeLocation(fc.Args[i]))
		}
		v, ok := expr.ConstValue(c)
		if !ok {
			return nil, nil, s.notSupported("generate_series with arguments that are not constants", nodeLocation(fc.Args[i]))
		}
		if v == nil {
			return &constRel{ts: []types.T{t}}, seriesCols(fc, alias, t), nil
		}
		vals[i] = v.(int64)
	}
	start, stop, step := vals[0], vals[1], vals[2]
	if step == 0 {
		return nil, nil, s.errAt(sqlerr.New(sqlerr.InvalidParameterValue, "step size cannot equal zero"), fc.Location)
	}
	var rows [][]types.Datum
	for v := start; (step > 0 && v <= stop) || (step < 0 && v >= stop); v += step {
		if len(rows) >= maxSeriesRows {
			return nil, nil, s.notSupported("generate_series of more than 10000000 rows", fc.Location)
		}
		rows = append(rows, []types.Datum{v})
		if (step > 0 && v > stop-step) || (step < 0 && v < stop-step) {
			break // the next value would pass stop (or overflow)
		}
	}
	return &constRel{rows: rows, ts: []types.T{t}}, seriesCols(fc, alias, t), nil
}

func seriesCols(fc *pg_query.FuncCall, alias *pg_query.Alias, t types.T) []colInfo {
	table, names := aliasNames(alias)
	name := "generate_series"
	if table == "" {
		table = name
	} else {
		name = table
	}
	if len(names) > 0 {
		name = names[0]
	}
	return []colInfo{{table: table, name: name, typ: t}}
}
