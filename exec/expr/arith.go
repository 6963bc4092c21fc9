package expr

import (
	"math"

	"github.com/apache/arrow-go/v18/arrow"
	"github.com/apache/arrow-go/v18/arrow/array"

	"github.com/runnel-db/runnel/exec/sqlerr"
	"github.com/runnel-db/runnel/exec/types"
)

var (
	errDivZero       = sqlerr.New(sqlerr.DivisionByZero, "division by zero")
	errFloatOverflow = sqlerr.New(sqlerr.NumericValueOutOfRange, "value out of range: overflow")
	errFloatUnder    = sqlerr.New(sqlerr.NumericValueOutOfRange, "value out of range: underflow")
)

// addSubInt is the hot integer + and - kernel: one pass without per-row checks, overflow detected
// from the sign bits, then a checked pass over valid rows only if something overflowed.
func addSubInt[T intT](sub bool, kind types.Kind) kernel {
	rangeErr := errIntRange(kind)
	return func(ctx *Context, args []operand, n int, ret types.T) (arrow.Array, error) {
		mem := ctx.Allocator()
		mask := combineValidity(mem, n, args[0], args[1])
		buf, out := newFixedBuf[T](mem, n)
		var ovf T
		switch {
		case !args[0].isScalar() && !args[1].isScalar():
			a, b := values[T](args[0].arr)[:n], values[T](args[1].arr)[:n]
			if sub {
				for i := range out {
					r := a[i] - b[i]
					ovf |= (a[i] ^ b[i]) & (a[i] ^ r)
					out[i] = r
				}
			} else {
				for i := range out {
					r := a[i] + b[i]
					ovf |= (a[i] ^ r) & (b[i] ^ r)
					out[i] = r
				}
			}
		case !args[0].isScalar():
			a, c := values[T](args[0].arr)[:n], scalarAs[T](args[1].scalar)
			if sub {
				for i := range out {
					r := a[i] - c
					ovf |= (a[i] ^ c) & (a[i] ^ r)
					out[i] = r
				}
			} else {
				for i := range out {
					r := a[i] + c
					ovf |= (a[i] ^ r) & (c ^ r)
					out[i] = r
				}
			}
		default:
			c := scalarAs[T](args[0].scalar)
			var b []T
			if args[1].isScalar() {
				b = make([]T, n)
				for i := range b {
					b[i] = scalarAs[T](args[1].scalar)
				}
			} else {
				b = values[T](args[1].arr)[:n]
			}
			for i := range out {
				var r T
				if sub {
					r = c - b[i]
					ovf |= (c ^ b[i]) & (c ^ r)
				} else {
					r = c + b[i]
					ovf |= (c ^ r) & (b[i] ^ r)
				}
				out[i] = r
			}
		}
		if ovf < 0 {
			// Something overflowed: error only if it was a valid row.
			for i := 0; i < n; i++ {
				if !mask.valid(i) {
					continue
				}
				x, y := scalarAs[T](args[0].scalar), scalarAs[T](args[1].scalar)
				if !args[0].isScalar() {
					x = values[T](args[0].arr)[i]
				}
				if !args[1].isScalar() {
					y = values[T](args[1].arr)[i]
				}
				r := out[i]
				if (!sub && (x^r)&(y^r) < 0) || (sub && (x^y)&(x^r) < 0) {
					mask.release()
					buf.Release()
					return nil, rangeErr
				}
			}
		}
		return finish(ret.ArrowType(), n, mask, buf), nil
	}
}

func mulInt[T intT](kind types.Kind) kernel {
	rangeErr := errIntRange(kind)
	lo, hi := intBounds(kind)
	return map2Fixed(func(a, b T) (T, error) {
		if kind != types.Int64 {
			r := int64(a) * int64(b)
			if r < lo || r > hi {
				return 0, rangeErr
			}
			return T(r), nil
		}
		x, y := int64(a), int64(b)
		r := x * y
		if x != 0 && (r/x != y || (x == -1 && y == math.MinInt64) || (y == -1 && x == math.MinInt64)) {
			return 0, rangeErr
		}
		return T(r), nil
	})
}

func divInt[T intT](kind types.Kind) kernel {
	rangeErr := errIntRange(kind)
	lo, _ := intBounds(kind)
	return map2Fixed(func(a, b T) (T, error) {
		if b == 0 {
			return 0, errDivZero
		}
		if b == -1 {
			if int64(a) == lo {
				return 0, rangeErr
			}
			return -a, nil
		}
		return a / b, nil
	})
}

func modInt[T intT]() kernel {
	return map2Fixed(func(a, b T) (T, error) {
		if b == 0 {
			return 0, errDivZero
		}
		if b == -1 {
			return 0, nil
		}
		return a % b, nil
	})
}

func negInt[T intT](kind types.Kind) kernel {
	rangeErr := errIntRange(kind)
	lo, _ := intBounds(kind)
	return map1Fixed(func(a T) (T, error) {
		if int64(a) == lo {
			return 0, rangeErr
		}
		return -a, nil
	})
}

// checkFloat applies PostgreSQL's float overflow/underflow checks to a result r of inputs x, y.
func checkFloat(r float64, infOK, zeroOK bool) error {
	if math.IsInf(r, 0) && !infOK {
		return errFloatOverflow
	}
	if r == 0 && !zeroOK {
		return errFloatUnder
	}
	return nil
}

func floatArith[F float32 | float64](op byte) kernel {
	inf := func(f F) bool { return math.IsInf(float64(f), 0) }
	return map2Fixed(func(a, b F) (F, error) {
		var r F
		switch op {
		case '+':
			r = a + b
			return r, checkFloat(float64(r), inf(a) || inf(b), true)
		case '-':
			r = a - b
			return r, checkFloat(float64(r), inf(a) || inf(b), true)
		case '*':
			r = a * b
			return r, checkFloat(float64(r), inf(a) || inf(b), a == 0 || b == 0)
		default: // '/'
			if b == 0 {
				return 0, errDivZero
			}
			r = a / b
			return r, checkFloat(float64(r), inf(a), a == 0 || inf(b))
		}
	})
}

// numericArith lifts a binary NUMERIC function over operands (either may be scalar).
func numericArith(f func(a, b types.NumericValue) (types.NumericValue, error)) kernel {
	return func(ctx *Context, args []operand, n int, ret types.T) (arrow.Array, error) {
		mask := combineValidity(ctx.Allocator(), n, args[0], args[1])
		ra, rb := newNumericReader(args[0]), newNumericReader(args[1])
		return numericFrom(func(i int) (types.NumericValue, error) { return f(ra.at(i), rb.at(i)) }, ctx, n, mask)
	}
}

// numericReader reads NUMERIC values of a scalar or column operand.
type numericReader struct {
	arr    *array.FixedSizeBinary
	scalar types.NumericValue
}

func newNumericReader(o operand) numericReader {
	if o.arr == nil {
		v, _ := o.scalar.(types.NumericValue)
		return numericReader{scalar: v}
	}
	return numericReader{arr: o.arr.(*array.FixedSizeBinary)}
}

func (r numericReader) at(i int) types.NumericValue {
	if r.arr == nil {
		return r.scalar
	}
	return types.NumericAt(r.arr, i)
}

func powFloat(a, b float64) (float64, error) {
	if a == 0 && b < 0 {
		return 0, sqlerr.New("2201F", "zero raised to a negative power is undefined")
	}
	if a < 0 && b != math.Floor(b) {
		return 0, sqlerr.New("2201F", "a negative number raised to a non-integer power yields a complex result")
	}
	r := math.Pow(a, b)
	if math.IsInf(r, 0) && !math.IsInf(a, 0) && !math.IsInf(b, 0) {
		return 0, errFloatOverflow
	}
	if r == 0 && a != 0 && !math.IsInf(b, 0) {
		return 0, errFloatUnder
	}
	return r, nil
}

// numericPower is numeric ^ numeric. Non-negative integral exponents give the exact power
// rounded to PostgreSQL's result scale max(16, scale of the base); non-integral ones go through
// logarithms (numericPowerReal). Negative integral exponents are not supported.
func numericPower(a, b types.NumericValue) (types.NumericValue, error) {
	whole, err := types.NumericTrunc(b, 0)
	if err != nil || types.NumericCmp(whole, b) != 0 {
		return numericPowerReal(a, b)
	}
	e, err := b.Int64()
	if err != nil || e > math.MaxInt32 {
		return types.NumericValue{}, sqlerr.NotSupported("numeric ^ huge exponent")
	}
	if e < 0 {
		if a.Sign() == 0 {
			return types.NumericValue{}, sqlerr.New("2201F", "zero raised to a negative power is undefined")
		}
		return types.NumericValue{}, sqlerr.NotSupported("numeric ^ negative exponent")
	}
	r := types.NumericFromInt64(1)
	base := a
	for e > 0 {
		if e&1 == 1 {
			if r, err = types.NumericMul(r, base); err != nil {
				return r, err
			}
		}
		if e >>= 1; e > 0 {
			if base, err = types.NumericMul(base, base); err != nil {
				return base, err
			}
		}
	}
	return types.NumericRound(r, max(16, int32(a.Scale)))
}

func registerIntArith[T intT](k types.Kind) {
	t := types.T{Kind: k}
	register("+", sig(t, addSubInt[T](false, k), k, k))
	register("-", sig(t, addSubInt[T](true, k), k, k))
	register("*", sig(t, mulInt[T](k), k, k))
	register("/", sig(t, divInt[T](k), k, k))
	register("%", sig(t, modInt[T](), k, k))
	register("u-", sig(t, negInt[T](k), k))
	register("u+", sig(t, identityKernel, k))
}

func init() {
	registerIntArith[int16](types.Int16)
	registerIntArith[int32](types.Int32)
	registerIntArith[int64](types.Int64)
	for _, op := range []byte{'+', '-', '*', '/'} {
		name := string(op)
		register(name,
			sig(types.Float32T, floatArith[float32](op), types.Float32, types.Float32),
			sig(types.Float64T, floatArith[float64](op), types.Float64, types.Float64),
			&overload{args: []types.Kind{types.Float32, types.Float64}, ret: types.Float64T,
				kernelArgs: []types.Kind{types.Float64, types.Float64}, kernel: floatArith[float64](op)},
			&overload{args: []types.Kind{types.Float64, types.Float32}, ret: types.Float64T,
				kernelArgs: []types.Kind{types.Float64, types.Float64}, kernel: floatArith[float64](op)})
	}
	register("u-",
		sig(types.Float32T, map1Fixed(func(a float32) (float32, error) { return -a, nil }), types.Float32),
		sig(types.Float64T, map1Fixed(func(a float64) (float64, error) { return -a, nil }), types.Float64),
		sig(types.NumericT, numericMap(func(v types.NumericValue) (types.NumericValue, error) { return v.Neg(), nil }), types.Numeric))
	register("u+",
		sig(types.Float32T, identityKernel, types.Float32),
		sig(types.Float64T, identityKernel, types.Float64),
		sig(types.NumericT, identityKernel, types.Numeric))
	num := types.Numeric
	register("+", sig(types.NumericT, numericArith(types.NumericAdd), num, num))
	register("-", sig(types.NumericT, numericArith(types.NumericSub), num, num))
	register("*", sig(types.NumericT, numericArith(types.NumericMul), num, num))
	register("/", sig(types.NumericT, numericArith(types.NumericDiv), num, num))
	register("%", sig(types.NumericT, numericArith(types.NumericMod), num, num))
	register("^",
		sig(types.Float64T, map2Fixed(powFloat), types.Float64, types.Float64),
		sig(types.NumericT, numericArith(numericPower), num, num))
}
