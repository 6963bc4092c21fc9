package planner

import pg_query "github.com/pganalyze/pg_query_go/v6"

// strictOps are the operators whose result is NULL when an operand is NULL.
var strictOps = map[string]bool{
	"=": true, "<>": true, "!=": true, "<": true, "<=": true, ">": true, ">=": true,
	"+": true, "-": true, "*": true, "/": true, "%": true, "||": true,
	"~~": true, "!~~": true, "~~*": true, "!~~*": true, "~": true, "!~": true,
}

// isStrict reports whether the condition n is never true when a column it references is NULL,
// judged conservatively from its syntax: comparisons, LIKE, IN lists and BETWEEN over columns,
// constants, parameters, casts and arithmetic; IS NOT NULL; and conjunctions of those.
func isStrict(n *pg_query.Node) bool {
	switch {
	case n.GetAExpr() != nil:
		a := n.GetAExpr()
		switch a.Kind {
		case pg_query.A_Expr_Kind_AEXPR_OP:
			return strictOps[opName(a.Name)] && strictOperand(a.Lexpr) && strictOperand(a.Rexpr)
		case pg_query.A_Expr_Kind_AEXPR_LIKE, pg_query.A_Expr_Kind_AEXPR_ILIKE:
			return strictOperand(a.Lexpr) && strictOperand(a.Rexpr)
		case pg_query.A_Expr_Kind_AEXPR_IN, pg_query.A_Expr_Kind_AEXPR_BETWEEN, pg_query.A_Expr_Kind_AEXPR_NOT_BETWEEN:
			return strictOperand(a.Lexpr)
		}
	case n.GetNullTest() != nil:
		nt := n.GetNullTest()
		return nt.Nulltesttype == pg_query.NullTestType_IS_NOT_NULL && strictOperand(nt.Arg)
	case n.GetBoolExpr() != nil && n.GetBoolExpr().Boolop == pg_query.BoolExprType_AND_EXPR:
		for _, a := range n.GetBoolExpr().Args {
			if !isStrict(a) {
				return false
			}
		}
		return true
	}
	return false
}

// strictOperand reports whether n is NULL whenever a column it references is NULL.
func strictOperand(n *pg_query.Node) bool {
	switch {
	case n == nil:
		return true
	case n.GetColumnRef() != nil, n.GetParamRef() != nil:
		return true
	case n.GetAConst() != nil:
		return true
	case n.GetTypeCast() != nil:
		return strictOperand(n.GetTypeCast().Arg)
	case n.GetAExpr() != nil && n.GetAExpr().Kind == pg_query.A_Expr_Kind_AEXPR_OP:
		a := n.GetAExpr()
		return strictOps[opName(a.Name)] && strictOperand(a.Lexpr) && strictOperand(a.Rexpr)
	}
	return false
}
