package expr

import (
	"fmt"
	"strconv"
	"strings"

	"github.com/apache/arrow-go/v18/arrow"

	"github.com/runnel-db/runnel/exec/sqlerr"
	"github.com/runnel-db/runnel/exec/types"
)

// node is implemented by every Expr of this package: it exposes the children so that Columns
// and Remap can walk any tree.
type node interface {
	Expr
	children() []Expr
	withChildren(ch []Expr) Expr
}

// columnExpr reads input column #idx.
type columnExpr struct {
	idx int
	t   types.T
}

var _ node = (*columnExpr)(nil)

// Column returns the expression reading input column #index, of type t.
func Column(index int, t types.T) Expr { return &columnExpr{idx: index, t: t} }

func (c *columnExpr) Type() types.T { return c.t }

func (c *columnExpr) Eval(_ *Context, cols []arrow.Array, n int) (arrow.Array, error) {
	if c.idx < 0 || c.idx >= len(cols) {
		return nil, fmt.Errorf("expr: column #%d out of range (%d columns)", c.idx, len(cols))
	}
	a := cols[c.idx]
	if a.Len() != n {
		return nil, fmt.Errorf("expr: column #%d has %d rows, want %d", c.idx, a.Len(), n)
	}
	a.Retain()
	return a, nil
}

func (c *columnExpr) String() string           { return "#" + strconv.Itoa(c.idx) }
func (c *columnExpr) children() []Expr         { return nil }
func (c *columnExpr) withChildren([]Expr) Expr { return c }

// constExpr is a constant; an Unknown-typed constant holds the literal's text (or nil).
type constExpr struct {
	v types.Datum
	t types.T
}

var _ node = (*constExpr)(nil)

// Const returns a constant of type t. When t is Unknown, v is the literal's text (a string) or
// nil: such a constant takes its type from context (Coerce, Call) and is text otherwise.
func Const(v types.Datum, t types.T) Expr { return &constExpr{v: v, t: t} }

// Null returns the NULL constant of type t.
func Null(t types.T) Expr { return &constExpr{t: t} }

// ConstValue returns the value of a constant expression (nil for NULL), and false when e is not a
// constant.
func ConstValue(e Expr) (types.Datum, bool) {
	if c, ok := e.(*constExpr); ok {
		return c.v, true
	}
	return nil, false
}

func (c *constExpr) Type() types.T {
	return c.t
}

func (c *constExpr) Eval(ctx *Context, _ []arrow.Array, n int) (arrow.Array, error) {
	return constArray(ctx.Allocator(), c.t, c.v, n), nil
}

func (c *constExpr) String() string           { return formatConst(c.v, c.t) }
func (c *constExpr) children() []Expr         { return nil }
func (c *constExpr) withChildren([]Expr) Expr { return c }

// formatConst renders a constant compactly: numbers and booleans bare, strings quoted, other
// types as a quoted literal with a cast.
func formatConst(v types.Datum, t types.T) string {
	if v == nil {
		if t.Kind == types.Unknown {
			return "NULL"
		}
		return "NULL::" + t.String()
	}
	switch t.Kind {
	case types.Unknown, types.Text, types.Varchar:
		s, _ := v.(string)
		return quoteLiteral(s)
	case types.Bool, types.Int16, types.Int32, types.Int64, types.Numeric:
		return types.FormatDatum(v, t, nil)
	case types.Float64:
		return types.FormatDatum(v, t, nil)
	}
	return quoteLiteral(types.FormatDatum(v, t, nil)) + "::" + t.String()
}

func quoteLiteral(s string) string {
	return "'" + strings.ReplaceAll(s, "'", "''") + "'"
}

// ParamRef is the parameter $n. Its type may start Unknown and is inferred from the first
// context that needs one (an operator, function, cast or coercion), as PostgreSQL infers
// parameter types during parse analysis.
type ParamRef struct {
	idx int
	t   types.T
}

var _ node = (*ParamRef)(nil)

// Param returns the reference to $index+1 with type t (possibly Unknown).
func Param(index int, t types.T) *ParamRef { return &ParamRef{idx: index, t: t} }

// Index is the zero-based parameter index ($1 is 0).
func (p *ParamRef) Index() int { return p.idx }

// Infer sets the parameter's type when it is still Unknown; a known type is kept.
func (p *ParamRef) Infer(t types.T) {
	if p.t.Kind == types.Unknown {
		p.t = t
	}
}

// Type is the parameter's (possibly inferred) type; Unknown until inferred.
func (p *ParamRef) Type() types.T { return p.t }

func (p *ParamRef) value(ctx *Context) (types.Datum, error) {
	if ctx == nil || p.idx >= len(ctx.Params) || p.idx < 0 {
		return nil, sqlerr.New(sqlerr.UndefinedParameter, "there is no parameter $%d", p.idx+1)
	}
	return ctx.Params[p.idx], nil
}

// Eval returns n copies of the bound value.
func (p *ParamRef) Eval(ctx *Context, _ []arrow.Array, n int) (arrow.Array, error) {
	d, err := p.value(ctx)
	if err != nil {
		return nil, err
	}
	return constArray(ctx.Allocator(), p.t, d, n), nil
}

// String renders the parameter as $n.
func (p *ParamRef) String() string { return "$" + strconv.Itoa(p.idx+1) }

func (p *ParamRef) children() []Expr         { return nil }
func (p *ParamRef) withChildren([]Expr) Expr { return p }

// evalOperand evaluates e over the batch; constants and parameters stay scalar.
func evalOperand(ctx *Context, e Expr, cols []arrow.Array, n int) (operand, error) {
	switch x := e.(type) {
	case *constExpr:
		t := x.t
		if t.Kind == types.Unknown {
			t = types.TextT
		}
		return operand{scalar: x.v, t: t}, nil
	case *ParamRef:
		d, err := x.value(ctx)
		if err != nil {
			return operand{}, err
		}
		t := x.t
		if t.Kind == types.Unknown {
			t = types.TextT
		}
		return operand{scalar: d, t: t}, nil
	}
	a, err := e.Eval(ctx, cols, n)
	if err != nil {
		return operand{}, err
	}
	return operand{arr: a, t: e.Type()}, nil
}

func releaseOperands(ops []operand) {
	for _, o := range ops {
		if o.arr != nil {
			o.arr.Release()
		}
	}
}

// Columns returns the input column indexes e references, ascending and without duplicates.
func Columns(e Expr) []int {
	seen := map[int]bool{}
	var walk func(Expr)
	walk = func(x Expr) {
		if c, ok := x.(*columnExpr); ok {
			seen[c.idx] = true
			return
		}
		if nd, ok := x.(node); ok {
			for _, ch := range nd.children() {
				walk(ch)
			}
		}
	}
	walk(e)
	out := make([]int, 0, len(seen))
	for i := range seen {
		out = append(out, i)
	}
	for i := 1; i < len(out); i++ {
		for j := i; j > 0 && out[j] < out[j-1]; j-- {
			out[j], out[j-1] = out[j-1], out[j]
		}
	}
	return out
}

// ColumnsKnown is Columns for callers that must not miss a reference: ok is false when e holds
// an expression type this package does not know (one defined elsewhere), whose references it
// cannot see.
func ColumnsKnown(e Expr) (cols []int, ok bool) {
	ok = true
	var check func(Expr)
	check = func(x Expr) {
		switch n := x.(type) {
		case *columnExpr, *constExpr, *ParamRef:
		case node:
			for _, ch := range n.children() {
				check(ch)
			}
		default:
			ok = false
		}
	}
	check(e)
	return Columns(e), ok
}

// Remap returns a copy of e in which Column(i) reads column mapping[i] instead. Parameters are
// shared with the original (they carry the inferred type).
func Remap(e Expr, mapping []int) Expr {
	if c, ok := e.(*columnExpr); ok {
		return &columnExpr{idx: mapping[c.idx], t: c.t}
	}
	nd, ok := e.(node)
	if !ok {
		return e
	}
	ch := nd.children()
	if len(ch) == 0 {
		return e
	}
	nc := make([]Expr, len(ch))
	for i, c := range ch {
		if c != nil {
			nc[i] = Remap(c, mapping)
		}
	}
	return nd.withChildren(nc)
}

// EvalConst evaluates an expression that references no columns and returns its value (nil for
// NULL) as a Datum of e.Type().
func EvalConst(ctx *Context, e Expr) (types.Datum, error) {
	if c, ok := e.(*constExpr); ok {
		return c.v, nil
	}
	if cols := Columns(e); len(cols) > 0 {
		return nil, fmt.Errorf("expr: EvalConst of %s, which references column #%d", e, cols[0])
	}
	a, err := e.Eval(ctx, nil, 1)
	if err != nil {
		return nil, err
	}
	defer a.Release()
	t := e.Type()
	if t.Kind == types.Unknown {
		t = types.TextT
	}
	return types.DatumAt(a, 0, t), nil
}
