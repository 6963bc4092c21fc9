package encoding

import (
	"bytes"
	"errors"
	"math"
	"math/rand/v2"
	"testing"
)

func sign(x int) int {
	switch {
	case x < 0:
		return -1
	case x > 0:
		return 1
	}
	return 0
}

func cmpOrdered[T int64 | int32](a, b T) int {
	switch {
	case a < b:
		return -1
	case a > b:
		return 1
	}
	return 0
}

// cmpFloat is PostgreSQL's float8 ordering: NaN equals NaN and sorts above everything; -0 = +0.
func cmpFloat(a, b float64) int {
	an, bn := a != a, b != b
	switch {
	case an && bn:
		return 0
	case an:
		return 1
	case bn:
		return -1
	case a < b:
		return -1
	case a > b:
		return 1
	}
	return 0
}

func TestInt64OrderAndRoundTrip(t *testing.T) {
	r := rand.New(rand.NewPCG(1, 2))
	vals := []int64{math.MinInt64, math.MinInt64 + 1, -256, -1, 0, 1, 255, 256, math.MaxInt64}
	for i := 0; i < 200; i++ {
		vals = append(vals, int64(r.Uint64()), int64(r.IntN(1000)-500))
	}
	for _, a := range vals {
		ea := EncodeInt64(nil, a)
		rest, got, err := DecodeInt64(append(ea, 0xee))
		if err != nil || got != a || !bytes.Equal(rest, []byte{0xee}) {
			t.Fatalf("DecodeInt64(EncodeInt64(%d)) = %d, %x, %v", a, got, rest, err)
		}
		for _, b := range vals {
			if s := sign(bytes.Compare(ea, EncodeInt64(nil, b))); s != cmpOrdered(a, b) {
				t.Fatalf("int64 order of %d vs %d: bytes %d", a, b, s)
			}
		}
	}
	for _, a := range []int32{math.MinInt32, -1, 0, 1, math.MaxInt32} {
		for _, b := range []int32{math.MinInt32, -7, 0, 7, math.MaxInt32} {
			if s := sign(bytes.Compare(EncodeInt32(nil, a), EncodeInt32(nil, b))); s != cmpOrdered(a, b) {
				t.Fatalf("int32 order of %d vs %d: bytes %d", a, b, s)
			}
		}
		if _, got, err := DecodeInt32(EncodeInt32(nil, a)); err != nil || got != a {
			t.Fatalf("int32 round trip %d: %d %v", a, got, err)
		}
	}
}

func TestInt128OrderAndRoundTrip(t *testing.T) {
	type i128 struct {
		lo uint64
		hi int64
	}
	vals := []i128{{0, math.MinInt64}, {math.MaxUint64, -1}, {0, 0}, {1, 0}, {math.MaxUint64, 0}, {0, 1}, {math.MaxUint64, math.MaxInt64}}
	for i, a := range vals {
		_, lo, hi, err := DecodeInt128(EncodeInt128(nil, a.lo, a.hi))
		if err != nil || lo != a.lo || hi != a.hi {
			t.Fatalf("int128 round trip %v: %d %d %v", a, lo, hi, err)
		}
		if i > 0 {
			b := vals[i-1]
			if bytes.Compare(EncodeInt128(nil, b.lo, b.hi), EncodeInt128(nil, a.lo, a.hi)) >= 0 {
				t.Fatalf("int128 %v does not sort before %v", b, a)
			}
		}
	}
}

func TestFloatOrderAndRoundTrip(t *testing.T) {
	r := rand.New(rand.NewPCG(3, 4))
	vals := []float64{math.Inf(-1), -math.MaxFloat64, -1, -math.SmallestNonzeroFloat64, math.Copysign(0, -1), 0,
		math.SmallestNonzeroFloat64, 0.1, 1, math.MaxFloat64, math.Inf(1), math.NaN(), -math.NaN(),
		math.Float64frombits(0x7ff0000000000001), math.Float64frombits(0xfff8000000000000)}
	for i := 0; i < 200; i++ {
		vals = append(vals, math.Float64frombits(r.Uint64()), r.NormFloat64()*1e6)
	}
	for _, a := range vals {
		ea := EncodeFloat64(nil, a)
		_, got, err := DecodeFloat64(ea)
		if err != nil || cmpFloat(got, a) != 0 || (a == a && math.Float64bits(got) != math.Float64bits(a) && a != 0) {
			t.Fatalf("float64 round trip %v: %v %v", a, got, err)
		}
		ea32 := EncodeFloat32(nil, float32(a))
		_, got32, err := DecodeFloat32(ea32)
		if err != nil || cmpFloat(float64(got32), float64(float32(a))) != 0 {
			t.Fatalf("float32 round trip %v: %v %v", float32(a), got32, err)
		}
		for _, b := range vals {
			if s := sign(bytes.Compare(ea, EncodeFloat64(nil, b))); s != cmpFloat(a, b) {
				t.Fatalf("float64 order of %v vs %v: bytes %d", a, b, s)
			}
			fa, fb := float64(float32(a)), float64(float32(b))
			if s := sign(bytes.Compare(ea32, EncodeFloat32(nil, float32(b)))); s != cmpFloat(fa, fb) {
				t.Fatalf("float32 order of %v vs %v: bytes %d", fa, fb, s)
			}
		}
	}
	if !bytes.Equal(EncodeFloat64(nil, math.Copysign(0, -1)), EncodeFloat64(nil, 0)) {
		t.Fatal("-0 and +0 encode differently")
	}
}

func TestBytesOrderAndRoundTrip(t *testing.T) {
	r := rand.New(rand.NewPCG(5, 6))
	alphabet := []byte{0x00, 0x01, 0x02, 'a', 0xfe, 0xff}
	vals := [][]byte{nil, {0}, {0, 0}, {0xff}, []byte("a"), []byte("a\x00"), []byte("ab")}
	for i := 0; i < 300; i++ {
		v := make([]byte, r.IntN(6))
		for j := range v {
			v[j] = alphabet[r.IntN(len(alphabet))]
		}
		vals = append(vals, v)
	}
	var scratch []byte
	for _, a := range vals {
		ea := EncodeBytes(nil, a)
		if !bytes.Equal(ea, EncodeString(nil, string(a))) {
			t.Fatalf("EncodeString and EncodeBytes differ for %x", a)
		}
		rest, got, err := DecodeBytes(append(ea, 7), scratch[:0])
		if err != nil || !bytes.Equal(got, a) || !bytes.Equal(rest, []byte{7}) {
			t.Fatalf("bytes round trip %x: %x rest %x %v", a, got, rest, err)
		}
		scratch = got
		if rest, err := SkipBytes(append(ea, 7)); err != nil || !bytes.Equal(rest, []byte{7}) {
			t.Fatalf("SkipBytes %x: rest %x %v", a, rest, err)
		}
		for _, b := range vals {
			if s := sign(bytes.Compare(ea, EncodeBytes(nil, b))); s != bytes.Compare(a, b) {
				t.Fatalf("bytes order of %x vs %x: bytes %d", a, b, s)
			}
		}
	}
}

// TestTupleOrder checks that concatenated encodings of (nullable int64, string) compare like the
// tuples, with NULL first (EncodeNull) or last (EncodeNullLast).
func TestTupleOrder(t *testing.T) {
	type tuple struct {
		null bool
		i    int64
		s    string
	}
	r := rand.New(rand.NewPCG(7, 8))
	var ts []tuple
	for i := 0; i < 100; i++ {
		ts = append(ts, tuple{r.IntN(4) == 0, int64(r.IntN(5) - 2), string([]byte{byte(r.IntN(3)), 'x'}[:r.IntN(3)])})
	}
	for _, nullsLast := range []bool{false, true} {
		enc := func(x tuple) []byte {
			var b []byte
			switch {
			case x.null && nullsLast:
				b = EncodeNullLast(b)
			case x.null:
				b = EncodeNull(b)
			default:
				b = EncodeInt64(EncodeNotNull(b), x.i)
			}
			return EncodeString(b, x.s)
		}
		cmp := func(a, b tuple) int {
			if a.null != b.null {
				if a.null == nullsLast {
					return 1
				}
				return -1
			}
			if !a.null {
				if c := cmpOrdered(a.i, b.i); c != 0 {
					return c
				}
			}
			return bytes.Compare([]byte(a.s), []byte(b.s))
		}
		for _, a := range ts {
			for _, b := range ts {
				if s := sign(bytes.Compare(enc(a), enc(b))); s != cmp(a, b) {
					t.Fatalf("nullsLast=%v: %+v vs %+v: bytes %d", nullsLast, a, b, s)
				}
			}
			rest, isNull, err := DecodeNullMarker(enc(a))
			if err != nil || isNull != a.null {
				t.Fatalf("DecodeNullMarker(%+v) = %v, %v", a, isNull, err)
			}
			if !a.null {
				rest, _, _ = DecodeInt64(rest)
			}
			if _, s, err := DecodeBytes(rest, nil); err != nil || string(s) != a.s {
				t.Fatalf("decode tuple %+v: %q %v", a, s, err)
			}
		}
	}
}

func TestDecodersRejectCorruptInput(t *testing.T) {
	checks := map[string]error{}
	_, _, checks["marker"] = DecodeNullMarker([]byte{9})
	_, _, checks["bool"] = DecodeBool([]byte{2})
	_, _, checks["int64"] = DecodeInt64([]byte{1, 2})
	_, _, checks["bytes unterminated"] = DecodeBytes([]byte("abc"), nil)
	_, _, checks["bytes bad escape"] = DecodeBytes([]byte{'a', 0, 5}, nil)
	_, _, _, _, checks["decimal tag"] = DecodeDecimal([]byte{9})
	_, _, _, _, checks["decimal unterminated"] = DecodeDecimal([]byte{decimalPos, 0x80, 0x01, 5})
	_, _, checks["value bytes"] = DecodeValueBytes([]byte{5, 'a'})
	_, _, checks["uvarint"] = DecodeUvarint(nil)
	for name, err := range checks {
		if !errors.Is(err, ErrCorrupt) {
			t.Errorf("%s: got %v, want ErrCorrupt", name, err)
		}
	}
}
