package encoding

import "encoding/binary"

// AppendValueUint16 appends v as 2 little-endian bytes.
func AppendValueUint16(dst []byte, v uint16) []byte { return binary.LittleEndian.AppendUint16(dst, v) }

// DecodeValueUint16 decodes AppendValueUint16.
func DecodeValueUint16(b []byte) (rest []byte, v uint16, err error) {
	if len(b) < 2 {
		return nil, 0, corrupt("short value uint16", b)
	}
	return b[2:], binary.LittleEndian.Uint16(b), nil
}

// AppendValueUint32 appends v as 4 little-endian bytes.
func AppendValueUint32(dst []byte, v uint32) []byte { return binary.LittleEndian.AppendUint32(dst, v) }

// DecodeValueUint32 decodes AppendValueUint32.
func DecodeValueUint32(b []byte) (rest []byte, v uint32, err error) {
	if len(b) < 4 {
		return nil, 0, corrupt("short value uint32", b)
	}
	return b[4:], binary.LittleEndian.Uint32(b), nil
}

// AppendValueUint64 appends v as 8 little-endian bytes.
func AppendValueUint64(dst []byte, v uint64) []byte { return binary.LittleEndian.AppendUint64(dst, v) }

// DecodeValueUint64 decodes AppendValueUint64.
func DecodeValueUint64(b []byte) (rest []byte, v uint64, err error) {
	if len(b) < 8 {
		return nil, 0, corrupt("short value uint64", b)
	}
	return b[8:], binary.LittleEndian.Uint64(b), nil
}

// AppendUvarint appends v as a uvarint (1 byte below 128).
func AppendUvarint(dst []byte, v uint64) []byte { return binary.AppendUvarint(dst, v) }

// DecodeUvarint decodes AppendUvarint.
func DecodeUvarint(b []byte) (rest []byte, v uint64, err error) {
	v, n := binary.Uvarint(b)
	if n <= 0 {
		return nil, 0, corrupt("bad uvarint", b)
	}
	return b[n:], v, nil
}

// AppendVarint appends v zigzag-encoded as a varint (small magnitudes take 1 byte).
func AppendVarint(dst []byte, v int64) []byte { return binary.AppendVarint(dst, v) }

// DecodeVarint decodes AppendVarint.
func DecodeVarint(b []byte) (rest []byte, v int64, err error) {
	v, n := binary.Varint(b)
	if n <= 0 {
		return nil, 0, corrupt("bad varint", b)
	}
	return b[n:], v, nil
}

// AppendValueBytes appends v preceded by its uvarint length.
func AppendValueBytes(dst []byte, v []byte) []byte {
	return append(binary.AppendUvarint(dst, uint64(len(v))), v...)
}

// AppendValueString appends s preceded by its uvarint length.
func AppendValueString(dst []byte, s string) []byte {
	return append(binary.AppendUvarint(dst, uint64(len(s))), s...)
}

// DecodeValueBytes decodes AppendValueBytes; v aliases b (copy it to keep it).
func DecodeValueBytes(b []byte) (rest []byte, v []byte, err error) {
	n, k := binary.Uvarint(b)
	if k <= 0 || n > uint64(len(b)-k) {
		return nil, nil, corrupt("bad value bytes", b)
	}
	end := k + int(n)
	return b[end:], b[k:end:end], nil
}
