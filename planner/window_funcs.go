package planner

import (
	pg_query "github.com/pganalyze/pg_query_go/v6"

	"github.com/runnel-db/runnel/exec"
	"github.com/runnel-db/runnel/exec/expr"
	"github.com/runnel-db/runnel/exec/sqlerr"
	"github.com/runnel-db/runnel/exec/types"
)

// Window functions (f(…) OVER (PARTITION BY … ORDER BY … frame)) in a SELECT list or ORDER BY.
// Each call becomes a windowRel over the query's rows after WHERE, GROUP BY and HAVING: a
// projection appends the call's partition keys, sort keys and arguments to those rows, the
// window operator appends the result, and a projection keeps the rows plus the result. The
// select list then reads the call as that column.

// windowCall locates a window call's result among the columns its query's select list binds
// against.
type windowCall struct {
	fc  *pg_query.FuncCall
	col expr.Expr
}

// PostgreSQL's frame option bits (parsenodes.h).
const (
	frameNonDefault              = 0x00001
	frameRows                    = 0x00004
	frameStartUnboundedPreceding = 0x00020
	frameEndUnboundedFollowing   = 0x00100
	frameStartCurrentRow         = 0x00200
	frameEndCurrentRow           = 0x00400
	frameStartOffsetPreceding    = 0x00800
	frameEndOffsetPreceding      = 0x01000
	frameStartOffsetFollowing    = 0x02000
	frameEndOffsetFollowing      = 0x04000
	frameExclusions              = 0x08000 | 0x10000 | 0x20000
)

// rankingWindowFuncs are the window-only functions without arguments, with their result types.
var rankingWindowFuncs = map[string]types.T{
	"row_number": types.Int64T, "rank": types.Int64T, "dense_rank": types.Int64T,
	"percent_rank": types.Float64T, "cume_dist": types.Float64T,
}

// collectWindowCalls lists the window calls of the select list and ORDER BY (not those inside
// subqueries, which bind their own).
func collectWindowCalls(sel *pg_query.SelectStmt) []*pg_query.FuncCall {
	var calls []*pg_query.FuncCall
	visit := func(n *pg_query.Node) {
		if n == nil || n.GetSubLink() != nil {
			return
		}
		check := func(x *pg_query.Node) bool {
			if x.GetSubLink() != nil {
				return false
			}
			if fc := x.GetFuncCall(); fc != nil && fc.Over != nil {
				calls = append(calls, fc)
				return false // nested window calls are reported when the arguments are bound
			}
			return true
		}
		if check(n) {
			walk(n, check)
		}
	}
	for _, t := range sel.TargetList {
		visit(t.GetResTarget().GetVal())
	}
	for _, o := range sel.SortClause {
		visit(o.GetSortBy().GetNode())
	}
	return calls
}

// bindWindows adds the window calls of sel over *r (the rows the select list binds against, in
// context b) and returns where each call's result is. *r gets the results as extra columns.
func (s *stmt) bindWindows(sel *pg_query.SelectStmt, b *bctx, r *rel) ([]windowCall, error) {
	calls := collectWindowCalls(sel)
	if len(calls) == 0 {
		return nil, nil
	}
	named := map[string]*pg_query.WindowDef{}
	for _, n := range sel.WindowClause {
		w := n.GetWindowDef()
		if _, dup := named[w.Name]; dup {
			return nil, s.errAt(sqlerr.New(sqlerr.WindowingError, "window \"%s\" is already defined", w.Name), w.Location)
		}
		named[w.Name] = w
	}
	var out []windowCall
	for _, fc := range calls {
		partition, order, frameDef, err := s.resolveWindow(fc, named)
		if err != nil {
			return nil, err
		}
		cur := *r
		base := len(cur.types())
		extra := identity(cur.types())
		wb := b.with()
		wb.noAgg = ""
		wb.windowArg = true
		wb.in = nil // a subquery here would add columns to the rows being windowed
		bindCol := func(n *pg_query.Node, want types.T, what string) (int, error) {
			e, err := wb.bind(n)
			if err != nil {
				return 0, err
			}
			if want.Kind != types.Unknown {
				if e, err = expr.Coerce(e, want, what); err != nil {
					return 0, s.errAt(err, nodeLocation(n))
				}
			} else if e.Type().Kind == types.Unknown {
				if e, err = expr.Cast(e, types.TextT); err != nil {
					return 0, err
				}
			}
			extra = append(extra, e)
			return len(extra) - 1, nil
		}
		wr := &windowRel{}
		for _, p := range partition {
			c, err := bindCol(p, types.UnknownT, "")
			if err != nil {
				return nil, err
			}
			wr.partition = append(wr.partition, c)
		}
		for _, o := range order {
			sb := o.GetSortBy()
			if len(sb.UseOp) > 0 {
				return nil, s.notSupported("ORDER BY USING", sb.Location)
			}
			c, err := bindCol(sb.Node, types.UnknownT, "")
			if err != nil {
				return nil, err
			}
			key := sortDirection(sb)
			key.Col = c
			wr.order = append(wr.order, key)
		}
		frame, err := s.windowFrame(frameDef, wb)
		if err != nil {
			return nil, err
		}
		f, err := s.bindWindowFunc(fc, frame, bindCol, func(i int) types.T { return extra[i].Type() })
		if err != nil {
			return nil, err
		}
		wr.funcs = []exec.WindowFunc{f}
		wr.in = project(cur, extra)
		keep := append(identity(cur.types()), expr.Column(len(extra), f.ResultType))
		*r = project(wr, keep)
		out = append(out, windowCall{fc: fc, col: expr.Column(base, f.ResultType)})
	}
	return out, nil
}

// resolveWindow returns the partition, order and frame options of fc's window, following
// references to the WINDOW clause.
func (s *stmt) resolveWindow(fc *pg_query.FuncCall, named map[string]*pg_query.WindowDef) (partition, order []*pg_query.Node, frame *pg_query.WindowDef, err error) {
	w := fc.Over
	lookup := func(name string) (*pg_query.WindowDef, error) {
		d, ok := named[name]
		if !ok {
			return nil, s.errAt(sqlerr.New(sqlerr.UndefinedObject, "window \"%s\" does not exist", name), w.Location)
		}
		return d, nil
	}
	switch {
	case w.Name != "" && w.Refname == "" && len(w.PartitionClause) == 0 && len(w.OrderClause) == 0:
		// OVER w
		d, err := lookup(w.Name)
		if err != nil {
			return nil, nil, nil, err
		}
		if d.Refname != "" {
			return nil, nil, nil, s.notSupported("a named window that refers to another window", d.Location)
		}
		return d.PartitionClause, d.OrderClause, d, nil
	case w.Refname != "":
		// OVER (w ORDER BY …): w's partitioning, and its ordering unless this one has its own.
		d, err := lookup(w.Refname)
		if err != nil {
			return nil, nil, nil, err
		}
		if len(w.PartitionClause) > 0 {
			return nil, nil, nil, s.errAt(sqlerr.New(sqlerr.WindowingError, "cannot override PARTITION BY clause of window \"%s\"", w.Refname), w.Location)
		}
		if len(w.OrderClause) > 0 && len(d.OrderClause) > 0 {
			return nil, nil, nil, s.errAt(sqlerr.New(sqlerr.WindowingError, "cannot override ORDER BY clause of window \"%s\"", w.Refname), w.Location)
		}
		if d.FrameOptions&frameNonDefault != 0 {
			return nil, nil, nil, s.errAt(sqlerr.New(sqlerr.WindowingError, "cannot copy window \"%s\" because it has a frame clause", w.Refname), w.Location)
		}
		order = d.OrderClause
		if len(w.OrderClause) > 0 {
			order = w.OrderClause
		}
		return d.PartitionClause, order, w, nil
	}
	return w.PartitionClause, w.OrderClause, w, nil
}

// windowFrame maps a window's frame clause to the operator's frame. Offsets must be constants;
// RANGE and GROUPS frames with offsets are not supported.
func (s *stmt) windowFrame(w *pg_query.WindowDef, b *bctx) (exec.WindowFrame, error) {
	opts := w.FrameOptions
	if opts&frameNonDefault == 0 {
		return exec.DefaultFrame, nil
	}
	if opts&frameExclusions != 0 {
		return exec.WindowFrame{}, s.notSupported("a window frame with EXCLUDE", w.Location)
	}
	f := exec.WindowFrame{Rows: opts&frameRows != 0}
	offsets := opts & (frameStartOffsetPreceding | frameEndOffsetPreceding | frameStartOffsetFollowing | frameEndOffsetFollowing)
	if offsets != 0 && !f.Rows {
		return exec.WindowFrame{}, s.notSupported("RANGE or GROUPS window frames with an offset", w.Location)
	}
	offset := func(n *pg_query.Node, which string) (int64, error) {
		e, err := b.bind(n)
		if err != nil {
			return 0, err
		}
		if e, err = expr.Coerce(e, types.Int64T, "argument of ROWS"); err != nil {
			return 0, s.errAt(err, nodeLocation(n))
		}
		v, ok := expr.ConstValue(e)
		switch {
		case !ok:
			return 0, s.notSupported("a window frame offset that is not a constant", nodeLocation(n))
		case v == nil:
			return 0, s.errAt(sqlerr.New(sqlerr.NullValueNotAllowed, "frame %s offset must not be null", which), nodeLocation(n))
		case v.(int64) < 0:
			return 0, s.errAt(sqlerr.New(codeInvalidPrecedingOrFollowingSize, "frame %s offset must not be negative", which), nodeLocation(n))
		}
		return v.(int64), nil
	}
	// bound reads one end of the frame: its UNBOUNDED, CURRENT ROW, PRECEDING and FOLLOWING bits.
	bound := func(bits [4]int32, unbounded exec.BoundKind, off *pg_query.Node, which string) (exec.FrameBound, error) {
		kinds := [4]exec.BoundKind{unbounded, exec.CurrentRow, exec.OffsetPreceding, exec.OffsetFollowing}
		for i, bit := range bits {
			if opts&bit == 0 {
				continue
			}
			b := exec.FrameBound{Kind: kinds[i]}
			if i >= 2 {
				var err error
				b.Offset, err = offset(off, which)
				return b, err
			}
			return b, nil
		}
		return exec.FrameBound{}, s.notSupported("this window frame", w.Location)
	}
	var err error
	startBits := [4]int32{frameStartUnboundedPreceding, frameStartCurrentRow, frameStartOffsetPreceding, frameStartOffsetFollowing}
	if f.Start, err = bound(startBits, exec.UnboundedPreceding, w.StartOffset, "starting"); err != nil {
		return exec.WindowFrame{}, err
	}
	endBits := [4]int32{frameEndUnboundedFollowing, frameEndCurrentRow, frameEndOffsetPreceding, frameEndOffsetFollowing}
	if f.End, err = bound(endBits, exec.UnboundedFollowing, w.EndOffset, "ending"); err != nil {
		return exec.WindowFrame{}, err
	}
	return f, nil
}

// PostgreSQL's error for a negative frame offset.
const codeInvalidPrecedingOrFollowingSize = "22013"

// bindWindowFunc binds the function of a window call; bindCol binds an argument as an extra
// input column of the window operator.
func (s *stmt) bindWindowFunc(fc *pg_query.FuncCall, frame exec.WindowFrame,
	bindCol func(n *pg_query.Node, want types.T, what string) (int, error), colType func(int) types.T) (exec.WindowFunc, error) {
	schema, name := funcName(fc)
	if schema != "" {
		return exec.WindowFunc{}, s.errAt(sqlerr.New(sqlerr.UndefinedFunction, "function %s.%s does not exist", schema, name), fc.Location)
	}
	if fc.AggDistinct {
		return exec.WindowFunc{}, s.notSupported("DISTINCT in window functions", fc.Location)
	}
	if fc.AggFilter != nil {
		return exec.WindowFunc{}, s.notSupported("FILTER in window functions", fc.Location)
	}
	if len(fc.AggOrder) > 0 {
		return exec.WindowFunc{}, s.notSupported("ORDER BY in window function arguments", fc.Location)
	}
	f := exec.WindowFunc{Name: name, Frame: frame}
	argc := func(lo, hi int) error {
		if len(fc.Args) < lo || len(fc.Args) > hi || fc.AggStar {
			return s.errAt(sqlerr.New(sqlerr.UndefinedFunction, "function %s with %d arguments does not exist", name, len(fc.Args)), fc.Location)
		}
		return nil
	}
	// arg binds argument i, coerced to t unless t is Unknown.
	arg := func(i int, t types.T) error {
		c, err := bindCol(fc.Args[i], t, "argument of "+name)
		if err != nil {
			return err
		}
		f.Args = append(f.Args, c)
		return nil
	}
	if rt, ok := rankingWindowFuncs[name]; ok {
		if err := argc(0, 0); err != nil {
			return f, err
		}
		f.ResultType = rt
		return f, nil
	}
	switch name {
	case "ntile":
		if err := argc(1, 1); err != nil {
			return f, err
		}
		f.ResultType = types.Int32T
		return f, arg(0, types.Int64T)
	case "lag", "lead":
		if err := argc(1, 3); err != nil {
			return f, err
		}
		if err := arg(0, types.UnknownT); err != nil {
			return f, err
		}
		f.ResultType = colType(f.Args[0])
		if f.ResultType.Kind == types.Unknown {
			f.ResultType = types.TextT
		}
		if len(fc.Args) > 1 {
			if err := arg(1, types.Int64T); err != nil {
				return f, err
			}
		}
		if len(fc.Args) > 2 {
			if err := arg(2, f.ResultType); err != nil {
				return f, err
			}
		}
		return f, nil
	case "first_value", "last_value", "nth_value":
		hi := 1
		if name == "nth_value" {
			hi = 2
		}
		if err := argc(hi, hi); err != nil {
			return f, err
		}
		if err := arg(0, types.UnknownT); err != nil {
			return f, err
		}
		f.ResultType = colType(f.Args[0])
		if hi == 2 {
			return f, arg(1, types.Int64T)
		}
		return f, nil
	}
	if !exec.IsAggregate(name) {
		return f, s.errAt(sqlerr.New(sqlerr.WrongObjectType, "OVER specified, but %s is not a window function nor an aggregate function", name), fc.Location)
	}
	var argTypes []types.T
	if !fc.AggStar {
		if len(fc.Args) != 1 {
			return f, s.errAt(sqlerr.New(sqlerr.UndefinedFunction, "function %s with %d arguments does not exist", name, len(fc.Args)), fc.Location)
		}
		if err := arg(0, types.UnknownT); err != nil {
			return f, err
		}
		argTypes = []types.T{colType(f.Args[0])}
	} else if name != "count" {
		return f, s.errAt(sqlerr.New(sqlerr.WrongObjectType, "%s(*) specified, but %s is not an aggregate function", name, name), fc.Location)
	}
	rt, err := exec.ResolveAggregate(name, argTypes)
	if err != nil {
		return f, s.errAt(err, fc.Location)
	}
	f.ResultType = rt
	return f, nil
}

// windowColumn returns the column of window call fc, bound by bindWindows.
func (b *bctx) windowColumn(fc *pg_query.FuncCall) (expr.Expr, bool) {
	for _, w := range b.windows {
		if w.fc == fc {
			return w.col, true
		}
	}
	return nil, false
}
