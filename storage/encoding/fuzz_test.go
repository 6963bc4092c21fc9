package encoding

import (
	"bytes"
	"testing"
)

// FuzzDecoders feeds arbitrary bytes to every decoder: they must return an error or a value, never
// panic, and a successful decode must re-encode to the bytes it consumed (for canonical encodings).
func FuzzDecoders(f *testing.F) {
	f.Add([]byte{decimalPos, 0x80, 0x01, 0x10, 0x00})
	f.Add(EncodeDecimal(nil, 12345, -1, 3))
	f.Add(EncodeBytes(nil, []byte("a\x00b")))
	f.Add(AppendValueBytes(nil, []byte("xyz")))
	f.Fuzz(func(t *testing.T, b []byte) {
		if rest, lo, hi, scale, err := DecodeDecimal(b); err == nil {
			used := b[:len(b)-len(rest)]
			if re := EncodeDecimal(nil, lo, hi, scale); !bytes.Equal(used, re) && canonicalDecimal(used) {
				t.Fatalf("decimal %x decoded to %d,%d,%d re-encodes as %x", used, lo, hi, scale, re)
			}
		}
		if rest, v, err := DecodeBytes(b, nil); err == nil {
			if used := b[:len(b)-len(rest)]; !bytes.Equal(EncodeBytes(nil, v), used) {
				t.Fatalf("bytes %x decoded to %x re-encodes differently", used, v)
			}
		}
		_, _ = SkipBytes(b)
		_, _, _ = DecodeNullMarker(b)
		_, _, _ = DecodeBool(b)
		_, _, _ = DecodeInt64(b)
		_, _, _ = DecodeInt32(b)
		_, _, _, _ = DecodeInt128(b)
		_, _, _ = DecodeFloat64(b)
		_, _, _ = DecodeFloat32(b)
		_, _, _ = DecodeValueBytes(b)
		_, _, _ = DecodeUvarint(b)
		_, _, _ = DecodeVarint(b)
		_, _, _ = DecodeValueUint64(b)
	})
}

// canonicalDecimal reports whether a decimal key has neither a leading zero digit nor a trailing
// 00 pair: fuzzed input may encode a value non-canonically (e.g. "0.0123" with a larger exponent).
func canonicalDecimal(b []byte) bool {
	if len(b) < 5 || b[0] == decimalZero {
		return true
	}
	pair := func(c byte) byte {
		if b[0] == decimalNeg {
			return 254 - c
		}
		return c - 1
	}
	return pair(b[3]) >= 10 && pair(b[len(b)-2]) != 0
}

// FuzzOrder checks that the byte order of encodings equals the value order.
func FuzzOrder(f *testing.F) {
	f.Add([]byte("a"), []byte("a\x00"), int64(-1), int64(1), uint64(15), int8(1), uint64(1500), int8(3))
	f.Fuzz(func(t *testing.T, a, b []byte, x, y int64, c1 uint64, s1 int8, c2 uint64, s2 int8) {
		if s := sign(bytes.Compare(EncodeBytes(nil, a), EncodeBytes(nil, b))); s != bytes.Compare(a, b) {
			t.Fatalf("bytes %x vs %x", a, b)
		}
		if s := sign(bytes.Compare(EncodeInt64(nil, x), EncodeInt64(nil, y))); s != cmpOrdered(x, y) {
			t.Fatalf("int64 %d vs %d", x, y)
		}
		if s1 < 0 || s1 > 38 || s2 < 0 || s2 > 38 {
			return
		}
		d1, d2 := dec{c1, int64(x), s1}, dec{c2, int64(y), s2}
		if s := sign(bytes.Compare(EncodeDecimal(nil, d1.lo, d1.hi, d1.scale), EncodeDecimal(nil, d2.lo, d2.hi, d2.scale))); s != d1.rat().Cmp(d2.rat()) {
			t.Fatalf("decimal %s vs %s", d1.rat().FloatString(40), d2.rat().FloatString(40))
		}
		_, lo, hi, scale, err := DecodeDecimal(EncodeDecimal(nil, d1.lo, d1.hi, d1.scale))
		if err != nil || (dec{lo, hi, scale}).rat().Cmp(d1.rat()) != 0 {
			t.Fatalf("decimal round trip %s: %v", d1.rat().FloatString(40), err)
		}
	})
}
