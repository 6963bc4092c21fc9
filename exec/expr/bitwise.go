package expr

import "github.com/runnel-db/runnel/exec/types"

// Bitwise operators on integers: & | # (xor) and prefix ~, each returning its operands' type as
// PostgreSQL's int2and/int4and/int8and... do. pgjdbc's getIndexInfo tests index options with
// indoption[i] & 1::smallint.
func init() {
	for _, k := range []types.Kind{types.Int16, types.Int32, types.Int64} {
		t := types.T{Kind: k}
		bin := func(f func(a, b int64) int64) kernel {
			return typed2(intAcc, intAcc, intSinkFor(k), func(_ *Context, a, b int64) (int64, error) { return f(a, b), nil })
		}
		register("&", sig(t, bin(func(a, b int64) int64 { return a & b }), k, k))
		register("|", sig(t, bin(func(a, b int64) int64 { return a | b }), k, k))
		register("#", sig(t, bin(func(a, b int64) int64 { return a ^ b }), k, k))
		register("u~", sig(t, typed1(intAcc, intSinkFor(k), func(_ *Context, a int64) (int64, error) { return ^a, nil }), k))
	}
}
