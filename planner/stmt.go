package planner

import (
	"github.com/runnel-db/runnel/exec/expr"
	"github.com/runnel-db/runnel/exec/sqlerr"
	"github.com/runnel-db/runnel/exec/types"
	"github.com/runnel-db/runnel/sql"
)

// queryMode says what a SELECT's ORDER BY / LIMIT become.
type queryMode int

const (
	// modeTop: an ad-hoc query; ORDER BY and LIMIT are returned in Query for the caller.
	modeTop queryMode = iota
	// modeView: a view definition; ORDER BY + LIMIT become a TopN, ORDER BY alone is dropped.
	modeView
	// modeSub: a subquery (FROM, CTE, set operation branch, expression): like modeView.
	modeSub
)

// stmt is the state of planning one statement.
type stmt struct {
	p *Planner
	// text is the statement text positions refer to; "" while binding a view's stored query.
	text       string
	given      []types.T
	params     []*expr.ParamRef
	relations  []*Relation
	view       bool
	usesNow    bool
	nowLoc     int32
	viewDepth  int
	savedTexts []string
}

func newStmt(p *Planner, text string, paramTypes []types.T, view bool) *stmt {
	return &stmt{p: p, text: text, given: paramTypes, view: view}
}

// param returns the shared ParamRef for $number.
func (s *stmt) param(number int, loc int32) (expr.Expr, error) {
	if s.view {
		return nil, s.errAt(sqlerr.NotSupported("parameters in a view definition"), loc)
	}
	if number < 1 || number > 65535 {
		return nil, s.errAt(sqlerr.New(sqlerr.UndefinedParameter, "there is no parameter $%d", number), loc)
	}
	for len(s.params) < number {
		i := len(s.params)
		t := types.UnknownT
		if i < len(s.given) {
			t = s.given[i]
		}
		s.params = append(s.params, expr.Param(i, t))
	}
	return s.params[number-1], nil
}

// finishParams fixes the type of every parameter (Unknown → text) and returns them.
func (s *stmt) finishParams() []types.T {
	n := len(s.params)
	if len(s.given) > n {
		for len(s.params) < len(s.given) {
			i := len(s.params)
			s.params = append(s.params, expr.Param(i, s.given[i]))
		}
		n = len(s.given)
	}
	out := make([]types.T, n)
	for i, p := range s.params {
		if p.Type().Kind == types.Unknown {
			p.Infer(types.TextT)
		}
		out[i] = p.Type()
	}
	return out
}

// addRelation records a dependency once.
func (s *stmt) addRelation(r *Relation) {
	for _, x := range s.relations {
		if x == r || (x.ID == r.ID && x.Name == r.Name && x.Schema == r.Schema) {
			return
		}
	}
	s.relations = append(s.relations, r)
}

// errAt positions a user error at the byte offset loc of the statement text, unless it already
// has a position or the text is not the user's (a view's stored query).
func (s *stmt) errAt(err error, loc int32) error {
	if err == nil {
		return nil
	}
	e := sqlerr.From(err)
	if e == nil {
		return err
	}
	if e.Position > 0 || s.text == "" || loc < 0 {
		return err
	}
	return e.At(sql.Position(s.text, int(loc)))
}

// notSupported is a 0A000 error positioned at loc.
func (s *stmt) notSupported(feature string, loc int32) error {
	return s.errAt(sqlerr.NotSupported(feature), loc)
}

// correlatedNotSupported is the error for subqueries that cannot be decorrelated.
func (s *stmt) correlatedNotSupported(loc int32) error {
	return s.errAt(&sqlerr.Error{Code: sqlerr.FeatureNotSupported,
		Message: "this form of correlated subquery is not supported"}, loc)
}

// env is the chain of WITH scopes visible to a query.
type env struct {
	parent *env
	ctes   map[string]*cte
}

// cte is one bound common table expression, shared by all its references.
type cte struct {
	r    rel
	cols []colInfo
}

func (s *stmt) rootEnv() *env { return &env{} }

func (e *env) lookup(name string) *cte {
	for ; e != nil; e = e.parent {
		if c, ok := e.ctes[name]; ok {
			return c
		}
	}
	return nil
}

// markNow records a use of the statement time (not allowed in views).
func (s *stmt) markNow(loc int32) {
	if !s.usesNow {
		s.usesNow, s.nowLoc = true, loc
	}
}
