package types

import (
	"math"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/runnel-db/runnel/exec/sqlerr"
)

// ParseText is PostgreSQL's input function for type t: it turns the text s into a Datum of t's Go
// type, applying t's modifiers (numeric(p,s) rounding, varchar(n) length). loc is the session
// TimeZone for timestamptz input without an explicit zone (nil: UTC). Errors are *sqlerr.Error with
// PostgreSQL's SQLSTATE and wording (22P02, 22003, 22007, 22008, 22001, 22023).
func ParseText(s string, t T, loc *time.Location) (Datum, error) {
	switch t.Kind {
	case Bool:
		return ParseBool(s)
	case Int16:
		return parseInt(s, "smallint", math.MinInt16, math.MaxInt16)
	case Int32:
		return parseInt(s, "integer", math.MinInt32, math.MaxInt32)
	case Int64:
		return parseInt(s, "bigint", math.MinInt64, math.MaxInt64)
	case Float32:
		f, err := parseFloatText(s, 32)
		return float64(float32(f)), err
	case Float64:
		return parseFloatText(s, 64)
	case Numeric:
		v, err := ParseNumeric(s)
		if err != nil {
			return nil, err
		}
		return NumericApplyTypmod(v, t.Precision, t.Scale)
	case Text, Unknown:
		return s, nil
	case Varchar:
		return ApplyVarcharLength(s, t.Precision, false)
	case Date:
		return ParseDate(s)
	case Timestamp:
		return ParseTimestamp(s)
	case TimestampTZ:
		return ParseTimestampTZ(s, loc)
	case Interval:
		return ParseInterval(s)
	case JSONB:
		return NormalizeJSONB(s)
	case Array:
		return parseArrayText(s, t, loc)
	case JSON:
		return ValidateJSON(s)
	}
	return nil, sqlerr.NotSupported("input of type " + t.String())
}

// ParseBool is PostgreSQL's boolin: t/true/y/yes/on/1 and f/false/n/no/off/0, case-insensitive,
// any unique prefix of the words, surrounding spaces ignored.
func ParseBool(s string) (bool, error) {
	v := strings.ToLower(strings.TrimSpace(s))
	if v != "" {
		switch v[0] {
		case 't':
			if strings.HasPrefix("true", v) {
				return true, nil
			}
		case 'f':
			if strings.HasPrefix("false", v) {
				return false, nil
			}
		case 'y':
			if strings.HasPrefix("yes", v) {
				return true, nil
			}
		case 'n':
			if strings.HasPrefix("no", v) {
				return false, nil
			}
		case 'o':
			if len(v) >= 2 && strings.HasPrefix("on", v) {
				return true, nil
			}
			if len(v) >= 2 && strings.HasPrefix("off", v) {
				return false, nil
			}
		case '1':
			if v == "1" {
				return true, nil
			}
		case '0':
			if v == "0" {
				return false, nil
			}
		}
	}
	return false, sqlerr.New(sqlerr.InvalidTextRepresentation, "invalid input syntax for type boolean: \"%s\"", s)
}

// parseInt is pg_strtoint16/32/64: optional spaces, sign, decimal digits, optional spaces.
func parseInt(s, name string, lo, hi int64) (int64, error) {
	i, n := 0, len(s)
	for i < n && isSpace(s[i]) {
		i++
	}
	for n > i && isSpace(s[n-1]) {
		n--
	}
	neg := false
	if i < n && (s[i] == '+' || s[i] == '-') {
		neg = s[i] == '-'
		i++
	}
	if i == n {
		return 0, sqlerr.New(sqlerr.InvalidTextRepresentation, "invalid input syntax for type %s: \"%s\"", name, s)
	}
	var u uint64
	overflow := false
	for ; i < n; i++ {
		c := s[i]
		if c < '0' || c > '9' {
			return 0, sqlerr.New(sqlerr.InvalidTextRepresentation, "invalid input syntax for type %s: \"%s\"", name, s)
		}
		if u > (math.MaxUint64-9)/10 {
			overflow = true
			continue
		}
		u = u*10 + uint64(c-'0')
	}
	var v int64
	switch {
	case overflow:
	case neg && u <= uint64(-(lo+1))+1:
		v = -int64(u-1) - 1
	case !neg && u <= uint64(hi):
		v = int64(u)
	default:
		overflow = true
	}
	if overflow {
		return 0, sqlerr.New(sqlerr.NumericValueOutOfRange, "value \"%s\" is out of range for type %s", s, name)
	}
	return v, nil
}

// ApplyVarcharLength coerces s to varchar(n) (n <= 0: unconstrained). An explicit cast truncates to
// n characters; an assignment or input accepts extra characters only if they are all spaces (which
// are dropped) and otherwise fails with 22001 "value too long for type character varying(n)".
func ApplyVarcharLength(s string, n int32, explicit bool) (string, error) {
	if n <= 0 || len(s) <= int(n) {
		return s, nil
	}
	if utf8.RuneCountInString(s) <= int(n) {
		return s, nil
	}
	// byte offset of the n-th character
	cut, count := 0, 0
	for cut = range s {
		if count == int(n) {
			break
		}
		count++
	}
	if explicit {
		return s[:cut], nil
	}
	if strings.Trim(s[cut:], " ") != "" {
		return "", sqlerr.New(sqlerr.StringDataRightTruncation, "value too long for type character varying(%d)", n)
	}
	return s[:cut], nil
}
