package planner

import (
	pg_query "github.com/pganalyze/pg_query_go/v6"

	"github.com/runnel-db/runnel/exec"
	"github.com/runnel-db/runnel/exec/expr"
	"github.com/runnel-db/runnel/exec/sqlerr"
	"github.com/runnel-db/runnel/exec/types"
)

// Set-returning functions (unnest, generate_subscripts, generate_series with arguments that are
// not constants, information_schema._pg_expandarray) become a projectSetRel: its input's rows,
// each followed by the function's rows. In the select list several calls zip as in PostgreSQL 10
// and later; in FROM the function may read the columns of the items before it (LATERAL is
// implicit for functions in PostgreSQL).

// projectSetRel is in's columns followed by the columns of funcs, per row of in.
type projectSetRel struct {
	in    rel
	funcs []exec.SetFunc
}

func (n *projectSetRel) types() []types.T {
	ts := append([]types.T{}, n.in.types()...)
	for _, f := range n.funcs {
		ts = append(ts, f.Types...)
	}
	return ts
}

// srfBinding is the columns a select-list set-returning call was replaced by.
type srfBinding struct {
	cols  []int
	types []types.T
}

// isSRF reports whether a call is a set-returning function Runnel evaluates with ProjectSet.
func isSRF(fc *pg_query.FuncCall) bool {
	schema, name := funcName(fc)
	switch {
	case schema == "" && (name == "unnest" || name == "generate_subscripts" || name == "generate_series"):
		return true
	case schema == "information_schema" && name == "_pg_expandarray":
		return true
	case schema == "" && name == "pg_options_to_table":
		return true
	}
	return false
}

// bindSetFunc binds the arguments of a set-returning call over b's scope.
func (b *bctx) bindSetFunc(fc *pg_query.FuncCall) (exec.SetFunc, error) {
	_, name := funcName(fc)
	s := b.s
	if fc.AggStar || fc.AggDistinct || len(fc.AggOrder) > 0 || fc.FuncVariadic || fc.Over != nil {
		return exec.SetFunc{}, s.notSupported("this form of function call", fc.Location)
	}
	args, err := b.bindList(fc.Args)
	if err != nil {
		return exec.SetFunc{}, err
	}
	undefined := func() (exec.SetFunc, error) {
		ts := make([]types.T, len(args))
		for i, a := range args {
			ts[i] = a.Type()
		}
		return exec.SetFunc{}, s.errAt(&sqlerr.Error{Code: sqlerr.UndefinedFunction,
			Message: "function " + name + "(" + typeNames(ts) + ") does not exist",
			Hint:    "No function matches the given name and argument types. You might need to add explicit type casts."}, fc.Location)
	}
	f := exec.SetFunc{Name: name, Args: args}
	switch name {
	case "unnest", "_pg_expandarray":
		if len(args) != 1 || !isArrayType(args[0].Type()) {
			return undefined()
		}
		f.Types = []types.T{args[0].Type().ElemType()}
		if name == "_pg_expandarray" {
			f.Types = append(f.Types, types.Int32T)
		}
	case "pg_options_to_table":
		if len(args) != 1 || args[0].Type().Kind != types.Array || args[0].Type().Elem != types.Text {
			return undefined()
		}
		f.Types = []types.T{types.TextT, types.TextT}
	case "generate_subscripts":
		if len(args) < 2 || len(args) > 3 || !isArrayType(args[0].Type()) {
			return undefined()
		}
		if f.Args[1], err = expr.Coerce(args[1], types.Int32T, "argument of generate_subscripts"); err != nil {
			return undefined()
		}
		if len(args) == 3 {
			if f.Args[2], err = expr.Coerce(args[2], types.BoolT, "argument of generate_subscripts"); err != nil {
				return undefined()
			}
		}
		f.Types = []types.T{types.Int32T}
	case "generate_series":
		if len(args) < 2 || len(args) > 3 {
			return undefined()
		}
		t := types.Int32T
		for _, a := range args {
			switch {
			case a.Type().Kind == types.Int64:
				t = types.Int64T
			case !a.Type().IsInteger() && a.Type().Kind != types.Unknown:
				return exec.SetFunc{}, s.notSupported("generate_series over "+a.Type().String(), fc.Location)
			}
		}
		for i, a := range args {
			if f.Args[i], err = expr.Coerce(a, t, "argument of generate_series"); err != nil {
				return exec.SetFunc{}, s.errAt(err, nodeLocation(fc.Args[i]))
			}
		}
		f.Types = []types.T{t}
	}
	return f, nil
}

func typeNames(ts []types.T) string {
	out := ""
	for i, t := range ts {
		if i > 0 {
			out += ", "
		}
		out += t.String()
	}
	return out
}

// selectListSRFs finds the set-returning calls of a select list (a call that is a whole target,
// or the field x or n of _pg_expandarray), binds them over b's scope, and puts a projectSetRel
// over *b.in. The calls then bind to its columns (b.srf).
func (b *bctx) selectListSRFs(targets []*pg_query.Node) error {
	var funcs []exec.SetFunc
	binding := map[*pg_query.FuncCall]srfBinding{}
	width := len((*b.in).types())
	for _, t := range targets {
		v := t.GetResTarget().GetVal()
		fc := v.GetFuncCall()
		if ind := v.GetAIndirection(); ind != nil {
			fc = ind.Arg.GetFuncCall()
		}
		if fc == nil || !isSRF(fc) {
			continue
		}
		if _, seen := binding[fc]; seen {
			continue
		}
		f, err := b.bindSetFunc(fc)
		if err != nil {
			return err
		}
		sb := srfBinding{types: f.Types}
		for range f.Types {
			sb.cols = append(sb.cols, width)
			width++
		}
		binding[fc] = sb
		funcs = append(funcs, f)
	}
	if len(funcs) == 0 {
		return nil
	}
	*b.in = &projectSetRel{in: *b.in, funcs: funcs}
	sc := &scope{cols: append([]colInfo{}, b.sc.cols...)}
	for _, f := range funcs {
		for _, t := range f.Types {
			sc.cols = append(sc.cols, colInfo{name: "?set-returning function?", typ: t, hidden: true})
		}
	}
	b.sc = sc
	b.srf = binding
	return nil
}

// srfExpr returns the column a select-list set-returning call was bound to; field is "" for
// the call itself, or x or n of _pg_expandarray.
func (b *bctx) srfExpr(fc *pg_query.FuncCall, field string) (expr.Expr, bool, error) {
	sb, ok := b.srf[fc]
	if !ok {
		return nil, false, nil
	}
	_, name := funcName(fc)
	switch {
	case name == "pg_options_to_table":
		return nil, true, b.s.notSupported("pg_options_to_table outside FROM", fc.Location)
	case name == "_pg_expandarray" && field == "x":
		return expr.Column(sb.cols[0], sb.types[0]), true, nil
	case name == "_pg_expandarray" && field == "n":
		return expr.Column(sb.cols[1], sb.types[1]), true, nil
	case name == "_pg_expandarray" && field == "":
		e, err := expr.ExpandRecord(expr.Column(sb.cols[0], sb.types[0]), expr.Column(sb.cols[1], sb.types[1]))
		if err != nil {
			return nil, true, b.s.errAt(err, fc.Location)
		}
		return e, true, nil
	case name == "_pg_expandarray":
		return nil, true, b.s.errAt(&sqlerr.Error{Code: sqlerr.UndefinedColumn, Message: "could not identify column \"" + field + "\" in record data type"}, fc.Location)
	case field != "":
		return nil, true, b.s.notSupported("field selection", fc.Location)
	}
	return expr.Column(sb.cols[0], sb.types[0]), true, nil
}

// fromSRF binds a set-returning function in FROM over the items before it (left, with columns
// cols; nil for the first item). With corr, its arguments may also read the enclosing query
// (Column(outerBase+k)); joinDomain then feeds it the correlation domain.
func (s *stmt) fromSRF(rf *pg_query.RangeFunction, fc *pg_query.FuncCall, left rel, cols []colInfo, e *env, corr *corrState) (rel, []colInfo, error) {
	if rf.IsRowsfrom || len(rf.Functions) != 1 {
		return nil, nil, s.notSupported("this form of function in FROM", fc.Location)
	}
	if left == nil {
		left = oneRow()
	}
	b := &bctx{s: s, env: e, sc: &scope{cols: cols}, noAgg: "functions in FROM", corr: corr}
	f, err := b.bindSetFunc(fc)
	if err != nil {
		return nil, nil, err
	}
	_, name := funcName(fc)
	table, names := aliasNames(rf.Alias)
	var fcols []colInfo
	if name == "_pg_expandarray" || name == "pg_options_to_table" {
		if table == "" {
			table = name
		}
		fcols = []colInfo{{table: table, name: "x", typ: f.Types[0]}, {table: table, name: "n", typ: f.Types[1]}}
		if name == "pg_options_to_table" {
			fcols[0].name, fcols[1].name = "option_name", "option_value"
		}
		for i := range fcols {
			if i < len(names) {
				fcols[i].name = names[i]
			}
		}
	} else {
		colName := name
		if table == "" {
			table = name
		} else {
			colName = table
		}
		if len(names) > 0 {
			colName = names[0]
		}
		fcols = []colInfo{{table: table, name: colName, typ: f.Types[0]}}
	}
	if rf.Ordinality {
		f.Ordinality = true
		f.Types = append(f.Types, types.Int64T)
		fcols = append(fcols, colInfo{table: table, name: "ordinality", typ: types.Int64T})
		if len(names) >= len(fcols) {
			fcols[len(fcols)-1].name = names[len(fcols)-1]
		}
	}
	if len(names) > len(fcols) {
		return nil, nil, s.errAt(sqlerr.New(sqlerr.InvalidColumnReference,
			"table \"%s\" has %d columns available but %d columns specified", table, len(fcols), len(names)), fc.Location)
	}
	return &projectSetRel{in: left, funcs: []exec.SetFunc{f}}, append(append([]colInfo{}, cols...), fcols...), nil
}

// constantSeries reports whether fc is generate_series over constants, which keeps its plan-time
// rows (series.go).
func constantSeries(s *stmt, fc *pg_query.FuncCall, e *env) bool {
	if _, name := funcName(fc); name != "generate_series" {
		return false
	}
	b := &bctx{s: s, env: e, sc: &scope{}, noAgg: "functions in FROM"}
	for _, a := range fc.Args {
		x, err := b.bind(a)
		if err != nil {
			return false
		}
		if _, ok := expr.ConstValue(x); !ok {
			return false
		}
	}
	return true
}

// isArrayType reports whether t is an array (not the record of _pg_expandarray).
func isArrayType(t types.T) bool { return t.Kind == types.Array && !t.IsRecord() }
