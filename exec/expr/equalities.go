package expr

import "github.com/runnel-db/runnel/exec/types"

// KeyEqualities returns the values pred pins columns to: for each conjunct of pred (an AND, or
// pred itself) of the form column = constant (or = $n, resolved from ctx), where the constant
// has exactly the column's type, the constant's value by column index. Every row for which
// pred is true has those values, so a reader may fetch only rows with them (a key-range scan)
// and still let pred decide. NULL constants are left out (col = NULL is never true anyway).
func KeyEqualities(ctx *Context, pred Expr) map[int]types.Datum {
	out := map[int]types.Datum{}
	var visit func(e Expr)
	visit = func(e Expr) {
		switch x := e.(type) {
		case *logicExpr:
			if !x.or {
				for _, a := range x.args {
					visit(a)
				}
			}
		case *callExpr:
			if x.name != "=" || len(x.args) != 2 {
				return
			}
			for side := 0; side < 2; side++ {
				col, ok := x.args[side].(*columnExpr)
				if !ok {
					continue
				}
				other := x.args[1-side]
				if other.Type() != col.t {
					continue
				}
				var v types.Datum
				switch c := other.(type) {
				case *constExpr:
					v = c.v
				case *ParamRef:
					if ctx == nil || c.idx >= len(ctx.Params) {
						continue
					}
					v = ctx.Params[c.idx]
				default:
					continue
				}
				if v != nil {
					out[col.idx] = v
				}
			}
		}
	}
	visit(pred)
	return out
}
