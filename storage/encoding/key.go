package encoding

import (
	"encoding/binary"
	"errors"
	"fmt"
	"math"
)

// ErrCorrupt is wrapped by every decoding error: the input was not produced by the matching
// encoder (or was truncated).
var ErrCorrupt = errors.New("encoding: corrupt data")

func corrupt(what string, b []byte) error {
	if len(b) > 16 {
		b = b[:16]
	}
	return fmt.Errorf("%w: %s at %x", ErrCorrupt, what, b)
}

// Null markers: the first byte of a nullable key column.
const (
	markerNullFirst byte = 0x00
	markerNotNull   byte = 0x01
	markerNullLast  byte = 0x02
)

// EncodeNull appends the marker of a NULL that sorts before every value.
func EncodeNull(dst []byte) []byte { return append(dst, markerNullFirst) }

// EncodeNullLast appends the marker of a NULL that sorts after every value.
func EncodeNullLast(dst []byte) []byte { return append(dst, markerNullLast) }

// EncodeNotNull appends the marker that precedes a non-NULL value.
func EncodeNotNull(dst []byte) []byte { return append(dst, markerNotNull) }

// DecodeNullMarker reads a null marker; isNull is true for either NULL marker, and a non-NULL
// value's encoding follows in rest otherwise.
func DecodeNullMarker(b []byte) (rest []byte, isNull bool, err error) {
	if len(b) == 0 {
		return nil, false, corrupt("missing null marker", b)
	}
	switch b[0] {
	case markerNotNull:
		return b[1:], false, nil
	case markerNullFirst, markerNullLast:
		return b[1:], true, nil
	}
	return nil, false, corrupt("bad null marker", b)
}

// EncodeBool appends false as 0x00 and true as 0x01.
func EncodeBool(dst []byte, v bool) []byte {
	if v {
		return append(dst, 1)
	}
	return append(dst, 0)
}

// DecodeBool decodes EncodeBool.
func DecodeBool(b []byte) (rest []byte, v bool, err error) {
	if len(b) == 0 || b[0] > 1 {
		return nil, false, corrupt("bad bool", b)
	}
	return b[1:], b[0] == 1, nil
}

// EncodeInt64 appends v as 8 big-endian bytes with the sign bit flipped.
func EncodeInt64(dst []byte, v int64) []byte {
	return binary.BigEndian.AppendUint64(dst, uint64(v)^(1<<63))
}

// DecodeInt64 decodes EncodeInt64.
func DecodeInt64(b []byte) (rest []byte, v int64, err error) {
	if len(b) < 8 {
		return nil, 0, corrupt("short int64", b)
	}
	return b[8:], int64(binary.BigEndian.Uint64(b) ^ (1 << 63)), nil
}

// EncodeInt32 appends v as 4 big-endian bytes with the sign bit flipped.
func EncodeInt32(dst []byte, v int32) []byte {
	return binary.BigEndian.AppendUint32(dst, uint32(v)^(1<<31))
}

// DecodeInt32 decodes EncodeInt32.
func DecodeInt32(b []byte) (rest []byte, v int32, err error) {
	if len(b) < 4 {
		return nil, 0, corrupt("short int32", b)
	}
	return b[4:], int32(binary.BigEndian.Uint32(b) ^ (1 << 31)), nil
}

// EncodeUint64 appends v as 8 big-endian bytes.
func EncodeUint64(dst []byte, v uint64) []byte { return binary.BigEndian.AppendUint64(dst, v) }

// DecodeUint64 decodes EncodeUint64.
func DecodeUint64(b []byte) (rest []byte, v uint64, err error) {
	if len(b) < 8 {
		return nil, 0, corrupt("short uint64", b)
	}
	return b[8:], binary.BigEndian.Uint64(b), nil
}

// EncodeInt128 appends the 128-bit two's-complement integer hi·2^64 + lo as 16 big-endian bytes
// with the sign bit flipped.
func EncodeInt128(dst []byte, lo uint64, hi int64) []byte {
	dst = binary.BigEndian.AppendUint64(dst, uint64(hi)^(1<<63))
	return binary.BigEndian.AppendUint64(dst, lo)
}

// DecodeInt128 decodes EncodeInt128.
func DecodeInt128(b []byte) (rest []byte, lo uint64, hi int64, err error) {
	if len(b) < 16 {
		return nil, 0, 0, corrupt("short int128", b)
	}
	return b[16:], binary.BigEndian.Uint64(b[8:]), int64(binary.BigEndian.Uint64(b) ^ (1 << 63)), nil
}

// canonicalNaN is the bit pattern every NaN is encoded as; it sorts after +Inf.
const canonicalNaN = 0x7ff8000000000001

// EncodeFloat64 appends v so that bytes compare like numbers: -Inf < … < -0 = +0 < … < +Inf < NaN.
func EncodeFloat64(dst []byte, v float64) []byte {
	var bits uint64
	switch {
	case v != v:
		bits = canonicalNaN
	case v == 0:
		bits = 0 // -0 → +0
	default:
		bits = math.Float64bits(v)
	}
	if bits&(1<<63) != 0 {
		bits = ^bits // negative: larger magnitude must sort first
	} else {
		bits |= 1 << 63
	}
	return binary.BigEndian.AppendUint64(dst, bits)
}

// DecodeFloat64 decodes EncodeFloat64 (-0 comes back as +0, any NaN as one canonical NaN).
func DecodeFloat64(b []byte) (rest []byte, v float64, err error) {
	if len(b) < 8 {
		return nil, 0, corrupt("short float64", b)
	}
	bits := binary.BigEndian.Uint64(b)
	if bits&(1<<63) != 0 {
		bits &^= 1 << 63
	} else {
		bits = ^bits
	}
	return b[8:], math.Float64frombits(bits), nil
}

// EncodeFloat32 appends v like EncodeFloat64 does, in 4 bytes.
func EncodeFloat32(dst []byte, v float32) []byte {
	var bits uint32
	switch {
	case v != v:
		bits = 0x7fc00001
	case v == 0:
		bits = 0
	default:
		bits = math.Float32bits(v)
	}
	if bits&(1<<31) != 0 {
		bits = ^bits
	} else {
		bits |= 1 << 31
	}
	return binary.BigEndian.AppendUint32(dst, bits)
}

// DecodeFloat32 decodes EncodeFloat32.
func DecodeFloat32(b []byte) (rest []byte, v float32, err error) {
	if len(b) < 4 {
		return nil, 0, corrupt("short float32", b)
	}
	bits := binary.BigEndian.Uint32(b)
	if bits&(1<<31) != 0 {
		bits &^= 1 << 31
	} else {
		bits = ^bits
	}
	return b[4:], math.Float32frombits(bits), nil
}
