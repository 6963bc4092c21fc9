package pgwire

import (
	"encoding/binary"
	"fmt"
	"math"

	"github.com/apache/arrow-go/v18/arrow"
	"github.com/apache/arrow-go/v18/arrow/array"
	"github.com/jackc/pgx/v5/pgproto3"

	"github.com/runnel-db/runnel/engine"
	"github.com/runnel-db/runnel/exec/sqlerr"
	"github.com/runnel-db/runnel/exec/types"
)

// Offsets between the Unix epoch and PostgreSQL's 2000-01-01 epoch.
const (
	pgEpochDays   = 10957
	pgEpochMicros = pgEpochDays * 86400 * 1000000
)

// Format codes.
const (
	formatText   int16 = 0
	formatBinary int16 = 1
)

// valueEncoder appends the wire form of non-null value i (without its length prefix).
type valueEncoder func(dst []byte, i int) []byte

// rowEncoder turns the rows of one record batch into DataRow messages.
type rowEncoder struct {
	cols []arrow.Array
	encs []valueEncoder
}

// newRowEncoder prepares encoders for b, whose columns must match cols; formats has one code per
// column.
func newRowEncoder(b arrow.RecordBatch, cols []engine.Column, formats []int16, tf textFormat) (*rowEncoder, error) {
	if int(b.NumCols()) != len(cols) {
		return nil, fmt.Errorf("result chunk has %d columns, expected %d", b.NumCols(), len(cols))
	}
	r := &rowEncoder{cols: b.Columns(), encs: make([]valueEncoder, len(cols))}
	for j, c := range cols {
		arr := b.Column(j)
		if c.Type.Kind != types.Unknown && !arrow.TypeEqual(arr.DataType(), c.Type.ArrowType()) {
			return nil, fmt.Errorf("result column %d (%s) holds Arrow %s, expected %s", j+1, c.Type, arr.DataType(), c.Type.ArrowType())
		}
		var f int16
		if j < len(formats) {
			f = formats[j]
		}
		if f == formatBinary {
			if c.Type.Reg.Named() && c.Type.Kind == types.Text {
				// The engine sends reg values as their names; their binary form is the oid.
				return nil, sqlerr.NotSupported("binary output of type " + c.Type.String())
			}
			r.encs[j] = binaryEncoder(arr, c.Type)
		} else {
			r.encs[j] = textEncoder(arr, c.Type, tf)
		}
	}
	return r, nil
}

// appendRow appends the DataRow message for row i.
func (r *rowEncoder) appendRow(dst []byte, i int) []byte {
	dst = append(dst, 'D', 0, 0, 0, 0)
	start := len(dst) - 4
	dst = binary.BigEndian.AppendUint16(dst, uint16(len(r.cols)))
	for j, arr := range r.cols {
		if arr.IsNull(i) {
			dst = binary.BigEndian.AppendUint32(dst, math.MaxUint32) // -1: NULL
			continue
		}
		lenAt := len(dst)
		dst = append(dst, 0, 0, 0, 0)
		dst = r.encs[j](dst, i)
		binary.BigEndian.PutUint32(dst[lenAt:], uint32(len(dst)-lenAt-4))
	}
	binary.BigEndian.PutUint32(dst[start:], uint32(len(dst)-start))
	return dst
}

// textEncoder is PostgreSQL's text output, from exec/types.
func textEncoder(arr arrow.Array, t types.T, tf textFormat) valueEncoder {
	switch a := arr.(type) {
	case *array.String:
		return func(dst []byte, i int) []byte { return append(dst, a.Value(i)...) }
	case *array.Int64:
		return func(dst []byte, i int) []byte { return appendInt(dst, a.Value(i)) }
	case *array.Float64:
		if tf.extraFloatDigits <= 0 {
			return func(dst []byte, i int) []byte {
				return types.AppendFloatDigits(dst, a.Value(i), 64, tf.extraFloatDigits)
			}
		}
	case *array.Float32:
		if tf.extraFloatDigits <= 0 {
			return func(dst []byte, i int) []byte {
				return types.AppendFloatDigits(dst, float64(a.Value(i)), 32, tf.extraFloatDigits)
			}
		}
	}
	return func(dst []byte, i int) []byte { return types.AppendText(dst, arr, i, t, tf.loc) }
}

func appendInt(dst []byte, v int64) []byte {
	if v >= 0 && v < 10 {
		return append(dst, byte('0'+v))
	}
	var buf [20]byte
	n := len(buf)
	u := uint64(v)
	if v < 0 {
		u = uint64(-v)
	}
	for u > 0 {
		n--
		buf[n] = byte('0' + u%10)
		u /= 10
	}
	if v < 0 {
		dst = append(dst, '-')
	}
	return append(dst, buf[n:]...)
}

// binaryEncoder is PostgreSQL's binary send function for t.
func binaryEncoder(arr arrow.Array, t types.T) valueEncoder {
	switch t.Kind {
	case types.Bool:
		a := arr.(*array.Boolean)
		return func(dst []byte, i int) []byte {
			if a.Value(i) {
				return append(dst, 1)
			}
			return append(dst, 0)
		}
	case types.Int16:
		v := arr.(*array.Int16).Int16Values()
		return func(dst []byte, i int) []byte { return binary.BigEndian.AppendUint16(dst, uint16(v[i])) }
	case types.Int32:
		v := arr.(*array.Int32).Int32Values()
		return func(dst []byte, i int) []byte { return binary.BigEndian.AppendUint32(dst, uint32(v[i])) }
	case types.Int64:
		v := arr.(*array.Int64).Int64Values()
		if t.Reg != types.RegNone { // oid and the reg types: PostgreSQL's uint32
			return func(dst []byte, i int) []byte { return binary.BigEndian.AppendUint32(dst, uint32(v[i])) }
		}
		return func(dst []byte, i int) []byte { return binary.BigEndian.AppendUint64(dst, uint64(v[i])) }
	case types.Float32:
		v := arr.(*array.Float32).Float32Values()
		return func(dst []byte, i int) []byte { return binary.BigEndian.AppendUint32(dst, math.Float32bits(v[i])) }
	case types.Float64:
		v := arr.(*array.Float64).Float64Values()
		return func(dst []byte, i int) []byte { return binary.BigEndian.AppendUint64(dst, math.Float64bits(v[i])) }
	case types.Numeric:
		a := arr.(*array.FixedSizeBinary)
		return func(dst []byte, i int) []byte { return appendNumericBinary(dst, types.NumericAt(a, i)) }
	case types.JSONB:
		a := arr.(*array.String)
		return func(dst []byte, i int) []byte { return append(append(dst, 1), a.Value(i)...) }
	case types.JSON:
		a := arr.(*array.String)
		return func(dst []byte, i int) []byte { return append(dst, a.Value(i)...) }
	case types.Date:
		v := arr.(*array.Date32).Date32Values()
		return func(dst []byte, i int) []byte {
			return binary.BigEndian.AppendUint32(dst, uint32(int32(v[i])-pgEpochDays))
		}
	case types.Timestamp, types.TimestampTZ:
		v := arr.(*array.Timestamp).TimestampValues()
		return func(dst []byte, i int) []byte {
			return binary.BigEndian.AppendUint64(dst, uint64(int64(v[i])-pgEpochMicros))
		}
	case types.Interval:
		v := arr.(*array.MonthDayNanoInterval).MonthDayNanoIntervalValues()
		return func(dst []byte, i int) []byte {
			dst = binary.BigEndian.AppendUint64(dst, uint64(v[i].Nanoseconds/1000))
			dst = binary.BigEndian.AppendUint32(dst, uint32(v[i].Days))
			return binary.BigEndian.AppendUint32(dst, uint32(v[i].Months))
		}
	case types.Array:
		return arrayBinaryEncoder(arr, t)
	}
	// text, varchar and unknown: textsend is the raw bytes.
	a := arr.(*array.String)
	return func(dst []byte, i int) []byte { return append(dst, a.Value(i)...) }
}

// fieldDescriptions builds RowDescription fields for cols with the given per-column formats
// (nil: all text).
func fieldDescriptions(cols []engine.Column, formats []int16) []pgproto3.FieldDescription {
	fields := make([]pgproto3.FieldDescription, len(cols))
	for j, c := range cols {
		var f int16
		if j < len(formats) {
			f = formats[j]
		}
		fields[j] = pgproto3.FieldDescription{
			Name:                 []byte(c.Name),
			TableOID:             c.TableOID,
			TableAttributeNumber: uint16(c.Attnum),
			DataTypeOID:          c.Type.OID(),
			DataTypeSize:         c.Type.Len(),
			TypeModifier:         c.Type.Typmod(),
			Format:               f,
		}
	}
	return fields
}
