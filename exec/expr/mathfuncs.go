package expr

import (
	"math"

	"github.com/apache/arrow-go/v18/arrow"

	"github.com/runnel-db/runnel/exec/sqlerr"
	"github.com/runnel-db/runnel/exec/types"
)

func absInt[T intT](kind types.Kind) kernel {
	rangeErr := errIntRange(kind)
	lo, _ := intBounds(kind)
	return map1Fixed(func(a T) (T, error) {
		if int64(a) == lo {
			return 0, rangeErr
		}
		if a < 0 {
			return -a, nil
		}
		return a, nil
	})
}

func f8(f func(float64) (float64, error)) kernel { return map1Fixed(f) }

func pure(f func(float64) float64) func(float64) (float64, error) {
	return func(x float64) (float64, error) { return f(x), nil }
}

func notSupportedKernel(feature string) kernel {
	return func(*Context, []operand, int, types.T) (arrow.Array, error) {
		return nil, sqlerr.NotSupported(feature)
	}
}

func lnFloat(x float64) (float64, error) {
	switch {
	case x == 0:
		return 0, sqlerr.New("2201E", "cannot take logarithm of zero")
	case x < 0:
		return 0, sqlerr.New("2201E", "cannot take logarithm of a negative number")
	}
	return math.Log(x), nil
}

func log10Float(x float64) (float64, error) {
	if _, err := lnFloat(x); err != nil {
		return 0, err
	}
	return math.Log10(x), nil
}

func expFloat(x float64) (float64, error) {
	r := math.Exp(x)
	if math.IsInf(r, 0) && !math.IsInf(x, 0) {
		return 0, errFloatOverflow
	}
	if r == 0 && !math.IsInf(x, 0) {
		return 0, errFloatUnder
	}
	return r, nil
}

func sqrtFloat(x float64) (float64, error) {
	if x < 0 {
		return 0, sqlerr.New("2201F", "cannot take square root of a negative number")
	}
	return math.Sqrt(x), nil
}

func signFloat(x float64) float64 {
	switch {
	case x > 0:
		return 1
	case x < 0:
		return -1
	}
	return 0
}

func numericUnary(f func(types.NumericValue) (types.NumericValue, error)) kernel {
	return numericMap(f)
}

// numericWithScale is round/trunc(numeric, int).
func numericWithScale(f func(types.NumericValue, int32) (types.NumericValue, error)) kernel {
	return func(ctx *Context, args []operand, n int, ret types.T) (arrow.Array, error) {
		mask := combineValidity(ctx.Allocator(), n, args[0], args[1])
		rv := newNumericReader(args[0])
		var sc []int32
		var scs int32
		if args[1].isScalar() {
			scs = scalarAs[int32](args[1].scalar)
		} else {
			sc = values[int32](args[1].arr)
		}
		return numericFrom(func(i int) (types.NumericValue, error) {
			s := scs
			if sc != nil {
				s = sc[i]
			}
			return f(rv.at(i), s)
		}, ctx, n, mask)
	}
}

func init() {
	f := types.Float64
	num := types.Numeric
	register("abs",
		sig(types.Int16T, absInt[int16](types.Int16), types.Int16),
		sig(types.Int32T, absInt[int32](types.Int32), types.Int32),
		sig(types.Int64T, absInt[int64](types.Int64), types.Int64),
		sig(types.Float32T, map1Fixed(func(x float32) (float32, error) { return float32(math.Abs(float64(x))), nil }), types.Float32),
		sig(types.Float64T, f8(pure(math.Abs)), f),
		sig(types.NumericT, numericUnary(func(v types.NumericValue) (types.NumericValue, error) { return v.Abs(), nil }), num))
	register("round",
		sig(types.Float64T, f8(pure(math.RoundToEven)), f),
		sig(types.NumericT, numericUnary(func(v types.NumericValue) (types.NumericValue, error) { return types.NumericRound(v, 0) }), num),
		sig(types.NumericT, numericWithScale(types.NumericRound), num, types.Int32))
	register("trunc",
		sig(types.Float64T, f8(pure(math.Trunc)), f),
		sig(types.NumericT, numericUnary(func(v types.NumericValue) (types.NumericValue, error) { return types.NumericTrunc(v, 0) }), num),
		sig(types.NumericT, numericWithScale(types.NumericTrunc), num, types.Int32))
	register("floor",
		sig(types.Float64T, f8(pure(math.Floor)), f),
		sig(types.NumericT, numericUnary(types.NumericFloor), num))
	for _, name := range []string{"ceil", "ceiling"} {
		register(name,
			sig(types.Float64T, f8(pure(math.Ceil)), f),
			sig(types.NumericT, numericUnary(types.NumericCeil), num))
	}
	register("mod",
		sig(types.Int16T, modInt[int16](), types.Int16, types.Int16),
		sig(types.Int32T, modInt[int32](), types.Int32, types.Int32),
		sig(types.Int64T, modInt[int64](), types.Int64, types.Int64),
		sig(types.NumericT, numericArith(types.NumericMod), num, num))
	for _, name := range []string{"power", "pow"} {
		register(name,
			sig(types.Float64T, map2Fixed(powFloat), f, f),
			sig(types.NumericT, numericArith(numericPower), num, num))
	}
	register("sqrt", sig(types.Float64T, f8(sqrtFloat), f), sig(types.NumericT, numericUnary(numericSqrt), num))
	register("cbrt", sig(types.Float64T, f8(pure(math.Cbrt)), f))
	register("exp", sig(types.Float64T, f8(expFloat), f))
	register("ln", sig(types.Float64T, f8(lnFloat), f))
	register("log", sig(types.Float64T, f8(log10Float), f))
	register("sign",
		sig(types.Float64T, f8(pure(signFloat)), f),
		sig(types.NumericT, numericUnary(func(v types.NumericValue) (types.NumericValue, error) {
			return types.NumericFromInt64(int64(v.Sign())), nil
		}), num))
	register("pi", sig(types.Float64T, func(ctx *Context, _ []operand, n int, ret types.T) (arrow.Array, error) {
		return constArray(ctx.Allocator(), ret, math.Pi, n), nil
	}))
}
