package expr

import (
	"encoding/json"
	"strings"

	"github.com/runnel-db/runnel/exec/sqlerr"
	"github.com/runnel-db/runnel/exec/types"
)

// JSONB values are stored as their normalized text (exec/types), so a member's raw text is
// itself normalized jsonb: -> and ->> cut it out without re-serializing.

func skipSpace(s string, i int) int {
	for i < len(s) && (s[i] == ' ' || s[i] == '\t' || s[i] == '\n' || s[i] == '\r') {
		i++
	}
	return i
}

// skipValue returns the index just past the JSON value starting at s[i] (i at its first byte).
func skipValue(s string, i int) int {
	if i >= len(s) {
		return i
	}
	switch s[i] {
	case '"':
		i++
		for i < len(s) {
			switch s[i] {
			case '\\':
				i += 2
				continue
			case '"':
				return i + 1
			}
			i++
		}
		return i
	case '{', '[':
		depth := 0
		for i < len(s) {
			switch s[i] {
			case '"':
				i = skipValue(s, i)
				continue
			case '{', '[':
				depth++
			case '}', ']':
				depth--
				if depth == 0 {
					return i + 1
				}
			}
			i++
		}
		return i
	}
	for i < len(s) && !strings.ContainsRune(",}] \t\n\r", rune(s[i])) {
		i++
	}
	return i
}

// jsonField returns the raw text of member key of object doc, and whether it exists.
func jsonField(doc, key string) (string, bool) {
	i := skipSpace(doc, 0)
	if i >= len(doc) || doc[i] != '{' {
		return "", false
	}
	i++
	for {
		i = skipSpace(doc, i)
		if i >= len(doc) || doc[i] == '}' {
			return "", false
		}
		kEnd := skipValue(doc, i)
		var k string
		if err := json.Unmarshal([]byte(doc[i:kEnd]), &k); err != nil {
			return "", false
		}
		i = skipSpace(doc, kEnd)
		if i < len(doc) && doc[i] == ':' {
			i = skipSpace(doc, i+1)
		}
		vEnd := skipValue(doc, i)
		if k == key {
			return doc[i:vEnd], true
		}
		i = skipSpace(doc, vEnd)
		if i < len(doc) && doc[i] == ',' {
			i++
		}
	}
}

// jsonElem returns the raw text of element idx (negative: from the end) of array doc.
func jsonElem(doc string, idx int64) (string, bool) {
	i := skipSpace(doc, 0)
	if i >= len(doc) || doc[i] != '[' {
		return "", false
	}
	i++
	var elems []string
	for {
		i = skipSpace(doc, i)
		if i >= len(doc) || doc[i] == ']' {
			break
		}
		end := skipValue(doc, i)
		elems = append(elems, doc[i:end])
		i = skipSpace(doc, end)
		if i < len(doc) && doc[i] == ',' {
			i++
		}
	}
	if idx < 0 {
		idx += int64(len(elems))
	}
	if idx < 0 || idx >= int64(len(elems)) {
		return "", false
	}
	return elems[idx], true
}

// jsonText is ->>'s rendering of a member: strings unescaped, null as SQL NULL.
func jsonText(raw string) types.Datum {
	switch {
	case raw == "null":
		return nil
	case strings.HasPrefix(raw, `"`):
		var s string
		if err := json.Unmarshal([]byte(raw), &s); err == nil {
			return s
		}
	}
	return raw
}

func jsonArrow(text bool, byIndex bool) datumFn {
	return func(_ *Context, a []types.Datum) (types.Datum, error) {
		doc := a[0].(string)
		var raw string
		var ok bool
		if byIndex {
			raw, ok = jsonElem(doc, a[1].(int64))
		} else {
			raw, ok = jsonField(doc, a[1].(string))
		}
		if !ok {
			return nil, nil
		}
		if text {
			return jsonText(raw), nil
		}
		return raw, nil
	}
}

// jsonKind names the JSON type of raw for cast errors.
func jsonKind(raw string) string {
	switch {
	case raw == "null":
		return "null"
	case raw == "true" || raw == "false":
		return "boolean"
	case strings.HasPrefix(raw, `"`):
		return "string"
	case strings.HasPrefix(raw, "{"):
		return "object"
	case strings.HasPrefix(raw, "["):
		return "array"
	}
	return "numeric"
}

// jsonbCast converts a jsonb scalar to bool or a number type, as PostgreSQL's jsonb casts do.
func jsonbCast(tk types.Kind) kernel {
	to := types.T{Kind: tk}
	lo, hi := intBounds(tk)
	numConv := func(v types.NumericValue) (types.Datum, error) {
		switch tk {
		case types.Numeric:
			return v, nil
		case types.Float32:
			return float64(float32(v.Float64())), nil
		case types.Float64:
			return v.Float64(), nil
		}
		x, err := v.Int64()
		if err != nil || x < lo || x > hi {
			return nil, errIntRange(tk)
		}
		return x, nil
	}
	return rowKernel(false, func(_ *Context, a []types.Datum) (types.Datum, error) {
		raw := strings.TrimSpace(a[0].(string))
		kind := jsonKind(raw)
		switch {
		case tk == types.Bool && kind == "boolean":
			return raw == "true", nil
		case tk != types.Bool && kind == "numeric":
			v, err := types.ParseNumeric(raw)
			if err != nil {
				return nil, err
			}
			return numConv(v)
		}
		return nil, sqlerr.New(sqlerr.InvalidParameterValue, "cannot cast jsonb %s to type %s", kind, to)
	})
}

func init() {
	j := types.JSONB
	// Registered so that resolution matches PostgreSQL (e.g. jsonb || '...' is jsonb concatenation,
	// not text); evaluation is not implemented.
	register("||", sig(types.JSONBT, notSupportedKernel("jsonb || jsonb"), j, j))
	register("-",
		sig(types.JSONBT, notSupportedKernel("jsonb - text"), j, txt),
		sig(types.JSONBT, notSupportedKernel("jsonb - integer"), j, types.Int32))
	for _, op := range []string{"<", "<=", ">", ">="} {
		register(op, sig(types.BoolT, notSupportedKernel("jsonb ordering"), j, j))
	}
	register("->",
		sig(types.JSONBT, rowKernel(false, jsonArrow(false, false)), j, txt),
		sig(types.JSONBT, rowKernel(false, jsonArrow(false, true)), j, types.Int32))
	register("->>",
		sig(types.TextT, rowKernel(false, jsonArrow(true, false)), j, txt),
		sig(types.TextT, rowKernel(false, jsonArrow(true, true)), j, types.Int32))
}
