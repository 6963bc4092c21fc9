package expr

import (
	"testing"

	"github.com/runnel-db/runnel/exec/sqlerr"
	"github.com/runnel-db/runnel/exec/types"
)

func numLit(s string) Expr {
	v, err := types.ParseNumeric(s)
	if err != nil {
		panic(err)
	}
	return Const(v, types.NumericT)
}

// TestResultTypes checks result types against PostgreSQL's pg_typeof for the same expressions.
func TestResultTypes(t *testing.T) {
	ts := Const(types.TimestampValue(0), types.TimestampTZT)
	date := Const(types.DateValue(0), types.DateT)
	real := Const(1.5, types.Float32T)
	cases := []struct {
		name string
		op   string
		args []Expr
		want types.T
	}{
		{"1 + 1.5::real", "+", []Expr{int4c(1), real}, types.Float64T},
		{"1::int8 + 1.5::real", "+", []Expr{Const(int64(1), types.Int64T), real}, types.Float64T},
		{"1.5 + 1::real", "+", []Expr{numLit("1.5"), real}, types.Float64T},
		{"2::int2 + 2::int2", "+", []Expr{Const(int64(2), types.Int16T), Const(int64(2), types.Int16T)}, types.Int16T},
		{"1::int2 + 1", "+", []Expr{Const(int64(2), types.Int16T), int4c(1)}, types.Int32T},
		{"1 + 2.5", "+", []Expr{int4c(1), numLit("2.5")}, types.NumericT},
		{"1 || 'a'", "||", []Expr{int4c(1), lit("a")}, types.TextT},
		{"'a' || 'b'", "||", []Expr{lit("a"), lit("b")}, types.TextT},
		{"now() - '2024-01-01'", "-", []Expr{ts, lit("2024-01-01")}, types.IntervalT},
		{"date - 1", "-", []Expr{date, int4c(1)}, types.DateT},
		{"date - date", "-", []Expr{date, date}, types.Int32T},
		{"date + interval", "+", []Expr{date, Const(types.IntervalValue{Days: 1}, types.IntervalT)}, types.TimestampT},
		{"1 + '1'", "+", []Expr{int4c(1), lit("1")}, types.Int32T},
		{"now() + '1 day'", "+", []Expr{ts, lit("1 day")}, types.TimestampTZT},
		{"1.5::real + '1'", "+", []Expr{real, lit("1")}, types.Float32T},
		{"abs('1')", "abs", []Expr{lit("1")}, types.Float64T},
		{"1::int2 + 1.5::real", "+", []Expr{Const(int64(1), types.Int16T), real}, types.Float64T},
		{"2 ^ 3", "^", []Expr{int4c(2), int4c(3)}, types.Float64T},
		{"round(2.5)", "round", []Expr{numLit("2.5")}, types.NumericT},
		{"round(2)", "round", []Expr{int4c(2)}, types.Float64T},
		{"'a' = 'b'", "=", []Expr{lit("a"), lit("b")}, types.BoolT},
		{"length('abc')", "length", []Expr{lit("abc")}, types.Int32T},
		{"date_trunc('month', date)", "date_trunc", []Expr{lit("month"), date}, types.TimestampTZT},
		{"extract('year', date)", "extract", []Expr{lit("year"), date}, types.NumericT},
		{"date_part('year', date)", "date_part", []Expr{lit("year"), date}, types.Float64T},
		{"abs(-5)", "abs", []Expr{int4c(-5)}, types.Int32T},
		{"varchar = text", "=", []Expr{Const("a", types.VarcharT), Const("a", types.TextT)}, types.BoolT},
		{"now()", "now", nil, types.TimestampTZT},
		{"concat(1, 'a')", "concat", []Expr{int4c(1), lit("a")}, types.TextT},
	}
	for _, c := range cases {
		e, err := Call(c.op, c.args)
		if err != nil {
			t.Errorf("%s: %v", c.name, err)
			continue
		}
		if e.Type() != c.want {
			t.Errorf("%s: type %s, want %s", c.name, e.Type(), c.want)
		}
	}
}

func TestResolutionErrors(t *testing.T) {
	cases := []struct {
		name, op string
		args     []Expr
		code     string
		msg      string
	}{
		{"1 + 'a'", "+", []Expr{int4c(1), lit("a")}, sqlerr.InvalidTextRepresentation, `invalid input syntax for type integer: "a"`},
		{"1 + true", "+", []Expr{int4c(1), Const(true, types.BoolT)}, sqlerr.UndefinedFunction, "operator does not exist: integer + boolean"},
		{"foo(1)", "foo", []Expr{int4c(1)}, sqlerr.UndefinedFunction, "function foo(integer) does not exist"},
		{"length(1)", "length", []Expr{int4c(1)}, sqlerr.UndefinedFunction, "function length(integer) does not exist"},
		{"'a'::text + 1", "+", []Expr{Const("a", types.TextT), int4c(1)}, sqlerr.UndefinedFunction, "operator does not exist: text + integer"},
		{"- 'a'::text", "-", []Expr{Const("a", types.TextT)}, sqlerr.UndefinedFunction, "operator does not exist: - text"},
		{"date + '1 day'", "+", []Expr{Const(types.DateValue(0), types.DateT), lit("1 day")}, "42725", "operator is not unique: date + unknown"},
		{"5 like 'a'", "~~", []Expr{int4c(5), lit("a")}, sqlerr.UndefinedFunction, "operator does not exist: integer ~~ unknown"},
	}
	for _, c := range cases {
		_, err := Call(c.op, c.args)
		if err == nil {
			t.Errorf("%s: no error", c.name)
			continue
		}
		if e := sqlerr.From(err); e == nil || e.Code != c.code || e.Message != c.msg {
			t.Errorf("%s: got %v (%s), want %s %q", c.name, err, sqlerr.Code(err), c.code, c.msg)
		}
	}
	if _, err := Call("foo", []Expr{int4c(1)}); sqlerr.From(err).Hint == "" {
		t.Error("42883 without a hint")
	}
}

func TestCommonType(t *testing.T) {
	cases := []struct {
		in   []types.T
		want types.T
		msg  string
	}{
		{[]types.T{types.Int32T, types.NumericT}, types.NumericT, ""},
		{[]types.T{types.Int32T, types.Int64T, types.Int16T}, types.Int64T, ""},
		{[]types.T{types.UnknownT, types.UnknownT}, types.TextT, ""},
		{[]types.T{types.UnknownT, types.Int32T}, types.Int32T, ""},
		{[]types.T{types.DateT, types.TimestampTZT}, types.TimestampTZT, ""},
		{[]types.T{types.Float64T, types.Int32T}, types.Float64T, ""},
		{[]types.T{types.VarcharT, types.TextT}, types.VarcharT, ""}, // PG: union of varchar and text is varchar
		{[]types.T{types.TextT, types.VarcharT}, types.TextT, ""},
		{[]types.T{{Kind: types.Numeric, Precision: 10, Scale: 2}, {Kind: types.Numeric, Precision: 10, Scale: 2}}, types.T{Kind: types.Numeric, Precision: 10, Scale: 2}, ""},
		{[]types.T{{Kind: types.Varchar, Precision: 3}, types.UnknownT}, types.VarcharT, ""},
		{[]types.T{{Kind: types.Numeric, Precision: 10, Scale: 2}, types.NumericT}, types.NumericT, ""},
		{[]types.T{types.Int32T, types.TextT}, types.T{}, "UNION types integer and text cannot be matched"},
		{[]types.T{types.Int32T, types.BoolT}, types.T{}, "UNION types integer and boolean cannot be matched"},
	}
	for _, c := range cases {
		got, err := CommonType(c.in, "UNION")
		if c.msg != "" {
			if e := sqlerr.From(err); e == nil || e.Code != sqlerr.DatatypeMismatch || e.Message != c.msg {
				t.Errorf("%v: got %v, want 42804 %q", c.in, err, c.msg)
			}
			continue
		}
		if err != nil || got != c.want {
			t.Errorf("%v: got %s %v, want %s", c.in, got, err, c.want)
		}
	}
}

func TestCoerce(t *testing.T) {
	// Assignment to a column allows bigint → integer and numeric rounding, not text → integer.
	e, err := Coerce(Column(0, types.Int64T), types.Int32T, `column "x"`)
	if err != nil || e.Type() != types.Int32T {
		t.Fatalf("bigint → integer assignment: %v", err)
	}
	_, err = Coerce(Column(0, types.TextT), types.Int32T, `column "x"`)
	if e := sqlerr.From(err); e == nil || e.Message != `column "x" is of type integer but expression is of type text` {
		t.Fatalf("got %v", err)
	}
	_, err = Coerce(Column(0, types.Int32T), types.BoolT, "argument of WHERE")
	if e := sqlerr.From(err); e == nil || e.Message != "argument of WHERE must be type boolean, not type integer" {
		t.Fatalf("got %v", err)
	}
	// WHERE 'x': the literal is parsed as boolean.
	_, err = Coerce(lit("x"), types.BoolT, "argument of WHERE")
	wantCode(t, err, sqlerr.InvalidTextRepresentation)
	// LIMIT 2.5 works in PostgreSQL (assignment cast numeric → bigint, rounding).
	env0 := newEnv(t)
	lim := must(t)(Coerce(numLit("2.5"), types.Int64T, "argument of LIMIT"))
	eqStrings(t, "LIMIT 2.5", env0.eval(lim), []string{"3"})
	_, err = Coerce(Const(int64(1), types.Int64T), types.BoolT, "argument of WHERE")
	if e := sqlerr.From(err); e == nil || e.Message != "argument of WHERE must be type boolean, not type bigint" {
		t.Fatalf("got %v", err)
	}
	// Implicit contexts do not narrow.
	_, err = Coerce(Column(0, types.Int64T), types.Int32T, "CASE")
	wantCode(t, err, sqlerr.DatatypeMismatch)
	// varchar(3) assignment errors where the explicit cast truncates.
	env := newEnv(t)
	c := env.col(types.TextT, "abcd")
	as := must(t)(Coerce(c, types.T{Kind: types.Varchar, Precision: 3}, `column "v"`))
	_, err = env.evalErr(as)
	wantCode(t, err, sqlerr.StringDataRightTruncation)
	ex := must(t)(Cast(c, types.T{Kind: types.Varchar, Precision: 3}))
	eqStrings(t, "explicit varchar(3)", env.eval(ex), []string{"abc"})
	_, err = Coerce(lit("abcd"), types.T{Kind: types.Varchar, Precision: 3}, `column "v"`)
	wantCode(t, err, sqlerr.StringDataRightTruncation)
}

func TestImpossibleCast(t *testing.T) {
	_, err := Cast(Const(true, types.BoolT), types.DateT)
	if e := sqlerr.From(err); e == nil || e.Code != sqlerr.CannotCoerce || e.Message != "cannot cast type boolean to date" {
		t.Fatalf("got %v", err)
	}
	_, err = Cast(Column(0, types.DateT), types.Int32T)
	wantCode(t, err, sqlerr.CannotCoerce)
	_, err = Cast(Column(0, types.IntervalT), types.TimestampT)
	wantCode(t, err, sqlerr.CannotCoerce)
}

// TestParamInference follows PostgreSQL's inferred parameter types for
// `select $1 + 1, $2 = 'x', $3 || 1, length($4), $5::date, $6 > now()`.
func TestParamInference(t *testing.T) {
	ps := make([]*ParamRef, 6)
	for i := range ps {
		ps[i] = Param(i, types.UnknownT)
	}
	now := must(t)(Call("now", nil))
	must(t)(Call("+", []Expr{ps[0], int4c(1)}))
	must(t)(Call("=", []Expr{ps[1], lit("x")}))
	must(t)(Call("||", []Expr{ps[2], int4c(1)}))
	must(t)(Call("length", []Expr{ps[3]}))
	must(t)(Cast(ps[4], types.DateT))
	must(t)(Call(">", []Expr{ps[5], now}))
	want := []types.T{types.Int32T, types.TextT, types.TextT, types.TextT, types.DateT, types.TimestampTZT}
	for i, p := range ps {
		if p.Type() != want[i] {
			t.Errorf("$%d: %s, want %s", i+1, p.Type(), want[i])
		}
		if p.Index() != i {
			t.Errorf("index %d", p.Index())
		}
	}
	// Evaluation reads the bound values.
	env := newEnv(t)
	env.ctx.Params = []types.Datum{int64(41)}
	e := must(t)(Call("+", []Expr{ps[0], int4c(1)}))
	eqStrings(t, "$1 + 1", env.eval(e), []string{"42"})
	if e.String() != "($1 + 1)" {
		t.Errorf("String %q", e.String())
	}
	_, err := env.evalErr(Param(3, types.Int32T))
	wantCode(t, err, sqlerr.UndefinedParameter)
}

func TestUnknownLiteralAgainstColumn(t *testing.T) {
	env := newEnv(t)
	ts := env.textCol(types.TimestampT, "2023-12-31 23:00:00", "2024-01-01 00:00:00", "2024-06-01 00:00:00", "NULL")
	x := env.textCol(types.Int32T, "5", "6", "NULL", "5")
	e := must(t)(Call(">", []Expr{ts, lit("2024-01-01")}))
	eqStrings(t, "ts > '2024-01-01'", env.eval(e), []string{"false", "false", "true", "NULL"})
	e = must(t)(Call("=", []Expr{x, lit("5")}))
	eqStrings(t, "x = '5'", env.eval(e), []string{"true", "false", "NULL", "true"})
	// A bare unknown literal evaluates as text.
	eqStrings(t, "'abc'", env.eval(lit("abc")), []string{"abc", "abc", "abc", "abc"})
	if got := lit("it's").String(); got != "'it''s'" {
		t.Errorf("String %q", got)
	}
}
