package expr

import (
	"math/rand"
	"slices"
	"strconv"
	"testing"

	"github.com/runnel-db/runnel/exec/sqlerr"
	"github.com/runnel-db/runnel/exec/types"
)

// truth is every pair of {true, false, NULL}: a is the first column, b the second.
func truth(env *testEnv) (Expr, Expr) {
	T, F := any(true), any(false)
	a := env.col(types.BoolT, T, T, T, F, F, F, nil, nil, nil)
	b := env.col(types.BoolT, T, F, nil, T, F, nil, T, F, nil)
	return a, b
}

func TestThreeValuedLogic(t *testing.T) {
	env := newEnv(t)
	a, b := truth(env)
	and := must(t)(And(a, b))
	eqStrings(t, "AND", env.eval(and), []string{"true", "false", "NULL", "false", "false", "false", "NULL", "false", "NULL"})
	or := must(t)(Or(a, b))
	eqStrings(t, "OR", env.eval(or), []string{"true", "true", "true", "true", "false", "NULL", "true", "NULL", "NULL"})
	not := must(t)(Not(a))
	eqStrings(t, "NOT", env.eval(not), []string{"false", "false", "false", "true", "true", "true", "NULL", "NULL", "NULL"})
	// Constants mixed in: false AND NULL = false, true OR NULL = true.
	and3 := must(t)(And(a, Const(false, types.BoolT), Null(types.BoolT)))
	eqStrings(t, "a AND false AND NULL", env.eval(and3), []string{"false", "false", "false", "false", "false", "false", "false", "false", "false"})
	or3 := must(t)(Or(b, Null(types.BoolT)))
	eqStrings(t, "b OR NULL", env.eval(or3), []string{"true", "NULL", "NULL", "true", "NULL", "NULL", "true", "NULL", "NULL"})
	if got := and.String(); got != "(#0 AND #1)" {
		t.Errorf("String %q", got)
	}
	// Nested ANDs flatten.
	if got := must(t)(And(and, b)).String(); got != "(#0 AND #1 AND #1)" {
		t.Errorf("String %q", got)
	}
	_, err := And(a, int4c(1))
	if e := sqlerr.From(err); e == nil || e.Message != "argument of AND must be type boolean, not type integer" {
		t.Errorf("got %v", err)
	}
	// 't' as an unknown literal is a boolean.
	eqStrings(t, "a AND 't'", env.eval(must(t)(And(a, lit("t")))), []string{"true", "true", "true", "false", "false", "false", "NULL", "NULL", "NULL"})
}

func TestBooleanTests(t *testing.T) {
	env := newEnv(t)
	a, _ := truth(env)
	cases := []struct {
		want string
		not  bool
		out  []string
	}{
		{"true", false, []string{"true", "true", "true", "false", "false", "false", "false", "false", "false"}},
		{"true", true, []string{"false", "false", "false", "true", "true", "true", "true", "true", "true"}},
		{"false", false, []string{"false", "false", "false", "true", "true", "true", "false", "false", "false"}},
		{"unknown", false, []string{"false", "false", "false", "false", "false", "false", "true", "true", "true"}},
		{"unknown", true, []string{"true", "true", "true", "true", "true", "true", "false", "false", "false"}},
	}
	for _, c := range cases {
		e := must(t)(IsBool(a, c.want, c.not))
		eqStrings(t, e.String(), env.eval(e), c.out)
	}
	eqStrings(t, "IS NULL", env.eval(IsNull(a, false)), []string{"false", "false", "false", "false", "false", "false", "true", "true", "true"})
	eqStrings(t, "IS NOT NULL", env.eval(IsNull(a, true)), []string{"true", "true", "true", "true", "true", "true", "false", "false", "false"})
	if got := IsNull(a, true).String(); got != "(#0 IS NOT NULL)" {
		t.Errorf("String %q", got)
	}
	_, err := IsBool(int4c(1), "true", false)
	wantCode(t, err, sqlerr.DatatypeMismatch)
}

func TestIsNullOtherTypes(t *testing.T) {
	env := newEnv(t)
	s := env.col(types.TextT, "a", nil, "")
	eqStrings(t, "text IS NULL", env.eval(IsNull(s, false)), []string{"false", "true", "false"})
	eqStrings(t, "NULL IS NULL", env.eval(IsNull(Null(types.Int32T), false)), []string{"true", "true", "true"})
	eqStrings(t, "5 IS NULL", env.eval(IsNull(int4c(5), false)), []string{"false", "false", "false"})
}

func TestIsDistinctFrom(t *testing.T) {
	env := newEnv(t)
	a := env.col(types.Int32T, int64(1), int64(1), nil, nil, int64(2))
	b := env.col(types.Int64T, int64(1), int64(2), int64(1), nil, nil)
	d := must(t)(IsDistinctFrom(a, b, false))
	eqStrings(t, "IS DISTINCT FROM", env.eval(d), []string{"false", "true", "true", "false", "true"})
	nd := must(t)(IsDistinctFrom(a, b, true))
	eqStrings(t, "IS NOT DISTINCT FROM", env.eval(nd), []string{"true", "false", "false", "true", "false"})
	if got := d.String(); got != "(#0 IS DISTINCT FROM #1)" {
		t.Errorf("String %q", got)
	}
	_, err := IsDistinctFrom(a, Const(true, types.BoolT), false)
	wantCode(t, err, sqlerr.UndefinedFunction)
}

func TestIn(t *testing.T) {
	env := newEnv(t)
	x := env.col(types.Int32T, int64(1), int64(3), nil, int64(2))
	// PostgreSQL: 1 IN (1, NULL) = true, 3 IN (1, NULL) = NULL, NULL IN (...) = NULL.
	in := must(t)(In(x, []Expr{int4c(1), Null(types.Int32T)}, false))
	eqStrings(t, "IN", env.eval(in), []string{"true", "NULL", "NULL", "NULL"})
	notIn := must(t)(In(x, []Expr{int4c(1), Null(types.Int32T)}, true))
	eqStrings(t, "NOT IN", env.eval(notIn), []string{"false", "NULL", "NULL", "NULL"})
	notIn2 := must(t)(In(x, []Expr{int4c(2)}, true))
	eqStrings(t, "NOT IN (2)", env.eval(notIn2), []string{"true", "true", "NULL", "false"})
	// Mixed types resolve to a common type: x IN (1.5, 2) compares as numeric.
	inNum := must(t)(In(x, []Expr{numLit("1.5"), int4c(2)}, false))
	eqStrings(t, "IN numeric", env.eval(inNum), []string{"false", "false", "NULL", "true"})
	// Unknown literals take the column's type; bad ones fail like PostgreSQL.
	inLit := must(t)(In(x, []Expr{lit("3"), lit("9")}, false))
	eqStrings(t, "IN literals", env.eval(inLit), []string{"false", "true", "NULL", "false"})
	_, err := In(x, []Expr{int4c(1), lit("a")}, false)
	wantCode(t, err, sqlerr.InvalidTextRepresentation)
	if got := in.String(); got != "(#0 IN (1, NULL::integer))" {
		t.Errorf("String %q", got)
	}
	if got := Columns(in); len(got) != 1 || got[0] != 0 {
		t.Errorf("Columns %v", got)
	}
	r := Remap(in, []int{4})
	if got := r.String(); got != "(#4 IN (1, NULL::integer))" {
		t.Errorf("Remap %q", got)
	}
}

// TestInRandom checks the hash-set path against SQL semantics on random data.
func TestInRandom(t *testing.T) {
	r := rand.New(rand.NewSource(3))
	for iter := 0; iter < 60; iter++ {
		env := newEnv(t)
		n := 1 + r.Intn(50)
		xs := make([]types.Datum, n)
		strsCol := make([]types.Datum, n)
		for i := range xs {
			if r.Intn(6) > 0 {
				v := int64(r.Intn(8))
				xs[i], strsCol[i] = v, strconv.FormatInt(v, 10)
			}
		}
		var items, sitems []Expr
		var set []int64
		hasNull := false
		for k := 0; k < 1+r.Intn(5); k++ {
			if r.Intn(6) == 0 {
				items = append(items, Null(types.Int64T))
				sitems = append(sitems, Null(types.TextT))
				hasNull = true
				continue
			}
			v := int64(r.Intn(8))
			set = append(set, v)
			items = append(items, Const(v, types.Int64T))
			sitems = append(sitems, lit(strconv.FormatInt(v, 10)))
		}
		not := r.Intn(2) == 0
		x := env.col(types.Int64T, xs...)
		s := env.col(types.TextT, strsCol...)
		want := make([]string, n)
		for i, v := range xs {
			if v == nil {
				want[i] = "NULL"
				continue
			}
			found := slices.Contains(set, v.(int64))
			switch {
			case found:
				want[i] = strconv.FormatBool(!not)
			case hasNull:
				want[i] = "NULL"
			default:
				want[i] = strconv.FormatBool(not)
			}
		}
		eqStrings(t, "int IN", env.eval(must(t)(In(x, items, not))), want)
		eqStrings(t, "text IN", env.eval(must(t)(In(s, sitems, not))), want)
		// The OR path (a non-constant item) agrees.
		orItems := append([]Expr{must(t)(Call("+", []Expr{x, Const(int64(100), types.Int64T)}))}, items...)
		eqStrings(t, "OR path", env.eval(must(t)(In(x, orItems, not))), want)
	}
}

func TestAndOrShortCircuitErrors(t *testing.T) {
	env := newEnv(t)
	x := env.col(types.Int32T, int64(0), int64(5), nil, int64(20))
	ne0 := must(t)(Call("<>", []Expr{x, int4c(0)}))
	eq0 := must(t)(Call("=", []Expr{x, int4c(0)}))
	big := must(t)(Call(">", []Expr{must(t)(Call("/", []Expr{int4c(10), x})), int4c(1)}))
	// x <> 0 AND 10 / x > 1: the zero row is decided by the first argument.
	eqStrings(t, "AND", env.eval(must(t)(And(ne0, big))), []string{"false", "true", "NULL", "false"})
	eqStrings(t, "OR", env.eval(must(t)(Or(eq0, big))), []string{"true", "true", "NULL", "false"})
	// In the other order the division runs first and fails, as in PostgreSQL.
	_, err := env.evalErr(must(t)(And(big, ne0)))
	wantCode(t, err, sqlerr.DivisionByZero)
}
