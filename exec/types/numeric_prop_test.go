package types

import (
	"math/big"
	"math/rand"
	"testing"

	"github.com/runnel-db/runnel/exec/sqlerr"
)

// ratOf is the exact value of v.
func ratOf(v NumericValue) *big.Rat {
	m, neg := magnitude(v.Coef)
	n := m.big()
	if neg {
		n.Neg(n)
	}
	d := new(big.Int).Exp(big.NewInt(10), big.NewInt(int64(v.Scale)), nil)
	return new(big.Rat).SetFrac(n, d)
}

// fitsAt reports whether r is exactly representable at scale s within 38 digits, and its value.
func fitsAt(r *big.Rat, s int) (string, bool) {
	scaled := new(big.Rat).Mul(r, new(big.Rat).SetInt(new(big.Int).Exp(big.NewInt(10), big.NewInt(int64(s)), nil)))
	if !scaled.IsInt() {
		return "", false
	}
	if new(big.Int).Abs(scaled.Num()).Cmp(new(big.Int).Exp(big.NewInt(10), big.NewInt(38), nil)) >= 0 {
		return "", false
	}
	return scaled.Num().String(), true
}

func randNumeric(r *rand.Rand) NumericValue {
	digits := 1 + r.Intn(37)
	var m u128
	for i := 0; i < digits; i++ {
		m, _ = m.mul64(10)
		m, _ = m.add(u128{0, uint64(r.Intn(10))})
	}
	scale := r.Intn(min(digits+3, 39))
	return NumericValue{Coef: toNum(m, r.Intn(2) == 0 && !m.isZero()), Scale: int8(scale)}
}

// TestNumericArithmeticExact checks add, sub, mul, mod and div on random operands against exact
// rational arithmetic: a result is either exact (div: correctly rounded half away from zero at
// PostgreSQL's scale) or a 22003 error when it does not fit in 38 digits.
func TestNumericArithmeticExact(t *testing.T) {
	r := rand.New(rand.NewSource(7))
	for i := 0; i < 20000; i++ {
		a, b := randNumeric(r), randNumeric(r)
		if r.Intn(4) == 0 { // small values exercise the fast paths
			a = NumericValue{Coef: NumericFromInt64(r.Int63n(2000) - 1000).Coef, Scale: int8(r.Intn(4))}
		}
		ra, rb := ratOf(a), ratOf(b)
		check := func(op string, got NumericValue, err error, exact *big.Rat, scale int) {
			t.Helper()
			want, ok := fitsAt(exact, scale)
			if !ok || scale > MaxNumericScale {
				if sqlerr.Code(err) != sqlerr.NumericValueOutOfRange {
					t.Fatalf("%s %s %s: got %s, %v; want overflow", a, op, b, got, err)
				}
				return
			}
			if err != nil {
				t.Fatalf("%s %s %s: %v", a, op, b, err)
			}
			m, neg := magnitude(got.Coef)
			gs := m.big()
			if neg {
				gs.Neg(gs)
			}
			if int(got.Scale) != scale || gs.String() != want {
				t.Fatalf("%s %s %s = %s (scale %d), want coef %s scale %d", a, op, b, got, got.Scale, want, scale)
			}
		}
		s := max(int(a.Scale), int(b.Scale))
		got, err := NumericAdd(a, b)
		check("+", got, err, new(big.Rat).Add(ra, rb), s)
		got, err = NumericSub(a, b)
		check("-", got, err, new(big.Rat).Sub(ra, rb), s)
		got, err = NumericMul(a, b)
		check("*", got, err, new(big.Rat).Mul(ra, rb), int(a.Scale)+int(b.Scale))
		if b.Sign() == 0 {
			continue
		}
		// mod: a - trunc(a/b)*b
		q := new(big.Int).Quo(new(big.Rat).Quo(ra, rb).Num(), new(big.Rat).Quo(ra, rb).Denom())
		mod := new(big.Rat).Sub(ra, new(big.Rat).Mul(new(big.Rat).SetInt(q), rb))
		got, err = NumericMod(a, b)
		check("%", got, err, mod, s)
		// div: round(a/b, rscale) half away from zero
		ma, _ := magnitude(a.Coef)
		mb, _ := magnitude(b.Coef)
		rs := divScale(ma, int(a.Scale), mb, int(b.Scale))
		exact := new(big.Rat).Quo(ra, rb)
		scaled := new(big.Rat).Mul(exact, new(big.Rat).SetInt(new(big.Int).Exp(big.NewInt(10), big.NewInt(int64(rs)), nil)))
		half := big.NewRat(1, 2)
		if scaled.Sign() < 0 {
			scaled.Sub(scaled, half)
		} else {
			scaled.Add(scaled, half)
		}
		qi := new(big.Int).Quo(scaled.Num(), scaled.Denom())
		rounded := new(big.Rat).SetFrac(qi, new(big.Int).Exp(big.NewInt(10), big.NewInt(int64(rs)), nil))
		got, err = NumericDiv(a, b)
		check("/", got, err, rounded, rs)
	}
}

func TestNumericTextRoundTrip(t *testing.T) {
	r := rand.New(rand.NewSource(3))
	for i := 0; i < 5000; i++ {
		v := randNumeric(r)
		s := v.String()
		back, err := ParseNumeric(s)
		if err != nil || back != v {
			t.Fatalf("%v → %q → %v, %v", v, s, back, err)
		}
		if want := ratOf(v).FloatString(int(v.Scale)); s != want && !(want[0] == '-' && ratOf(v).Sign() == 0) {
			t.Fatalf("String(%v) = %s, want %s", v, s, want)
		}
	}
}

func TestNumericRandomMatchesPostgres(t *testing.T) {
	ops := []func(a, b NumericValue) (NumericValue, error){NumericAdd, NumericSub, NumericMul, NumericDiv, NumericMod}
	names := []string{"+", "-", "*", "/", "%"}
	for _, c := range pgNumericRandomCases {
		a, b := mustNumeric(t, c[0]), mustNumeric(t, c[1])
		for k, op := range ops {
			got, err := op(a, b)
			want := c[2+k]
			if significantDigits(want) > maxNumericDigits && sqlerr.Code(err) == sqlerr.NumericValueOutOfRange {
				continue // beyond 38 digits: Runnel must fail rather than round
			}
			checkNumeric(t, c[0]+" "+names[k]+" "+c[1], got, err, want, "")
		}
	}
}

// significantDigits counts the coefficient digits of a decimal text (leading zeros excluded).
func significantDigits(s string) int {
	n, lead := 0, true
	for _, c := range s {
		if c < '0' || c > '9' || (lead && c == '0') {
			continue
		}
		lead = false
		n++
	}
	return n
}
