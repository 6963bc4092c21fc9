package sql

import (
	"strings"

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
	case "SUBSCRIBE":
		p.i = 1
		return runnel(p.parseSubscribe())
	case "DECLARE":
		return p.parseDeclareSubscribe()
	case "FETCH":
		return p.parseFetchWith()
	case "COPY":
		return p.parseCopySubscribe()
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
