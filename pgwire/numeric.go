package pgwire

import (
	"encoding/binary"
	"strconv"

	"github.com/runnel-db/runnel/exec/sqlerr"
	"github.com/runnel-db/runnel/exec/types"
)

// PostgreSQL's binary NUMERIC (numeric_send/numeric_recv): int16 ndigits, int16 weight,
// uint16 sign, int16 dscale, then ndigits base-10000 digits (int16 each), most significant first.
// The value is Σ digit[k] × 10000^(weight−k); dscale is the display scale. Leading and trailing
// zero digits are not sent; zero has no digits.
const (
	numericPos  = 0x0000
	numericNeg  = 0x4000
	numericNaN  = 0xC000
	numericPInf = 0xD000
	numericNInf = 0xF000
)

// appendNumericBinary appends v in PostgreSQL's binary NUMERIC format. It goes through the text
// form so both formats always agree.
func appendNumericBinary(dst []byte, v types.NumericValue) []byte {
	var tb [48]byte
	s := types.AppendNumeric(tb[:0], v)
	sign := uint16(numericPos)
	if len(s) > 0 && s[0] == '-' {
		sign = numericNeg
		s = s[1:]
	}
	ip, fp := s, s[:0]
	for k, c := range s {
		if c == '.' {
			ip, fp = s[:k], s[k+1:]
			break
		}
	}
	for len(ip) > 0 && ip[0] == '0' {
		ip = ip[1:]
	}
	// Pad the integer part on the left and the fraction on the right to whole groups.
	var pb [96]byte
	p := pb[:0]
	for range (4 - len(ip)%4) % 4 {
		p = append(p, '0')
	}
	p = append(p, ip...)
	weight := len(p)/4 - 1
	p = append(p, fp...)
	for range (4 - len(fp)%4) % 4 {
		p = append(p, '0')
	}
	var groups [24]uint16
	n := 0
	for k := 0; k+4 <= len(p); k += 4 {
		groups[n] = uint16(p[k]-'0')*1000 + uint16(p[k+1]-'0')*100 + uint16(p[k+2]-'0')*10 + uint16(p[k+3]-'0')
		n++
	}
	g := groups[:n]
	for len(g) > 0 && g[0] == 0 {
		g = g[1:]
		weight--
	}
	for len(g) > 0 && g[len(g)-1] == 0 {
		g = g[:len(g)-1]
	}
	if len(g) == 0 {
		weight, sign = 0, numericPos
	}
	dst = binary.BigEndian.AppendUint16(dst, uint16(len(g)))
	dst = binary.BigEndian.AppendUint16(dst, uint16(int16(weight)))
	dst = binary.BigEndian.AppendUint16(dst, sign)
	dst = binary.BigEndian.AppendUint16(dst, uint16(len(fp)))
	for _, d := range g {
		dst = binary.BigEndian.AppendUint16(dst, d)
	}
	return dst
}

// decodeNumericBinary parses PostgreSQL's binary NUMERIC into a NumericValue with the sent
// display scale. Digits beyond dscale are truncated, as numeric_recv does.
func decodeNumericBinary(b []byte) (types.NumericValue, error) {
	if len(b) < 8 {
		return types.NumericValue{}, errInsufficientData()
	}
	ndigits := int(int16(binary.BigEndian.Uint16(b[0:])))
	weight := int(int16(binary.BigEndian.Uint16(b[2:])))
	sign := binary.BigEndian.Uint16(b[4:])
	dscale := int(int16(binary.BigEndian.Uint16(b[6:])))
	b = b[8:]
	switch sign {
	case numericPos, numericNeg:
	case numericNaN, numericPInf, numericNInf:
		return types.NumericValue{}, sqlerr.NotSupported("numeric NaN and infinity")
	default:
		return types.NumericValue{}, sqlerr.New(codeInvalidBinaryRepresentation, "invalid sign in external \"numeric\" value")
	}
	if ndigits < 0 || dscale < 0 || dscale > 0x3FFF {
		return types.NumericValue{}, sqlerr.New(codeInvalidBinaryRepresentation, "invalid length in external \"numeric\" value")
	}
	if len(b) < 2*ndigits {
		return types.NumericValue{}, errInsufficientData()
	}
	if len(b) > 2*ndigits {
		return types.NumericValue{}, errIncorrectBinary()
	}
	if dscale > types.MaxNumericScale || (weight > 10 && ndigits > 0) {
		return types.NumericValue{}, sqlerr.New(sqlerr.NumericValueOutOfRange, "value overflows numeric format")
	}
	// Render "[-]int.frac" and let the text parser build the value.
	var tb [128]byte
	s := tb[:0]
	if sign == numericNeg {
		s = append(s, '-')
	}
	digit := func(k int) uint16 { // base-10000 digit with weight k
		idx := weight - k
		if idx < 0 || idx >= ndigits {
			return 0
		}
		return binary.BigEndian.Uint16(b[2*idx:])
	}
	if weight < 0 {
		s = append(s, '0')
	}
	for k := weight; k >= 0; k-- {
		d := digit(k)
		if d > 9999 {
			return types.NumericValue{}, sqlerr.New(codeInvalidBinaryRepresentation, "invalid digit in external \"numeric\" value")
		}
		if k == weight {
			s = strconv.AppendUint(s, uint64(d), 10)
		} else {
			s = append(s, byte('0'+d/1000), byte('0'+d/100%10), byte('0'+d/10%10), byte('0'+d%10))
		}
	}
	if dscale > 0 {
		s = append(s, '.')
		for k, left := -1, dscale; left > 0; k-- {
			d := digit(k)
			if d > 9999 {
				return types.NumericValue{}, sqlerr.New(codeInvalidBinaryRepresentation, "invalid digit in external \"numeric\" value")
			}
			four := [4]byte{byte('0' + d/1000), byte('0' + d/100%10), byte('0' + d/10%10), byte('0' + d%10)}
			take := min(left, 4)
			s = append(s, four[:take]...)
			left -= take
		}
	}
	return types.ParseNumeric(string(s))
}
