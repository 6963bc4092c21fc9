package types

import (
	"sort"
	"strconv"
	"unicode/utf16"
	"unicode/utf8"

	"github.com/runnel-db/runnel/exec/sqlerr"
)

// JSONB values are stored as their normalized text: the output PostgreSQL's jsonb_out gives, so
// equal documents have equal bytes. Normalization: ", " and ": " separators, object keys ordered by
// length then bytes, the last of duplicate keys kept, numbers printed as numeric (1e2 → 100,
// -0 → 0, 1.50 kept), strings re-escaped.

// jsonKind orders JSON values as jsonb comparison does: null < string < number < boolean < array < object.
type jsonKind uint8

const (
	jsonNull jsonKind = iota
	jsonString
	jsonNumber
	jsonBool
	jsonArray
	jsonObject
)

type jsonNode struct {
	kind  jsonKind
	str   string // string value, or key
	b     bool
	num   decimalParts
	items []jsonNode // array elements, or object values
	keys  []string   // object keys, parallel to items
	raw   bool       // a top-level scalar wrapped as a pseudo array (comparison only)
}

type jsonParser struct {
	s     []byte
	pos   int
	depth int
}

const maxJSONDepth = 6400

func jsonSyntax(detail string) error {
	e := sqlerr.New(sqlerr.InvalidTextRepresentation, "invalid input syntax for type json")
	e.Detail = detail
	return e
}

func (p *jsonParser) skipSpace() {
	for p.pos < len(p.s) {
		switch p.s[p.pos] {
		case ' ', '\t', '\n', '\r':
			p.pos++
		default:
			return
		}
	}
}

// token returns the text PostgreSQL's lexer would report at the current position.
func (p *jsonParser) token() string {
	if p.pos >= len(p.s) {
		return ""
	}
	switch c := p.s[p.pos]; c {
	case '{', '}', '[', ']', ',', ':':
		return string(c)
	}
	end := p.pos
	for end < len(p.s) {
		switch p.s[end] {
		case ' ', '\t', '\n', '\r', ',', ':', '{', '}', '[', ']':
			return string(p.s[p.pos:end])
		}
		end++
	}
	return string(p.s[p.pos:end])
}

func (p *jsonParser) unexpected(expected string) error {
	if p.pos >= len(p.s) {
		return jsonSyntax("The input string ended unexpectedly.")
	}
	c := p.s[p.pos]
	if expected == "JSON value" && c != '{' && c != '}' && c != '[' && c != ']' && c != ',' && c != ':' {
		return jsonSyntax("Token \"" + p.token() + "\" is invalid.")
	}
	return jsonSyntax("Expected " + expected + ", but found \"" + p.token() + "\".")
}

func (p *jsonParser) value() (jsonNode, error) {
	p.skipSpace()
	if p.pos >= len(p.s) {
		return jsonNode{}, jsonSyntax("The input string ended unexpectedly.")
	}
	switch c := p.s[p.pos]; {
	case c == '{':
		return p.object()
	case c == '[':
		return p.array()
	case c == '"':
		s, err := p.str()
		return jsonNode{kind: jsonString, str: s}, err
	case c == '-' || (c >= '0' && c <= '9'):
		return p.number()
	default:
		tok := p.token()
		switch tok {
		case "true", "false":
			p.pos += len(tok)
			return jsonNode{kind: jsonBool, b: tok == "true"}, nil
		case "null":
			p.pos += len(tok)
			return jsonNode{kind: jsonNull}, nil
		}
		return jsonNode{}, p.unexpected("JSON value")
	}
}

func (p *jsonParser) number() (jsonNode, error) {
	start := p.pos
	tok := p.token()
	i := start
	if p.s[i] == '-' {
		i++
	}
	digits := func() int {
		n := 0
		for i < len(p.s) && p.s[i] >= '0' && p.s[i] <= '9' {
			i++
			n++
		}
		return n
	}
	ok := true
	if i < len(p.s) && p.s[i] == '0' {
		i++
	} else if digits() == 0 {
		ok = false
	}
	if ok && i < len(p.s) && p.s[i] == '.' {
		i++
		ok = digits() > 0
	}
	if ok && i < len(p.s) && (p.s[i] == 'e' || p.s[i] == 'E') {
		i++
		if i < len(p.s) && (p.s[i] == '+' || p.s[i] == '-') {
			i++
		}
		ok = digits() > 0
	}
	if !ok || i != start+len(tok) {
		return jsonNode{}, jsonSyntax("Token \"" + tok + "\" is invalid.")
	}
	parts, _ := splitDecimal(p.s[start:i])
	p.pos = i
	return jsonNode{kind: jsonNumber, num: parts}, nil
}

func hexVal(c byte) int {
	switch {
	case c >= '0' && c <= '9':
		return int(c - '0')
	case c >= 'a' && c <= 'f':
		return int(c-'a') + 10
	case c >= 'A' && c <= 'F':
		return int(c-'A') + 10
	}
	return -1
}

func (p *jsonParser) hex4(at int) (rune, bool) {
	if at+4 > len(p.s) {
		return 0, false
	}
	var r rune
	for k := 0; k < 4; k++ {
		h := hexVal(p.s[at+k])
		if h < 0 {
			return 0, false
		}
		r = r<<4 | rune(h)
	}
	return r, true
}

func (p *jsonParser) str() (string, error) {
	start := p.pos
	p.pos++ // opening quote
	var out []byte
	for p.pos < len(p.s) {
		c := p.s[p.pos]
		switch {
		case c == '"':
			p.pos++
			if out == nil {
				return string(p.s[start+1 : p.pos-1]), nil
			}
			return string(out), nil
		case c < 0x20:
			return "", jsonSyntax("Character with value 0x" + strconv.FormatUint(uint64(c)|0x100, 16)[1:] + " must be escaped.")
		case c == '\\':
			if out == nil {
				out = append([]byte{}, p.s[start+1:p.pos]...)
			}
			if p.pos+1 >= len(p.s) {
				p.pos = len(p.s)
				return "", jsonSyntax("The input string ended unexpectedly.")
			}
			e := p.s[p.pos+1]
			p.pos += 2
			switch e {
			case '"', '\\', '/':
				out = append(out, e)
			case 'b':
				out = append(out, '\b')
			case 'f':
				out = append(out, '\f')
			case 'n':
				out = append(out, '\n')
			case 'r':
				out = append(out, '\r')
			case 't':
				out = append(out, '\t')
			case 'u':
				r, ok := p.hex4(p.pos)
				if !ok {
					return "", jsonSyntax("\"\\u\" must be followed by four hexadecimal digits.")
				}
				p.pos += 4
				if r == 0 {
					e := sqlerr.New("22P05", "unsupported Unicode escape sequence")
					e.Detail = "\\u0000 cannot be converted to text."
					return "", e
				}
				if utf16.IsSurrogate(r) {
					r2, ok := rune(0), false
					if r < 0xDC00 && p.pos+6 <= len(p.s) && p.s[p.pos] == '\\' && p.s[p.pos+1] == 'u' {
						r2, ok = p.hex4(p.pos + 2)
					}
					if !ok || r2 < 0xDC00 || r2 > 0xDFFF {
						if ok && r2 >= 0xD800 && r2 < 0xDC00 {
							return "", jsonSyntax("Unicode high surrogate must not follow a high surrogate.")
						}
						return "", jsonSyntax("Unicode low surrogate must follow a high surrogate.")
					}
					p.pos += 6
					r = utf16.DecodeRune(r, r2)
				}
				out = utf8.AppendRune(out, r)
			default:
				return "", jsonSyntax("Escape sequence \"\\" + string(e) + "\" is invalid.")
			}
		default:
			if out != nil {
				out = append(out, c)
			}
			p.pos++
		}
	}
	p.pos = start
	return "", jsonSyntax("Token \"" + p.token() + "\" is invalid.")
}

func (p *jsonParser) enter() error {
	p.depth++
	if p.depth > maxJSONDepth {
		return sqlerr.New("54001", "stack depth limit exceeded")
	}
	return nil
}

func (p *jsonParser) array() (jsonNode, error) {
	if err := p.enter(); err != nil {
		return jsonNode{}, err
	}
	p.pos++
	n := jsonNode{kind: jsonArray}
	p.skipSpace()
	if p.pos < len(p.s) && p.s[p.pos] == ']' {
		p.pos++
		p.depth--
		return n, nil
	}
	for {
		v, err := p.value()
		if err != nil {
			return n, err
		}
		n.items = append(n.items, v)
		p.skipSpace()
		if p.pos < len(p.s) && p.s[p.pos] == ',' {
			p.pos++
			continue
		}
		if p.pos < len(p.s) && p.s[p.pos] == ']' {
			p.pos++
			p.depth--
			return n, nil
		}
		return n, p.unexpected("\",\" or \"]\"")
	}
}

func (p *jsonParser) object() (jsonNode, error) {
	if err := p.enter(); err != nil {
		return jsonNode{}, err
	}
	p.pos++
	n := jsonNode{kind: jsonObject}
	p.skipSpace()
	if p.pos < len(p.s) && p.s[p.pos] == '}' {
		p.pos++
		p.depth--
		return n, nil
	}
	expectKey := "string or \"}\""
	for {
		p.skipSpace()
		if p.pos >= len(p.s) || p.s[p.pos] != '"' {
			return n, p.unexpected(expectKey)
		}
		k, err := p.str()
		if err != nil {
			return n, err
		}
		p.skipSpace()
		if p.pos >= len(p.s) || p.s[p.pos] != ':' {
			return n, p.unexpected("\":\"")
		}
		p.pos++
		v, err := p.value()
		if err != nil {
			return n, err
		}
		n.keys = append(n.keys, k)
		n.items = append(n.items, v)
		p.skipSpace()
		if p.pos < len(p.s) && p.s[p.pos] == ',' {
			p.pos++
			expectKey = "string"
			continue
		}
		if p.pos < len(p.s) && p.s[p.pos] == '}' {
			p.pos++
			p.depth--
			n.normalizeObject()
			return n, nil
		}
		return n, p.unexpected("\",\" or \"}\"")
	}
}

// normalizeObject orders keys by length then bytes and keeps the last of duplicates.
func (n *jsonNode) normalizeObject() {
	idx := make([]int, len(n.keys))
	for i := range idx {
		idx[i] = i
	}
	sort.SliceStable(idx, func(a, b int) bool { return jsonKeyLess(n.keys[idx[a]], n.keys[idx[b]]) })
	keys := make([]string, 0, len(idx))
	items := make([]jsonNode, 0, len(idx))
	for j, i := range idx {
		if j+1 < len(idx) && n.keys[idx[j+1]] == n.keys[i] {
			continue // a later duplicate follows (stable sort keeps input order)
		}
		keys = append(keys, n.keys[i])
		items = append(items, n.items[i])
	}
	n.keys, n.items = keys, items
}

func jsonKeyLess(a, b string) bool {
	if len(a) != len(b) {
		return len(a) < len(b)
	}
	return a < b
}

func parseJSON(s string) (jsonNode, error) {
	p := jsonParser{s: []byte(s)}
	v, err := p.value()
	if err != nil {
		return v, err
	}
	p.skipSpace()
	if p.pos < len(p.s) {
		return v, p.unexpected("end of input")
	}
	return v, nil
}

// NormalizeJSONB validates s as JSON and returns jsonb's normalized text; 22P02 "invalid input
// syntax for type json" (with PostgreSQL's detail) on bad input.
func NormalizeJSONB(s string) (string, error) {
	v, err := parseJSON(s)
	if err != nil {
		return "", err
	}
	return string(v.appendText(make([]byte, 0, len(s)+8))), nil
}

// ValidateJSON checks s as json input: it returns s unchanged (json keeps its text as written), or
// the same 22P02 error as NormalizeJSONB.
func ValidateJSON(s string) (string, error) {
	if _, err := parseJSON(s); err != nil {
		return "", err
	}
	return s, nil
}

// AppendJSONString appends s as a JSON string literal, escaped as PostgreSQL's escape_json does.
func AppendJSONString(dst []byte, s string) []byte { return appendJSONString(dst, s) }

func (n *jsonNode) appendText(dst []byte) []byte {
	switch n.kind {
	case jsonNull:
		return append(dst, "null"...)
	case jsonBool:
		if n.b {
			return append(dst, "true"...)
		}
		return append(dst, "false"...)
	case jsonNumber:
		return n.num.appendText(dst)
	case jsonString:
		return appendJSONString(dst, n.str)
	case jsonArray:
		dst = append(dst, '[')
		for i := range n.items {
			if i > 0 {
				dst = append(dst, ", "...)
			}
			dst = n.items[i].appendText(dst)
		}
		return append(dst, ']')
	}
	dst = append(dst, '{')
	for i := range n.items {
		if i > 0 {
			dst = append(dst, ", "...)
		}
		dst = appendJSONString(dst, n.keys[i])
		dst = append(dst, ": "...)
		dst = n.items[i].appendText(dst)
	}
	return append(dst, '}')
}

// appendJSONString is PostgreSQL's escape_json.
func appendJSONString(dst []byte, s string) []byte {
	dst = append(dst, '"')
	for i := 0; i < len(s); i++ {
		c := s[i]
		switch c {
		case '"':
			dst = append(dst, '\\', '"')
		case '\\':
			dst = append(dst, '\\', '\\')
		case '\b':
			dst = append(dst, '\\', 'b')
		case '\f':
			dst = append(dst, '\\', 'f')
		case '\n':
			dst = append(dst, '\\', 'n')
		case '\r':
			dst = append(dst, '\\', 'r')
		case '\t':
			dst = append(dst, '\\', 't')
		default:
			if c < 0x20 {
				const hex = "0123456789abcdef"
				dst = append(dst, '\\', 'u', '0', '0', hex[c>>4], hex[c&15])
			} else {
				dst = append(dst, c)
			}
		}
	}
	return append(dst, '"')
}
