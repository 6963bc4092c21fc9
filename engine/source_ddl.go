package engine

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"time"

	"github.com/runnel-db/runnel/connectors/format/row"
	"github.com/runnel-db/runnel/connectors/kafka"
	"github.com/runnel-db/runnel/exec/sqlerr"
	"github.com/runnel-db/runnel/exec/types"
	"github.com/runnel-db/runnel/planner"
	"github.com/runnel-db/runnel/sql"
)

// CREATE SOURCE, CREATE TABLE … WITH (connector = …) and DROP SOURCE.

// topicCheckTimeout bounds how long CREATE SOURCE waits for the broker to describe the topic.
const topicCheckTimeout = 10 * time.Second

type createSourceExec struct {
	st   sql.Statement
	stmt *sql.CreateSource
}

func (x *createSourceExec) execute(ctx context.Context, s *Session, _ []types.Datum) (*Result, error) {
	e, cs := s.e, x.stmt
	create := cs.Columns.AST.GetCreateStmt()
	if create == nil {
		return nil, sqlerr.New(sqlerr.Internal, "internal error: CREATE SOURCE without a column list")
	}
	o, uniques, err := e.defineTable(cs.Columns, create)
	if err != nil {
		var se *sqlerr.Error
		if errors.As(err, &se) && se.Position > 0 {
			// Positions are into the synthesized CREATE TABLE text: map them back.
			se.Position = sql.Position(x.st.Text, cs.TextOffset(byteOffset(cs.Columns.Text, se.Position)))
		}
		return nil, err
	}
	o.CreateSQL = strings.TrimSpace(x.st.Text)
	spec := &connectorSpec{With: map[string]string{}, Format: cs.Format, Encode: cs.Encode}
	for _, opt := range cs.With {
		spec.With[opt.Key] = opt.Value
	}
	if len(cs.EncodeOptions) > 0 {
		spec.EncodeOptions = map[string]string{}
		for _, opt := range cs.EncodeOptions {
			spec.EncodeOptions[opt.Key] = opt.Value
		}
	}
	what := "source"
	if cs.Table {
		what = "table with a connector"
	}
	if _, ok := spec.With["connector"]; !ok {
		return nil, sqlerr.New(sqlerr.SyntaxError, "a %s needs WITH (connector = 'kafka', ...)", what)
	}
	if cs.Format == "" {
		return nil, sqlerr.New(sqlerr.SyntaxError, "a %s needs a FORMAT ... ENCODE ... clause, e.g. FORMAT PLAIN ENCODE JSON", what)
	}
	if !cs.Table {
		o.Kind = planner.Source
		switch {
		case len(o.PrimaryKey) > 0 || len(uniques) > 0:
			return nil, sqlerr.NotSupported("PRIMARY KEY and UNIQUE on a source (create a TABLE with a connector and FORMAT UPSERT to keep the latest row per key)")
		case strings.EqualFold(cs.Format, "UPSERT"):
			return nil, &sqlerr.Error{Code: sqlerr.FeatureNotSupported, Message: "FORMAT UPSERT is not supported for a source",
				Hint: "Create a TABLE with a PRIMARY KEY and the connector: its rows are stored and upserted by key."}
		}
		for _, c := range o.Columns {
			if c.Default != "" {
				return nil, sqlerr.NotSupported("DEFAULT on a source column")
			}
		}
	} else if strings.EqualFold(cs.Format, "UPSERT") && len(o.PrimaryKey) == 0 {
		return nil, sqlerr.New(sqlerr.InvalidTableDefinition, "FORMAT UPSERT needs a PRIMARY KEY: the Kafka message key is the row's primary key")
	}
	cols := make([]row.Column, len(o.Columns))
	for i, c := range o.Columns {
		if c.Type.Kind == types.Array {
			return nil, sqlerr.NotSupported(fmt.Sprintf("array column %q in a %s", c.Name, what))
		}
		cols[i] = row.Column{Name: c.Name, Type: c.Type}
	}
	cfg, _, err := spec.config(cols, o.PrimaryKey)
	if err != nil {
		return nil, positionOption(err, cs)
	}
	// Fail now, as RisingWave does, rather than create a source that can only retry.
	cctx, cancel := context.WithTimeout(ctx, topicCheckTimeout)
	_, err = kafka.CheckTopic(cctx, cfg)
	cancel()
	if err != nil {
		return nil, err
	}
	o.Connector = spec
	if cs.Table {
		return e.createTable(ctx, x.st, o, uniques, cs.IfNotExists)
	}
	return e.addObject(ctx, o, cs.IfNotExists, "CREATE SOURCE")
}

// byteOffset turns a 1-based character position in text back into a byte offset.
func byteOffset(text string, pos int) int {
	n := 0
	for i := range text {
		n++
		if n == pos {
			return i
		}
	}
	return len(text)
}

// positionOption points an option error without a position at the option it names.
func positionOption(err error, cs *sql.CreateSource) error {
	var se *sqlerr.Error
	if !errors.As(err, &se) || se.Position > 0 {
		return err
	}
	for _, opts := range [][]sql.Option{cs.With, cs.EncodeOptions} {
		for _, opt := range opts {
			if strings.Contains(se.Message, `"`+opt.Key+`"`) || strings.Contains(se.Message, opt.Key) {
				se.Position = opt.Pos
				return se
			}
		}
	}
	return se
}

type dropSourceExec struct{ stmt *sql.DropSource }

func (x dropSourceExec) execute(ctx context.Context, s *Session, _ []types.Datum) (*Result, error) {
	e := s.e
	e.writeMu.Lock()
	defer e.writeMu.Unlock()
	drop, err := e.dropClosure(planner.Source, x.stmt.Names, x.stmt.IfExists, x.stmt.Cascade)
	if err != nil {
		return nil, err
	}
	if err := e.dropObjects(ctx, drop); err != nil {
		return nil, err
	}
	return &Result{Tag: "DROP SOURCE"}, nil
}

// errSourceRead is the error of an ad-hoc query that reads a source.
func errSourceRead(name string) error {
	return &sqlerr.Error{Code: sqlerr.FeatureNotSupported,
		Message: fmt.Sprintf("reading source %q directly is not supported", name),
		Detail:  "A source's rows are not stored; only materialized views read them, as they arrive.",
		Hint:    fmt.Sprintf("Create a materialized view over it: CREATE MATERIALIZED VIEW v AS SELECT ... FROM %s;", name)}
}
