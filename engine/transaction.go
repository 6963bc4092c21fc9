package engine

import (
	"context"

	pg_query "github.com/pganalyze/pg_query_go/v6"

	"github.com/runnel-db/runnel/exec/sqlerr"
	"github.com/runnel-db/runnel/exec/types"
)

// Transactions. Every statement commits on its own (one epoch each); a transaction block
// (BEGIN … COMMIT) groups statements for what is session state: the statement time now()
// returns, settings (SET is undone by ROLLBACK, SET LOCAL ends with the block), cursors (closed
// at the block's end unless WITH HOLD), and the failed state after an error (25P02 until
// ROLLBACK). ROLLBACK of a block that wrote is refused rather than pretending: the writes are
// already committed.

// SQLSTATE of a statement in a failed transaction block.
const codeInFailedTransaction = "25P02"

func errTxAborted() error {
	return sqlerr.New(codeInFailedTransaction, "current transaction is aborted, commands ignored until end of transaction block")
}

type txExec struct{ stmt *pg_query.TransactionStmt }

func (x *txExec) execute(_ context.Context, s *Session, _ []types.Datum) (*Result, error) {
	switch x.stmt.Kind {
	case pg_query.TransactionStmtKind_TRANS_STMT_BEGIN, pg_query.TransactionStmtKind_TRANS_STMT_START:
		if s.txStatus == 'I' {
			s.txStatus, s.txWrote = 'T', false
			s.txStart = s.stmtTime
			s.implicitTx = false // the explicit block takes over, as in PostgreSQL
		}
		return &Result{Tag: "BEGIN"}, nil
	case pg_query.TransactionStmtKind_TRANS_STMT_COMMIT:
		failed := s.txStatus == 'E'
		changes := s.endTx(!failed)
		if failed {
			return &Result{Tag: "ROLLBACK", ParameterChanges: changes}, nil
		}
		return &Result{Tag: "COMMIT", ParameterChanges: changes}, nil
	case pg_query.TransactionStmtKind_TRANS_STMT_ROLLBACK:
		wrote := s.txWrote
		changes := s.endTx(false)
		if wrote {
			return nil, &sqlerr.Error{Code: sqlerr.FeatureNotSupported,
				Message: "ROLLBACK of committed writes is not supported",
				Detail:  "Runnel commits every statement on its own; the writes made in this transaction block are already committed.",
			}
		}
		return &Result{Tag: "ROLLBACK", ParameterChanges: changes}, nil
	}
	return nil, sqlerr.NotSupported("savepoints and two-phase commit")
}

// endTx ends the transaction block, if one is open: its cursors and settings end as COMMIT
// (commit true) or ROLLBACK ends them. It returns the reported parameters that changed.
func (s *Session) endTx(commit bool) []Parameter {
	if s.txStatus == 'I' {
		return nil
	}
	s.txStatus, s.txWrote = 'I', false
	s.endTxCursors(commit)
	return s.settings.endTx(commit)
}

// BeginImplicit starts the implicit transaction block of a simple Query holding several
// statements: as in PostgreSQL, cursors may be declared in it and live until the Query ends.
func (s *Session) BeginImplicit() {
	if s.txStatus == 'I' {
		s.implicitTx = true
	}
}

// EndImplicit ends the implicit block BeginImplicit started, if no explicit BEGIN took it over:
// its cursors are closed, except WITH HOLD ones when the Query succeeded (failed false).
func (s *Session) EndImplicit(failed bool) {
	if !s.implicitTx {
		return
	}
	s.implicitTx = false
	if s.txStatus == 'I' {
		s.endTxCursors(!failed)
	}
}
