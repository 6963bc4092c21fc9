package sql

import (
	"github.com/runnel-db/runnel/exec/sqlerr"
)

// Cursors over subscriptions, in Materialize's shape:
//
//	DECLARE name [BINARY] [NO SCROLL] CURSOR [WITH HOLD | WITHOUT HOLD] FOR SUBSCRIBE [TO] relation [WITH (...)]
//	FETCH [FORWARD] [count | ALL] [FROM | IN] name WITH (TIMEOUT = 'interval')
//
// Every other DECLARE, FETCH, MOVE and CLOSE is PostgreSQL's and parsed by its grammar.

// DeclareSubscribe is DECLARE name CURSOR FOR SUBSCRIBE ….
type DeclareSubscribe struct {
	// Cursor is the cursor's name, folded as identifiers are.
	Cursor string
	// Binary asks for FETCH results in binary format; Hold keeps the cursor after COMMIT.
	Binary, Hold bool
	Subscribe    *Subscribe
}

// Fetch is FETCH … WITH (TIMEOUT = …), the form PostgreSQL's grammar lacks.
type Fetch struct {
	Cursor string
	// Count is the number of rows to fetch; -1 means ALL.
	Count int64
	// Timeout is the TIMEOUT option's value as written ('1s', '250ms', 0); "" when absent.
	Timeout string
	// TimeoutPos is the 1-based character position of the value, for errors about it.
	TimeoutPos int
}

// parseDeclareSubscribe recognizes DECLARE name … CURSOR … FOR SUBSCRIBE; every other DECLARE
// is PostgreSQL's.
func (p *parser) parseDeclareSubscribe() (any, bool, error) {
	forAt := 0
	for n := 1; ; n++ {
		t := p.peek(n)
		if t.kind == tokEOF || t.kind == tokError {
			return nil, false, nil
		}
		if p.word(n) == "FOR" {
			if p.word(n+1) != "SUBSCRIBE" {
				return nil, false, nil
			}
			forAt = n
			break
		}
	}
	p.i = 1
	nameTok := p.next()
	if nameTok.kind != tokIdent && (nameTok.kind != tokWord || reservedKeywords[asciiLower(nameTok.text)]) {
		return nil, true, p.syntaxError(nameTok)
	}
	d := &DeclareSubscribe{Cursor: nameTok.name()}
	for p.i < forAt {
		t := p.peek(0)
		switch {
		case p.acceptWords("BINARY"):
			d.Binary = true
		case p.acceptWords("NO", "SCROLL"), p.acceptWords("ASENSITIVE"), p.acceptWords("CURSOR"):
		case p.acceptWords("WITH", "HOLD"):
			d.Hold = true
		case p.acceptWords("WITHOUT", "HOLD"):
		case p.word(0) == "SCROLL" || p.word(0) == "INSENSITIVE":
			return nil, true, p.at(sqlerr.NotSupported(asciiUpper(t.text)+" cursors over SUBSCRIBE"), t)
		default:
			return nil, true, p.syntaxError(t)
		}
	}
	p.i = forAt + 2
	sub, err := p.parseSubscribeBody()
	if err != nil {
		return nil, true, err
	}
	if err := p.expectEOF(); err != nil {
		return nil, true, err
	}
	d.Subscribe = sub
	return d, true, nil
}

// parseFetchWith recognizes FETCH … WITH (option = value, …); a FETCH without WITH is
// PostgreSQL's.
func (p *parser) parseFetchWith() (any, bool, error) {
	with := 0
	for n := 1; ; n++ {
		t := p.peek(n)
		if t.kind == tokEOF || t.kind == tokError {
			return nil, false, nil
		}
		if p.word(n) == "WITH" {
			with = n
			break
		}
	}
	p.i = 1
	f := &Fetch{Count: 1}
	_ = p.acceptWords("FORWARD") || p.acceptWords("NEXT")
	switch t := p.peek(0); {
	case p.acceptWords("ALL"):
		f.Count = -1
	case t.kind == tokNumber:
		p.i++
		n, ok := parseCount(t.text)
		if !ok {
			return nil, true, p.syntaxError(t)
		}
		f.Count = n
	case p.word(0) == "BACKWARD" || p.word(0) == "PRIOR" || p.word(0) == "ABSOLUTE" || p.word(0) == "RELATIVE" || p.word(0) == "FIRST" || p.word(0) == "LAST":
		return nil, true, p.at(sqlerr.NotSupported("FETCH "+p.word(0)+" with options"), t)
	}
	if !p.acceptWords("FROM") {
		p.acceptWords("IN")
	}
	nameTok := p.next()
	if nameTok.kind != tokIdent && nameTok.kind != tokWord {
		return nil, true, p.syntaxError(nameTok)
	}
	if p.i != with {
		return nil, true, p.syntaxError(p.peek(0))
	}
	f.Cursor = nameTok.name()
	p.i = with + 1
	if _, err := p.expectOp("("); err != nil {
		return nil, true, err
	}
	for {
		keyTok := p.peek(0)
		if keyTok.kind != tokWord && keyTok.kind != tokIdent {
			return nil, true, p.syntaxError(keyTok)
		}
		p.i++
		if keyTok.name() != "timeout" {
			return nil, true, p.at(sqlerr.New(sqlerr.SyntaxError, "unrecognized FETCH option \"%s\"", keyTok.name()), keyTok)
		}
		if f.TimeoutPos != 0 {
			return nil, true, p.at(sqlerr.New(sqlerr.SyntaxError, "option \"timeout\" specified more than once"), keyTok)
		}
		p.acceptOp("=")
		valTok := p.peek(0)
		v, err := p.optionValue()
		if err != nil {
			return nil, true, err
		}
		f.Timeout, f.TimeoutPos = v, Position(p.text, valTok.pos)
		if p.acceptOp(")") {
			break
		}
		if _, err := p.expectOp(","); err != nil {
			return nil, true, err
		}
	}
	if err := p.expectEOF(); err != nil {
		return nil, true, err
	}
	return f, true, nil
}

// parseCount reads a non-negative row count.
func parseCount(s string) (int64, bool) {
	var n int64
	for _, c := range []byte(s) {
		if c < '0' || c > '9' || n > (1<<62)/10 {
			return 0, false
		}
		n = n*10 + int64(c-'0')
	}
	return n, s != ""
}
