package encoding

import (
	"bytes"
	"strings"
)

// Byte strings are escaped so that the terminator sorts below any continuation: every 0x00 in the
// value becomes 0x00 0xFF, and the value ends with 0x00 0x01. So "a" < "a\x00" < "ab".
const (
	bytesEscape     byte = 0x00
	bytesEscaped00  byte = 0xff
	bytesTerminator byte = 0x01
)

// EncodeBytes appends the order-preserving encoding of v.
func EncodeBytes(dst []byte, v []byte) []byte {
	for {
		i := bytes.IndexByte(v, 0)
		if i < 0 {
			break
		}
		dst = append(dst, v[:i]...)
		dst = append(dst, bytesEscape, bytesEscaped00)
		v = v[i+1:]
	}
	dst = append(dst, v...)
	return append(dst, bytesEscape, bytesTerminator)
}

// EncodeString appends the order-preserving encoding of s (identical to EncodeBytes([]byte(s))).
func EncodeString(dst []byte, s string) []byte {
	for {
		i := strings.IndexByte(s, 0)
		if i < 0 {
			break
		}
		dst = append(dst, s[:i]...)
		dst = append(dst, bytesEscape, bytesEscaped00)
		s = s[i+1:]
	}
	dst = append(dst, s...)
	return append(dst, bytesEscape, bytesTerminator)
}

// DecodeBytes decodes EncodeBytes, appending the value to dst and returning the extended slice
// (pass buf[:0] to reuse a buffer without allocating).
func DecodeBytes(b []byte, dst []byte) (rest []byte, v []byte, err error) {
	for {
		i := bytes.IndexByte(b, bytesEscape)
		if i < 0 || i+1 >= len(b) {
			return nil, dst, corrupt("unterminated bytes", b)
		}
		dst = append(dst, b[:i]...)
		switch b[i+1] {
		case bytesTerminator:
			return b[i+2:], dst, nil
		case bytesEscaped00:
			dst = append(dst, 0)
			b = b[i+2:]
		default:
			return nil, dst, corrupt("bad escape in bytes", b[i:])
		}
	}
}

// SkipBytes returns the rest of b after one EncodeBytes value, without decoding it.
func SkipBytes(b []byte) (rest []byte, err error) {
	for {
		i := bytes.IndexByte(b, bytesEscape)
		if i < 0 || i+1 >= len(b) {
			return nil, corrupt("unterminated bytes", b)
		}
		switch b[i+1] {
		case bytesTerminator:
			return b[i+2:], nil
		case bytesEscaped00:
			b = b[i+2:]
		default:
			return nil, corrupt("bad escape in bytes", b[i:])
		}
	}
}
