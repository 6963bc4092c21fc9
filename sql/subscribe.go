package sql

import (
	"github.com/runnel-db/runnel/exec/sqlerr"
)

// SUBSCRIBE, in Materialize's shape:
//
//	SUBSCRIBE [TO] name [ WITH ( option [[=] value] [, ...] ) ]
//
// Options are SNAPSHOT and PROGRESS, each a Boolean (TRUE/FALSE, ON/OFF, 1/0, or the bare word,
// which means TRUE). SUBSCRIBE to a query, AS OF, UP TO and ENVELOPE are recognized and rejected
// with 0A000. DECLARE … CURSOR FOR SUBSCRIBE is in cursor.go.

// Subscribe is SUBSCRIBE [TO] name [WITH (SNAPSHOT = bool, PROGRESS = bool)].
type Subscribe struct {
	// Name is the possibly qualified name, unquoted parts folded as identifiers are.
	Name []string
	// NamePos is the 1-based character position of the name, for errors about it.
	NamePos int
	// Snapshot (default true) asks for the relation's contents before its changes.
	Snapshot bool
	// Progress asks for progress rows; the engine rejects it.
	Progress bool
	// ProgressPos is the position of the PROGRESS option, or 0.
	ProgressPos int
}

// parseSubscribe parses the rest of SUBSCRIBE after the word SUBSCRIBE.
func (p *parser) parseSubscribe() (*Subscribe, error) {
	sub, err := p.parseSubscribeBody()
	if err != nil {
		return nil, err
	}
	if err := p.expectEOF(); err != nil {
		return nil, err
	}
	return sub, nil
}

// parseSubscribeBody parses [TO] name [WITH (...)] after the word SUBSCRIBE.
func (p *parser) parseSubscribeBody() (*Subscribe, error) {
	p.acceptWords("TO")
	if t := p.peek(0); t.kind == tokOp && t.text == "(" {
		return nil, p.at(sqlerr.NotSupported("SUBSCRIBE to a query (create a materialized view and subscribe to it)"), t)
	}
	nameTok := p.peek(0)
	name, err := p.qualifiedName()
	if err != nil {
		return nil, err
	}
	sub := &Subscribe{Name: name, NamePos: Position(p.text, nameTok.pos), Snapshot: true}
	if p.acceptWords("WITH") {
		if err := p.parseSubscribeOptions(sub); err != nil {
			return nil, err
		}
	}
	switch t := p.peek(0); {
	case p.word(0) == "AS" && p.word(1) == "OF":
		return nil, p.at(sqlerr.NotSupported("SUBSCRIBE … AS OF"), t)
	case p.word(0) == "UP" && p.word(1) == "TO":
		return nil, p.at(sqlerr.NotSupported("SUBSCRIBE … UP TO"), t)
	case p.word(0) == "ENVELOPE":
		return nil, p.at(sqlerr.NotSupported("SUBSCRIBE … ENVELOPE"), t)
	case p.word(0) == "WITHIN" || p.word(0) == "ORDER":
		return nil, p.at(sqlerr.NotSupported("SUBSCRIBE … "+p.word(0)), t)
	}
	return sub, nil
}

// parseSubscribeOptions parses ( option [[=] value] [, ...] ) after WITH.
func (p *parser) parseSubscribeOptions(sub *Subscribe) error {
	if _, err := p.expectOp("("); err != nil {
		return err
	}
	seen := map[string]bool{}
	for {
		keyTok := p.peek(0)
		if keyTok.kind != tokWord && keyTok.kind != tokIdent {
			return p.syntaxError(keyTok)
		}
		p.i++
		key := keyTok.name()
		if key != "snapshot" && key != "progress" {
			return p.at(sqlerr.New(sqlerr.SyntaxError, "unrecognized SUBSCRIBE option \"%s\"", key), keyTok)
		}
		if seen[key] {
			return p.at(sqlerr.New(sqlerr.SyntaxError, "option \"%s\" specified more than once", key), keyTok)
		}
		seen[key] = true
		value := true
		if t := p.peek(0); t.kind != tokOp || t.text != "," && t.text != ")" {
			p.acceptOp("=")
			valTok := p.peek(0)
			v, err := p.optionValue()
			if err != nil {
				return err
			}
			b, ok := parseBool(v)
			if !ok {
				return p.at(sqlerr.New(sqlerr.InvalidParameterValue, "%s requires a Boolean value", asciiUpper(key)), valTok)
			}
			value = b
		}
		if key == "snapshot" {
			sub.Snapshot = value
		} else {
			sub.Progress, sub.ProgressPos = value, Position(p.text, keyTok.pos)
		}
		if p.acceptOp(")") {
			return nil
		}
		if _, err := p.expectOp(","); err != nil {
			return err
		}
	}
}

// parseBool reads a Boolean option value as PostgreSQL's parse_bool does for the common spellings.
func parseBool(v string) (bool, bool) {
	switch asciiLower(v) {
	case "true", "on", "1", "t", "yes":
		return true, true
	case "false", "off", "0", "f", "no":
		return false, true
	}
	return false, false
}

// CopySubscribe is COPY (SUBSCRIBE …) TO STDOUT [[WITH] (FORMAT text | csv)]: the subscription's
// rows streamed as COPY data, as Materialize offers it.
type CopySubscribe struct {
	Subscribe *Subscribe
	// Format is "text" (the default) or "csv".
	Format string
}

// parseCopySubscribe recognizes COPY (SUBSCRIBE …) TO STDOUT; every other COPY is PostgreSQL's.
func (p *parser) parseCopySubscribe() (any, bool, error) {
	if t := p.peek(1); t.kind != tokOp || t.text != "(" || p.word(2) != "SUBSCRIBE" {
		return nil, false, nil
	}
	p.i = 3
	sub, err := p.parseSubscribeBody()
	if err != nil {
		return nil, true, err
	}
	if _, err := p.expectOp(")"); err != nil {
		return nil, true, err
	}
	if t := p.peek(0); !p.acceptWords("TO") {
		return nil, true, p.syntaxError(t)
	}
	if t := p.peek(0); !p.acceptWords("STDOUT") {
		return nil, true, p.at(sqlerr.NotSupported("COPY (SUBSCRIBE …) TO a file or program (use TO STDOUT)"), t)
	}
	cs := &CopySubscribe{Subscribe: sub, Format: "text"}
	p.acceptWords("WITH")
	if p.acceptOp("(") {
		for {
			keyTok := p.peek(0)
			if keyTok.kind != tokWord && keyTok.kind != tokIdent || keyTok.name() != "format" {
				return nil, true, p.at(sqlerr.NotSupported("this COPY (SUBSCRIBE …) option (FORMAT text or csv is supported)"), keyTok)
			}
			p.i++
			valTok := p.peek(0)
			v, err := p.optionValue()
			if err != nil {
				return nil, true, err
			}
			switch asciiLower(v) {
			case "text", "csv":
				cs.Format = asciiLower(v)
			default:
				return nil, true, p.at(sqlerr.NotSupported("COPY (SUBSCRIBE …) in "+v+" format"), valTok)
			}
			if p.acceptOp(")") {
				break
			}
			if _, err := p.expectOp(","); err != nil {
				return nil, true, err
			}
		}
	}
	if err := p.expectEOF(); err != nil {
		return nil, true, err
	}
	return cs, true, nil
}
