package sql

import (
	"strings"

	"github.com/runnel-db/runnel/exec/sqlerr"
)

// Sources: Runnel's Kafka DDL, in RisingWave's syntax.
//
//	CREATE SOURCE [IF NOT EXISTS] name ( column definitions )
//	    [ WITH ( key = value [, ...] ) ]
//	    [ FORMAT PLAIN | UPSERT ENCODE JSON | CSV [ ( key = value [, ...] ) ] ]
//	CREATE TABLE [IF NOT EXISTS] name ( column definitions ) WITH ( connector = …, ... ) FORMAT …
//	DROP SOURCE [IF EXISTS] name [, ...] [CASCADE | RESTRICT]
//
// The clauses come in that order, as in RisingWave (FORMAT after WITH). A CREATE TABLE is Runnel's
// only when its WITH list has a connector key or when a clause only RisingWave has follows the
// column list (FORMAT, ROW FORMAT, INCLUDE, APPEND ONLY, ON CONFLICT); any other CREATE TABLE,
// WITH (fillfactor = 70) included, is PostgreSQL's.
//
// Option keys are dotted names (properties.bootstrap.server); each part folds to lower case unless
// double-quoted. Values are string constants ('…' with '' for a quote, E'…', $$…$$), numbers
// (optionally signed, kept as written), or bare words (TRUE, FALSE, earliest), folded to lower
// case. Every value is kept as a string: the connector interprets it.

// CreateSource is CREATE SOURCE, or CREATE TABLE fed by a connector.
type CreateSource struct {
	// Table is true for CREATE TABLE (the connector's rows are stored, and may be upserted by
	// primary key); false for CREATE SOURCE.
	Table       bool
	IfNotExists bool
	// Name is the possibly qualified name, unquoted parts folded as identifiers are.
	Name []string
	// Columns is the PostgreSQL parse of "CREATE TABLE [IF NOT EXISTS] name (column definitions)",
	// the name and column list copied verbatim from the statement: Columns.Text is that text and
	// Columns.AST its CreateStmt. AST Location fields are offsets into Columns.Text; TextOffset
	// maps them back into the statement.
	Columns Statement
	// With is the WITH list in order; keys are unique.
	With []Option
	// Format and Encode are upper-case: PLAIN or UPSERT, JSON or CSV; "" when there is no FORMAT
	// clause (the engine reports the missing FORMAT, as it depends on the connector). Whether the
	// pair suits the statement (UPSERT needs a table with a primary key) is the engine's to check.
	Format, Encode string
	// EncodeOptions is the parenthesized list after ENCODE, in order; keys are unique.
	EncodeOptions []Option

	copyFrom  int // byte offset in the statement of the text copied into Columns.Text
	copyStart int // where that copy starts in Columns.Text
}

// Option is one key = value of a WITH or ENCODE list.
type Option struct {
	Key, Value string
	// Pos and ValuePos are the 1-based character positions of the key and of the value in the
	// statement text, ready for sqlerr.Error.At.
	Pos, ValuePos int
}

// DropSource is DROP SOURCE [IF EXISTS] name [, ...] [CASCADE | RESTRICT].
type DropSource struct {
	IfExists bool
	// Names are the possibly qualified names, unquoted parts folded as identifiers are.
	Names   [][]string
	Cascade bool
}

// TextOffset maps a byte offset into c.Columns.Text (an AST Location) to the byte offset of the
// same character in the statement text, for sqlerr positions: sql.Position(st.Text,
// c.TextOffset(loc)). Offsets inside the synthesized "CREATE TABLE" prefix map to the name.
func (c *CreateSource) TextOffset(loc int) int {
	if loc < c.copyStart {
		return c.copyFrom
	}
	return c.copyFrom + loc - c.copyStart
}

// parseCreate recognizes CREATE SOURCE and connector-fed CREATE TABLE; ok is false for every
// other CREATE statement.
func (p *parser) parseCreate() (any, bool, error) {
	switch {
	case p.word(1) == "SOURCE":
		p.i = 2
		return runnel(p.parseCreateSource(false))
	case p.word(1) == "OR" && p.word(2) == "REPLACE" && p.word(3) == "SOURCE":
		return nil, true, p.at(sqlerr.NotSupported("CREATE OR REPLACE SOURCE"), p.peek(1))
	case (p.word(1) == "TEMPORARY" || p.word(1) == "TEMP") && p.word(2) == "SOURCE":
		return nil, true, p.at(sqlerr.NotSupported("CREATE TEMPORARY SOURCE"), p.peek(1))
	case p.word(1) == "TABLE" && p.isConnectorTable():
		p.i = 2
		return runnel(p.parseCreateSource(true))
	}
	return nil, false, nil
}

// isConnectorTable looks ahead, from TABLE, for what makes a CREATE TABLE Runnel's (see the
// comment at the top). It decides on the statement's shape only: anything it cannot make sense
// of is left to PostgreSQL, which reports it.
func (p *parser) isConnectorTable() bool {
	defer func(i int) { p.i = i }(p.i)
	p.i = 2
	p.acceptWords("IF", "NOT", "EXISTS")
	if _, err := p.qualifiedName(); err != nil {
		return false
	}
	if t := p.peek(0); t.kind == tokOp && t.text == "(" {
		if _, ok := p.skipParens(); !ok {
			return false
		}
	}
	switch {
	case p.word(0) == "FORMAT", p.word(0) == "INCLUDE",
		p.word(0) == "ROW" && p.word(1) == "FORMAT",
		p.word(0) == "APPEND" && p.word(1) == "ONLY",
		p.word(0) == "ON" && p.word(1) == "CONFLICT":
		return true
	case p.word(0) != "WITH" || p.peek(1).kind != tokOp || p.peek(1).text != "(":
		return false
	}
	// WITH ( … ): Runnel's if a top-level key is connector.
	p.i += 2
	for depth, keyStart := 1, true; depth > 0; {
		t := p.next()
		switch {
		case t.kind == tokEOF || t.kind == tokError:
			return false
		case t.kind == tokOp && t.text == "(":
			depth++
		case t.kind == tokOp && t.text == ")":
			depth--
		case depth == 1 && keyStart && (t.kind == tokWord || t.kind == tokIdent) && t.name() == "connector":
			if u := p.peek(0); u.kind == tokOp && u.text == "=" {
				return true
			}
		}
		keyStart = depth == 1 && t.kind == tokOp && (t.text == "," || t.text == "(")
	}
	return false
}

// skipParens consumes a balanced parenthesized group starting at the current "(" and returns its
// closing ")". ok is false at a lexical error or the end of the statement.
func (p *parser) skipParens() (token, bool) {
	for depth := 0; ; {
		t := p.next()
		switch {
		case t.kind == tokEOF || t.kind == tokError:
			return t, false
		case t.kind == tokOp && t.text == "(":
			depth++
		case t.kind == tokOp && t.text == ")":
			depth--
			if depth == 0 {
				return t, true
			}
		}
	}
}

// parseCreateSource parses the rest of CREATE SOURCE or CREATE TABLE after SOURCE or TABLE.
func (p *parser) parseCreateSource(table bool) (*CreateSource, error) {
	what := "CREATE SOURCE"
	if table {
		what = "CREATE TABLE with a connector"
	}
	cs := &CreateSource{Table: table}
	cs.IfNotExists = p.acceptWords("IF", "NOT", "EXISTS")
	nameTok := p.peek(0)
	name, err := p.qualifiedName()
	if err != nil {
		return nil, err
	}
	cs.Name = name
	if t := p.peek(0); t.kind != tokOp || t.text != "(" {
		if t.kind == tokWord {
			return nil, p.at(sqlerr.NotSupported(what+" without a column list"), t)
		}
		return nil, p.syntaxError(t)
	}
	if err := p.checkColumnList(); err != nil {
		return nil, err
	}
	closeTok, ok := p.skipParens()
	if !ok {
		return nil, p.syntaxError(closeTok)
	}
	if err := p.parseColumns(cs, nameTok.pos, closeTok.end); err != nil {
		return nil, err
	}
	if err := p.rejectClauses(); err != nil {
		return nil, err
	}
	if p.acceptWords("WITH") {
		if cs.With, err = p.parseOptions(); err != nil {
			return nil, err
		}
	}
	if p.word(0) == "ROW" && p.word(1) == "FORMAT" {
		return nil, p.at(sqlerr.NotSupported("ROW FORMAT (use FORMAT … ENCODE …)"), p.peek(0))
	}
	if p.acceptWords("FORMAT") {
		if err := p.parseFormat(cs); err != nil {
			return nil, err
		}
	}
	if err := p.expectEOF(); err != nil {
		return nil, err
	}
	return cs, nil
}

// checkColumnList looks through the column list that starts at the current "(" for RisingWave's
// additions that the PostgreSQL grammar would only call syntax errors.
func (p *parser) checkColumnList() error {
	defer func(i int) { p.i = i }(p.i)
	p.i++
	for depth, itemStart := 1, true; depth > 0; {
		t := p.next()
		switch {
		case t.kind == tokEOF || t.kind == tokError:
			return nil // reported by the caller
		case t.kind == tokOp && t.text == "(":
			depth++
		case t.kind == tokOp && t.text == ")":
			depth--
		case t.kind == tokOp && t.text == ";":
			return p.syntaxError(t)
		case depth == 1 && itemStart && t.kind == tokWord && asciiUpper(t.text) == "WATERMARK" && p.word(0) == "FOR":
			return p.at(sqlerr.NotSupported("WATERMARK"), t)
		}
		itemStart = depth == 1 && t.kind == tokOp && t.text == ","
	}
	return nil
}

// parseColumns has PostgreSQL parse "CREATE TABLE [IF NOT EXISTS] " + text[from:to] (the name and
// the column list) and maps the position of any error back into the statement.
func (p *parser) parseColumns(cs *CreateSource, from, to int) error {
	prefix := "CREATE TABLE "
	if cs.IfNotExists {
		prefix += "IF NOT EXISTS "
	}
	cs.copyFrom, cs.copyStart = from, len(prefix)
	st, err := ParseOne(prefix + p.text[from:to])
	if err != nil {
		e := sqlerr.From(err)
		if e == nil {
			return err
		}
		if e.Position > 0 {
			// Position counts characters; the prefix is ASCII, so one character per byte.
			pos := max(e.Position-len(prefix), 1)
			e = e.At(Position(p.text, from) + pos - 1)
		}
		return e
	}
	if st.AST == nil || st.AST.GetCreateStmt() == nil {
		return p.syntaxError(p.peek(0))
	}
	cs.Columns = st
	return nil
}

// rejectClauses reports RisingWave clauses Runnel does not implement, between the column list and
// WITH.
func (p *parser) rejectClauses() error {
	t := p.peek(0)
	switch {
	case p.word(0) == "INCLUDE":
		return p.at(sqlerr.NotSupported("INCLUDE"), t)
	case p.word(0) == "APPEND" && p.word(1) == "ONLY":
		return p.at(sqlerr.NotSupported("APPEND ONLY"), t)
	case p.word(0) == "ON" && p.word(1) == "CONFLICT":
		return p.at(sqlerr.NotSupported("ON CONFLICT"), t)
	case p.word(0) == "WITH" && p.word(1) == "VERSION":
		return p.at(sqlerr.NotSupported("WITH VERSION COLUMN"), t)
	}
	return nil
}

// Formats and encodings: those Runnel reads, and RisingWave's others, which are reported as not
// supported rather than as syntax errors.
var (
	formats      = map[string]bool{"PLAIN": true, "UPSERT": true}
	otherFormats = map[string]bool{"DEBEZIUM": true, "DEBEZIUM_MONGO": true, "MAXWELL": true, "CANAL": true, "NATIVE": true, "NONE": true}
	encodes      = map[string]bool{"JSON": true, "CSV": true}
	otherEncodes = map[string]bool{"AVRO": true, "PROTOBUF": true, "BYTES": true, "PARQUET": true, "NATIVE": true, "TEMPLATE": true, "NONE": true, "TEXT": true}
)

// parseFormat parses the rest of FORMAT f ENCODE e [ ( options ) ].
func (p *parser) parseFormat(cs *CreateSource) error {
	keyword := func(clause string, ok, other map[string]bool) (string, error) {
		t := p.peek(0)
		w := p.word(0)
		switch {
		case ok[w]:
			p.i++
			return w, nil
		case other[w]:
			return "", p.at(sqlerr.NotSupported(clause+" "+w), t)
		}
		return "", p.syntaxError(t)
	}
	var err error
	if cs.Format, err = keyword("FORMAT", formats, otherFormats); err != nil {
		return err
	}
	if !p.acceptWords("ENCODE") {
		return p.syntaxError(p.peek(0))
	}
	if cs.Encode, err = keyword("ENCODE", encodes, otherEncodes); err != nil {
		return err
	}
	if t := p.peek(0); t.kind == tokOp && t.text == "(" {
		if cs.EncodeOptions, err = p.parseOptions(); err != nil {
			return err
		}
		for _, o := range cs.EncodeOptions {
			if strings.HasPrefix(o.Key, "schema.registry") || strings.HasPrefix(o.Key, "schema.location") {
				return sqlerr.NotSupported("schema registry (" + o.Key + ")").At(o.Pos)
			}
		}
	}
	if p.word(0) == "KEY" && p.word(1) == "ENCODE" {
		return p.at(sqlerr.NotSupported("KEY ENCODE"), p.peek(0))
	}
	return nil
}

// parseOptions parses ( key = value [, ...] ). A key given twice is an error 22023, as a
// PostgreSQL storage parameter given twice is.
func (p *parser) parseOptions() ([]Option, error) {
	if _, err := p.expectOp("("); err != nil {
		return nil, err
	}
	var opts []Option
	seen := map[string]bool{}
	for {
		keyTok := p.peek(0)
		var parts []string
		for {
			t := p.peek(0)
			if t.kind != tokWord && t.kind != tokIdent {
				return nil, p.syntaxError(t)
			}
			p.i++
			parts = append(parts, t.name())
			if !p.acceptOp(".") {
				break
			}
		}
		key := strings.Join(parts, ".")
		if seen[key] {
			return nil, p.at(sqlerr.New(sqlerr.InvalidParameterValue, "option \"%s\" specified more than once", key), keyTok)
		}
		seen[key] = true
		if _, err := p.expectOp("="); err != nil {
			return nil, err
		}
		valTok := p.peek(0)
		value, err := p.optionValue()
		if err != nil {
			return nil, err
		}
		opts = append(opts, Option{Key: key, Value: value, Pos: Position(p.text, keyTok.pos), ValuePos: Position(p.text, valTok.pos)})
		if p.acceptOp(")") {
			return opts, nil
		}
		if _, err := p.expectOp(","); err != nil {
			return nil, err
		}
	}
}

// optionValue parses a string, a possibly signed number or a bare word.
func (p *parser) optionValue() (string, error) {
	t := p.next()
	switch t.kind {
	case tokString:
		return t.text, nil
	case tokNumber:
		return t.text, nil
	case tokWord:
		return asciiLower(t.text), nil
	case tokOp:
		if n := p.peek(0); (t.text == "-" || t.text == "+") && n.kind == tokNumber {
			p.i++
			return strings.TrimPrefix(t.text, "+") + n.text, nil
		}
	}
	return "", p.syntaxError(t)
}

// parseDropSource parses the rest of DROP SOURCE.
func (p *parser) parseDropSource() (*DropSource, error) {
	ds := &DropSource{IfExists: p.acceptWords("IF", "EXISTS")}
	for {
		name, err := p.qualifiedName()
		if err != nil {
			return nil, err
		}
		ds.Names = append(ds.Names, name)
		if !p.acceptOp(",") {
			break
		}
	}
	switch {
	case p.acceptWords("CASCADE"):
		ds.Cascade = true
	case p.acceptWords("RESTRICT"):
	}
	if err := p.expectEOF(); err != nil {
		return nil, err
	}
	return ds, nil
}
