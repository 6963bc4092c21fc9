package rowcodec

import (
	"encoding/binary"
	"fmt"
	"math"

	"github.com/apache/arrow-go/v18/arrow"
	"github.com/apache/arrow-go/v18/arrow/array"

	"github.com/runnel-db/runnel/exec/types"
	"github.com/runnel-db/runnel/storage/encoding"
)

// Codec encodes rows of a relation with the given column types. It is immutable.
type Codec struct {
	types []types.T
	elems []*Codec // by column: the element Codec of an array column (array.go)
}

// New returns a Codec for rows whose column i has type colTypes[i]. colTypes is copied.
func New(colTypes []types.T) *Codec {
	ts := append([]types.T(nil), colTypes...)
	return &Codec{types: ts, elems: elemCodecs(ts)}
}

// Types returns the column types (do not modify).
func (c *Codec) Types() []types.T { return c.types }

// AppendKey appends the order-preserving key encoding of row's keyCols columns to dst.
func (c *Codec) AppendKey(dst []byte, cols []arrow.Array, row int, keyCols []int) []byte {
	for _, ci := range keyCols {
		a := cols[ci]
		if a.IsNull(row) {
			dst = encoding.EncodeNull(dst)
			continue
		}
		dst = c.appendKeyValue(encoding.EncodeNotNull(dst), a, row, ci)
	}
	return dst
}

// appendKeyValue appends the order-preserving encoding of non-null value row of column ci.
func (c *Codec) appendKeyValue(dst []byte, a arrow.Array, row, ci int) []byte {
	switch c.types[ci].Kind {
	case types.Bool:
		return encoding.EncodeBool(dst, a.(*array.Boolean).Value(row))
	case types.Int16:
		return encoding.EncodeInt32(dst, int32(a.(*array.Int16).Value(row)))
	case types.Int32:
		return encoding.EncodeInt32(dst, a.(*array.Int32).Value(row))
	case types.Int64:
		return encoding.EncodeInt64(dst, a.(*array.Int64).Value(row))
	case types.Float32:
		return encoding.EncodeFloat32(dst, a.(*array.Float32).Value(row))
	case types.Float64:
		return encoding.EncodeFloat64(dst, a.(*array.Float64).Value(row))
	case types.Numeric:
		lo, hi, scale := numericParts(a.(*array.FixedSizeBinary).Value(row))
		return encoding.EncodeDecimal(dst, lo, hi, scale)
	case types.Text, types.Varchar, types.JSONB, types.JSON, types.Unknown:
		return encoding.EncodeString(dst, a.(*array.String).Value(row))
	case types.Date:
		return encoding.EncodeInt32(dst, int32(a.(*array.Date32).Value(row)))
	case types.Timestamp, types.TimestampTZ:
		return encoding.EncodeInt64(dst, int64(a.(*array.Timestamp).Value(row)))
	case types.Interval:
		lo, hi := intervalSpan(a.(*array.MonthDayNanoInterval).Value(row))
		return encoding.EncodeInt128(dst, lo, hi)
	case types.Array:
		return c.appendListKey(dst, a, row, ci)
	}
	panic(fmt.Sprintf("rowcodec: no key encoding for %s", c.types[ci]))
}

// AppendValue appends the compact value encoding of row's valueCols columns to dst.
func (c *Codec) AppendValue(dst []byte, cols []arrow.Array, row int, valueCols []int) []byte {
	bitmapAt := len(dst)
	for i := 0; i < (len(valueCols)+7)/8; i++ {
		dst = append(dst, 0)
	}
	for i, ci := range valueCols {
		a := cols[ci]
		if a.IsNull(row) {
			dst[bitmapAt+i/8] |= 1 << (i % 8)
			continue
		}
		switch c.types[ci].Kind {
		case types.Bool:
			dst = encoding.EncodeBool(dst, a.(*array.Boolean).Value(row))
		case types.Int16:
			dst = encoding.AppendVarint(dst, int64(a.(*array.Int16).Value(row)))
		case types.Int32:
			dst = encoding.AppendVarint(dst, int64(a.(*array.Int32).Value(row)))
		case types.Int64:
			dst = encoding.AppendVarint(dst, a.(*array.Int64).Value(row))
		case types.Float32:
			dst = encoding.AppendValueUint32(dst, math.Float32bits(a.(*array.Float32).Value(row)))
		case types.Float64:
			dst = encoding.AppendValueUint64(dst, math.Float64bits(a.(*array.Float64).Value(row)))
		case types.Numeric:
			dst = append(dst, a.(*array.FixedSizeBinary).Value(row)...)
		case types.Text, types.Varchar, types.JSONB, types.JSON, types.Unknown:
			dst = encoding.AppendValueString(dst, a.(*array.String).Value(row))
		case types.Date:
			dst = encoding.AppendVarint(dst, int64(a.(*array.Date32).Value(row)))
		case types.Timestamp, types.TimestampTZ:
			dst = encoding.AppendValueUint64(dst, uint64(a.(*array.Timestamp).Value(row)))
		case types.Interval:
			v := a.(*array.MonthDayNanoInterval).Value(row)
			dst = encoding.AppendVarint(dst, int64(v.Months))
			dst = encoding.AppendVarint(dst, int64(v.Days))
			dst = encoding.AppendVarint(dst, v.Nanoseconds)
		case types.Array:
			dst = c.appendListValue(dst, a, row, ci)
		default:
			panic(fmt.Sprintf("rowcodec: no value encoding for %s", c.types[ci]))
		}
	}
	return dst
}

// numericParts splits a NUMERIC's 17-byte Arrow layout (lo uint64 LE, hi int64 LE, scale byte).
func numericParts(b []byte) (lo uint64, hi int64, scale int8) {
	_ = b[types.NumericWidth-1]
	return binary.LittleEndian.Uint64(b), int64(binary.LittleEndian.Uint64(b[8:])), int8(b[16])
}

// putNumeric writes a NUMERIC's 17-byte Arrow layout into dst.
func putNumeric(dst *[types.NumericWidth]byte, lo uint64, hi int64, scale int8) {
	binary.LittleEndian.PutUint64(dst[:8], lo)
	binary.LittleEndian.PutUint64(dst[8:16], uint64(hi))
	dst[16] = byte(scale)
}
