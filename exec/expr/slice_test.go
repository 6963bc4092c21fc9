package expr

import (
	"testing"

	"github.com/apache/arrow-go/v18/arrow"
	"github.com/apache/arrow-go/v18/arrow/array"

	"github.com/runnel-db/runnel/exec/types"
)

// TestSlicedInputs evaluates over columns that are slices (non-zero Arrow offsets) of larger
// arrays, as operators hand out, and checks the results match evaluating the copied rows.
func TestSlicedInputs(t *testing.T) {
	env := newEnv(t)
	ints := types.MakeArray(env.mem, types.Int64T, []types.Datum{int64(9), nil, int64(1), int64(2), nil, int64(4), int64(5), int64(6), int64(7), int64(8), int64(9), nil})
	strs := types.MakeArray(env.mem, types.TextT, []types.Datum{"x", "a", nil, "abc", "b", "ab", nil, "abd", "q", "r", "s", "t"})
	bools := types.MakeArray(env.mem, types.BoolT, []types.Datum{true, nil, false, true, true, nil, false, true, false, true, nil, false})
	num, _ := types.ParseNumeric("1.5")
	nums := types.MakeArray(env.mem, types.NumericT, []types.Datum{num, nil, num, num, nil, num, num, num, num, num, num, num})
	defer ints.Release()
	defer strs.Release()
	defer bools.Release()
	defer nums.Release()
	const off, n = 3, 8
	for _, a := range []arrow.Array{ints, strs, bools, nums} {
		env.cols = append(env.cols, array.NewSlice(a, off, off+n))
	}
	env.n = n
	i, s, b, m := Column(0, types.Int64T), Column(1, types.TextT), Column(2, types.BoolT), Column(3, types.NumericT)
	check := func(e Expr, want ...string) {
		t.Helper()
		eqStrings(t, e.String(), env.eval(e), want)
	}
	check(must(t)(Call("+", []Expr{i, Const(int64(1), types.Int64T)})), "3", "NULL", "5", "6", "7", "8", "9", "10")
	check(must(t)(Call("+", []Expr{i, i})), "4", "NULL", "8", "10", "12", "14", "16", "18")
	check(must(t)(Call(">", []Expr{i, int4c(5)})), "false", "NULL", "false", "false", "true", "true", "true", "true")
	check(must(t)(Like(s, lit("ab%"), nil, false, false)), "true", "false", "true", "NULL", "true", "false", "false", "false")
	check(must(t)(Call("length", []Expr{s})), "3", "1", "2", "NULL", "3", "1", "1", "1")
	check(must(t)(And(b, Const(true, types.BoolT))), "true", "true", "NULL", "false", "true", "false", "true", "NULL")
	check(must(t)(Not(b)), "false", "false", "NULL", "true", "false", "true", "false", "NULL")
	check(IsNull(i, false), "false", "true", "false", "false", "false", "false", "false", "false")
	check(must(t)(Call("*", []Expr{m, i})), "3.0", "NULL", "6.0", "7.5", "9.0", "10.5", "12.0", "13.5")
	check(must(t)(Coalesce([]Expr{i, int4c(0)})), "2", "0", "4", "5", "6", "7", "8", "9")
	check(must(t)(Cast(i, types.TextT)), "2", "NULL", "4", "5", "6", "7", "8", "9")
}

// TestZeroRows evaluates every node kind over an empty batch.
func TestZeroRows(t *testing.T) {
	env := newEnv(t)
	i := env.col(types.Int64T)
	s := env.col(types.TextT)
	b := env.col(types.BoolT)
	exprs := []Expr{
		must(t)(Call("+", []Expr{i, i})),
		must(t)(Call("/", []Expr{int4c(1), i})),
		must(t)(Call(">", []Expr{i, int4c(1)})),
		must(t)(Call("lower", []Expr{s})),
		must(t)(Call("now", nil)),
		must(t)(Like(s, lit(`a\`), nil, false, false)),
		must(t)(And(b, b)),
		IsNull(s, false),
		must(t)(Coalesce([]Expr{i, int4c(0)})),
		must(t)(Case([]When{{Cond: b, Result: s}}, nil)),
		must(t)(Greatest([]Expr{i, i}, false)),
		must(t)(In(i, []Expr{int4c(1)}, true)),
		must(t)(Cast(i, types.TextT)),
		must(t)(IsDistinctFrom(i, i, false)),
	}
	for _, e := range exprs {
		arr, err := e.Eval(env.ctx, env.cols, 0)
		if err != nil {
			t.Fatalf("%s: %v", e, err)
		}
		if arr.Len() != 0 {
			t.Fatalf("%s: %d rows", e, arr.Len())
		}
		arr.Release()
	}
}
