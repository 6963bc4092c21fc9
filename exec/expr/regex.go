package expr

import (
	"regexp"

	"github.com/apache/arrow-go/v18/arrow"

	"github.com/runnel-db/runnel/exec/sqlerr"
	"github.com/runnel-db/runnel/exec/types"
)

// regexExpr is e [!]~[*] pattern, POSIX regular expression match. Patterns are compiled with Go's
// RE2 engine, which agrees with PostgreSQL's ARE engine on the common syntax; constructs RE2 lacks
// (back-references, lookahead) fail with 2201B instead of matching differently.
type regexExpr struct {
	e, pattern Expr
	fold, not  bool
	re         *regexp.Regexp // compiled constant pattern
	compileErr error
}

var _ node = (*regexExpr)(nil)

func regexMatch(e, pattern Expr, fold, not bool) (Expr, error) {
	op := map[[2]bool]string{{false, false}: "~", {true, false}: "~*", {false, true}: "!~", {true, true}: "!~*"}[[2]bool{fold, not}]
	args := []Expr{e, pattern}
	for i, a := range args {
		if !(a.Type().IsString() || a.Type().Kind == types.Unknown) {
			return nil, undefinedCall(op, true, []types.T{e.Type(), pattern.Type()}, false)
		}
		c, err := coerceTo(a, types.TextT, castImplicit)
		if err != nil {
			return nil, err
		}
		args[i] = c
	}
	r := &regexExpr{e: args[0], pattern: args[1], fold: fold, not: not}
	if pv, ok := ConstValue(r.pattern); ok && pv != nil {
		r.re, r.compileErr = compileRegex(pv.(string), fold)
	}
	return r, nil
}

func compileRegex(p string, fold bool) (*regexp.Regexp, error) {
	if fold {
		p = "(?i)" + p
	}
	re, err := regexp.Compile(p)
	if err != nil {
		return nil, sqlerr.New(sqlerr.InvalidRegularExpression, "invalid regular expression: %v", err)
	}
	return re, nil
}

func (r *regexExpr) Type() types.T { return types.BoolT }

func (r *regexExpr) Eval(ctx *Context, cols []arrow.Array, n int) (arrow.Array, error) {
	a, err := evalOperand(ctx, r.e, cols, n)
	if err != nil {
		return nil, err
	}
	p, err := evalOperand(ctx, r.pattern, cols, n)
	if err != nil {
		releaseOperands([]operand{a})
		return nil, err
	}
	defer releaseOperands([]operand{a, p})
	mask := combineValidity(ctx.Allocator(), n, a, p)
	if n == 0 || mask.allNull(n) {
		mask.release()
		return constArray(ctx.Allocator(), types.BoolT, nil, n), nil
	}
	if r.compileErr != nil {
		mask.release()
		return nil, r.compileErr
	}
	buf := newBoolBuf(ctx.Allocator(), n)
	out := buf.Bytes()
	rs, rp := newStringReader(a), newStringReader(p)
	cache := map[string]*regexp.Regexp{}
	for i := 0; i < n; i++ {
		if !mask.valid(i) {
			continue
		}
		re := r.re
		if re == nil {
			pat := rp.at(i)
			if re = cache[pat]; re == nil {
				if re, err = compileRegex(pat, r.fold); err != nil {
					mask.release()
					buf.Release()
					return nil, err
				}
				cache[pat] = re
			}
		}
		if re.MatchString(rs.at(i)) != r.not {
			out[i>>3] |= 1 << (i & 7)
		}
	}
	return finish(arrow.FixedWidthTypes.Boolean, n, mask, buf), nil
}

func (r *regexExpr) String() string {
	op := " ~ "
	switch {
	case r.fold && r.not:
		op = " !~* "
	case r.fold:
		op = " ~* "
	case r.not:
		op = " !~ "
	}
	return "(" + r.e.String() + op + r.pattern.String() + ")"
}

func (r *regexExpr) children() []Expr { return []Expr{r.e, r.pattern} }

func (r *regexExpr) withChildren(ch []Expr) Expr {
	cp := *r
	cp.e, cp.pattern = ch[0], ch[1]
	return &cp
}

// regexSubstring is substring(s from pattern): the text matched by the first parenthesized
// subexpression, or the whole match when there is none; NULL when nothing matches.
func regexSubstring(ctx *Context, args []operand, n int, ret types.T) (arrow.Array, error) {
	cache := map[string]*regexp.Regexp{} // per call: kernels are shared by concurrent evaluations
	return rowKernel(false, func(_ *Context, a []types.Datum) (types.Datum, error) {
		p := a[1].(string)
		re := cache[p]
		if re == nil {
			var err error
			if re, err = compileRegex(p, false); err != nil {
				return nil, err
			}
			if len(cache) < 64 {
				cache[p] = re
			}
		}
		m := re.FindStringSubmatchIndex(a[0].(string))
		if m == nil {
			return nil, nil
		}
		if len(m) >= 4 {
			if m[2] < 0 {
				return nil, nil
			}
			return a[0].(string)[m[2]:m[3]], nil
		}
		return a[0].(string)[m[0]:m[1]], nil
	})(ctx, args, n, ret)
}

func init() {
	register("substring", sig(types.TextT, regexSubstring, types.Text, types.Text))
}
