package engine

import (
	"bytes"
	"context"
	"fmt"
	"strings"

	pg_query "github.com/pganalyze/pg_query_go/v6"

	"github.com/apache/arrow-go/v18/arrow"
	"github.com/apache/arrow-go/v18/arrow/array"

	"github.com/runnel-db/runnel/exec/expr"
	"github.com/runnel-db/runnel/exec/sqlerr"
	"github.com/runnel-db/runnel/exec/types"
	"github.com/runnel-db/runnel/exec/zset"
	"github.com/runnel-db/runnel/planner"
	"github.com/runnel-db/runnel/sql"
)

// COPY t [(cols)] FROM STDIN [WITH (FORMAT text|csv, HEADER, DELIMITER 'c', NULL 's')]: bulk
// loading. The rows are parsed and applied as one epoch when the client finishes (CopyDone);
// a bad row fails the whole COPY and nothing is applied.

type copyOptions struct {
	format    CopyFormat
	delimiter byte
	null      string
	header    bool
	quote     byte
}

type copyInExec struct {
	st    sql.Statement
	table string
	cols  []string
	opts  copyOptions
}

func (s *Session) bindCopy(st sql.Statement, c *pg_query.CopyStmt) (executor, error) {
	opts, err := parseCopyOptions(c)
	if err != nil {
		return nil, err
	}
	if !c.IsFrom {
		return s.bindCopyOut(st, c, opts)
	}
	if c.Relation == nil || c.Filename != "" || c.IsProgram {
		return nil, sqlerr.NotSupported("COPY from a file or program (use COPY … FROM STDIN or psql's \\copy)")
	}
	if c.WhereClause != nil {
		return nil, sqlerr.NotSupported("COPY FROM … WHERE")
	}
	x := &copyInExec{st: st, table: c.Relation.Relname, opts: opts}
	for _, a := range c.Attlist {
		x.cols = append(x.cols, a.GetString_().Sval)
	}
	return x, nil
}

// parseCopyOptions reads COPY's WITH options, both directions.
func parseCopyOptions(c *pg_query.CopyStmt) (copyOptions, error) {
	opts := copyOptions{format: CopyText, delimiter: '\t', null: `\N`, quote: '"'}
	delimSet, nullSet := false, false
	for _, o := range c.Options {
		d := o.GetDefElem()
		if d == nil {
			continue
		}
		val := ""
		if d.Arg != nil {
			val = constText(d.Arg)
			if val == "" && d.Arg.GetString_() != nil {
				val = d.Arg.GetString_().Sval
			}
		}
		switch strings.ToLower(d.Defname) {
		case "format":
			switch strings.ToLower(val) {
			case "text":
				opts.format = CopyText
			case "csv":
				opts.format = CopyCSV
			case "binary":
				return opts, sqlerr.NotSupported("COPY in binary format")
			default:
				return opts, sqlerr.New(sqlerr.InvalidParameterValue, "COPY format %q not recognized", val)
			}
		case "delimiter":
			if len(val) != 1 {
				return opts, sqlerr.New(sqlerr.FeatureNotSupported, "COPY delimiter must be a single one-byte character")
			}
			opts.delimiter, delimSet = val[0], true
		case "null":
			opts.null, nullSet = val, true
		case "header":
			opts.header = d.Arg == nil || !strings.EqualFold(val, "false") && val != "0" && !strings.EqualFold(val, "off")
		case "quote":
			if len(val) != 1 {
				return opts, sqlerr.New(sqlerr.FeatureNotSupported, "COPY quote must be a single one-byte character")
			}
			opts.quote = val[0]
		case "encoding":
			if _, err := normalizeEncoding(val); err != nil {
				return opts, err
			}
		default:
			return opts, sqlerr.NotSupported(fmt.Sprintf("COPY option %q", d.Defname))
		}
	}
	if opts.format == CopyCSV {
		if !delimSet {
			opts.delimiter = ','
		}
		if !nullSet {
			opts.null = ""
		}
	}
	return opts, nil
}

func (x *copyInExec) execute(_ context.Context, s *Session, _ []types.Datum) (*Result, error) {
	e := s.e
	e.mu.RLock()
	o := e.cat.lookup("", x.table)
	e.mu.RUnlock()
	if o == nil {
		return nil, sqlerr.New(sqlerr.UndefinedTable, "relation %q does not exist", x.table)
	}
	if o.Kind != planner.Table {
		return nil, sqlerr.New(sqlerr.WrongObjectType, "cannot copy to %s %q", kindName(o.Kind), o.Name)
	}
	target := make([]int, 0, len(o.Columns))
	if len(x.cols) == 0 {
		for i := range o.Columns {
			target = append(target, i)
		}
	} else {
		for _, name := range x.cols {
			idx := -1
			for i, c := range o.Columns {
				if c.Name == name {
					idx = i
				}
			}
			if idx < 0 {
				return nil, sqlerr.New(sqlerr.UndefinedColumn, "column %q of relation %q does not exist", name, o.Name)
			}
			target = append(target, idx)
		}
	}
	return &Result{CopyIn: &copyIn{s: s, table: o, target: target, opts: x.opts}}, nil
}

// copyIn buffers the client's data until CopyDone.
type copyIn struct {
	s      *Session
	table  *object
	target []int
	opts   copyOptions
	data   bytes.Buffer
}

func (c *copyIn) Format() CopyFormat { return c.opts.format }
func (c *copyIn) NumColumns() int    { return len(c.target) }

func (c *copyIn) Write(data []byte) error {
	c.data.Write(data)
	return nil
}

func (c *copyIn) Abort() { c.data.Reset() }

func (c *copyIn) Done(ctx context.Context) (string, error) {
	e := c.s.e
	o := c.table
	var records [][]*string
	var err error
	if c.opts.format == CopyCSV {
		records, err = parseCSV(c.data.Bytes(), c.opts)
	} else {
		records, err = parseCopyText(c.data.Bytes(), c.opts)
	}
	if err != nil {
		return "", err
	}
	if c.opts.header && len(records) > 0 {
		records = records[1:]
	}
	ectx := e.evalContext(c.s, nil)
	// Columns not listed take their defaults, evaluated once for the whole COPY.
	defaults := make([]types.Datum, len(o.Columns))
	listed := make([]bool, len(o.Columns))
	for _, t := range c.target {
		listed[t] = true
	}
	e.mu.RLock()
	p := e.planner()
	for i, col := range o.Columns {
		if listed[i] || col.Default == "" {
			continue
		}
		d, err := p.BindDefault(col.Default, col.Type)
		if err == nil {
			defaults[i], err = expr.EvalConst(ectx, d)
		}
		if err != nil {
			e.mu.RUnlock()
			return "", err
		}
	}
	e.mu.RUnlock()
	builders := make([]array.Builder, len(o.Columns))
	for i, col := range o.Columns {
		builders[i] = types.NewBuilder(e.mem, col.Type)
		defer builders[i].Release()
	}
	loc := c.s.location()
	for line, rec := range records {
		if len(rec) != len(c.target) {
			return "", &sqlerr.Error{Code: "22P04", Message: fmt.Sprintf("row has %d columns, expected %d", len(rec), len(c.target)),
				Detail: fmt.Sprintf("COPY %s, line %d", o.Name, line+1)}
		}
		row := make([]types.Datum, len(o.Columns))
		copy(row, defaults)
		for j, field := range rec {
			col := o.Columns[c.target[j]]
			if field == nil {
				row[c.target[j]] = nil
				continue
			}
			d, err := types.ParseText(*field, col.Type, loc)
			if err != nil {
				if se := sqlerr.From(err); se != nil {
					se = se.At(0)
					se.Detail = fmt.Sprintf("COPY %s, line %d, column %s: %q", o.Name, line+1, col.Name, *field)
					return "", se
				}
				return "", err
			}
			row[c.target[j]] = d
		}
		for i := range row {
			types.AppendDatum(builders[i], row[i])
		}
	}
	cols := make([]arrow.Array, len(builders))
	for i, b := range builders {
		cols[i] = b.NewArray()
		defer cols[i].Release()
	}
	wb := array.NewInt64Builder(e.mem)
	for range records {
		wb.Append(1)
	}
	w := wb.NewArray()
	wb.Release()
	defer w.Release()
	rows := zset.New(cols, w)
	defer rows.Release()
	if err := e.insertRows(ctx, o, rows); err != nil {
		return "", err
	}
	return fmt.Sprintf("COPY %d", len(records)), nil
}

// parseCopyText splits PostgreSQL's text COPY format: one row per line, fields separated by the
// delimiter, backslash escapes, the null string (default \N) for NULL, optional "\." end marker.
func parseCopyText(data []byte, opts copyOptions) ([][]*string, error) {
	var rows [][]*string
	for len(data) > 0 {
		i := bytes.IndexByte(data, '\n')
		var line []byte
		if i < 0 {
			line, data = data, nil
		} else {
			line, data = data[:i], data[i+1:]
		}
		line = bytes.TrimSuffix(line, []byte{'\r'})
		if string(line) == `\.` {
			break
		}
		var fields []*string
		for _, raw := range bytes.Split(line, []byte{opts.delimiter}) {
			if string(raw) == opts.null {
				fields = append(fields, nil)
				continue
			}
			v, err := unescapeCopyText(raw)
			if err != nil {
				return nil, err
			}
			fields = append(fields, &v)
		}
		rows = append(rows, fields)
	}
	return rows, nil
}

func unescapeCopyText(raw []byte) (string, error) {
	if bytes.IndexByte(raw, '\\') < 0 {
		return string(raw), nil
	}
	var b strings.Builder
	for i := 0; i < len(raw); i++ {
		c := raw[i]
		if c != '\\' || i+1 == len(raw) {
			b.WriteByte(c)
			continue
		}
		i++
		switch c = raw[i]; c {
		case 'n':
			b.WriteByte('\n')
		case 't':
			b.WriteByte('\t')
		case 'r':
			b.WriteByte('\r')
		case 'b':
			b.WriteByte('\b')
		case 'f':
			b.WriteByte('\f')
		case 'v':
			b.WriteByte('\v')
		case 'x':
			v, n := 0, 0
			for n < 2 && i+1 < len(raw) && isHex(raw[i+1]) {
				i++
				v = v*16 + hexVal(raw[i])
				n++
			}
			if n == 0 {
				b.WriteByte('x')
			} else {
				b.WriteByte(byte(v))
			}
		default:
			if c >= '0' && c <= '7' {
				v, n := int(c-'0'), 1
				for n < 3 && i+1 < len(raw) && raw[i+1] >= '0' && raw[i+1] <= '7' {
					i++
					v = v*8 + int(raw[i]-'0')
					n++
				}
				b.WriteByte(byte(v))
			} else {
				b.WriteByte(c)
			}
		}
	}
	return b.String(), nil
}

func isHex(c byte) bool { return c >= '0' && c <= '9' || c >= 'a' && c <= 'f' || c >= 'A' && c <= 'F' }

func hexVal(c byte) int {
	switch {
	case c >= 'a':
		return int(c-'a') + 10
	case c >= 'A':
		return int(c-'A') + 10
	}
	return int(c - '0')
}

// parseCSV splits PostgreSQL's CSV COPY format: quoted fields may hold delimiters, doubled quotes
// and newlines; an unquoted field equal to the null string is NULL, a quoted one never is.
func parseCSV(data []byte, opts copyOptions) ([][]*string, error) {
	var rows [][]*string
	var fields []*string
	var field []byte
	quoted, inQuotes, atStart := false, false, true
	endField := func() {
		v := string(field)
		if !quoted && v == opts.null {
			fields = append(fields, nil)
		} else {
			fields = append(fields, &v)
		}
		field, quoted, atStart = field[:0:0], false, true
	}
	for i := 0; i < len(data); i++ {
		c := data[i]
		switch {
		case inQuotes && c == opts.quote:
			if i+1 < len(data) && data[i+1] == opts.quote {
				field = append(field, c)
				i++
			} else {
				inQuotes = false
			}
		case inQuotes:
			field = append(field, c)
		case c == opts.quote:
			inQuotes, quoted, atStart = true, true, false
		case c == opts.delimiter:
			endField()
		case c == '\n' || c == '\r':
			if c == '\r' && i+1 < len(data) && data[i+1] == '\n' {
				i++
			}
			if atStart && len(fields) == 0 && len(field) == 0 {
				continue // blank line
			}
			if len(fields) == 0 && !quoted && string(field) == `\.` {
				return rows, nil
			}
			endField()
			rows = append(rows, fields)
			fields = nil
		default:
			field = append(field, c)
			atStart = false
		}
	}
	if inQuotes {
		return nil, sqlerr.New("22P04", "unterminated CSV quoted field")
	}
	if len(fields) > 0 || len(field) > 0 || quoted {
		if !(len(fields) == 0 && !quoted && string(field) == `\.`) {
			endField()
			rows = append(rows, fields)
		}
	}
	return rows, nil
}
