package sql

import (
	"errors"
	"strings"
	"unicode/utf8"

	pg_query "github.com/pganalyze/pg_query_go/v6"
	pgparser "github.com/pganalyze/pg_query_go/v6/parser"

	"github.com/runnel-db/runnel/exec/sqlerr"
)

// Statement is one parsed statement.
type Statement struct {
	// AST is the PostgreSQL statement node (RawStmt.Stmt); nil for Runnel statements.
	AST *pg_query.Node
	// Runnel is set instead of AST for statements recognized by the front parser
	// (*CreateSource, *DropSource, *ShowObjects, *ShowCreate, *Flush).
	Runnel any
	// Text is this statement's own text; AST Location fields are byte offsets into it.
	Text string
	// Offset is the byte offset of Text within the whole input.
	Offset int
}

// Split breaks input into the texts of its statements and their byte offsets, without parsing them
// fully: a syntax error in one statement does not stop the others from being found (each is then
// reported when it is parsed). Statements are separated by top-level semicolons, found with the
// PostgreSQL lexer so that semicolons inside strings, quoted names and comments do not count.
// Statements that are empty (only whitespace, comments or semicolons) are dropped.
func Split(input string) (texts []string, offsets []int, err error) {
	if !strings.Contains(input, ";") && !strings.Contains(input, "--") && !strings.Contains(input, "/*") {
		// One statement and no comments (the common case, and big VALUES lists): no need to lex.
		trimmed := strings.TrimSpace(input)
		if trimmed == "" {
			return nil, nil, nil
		}
		return []string{trimmed}, []int{strings.Index(input, trimmed)}, nil
	}
	scan, err := pg_query.Scan(input)
	if err != nil {
		return nil, nil, syntaxError(input, err)
	}
	start := -1 // byte offset of the current statement's first non-comment token
	end := 0
	flush := func() {
		if start >= 0 {
			texts = append(texts, input[start:end])
			offsets = append(offsets, start)
		}
		start = -1
	}
	for _, tok := range scan.Tokens {
		switch tok.Token {
		case pg_query.Token_ASCII_59:
			flush()
		case pg_query.Token_SQL_COMMENT, pg_query.Token_C_COMMENT:
		default:
			if start < 0 {
				start = int(tok.Start)
			}
			end = int(tok.End)
		}
	}
	flush()
	return texts, offsets, nil
}

// Parse parses every statement in input.
func Parse(input string) ([]Statement, error) {
	texts, offsets, err := Split(input)
	if err != nil {
		return nil, err
	}
	stmts := make([]Statement, 0, len(texts))
	for i, text := range texts {
		st, err := ParseOne(text)
		if err != nil {
			if e := sqlerr.From(err); e != nil && e.Position > 0 {
				return nil, e.At(e.Position + utf8.RuneCountInString(input[:offsets[i]]))
			}
			return nil, err
		}
		st.Offset = offsets[i]
		stmts = append(stmts, st)
	}
	return stmts, nil
}

// ParseOne parses text holding exactly one statement (a trailing semicolon is fine).
func ParseOne(text string) (Statement, error) {
	if r, ok, err := parseRunnel(text); ok || err != nil {
		return Statement{Runnel: r, Text: text}, err
	}
	tree, err := pg_query.Parse(text)
	if err != nil {
		return Statement{}, syntaxError(text, err)
	}
	switch len(tree.Stmts) {
	case 0:
		return Statement{Text: text}, nil
	case 1:
		return Statement{AST: tree.Stmts[0].Stmt, Text: text}, nil
	}
	return Statement{}, sqlerr.New(sqlerr.SyntaxError, "cannot insert multiple commands into a prepared statement")
}

// IsEmpty reports whether st has no statement at all (an empty query).
func (st Statement) IsEmpty() bool { return st.AST == nil && st.Runnel == nil }

// Position converts a byte offset into text to a 1-based character position.
func Position(text string, byteOffset int) int {
	if byteOffset < 0 {
		return 0
	}
	if byteOffset > len(text) {
		byteOffset = len(text)
	}
	return utf8.RuneCountInString(text[:byteOffset]) + 1
}

func syntaxError(text string, err error) error {
	var pe *pgparser.Error
	if errors.As(err, &pe) {
		e := &sqlerr.Error{Code: sqlerr.SyntaxError, Message: pe.Message, Position: pe.Cursorpos}
		if strings.Contains(pe.Message, "unterminated") {
			e.Code = sqlerr.SyntaxError
		}
		return e
	}
	return &sqlerr.Error{Code: sqlerr.SyntaxError, Message: err.Error()}
}
