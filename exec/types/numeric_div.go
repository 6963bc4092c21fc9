package types

import (
	"encoding/binary"
	"math/big"

	"github.com/runnel-db/runnel/exec/sqlerr"
)

func errDivisionByZero() error { return sqlerr.New(sqlerr.DivisionByZero, "division by zero") }

// nbaseLead returns PostgreSQL's view of a non-negative magnitude m at scale s as base-10000 digits:
// the weight of the first non-zero NBASE digit and that digit (0, 0 for zero). PostgreSQL stores
// numerics in base 10000 aligned on the decimal point, and select_div_scale reads these two.
func nbaseLead(m u128, s int) (weight, first int) {
	if m.isZero() {
		return 0, 0
	}
	nd := m.numDigits()
	e := nd - 1 - s // decimal exponent of the leading digit
	weight = floorDiv(e, 4)
	lead := e - 4*weight + 1 // decimal digits in the first NBASE digit: 1..4
	if nd >= lead {
		q, _ := m.divPow10(nd - lead)
		return weight, int(q.lo)
	}
	q, _ := m.mulPow10(lead - nd)
	return weight, int(q.lo)
}

func floorDiv(a, b int) int {
	q := a / b
	if (a%b != 0) && ((a < 0) != (b < 0)) {
		q--
	}
	return q
}

// divScale is PostgreSQL's select_div_scale: enough digits for at least 16 significant digits in
// the quotient, and never fewer than either input's display scale.
func divScale(ma u128, sa int, mb u128, sb int) int {
	w1, f1 := nbaseLead(ma, sa)
	w2, f2 := nbaseLead(mb, sb)
	qweight := w1 - w2
	if f1 <= f2 {
		qweight--
	}
	rscale := 16 - qweight*4
	rscale = max(rscale, sa, sb, 0)
	return min(rscale, 1000)
}

// NumericDiv returns a/b rounded half away from zero at PostgreSQL's select_div_scale scale
// (1/3 → 0.33333333333333333333, 10/4 → 2.5000000000000000); 22012 when b is zero; 22003 when
// the quotient needs more than 38 digits or a scale above 38.
func NumericDiv(a, b NumericValue) (NumericValue, error) {
	ma, na := magnitude(a.Coef)
	mb, nb := magnitude(b.Coef)
	if mb.isZero() {
		return NumericValue{}, errDivisionByZero()
	}
	rscale := divScale(ma, int(a.Scale), mb, int(b.Scale))
	if rscale > MaxNumericScale {
		return NumericValue{}, errNumericOverflow()
	}
	if ma.isZero() {
		return NumericValue{Scale: int8(rscale)}, nil
	}
	// a/b × 10^rscale = ma × 10^k / mb with k = rscale - sa + sb.
	k := rscale - int(a.Scale) + int(b.Scale)
	var q u128
	var ok bool
	if k >= 0 && mb.hi == 0 {
		q, ok = divRoundFast(ma, k, mb.lo)
	}
	if !ok {
		q, ok = divRoundBig(ma, mb, k)
		if !ok {
			return NumericValue{}, errNumericOverflow()
		}
	}
	if q.cmp(coefLimit) >= 0 {
		return NumericValue{}, errNumericOverflow()
	}
	return NumericValue{Coef: toNum(q, na != nb && !q.isZero()), Scale: int8(rscale)}, nil
}

// divRoundFast computes round(m×10^k / d) when m×10^k fits in 128 bits.
func divRoundFast(m u128, k int, d uint64) (u128, bool) {
	if k > maxNumericDigits {
		return u128{}, false
	}
	n, of := m.mul(pow10u[k])
	if of {
		return u128{}, false
	}
	q, r := n.divmod64(d)
	if r >= d-r { // 2r >= d without overflow
		q, _ = q.add(u128{0, 1})
	}
	return q, true
}

func (a u128) big() *big.Int {
	b := new(big.Int).SetUint64(a.hi)
	b.Lsh(b, 64)
	return b.Or(b, new(big.Int).SetUint64(a.lo))
}

// divRoundBig computes round(ma×10^k / mb) (k may be negative); ok false if it does not fit.
func divRoundBig(ma, mb u128, k int) (u128, bool) {
	num, den := ma.big(), mb.big()
	ten := big.NewInt(10)
	if k >= 0 {
		num.Mul(num, new(big.Int).Exp(ten, big.NewInt(int64(k)), nil))
	} else {
		den.Mul(den, new(big.Int).Exp(ten, big.NewInt(int64(-k)), nil))
	}
	q, r := new(big.Int).QuoRem(num, den, new(big.Int))
	if r.Lsh(r, 1).Cmp(den) >= 0 {
		q.Add(q, big.NewInt(1))
	}
	return u128FromBig(q)
}

// NumericMod returns a - trunc(a/b)×b (the sign of a) at scale max(a.Scale, b.Scale), as
// PostgreSQL's numeric %; 22012 when b is zero.
func NumericMod(a, b NumericValue) (NumericValue, error) {
	if b.Coef.Sign() == 0 {
		return NumericValue{}, errDivisionByZero()
	}
	ma, mb, na, _, scale, err := alignScales(a, b)
	var r u128
	switch {
	case err != nil:
		// An operand does not fit at the common scale: compute exactly with big integers.
		ma, _ = magnitude(a.Coef)
		mb, _ = magnitude(b.Coef)
		scale = max(a.Scale, b.Scale)
		ten := big.NewInt(10)
		x := ma.big()
		x.Mul(x, new(big.Int).Exp(ten, big.NewInt(int64(scale-a.Scale)), nil))
		y := mb.big()
		y.Mul(y, new(big.Int).Exp(ten, big.NewInt(int64(scale-b.Scale)), nil))
		var ok bool
		if r, ok = u128FromBig(x.Rem(x, y)); !ok || r.cmp(coefLimit) >= 0 {
			return NumericValue{}, errNumericOverflow()
		}
	case mb.hi == 0:
		_, rem := ma.divmod64(mb.lo)
		r = u128{0, rem}
	default:
		r, _ = u128FromBig(new(big.Int).Rem(ma.big(), mb.big()))
	}
	return NumericValue{Coef: toNum(r, na && !r.isZero()), Scale: scale}, nil
}

// u128FromBig converts a non-negative big integer below 2^127.
func u128FromBig(x *big.Int) (u128, bool) {
	if x.Sign() < 0 || x.BitLen() > 127 {
		return u128{}, false
	}
	var buf [16]byte
	x.FillBytes(buf[:])
	return u128{binary.BigEndian.Uint64(buf[:8]), binary.BigEndian.Uint64(buf[8:])}, true
}
