package expr

import (
	"crypto/md5"
	"encoding/hex"
	"math"
	"strings"
	"unicode"
	"unicode/utf8"

	"github.com/runnel-db/runnel/exec/sqlerr"
	"github.com/runnel-db/runnel/exec/types"
)

// RegisterFunc adds a scalar function for Call to resolve, evaluated row by row over Datums
// (args of the given types; the result a Datum of ret's Go type, nil for NULL). Unless lenient,
// NULL arguments yield NULL without calling f. It is meant for init-time registration by
// packages above exec (e.g. catalog functions such as pg_get_userbyid that close over the
// catalog) and is not safe to call concurrently with Call.
func RegisterFunc(name string, args []types.T, ret types.T, lenient bool,
	f func(ctx *Context, args []types.Datum) (types.Datum, error)) {
	kinds := make([]types.Kind, len(args))
	var regs []types.RegKind
	for i, a := range args {
		kinds[i] = a.Kind
		if a.Reg != types.RegNone {
			if regs == nil {
				regs = make([]types.RegKind, len(args))
			}
			regs[i] = a.Reg
		}
	}
	register(name, &overload{args: kinds, ret: ret, kernel: rowKernel(lenient, f), lenient: lenient, regs: regs})
}

func toTimestamp(_ *Context, a []types.Datum) (types.Datum, error) {
	f := a[0].(float64)
	switch {
	case math.IsNaN(f):
		return nil, sqlerr.New(sqlerr.DatetimeFieldOverflow, "timestamp cannot be NaN")
	case math.IsInf(f, 1):
		return types.TimestampInfinity, nil
	case math.IsInf(f, -1):
		return types.TimestampNegInfinity, nil
	}
	us := math.RoundToEven(f * 1e6)
	// PostgreSQL's range: 4713 BC to 294276 AD.
	if us < -211813488000000000 || us >= 9223371331200000000 {
		return nil, sqlerr.New(sqlerr.DatetimeFieldOverflow, "timestamp out of range: \"%s\"", types.AppendFloat64(nil, f))
	}
	return types.TimestampValue(int64(us)), nil
}

func chrFn(_ *Context, a []types.Datum) (types.Datum, error) {
	c := a[0].(int64)
	switch {
	case c == 0:
		return nil, sqlerr.New("54000", "null character not permitted")
	case c < 0:
		return nil, sqlerr.New(sqlerr.InvalidParameterValue, "character number must be positive")
	case c > unicode.MaxRune || (c >= 0xD800 && c <= 0xDFFF):
		return nil, sqlerr.New("54000", "requested character too large for encoding: %d", c)
	}
	return string(rune(c)), nil
}

func asciiFn(s string) int32 {
	if s == "" {
		return 0
	}
	r, _ := utf8.DecodeRuneInString(s)
	return int32(r)
}

func quoteIdent(s string) string {
	plain := s != "" && (s[0] == '_' || (s[0] >= 'a' && s[0] <= 'z'))
	for i := 0; plain && i < len(s); i++ {
		c := s[i]
		plain = c == '_' || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9')
	}
	if plain && !reservedWords[s] {
		return s
	}
	return `"` + strings.ReplaceAll(s, `"`, `""`) + `"`
}

// reservedWords are the SQL keywords quote_ident must quote (PostgreSQL's reserved and
// type/function-name keywords that are common in identifiers).
var reservedWords = map[string]bool{
	"all": true, "analyse": true, "analyze": true, "and": true, "any": true, "array": true, "as": true,
	"asc": true, "asymmetric": true, "both": true, "case": true, "cast": true, "check": true,
	"collate": true, "column": true, "constraint": true, "create": true, "current_catalog": true,
	"current_date": true, "current_role": true, "current_time": true, "current_timestamp": true,
	"current_user": true, "default": true, "deferrable": true, "desc": true, "distinct": true,
	"do": true, "else": true, "end": true, "except": true, "false": true, "fetch": true, "for": true,
	"foreign": true, "from": true, "grant": true, "group": true, "having": true, "in": true,
	"initially": true, "intersect": true, "into": true, "lateral": true, "leading": true, "limit": true,
	"localtime": true, "localtimestamp": true, "not": true, "null": true, "offset": true, "on": true,
	"only": true, "or": true, "order": true, "placing": true, "primary": true, "references": true,
	"returning": true, "select": true, "session_user": true, "some": true, "symmetric": true,
	"table": true, "then": true, "to": true, "trailing": true, "true": true, "union": true,
	"unique": true, "user": true, "using": true, "variadic": true, "when": true, "where": true,
	"window": true, "with": true,
}

func translateFn(_ *Context, a []types.Datum) (types.Datum, error) {
	s, from, to := a[0].(string), []rune(a[1].(string)), []rune(a[2].(string))
	var sb strings.Builder
	for _, r := range s {
		idx := -1
		for i, f := range from {
			if f == r {
				idx = i
				break
			}
		}
		switch {
		case idx < 0:
			sb.WriteRune(r)
		case idx < len(to):
			sb.WriteRune(to[idx])
		}
	}
	return sb.String(), nil
}

// regexpReplace is regexp_replace(source, pattern, replacement [, flags]) with PostgreSQL's
// replacement syntax (\1..\9 groups, \& the whole match) and flags g (all) and i (case-insensitive).
func regexpReplace(_ *Context, a []types.Datum) (types.Datum, error) {
	src, pat, rep := a[0].(string), a[1].(string), a[2].(string)
	global, fold := false, false
	if len(a) > 3 {
		for _, f := range a[3].(string) {
			switch f {
			case 'g':
				global = true
			case 'i':
				fold = true
			case 'c':
				fold = false
			default:
				return nil, sqlerr.New(sqlerr.InvalidParameterValue, "invalid regular expression option: \"%c\"", f)
			}
		}
	}
	re, err := compileRegex(pat, fold)
	if err != nil {
		return nil, err
	}
	limit := 1
	if global {
		limit = -1
	}
	var sb strings.Builder
	last := 0
	for _, m := range re.FindAllStringSubmatchIndex(src, limit) {
		sb.WriteString(src[last:m[0]])
		expandReplacement(&sb, rep, src, m)
		last = m[1]
	}
	sb.WriteString(src[last:])
	return sb.String(), nil
}

func expandReplacement(sb *strings.Builder, rep, src string, m []int) {
	for i := 0; i < len(rep); i++ {
		c := rep[i]
		if c != '\\' || i+1 == len(rep) {
			sb.WriteByte(c)
			continue
		}
		n := rep[i+1]
		switch {
		case n >= '1' && n <= '9':
			g := int(n - '0')
			if 2*g+1 < len(m) && m[2*g] >= 0 {
				sb.WriteString(src[m[2*g]:m[2*g+1]])
			}
		case n == '&':
			sb.WriteString(src[m[0]:m[1]])
		default:
			sb.WriteByte(n)
		}
		i++
	}
}

func init() {
	t := types.TextT
	register("to_timestamp", sig(types.TimestampTZT, rowKernel(false, toTimestamp), types.Float64))
	register("chr", sig(t, rowKernel(false, chrFn), types.Int32))
	register("ascii", sig(types.Int32T, strToInt(asciiFn), txt))
	register("bit_length", sig(types.Int32T, strToInt(func(s string) int32 { return int32(8 * len(s)) }), txt))
	register("md5", sig(t, strMap(func(s string) string {
		h := md5.Sum([]byte(s))
		return hex.EncodeToString(h[:])
	}), txt))
	register("quote_ident", sig(t, strMap(quoteIdent), txt))
	register("quote_literal", sig(t, strMap(func(s string) string {
		if strings.Contains(s, `\`) {
			return "E'" + strings.ReplaceAll(strings.ReplaceAll(s, `\`, `\\`), "'", "''") + "'"
		}
		return quoteLiteral(s)
	}), txt))
	register("translate", sig(t, rowKernel(false, translateFn), txt, txt, txt))
	register("regexp_replace",
		sig(t, rowKernel(false, regexpReplace), txt, txt, txt),
		sig(t, rowKernel(false, regexpReplace), txt, txt, txt, txt))
}
