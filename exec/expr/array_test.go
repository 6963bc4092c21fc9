package expr

import (
	"testing"

	"github.com/runnel-db/runnel/exec/sqlerr"
	"github.com/runnel-db/runnel/exec/types"
)

// Expected values are PostgreSQL 15's for the same expressions over the same rows.

func TestAnyAllThreeValued(t *testing.T) {
	env := newEnv(t)
	intArr, _ := types.ArrayOf(types.Int32T)
	x := env.col(types.Int32T, int64(2), int64(5), nil, int64(1), int64(1), nil)
	a := env.textCol(intArr, "{1,2}", "{1,NULL}", "{1}", "{}", "NULL", "{}")
	// Over an empty array ANY is false and ALL true even for a NULL x (no comparison is made).
	eqStrings(t, "= ANY", env.eval(must(t)(AnyAll("=", x, a, false))), []string{"true", "NULL", "NULL", "false", "NULL", "false"})
	eqStrings(t, "<> ALL", env.eval(must(t)(AnyAll("<>", x, a, true))), []string{"false", "NULL", "NULL", "true", "NULL", "true"})
	eqStrings(t, "> ANY", env.eval(must(t)(AnyAll(">", x, a, false))), []string{"true", "true", "NULL", "false", "NULL", "false"})
	// An untyped literal array takes the element type of the left side.
	eqStrings(t, "= ANY literal", env.eval(must(t)(AnyAll("=", x, lit("{5,7}"), false))), []string{"false", "true", "NULL", "false", "false", "NULL"})
	_, err := AnyAll("=", x, Const(int64(1), types.Int32T), false)
	wantCode(t, err, sqlerr.DatatypeMismatch)
}

func TestArrayExpressions(t *testing.T) {
	env := newEnv(t)
	textArr := types.TextArrayT
	a := env.textCol(textArr, `{a,NULL,"b c"}`, "{}", "NULL")
	i := env.col(types.Int32T, int64(3), int64(1), int64(1))
	eqStrings(t, "subscript", env.eval(must(t)(Subscript(a, i))), []string{"b c", "NULL", "NULL"})
	eqStrings(t, "array_to_string", env.eval(must(t)(Call("array_to_string", []Expr{a, lit("|"), lit("*")}))), []string{"a|*|b c", "", "NULL"})
	eqStrings(t, "array_upper", env.eval(must(t)(Call("array_upper", []Expr{a, int4c(1)}))), []string{"3", "NULL", "NULL"})
	eqStrings(t, "cardinality", env.eval(must(t)(Call("cardinality", []Expr{a}))), []string{"3", "0", "NULL"})
	eqStrings(t, "||", env.eval(must(t)(Call("||", []Expr{a, lit("{z}")}))), []string{`{a,NULL,"b c",z}`, "{z}", "{z}"})
	eqStrings(t, "ARRAY[]", env.eval(must(t)(ArrayCtor([]Expr{i, int4c(7)}))), []string{"{3,7}", "{1,7}", "{1,7}"})
	eqStrings(t, "::text", env.eval(must(t)(Cast(a, types.TextT))), []string{`{a,NULL,"b c"}`, "{}", "NULL"})
	eqStrings(t, "= array", env.eval(must(t)(Call("=", []Expr{a, lit("{}")}))), []string{"false", "true", "NULL"})

	_, err := Subscript(i, int4c(1))
	wantCode(t, err, sqlerr.DatatypeMismatch)
	_, err = ArrayCtor(nil)
	wantCode(t, err, "42P18")
	_, err = Cast(lit("{1,{2}}"), types.T{Kind: types.Array, Elem: types.Int32})
	wantCode(t, err, sqlerr.FeatureNotSupported)
	// int2vector → smallint[] keeps the zero lower bound; concatenating it is not supported.
	v := must(t)(Cast(lit("4 5"), types.Int2VectorT))
	plain := must(t)(Cast(v, types.T{Kind: types.Array, Elem: types.Int16}))
	if got := plain.Type().LowerBound(); got != 0 {
		t.Errorf("int2vector::int2[] lower bound %d, want 0", got)
	}
	_, err = Call("||", []Expr{plain, plain})
	wantCode(t, err, sqlerr.FeatureNotSupported)
}
