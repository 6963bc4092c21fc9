package pgwire

import (
	"encoding/binary"
	"math"
	"time"
	"unicode/utf8"

	"github.com/runnel-db/runnel/exec/sqlerr"
	"github.com/runnel-db/runnel/exec/types"
)

func errInsufficientData() error {
	return sqlerr.New(sqlerr.ProtocolViolation, "insufficient data left in message")
}

func errIncorrectBinary() error {
	return sqlerr.New(codeInvalidBinaryRepresentation, "incorrect binary data format")
}

// decodeParams decodes Bind parameter values for parameter types ts; formats has 0, 1 or
// len(values) codes.
func decodeParams(values [][]byte, formats []int16, ts []types.T, loc *time.Location) ([]types.Datum, error) {
	out := make([]types.Datum, len(values))
	for i, v := range values {
		if v == nil {
			continue
		}
		f := formatText
		switch len(formats) {
		case 0:
		case 1:
			f = formats[0]
		default:
			f = formats[i]
		}
		d, err := decodeParam(v, f, ts[i], loc)
		if err != nil {
			if e := sqlerr.From(err); e != nil && e.Code == codeInvalidBinaryRepresentation && e.Message == "incorrect binary data format" {
				return nil, sqlerr.New(codeInvalidBinaryRepresentation, "incorrect binary data format in bind parameter %d", i+1)
			}
			return nil, err
		}
		out[i] = d
	}
	return out, nil
}

// decodeParam decodes one non-null parameter value of type t.
func decodeParam(v []byte, format int16, t types.T, loc *time.Location) (types.Datum, error) {
	switch format {
	case formatText:
		if !utf8.Valid(v) {
			return nil, sqlerr.New(codeCharacterNotInRepertoire, "invalid byte sequence for encoding \"UTF8\"")
		}
		if t.Kind == types.Unknown {
			return string(v), nil
		}
		return types.ParseText(string(v), t, loc)
	case formatBinary:
		return decodeBinary(v, t, loc)
	}
	return nil, sqlerr.New(sqlerr.ProtocolViolation, "unsupported format code: %d", format)
}

// fixed checks that a binary value has exactly n bytes.
func fixed(v []byte, n int) error {
	switch {
	case len(v) < n:
		return errInsufficientData()
	case len(v) > n:
		return errIncorrectBinary()
	}
	return nil
}

// decodeBinary is PostgreSQL's binary receive function for t.
func decodeBinary(v []byte, t types.T, loc *time.Location) (types.Datum, error) {
	be := binary.BigEndian
	switch t.Kind {
	case types.Bool:
		if err := fixed(v, 1); err != nil {
			return nil, err
		}
		return v[0] != 0, nil
	case types.Int16:
		if err := fixed(v, 2); err != nil {
			return nil, err
		}
		return int64(int16(be.Uint16(v))), nil
	case types.Int32:
		if err := fixed(v, 4); err != nil {
			return nil, err
		}
		return int64(int32(be.Uint32(v))), nil
	case types.Int64:
		if t.Reg != types.RegNone && len(v) == 4 { // oid and the reg types are uint32
			return int64(be.Uint32(v)), nil
		}
		if err := fixed(v, 8); err != nil {
			return nil, err
		}
		return int64(be.Uint64(v)), nil
	case types.Float32:
		if err := fixed(v, 4); err != nil {
			return nil, err
		}
		return float64(math.Float32frombits(be.Uint32(v))), nil
	case types.Float64:
		if err := fixed(v, 8); err != nil {
			return nil, err
		}
		return math.Float64frombits(be.Uint64(v)), nil
	case types.Numeric:
		n, err := decodeNumericBinary(v)
		if err != nil {
			return nil, err
		}
		if t.Precision > 0 {
			return types.NumericApplyTypmod(n, t.Precision, t.Scale)
		}
		return n, nil
	case types.Date:
		if err := fixed(v, 4); err != nil {
			return nil, err
		}
		return types.DateValue(int32(be.Uint32(v)) + pgEpochDays), nil
	case types.Timestamp, types.TimestampTZ:
		if err := fixed(v, 8); err != nil {
			return nil, err
		}
		us := int64(be.Uint64(v))
		if us == math.MaxInt64 || us == math.MinInt64 {
			return nil, sqlerr.NotSupported("infinite timestamps")
		}
		return types.TimestampValue(us + pgEpochMicros), nil
	case types.Interval:
		if err := fixed(v, 16); err != nil {
			return nil, err
		}
		return types.IntervalValue{Micros: int64(be.Uint64(v)), Days: int32(be.Uint32(v[8:])), Months: int32(be.Uint32(v[12:]))}, nil
	case types.JSONB:
		if len(v) < 1 {
			return nil, errInsufficientData()
		}
		if v[0] != 1 {
			return nil, sqlerr.New(sqlerr.ProtocolViolation, "unsupported jsonb version number %d", v[0])
		}
		return decodeParam(v[1:], formatText, t, loc)
	case types.Text, types.Varchar, types.JSON, types.Unknown:
		return decodeParam(v, formatText, t, loc)
	case types.Array:
		return decodeArrayBinary(v, t)
	}
	return nil, sqlerr.NotSupported("binary format for type " + t.String())
}
