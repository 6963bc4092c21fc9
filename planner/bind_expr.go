package planner

import (
	"strconv"

	pg_query "github.com/pganalyze/pg_query_go/v6"
	"google.golang.org/protobuf/reflect/protoreflect"

	"github.com/runnel-db/runnel/exec/expr"
	"github.com/runnel-db/runnel/exec/sqlerr"
	"github.com/runnel-db/runnel/exec/types"
)

// outerBase is where the column indexes of outer references start while a correlated subquery's
// WHERE clause is bound (see corrState); they are remapped before any expression is evaluated.
const outerBase = 1 << 12

// bctx is the context expressions are bound in.
type bctx struct {
	s   *stmt
	env *env
	sc  *scope
	// in is the plan the expressions run over; a scalar subquery joins itself onto it (adding
	// columns at the end). Nil when subqueries are not allowed here.
	in *rel
	// agg is set after aggregation: expressions are over group keys ++ aggregates.
	agg *aggState
	// noAgg names the clause when aggregate calls are not allowed in it ("WHERE").
	noAgg string
	// inAggArg is set while binding an aggregate's argument.
	inAggArg bool
	// corr holds the enclosing query's scope for subqueries.
	corr *corrState
	// srf maps the set-returning calls of the select list to the columns computing them.
	srf map[*pg_query.FuncCall]srfBinding
	// windows are the window calls of the select list, bound to columns (bindWindows).
	windows []windowCall
	// noWindow names the clause when window calls are not allowed in it and noAgg does not
	// already say so ("HAVING").
	noWindow string
	// windowArg is set while binding a window call's arguments, partition and sort keys.
	windowArg bool
}

// corrState records the outer references of a subquery.
type corrState struct {
	outer *scope
	// allowed: outer references may appear here (the subquery's WHERE clause).
	allowed bool
	// refs[k] is the outer column that Column(outerBase+k) stands for.
	refs *[]int
	// exists: the subquery is the operand of EXISTS, so its select list and a LIMIT of at least
	// one row do not matter.
	exists bool
	// scalar: the subquery is a scalar subquery (its value is used).
	scalar bool
	// parent is the enclosing query's own correlation, if it is a subquery too: references
	// that far out are not supported.
	parent *corrState
}

func (c *corrState) ref(outerCol int) int {
	for k, r := range *c.refs {
		if r == outerCol {
			return k
		}
	}
	*c.refs = append(*c.refs, outerCol)
	return len(*c.refs) - 1
}

// with returns a copy of b; callers change fields of the copy.
func (b *bctx) with() *bctx {
	c := *b
	return &c
}

// nodeLocation returns the location field of n's expression node, or -1.
func nodeLocation(n *pg_query.Node) int32 {
	if n == nil {
		return -1
	}
	m := n.ProtoReflect()
	od := m.Descriptor().Oneofs().Get(0)
	fd := m.WhichOneof(od)
	if fd == nil || fd.Kind() != protoreflect.MessageKind {
		return -1
	}
	inner := m.Get(fd).Message()
	lf := inner.Descriptor().Fields().ByName("location")
	if lf == nil {
		return -1
	}
	return int32(inner.Get(lf).Int())
}

// bind binds an expression node.
func (b *bctx) bind(n *pg_query.Node) (expr.Expr, error) {
	if n == nil {
		return nil, sqlerr.New(sqlerr.Internal, "planner: missing expression")
	}
	if b.agg != nil && !b.inAggArg {
		if e, ok, err := b.agg.match(b, n); ok || err != nil {
			return e, err
		}
	}
	e, err := b.bindNode(n)
	if err != nil {
		return nil, b.s.errAt(err, nodeLocation(n))
	}
	return e, nil
}

func (b *bctx) bindList(ns []*pg_query.Node) ([]expr.Expr, error) {
	out := make([]expr.Expr, len(ns))
	for i, n := range ns {
		e, err := b.bind(n)
		if err != nil {
			return nil, err
		}
		out[i] = e
	}
	return out, nil
}

func (b *bctx) bindNode(n *pg_query.Node) (expr.Expr, error) {
	switch x := n.Node.(type) {
	case *pg_query.Node_ColumnRef:
		return b.columnRef(x.ColumnRef)
	case *pg_query.Node_AConst:
		return constant(x.AConst)
	case *pg_query.Node_ParamRef:
		return b.s.param(int(x.ParamRef.Number), x.ParamRef.Location)
	case *pg_query.Node_AExpr:
		return b.aExpr(x.AExpr)
	case *pg_query.Node_BoolExpr:
		args, err := b.bindList(x.BoolExpr.Args)
		if err != nil {
			return nil, err
		}
		for i, a := range args {
			if args[i], err = boolArg(a, boolOpName(x.BoolExpr.Boolop)); err != nil {
				return nil, b.s.errAt(err, nodeLocation(x.BoolExpr.Args[i]))
			}
		}
		switch x.BoolExpr.Boolop {
		case pg_query.BoolExprType_AND_EXPR:
			return expr.And(args...)
		case pg_query.BoolExprType_OR_EXPR:
			return expr.Or(args...)
		default:
			return expr.Not(args[0])
		}
	case *pg_query.Node_NullTest:
		e, err := b.bind(x.NullTest.Arg)
		if err != nil {
			return nil, err
		}
		return expr.IsNull(e, x.NullTest.Nulltesttype == pg_query.NullTestType_IS_NOT_NULL), nil
	case *pg_query.Node_BooleanTest:
		e, err := b.bind(x.BooleanTest.Arg)
		if err != nil {
			return nil, err
		}
		switch x.BooleanTest.Booltesttype {
		case pg_query.BoolTestType_IS_TRUE:
			return expr.IsBool(e, "true", false)
		case pg_query.BoolTestType_IS_NOT_TRUE:
			return expr.IsBool(e, "true", true)
		case pg_query.BoolTestType_IS_FALSE:
			return expr.IsBool(e, "false", false)
		case pg_query.BoolTestType_IS_NOT_FALSE:
			return expr.IsBool(e, "false", true)
		case pg_query.BoolTestType_IS_UNKNOWN:
			return expr.IsBool(e, "unknown", false)
		default:
			return expr.IsBool(e, "unknown", true)
		}
	case *pg_query.Node_CaseExpr:
		return b.caseExpr(x.CaseExpr)
	case *pg_query.Node_CoalesceExpr:
		args, err := b.bindList(x.CoalesceExpr.Args)
		if err != nil {
			return nil, err
		}
		return expr.Coalesce(args)
	case *pg_query.Node_MinMaxExpr:
		args, err := b.bindList(x.MinMaxExpr.Args)
		if err != nil {
			return nil, err
		}
		return expr.Greatest(args, x.MinMaxExpr.Op == pg_query.MinMaxOp_IS_LEAST)
	case *pg_query.Node_TypeCast:
		return b.typeCast(x.TypeCast)
	case *pg_query.Node_FuncCall:
		if e, ok, err := b.srfExpr(x.FuncCall, ""); ok {
			return e, err
		}
		return b.funcCall(x.FuncCall)
	case *pg_query.Node_SqlvalueFunction:
		return b.sqlValue(x.SqlvalueFunction)
	case *pg_query.Node_SubLink:
		return b.subLinkExpr(x.SubLink)
	case *pg_query.Node_SetToDefault:
		return nil, sqlerr.New(sqlerr.SyntaxError, "DEFAULT is not allowed in this context")
	case *pg_query.Node_CollateClause:
		// Strings compare by bytes, which is what the C, POSIX and default collations give.
		c := append([]string{""}, strs(x.CollateClause.Collname)...)
		switch c[len(c)-1] {
		case "default", "C", "POSIX", "ucs_basic":
			return b.bind(x.CollateClause.Arg)
		}
		return nil, sqlerr.NotSupported("COLLATE other than C")
	case *pg_query.Node_AIndirection:
		return b.indirection(x.AIndirection)
	case *pg_query.Node_RowExpr:
		return nil, sqlerr.NotSupported("row constructors")
	case *pg_query.Node_AArrayExpr:
		return b.arrayExpr(x.AArrayExpr, nil)
	case *pg_query.Node_GroupingFunc:
		return nil, sqlerr.NotSupported("GROUPING")
	}
	return nil, sqlerr.NotSupported("expression " + protoName(n))
}

func protoName(n *pg_query.Node) string {
	m := n.ProtoReflect()
	fd := m.WhichOneof(m.Descriptor().Oneofs().Get(0))
	if fd == nil {
		return "(empty)"
	}
	return string(fd.Message().Name())
}

func boolOpName(op pg_query.BoolExprType) string {
	switch op {
	case pg_query.BoolExprType_AND_EXPR:
		return "AND"
	case pg_query.BoolExprType_OR_EXPR:
		return "OR"
	}
	return "NOT"
}

// boolArg coerces an argument of AND/OR/NOT (or WHERE, HAVING, ON) to boolean.
func boolArg(e expr.Expr, clause string) (expr.Expr, error) {
	if e.Type().Kind == types.Bool {
		return e, nil
	}
	return expr.Coerce(e, types.BoolT, "argument of "+clause)
}

func constant(c *pg_query.A_Const) (expr.Expr, error) {
	if c.Isnull {
		return expr.Null(types.UnknownT), nil
	}
	switch v := c.Val.(type) {
	case *pg_query.A_Const_Ival:
		return expr.Const(int64(v.Ival.GetIval()), types.Int32T), nil
	case *pg_query.A_Const_Fval:
		s := v.Fval.GetFval()
		if e, ok := integerLiteral(s); ok {
			return e, nil
		}
		num, err := types.ParseNumeric(s)
		if err != nil {
			return nil, err
		}
		return expr.Const(num, types.NumericT), nil
	case *pg_query.A_Const_Boolval:
		return expr.Const(v.Boolval.GetBoolval(), types.BoolT), nil
	case *pg_query.A_Const_Sval:
		return expr.Const(v.Sval.GetSval(), types.UnknownT), nil
	case *pg_query.A_Const_Bsval:
		return nil, sqlerr.NotSupported("bit string constants")
	}
	return expr.Const(int64(0), types.Int32T), nil
}

// columnRef resolves a column reference in the scope, then the enclosing query's.
func (b *bctx) columnRef(cr *pg_query.ColumnRef) (expr.Expr, error) {
	fields := strs(cr.Fields)
	if len(fields) != len(cr.Fields) {
		return nil, sqlerr.NotSupported("this form of column reference")
	}
	if len(fields) > 0 && fields[len(fields)-1] == "*" {
		return nil, sqlerr.NotSupported("row expressions (*) outside the select list")
	}
	var schema, table, name string
	switch len(fields) {
	case 1:
		name = fields[0]
	case 2:
		table, name = fields[0], fields[1]
	case 3:
		schema, table, name = fields[0], fields[1], fields[2]
	default:
		return nil, sqlerr.New(sqlerr.SyntaxError, "improper qualified name (too many dotted names): %s", joinDots(fields))
	}
	idx, tableSeen, err := b.sc.lookup(schema, table, name)
	if err != nil {
		return nil, err
	}
	if idx >= 0 {
		return expr.Column(idx, b.sc.cols[idx].typ), nil
	}
	if b.corr != nil && b.corr.outer != nil {
		oidx, outerSeen, err := b.corr.outer.lookup(schema, table, name)
		if err != nil {
			return nil, err
		}
		if oidx >= 0 {
			if !b.corr.allowed {
				return nil, b.s.correlatedNotSupported(-1)
			}
			k := b.corr.ref(oidx)
			return expr.Column(outerBase+k, b.corr.outer.cols[oidx].typ), nil
		}
		tableSeen = tableSeen || outerSeen || b.corr.outer.hasTable(schema, table)
		for p := b.corr.parent; p != nil; p = p.parent {
			if i, _, err := p.outer.lookup(schema, table, name); err == nil && i >= 0 {
				return nil, b.s.correlatedNotSupported(-1)
			}
		}
	}
	if table != "" && !tableSeen && !b.sc.hasTable(schema, table) {
		return nil, sqlerr.New(sqlerr.UndefinedTable, "missing FROM-clause entry for table %q", table)
	}
	if table != "" {
		return nil, sqlerr.New(sqlerr.UndefinedColumn, "column %s.%s does not exist", table, name)
	}
	return nil, sqlerr.New(sqlerr.UndefinedColumn, "column %q does not exist", name)
}

func joinDots(parts []string) string {
	out := ""
	for i, p := range parts {
		if i > 0 {
			out += "."
		}
		out += p
	}
	return out
}

func (b *bctx) caseExpr(c *pg_query.CaseExpr) (expr.Expr, error) {
	var arg expr.Expr
	if c.Arg != nil {
		var err error
		if arg, err = b.bind(c.Arg); err != nil {
			return nil, err
		}
	}
	whens := make([]expr.When, len(c.Args))
	for i, w := range c.Args {
		cw := w.GetCaseWhen()
		cond, err := b.bind(cw.Expr)
		if err != nil {
			return nil, err
		}
		if arg != nil {
			if cond, err = expr.Call("=", []expr.Expr{arg, cond}); err != nil {
				return nil, b.s.errAt(err, cw.Location)
			}
		} else if cond, err = boolArg(cond, "CASE/WHEN"); err != nil {
			return nil, b.s.errAt(err, nodeLocation(cw.Expr))
		}
		res, err := b.bind(cw.Result)
		if err != nil {
			return nil, err
		}
		whens[i] = expr.When{Cond: cond, Result: res}
	}
	var els expr.Expr
	if c.Defresult != nil {
		var err error
		if els, err = b.bind(c.Defresult); err != nil {
			return nil, err
		}
	}
	return expr.Case(whens, els)
}

func (b *bctx) typeCast(tc *pg_query.TypeCast) (expr.Expr, error) {
	t, err := resolveType(tc.TypeName)
	if err != nil {
		return nil, b.s.errAt(err, tc.TypeName.Location)
	}
	arg := tc.Arg
	if t.Kind == types.Interval {
		if unit := intervalUnit(tc.TypeName); unit != "" {
			if c := arg.GetAConst(); c != nil && c.GetSval() != nil {
				s := c.GetSval().Sval
				if _, err := strconv.ParseFloat(s, 64); err == nil {
					return expr.Cast(expr.Const(s+" "+unit, types.UnknownT), t)
				}
			}
		}
	}
	if ae := arg.GetAArrayExpr(); ae != nil && len(ae.Elements) == 0 {
		return b.arrayExpr(ae, &t)
	}
	if e, ok, err := b.regLiteral(arg, t); ok {
		return e, err
	}
	if c := arg.GetAConst(); c != nil && c.GetFval() != nil && (t.Kind == types.Float32 || t.Kind == types.Float64) {
		// Like PostgreSQL's numeric-to-float conversion, an out-of-range error has no position.
		return floatLiteral(c.GetFval().Fval, t)
	}
	e, err := b.bind(arg)
	if err != nil {
		return nil, err
	}
	out, err := expr.Cast(e, t)
	if err != nil {
		return nil, b.s.errAt(err, literalLocation(err, tc.Location, tc.Arg))
	}
	return out, nil
}

func (b *bctx) sqlValue(f *pg_query.SQLValueFunction) (expr.Expr, error) {
	now := func() (expr.Expr, error) {
		b.s.markNow(f.Location)
		return expr.Call("now", nil)
	}
	switch f.Op {
	case pg_query.SQLValueFunctionOp_SVFOP_CURRENT_TIMESTAMP, pg_query.SQLValueFunctionOp_SVFOP_CURRENT_TIMESTAMP_N:
		return now()
	case pg_query.SQLValueFunctionOp_SVFOP_CURRENT_DATE:
		e, err := now()
		if err != nil {
			return nil, err
		}
		return expr.Cast(e, types.DateT)
	case pg_query.SQLValueFunctionOp_SVFOP_LOCALTIMESTAMP, pg_query.SQLValueFunctionOp_SVFOP_LOCALTIMESTAMP_N:
		e, err := now()
		if err != nil {
			return nil, err
		}
		return expr.Cast(e, types.TimestampT)
	case pg_query.SQLValueFunctionOp_SVFOP_CURRENT_USER, pg_query.SQLValueFunctionOp_SVFOP_USER,
		pg_query.SQLValueFunctionOp_SVFOP_SESSION_USER, pg_query.SQLValueFunctionOp_SVFOP_CURRENT_ROLE:
		return expr.Call("current_user", nil)
	case pg_query.SQLValueFunctionOp_SVFOP_CURRENT_CATALOG:
		return expr.Call("current_database", nil)
	case pg_query.SQLValueFunctionOp_SVFOP_CURRENT_SCHEMA:
		return expr.Call("current_schema", nil)
	}
	return nil, sqlerr.NotSupported("type time")
}
