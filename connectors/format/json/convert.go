package json

import (
	"unsafe"

	"github.com/runnel-db/runnel/connectors/format/row"
	"github.com/runnel-db/runnel/exec/sqlerr"
	"github.com/runnel-db/runnel/exec/types"
)

var (
	textTrue  = []byte("true")
	textFalse = []byte("false")
)

// Epoch-millisecond bounds of PostgreSQL's timestamp range (4714-11-24 BC to past 294247 AD,
// where Runnel's microsecond int64 ends).
const (
	minEpochMillis = -210_866_803_200_000
	maxEpochMillis = 9_223_372_036_854_775
)

// field reads the value at d.pos into column col, the column of field key. Syntax errors are
// returned; conversion errors are recorded for the column (a later duplicate may replace them).
func (d *Decoder) field(col int, key []byte) error {
	t := d.cols[col].Type
	var conv error
	switch c := d.s[d.pos]; {
	case c == 'n':
		if err := d.literal("null"); err != nil {
			return err
		}
		d.row.PutNull(col)
	case t.Kind == types.JSONB:
		start := d.pos
		if err := d.skip(); err != nil {
			return err
		}
		var v string
		if v, conv = types.NormalizeJSONB(string(d.s[start:d.pos])); conv == nil {
			d.row.PutBytes(col, unsafe.Slice(unsafe.StringData(v), len(v)))
		}
	case t.Kind == types.JSON:
		// json keeps the value's text as it was in the message.
		start := d.pos
		if err := d.skip(); err != nil {
			return err
		}
		if _, conv = types.ValidateJSON(string(d.s[start:d.pos])); conv == nil {
			d.row.PutBytes(col, d.s[start:d.pos])
		}
	case c == '"':
		s, err := d.str(true)
		if err != nil {
			return err
		}
		conv = d.row.SetText(col, s)
	case c == '-' || (c >= '0' && c <= '9'):
		tok, plain, err := d.number()
		if err != nil {
			return err
		}
		conv = d.setNumber(col, t, tok, plain)
	case c == 't' || c == 'f':
		v, word := true, textTrue
		if c == 'f' {
			v, word = false, textFalse
		}
		if err := d.literal(string(word)); err != nil {
			return err
		}
		if t.Kind == types.Bool {
			d.row.PutBool(col, v)
		} else {
			conv = d.row.SetText(col, word)
		}
	case c == '{' || c == '[':
		if err := d.skip(); err != nil {
			return err
		}
		what := "object"
		if c == '[' {
			what = "array"
		}
		conv = sqlerr.New(sqlerr.InvalidTextRepresentation, "cannot convert a JSON %s to type %s", what, t)
	default:
		return d.syntaxError("invalid token")
	}
	if conv != nil {
		if d.errs[col] == nil {
			d.nerr++
		}
		d.errs[col] = row.FieldError(string(key), conv)
	} else if d.errs[col] != nil {
		d.errs[col] = nil
		d.nerr--
	}
	return nil
}

// setNumber converts a JSON number token. Like jsonb_populate_record, the column's input function
// reads the number's jsonb text; timestamps read it as epoch milliseconds instead.
func (d *Decoder) setNumber(col int, t types.T, tok []byte, plain bool) error {
	switch t.Kind {
	case types.Float32, types.Float64, types.Numeric:
		// the raw token denotes the same decimal value as its jsonb text
		return d.row.SetText(col, tok)
	case types.Timestamp, types.TimestampTZ:
		us, err := epochMillis(tok, plain)
		if err != nil {
			return err
		}
		d.row.PutInt(col, us)
		return nil
	}
	if !plain || (len(tok) == 2 && tok[0] == '-' && tok[1] == '0') {
		s, err := types.NormalizeJSONB(string(tok)) // 1e3 → 1000, -0 → 0, 1.50 stays
		if err != nil {
			return err
		}
		tok = []byte(s)
	}
	return d.row.SetText(col, tok)
}

// epochMillis converts milliseconds since 1970-01-01 UTC to microseconds, rounding a fraction
// half away from zero.
func epochMillis(tok []byte, plain bool) (int64, error) {
	if plain && len(tok) <= 17 {
		var ms int64
		neg := tok[0] == '-'
		for _, c := range tok[btoi(neg):] {
			ms = ms*10 + int64(c-'0')
		}
		if neg {
			ms = -ms
		}
		if ms >= minEpochMillis && ms <= maxEpochMillis {
			return ms * 1000, nil
		}
	} else if v, err := types.ParseNumeric(string(tok)); err == nil {
		if v, err = types.NumericMul(v, types.NumericFromInt64(1000)); err == nil {
			if v, err = types.NumericRound(v, 0); err == nil {
				if us, err := v.Int64(); err == nil && us >= minEpochMillis*1000 && us <= maxEpochMillis*1000 {
					return us, nil
				}
			}
		}
	}
	return 0, sqlerr.New(sqlerr.DatetimeFieldOverflow, "timestamp out of range: \"%s\" (epoch milliseconds)", tok)
}

func btoi(b bool) int {
	if b {
		return 1
	}
	return 0
}
