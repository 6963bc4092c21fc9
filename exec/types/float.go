package types

import (
	"errors"
	"math"
	"strconv"
	"strings"

	"github.com/runnel-db/runnel/exec/sqlerr"
)

// AppendFloat64 appends PostgreSQL's float8out text of f with extra_float_digits=1 (the default
// since PostgreSQL 12): the shortest digits that round-trip, fixed notation for decimal exponents
// -4..14 and scientific otherwise ("0.1", "1e+20", "1e-05", "-0", "Infinity", "NaN").
func AppendFloat64(dst []byte, f float64) []byte {
	return appendFloat(dst, f, 64, 15)
}

// AppendFloat32 appends PostgreSQL's float4out text of f: shortest round-trip digits, fixed
// notation for decimal exponents -4..5 ("123456.7", "1.234567e+06").
func AppendFloat32(dst []byte, f float32) []byte {
	return appendFloat(dst, float64(f), 32, 6)
}

func appendFloat(dst []byte, f float64, bitSize, maxFixedExp int) []byte {
	switch {
	case math.IsNaN(f):
		return append(dst, "NaN"...)
	case math.IsInf(f, 1):
		return append(dst, "Infinity"...)
	case math.IsInf(f, -1):
		return append(dst, "-Infinity"...)
	case f == 0:
		if math.Signbit(f) {
			return append(dst, "-0"...)
		}
		return append(dst, '0')
	}
	var buf [32]byte
	e := strconv.AppendFloat(buf[:0], f, 'e', -1, bitSize)
	// e is "[-]d[.ddd]e±XX"
	exp := 0
	k := len(e) - 1
	mul := 1
	for e[k] >= '0' && e[k] <= '9' {
		exp += int(e[k]-'0') * mul
		mul *= 10
		k--
	}
	if e[k] == '-' {
		exp = -exp
	}
	if exp < -4 || exp >= maxFixedExp {
		return append(dst, e...)
	}
	// Fixed notation from the same shortest digits: no second conversion.
	mant := e[:k-1] // without "e±"
	if mant[0] == '-' {
		dst = append(dst, '-')
		mant = mant[1:]
	}
	var digits [24]byte
	nd := 0
	for _, c := range mant {
		if c != '.' {
			digits[nd] = c
			nd++
		}
	}
	if exp < 0 {
		dst = append(dst, '0', '.')
		for i := -1; i > exp; i-- {
			dst = append(dst, '0')
		}
		return append(dst, digits[:nd]...)
	}
	for i := 0; i <= exp; i++ {
		if i < nd {
			dst = append(dst, digits[i])
		} else {
			dst = append(dst, '0')
		}
	}
	if nd > exp+1 {
		dst = append(dst, '.')
		dst = append(dst, digits[exp+1:nd]...)
	}
	return dst
}

// parseFloatText implements float8in/float4in: surrounding spaces, NaN, [+-]Infinity/inf, and
// decimal literals; 22P02 on bad syntax, 22003 when the value overflows or underflows.
func parseFloatText(s string, bitSize int) (float64, error) {
	name := "double precision"
	if bitSize == 32 {
		name = "real"
	}
	t := strings.TrimSpace(s)
	if t == "" || strings.ContainsAny(t, "_xXpP") {
		return 0, sqlerr.New(sqlerr.InvalidTextRepresentation, "invalid input syntax for type %s: \"%s\"", name, s)
	}
	f, err := strconv.ParseFloat(t, bitSize)
	if err != nil {
		if errors.Is(err, strconv.ErrRange) {
			return 0, sqlerr.New(sqlerr.NumericValueOutOfRange, "\"%s\" is out of range for type %s", t, name)
		}
		return 0, sqlerr.New(sqlerr.InvalidTextRepresentation, "invalid input syntax for type %s: \"%s\"", name, s)
	}
	if f == 0 && !isZeroLiteral(t) {
		// strtod reports underflow to zero as ERANGE, and PostgreSQL rejects it.
		return 0, sqlerr.New(sqlerr.NumericValueOutOfRange, "\"%s\" is out of range for type %s", t, name)
	}
	return f, nil
}

// isZeroLiteral reports whether a decimal literal's digits are all zero.
func isZeroLiteral(t string) bool {
	for i := 0; i < len(t); i++ {
		c := t[i]
		if c == 'e' || c == 'E' {
			return true
		}
		if c >= '1' && c <= '9' {
			return false
		}
	}
	return true
}

// AppendFloatDigits appends float8out's (bitSize 64) or float4out's (32) text of f for a session
// whose extra_float_digits is extra. Above zero that is the shortest round-trip form (AppendFloat64,
// AppendFloat32); otherwise PostgreSQL prints %.*g with DBL_DIG (15) or FLT_DIG (6) plus extra
// significant digits, at least one: extra_float_digits = 0 shows 0.1 + 0.2 as "0.3".
func AppendFloatDigits(dst []byte, f float64, bitSize, extra int) []byte {
	if extra > 0 || math.IsNaN(f) || math.IsInf(f, 0) {
		if bitSize == 32 {
			return AppendFloat32(dst, float32(f))
		}
		return AppendFloat64(dst, f)
	}
	digits := 15
	if bitSize == 32 {
		digits = 6
	}
	return strconv.AppendFloat(dst, f, 'g', max(digits+extra, 1), bitSize)
}
