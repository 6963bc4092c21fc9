package planner

import (
	pg_query "github.com/pganalyze/pg_query_go/v6"

	"github.com/runnel-db/runnel/exec/expr"
	"github.com/runnel-db/runnel/exec/types"
)

// ObjectResolver is implemented by catalogs that resolve the object identifier types' names
// while planning, as PostgreSQL does for a literal cast to regclass ('orders'::regclass): the
// plan holds the oid, and a missing name fails at the literal's position. Without it the lookup
// happens when the statement runs (exec/expr's Catalog).
type ObjectResolver interface {
	RegOID(r types.RegKind, name string) (int64, error)
}

// regLiteral folds a string literal cast to a named reg type; ok is false when it does not apply.
func (b *bctx) regLiteral(arg *pg_query.Node, t types.T) (e expr.Expr, ok bool, err error) {
	c := arg.GetAConst()
	if !t.Reg.Named() || c == nil || c.GetSval() == nil {
		return nil, false, nil
	}
	r, isResolver := b.s.p.cat.(ObjectResolver)
	if !isResolver {
		return nil, false, nil
	}
	oid, err := r.RegOID(t.Reg, c.GetSval().Sval)
	if err != nil {
		return nil, true, b.s.errAt(err, c.Location)
	}
	return expr.Const(oid, t), true, nil
}
