package types

import (
	"encoding/binary"
	"math"
	"strconv"

	"github.com/apache/arrow-go/v18/arrow/array"
	"github.com/apache/arrow-go/v18/arrow/decimal128"
	"github.com/runnel-db/runnel/exec/sqlerr"
)

// NUMERIC values keep at most 38 significant digits (|Coef| < 10^38) and a display scale of
// 0..MaxNumericScale. Results that do not fit fail with 22003 "value overflows numeric format"
// rather than being rounded, so every result that is returned is exactly PostgreSQL's.

func errNumericOverflow() error {
	return sqlerr.New(sqlerr.NumericValueOutOfRange, "value overflows numeric format")
}

// NumericAt returns value i of a NUMERIC array (FixedSizeBinary(17)); the slot must be non-null.
func NumericAt(a *array.FixedSizeBinary, i int) NumericValue {
	b := a.Value(i)
	lo := binary.LittleEndian.Uint64(b[0:8])
	hi := binary.LittleEndian.Uint64(b[8:16])
	return NumericValue{Coef: decimal128.New(int64(hi), lo), Scale: int8(b[16])}
}

// Put writes v in the NUMERIC Arrow layout (lo uint64 LE, hi int64 LE, scale byte) into
// dst[:NumericWidth].
func (v NumericValue) Put(dst []byte) {
	_ = dst[NumericWidth-1]
	binary.LittleEndian.PutUint64(dst[0:8], v.Coef.LowBits())
	binary.LittleEndian.PutUint64(dst[8:16], uint64(v.Coef.HighBits()))
	dst[16] = byte(v.Scale)
}

// NumericFromInt64 returns x as a NUMERIC of scale 0.
func NumericFromInt64(x int64) NumericValue {
	return NumericValue{Coef: decimal128.FromI64(x)}
}

// NumericFromFloat64 converts f as PostgreSQL's float8 → numeric cast does: the value printed with
// 15 significant digits (DBL_DIG), trailing zeros dropped, so 0.1 → 0.1 and 1/3 → 0.333333333333333.
// NaN and ±Infinity fail with 0A000 (Runnel's NUMERIC has no special values).
func NumericFromFloat64(f float64) (NumericValue, error) {
	return numericFromFloat(f, 15, 64)
}

// NumericFromFloat32 converts f as PostgreSQL's float4 → numeric cast does (6 significant digits).
func NumericFromFloat32(f float32) (NumericValue, error) {
	return numericFromFloat(float64(f), 6, 32)
}

func numericFromFloat(f float64, digits, bitSize int) (NumericValue, error) {
	if math.IsNaN(f) {
		return NumericValue{}, sqlerr.New(sqlerr.FeatureNotSupported, "cannot convert NaN to numeric")
	}
	if math.IsInf(f, 0) {
		return NumericValue{}, sqlerr.New(sqlerr.FeatureNotSupported, "cannot convert infinity to numeric")
	}
	var buf [32]byte
	s := strconv.AppendFloat(buf[:0], f, 'g', digits, bitSize)
	v, ok, err := parseNumericBytes(s)
	if err != nil {
		return NumericValue{}, err
	}
	if !ok {
		return NumericValue{}, sqlerr.New(sqlerr.Internal, "float to numeric: cannot parse %q", s)
	}
	return v, nil
}

// Int64 rounds v to an integer (half away from zero) and returns it; 22003 "bigint out of range"
// if it does not fit.
func (v NumericValue) Int64() (int64, error) {
	m, neg := magnitude(v.Coef)
	m = m.roundPow10(int(v.Scale))
	if m.hi != 0 || (m.lo > math.MaxInt64 && !(neg && m.lo == 1<<63)) {
		return 0, sqlerr.New(sqlerr.NumericValueOutOfRange, "bigint out of range")
	}
	if neg {
		return -int64(m.lo), nil
	}
	return int64(m.lo), nil
}

var pow10f = [...]float64{1e0, 1e1, 1e2, 1e3, 1e4, 1e5, 1e6, 1e7, 1e8, 1e9, 1e10, 1e11, 1e12, 1e13,
	1e14, 1e15, 1e16, 1e17, 1e18, 1e19, 1e20, 1e21, 1e22}

// Float64 returns the float64 nearest to v (correctly rounded, as PostgreSQL's numeric → float8).
func (v NumericValue) Float64() float64 {
	m, neg := magnitude(v.Coef)
	if m.hi != 0 || m.lo >= 1<<53 || int(v.Scale) >= len(pow10f) {
		var buf [48]byte
		f, _ := strconv.ParseFloat(string(v.appendText(buf[:0])), 64)
		return f
	}
	// Both operands are exact, so one IEEE division is correctly rounded.
	f := float64(m.lo) / pow10f[v.Scale]
	if neg {
		return -f
	}
	return f
}

// NumericCmp compares a and b by value (1.5 == 1.50): -1, 0 or +1.
func NumericCmp(a, b NumericValue) int {
	if a.Scale == b.Scale {
		return a.Coef.Cmp(b.Coef)
	}
	sa, sb := a.Coef.Sign(), b.Coef.Sign()
	if sa != sb {
		if sa < sb {
			return -1
		}
		return 1
	}
	if sa == 0 {
		return 0
	}
	ma, _ := magnitude(a.Coef)
	mb, _ := magnitude(b.Coef)
	var c int
	if a.Scale < b.Scale {
		up, ok := ma.mulPow10(int(b.Scale - a.Scale))
		if !ok {
			c = 1
		} else {
			c = up.cmp(mb)
		}
	} else {
		up, ok := mb.mulPow10(int(a.Scale - b.Scale))
		if !ok {
			c = -1
		} else {
			c = ma.cmp(up)
		}
	}
	return c * sa
}

// Neg returns -v with the same scale.
func (v NumericValue) Neg() NumericValue { return NumericValue{Coef: v.Coef.Negate(), Scale: v.Scale} }

// Abs returns |v| with the same scale.
func (v NumericValue) Abs() NumericValue { return NumericValue{Coef: v.Coef.Abs(), Scale: v.Scale} }

// Sign returns -1, 0 or +1.
func (v NumericValue) Sign() int { return v.Coef.Sign() }

// Normalize strips trailing fractional zeros, so that values equal under NumericCmp have equal
// Coef and Scale (1.50 → 1.5, 2.000 → 2, 0.00 → 0). Use it for hashing and grouping keys, not
// for output (output keeps the display scale).
func (v NumericValue) Normalize() NumericValue {
	if v.Scale == 0 {
		return v
	}
	m, neg := magnitude(v.Coef)
	if m.isZero() {
		return NumericValue{}
	}
	s := v.Scale
	for s > 0 {
		q, r := m.divmod64(10)
		if r != 0 {
			break
		}
		m = q
		s--
	}
	return NumericValue{Coef: toNum(m, neg), Scale: s}
}

// alignScales returns the magnitudes and signs of a and b at the common scale max(a, b).
func alignScales(a, b NumericValue) (ma, mb u128, na, nb bool, scale int8, err error) {
	ma, na = magnitude(a.Coef)
	mb, nb = magnitude(b.Coef)
	scale = a.Scale
	var ok bool
	switch {
	case a.Scale < b.Scale:
		scale = b.Scale
		if ma, ok = ma.mulPow10(int(b.Scale - a.Scale)); !ok {
			err = errNumericOverflow()
		}
	case a.Scale > b.Scale:
		if mb, ok = mb.mulPow10(int(a.Scale - b.Scale)); !ok {
			err = errNumericOverflow()
		}
	}
	return
}

// addSigned returns (ma,na) + (mb,nb) at one scale.
func addSigned(ma u128, na bool, mb u128, nb bool, scale int8) (NumericValue, error) {
	var m u128
	neg := na
	if na == nb {
		var carry bool
		m, carry = ma.add(mb)
		if carry || m.cmp(coefLimit) >= 0 {
			return NumericValue{}, errNumericOverflow()
		}
	} else if ma.cmp(mb) >= 0 {
		m = ma.sub(mb)
	} else {
		m = mb.sub(ma)
		neg = nb
	}
	return NumericValue{Coef: toNum(m, neg && !m.isZero()), Scale: scale}, nil
}

// NumericAdd returns a+b at scale max(a.Scale, b.Scale); 22003 on overflow.
func NumericAdd(a, b NumericValue) (NumericValue, error) {
	if a.Scale == b.Scale {
		// Fast path: both magnitudes are < 10^38 < 2^127, so the signed sum cannot wrap int128's
		// range by more than one sign flip; a flip or a result at or past ±10^38 is an overflow.
		c := a.Coef.Add(b.Coef)
		if coefInRange(c) && (a.Coef.Sign() != b.Coef.Sign() || c.Sign() == a.Coef.Sign() || c.Sign() == 0) {
			return NumericValue{Coef: c, Scale: a.Scale}, nil
		}
		return NumericValue{}, errNumericOverflow()
	}
	ma, mb, na, nb, scale, err := alignScales(a, b)
	if err != nil {
		return NumericValue{}, err
	}
	return addSigned(ma, na, mb, nb, scale)
}

// NumericSub returns a-b at scale max(a.Scale, b.Scale); 22003 on overflow.
func NumericSub(a, b NumericValue) (NumericValue, error) {
	return NumericAdd(a, b.Neg())
}

var (
	numMaxCoef = toNum(coefLimit, false)
	numMinCoef = toNum(coefLimit, true)
)

func coefInRange(c decimal128.Num) bool {
	return c.Less(numMaxCoef) && numMinCoef.Less(c)
}

// NumericMul returns a×b at scale a.Scale+b.Scale (PostgreSQL's rule); 22003 when the exact
// product needs more than 38 digits or a scale above 38.
func NumericMul(a, b NumericValue) (NumericValue, error) {
	ma, na := magnitude(a.Coef)
	mb, nb := magnitude(b.Coef)
	scale := int(a.Scale) + int(b.Scale)
	m, of := ma.mul(mb)
	if of || m.cmp(coefLimit) >= 0 {
		return NumericValue{}, errNumericOverflow()
	}
	if scale > MaxNumericScale {
		return NumericValue{}, errNumericOverflow()
	}
	return NumericValue{Coef: toNum(m, na != nb && !m.isZero()), Scale: int8(scale)}, nil
}
