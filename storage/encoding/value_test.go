package encoding

import (
	"bytes"
	"math"
	"testing"
)

func TestValueRoundTrip(t *testing.T) {
	var b []byte
	b = AppendValueUint16(b, 0xbeef)
	b = AppendValueUint32(b, 0xdeadbeef)
	b = AppendValueUint64(b, math.MaxUint64-1)
	b = AppendUvarint(b, 300)
	b = AppendVarint(b, -300)
	b = AppendValueBytes(b, []byte("hello\x00"))
	b = AppendValueString(b, "")
	b = AppendValueString(b, "wörld")

	rest, u16, err := DecodeValueUint16(b)
	if err != nil || u16 != 0xbeef {
		t.Fatalf("uint16: %x %v", u16, err)
	}
	rest, u32, err := DecodeValueUint32(rest)
	if err != nil || u32 != 0xdeadbeef {
		t.Fatalf("uint32: %x %v", u32, err)
	}
	rest, u64, err := DecodeValueUint64(rest)
	if err != nil || u64 != math.MaxUint64-1 {
		t.Fatalf("uint64: %x %v", u64, err)
	}
	rest, uv, err := DecodeUvarint(rest)
	if err != nil || uv != 300 {
		t.Fatalf("uvarint: %d %v", uv, err)
	}
	rest, v, err := DecodeVarint(rest)
	if err != nil || v != -300 {
		t.Fatalf("varint: %d %v", v, err)
	}
	for _, want := range []string{"hello\x00", "", "wörld"} {
		var got []byte
		rest, got, err = DecodeValueBytes(rest)
		if err != nil || !bytes.Equal(got, []byte(want)) {
			t.Fatalf("bytes: %q %v, want %q", got, err, want)
		}
	}
	if len(rest) != 0 {
		t.Fatalf("left over %x", rest)
	}
	if _, _, err := DecodeValueUint64(make([]byte, 7)); err == nil {
		t.Fatal("DecodeValueUint64 accepted 7 bytes")
	}
	trunc := AppendValueString(nil, "hello")
	if _, _, err := DecodeValueBytes(trunc[:len(trunc)-1]); err == nil {
		t.Fatal("DecodeValueBytes accepted a truncated value")
	}
}
