package expr

import (
	"math"
	"math/big"
	"strings"

	"github.com/apache/arrow-go/v18/arrow/decimal128"

	"github.com/runnel-db/runnel/exec/sqlerr"
	"github.com/runnel-db/runnel/exec/types"
)

// ln, exp and log over NUMERIC follow PostgreSQL's numeric_ln/numeric_exp/log_var: the same result
// scale (derived from estimated decimal weights), with the value computed in big.Float at ample
// precision and rounded half away from zero to that scale.

// nbaseDigits returns the normalized base-10000 digits of |v| and the weight of the first one,
// as PostgreSQL's NumericVar holds them.
func nbaseDigits(v types.NumericValue) (digits []int, weight int) {
	s := strings.TrimPrefix(v.Coef.BigInt().String(), "-")
	if s == "0" {
		return nil, 0
	}
	scale := int(v.Scale)
	for len(s) < scale+1 {
		s = "0" + s
	}
	intPart, frac := s[:len(s)-scale], s[len(s)-scale:]
	for len(intPart)%4 != 0 {
		intPart = "0" + intPart
	}
	for len(frac)%4 != 0 {
		frac += "0"
	}
	all := intPart + frac
	weight = len(intPart)/4 - 1
	for i := 0; i < len(all); i += 4 {
		d := 0
		for _, c := range all[i : i+4] {
			d = d*10 + int(c-'0')
		}
		digits = append(digits, d)
	}
	for len(digits) > 0 && digits[0] == 0 {
		digits = digits[1:]
		weight--
	}
	for len(digits) > 0 && digits[len(digits)-1] == 0 {
		digits = digits[:len(digits)-1]
	}
	return digits, weight
}

var (
	numPointNine   = types.NumericValue{Coef: decimal128.FromI64(9), Scale: 1}
	numOnePointOne = types.NumericValue{Coef: decimal128.FromI64(11), Scale: 1}
)

// estimateLnDweight is PostgreSQL's estimate_ln_dweight.
func estimateLnDweight(v types.NumericValue) int {
	if v.Sign() <= 0 {
		return 0
	}
	if types.NumericCmp(v, numPointNine) >= 0 && types.NumericCmp(v, numOnePointOne) <= 0 {
		x, err := types.NumericSub(v, types.NumericFromInt64(1))
		if err != nil {
			return 0
		}
		d, w := nbaseDigits(x)
		if len(d) == 0 {
			return 0
		}
		return w*4 + int(math.Log10(float64(d[0])))
	}
	d, w := nbaseDigits(v)
	if len(d) == 0 {
		return 0
	}
	digits, dweight := float64(d[0]), w*4
	if len(d) > 1 {
		digits = digits*10000 + float64(d[1])
		dweight -= 4
	}
	lnv := math.Log(digits) + float64(dweight)*2.302585092994046
	return int(math.Log10(math.Abs(lnv)))
}

func clampScale(rscale, dscale int) (int, error) {
	rscale = max(rscale, dscale, 0)
	if rscale > types.MaxNumericScale {
		return 0, sqlerr.NotSupported("numeric result scale above 38")
	}
	return rscale, nil
}

// precFor is a big.Float precision good for about digits significant decimal digits plus guard.
func precFor(digits int) uint { return uint(float64(digits+40)*3.33) + 64 }

func bigOf(v types.NumericValue, prec uint) *big.Float {
	f := new(big.Float).SetPrec(prec).SetInt(v.Coef.BigInt())
	if v.Scale > 0 {
		p := new(big.Float).SetPrec(prec).SetInt(new(big.Int).Exp(big.NewInt(10), big.NewInt(int64(v.Scale)), nil))
		f.Quo(f, p)
	}
	return f
}

// roundBig rounds f half away from zero to rscale decimals.
func roundBig(f *big.Float, rscale int) (types.NumericValue, error) {
	p := new(big.Float).SetPrec(f.Prec()).SetInt(new(big.Int).Exp(big.NewInt(10), big.NewInt(int64(rscale)), nil))
	x := new(big.Float).SetPrec(f.Prec()).Mul(f, p)
	half := big.NewFloat(0.5)
	if x.Sign() < 0 {
		x.Sub(x, half)
	} else {
		x.Add(x, half)
	}
	i, _ := x.Int(nil) // truncates toward zero
	if i.BitLen() > 126 {
		return types.NumericValue{}, sqlerr.New(sqlerr.NumericValueOutOfRange, "value overflows numeric format")
	}
	return types.NumericValue{Coef: decimal128.FromBigInt(i), Scale: int8(rscale)}, nil
}

// atanhSeries is atanh(z) for small |z| by its Taylor series.
func atanhSeries(z *big.Float) *big.Float {
	prec := z.Prec()
	sum := new(big.Float).SetPrec(prec).Set(z)
	z2 := new(big.Float).SetPrec(prec).Mul(z, z)
	term := new(big.Float).SetPrec(prec).Set(z)
	eps := new(big.Float).SetPrec(prec).SetMantExp(big.NewFloat(1), -int(prec))
	for k := int64(3); ; k += 2 {
		term.Mul(term, z2)
		t := new(big.Float).SetPrec(prec).Quo(term, new(big.Float).SetInt64(k))
		if new(big.Float).Abs(t).Cmp(eps) < 0 {
			return sum
		}
		sum.Add(sum, t)
	}
}

// lnBig is ln(x) for x > 0.
func lnBig(x *big.Float) *big.Float {
	prec := x.Prec()
	m := new(big.Float).SetPrec(prec)
	e := x.MantExp(m) // x = m × 2^e, 0.5 <= m < 1
	one := new(big.Float).SetPrec(prec).SetInt64(1)
	z := new(big.Float).SetPrec(prec).Quo(new(big.Float).SetPrec(prec).Sub(m, one), new(big.Float).SetPrec(prec).Add(m, one))
	r := atanhSeries(z)
	r.Mul(r, big.NewFloat(2))
	if e != 0 {
		third := new(big.Float).SetPrec(prec).Quo(one, new(big.Float).SetPrec(prec).SetInt64(3))
		ln2 := atanhSeries(third)
		ln2.Mul(ln2, big.NewFloat(2))
		r.Add(r, ln2.Mul(ln2, new(big.Float).SetInt64(int64(e))))
	}
	return r
}

// expBig is e^x: x = n·ln2 + r, e^r by Taylor series on r/2^10, squared back.
func expBig(x *big.Float) *big.Float {
	prec := x.Prec()
	one := new(big.Float).SetPrec(prec).SetInt64(1)
	ln2 := atanhSeries(new(big.Float).SetPrec(prec).Quo(one, new(big.Float).SetPrec(prec).SetInt64(3)))
	ln2.Mul(ln2, big.NewFloat(2))
	q, _ := new(big.Float).SetPrec(prec).Quo(x, ln2).Float64()
	n := int64(math.Round(q))
	r := new(big.Float).SetPrec(prec).Sub(x, new(big.Float).SetPrec(prec).Mul(ln2, new(big.Float).SetInt64(n)))
	const k = 10
	r.SetMantExp(r, -k)
	sum := new(big.Float).SetPrec(prec).SetInt64(1)
	term := new(big.Float).SetPrec(prec).SetInt64(1)
	eps := new(big.Float).SetPrec(prec).SetMantExp(big.NewFloat(1), -int(prec))
	for i := int64(1); ; i++ {
		term.Mul(term, r)
		term.Quo(term, new(big.Float).SetInt64(i))
		if new(big.Float).Abs(term).Cmp(eps) < 0 {
			break
		}
		sum.Add(sum, term)
	}
	for i := 0; i < k; i++ {
		sum.Mul(sum, sum)
	}
	return sum.SetMantExp(sum, int(n))
}

func numericLn(v types.NumericValue) (types.NumericValue, error) {
	switch v.Sign() {
	case 0:
		return types.NumericValue{}, sqlerr.New("2201E", "cannot take logarithm of zero")
	case -1:
		return types.NumericValue{}, sqlerr.New("2201E", "cannot take logarithm of a negative number")
	}
	rscale, err := clampScale(16-estimateLnDweight(v), int(v.Scale))
	if err != nil {
		return types.NumericValue{}, err
	}
	return roundBig(lnBig(bigOf(v, precFor(rscale+40))), rscale)
}

func numericExp(v types.NumericValue) (types.NumericValue, error) {
	val := v.Float64() * 0.434294481903252
	val = max(min(val, 2000), -2000)
	rscale, err := clampScale(16-int(val), int(v.Scale))
	if err != nil {
		return types.NumericValue{}, err
	}
	if val > 38 {
		return types.NumericValue{}, sqlerr.New(sqlerr.NumericValueOutOfRange, "value overflows numeric format")
	}
	return roundBig(expBig(bigOf(v, precFor(rscale+int(math.Abs(val))+40))), rscale)
}

// numericLog is log(base, num) as PostgreSQL's log_var computes it: ln(num) and ln(base) rounded
// to guard scales, then divided and rounded to the result scale.
func numericLog(base, num types.NumericValue) (types.NumericValue, error) {
	for _, v := range []types.NumericValue{base, num} {
		switch v.Sign() {
		case 0:
			return types.NumericValue{}, sqlerr.New("2201E", "cannot take logarithm of zero")
		case -1:
			return types.NumericValue{}, sqlerr.New("2201E", "cannot take logarithm of a negative number")
		}
	}
	lbd, lnd := estimateLnDweight(base), estimateLnDweight(num)
	rd := lnd - lbd
	rscale, err := clampScale(16-rd, max(int(base.Scale), int(num.Scale)))
	if err != nil {
		return types.NumericValue{}, err
	}
	prec := precFor(rscale + 80)
	lnBase, err := roundBig(lnBig(bigOf(base, prec)), max(rscale+rd-lbd+8, 0))
	if err != nil {
		return lnBase, err
	}
	lnNum, err := roundBig(lnBig(bigOf(num, prec)), max(rscale+rd-lnd+8, 0))
	if err != nil {
		return lnNum, err
	}
	if lnBase.Sign() == 0 {
		return types.NumericValue{}, errDivZero
	}
	q := new(big.Float).SetPrec(prec).Quo(bigOf(lnNum, prec), bigOf(lnBase, prec))
	return roundBig(q, rscale)
}

// numericPowerReal is a ^ b for a non-integral b as PostgreSQL's power_var computes it: exp(b ×
// ln a), with the result scale chosen from the estimated decimal weight of the result:
// 16 − weight, at least the scales of a and b.
func numericPowerReal(a, b types.NumericValue) (types.NumericValue, error) {
	switch a.Sign() {
	case -1:
		return types.NumericValue{}, sqlerr.New("2201F", "a negative number raised to a non-integer power yields a complex result")
	case 0:
		if b.Sign() < 0 {
			return types.NumericValue{}, sqlerr.New("2201F", "zero raised to a negative power is undefined")
		}
		return types.NumericValue{Scale: 16}, nil
	}
	prec := precFor(120)
	lnNum := new(big.Float).SetPrec(prec).Mul(lnBig(bigOf(a, prec)), bigOf(b, prec))
	val, _ := lnNum.Float64()
	if math.Abs(val) > 38*3.01 {
		if val > 0 {
			return types.NumericValue{}, sqlerr.New(sqlerr.NumericValueOutOfRange, "value overflows numeric format")
		}
		return types.NumericValue{}, sqlerr.NotSupported("numeric ^ with a result below 1e-38")
	}
	val *= 0.434294481903252 // decimal weight of the result
	rscale, err := clampScale(16-int(val), max(int(a.Scale), int(b.Scale)))
	if err != nil {
		return types.NumericValue{}, err
	}
	return roundBig(expBig(lnNum), rscale)
}

func init() {
	num := types.Numeric
	ten := types.NumericFromInt64(10)
	register("ln", sig(types.NumericT, numericUnary(numericLn), num))
	register("exp", sig(types.NumericT, numericUnary(numericExp), num))
	register("log",
		sig(types.NumericT, numericUnary(func(v types.NumericValue) (types.NumericValue, error) { return numericLog(ten, v) }), num),
		sig(types.NumericT, numericArith(numericLog), num, num))
}
