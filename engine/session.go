package engine

import (
	"context"
	"fmt"
	"strconv"
	"strings"
	"time"

	pg_query "github.com/pganalyze/pg_query_go/v6"

	"github.com/runnel-db/runnel/exec/sqlerr"
	"github.com/runnel-db/runnel/exec/types"
	"github.com/runnel-db/runnel/sql"
)

// Session is one client connection's state: settings, transaction status, and the statements it
// prepares and executes. A Session is used by one goroutine at a time.
type Session struct {
	e        *Engine
	id       uint64
	user     string
	database string
	settings *settings

	// txStatus is 'I' (idle), 'T' (in a transaction block) or 'E' (failed transaction block).
	txStatus byte
	txWrote  bool // a statement in the current block committed a write
	txStart  time.Time
	stmtTime time.Time

	// cursors are the open cursors by name (DECLARE … CURSOR).
	cursors map[string]*cursor
	// implicitTx is set while a multi-statement simple Query runs outside a transaction block
	// (BeginImplicit).
	implicitTx bool
}

// NewSession starts a session for user on database. Startup parameters the client sent
// (client_encoding, DateStyle, TimeZone, application_name, ...) are applied like SET.
func (e *Engine) NewSession(user, database string, params map[string]string) (*Session, error) {
	if e.closed.Load() {
		return nil, sqlerr.New("57P01", "the server is shutting down")
	}
	if database != "" && database != "runnel" && database != user {
		return nil, sqlerr.New("3D000", "database %q does not exist", database)
	}
	s := &Session{e: e, id: e.sessionID.Add(1), user: user, database: database, settings: newSettings(user), txStatus: 'I'}
	if !s.isSuperuser() {
		s.settings.values["is_superuser"] = "off"
	}
	for name, value := range startupSettings(params) {
		if err := s.settings.setStartup(name, value); err != nil {
			if e := sqlerr.From(err); e != nil && (e.Code == sqlerr.UndefinedObject || e.Code == sqlerr.FeatureNotSupported) {
				// Unknown parameters, and values Runnel cannot honour (DateStyle=SQL), keep the
				// default, which the client sees in ParameterStatus and can correct.
				continue
			}
			return nil, err
		}
	}
	return s, nil
}

// startupSettings are the settings a StartupMessage asks for: its parameters, and the
// "-c name=value" (or "--name=value") switches of its options parameter, which win.
func startupSettings(params map[string]string) map[string]string {
	out := make(map[string]string, len(params))
	for name, value := range params {
		switch name {
		case "user", "database", "options", "replication":
		default:
			out[name] = value
		}
	}
	args := splitOptions(params["options"])
	for i := 0; i < len(args); i++ {
		a := args[i]
		switch {
		case a == "-c" && i+1 < len(args):
			i++
			a = args[i]
		case strings.HasPrefix(a, "-c"):
			a = a[2:]
		case strings.HasPrefix(a, "--"):
			a = a[2:]
		default:
			continue
		}
		if name, value, ok := strings.Cut(a, "="); ok {
			out[strings.ReplaceAll(name, "-", "_")] = value
		}
	}
	return out
}

// splitOptions splits the options startup parameter at unescaped spaces; a backslash makes the
// next character literal, as in PostgreSQL's pg_split_opts.
func splitOptions(s string) []string {
	var out []string
	var cur strings.Builder
	inWord := false
	for i := 0; i < len(s); i++ {
		c := s[i]
		switch {
		case c == '\\' && i+1 < len(s):
			i++
			cur.WriteByte(s[i])
			inWord = true
		case c == ' ' || c == '\t' || c == '\n':
			if inWord {
				out = append(out, cur.String())
				cur.Reset()
				inWord = false
			}
		default:
			cur.WriteByte(c)
			inWord = true
		}
	}
	if inWord {
		out = append(out, cur.String())
	}
	return out
}

// StatementTimeout is the session's statement_timeout; 0 means none. The protocol layer
// cancels a statement that runs longer with 57014.
func (s *Session) StatementTimeout() time.Duration { return s.settings.timeout }

// Parameters are the values reported with ParameterStatus at startup.
func (s *Session) Parameters() []Parameter { return s.settings.reported() }

// TxStatus is the transaction status for ReadyForQuery: 'I', 'T' or 'E'.
func (s *Session) TxStatus() byte { return s.txStatus }

// Location is the session TimeZone.
func (s *Session) Location() *time.Location { return s.settings.location }

// ExtraFloatDigits is the session's extra_float_digits setting, which float text output follows.
func (s *Session) ExtraFloatDigits() int {
	_, v, _ := s.settings.get("extra_float_digits")
	n, err := strconv.Atoi(v)
	if err != nil {
		return 1
	}
	return n
}

// Close ends the session: its cursors (and the subscriptions behind them) are closed.
func (s *Session) Close() { s.closeCursors(func(*cursor) bool { return true }) }

// Split breaks a simple-protocol query string into its statements and their byte offsets.
func (s *Session) Split(text string) ([]string, []int, error) { return sql.Split(text) }

func (s *Session) location() *time.Location { return s.settings.location }

func (s *Session) statementTime() types.TimestampValue {
	t := s.stmtTime
	if s.txStatus != 'I' && !s.txStart.IsZero() {
		t = s.txStart
	}
	if t.IsZero() {
		t = time.Now()
	}
	return types.TimestampValue(t.UnixMicro())
}

// Prepare parses and binds one statement. paramTypes[i] is Unknown where the client left $i+1's
// type open; the returned Prepared carries the inferred types.
func (s *Session) Prepare(ctx context.Context, text string, paramTypes []types.T) (*Prepared, error) {
	st, err := sql.ParseOne(text)
	if err != nil {
		s.failTx()
		return nil, err
	}
	p := &Prepared{SQL: text}
	if st.IsEmpty() {
		p.exec = emptyExec{}
		return p, nil
	}
	if s.txStatus == 'E' && !isTxEnd(st) {
		return nil, errTxAborted()
	}
	x, err := s.bind(st, paramTypes, p)
	if err != nil {
		s.failTx()
		return nil, err
	}
	p.exec = x
	if p.ParamTypes == nil {
		p.ParamTypes = resolvedParams(paramTypes)
	}
	return p, nil
}

// failTx marks an open transaction block failed: as in PostgreSQL, any error does.
func (s *Session) failTx() {
	if s.txStatus == 'T' {
		s.txStatus = 'E'
	}
}

// Execute runs a prepared statement with parameter values of its ParamTypes.
func (s *Session) Execute(ctx context.Context, p *Prepared, params []types.Datum) (*Result, error) {
	if len(params) != len(p.ParamTypes) {
		return nil, sqlerr.New(sqlerr.ProtocolViolation, "bind message supplies %d parameters, but prepared statement requires %d", len(params), len(p.ParamTypes))
	}
	s.stmtTime = time.Now()
	if s.txStatus == 'E' {
		if _, ok := p.exec.(*txExec); !ok {
			return nil, errTxAborted()
		}
	}
	r, err := p.exec.execute(ctx, s, params)
	switch {
	case err != nil && s.txStatus == 'T':
		s.txStatus = 'E'
	case err == nil && s.txStatus == 'T':
		if _, ok := p.exec.(writer); ok {
			s.txWrote = true
		}
	}
	return r, err
}

// bind dispatches on the statement kind.
func (s *Session) bind(st sql.Statement, paramTypes []types.T, p *Prepared) (executor, error) {
	switch r := st.Runnel.(type) {
	case *sql.ShowObjects:
		p.Columns = showObjectsColumns(r)
		return showObjectsExec{r}, nil
	case *sql.ShowCreate:
		p.Columns = showCreateColumns(r)
		return showCreateExec{r}, nil
	case *sql.Flush:
		return tagExec("FLUSH"), nil
	case *sql.CreateSource:
		return &createSourceExec{st: st, stmt: r}, nil
	case *sql.DropSource:
		return dropSourceExec{r}, nil
	case *sql.Subscribe:
		return s.bindSubscribe(r, p)
	case *sql.CopySubscribe:
		return s.bindCopySubscribe(r)
	case *sql.DeclareSubscribe:
		return s.bindDeclareSubscribe(r)
	case *sql.Fetch:
		return s.bindFetchWith(r, p)
	}
	switch n := st.AST.Node.(type) {
	case *pg_query.Node_SelectStmt:
		return s.bindQuery(st, paramTypes, p)
	case *pg_query.Node_InsertStmt:
		return s.bindInsert(st, paramTypes, p)
	case *pg_query.Node_UpdateStmt:
		return s.bindUpdate(st, paramTypes, p)
	case *pg_query.Node_DeleteStmt:
		return s.bindDelete(st, paramTypes, p)
	case *pg_query.Node_CreateStmt:
		return &createTableExec{st: st, stmt: n.CreateStmt}, nil
	case *pg_query.Node_ViewStmt:
		return &createViewExec{st: st, stmt: n.ViewStmt}, nil
	case *pg_query.Node_CreateTableAsStmt:
		if n.CreateTableAsStmt.Objtype != pg_query.ObjectType_OBJECT_MATVIEW {
			return nil, sqlerr.NotSupported("CREATE TABLE AS")
		}
		return &createMaterializedViewExec{st: st, stmt: n.CreateTableAsStmt}, nil
	case *pg_query.Node_DropStmt:
		return &dropExec{st: st, stmt: n.DropStmt}, nil
	case *pg_query.Node_IndexStmt:
		return &createIndexExec{st: st, stmt: n.IndexStmt}, nil
	case *pg_query.Node_ExplainStmt:
		p.Columns = []Column{{Name: "QUERY PLAN", Type: types.TextT}}
		return &explainExec{st: st, stmt: n.ExplainStmt}, nil
	case *pg_query.Node_VariableSetStmt:
		return &setExec{stmt: n.VariableSetStmt}, nil
	case *pg_query.Node_VariableShowStmt:
		name := n.VariableShowStmt.Name
		if name == "tables" {
			r := &sql.ShowObjects{Kind: sql.KindTable}
			p.Columns = showObjectsColumns(r)
			return showObjectsExec{r}, nil
		}
		p.Columns = showColumns(name)
		return &showExec{name: name}, nil
	case *pg_query.Node_TransactionStmt:
		return &txExec{stmt: n.TransactionStmt}, nil
	case *pg_query.Node_DeclareCursorStmt:
		return s.bindDeclare(st, n.DeclareCursorStmt, paramTypes, p)
	case *pg_query.Node_FetchStmt:
		return s.bindFetch(n.FetchStmt, p)
	case *pg_query.Node_ClosePortalStmt:
		return &closeExec{name: n.ClosePortalStmt.Portalname}, nil
	case *pg_query.Node_CopyStmt:
		return s.bindCopy(st, n.CopyStmt)
	case *pg_query.Node_TruncateStmt:
		return &truncateExec{st: st, stmt: n.TruncateStmt}, nil
	case *pg_query.Node_CreateRoleStmt:
		return &createRoleExec{st: st, stmt: n.CreateRoleStmt}, nil
	case *pg_query.Node_AlterRoleStmt:
		return &alterRoleExec{st: st, stmt: n.AlterRoleStmt}, nil
	case *pg_query.Node_DropRoleStmt:
		return &dropRoleExec{st: st, stmt: n.DropRoleStmt}, nil
	}
	return nil, sqlerr.NotSupported(statementName(st.AST))
}

func isTxEnd(st sql.Statement) bool {
	if st.AST == nil {
		return false
	}
	t := st.AST.GetTransactionStmt()
	return t != nil && (t.Kind == pg_query.TransactionStmtKind_TRANS_STMT_COMMIT || t.Kind == pg_query.TransactionStmtKind_TRANS_STMT_ROLLBACK)
}

// resolvedParams replaces Unknown parameter types with text, as PostgreSQL does.
func resolvedParams(ts []types.T) []types.T {
	out := make([]types.T, len(ts))
	for i, t := range ts {
		if t.Kind == types.Unknown {
			t = types.TextT
		}
		out[i] = t
	}
	return out
}

// statementName names a statement kind for "… is not supported" errors, from the PostgreSQL
// parse node's name: IndexStmt → "CREATE INDEX", AlterTableStmt → "ALTER TABLE".
func statementName(n *pg_query.Node) string {
	name := strings.TrimSuffix(strings.TrimPrefix(fmt.Sprintf("%T", n.Node), "*pg_query.Node_"), "Stmt")
	if special, ok := statementNames[name]; ok {
		return special
	}
	var words []string
	start := 0
	for i := 1; i <= len(name); i++ {
		if i == len(name) || name[i] >= 'A' && name[i] <= 'Z' {
			words = append(words, strings.ToUpper(name[start:i]))
			start = i
		}
	}
	return strings.Join(words, " ")
}

var statementNames = map[string]string{
	"Index": "CREATE INDEX", "CreateSeq": "CREATE SEQUENCE", "CreateTrig": "CREATE TRIGGER",
	"CreateFunction": "CREATE FUNCTION", "DeclareCursor": "DECLARE CURSOR", "Rename": "ALTER ... RENAME",
	"Grant": "GRANT", "Vacuum": "VACUUM", "Truncate": "TRUNCATE", "Comment": "COMMENT",
	"Listen": "LISTEN", "Notify": "NOTIFY", "Lock": "LOCK", "Do": "DO", "Call": "CALL",
}

// writer marks executors that commit changes.
type writer interface{ writes() }

func (*dmlExec) writes()                    {}
func (*createTableExec) writes()            {}
func (*createViewExec) writes()             {}
func (*createMaterializedViewExec) writes() {}
func (*dropExec) writes()                   {}
func (*copyInExec) writes()                 {}

// simple executors

type emptyExec struct{}

func (emptyExec) execute(context.Context, *Session, []types.Datum) (*Result, error) {
	return &Result{Empty: true}, nil
}

type tagExec string

func (t tagExec) execute(context.Context, *Session, []types.Datum) (*Result, error) {
	return &Result{Tag: string(t)}, nil
}
