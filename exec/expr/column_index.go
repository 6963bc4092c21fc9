package expr

// ColumnIndex reports whether e is a plain reference to an input column, and which.
func ColumnIndex(e Expr) (int, bool) {
	if c, ok := e.(*columnExpr); ok {
		return c.idx, true
	}
	return 0, false
}
