package types

import (
	"math/bits"

	"github.com/apache/arrow-go/v18/arrow/decimal128"
)

// u128 is an unsigned 128-bit magnitude: NUMERIC arithmetic works on magnitudes and signs so that
// overflow is detected exactly and nothing allocates.
type u128 struct{ hi, lo uint64 }

// maxNumericDigits is the number of significant decimal digits a NUMERIC coefficient may hold.
const maxNumericDigits = 38

// pow10u holds 10^0 .. 10^38 as u128.
var pow10u = func() [maxNumericDigits + 1]u128 {
	var t [maxNumericDigits + 1]u128
	t[0] = u128{0, 1}
	for i := 1; i <= maxNumericDigits; i++ {
		t[i], _ = t[i-1].mul64(10)
	}
	return t
}()

// coefLimit is 10^38: every coefficient magnitude is strictly below it.
var coefLimit = pow10u[maxNumericDigits]

func magnitude(n decimal128.Num) (u128, bool) {
	hi, lo := uint64(n.HighBits()), n.LowBits()
	if int64(hi) < 0 {
		lo = ^lo + 1
		hi = ^hi
		if lo == 0 {
			hi++
		}
		return u128{hi, lo}, true
	}
	return u128{hi, lo}, false
}

// toNum turns a magnitude (< 2^127) and a sign into a two's-complement Num.
func toNum(u u128, neg bool) decimal128.Num {
	n := decimal128.New(int64(u.hi), u.lo)
	if neg {
		return n.Negate()
	}
	return n
}

func (a u128) isZero() bool { return a.hi == 0 && a.lo == 0 }

func (a u128) cmp(b u128) int {
	switch {
	case a.hi < b.hi:
		return -1
	case a.hi > b.hi:
		return 1
	case a.lo < b.lo:
		return -1
	case a.lo > b.lo:
		return 1
	}
	return 0
}

func (a u128) add(b u128) (u128, bool) {
	lo, c := bits.Add64(a.lo, b.lo, 0)
	hi, c2 := bits.Add64(a.hi, b.hi, c)
	return u128{hi, lo}, c2 != 0
}

// sub returns a-b; a must be >= b.
func (a u128) sub(b u128) u128 {
	lo, br := bits.Sub64(a.lo, b.lo, 0)
	hi, _ := bits.Sub64(a.hi, b.hi, br)
	return u128{hi, lo}
}

func (a u128) mul64(m uint64) (u128, bool) {
	h1, lo := bits.Mul64(a.lo, m)
	h2, l2 := bits.Mul64(a.hi, m)
	hi, c := bits.Add64(h1, l2, 0)
	return u128{hi, lo}, h2 != 0 || c != 0
}

func (a u128) mul(b u128) (u128, bool) {
	if a.hi != 0 && b.hi != 0 {
		return u128{}, true
	}
	if a.hi == 0 {
		return b.mul64(a.lo)
	}
	return a.mul64(b.lo)
}

// divmod64 returns a/d and a%d for d != 0.
func (a u128) divmod64(d uint64) (u128, uint64) {
	qhi := a.hi / d
	r := a.hi % d
	qlo, r := bits.Div64(r, a.lo, d)
	return u128{qhi, qlo}, r
}

// mulPow10 returns a×10^k and whether it stays below 10^38.
func (a u128) mulPow10(k int) (u128, bool) {
	if k > maxNumericDigits {
		return u128{}, a.isZero()
	}
	r, of := a.mul(pow10u[k])
	return r, !of && r.cmp(coefLimit) < 0
}

// divPow10 returns a/10^k truncated and the remainder, for 0 <= k <= 38.
func (a u128) divPow10(k int) (q, r u128) {
	if k == 0 {
		return a, u128{}
	}
	if k <= 19 {
		q, rem := a.divmod64(pow10u[k].lo)
		return q, u128{0, rem}
	}
	q1, r1 := a.divmod64(pow10u[19].lo)
	q2, r2 := q1.divmod64(pow10u[k-19].lo)
	// a = (q2×10^(k-19) + r2)×10^19 + r1
	rem, _ := u128{0, r2}.mul64(pow10u[19].lo)
	rem, _ = rem.add(u128{0, r1})
	return q2, rem
}

// roundPow10 divides a by 10^k rounding half away from zero (on the magnitude).
func (a u128) roundPow10(k int) u128 {
	if k == 0 {
		return a
	}
	if k > maxNumericDigits {
		// Coefficients are below 10^38 < 10^k/2: the quotient rounds to 0.
		return u128{}
	}
	q, r := a.divPow10(k)
	half := pow10u[k].half()
	if r.cmp(half) >= 0 {
		q, _ = q.add(u128{0, 1})
	}
	return q
}

func (a u128) half() u128 { return u128{a.hi >> 1, a.lo>>1 | a.hi<<63} }

// numDigits is the number of decimal digits of a (0 for zero).
func (a u128) numDigits() int {
	n := 0
	for n <= maxNumericDigits && a.cmp(pow10u[n]) >= 0 {
		n++
	}
	if n > maxNumericDigits {
		return maxNumericDigits + 1
	}
	return n
}

// appendDecimal appends the decimal digits of a, left-padded with zeros to at least minDigits.
func (a u128) appendDecimal(dst []byte, minDigits int) []byte {
	var buf [40]byte
	i := len(buf)
	for a.hi != 0 {
		var r uint64
		a, r = a.divmod64(1e19)
		for j := 0; j < 19; j++ {
			i--
			buf[i] = byte('0' + r%10)
			r /= 10
		}
	}
	lo := a.lo
	for lo != 0 {
		i--
		buf[i] = byte('0' + lo%10)
		lo /= 10
	}
	// strip zeros that came from the 19-digit groups
	for i < len(buf) && buf[i] == '0' {
		i++
	}
	for n := len(buf) - i; n < minDigits; n++ {
		dst = append(dst, '0')
	}
	return append(dst, buf[i:]...)
}
