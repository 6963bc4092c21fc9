package planner

import (
	"strings"

	pg_query "github.com/pganalyze/pg_query_go/v6"
	"google.golang.org/protobuf/reflect/protoreflect"

	"github.com/runnel-db/runnel/exec"
)

// windowOnly are functions that exist only as window functions.
var windowOnly = map[string]bool{
	"row_number": true, "rank": true, "dense_rank": true, "lag": true, "lead": true,
	"first_value": true, "last_value": true, "ntile": true, "percent_rank": true, "cume_dist": true, "nth_value": true,
}

// funcName returns the lowercase function name of a FuncCall, without a pg_catalog prefix, and
// the schema if it was another one.
func funcName(fc *pg_query.FuncCall) (schema, name string) {
	parts := strs(fc.Funcname)
	if len(parts) == 0 {
		return "", ""
	}
	name = parts[len(parts)-1]
	if len(parts) > 1 && parts[len(parts)-2] != "pg_catalog" {
		schema = parts[len(parts)-2]
	}
	return schema, name
}

// isAggregate reports whether n is a call of an aggregate function (not a window call).
func isAggregate(n *pg_query.Node) bool {
	fc := n.GetFuncCall()
	if fc == nil || fc.Over != nil {
		return false
	}
	schema, name := funcName(fc)
	// exec knows every PostgreSQL aggregate name, so an unimplemented one (stddev) is reported
	// as such by ResolveAggregate rather than as a misplaced column.
	return schema == "" && exec.IsAggregate(name)
}

// strs returns the String values of a list of String nodes ("*" for A_Star).
func strs(ns []*pg_query.Node) []string {
	out := make([]string, 0, len(ns))
	for _, n := range ns {
		switch {
		case n.GetString_() != nil:
			out = append(out, n.GetString_().Sval)
		case n.GetAStar() != nil:
			out = append(out, "*")
		}
	}
	return out
}

// walk calls fn for every Node below m (not m itself) in depth-first order; fn returns false to
// skip a node's children.
func walk(m protoreflect.ProtoMessage, fn func(*pg_query.Node) bool) {
	if m == nil {
		return
	}
	var visit func(protoreflect.Message)
	visit = func(msg protoreflect.Message) {
		msg.Range(func(fd protoreflect.FieldDescriptor, v protoreflect.Value) bool {
			if fd.Kind() != protoreflect.MessageKind {
				return true
			}
			one := func(x protoreflect.Message) {
				if n, ok := x.Interface().(*pg_query.Node); ok {
					if !fn(n) {
						return
					}
				}
				visit(x)
			}
			if fd.IsList() {
				l := v.List()
				for i := 0; i < l.Len(); i++ {
					one(l.Get(i).Message())
				}
			} else if !fd.IsMap() {
				one(v.Message())
			}
			return true
		})
	}
	visit(m.ProtoReflect())
}

// containsAggregate reports whether n holds an aggregate call outside subqueries.
func containsAggregate(n *pg_query.Node) bool {
	if n == nil || n.GetSubLink() != nil {
		return false
	}
	if isAggregate(n) {
		return true
	}
	found := false
	walk(n, func(x *pg_query.Node) bool {
		if found || x.GetSubLink() != nil {
			return false
		}
		if isAggregate(x) {
			found = true
			return false
		}
		return true
	})
	return found
}

// rowHasSubLink reports whether a VALUES row holds a subquery, without walking the constants that
// make up most rows of a bulk INSERT.
func rowHasSubLink(items []*pg_query.Node) bool {
	for _, it := range items {
		switch it.Node.(type) {
		case *pg_query.Node_AConst, *pg_query.Node_ParamRef, *pg_query.Node_ColumnRef, *pg_query.Node_SetToDefault:
			continue
		}
		if containsSubLink(it) {
			return true
		}
	}
	return false
}

// containsSubLink reports whether n holds a subquery.
func containsSubLink(n *pg_query.Node) bool {
	if n == nil {
		return false
	}
	if n.GetSubLink() != nil {
		return true
	}
	found := false
	walk(n, func(x *pg_query.Node) bool {
		if x.GetSubLink() != nil {
			found = true
		}
		return !found
	})
	return found
}

// findWindow returns the location of a window function call in n, or -1.
func findWindow(n *pg_query.Node) int32 {
	loc := int32(-1)
	check := func(x *pg_query.Node) {
		if fc := x.GetFuncCall(); fc != nil && fc.Over != nil && loc < 0 {
			loc = fc.Location
		}
	}
	if n == nil || n.GetSubLink() != nil {
		return -1
	}
	check(n)
	walk(n, func(x *pg_query.Node) bool {
		if x.GetSubLink() != nil {
			return false
		}
		check(x)
		return loc < 0
	})
	return loc
}

// colname is the output column name PostgreSQL gives an expression (FigureColname).
func colname(n *pg_query.Node) string {
	if s, ok := figureColname(n); ok {
		return s
	}
	return "?column?"
}

func figureColname(n *pg_query.Node) (string, bool) {
	switch {
	case n == nil:
		return "", false
	case n.GetColumnRef() != nil:
		f := strs(n.GetColumnRef().Fields)
		if len(f) > 0 && f[len(f)-1] != "*" {
			return f[len(f)-1], true
		}
	case n.GetFuncCall() != nil:
		_, name := funcName(n.GetFuncCall())
		return name, true
	case n.GetTypeCast() != nil:
		tc := n.GetTypeCast()
		if s, ok := figureColname(tc.Arg); ok {
			return s, true
		}
		names := strs(tc.TypeName.Names)
		if len(names) > 0 {
			return names[len(names)-1], true
		}
	case n.GetAIndirection() != nil:
		// The last field selected, else the subscripted expression's name.
		ind := n.GetAIndirection().Indirection
		for i := len(ind) - 1; i >= 0; i-- {
			if f := ind[i].GetString_(); f != nil {
				return f.Sval, true
			}
		}
		return figureColname(n.GetAIndirection().Arg)
	case n.GetAArrayExpr() != nil:
		return "array", true
	case n.GetCaseExpr() != nil:
		if s, ok := figureColname(n.GetCaseExpr().Defresult); ok {
			return s, true
		}
		return "case", true
	case n.GetCoalesceExpr() != nil:
		return "coalesce", true
	case n.GetMinMaxExpr() != nil:
		if n.GetMinMaxExpr().Op == pg_query.MinMaxOp_IS_LEAST {
			return "least", true
		}
		return "greatest", true
	case n.GetAExpr() != nil && n.GetAExpr().Kind == pg_query.A_Expr_Kind_AEXPR_NULLIF:
		return "nullif", true
	case n.GetSqlvalueFunction() != nil:
		return sqlValueName(n.GetSqlvalueFunction().Op), true
	case n.GetSubLink() != nil:
		sl := n.GetSubLink()
		switch sl.SubLinkType {
		case pg_query.SubLinkType_EXISTS_SUBLINK:
			return "exists", true
		case pg_query.SubLinkType_ARRAY_SUBLINK:
			return "array", true
		case pg_query.SubLinkType_EXPR_SUBLINK:
			if sel := sl.Subselect.GetSelectStmt(); sel != nil && len(sel.TargetList) > 0 {
				rt := sel.TargetList[0].GetResTarget()
				if rt.Name != "" {
					return rt.Name, true
				}
				return figureColname(rt.Val)
			}
		}
	case n.GetBoolExpr() != nil, n.GetAConst() != nil:
		return "", false
	}
	return "", false
}

func sqlValueName(op pg_query.SQLValueFunctionOp) string {
	name := strings.TrimPrefix(op.String(), "SVFOP_")
	name = strings.TrimSuffix(name, "_N")
	return strings.ToLower(name)
}
