package expr

import (
	"strings"

	"github.com/apache/arrow-go/v18/arrow"

	"github.com/runnel-db/runnel/exec/sqlerr"
	"github.com/runnel-db/runnel/exec/types"
)

// kernel computes a function over n rows of evaluated arguments (already of the signature's
// kernel types). Unless the overload is lenient, a row with any NULL argument yields NULL, and
// kernels must not fail on such rows.
type kernel func(ctx *Context, args []operand, n int, ret types.T) (arrow.Array, error)

// registry maps a function name or operator symbol to its signatures. Binary operators are
// registered under their symbol, unary prefix operators under "u" + symbol.
var registry = map[string][]*overload{}

func register(name string, ovs ...*overload) {
	registry[name] = append(registry[name], ovs...)
}

// sig is shorthand for a fixed-arity overload.
func sig(ret types.T, k kernel, args ...types.Kind) *overload {
	return &overload{args: args, ret: ret, kernel: k}
}

// callExpr is a resolved function or operator call.
type callExpr struct {
	name string // function name or operator symbol
	op   bool   // render infix/prefix
	ov   *overload
	args []Expr
	ret  types.T
}

var _ node = (*callExpr)(nil)

func isOperatorName(name string) bool {
	return name != "" && strings.IndexFunc(name, func(r rune) bool {
		return (r >= 'a' && r <= 'z') || r == '_' || (r >= '0' && r <= '9')
	}) < 0
}

// Call resolves a function (lowercase name) or operator (symbol; unary minus is Call("-", [x]))
// against its arguments, coercing them as PostgreSQL does. Unknown-typed arguments take the type
// the chosen signature wants (parameters are inferred).
func Call(name string, args []Expr) (Expr, error) {
	if name == "!=" {
		name = "<>"
	}
	switch name {
	case "~~", "~~*", "!~~", "!~~*":
		if len(args) == 2 {
			return Like(args[0], args[1], nil, strings.HasSuffix(name, "*"), name[0] == '!')
		}
	case "~", "~*", "!~", "!~*":
		if len(args) == 2 {
			return regexMatch(args[0], args[1], strings.HasSuffix(name, "*"), name[0] == '!')
		}
	}
	op := isOperatorName(name)
	key := name
	if op && len(args) == 1 {
		key = "u" + name
	}
	if special, ok := specialCalls[name]; ok && !op {
		return special(args)
	}
	if e, ok, err := arrayCall(name, op, args); ok || err != nil {
		return e, err
	}
	argTypes := make([]types.T, len(args))
	for i, a := range args {
		argTypes[i] = a.Type()
	}
	cands := registry[key]
	ov, ok := resolveOverload(cands, argTypes)
	if !ok {
		undefined := undefinedCall(name, op, argTypes, len(cands) > 0 && ov == nil && ambiguous(cands, argTypes))
		if t, isType := castFuncTypes[name]; isType && len(args) == 1 && len(cands) == 0 {
			// Function-style cast, as PostgreSQL's func_get_detail allows: date(x), int4(x), text(x).
			e, err := coerceTo(args[0], t, castExplicit)
			if sqlerr.Code(err) == sqlerr.CannotCoerce {
				return nil, undefined
			}
			return e, err
		}
		return nil, undefined
	}
	coerced := make([]Expr, len(args))
	ctypes := make([]types.T, len(args))
	for i, a := range args {
		want := ov.argKind(i)
		if ov.kernelArgs != nil {
			want = ov.kernelArgs[min(i, len(ov.kernelArgs)-1)]
		}
		if want == anyKind {
			if a.Type().Kind == types.Unknown {
				want = types.Text
			} else {
				want = a.Type().Kind
			}
		}
		wantT := types.T{Kind: want}
		if a.Type().Kind == types.Unknown && i < len(ov.regs) {
			wantT.Reg = ov.regs[i]
		}
		c, err := coerceTo(a, wantT, castImplicit)
		if err != nil {
			return nil, err
		}
		coerced[i] = c
		ctypes[i] = c.Type()
	}
	ret := ov.ret
	if ov.retFn != nil {
		ret = ov.retFn(ctypes)
	}
	return &callExpr{name: name, op: op, ov: ov, args: coerced, ret: ret}, nil
}

// ambiguous reports whether more than one candidate accepts the argument types.
func ambiguous(cands []*overload, argTypes []types.T) bool {
	k := 0
	for _, c := range cands {
		if !c.arity(len(argTypes)) {
			continue
		}
		ok := true
		for i, at := range argTypes {
			if !canImplicit(at.Kind, c.argKind(i)) {
				ok = false
			}
		}
		if ok {
			k++
		}
	}
	return k > 1
}

func undefinedCall(name string, op bool, argTypes []types.T, amb bool) error {
	if op {
		var sigText string
		if len(argTypes) == 1 {
			sigText = name + " " + argTypes[0].String()
		} else {
			sigText = argTypes[0].String() + " " + name + " " + argTypes[1].String()
		}
		if amb {
			return &sqlerr.Error{Code: "42725", Message: "operator is not unique: " + sigText,
				Hint: "Could not choose a best candidate operator. You might need to add explicit type casts."}
		}
		return &sqlerr.Error{Code: sqlerr.UndefinedFunction, Message: "operator does not exist: " + sigText,
			Hint: "No operator matches the given name and argument types. You might need to add explicit type casts."}
	}
	if amb {
		return &sqlerr.Error{Code: "42725", Message: "function " + name + "(" + typeList(argTypes) + ") is not unique",
			Hint: "Could not choose a best candidate function. You might need to add explicit type casts."}
	}
	return &sqlerr.Error{Code: sqlerr.UndefinedFunction, Message: "function " + name + "(" + typeList(argTypes) + ") does not exist",
		Hint: "No function matches the given name and argument types. You might need to add explicit type casts."}
}

func (c *callExpr) Type() types.T { return c.ret }

func (c *callExpr) Eval(ctx *Context, cols []arrow.Array, n int) (arrow.Array, error) {
	ops := make([]operand, len(c.args))
	defer func() { releaseOperands(ops) }()
	allScalar := true
	for i, a := range c.args {
		o, err := evalOperand(ctx, a, cols, n)
		if err != nil {
			return nil, err
		}
		ops[i] = o
		if !c.ov.lenient && o.isNullScalar() {
			return constArray(ctx.Allocator(), c.ret, nil, n), nil
		}
		allScalar = allScalar && o.isScalar()
	}
	if allScalar && n > 1 {
		// Compute once, then broadcast.
		one, err := c.ov.kernel(ctx, ops, 1, c.ret)
		if err != nil {
			return nil, err
		}
		defer one.Release()
		return constArray(ctx.Allocator(), c.ret, types.DatumAt(one, 0, c.ret), n), nil
	}
	return c.ov.kernel(ctx, ops, n, c.ret)
}

func (c *callExpr) String() string {
	if c.op {
		if len(c.args) == 1 {
			return "(" + c.name + c.args[0].String() + ")"
		}
		return "(" + c.args[0].String() + " " + c.name + " " + c.args[1].String() + ")"
	}
	parts := make([]string, len(c.args))
	for i, a := range c.args {
		parts[i] = a.String()
	}
	return c.name + "(" + strings.Join(parts, ", ") + ")"
}

func (c *callExpr) children() []Expr { return c.args }

func (c *callExpr) withChildren(ch []Expr) Expr {
	cp := *c
	cp.args = ch
	return &cp
}

// castFuncTypes are the type names that work as one-argument cast functions.
var castFuncTypes = map[string]types.T{
	"bool": types.BoolT, "int2": types.Int16T, "int4": types.Int32T, "int8": types.Int64T,
	"float4": types.Float32T, "float8": types.Float64T, "numeric": types.NumericT, "text": types.TextT,
	"varchar": types.VarcharT, "date": types.DateT, "timestamp": types.TimestampT,
	"timestamptz": types.TimestampTZT, "interval": types.IntervalT, "jsonb": types.JSONBT,
}

// specialCalls are functions resolved outside the signature table: SQL constructs that a caller
// may also reach by name.
var specialCalls map[string]func(args []Expr) (Expr, error)

func init() {
	specialCalls = map[string]func(args []Expr) (Expr, error){
		"coalesce": Coalesce,
		"greatest": func(args []Expr) (Expr, error) { return Greatest(args, false) },
		"least":    func(args []Expr) (Expr, error) { return Greatest(args, true) },
		"nullif": func(args []Expr) (Expr, error) {
			if len(args) != 2 {
				return nil, undefinedCall("nullif", false, exprTypes(args), false)
			}
			return NullIf(args[0], args[1])
		},
	}
}

func exprTypes(es []Expr) []types.T {
	ts := make([]types.T, len(es))
	for i, e := range es {
		ts[i] = e.Type()
	}
	return ts
}
