package sql

import (
	"fmt"
	"strings"
	"sync"

	pg_query "github.com/pganalyze/pg_query_go/v6"
)

// treeVersion is the parse-tree version the deparser expects: the one the parser produces.
var treeVersion = sync.OnceValue(func() int32 {
	tree, err := pg_query.Parse("SELECT 1")
	if err != nil {
		panic(fmt.Sprintf("sql: the PostgreSQL parser cannot parse SELECT 1: %v", err))
	}
	return tree.Version
})

// Deparse renders a statement node back to SQL text (canonical PostgreSQL spelling).
func Deparse(stmt *pg_query.Node) (string, error) {
	text, err := pg_query.Deparse(&pg_query.ParseResult{Version: treeVersion(), Stmts: []*pg_query.RawStmt{{Stmt: stmt}}})
	if err != nil {
		return "", fmt.Errorf("deparse: %w", err)
	}
	return text, nil
}

// DeparseExpr renders an expression node back to SQL text.
func DeparseExpr(n *pg_query.Node) (string, error) {
	sel := &pg_query.Node{Node: &pg_query.Node_SelectStmt{SelectStmt: &pg_query.SelectStmt{
		TargetList: []*pg_query.Node{{Node: &pg_query.Node_ResTarget{ResTarget: &pg_query.ResTarget{Val: n}}}},
	}}}
	text, err := Deparse(sel)
	if err != nil {
		return "", err
	}
	return strings.TrimPrefix(text, "SELECT "), nil
}
