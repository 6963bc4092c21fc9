package sql

import (
	"strconv"
	"strings"
	"unicode/utf8"

	"github.com/runnel-db/runnel/exec/sqlerr"
)

// ObjectKind names a kind of catalog object in Runnel's own statements.
type ObjectKind string

// Object kinds.
const (
	KindTable            ObjectKind = "TABLE"
	KindView             ObjectKind = "VIEW"
	KindMaterializedView ObjectKind = "MATERIALIZED VIEW"
	KindSource           ObjectKind = "SOURCE"
)

// ShowObjects is SHOW TABLES | VIEWS | MATERIALIZED VIEWS | SOURCES.
type ShowObjects struct{ Kind ObjectKind }

// ShowCreate is SHOW CREATE TABLE | VIEW | MATERIALIZED VIEW | SOURCE name.
type ShowCreate struct {
	Kind ObjectKind
	// Name is the possibly schema-qualified name, unquoted parts folded as identifiers are.
	Name []string
}

// Flush is FLUSH: wait until every pending change is committed (a no-op with read-your-writes).
type Flush struct{}

// parseRunnel recognizes Runnel's own statements. ok is false when text is not one of them; then
// err is nil and the statement belongs to the PostgreSQL parser, which also reports any lexical
// error in it. Once a statement is known to be Runnel's (ok is true), its errors are returned as
// *sqlerr.Error with a position.
//
// Only the first word is lexed for statements that cannot be Runnel's, so big INSERTs cost next
// to nothing here.
func parseRunnel(text string) (stmt any, ok bool, err error) {
	p := newParser(text)
	switch p.word(0) {
	case "FLUSH":
		if p.peek(1).kind == tokEOF {
			return &Flush{}, true, nil
		}
	case "SHOW":
		return p.parseShow()
	case "CREATE":
		return p.parseCreate()
	case "DROP":
		if p.word(1) == "SOURCE" {
			p.i = 2
			return runnel(p.parseDropSource())
		}
	}
	return nil, false, nil
}

// runnel returns the result of parsing a statement known to be Runnel's, with a nil stmt (not a
// typed nil) on error.
func runnel[T any](stmt *T, err error) (any, bool, error) {
	if err != nil {
		return nil, true, err
	}
	return stmt, true, nil
}

// parseShow parses SHOW TABLES | VIEWS | MATERIALIZED VIEWS | SOURCES and SHOW CREATE kind name.
// Other SHOW statements (SHOW search_path, …) are PostgreSQL's.
func (p *parser) parseShow() (any, bool, error) {
	list := func(n int, kind ObjectKind) (any, bool, error) {
		if p.peek(n).kind != tokEOF {
			return nil, false, nil
		}
		return &ShowObjects{Kind: kind}, true, nil
	}
	switch {
	case p.word(1) == "TABLES":
		return list(2, KindTable)
	case p.word(1) == "VIEWS":
		return list(2, KindView)
	case p.word(1) == "SOURCES":
		return list(2, KindSource)
	case p.word(1) == "MATERIALIZED" && p.word(2) == "VIEWS":
		return list(3, KindMaterializedView)
	case p.word(1) != "CREATE":
		return nil, false, nil
	}
	var kind ObjectKind
	switch {
	case p.word(2) == "TABLE":
		kind, p.i = KindTable, 3
	case p.word(2) == "VIEW":
		kind, p.i = KindView, 3
	case p.word(2) == "SOURCE":
		kind, p.i = KindSource, 3
	case p.word(2) == "MATERIALIZED" && p.word(3) == "VIEW":
		kind, p.i = KindMaterializedView, 4
	case p.word(2) == "MATERIALIZED":
		return nil, true, p.syntaxError(p.peek(3))
	default:
		return nil, true, p.syntaxError(p.peek(2))
	}
	name, err := p.qualifiedName()
	if err != nil {
		return nil, true, err
	}
	if err := p.expectEOF(); err != nil {
		return nil, true, err
	}
	return &ShowCreate{Kind: kind, Name: name}, true, nil
}

// parser reads the tokens of one statement. Tokens are lexed on demand, so that looking at the
// first words of a statement that is not Runnel's costs nothing more.
type parser struct {
	text string
	lx   lexer
	toks []token // lexed so far; the last one is tokEOF or tokError once the end is reached
	i    int     // the next token to consume
}

func newParser(text string) *parser {
	return &parser{text: text, lx: lexer{text: text}}
}

// peek returns the token n places after the current one (tokEOF or tokError past the end).
func (p *parser) peek(n int) token {
	for len(p.toks) <= p.i+n {
		if k := len(p.toks); k > 0 && (p.toks[k-1].kind == tokEOF || p.toks[k-1].kind == tokError) {
			return p.toks[k-1]
		}
		p.toks = append(p.toks, p.lx.next())
	}
	return p.toks[p.i+n]
}

// next consumes and returns the current token.
func (p *parser) next() token {
	t := p.peek(0)
	if t.kind != tokEOF && t.kind != tokError {
		p.i++
	}
	return t
}

// word returns the upper-cased n-th token from the current one if it is an unquoted word, else "".
func (p *parser) word(n int) string {
	if t := p.peek(n); t.kind == tokWord {
		return asciiUpper(t.text)
	}
	return ""
}

// acceptWords consumes the given sequence of unquoted words if the next tokens are exactly it.
func (p *parser) acceptWords(words ...string) bool {
	for k, w := range words {
		if p.word(k) != w {
			return false
		}
	}
	p.i += len(words)
	return true
}

// acceptOp consumes the punctuation or operator op if it is next.
func (p *parser) acceptOp(op string) bool {
	if t := p.peek(0); t.kind == tokOp && t.text == op {
		p.i++
		return true
	}
	return false
}

// expectOp consumes op or fails with a syntax error at the token found instead.
func (p *parser) expectOp(op string) (token, error) {
	t := p.peek(0)
	if t.kind != tokOp || t.text != op {
		return t, p.syntaxError(t)
	}
	p.i++
	return t, nil
}

func (p *parser) expectEOF() error {
	if t := p.peek(0); t.kind != tokEOF {
		return p.syntaxError(t)
	}
	return nil
}

// syntaxError is PostgreSQL's error for an unexpected token: 42601, "syntax error at or near "X""
// (or "at end of input"), positioned at the token. A lexical error is returned as it is.
func (p *parser) syntaxError(t token) error {
	switch t.kind {
	case tokError:
		return t.err
	case tokEOF:
		return sqlerr.New(sqlerr.SyntaxError, "syntax error at end of input").At(Position(p.text, len(p.text)))
	}
	return sqlerr.New(sqlerr.SyntaxError, "syntax error at or near \"%s\"", p.text[t.pos:t.end]).At(Position(p.text, t.pos))
}

// at positions e at token t.
func (p *parser) at(e *sqlerr.Error, t token) error { return e.At(Position(p.text, t.pos)) }

// qualifiedName reads name, schema.name or catalog.schema.name, folding unquoted parts as
// identifiers are. As in PostgreSQL, the first part cannot be a reserved keyword unquoted.
func (p *parser) qualifiedName() ([]string, error) {
	var parts []string
	for {
		t := p.peek(0)
		switch {
		case t.kind == tokIdent:
		case t.kind == tokWord && (len(parts) > 0 || !reservedKeywords[asciiLower(t.text)]):
		default:
			return nil, p.syntaxError(t)
		}
		p.i++
		parts = append(parts, t.name())
		if len(parts) > 3 {
			return nil, p.at(sqlerr.New(sqlerr.SyntaxError, "improper qualified name (too many dotted names): %s", strings.Join(parts, ".")), t)
		}
		if !p.acceptOp(".") {
			return parts, nil
		}
	}
}

// reservedKeywords are PostgreSQL 17's reserved and type-or-function-name keywords: the words that
// cannot name a relation unquoted (kwlist.h, RESERVED_KEYWORD and TYPE_FUNC_NAME_KEYWORD).
var reservedKeywords = func() map[string]bool {
	m := map[string]bool{}
	for _, w := range []string{
		"all", "analyse", "analyze", "and", "any", "array", "as", "asc", "asymmetric", "authorization",
		"binary", "both", "case", "cast", "check", "collate", "collation", "column", "concurrently",
		"constraint", "create", "cross", "current_catalog", "current_date", "current_role",
		"current_schema", "current_time", "current_timestamp", "current_user", "default", "deferrable",
		"desc", "distinct", "do", "else", "end", "except", "false", "fetch", "for", "foreign", "freeze",
		"from", "full", "grant", "group", "having", "ilike", "in", "initially", "inner", "intersect",
		"into", "is", "isnull", "join", "lateral", "leading", "left", "like", "limit", "localtime",
		"localtimestamp", "natural", "not", "notnull", "null", "offset", "on", "only", "or", "order",
		"outer", "overlaps", "placing", "primary", "references", "returning", "right", "select",
		"session_user", "similar", "some", "symmetric", "system_user", "table", "tablesample", "then",
		"to", "trailing", "true", "union", "unique", "user", "using", "variadic", "verbose", "when",
		"where", "window", "with",
	} {
		m[w] = true
	}
	return m
}()

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
