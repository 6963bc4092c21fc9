package types

import (
	"strings"

	"github.com/runnel-db/runnel/exec/sqlerr"
)

// String is PostgreSQL's numeric output: the value with exactly Scale fractional digits
// ("1.50", "-0.001", "0").
func (v NumericValue) String() string {
	var buf [48]byte
	return string(v.appendText(buf[:0]))
}

// AppendNumeric appends PostgreSQL's text form of v to dst without allocating beyond dst's growth.
func AppendNumeric(dst []byte, v NumericValue) []byte { return v.appendText(dst) }

func (v NumericValue) appendText(dst []byte) []byte {
	m, neg := magnitude(v.Coef)
	if neg {
		dst = append(dst, '-')
	}
	scale := int(v.Scale)
	if scale <= 0 {
		return m.appendDecimal(dst, 1)
	}
	dst = m.appendDecimal(dst, scale+1)
	// insert the point before the last scale digits
	dst = append(dst, 0)
	p := len(dst) - 1 - scale
	copy(dst[p+1:], dst[p:len(dst)-1])
	dst[p] = '.'
	return dst
}

func errNumericSyntax(s string) error {
	return sqlerr.New(sqlerr.InvalidTextRepresentation, "invalid input syntax for type numeric: \"%s\"", s)
}

// ParseNumeric reads PostgreSQL numeric input: optional surrounding spaces, sign, digits with an
// optional point, an optional exponent ("1.5", ".5", "5.", "-1e3", "1.5E-3"). The display scale is
// the number of fractional digits after applying the exponent, never below zero. 22P02 on bad
// input; 22003 when the value needs more than 38 digits or a scale above 38; NaN and Infinity
// (valid in PostgreSQL) fail with 0A000.
func ParseNumeric(s string) (NumericValue, error) {
	v, ok, err := parseNumericBytes([]byte(s))
	if err != nil {
		return NumericValue{}, err
	}
	if !ok {
		t := strings.ToLower(strings.TrimSpace(s))
		switch strings.TrimLeft(t, "+-") {
		case "nan", "infinity", "inf":
			return NumericValue{}, sqlerr.NotSupported("numeric " + strings.TrimSpace(s))
		}
		return NumericValue{}, errNumericSyntax(s)
	}
	return v, nil
}

// decimalParts is a decomposed decimal literal: value = ±digits × 10^exp, digits without leading
// zeros ("" for zero), and the display scale PostgreSQL would give it.
type decimalParts struct {
	neg    bool
	digits []byte
	exp    int
	dscale int
}

// splitDecimal decomposes a numeric literal (no surrounding space handling beyond ASCII spaces).
// ok is false on a syntax error.
func splitDecimal(s []byte) (p decimalParts, ok bool) {
	i, n := 0, len(s)
	for i < n && isSpace(s[i]) {
		i++
	}
	for n > i && isSpace(s[n-1]) {
		n--
	}
	if i < n && (s[i] == '+' || s[i] == '-') {
		p.neg = s[i] == '-'
		i++
	}
	intStart := i
	for i < n && s[i] >= '0' && s[i] <= '9' {
		i++
	}
	intPart := s[intStart:i]
	var frac []byte
	if i < n && s[i] == '.' {
		i++
		fs := i
		for i < n && s[i] >= '0' && s[i] <= '9' {
			i++
		}
		frac = s[fs:i]
	}
	if len(intPart) == 0 && len(frac) == 0 {
		return p, false
	}
	exp := 0
	if i < n && (s[i] == 'e' || s[i] == 'E') {
		i++
		eneg := false
		if i < n && (s[i] == '+' || s[i] == '-') {
			eneg = s[i] == '-'
			i++
		}
		es := i
		for i < n && s[i] >= '0' && s[i] <= '9' {
			if exp < 100000 {
				exp = exp*10 + int(s[i]-'0')
			}
			i++
		}
		if i == es {
			return p, false
		}
		if eneg {
			exp = -exp
		}
	}
	if i != n {
		return p, false
	}
	// Display scale: fractional digits minus the exponent (PostgreSQL keeps trailing zeros).
	p.dscale = len(frac) - exp
	if p.dscale < 0 {
		p.dscale = 0
	}
	all := make([]byte, 0, len(intPart)+len(frac))
	all = append(all, intPart...)
	all = append(all, frac...)
	j := 0
	for j < len(all) && all[j] == '0' {
		j++
	}
	p.digits = all[j:]
	p.exp = exp - len(frac)
	if len(p.digits) == 0 {
		p.neg = false
	}
	return p, true
}

func isSpace(c byte) bool {
	return c == ' ' || c == '\t' || c == '\n' || c == '\r' || c == '\v' || c == '\f'
}

// parseNumericBytes parses s; ok false means a syntax error (err is then nil).
func parseNumericBytes(s []byte) (NumericValue, bool, error) {
	p, ok := splitDecimal(s)
	if !ok {
		return NumericValue{}, false, nil
	}
	v, err := p.toNumeric()
	return v, true, err
}

// toNumeric returns the parts as a NumericValue at their display scale.
func (p decimalParts) toNumeric() (NumericValue, error) {
	if p.dscale > MaxNumericScale {
		return NumericValue{}, errNumericOverflow()
	}
	// value = digits × 10^exp; coefficient at dscale = digits × 10^(exp+dscale)
	shift := p.exp + p.dscale
	digits := p.digits
	if shift < 0 {
		// dscale >= -exp by construction, so this is a bug, not bad input.
		return NumericValue{}, sqlerr.New(sqlerr.Internal, "numeric input: negative shift %d", shift)
	}
	if len(digits)+shift > maxNumericDigits && len(digits) > 0 {
		return NumericValue{}, errNumericOverflow()
	}
	var m u128
	for _, d := range digits {
		m, _ = m.mul64(10)
		m, _ = m.add(u128{0, uint64(d - '0')})
	}
	if len(digits) > 0 {
		m, _ = m.mulPow10(shift)
	}
	return NumericValue{Coef: toNum(m, p.neg), Scale: int8(p.dscale)}, nil
}

// appendText appends the parts in PostgreSQL's numeric output form (no 38-digit limit):
// used by JSONB, whose numbers are numerics of any size.
func (p decimalParts) appendText(dst []byte) []byte {
	if len(p.digits) == 0 {
		dst = append(dst, '0')
		if p.dscale > 0 {
			dst = append(dst, '.')
			for i := 0; i < p.dscale; i++ {
				dst = append(dst, '0')
			}
		}
		return dst
	}
	if p.neg {
		dst = append(dst, '-')
	}
	// integer digits: len(digits)+exp
	intDigits := len(p.digits) + p.exp
	if intDigits <= 0 {
		dst = append(dst, '0')
	} else {
		for i := 0; i < intDigits; i++ {
			if i < len(p.digits) {
				dst = append(dst, p.digits[i])
			} else {
				dst = append(dst, '0')
			}
		}
	}
	if p.dscale > 0 {
		dst = append(dst, '.')
		for k := 0; k < p.dscale; k++ {
			i := intDigits + k // index into digits
			if i >= 0 && i < len(p.digits) {
				dst = append(dst, p.digits[i])
			} else {
				dst = append(dst, '0')
			}
		}
	}
	return dst
}
