package encoding

import (
	"encoding/binary"
	"math/bits"
	"strconv"
)

// Decimals are 128-bit two's-complement coefficients with a decimal scale: value = coef·10^-scale.
// The key encoding orders them by value, independent of scale:
//
//	negative: 0x01, ^uint16(E+32768), digit pairs as 254-p, 0xFF
//	zero:     0x02
//	positive: 0x03,  uint16(E+32768), digit pairs as p+1,   0x00
//
// where |value| = 0.d1d2…dn × 10^E with d1 ≠ 0 and dn ≠ 0 (trailing zeros stripped, so 1.5 and
// 1.50 encode identically), and the digits are packed two per byte (p = 10·d(2i-1) + d(2i), an odd
// count padded with a 0 digit). A larger exponent means a larger magnitude; at equal exponents the
// digit bytes compare like the digit strings, and the terminator sorts a shorter string first.
// Negative values invert every byte so that larger magnitudes sort first.
const (
	decimalNeg  byte = 0x01
	decimalZero byte = 0x02
	decimalPos  byte = 0x03

	maxDecimalDigits = 40 // 2^127 has 39 digits; one more for the odd-count padding
)

// EncodeDecimal appends the order-preserving encoding of (hi·2^64 + lo)·10^-scale.
func EncodeDecimal(dst []byte, lo uint64, hi int64, scale int8) []byte {
	if lo == 0 && hi == 0 {
		return append(dst, decimalZero)
	}
	neg := hi < 0
	mlo, mhi := lo, uint64(hi)
	if neg {
		var borrow uint64
		mlo, borrow = bits.Sub64(0, lo, 0)
		mhi, _ = bits.Sub64(0, uint64(hi), borrow)
	}
	var buf [maxDecimalDigits]byte
	digits := magnitudeDigits(buf[:0], mlo, mhi)
	exp := len(digits) - int(scale)
	for digits[len(digits)-1] == '0' {
		digits = digits[:len(digits)-1]
	}
	e := uint16(exp + 32768)
	if neg {
		dst = append(dst, decimalNeg)
		dst = binary.BigEndian.AppendUint16(dst, ^e)
	} else {
		dst = append(dst, decimalPos)
		dst = binary.BigEndian.AppendUint16(dst, e)
	}
	for i := 0; i < len(digits); i += 2 {
		p := (digits[i] - '0') * 10
		if i+1 < len(digits) {
			p += digits[i+1] - '0'
		}
		if neg {
			dst = append(dst, 254-p)
		} else {
			dst = append(dst, p+1)
		}
	}
	if neg {
		return append(dst, 0xff)
	}
	return append(dst, 0x00)
}

// magnitudeDigits appends the decimal digits of the unsigned 128-bit mhi·2^64 + mlo (nonzero,
// at most 2^127, so mhi < 10^19).
func magnitudeDigits(dst []byte, mlo, mhi uint64) []byte {
	const e19 = 10_000_000_000_000_000_000
	q, r := bits.Div64(mhi, mlo, e19)
	if q == 0 {
		return strconv.AppendUint(dst, r, 10)
	}
	dst = strconv.AppendUint(dst, q, 10)
	var tmp [20]byte
	low := strconv.AppendUint(tmp[:0], r, 10)
	for i := len(low); i < 19; i++ {
		dst = append(dst, '0')
	}
	dst = append(dst, low...)
	return dst
}

// DecodeDecimal decodes EncodeDecimal into the canonical representative: the smallest scale >= 0
// that represents the value exactly (1.50 comes back as coefficient 15, scale 1; 100 as 100, 0).
func DecodeDecimal(b []byte) (rest []byte, lo uint64, hi int64, scale int8, err error) {
	if len(b) == 0 {
		return nil, 0, 0, 0, corrupt("missing decimal", b)
	}
	tag := b[0]
	if tag == decimalZero {
		return b[1:], 0, 0, 0, nil
	}
	if (tag != decimalNeg && tag != decimalPos) || len(b) < 3 {
		return nil, 0, 0, 0, corrupt("bad decimal", b)
	}
	neg := tag == decimalNeg
	e := binary.BigEndian.Uint16(b[1:])
	if neg {
		e = ^e
	}
	exp := int(e) - 32768
	term := byte(0x00)
	if neg {
		term = 0xff
	}
	var mlo, mhi uint64
	ndigits := 0
	i := 3
	for ; ; i++ {
		if i >= len(b) {
			return nil, 0, 0, 0, corrupt("unterminated decimal", b)
		}
		c := b[i]
		if c == term {
			break
		}
		if neg {
			c = 254 - c
		} else {
			c--
		}
		if c > 99 || ndigits+2 > maxDecimalDigits {
			return nil, 0, 0, 0, corrupt("bad decimal digits", b)
		}
		m, a, n := uint64(100), uint64(c), 2
		if c%10 == 0 && i+1 < len(b) && b[i+1] == term { // padding digit of an odd count
			m, a, n = 10, uint64(c/10), 1
		}
		var ok bool
		if mlo, mhi, ok = mulAdd128(mlo, mhi, m, a); !ok {
			return nil, 0, 0, 0, corrupt("decimal overflow", b)
		}
		ndigits += n
	}
	if ndigits == 0 {
		return nil, 0, 0, 0, corrupt("decimal without digits", b)
	}
	s := ndigits - exp
	for ; s < 0; s++ {
		var ok bool
		if mlo, mhi, ok = mulAdd128(mlo, mhi, 10, 0); !ok {
			return nil, 0, 0, 0, corrupt("decimal overflow", b)
		}
	}
	if s > 127 {
		return nil, 0, 0, 0, corrupt("decimal scale out of range", b)
	}
	if mhi > 1<<63 || (mhi == 1<<63 && (mlo != 0 || !neg)) {
		return nil, 0, 0, 0, corrupt("decimal overflow", b)
	}
	if neg {
		var borrow uint64
		mlo, borrow = bits.Sub64(0, mlo, 0)
		mhi, _ = bits.Sub64(0, mhi, borrow)
	}
	return b[i+1:], mlo, int64(mhi), int8(s), nil
}

// mulAdd128 returns (hi·2^64 + lo)·m + a as an unsigned 128-bit number, ok false on overflow.
func mulAdd128(lo, hi, m, a uint64) (nlo, nhi uint64, ok bool) {
	carry, nlo := bits.Mul64(lo, m)
	ovf, nhi := bits.Mul64(hi, m)
	if ovf != 0 {
		return 0, 0, false
	}
	var c uint64
	nhi, c = bits.Add64(nhi, carry, 0)
	if c != 0 {
		return 0, 0, false
	}
	nlo, c = bits.Add64(nlo, a, 0)
	nhi, c = bits.Add64(nhi, 0, c)
	return nlo, nhi, c == 0
}
