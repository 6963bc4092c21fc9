package expr

import (
	"strings"

	"github.com/apache/arrow-go/v18/arrow"
	"github.com/apache/arrow-go/v18/arrow/array"

	"github.com/runnel-db/runnel/exec/types"
)

// When is one WHEN cond THEN result arm of a CASE.
type When struct{ Cond, Result Expr }

// caseExpr is a searched CASE; COALESCE is a caseExpr with coalesce set.
type caseExpr struct {
	whens    []When
	els      Expr
	t        types.T
	coalesce []Expr // set for COALESCE: the arguments
}

var _ node = (*caseExpr)(nil)

// Case is CASE WHEN c1 THEN r1 ... ELSE els END (els nil → NULL). Results are resolved to a
// common type (42804 "CASE types integer and text cannot be matched"); results are evaluated only
// for the rows that select them.
func Case(whens []When, els Expr) (Expr, error) {
	ts := make([]types.T, 0, len(whens)+1)
	for _, w := range whens {
		ts = append(ts, w.Result.Type())
	}
	if els != nil {
		ts = append(ts, els.Type())
	}
	t, err := CommonType(ts, "CASE")
	if err != nil {
		return nil, err
	}
	out := make([]When, len(whens))
	for i, w := range whens {
		c, err := coerceBool(w.Cond, "CASE/WHEN")
		if err != nil {
			return nil, err
		}
		r, err := coerceTo(w.Result, t, castImplicit)
		if err != nil {
			return nil, err
		}
		out[i] = When{Cond: c, Result: r}
	}
	if els == nil {
		els = Null(t)
	} else if els, err = coerceTo(els, t, castImplicit); err != nil {
		return nil, err
	}
	return &caseExpr{whens: out, els: els, t: t}, nil
}

// Coalesce returns the first non-NULL argument; later arguments are evaluated only where needed.
func Coalesce(args []Expr) (Expr, error) {
	ts := make([]types.T, len(args))
	for i, a := range args {
		ts[i] = a.Type()
	}
	t, err := CommonType(ts, "COALESCE")
	if err != nil {
		return nil, err
	}
	out := make([]Expr, len(args))
	for i, a := range args {
		if out[i], err = coerceTo(a, t, castImplicit); err != nil {
			return nil, err
		}
	}
	return &caseExpr{t: t, coalesce: out}, nil
}

func (c *caseExpr) Type() types.T { return c.t }

func (c *caseExpr) Eval(ctx *Context, cols []arrow.Array, n int) (arrow.Array, error) {
	choice := make([]int, n)
	open := make([]bool, n) // rows not decided yet
	for i := range open {
		open[i] = true
		choice[i] = -1
	}
	var srcs []operand
	defer func() { releaseOperands(srcs) }()
	if c.coalesce != nil {
		for k, a := range c.coalesce {
			o, err := evalSel(ctx, a, cols, n, open)
			if err != nil {
				return nil, err
			}
			srcs = append(srcs, o)
			for i := 0; i < n; i++ {
				if open[i] && o.valid(i) {
					choice[i], open[i] = k, false
				}
			}
		}
		return pickRows(ctx, c.t, n, choice, srcs), nil
	}
	for k, w := range c.whens {
		o, err := evalSel(ctx, w.Cond, cols, n, open)
		if err != nil {
			return nil, err
		}
		br := newBoolReader(o)
		for i := 0; i < n; i++ {
			if open[i] && o.valid(i) && br.at(i) {
				choice[i], open[i] = k, false
			}
		}
		releaseOperands([]operand{o})
	}
	for i := 0; i < n; i++ {
		if open[i] {
			choice[i] = len(c.whens)
		}
	}
	sel := make([]bool, n)
	results := append(make([]Expr, 0, len(c.whens)+1), c.resultExprs()...)
	for k, r := range results {
		for i := range sel {
			sel[i] = choice[i] == k
		}
		o, err := evalSel(ctx, r, cols, n, sel)
		if err != nil {
			return nil, err
		}
		srcs = append(srcs, o)
	}
	return pickRows(ctx, c.t, n, choice, srcs), nil
}

func (c *caseExpr) resultExprs() []Expr {
	out := make([]Expr, 0, len(c.whens)+1)
	for _, w := range c.whens {
		out = append(out, w.Result)
	}
	return append(out, c.els)
}

func (c *caseExpr) String() string {
	if c.coalesce != nil {
		return "COALESCE(" + joinExprs(c.coalesce) + ")"
	}
	var sb strings.Builder
	sb.WriteString("CASE")
	for _, w := range c.whens {
		sb.WriteString(" WHEN " + w.Cond.String() + " THEN " + w.Result.String())
	}
	if v, ok := ConstValue(c.els); !ok || v != nil {
		sb.WriteString(" ELSE " + c.els.String())
	}
	sb.WriteString(" END")
	return sb.String()
}

func joinExprs(es []Expr) string {
	parts := make([]string, len(es))
	for i, e := range es {
		parts[i] = e.String()
	}
	return strings.Join(parts, ", ")
}

func (c *caseExpr) children() []Expr {
	if c.coalesce != nil {
		return c.coalesce
	}
	out := make([]Expr, 0, 2*len(c.whens)+1)
	for _, w := range c.whens {
		out = append(out, w.Cond, w.Result)
	}
	return append(out, c.els)
}

func (c *caseExpr) withChildren(ch []Expr) Expr {
	cp := *c
	if c.coalesce != nil {
		cp.coalesce = ch
		return &cp
	}
	cp.whens = make([]When, len(c.whens))
	for i := range cp.whens {
		cp.whens[i] = When{Cond: ch[2*i], Result: ch[2*i+1]}
	}
	cp.els = ch[len(ch)-1]
	return &cp
}

// pairExpr is a node built on a resolved "=" call: IS [NOT] DISTINCT FROM and NULLIF.
type pairExpr struct {
	kind string // "distinct", "notdistinct", "nullif"
	eq   *callExpr
}

var _ node = (*pairExpr)(nil)

func resolveEq(a, b Expr) (*callExpr, error) {
	e, err := Call("=", []Expr{a, b})
	if err != nil {
		return nil, err
	}
	return e.(*callExpr), nil
}

// IsDistinctFrom is a IS DISTINCT FROM b (IS NOT DISTINCT FROM when not): = that treats NULLs as
// equal values; never NULL.
func IsDistinctFrom(a, b Expr, not bool) (Expr, error) {
	eq, err := resolveEq(a, b)
	if err != nil {
		return nil, err
	}
	kind := "distinct"
	if not {
		kind = "notdistinct"
	}
	return &pairExpr{kind: kind, eq: eq}, nil
}

// NullIf is NULLIF(a, b): NULL when a = b, else a (as coerced for the comparison).
func NullIf(a, b Expr) (Expr, error) {
	eq, err := resolveEq(a, b)
	if err != nil {
		return nil, err
	}
	return &pairExpr{kind: "nullif", eq: eq}, nil
}

func (p *pairExpr) Type() types.T {
	if p.kind == "nullif" {
		t := p.eq.args[0].Type()
		if t.Kind == types.Unknown {
			t = types.TextT
		}
		return t
	}
	return types.BoolT
}

func (p *pairExpr) Eval(ctx *Context, cols []arrow.Array, n int) (arrow.Array, error) {
	a, err := evalOperand(ctx, p.eq.args[0], cols, n)
	if err != nil {
		return nil, err
	}
	b, err := evalOperand(ctx, p.eq.args[1], cols, n)
	if err != nil {
		releaseOperands([]operand{a})
		return nil, err
	}
	defer releaseOperands([]operand{a, b})
	eq, err := p.eq.ov.kernel(ctx, []operand{a, b}, n, types.BoolT)
	if err != nil {
		return nil, err
	}
	defer eq.Release()
	eqv := eq.(*array.Boolean)
	if p.kind == "nullif" {
		choice := make([]int, n)
		for i := range choice {
			if eqv.IsValid(i) && eqv.Value(i) {
				choice[i] = -1
			}
		}
		return pickRows(ctx, p.Type(), n, choice, []operand{a}), nil
	}
	bld := array.NewBooleanBuilder(ctx.Allocator())
	defer bld.Release()
	bld.Reserve(n)
	for i := 0; i < n; i++ {
		va, vb := a.valid(i), b.valid(i)
		var distinct bool
		if va && vb {
			distinct = !eqv.Value(i)
		} else {
			distinct = va != vb
		}
		bld.UnsafeAppend(distinct == (p.kind == "distinct"))
	}
	return bld.NewArray(), nil
}

func (p *pairExpr) String() string {
	a, b := p.eq.args[0].String(), p.eq.args[1].String()
	switch p.kind {
	case "distinct":
		return "(" + a + " IS DISTINCT FROM " + b + ")"
	case "notdistinct":
		return "(" + a + " IS NOT DISTINCT FROM " + b + ")"
	}
	return "NULLIF(" + a + ", " + b + ")"
}

func (p *pairExpr) children() []Expr { return []Expr{p.eq} }

func (p *pairExpr) withChildren(ch []Expr) Expr {
	return &pairExpr{kind: p.kind, eq: ch[0].(*callExpr)}
}
