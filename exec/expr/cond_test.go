package expr

import (
	"math/rand"
	"strings"
	"testing"

	"github.com/runnel-db/runnel/exec/sqlerr"
	"github.com/runnel-db/runnel/exec/types"
)

func TestCase(t *testing.T) {
	env := newEnv(t)
	x := env.col(types.Int32T, int64(0), int64(5), nil, int64(-3))
	eq0 := must(t)(Call("=", []Expr{x, int4c(0)}))
	div := must(t)(Call("/", []Expr{int4c(10), x}))
	// CASE WHEN x = 0 THEN 0 ELSE 10 / x END: the division never sees the zero row.
	c := must(t)(Case([]When{{Cond: eq0, Result: int4c(0)}}, div))
	eqStrings(t, "CASE", env.eval(c), []string{"0", "2", "NULL", "-3"})
	if got := c.String(); got != "CASE WHEN (#0 = 0) THEN 0 ELSE (10 / #0) END" {
		t.Errorf("String %q", got)
	}
	// Without ELSE: NULL; result types resolve to numeric.
	gt := must(t)(Call(">", []Expr{x, int4c(0)}))
	c2 := must(t)(Case([]When{{Cond: gt, Result: numLit("1.5")}, {Cond: eq0, Result: int4c(0)}}, nil))
	if c2.Type() != types.NumericT {
		t.Fatalf("type %s", c2.Type())
	}
	eqStrings(t, "CASE numeric", env.eval(c2), []string{"0", "1.5", "NULL", "NULL"})
	// An error in a selected row still surfaces.
	c3 := must(t)(Case([]When{{Cond: gt, Result: int4c(0)}}, div))
	_, err := env.evalErr(c3)
	wantCode(t, err, sqlerr.DivisionByZero)
	// CASE branches that cannot be matched.
	_, err = Case([]When{{Cond: gt, Result: int4c(1)}}, Const("a", types.TextT))
	if e := sqlerr.From(err); e == nil || e.Message != "CASE types integer and text cannot be matched" {
		t.Errorf("got %v", err)
	}
	_, err = Case([]When{{Cond: gt, Result: int4c(1)}}, lit("a"))
	wantCode(t, err, sqlerr.InvalidTextRepresentation)
	_, err = Case([]When{{Cond: x, Result: int4c(1)}}, nil)
	wantCode(t, err, sqlerr.DatatypeMismatch)
}

func TestCoalesce(t *testing.T) {
	env := newEnv(t)
	a := env.col(types.Int32T, int64(1), nil, nil, nil)
	b := env.col(types.Int32T, int64(0), int64(2), nil, int64(0))
	// COALESCE(a, 10 / b): the division runs only where a is NULL.
	div := must(t)(Call("/", []Expr{int4c(10), b}))
	c := must(t)(Coalesce([]Expr{a, div}))
	_, err := env.evalErr(c)
	wantCode(t, err, sqlerr.DivisionByZero) // row 3 needs 10 / 0
	c = must(t)(Coalesce([]Expr{a, b, numLit("7.5")}))
	if c.Type() != types.NumericT {
		t.Fatalf("type %s", c.Type())
	}
	eqStrings(t, "COALESCE", env.eval(c), []string{"1", "2", "7.5", "0"})
	if got := c.String(); got != "COALESCE(#0::numeric, #1::numeric, 7.5)" && got != "COALESCE(#0, #1, 7.5)" {
		t.Errorf("String %q", got)
	}
	s := must(t)(Coalesce([]Expr{Null(types.TextT), lit("x")}))
	eqStrings(t, "COALESCE text", env.eval(s), []string{"x", "x", "x", "x"})
	_, err = Coalesce([]Expr{int4c(1), lit("a")})
	wantCode(t, err, sqlerr.InvalidTextRepresentation)
}

func TestCoalesceLazy(t *testing.T) {
	env := newEnv(t)
	a := env.col(types.Int32T, int64(1), nil)
	b := env.col(types.Int32T, int64(0), int64(5))
	div := must(t)(Call("/", []Expr{int4c(10), b}))
	c := must(t)(Coalesce([]Expr{a, div}))
	eqStrings(t, "COALESCE lazy", env.eval(c), []string{"1", "2"})
}

func TestNullIf(t *testing.T) {
	env := newEnv(t)
	a := env.col(types.Int32T, int64(1), int64(2), nil)
	n := must(t)(NullIf(a, int4c(1)))
	eqStrings(t, "NULLIF", env.eval(n), []string{"NULL", "2", "NULL"})
	// NULLIF(1, 2.5) is numeric, as in PostgreSQL.
	n2 := must(t)(NullIf(a, numLit("2.5")))
	if n2.Type() != types.NumericT {
		t.Errorf("type %s", n2.Type())
	}
	n3 := must(t)(NullIf(a, Null(types.Int32T)))
	eqStrings(t, "NULLIF(a, NULL)", env.eval(n3), []string{"1", "2", "NULL"})
	if got := n.String(); got != "NULLIF(#0, 1)" {
		t.Errorf("String %q", got)
	}
}

func TestGreatestLeast(t *testing.T) {
	env := newEnv(t)
	a := env.col(types.Int32T, int64(1), nil, int64(5), nil)
	b := env.col(types.Int64T, int64(3), int64(2), int64(4), nil)
	g := must(t)(Greatest([]Expr{a, b}, false))
	if g.Type() != types.Int64T {
		t.Fatalf("type %s", g.Type())
	}
	eqStrings(t, "GREATEST", env.eval(g), []string{"3", "2", "5", "NULL"})
	l := must(t)(Greatest([]Expr{a, b, Const(int64(0), types.Int32T)}, true))
	eqStrings(t, "LEAST", env.eval(l), []string{"0", "0", "0", "0"})
	s := must(t)(Greatest([]Expr{lit("a"), lit("b")}, false))
	eqStrings(t, "GREATEST text", env.eval(s), []string{"b", "b", "b", "b"})
	if got := l.String(); got != "LEAST(#0, #1, 0)" {
		t.Errorf("String %q", got)
	}
	_, err := Greatest([]Expr{a, Const(true, types.BoolT)}, false)
	wantCode(t, err, sqlerr.DatatypeMismatch)
}

func TestLike(t *testing.T) {
	env := newEnv(t)
	s := env.col(types.TextT, "abc", "a_c", "a%c", "ABC", "héllo", "", nil, "xabcx")
	cases := []struct {
		pattern, escape string // escape "-" = none given
		fold, not       bool
		want            []string
	}{
		{"a%", "-", false, false, []string{"true", "true", "true", "false", "false", "false", "NULL", "false"}},
		{"%c", "-", false, false, []string{"true", "true", "true", "false", "false", "false", "NULL", "false"}},
		{"%b%", "-", false, false, []string{"true", "false", "false", "false", "false", "false", "NULL", "true"}},
		{"abc", "-", false, false, []string{"true", "false", "false", "false", "false", "false", "NULL", "false"}},
		{"a_c", "-", false, false, []string{"true", "true", "true", "false", "false", "false", "NULL", "false"}},
		{`a\_c`, "-", false, false, []string{"false", "true", "false", "false", "false", "false", "NULL", "false"}},
		{"a#%c", "#", false, false, []string{"false", "false", "true", "false", "false", "false", "NULL", "false"}},
		{"a_c", "", false, false, []string{"true", "true", "true", "false", "false", "false", "NULL", "false"}},
		{"h_llo", "-", false, false, []string{"false", "false", "false", "false", "true", "false", "NULL", "false"}},
		{"%", "-", false, false, []string{"true", "true", "true", "true", "true", "true", "NULL", "true"}},
		{"_", "-", false, false, []string{"false", "false", "false", "false", "false", "false", "NULL", "false"}},
		{"a%c", "-", false, true, []string{"false", "false", "false", "true", "true", "true", "NULL", "true"}},
		{"a_c", "-", true, false, []string{"true", "true", "true", "true", "false", "false", "NULL", "false"}},
		{"HÉ%", "-", true, false, []string{"false", "false", "false", "false", "true", "false", "NULL", "false"}},
		{"%a%b%c%", "-", false, false, []string{"true", "false", "false", "false", "false", "false", "NULL", "true"}},
	}
	for _, c := range cases {
		var esc Expr
		if c.escape != "-" {
			esc = lit(c.escape)
		}
		e := must(t)(Like(s, lit(c.pattern), esc, c.fold, c.not))
		eqStrings(t, e.String(), env.eval(e), c.want)
		// The same pattern from a column (per-row compilation).
		pc := env.colRepeat(types.TextT, c.pattern)
		var ec Expr
		if esc != nil {
			ec = env.colRepeat(types.TextT, c.escape)
		}
		e2 := must(t)(Like(s, pc, ec, c.fold, c.not))
		eqStrings(t, "column "+e2.String(), env.eval(e2), c.want)
	}
}

// colRepeat adds a column holding v in every row.
func (env *testEnv) colRepeat(t types.T, v types.Datum) Expr {
	ds := make([]types.Datum, env.n)
	for i := range ds {
		ds[i] = v
	}
	return env.col(t, ds...)
}

func TestLikeErrors(t *testing.T) {
	env := newEnv(t)
	s := env.col(types.TextT, "abc", "a")
	// 'abc' LIKE 'a\' fails (the matcher reaches the dangling escape); 'a' LIKE 'a\' is false.
	e := must(t)(Like(s, lit(`a\`), nil, false, false))
	_, err := env.evalErr(e)
	wantCode(t, err, sqlerr.InvalidEscapeSequence)
	env2 := newEnv(t)
	s2 := env2.col(types.TextT, "a")
	eqStrings(t, `'a' LIKE 'a\'`, env2.eval(must(t)(Like(s2, lit(`a\`), nil, false, false))), []string{"false"})
	_, err = env2.evalErr(must(t)(Like(s2, lit("a"), lit("xy"), false, false)))
	wantCode(t, err, sqlerr.InvalidEscapeSequence)
	_, err = Like(int4c(5), lit("a"), nil, false, false)
	wantCode(t, err, sqlerr.UndefinedFunction)
	// Call with the operator names routes to Like.
	e = must(t)(Call("!~~*", []Expr{s2, lit("A")}))
	eqStrings(t, "!~~*", env2.eval(e), []string{"false"})
}

func TestRegex(t *testing.T) {
	env := newEnv(t)
	s := env.col(types.TextT, "abc", "ABC", nil)
	eqStrings(t, "~", env.eval(must(t)(Call("~", []Expr{s, lit("^a.c$")}))), []string{"true", "false", "NULL"})
	eqStrings(t, "~*", env.eval(must(t)(Call("~*", []Expr{s, lit("^a.c$")}))), []string{"true", "true", "NULL"})
	eqStrings(t, "!~", env.eval(must(t)(Call("!~", []Expr{s, lit("b")}))), []string{"false", "true", "NULL"})
	_, err := env.evalErr(must(t)(Call("~", []Expr{s, lit("(")})))
	wantCode(t, err, sqlerr.InvalidRegularExpression)
}

// TestLikeShapesAgree checks the string-search fast paths against the general matcher.
func TestLikeShapesAgree(t *testing.T) {
	r := rand.New(rand.NewSource(4))
	alpha := []string{"a", "b", "%", "_", "é"}
	for iter := 0; iter < 3000; iter++ {
		var p, s strings.Builder
		for k := r.Intn(7); k > 0; k-- {
			p.WriteString(alpha[r.Intn(len(alpha))])
		}
		for k := r.Intn(8); k > 0; k-- {
			s.WriteString(alpha[r.Intn(len(alpha))])
		}
		m, err := compileLike(p.String(), '\\', true, false)
		if err != nil {
			t.Fatal(err)
		}
		got, _ := m.match(s.String())
		gen := &likeMatcher{toks: m.toks}
		want, _ := gen.general(s.String())
		if got != want {
			t.Fatalf("%q LIKE %q: shape %c gives %v, general %v", s.String(), p.String(), m.shape, got, want)
		}
	}
}
