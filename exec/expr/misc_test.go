package expr

import (
	"testing"
	"time"

	"github.com/runnel-db/runnel/exec/sqlerr"
	"github.com/runnel-db/runnel/exec/types"
)

func TestStringRendering(t *testing.T) {
	c0, c2 := Column(0, types.Int64T), Column(2, types.TextT)
	cases := []struct {
		e    Expr
		want string
	}{
		{must(t)(Call("+", []Expr{c0, int4c(1)})), "(#0 + 1)"},
		{must(t)(Call("lower", []Expr{c2})), "lower(#2)"},
		{must(t)(Call(">", []Expr{Param(0, types.Int64T), int4c(5)})), "($1 > 5)"},
		{must(t)(Call("-", []Expr{c0})), "(-#0)"},
		{must(t)(Cast(c0, types.TextT)), "#0::text"},
		{must(t)(Call("=", []Expr{c2, lit("x")})), "(#2 = 'x')"},
		{must(t)(Call("substr", []Expr{c2, int4c(1), int4c(2)})), "substr(#2, 1, 2)"},
		{Const(types.DateValue(19723), types.DateT), "'2024-01-01'::date"},
		{Null(types.Int32T), "NULL::integer"},
		{must(t)(Like(c2, lit("a%"), nil, true, true)), "(#2 NOT ILIKE 'a%')"},
	}
	for _, c := range cases {
		if got := c.e.String(); got != c.want {
			t.Errorf("got %q, want %q", got, c.want)
		}
	}
}

func TestColumnsRemapEvalConst(t *testing.T) {
	a, b := Column(3, types.Int32T), Column(1, types.Int32T)
	sum := must(t)(Call("+", []Expr{a, b}))
	cs := must(t)(Case([]When{{Cond: must(t)(Call(">", []Expr{sum, int4c(0)})), Result: a}}, Column(5, types.Int32T)))
	if got := Columns(cs); len(got) != 3 || got[0] != 1 || got[1] != 3 || got[2] != 5 {
		t.Errorf("Columns %v", got)
	}
	r := Remap(cs, []int{0, 10, 0, 30, 0, 50})
	if got := r.String(); got != "CASE WHEN ((#30 + #10) > 0) THEN #30 ELSE #50 END" {
		t.Errorf("Remap %q", got)
	}
	if cs.String() != "CASE WHEN ((#3 + #1) > 0) THEN #3 ELSE #5 END" {
		t.Errorf("original changed: %s", cs)
	}
	e := must(t)(Call("*", []Expr{int4c(6), must(t)(Call("+", []Expr{int4c(3), int4c(4)}))}))
	v, err := EvalConst(&Context{}, e)
	if err != nil || v != int64(42) {
		t.Errorf("EvalConst %v %v", v, err)
	}
	if _, err := EvalConst(&Context{}, sum); err == nil {
		t.Error("EvalConst over columns succeeded")
	}
	if v, ok := ConstValue(int4c(7)); !ok || v != int64(7) {
		t.Error("ConstValue")
	}
	if _, ok := ConstValue(a); ok {
		t.Error("ConstValue of a column")
	}
	// Constant casts fold at construction, and bad literals fail there.
	f := must(t)(Cast(lit("12"), types.Int64T))
	if v, ok := ConstValue(f); !ok || v != int64(12) {
		t.Errorf("folded %v", f)
	}
	_, err = Cast(Const(int64(100000), types.Int32T), types.Int16T)
	wantCode(t, err, sqlerr.NumericValueOutOfRange)
}

func TestSessionTimeZone(t *testing.T) {
	env := newEnv(t)
	ny, err := time.LoadLocation("America/New_York")
	if err != nil {
		t.Skip("no tzdata")
	}
	env.ctx.Location = ny
	ts := env.textCol(types.TimestampT, "2024-07-01 12:00:00", "2024-01-01 00:00:00", "NULL")
	// PostgreSQL with TimeZone America/New_York:
	// '2024-07-01 12:00'::timestamp::timestamptz = 2024-07-01 12:00:00-04 = 16:00 UTC.
	tz := must(t)(Cast(ts, types.TimestampTZT))
	eqStrings(t, "timestamp → timestamptz", env.eval(must(t)(Cast(tz, types.TextT))),
		[]string{"2024-07-01 12:00:00-04", "2024-01-01 00:00:00-05", "NULL"})
	back := must(t)(Cast(tz, types.TimestampT))
	eqStrings(t, "round trip", env.eval(back), []string{"2024-07-01 12:00:00", "2024-01-01 00:00:00", "NULL"})
	// A timestamptz literal is read in the session zone at run time, not at construction.
	l := must(t)(Cast(lit("2024-03-01 00:00:00"), types.TimestampTZT))
	eqStrings(t, "literal", env.eval(must(t)(Cast(l, types.TextT))), []string{"2024-03-01 00:00:00-05", "2024-03-01 00:00:00-05", "2024-03-01 00:00:00-05"})
	d := must(t)(Cast(tz, types.DateT))
	eqStrings(t, "timestamptz → date", env.eval(d), []string{"2024-07-01", "2024-01-01", "NULL"})
	_, err = Cast(lit("not a time"), types.TimestampTZT)
	wantCode(t, err, sqlerr.InvalidDatetimeFormat)
}

func TestNow(t *testing.T) {
	env := newEnv(t)
	env.textCol(types.Int32T, "1", "2")
	now, err := types.ParseText("2024-05-06 07:08:09.5+00", types.TimestampTZT, time.UTC)
	if err != nil {
		t.Fatal(err)
	}
	env.ctx.Now = now.(types.TimestampValue)
	for _, name := range []string{"now", "current_timestamp", "transaction_timestamp", "statement_timestamp"} {
		e := must(t)(Call(name, nil))
		eqStrings(t, name, env.eval(must(t)(Cast(e, types.TextT))), []string{"2024-05-06 07:08:09.5+00", "2024-05-06 07:08:09.5+00"})
	}
	eqStrings(t, "current_date", env.eval(must(t)(Call("current_date", nil))), []string{"2024-05-06", "2024-05-06"})
}

func TestRegisterFuncAndSession(t *testing.T) {
	RegisterFunc("test_double_len", []types.T{types.TextT}, types.Int64T, false,
		func(_ *Context, a []types.Datum) (types.Datum, error) { return int64(2 * len(a[0].(string))), nil })
	env := newEnv(t)
	s := env.col(types.TextT, "ab", nil)
	eqStrings(t, "registered", env.eval(must(t)(Call("test_double_len", []Expr{s}))), []string{"4", "NULL"})
	eqStrings(t, "unknown arg", env.eval(must(t)(Call("test_double_len", []Expr{lit("xyz")}))), []string{"6", "6"})
	env.ctx.User, env.ctx.Database = "alice", "shop"
	eqStrings(t, "current_user", env.eval(must(t)(Call("current_user", nil))), []string{"alice", "alice"})
	eqStrings(t, "current_database", env.eval(must(t)(Call("current_database", nil))), []string{"shop", "shop"})
	eqStrings(t, "current_schema", env.eval(must(t)(Call("current_schema", nil))), []string{"public", "public"})
	_, err := Call("test_double_len", []Expr{int4c(1)})
	wantCode(t, err, sqlerr.UndefinedFunction)
}

// TestFunctionStyleCasts follows PostgreSQL: select date('2024-01-01 10:00'::timestamp), text(1),
// int4(2.5), int8('7'), bool('t') → 2024-01-01|1|3|7|t; date(true) does not exist.
func TestFunctionStyleCasts(t *testing.T) {
	env := newEnv(t)
	ts, err := types.ParseText("2024-01-01 10:00", types.TimestampT, time.UTC)
	if err != nil {
		t.Fatal(err)
	}
	cases := []struct {
		name string
		arg  Expr
		want string
	}{
		{"date", Const(ts, types.TimestampT), "2024-01-01"},
		{"text", int4c(1), "1"},
		{"int4", numLit("2.5"), "3"},
		{"int8", lit("7"), "7"},
		{"bool", lit("t"), "true"},
	}
	for _, c := range cases {
		e := must(t)(Call(c.name, []Expr{c.arg}))
		eqStrings(t, c.name, env.eval(e), []string{c.want})
	}
	_, err = Call("date", []Expr{Const(true, types.BoolT)})
	if e := sqlerr.From(err); e == nil || e.Message != "function date(boolean) does not exist" {
		t.Fatalf("got %v", err)
	}
}
