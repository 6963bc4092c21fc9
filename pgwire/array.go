package pgwire

import (
	"encoding/binary"

	"github.com/apache/arrow-go/v18/arrow"
	"github.com/apache/arrow-go/v18/arrow/array"

	"github.com/runnel-db/runnel/exec/sqlerr"
	"github.com/runnel-db/runnel/exec/types"
)

// PostgreSQL's binary array format (array_send/array_recv, also int2vector and oidvector):
// int32 ndim, int32 has-nulls flag, uint32 element type OID, then per dimension int32 length and
// int32 lower bound, then per element an int32 length (-1 for NULL) and the element's binary form.

// oidElems reports whether t's elements go on the wire as oid (4 bytes), Runnel holding oids in
// bigints.
func oidElems(t types.T) bool {
	switch t.Flavor {
	case types.OidVector, types.OidArray, types.ZeroBasedOid:
		return true
	}
	return false
}

const oidOID = 26

// arrayBinaryEncoder is array_send for a List column of type t.
func arrayBinaryEncoder(arr arrow.Array, t types.T) valueEncoder {
	l := arr.(*array.List)
	vals := l.ListValues()
	et := t.ElemType()
	elemOID := et.OID()
	var elemEnc valueEncoder
	if oidElems(t) {
		elemOID = oidOID
		v := vals.(*array.Int64)
		elemEnc = func(dst []byte, i int) []byte { return binary.BigEndian.AppendUint32(dst, uint32(v.Value(i))) }
	} else {
		elemEnc = binaryEncoder(vals, et)
	}
	be := binary.BigEndian
	if t.IsRecord() {
		// record_send: field count, then per field its type OID, length (-1: NULL) and value.
		oids := [2]uint32{elemOID, types.Int32T.OID()}
		return func(dst []byte, i int) []byte {
			s, _ := l.ValueOffsets(i)
			dst = be.AppendUint32(dst, 2)
			for k := 0; k < 2; k++ {
				dst = be.AppendUint32(dst, oids[k])
				j := int(s) + k
				if vals.IsNull(j) {
					dst = be.AppendUint32(dst, 0xFFFFFFFF)
					continue
				}
				at := len(dst)
				dst = append(dst, 0, 0, 0, 0)
				if k == 0 {
					dst = elemEnc(dst, j)
				} else {
					dst = be.AppendUint32(dst, uint32(int32(types.DatumAt(vals, j, et).(int64))))
				}
				be.PutUint32(dst[at:], uint32(len(dst)-at-4))
			}
			return dst
		}
	}
	return func(dst []byte, i int) []byte {
		s, e := l.ValueOffsets(i)
		if s == e {
			dst = be.AppendUint32(dst, 0)
			dst = be.AppendUint32(dst, 0)
			return be.AppendUint32(dst, elemOID)
		}
		hasNull := uint32(0)
		for k := s; k < e; k++ {
			if vals.IsNull(int(k)) {
				hasNull = 1
			}
		}
		dst = be.AppendUint32(dst, 1)
		dst = be.AppendUint32(dst, hasNull)
		dst = be.AppendUint32(dst, elemOID)
		dst = be.AppendUint32(dst, uint32(e-s))
		dst = be.AppendUint32(dst, uint32(int32(t.LowerBound())))
		for k := int(s); k < int(e); k++ {
			if vals.IsNull(k) {
				dst = be.AppendUint32(dst, 0xFFFFFFFF)
				continue
			}
			at := len(dst)
			dst = append(dst, 0, 0, 0, 0)
			dst = elemEnc(dst, k)
			be.PutUint32(dst[at:], uint32(len(dst)-at-4))
		}
		return dst
	}
}

// decodeArrayBinary is array_recv for a parameter of type t.
func decodeArrayBinary(v []byte, t types.T) (types.Datum, error) {
	be := binary.BigEndian
	if len(v) < 12 {
		return nil, errInsufficientData()
	}
	ndim, elemOID := int32(be.Uint32(v)), be.Uint32(v[8:])
	v = v[12:]
	et := t.ElemType()
	if t.IsRecord() {
		return nil, sqlerr.NotSupported("binary input of type record")
	}
	wantOID := et.OID()
	if oidElems(t) {
		wantOID = oidOID
	}
	if elemOID != wantOID {
		return nil, sqlerr.New(sqlerr.DatatypeMismatch, "binary data has array element type %d instead of expected %d", elemOID, wantOID)
	}
	switch {
	case ndim == 0:
		return types.ArrayValue{}, nil
	case ndim < 0 || ndim > 6:
		return nil, sqlerr.New(codeInvalidBinaryRepresentation, "invalid number of dimensions: %d", ndim)
	case ndim > 1:
		return nil, sqlerr.NotSupported("multidimensional arrays")
	}
	if len(v) < 8 {
		return nil, errInsufficientData()
	}
	n, lb := int32(be.Uint32(v)), int64(int32(be.Uint32(v[4:])))
	v = v[8:]
	if n < 0 {
		return nil, errIncorrectBinary()
	}
	if lb != t.LowerBound() && n > 0 {
		return nil, sqlerr.NotSupported("arrays with a lower bound other than 1")
	}
	out := make(types.ArrayValue, 0, min(int(n), len(v)/4))
	for k := int32(0); k < n; k++ {
		if len(v) < 4 {
			return nil, errInsufficientData()
		}
		size := int32(be.Uint32(v))
		v = v[4:]
		if size == -1 {
			out = append(out, nil)
			continue
		}
		if size < 0 || int(size) > len(v) {
			return nil, errInsufficientData()
		}
		elem := v[:size]
		v = v[size:]
		if oidElems(t) {
			if err := fixed(elem, 4); err != nil {
				return nil, err
			}
			out = append(out, int64(be.Uint32(elem)))
			continue
		}
		d, err := decodeBinary(elem, et, nil)
		if err != nil {
			return nil, err
		}
		out = append(out, d)
	}
	if len(v) != 0 {
		return nil, errIncorrectBinary()
	}
	return out, nil
}
