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
)

// ShowObjects is SHOW TABLES | VIEWS | MATERIALIZED VIEWS.
type ShowObjects struct{ Kind ObjectKind }

// ShowCreate is SHOW CREATE TABLE | VIEW | MATERIALIZED VIEW name.
type ShowCreate struct {
	Kind ObjectKind
	// Name is the possibly schema-qualified name, unquoted parts folded as identifiers are.
	Name []string
}

// Flush is FLUSH: wait until every pending change is committed (a no-op with read-your-writes).
type Flush struct{}

// parseRunnel recognizes Runnel's own statements. ok is false when text is not one of them.
func parseRunnel(text string) (stmt any, ok bool, err error) {
	toks := tokenize(text)
	if len(toks) == 0 {
		return nil, false, nil
	}
	word := func(i int) string {
		if i < len(toks) && !toks[i].quoted {
			return strings.ToUpper(toks[i].text)
		}
		return ""
	}
	switch word(0) {
	case "FLUSH":
		if len(toks) == 1 {
			return &Flush{}, true, nil
		}
	case "SHOW":
		switch {
		case word(1) == "TABLES" && len(toks) == 2:
			return &ShowObjects{Kind: KindTable}, true, nil
		case word(1) == "VIEWS" && len(toks) == 2:
			return &ShowObjects{Kind: KindView}, true, nil
		case word(1) == "MATERIALIZED" && word(2) == "VIEWS" && len(toks) == 3:
			return &ShowObjects{Kind: KindMaterializedView}, true, nil
		case word(1) == "CREATE":
			kind, rest := KindTable, toks[2:]
			switch {
			case word(2) == "TABLE":
				rest = toks[3:]
			case word(2) == "VIEW":
				kind, rest = KindView, toks[3:]
			case word(2) == "MATERIALIZED" && word(3) == "VIEW":
				kind, rest = KindMaterializedView, toks[4:]
			default:
				return nil, true, sqlerr.New(sqlerr.SyntaxError, "syntax error: expected TABLE, VIEW or MATERIALIZED VIEW after SHOW CREATE")
			}
			name, ok := qualifiedName(rest)
			if !ok {
				return nil, true, sqlerr.New(sqlerr.SyntaxError, "syntax error: expected an object name after SHOW CREATE %s", kind)
			}
			return &ShowCreate{Kind: kind, Name: name}, true, nil
		}
	}
	return nil, false, nil
}

type token struct {
	text   string
	quoted bool
}

// tokenize splits text into words, quoted identifiers and single punctuation characters, dropping
// whitespace, comments and a trailing semicolon. It is only used for the handful of statements
// above, so it does not need to know string literals.
func tokenize(text string) []token {
	var toks []token
	s := text
	for len(s) > 0 {
		c := s[0]
		switch {
		case c == ' ' || c == '\t' || c == '\n' || c == '\r' || c == '\f':
			s = s[1:]
		case strings.HasPrefix(s, "--"):
			i := strings.IndexByte(s, '\n')
			if i < 0 {
				s = ""
			} else {
				s = s[i+1:]
			}
		case strings.HasPrefix(s, "/*"):
			i := strings.Index(s, "*/")
			if i < 0 {
				s = ""
			} else {
				s = s[i+2:]
			}
		case c == '"':
			var b strings.Builder
			i := 1
			for i < len(s) {
				if s[i] == '"' {
					if i+1 < len(s) && s[i+1] == '"' {
						b.WriteByte('"')
						i += 2
						continue
					}
					break
				}
				b.WriteByte(s[i])
				i++
			}
			toks = append(toks, token{text: b.String(), quoted: true})
			s = s[min(i+1, len(s)):]
		case isIdentByte(c):
			i := 1
			for i < len(s) && isIdentByte(s[i]) {
				i++
			}
			toks = append(toks, token{text: s[:i]})
			s = s[i:]
		default:
			toks = append(toks, token{text: s[:1]})
			s = s[1:]
		}
	}
	for len(toks) > 0 && toks[len(toks)-1].text == ";" && !toks[len(toks)-1].quoted {
		toks = toks[:len(toks)-1]
	}
	return toks
}

func isIdentByte(c byte) bool {
	return c == '_' || c == '$' || c >= '0' && c <= '9' || c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c >= 0x80
}

// qualifiedName reads name or schema.name from toks, folding unquoted parts to lower case.
func qualifiedName(toks []token) ([]string, bool) {
	var parts []string
	for i := 0; i < len(toks); i++ {
		t := toks[i]
		if t.text == "" || !t.quoted && !isIdentByte(t.text[0]) {
			return nil, false
		}
		if t.quoted {
			parts = append(parts, t.text)
		} else {
			parts = append(parts, strings.ToLower(t.text))
		}
		if i+1 == len(toks) {
			return parts, len(parts) <= 3
		}
		if toks[i+1].quoted || toks[i+1].text != "." {
			return nil, false
		}
		i++
	}
	return nil, false
}
