package sql

import (
	"strconv"
	"strings"
	"unicode/utf8"

	"github.com/runnel-db/runnel/exec/sqlerr"
)

// The lexer of the front parser (runnel.go, source.go).

// tokKind classifies tokens.
type tokKind uint8

const (
	tokEOF    tokKind = iota // end of the statement (trailing semicolons included)
	tokError                 // a lexical error: the rest of the statement cannot be lexed
	tokWord                  // an unquoted identifier or keyword, as written
	tokIdent                 // a "quoted identifier"; text is the name, quotes removed
	tokString                // a string constant ('…', E'…', $$…$$); text is its value
	tokNumber                // a numeric constant, as written
	tokParam                 // a parameter, $1
	tokOp                    // punctuation or an operator, as written
)

// token is one lexical token of a statement; pos and end are byte offsets into the statement.
type token struct {
	kind     tokKind
	text     string
	pos, end int
	err      *sqlerr.Error // tokError only
}

// name returns the identifier a word or quoted identifier stands for: unquoted words fold to
// lower case.
func (t token) name() string {
	if t.kind == tokWord {
		return asciiLower(t.text)
	}
	return t.text
}

// lexer splits statement text into tokens as PostgreSQL's scanner does (standard-conforming
// strings), skipping whitespace and comments, which nest as in PostgreSQL.
type lexer struct {
	text string
	off  int
}

func (lx *lexer) errorAt(pos int, format string) token {
	msg := format + " at or near \"" + lx.text[pos:] + "\""
	return token{kind: tokError, pos: pos, end: len(lx.text), err: sqlerr.New(sqlerr.SyntaxError, "%s", msg).At(Position(lx.text, pos))}
}

// next returns the next token. Semicolons followed only by semicolons, whitespace and comments
// end the statement: they are returned as tokEOF.
func (lx *lexer) next() token {
	if t, ok := lx.skipSpace(); !ok {
		return t
	}
	s, start := lx.text, lx.off
	if start == len(s) {
		return token{kind: tokEOF, pos: start, end: start}
	}
	c := s[start]
	var t token
	switch {
	case c == '\'':
		t = lx.quoted(start, start+1, false)
	case (c == 'e' || c == 'E') && start+1 < len(s) && s[start+1] == '\'':
		t = lx.quoted(start, start+2, true)
	case c == '"':
		t = lx.quotedIdent(start)
	case c == '$':
		t = lx.dollar(start)
	case isDigit(c) || c == '.' && start+1 < len(s) && isDigit(s[start+1]):
		t = lx.number(start)
	case isIdentStart(c):
		i := start + 1
		for i < len(s) && isIdentCont(s[i]) {
			i++
		}
		t = token{kind: tokWord, text: s[start:i], pos: start, end: i}
	case strings.IndexByte(opChars, c) >= 0:
		t = lx.operator(start)
	default: // ( ) , ; . [ ] : and anything PostgreSQL would reject: one byte each
		_, n := utf8.DecodeRuneInString(s[start:])
		t = token{kind: tokOp, text: s[start : start+n], pos: start, end: start + n}
	}
	if t.kind == tokError {
		lx.off = len(s)
		return t
	}
	lx.off = t.end
	if t.kind == tokOp && t.text == ";" {
		save := lx.off
		for {
			if _, ok := lx.skipSpace(); !ok || lx.off == len(s) || s[lx.off] != ';' {
				break
			}
			lx.off++
		}
		if lx.off == len(s) {
			return token{kind: tokEOF, pos: start, end: start}
		}
		lx.off = save
	}
	return t
}

// skipSpace skips whitespace and comments; ok is false on an unterminated /* comment.
func (lx *lexer) skipSpace() (token, bool) {
	s := lx.text
	for lx.off < len(s) {
		switch c := s[lx.off]; {
		case c == ' ' || c == '\t' || c == '\n' || c == '\r' || c == '\f' || c == '\v':
			lx.off++
		case strings.HasPrefix(s[lx.off:], "--"):
			i := strings.IndexByte(s[lx.off:], '\n')
			if i < 0 {
				lx.off = len(s)
			} else {
				lx.off += i + 1
			}
		case strings.HasPrefix(s[lx.off:], "/*"):
			start, depth := lx.off, 0
			for {
				switch {
				case lx.off >= len(s):
					return lx.errorAt(start, "unterminated /* comment"), false
				case strings.HasPrefix(s[lx.off:], "/*"):
					depth++
					lx.off += 2
				case strings.HasPrefix(s[lx.off:], "*/"):
					depth--
					lx.off += 2
				default:
					lx.off++
				}
				if depth == 0 {
					break
				}
			}
		default:
			return token{}, true
		}
	}
	return token{}, true
}

// quoted lexes a string constant whose body starts at body; escapes is true for E'…'.
func (lx *lexer) quoted(start, body int, escapes bool) token {
	s := lx.text
	var b strings.Builder
	for i := body; i < len(s); {
		switch c := s[i]; {
		case c == '\'' && i+1 < len(s) && s[i+1] == '\'':
			b.WriteByte('\'')
			i += 2
		case c == '\'':
			return token{kind: tokString, text: b.String(), pos: start, end: i + 1}
		case c == '\\' && escapes:
			n, err := unescape(&b, s[i:])
			if err != "" {
				return token{kind: tokError, pos: i, end: i + n, err: sqlerr.New(sqlerr.SyntaxError, "%s", err).At(Position(s, i))}
			}
			i += n
		default:
			b.WriteByte(c)
			i++
		}
	}
	return lx.errorAt(start, "unterminated quoted string")
}

// unescape decodes the backslash escape at the start of s (as in E'…' strings) into b and returns
// the number of bytes it took, or an error message.
func unescape(b *strings.Builder, s string) (int, string) {
	if len(s) < 2 {
		return len(s), "unterminated quoted string"
	}
	digits := func(from, max int, ok func(byte) bool) string {
		j := from
		for j < len(s) && j-from < max && ok(s[j]) {
			j++
		}
		return s[from:j]
	}
	switch c := s[1]; c {
	case 'b':
		b.WriteByte('\b')
	case 'f':
		b.WriteByte('\f')
	case 'n':
		b.WriteByte('\n')
	case 'r':
		b.WriteByte('\r')
	case 't':
		b.WriteByte('\t')
	case 'x':
		h := digits(2, 2, isHexDigit)
		if h == "" {
			b.WriteByte('x')
			return 2, ""
		}
		v, _ := strconv.ParseUint(h, 16, 8)
		b.WriteByte(byte(v))
		return 2 + len(h), ""
	case 'u', 'U':
		n := 4
		if c == 'U' {
			n = 8
		}
		h := digits(2, n, isHexDigit)
		v, _ := strconv.ParseUint(h, 16, 32)
		if len(h) != n || !utf8.ValidRune(rune(v)) || v == 0 {
			return 2 + len(h), "invalid Unicode escape value"
		}
		b.WriteRune(rune(v))
		return 2 + n, ""
	default:
		if o := digits(1, 3, func(c byte) bool { return c >= '0' && c <= '7' }); o != "" {
			v, _ := strconv.ParseUint(o, 8, 16)
			b.WriteByte(byte(v))
			return 1 + len(o), ""
		}
		r, n := utf8.DecodeRuneInString(s[1:])
		b.WriteRune(r)
		return 1 + n, ""
	}
	return 2, ""
}

func (lx *lexer) quotedIdent(start int) token {
	s := lx.text
	var b strings.Builder
	for i := start + 1; i < len(s); i++ {
		if s[i] == '"' {
			if i+1 < len(s) && s[i+1] == '"' {
				b.WriteByte('"')
				i++
				continue
			}
			if b.Len() == 0 {
				return token{kind: tokError, pos: start, end: i + 1,
					err: sqlerr.New(sqlerr.SyntaxError, "zero-length delimited identifier at or near \"\"\"\"").At(Position(s, start))}
			}
			return token{kind: tokIdent, text: b.String(), pos: start, end: i + 1}
		}
		b.WriteByte(s[i])
	}
	return lx.errorAt(start, "unterminated quoted identifier")
}

// dollar lexes $1 or a dollar-quoted string $tag$…$tag$; a lone $ is an operator-like token.
func (lx *lexer) dollar(start int) token {
	s := lx.text
	i := start + 1
	if i < len(s) && isDigit(s[i]) {
		for i < len(s) && isDigit(s[i]) {
			i++
		}
		return token{kind: tokParam, text: s[start:i], pos: start, end: i}
	}
	if i < len(s) && isIdentStart(s[i]) {
		for i < len(s) && isIdentCont(s[i]) && s[i] != '$' {
			i++
		}
	}
	if i >= len(s) || s[i] != '$' {
		return token{kind: tokOp, text: "$", pos: start, end: start + 1}
	}
	tag := s[start : i+1]
	j := strings.Index(s[i+1:], tag)
	if j < 0 {
		return lx.errorAt(start, "unterminated dollar-quoted string")
	}
	return token{kind: tokString, text: s[i+1 : i+1+j], pos: start, end: i + 1 + j + len(tag)}
}

// number lexes a numeric constant: decimal with optional fraction and exponent, or 0x/0o/0b.
func (lx *lexer) number(start int) token {
	s := lx.text
	i := start
	run := func(ok func(byte) bool) {
		for i < len(s) && (ok(s[i]) || s[i] == '_' && i+1 < len(s) && ok(s[i+1])) {
			i++
		}
	}
	if s[i] == '0' && i+1 < len(s) && strings.IndexByte("xXoObB", s[i+1]) >= 0 {
		i += 2
		run(isHexDigit)
	} else {
		run(isDigit)
		if i < len(s) && s[i] == '.' && !(i+1 < len(s) && s[i+1] == '.') {
			i++
			run(isDigit)
		}
		if i < len(s) && (s[i] == 'e' || s[i] == 'E') {
			j := i + 1
			if j < len(s) && (s[j] == '+' || s[j] == '-') {
				j++
			}
			if j < len(s) && isDigit(s[j]) {
				i = j
				run(isDigit)
			}
		}
	}
	if i < len(s) && isIdentStart(s[i]) {
		j := i
		for j < len(s) && isIdentCont(s[j]) {
			j++
		}
		return token{kind: tokError, pos: start, end: j,
			err: sqlerr.New(sqlerr.SyntaxError, "trailing junk after numeric literal at or near \"%s\"", s[start:j]).At(Position(s, start))}
	}
	return token{kind: tokNumber, text: s[start:i], pos: start, end: i}
}

// opChars are the characters PostgreSQL operators are made of.
const opChars = "~!@#^&|`?+-*/%<>="

// operator lexes an operator as PostgreSQL does: the longest run of operator characters, not
// running into a comment, and not ending in + or - unless it holds one of ~!@#^&|`?%.
func (lx *lexer) operator(start int) token {
	s := lx.text
	i := start
	for i < len(s) && strings.IndexByte(opChars, s[i]) >= 0 {
		if i > start && (strings.HasPrefix(s[i:], "--") || strings.HasPrefix(s[i:], "/*")) {
			break
		}
		i++
	}
	if i-start > 1 && !strings.ContainsAny(s[start:i], "~!@#^&|`?%") {
		for i-start > 1 && (s[i-1] == '+' || s[i-1] == '-') {
			i--
		}
	}
	return token{kind: tokOp, text: s[start:i], pos: start, end: i}
}

func isDigit(c byte) bool    { return c >= '0' && c <= '9' }
func isHexDigit(c byte) bool { return isDigit(c) || c >= 'a' && c <= 'f' || c >= 'A' && c <= 'F' }
func isIdentStart(c byte) bool {
	return c == '_' || c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c >= 0x80
}
func isIdentCont(c byte) bool { return isIdentStart(c) || isDigit(c) || c == '$' }

// asciiLower folds ASCII letters to lower case, as PostgreSQL folds unquoted identifiers.
func asciiLower(s string) string {
	for i := 0; i < len(s); i++ {
		if c := s[i]; c >= 'A' && c <= 'Z' {
			b := []byte(s)
			for j := i; j < len(b); j++ {
				if b[j] >= 'A' && b[j] <= 'Z' {
					b[j] += 'a' - 'A'
				}
			}
			return string(b)
		}
	}
	return s
}

func asciiUpper(s string) string {
	for i := 0; i < len(s); i++ {
		if c := s[i]; c >= 'a' && c <= 'z' {
			b := []byte(s)
			for j := i; j < len(b); j++ {
				if b[j] >= 'a' && b[j] <= 'z' {
					b[j] -= 'a' - 'A'
				}
			}
			return string(b)
		}
	}
	return s
}
