package planner

import (
	"flag"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/runnel-db/runnel/exec/expr"
	"github.com/runnel-db/runnel/exec/sqlerr"
	"github.com/runnel-db/runnel/exec/types"
	"github.com/runnel-db/runnel/sql"
)

var rewrite = flag.Bool("rewrite", false, "rewrite the expected output of testdata files")

// fakeCatalog is an in-memory catalog for tests.
type fakeCatalog map[string]*Relation

func (c fakeCatalog) Relation(schema, name string) (*Relation, error) {
	if schema == "" {
		schema = "public"
	}
	return c[schema+"."+name], nil
}

func testCatalog() fakeCatalog {
	num := types.T{Kind: types.Numeric, Precision: 10, Scale: 2}
	vc := types.T{Kind: types.Varchar, Precision: 20}
	rels := []*Relation{
		{ID: 1, OID: 16385, Schema: "public", Name: "t", Kind: Table, PrimaryKey: []int{0}, Columns: []RelColumn{
			{Name: "a", Type: types.Int32T, NotNull: true}, {Name: "b", Type: types.TextT},
			{Name: "c", Type: types.Int64T}, {Name: "d", Type: num}}},
		{ID: 2, OID: 16386, Schema: "public", Name: "s", Kind: Table, Columns: []RelColumn{
			{Name: "k", Type: types.Int32T}, {Name: "x", Type: types.Int32T}, {Name: "y", Type: types.TextT}}},
		{ID: 3, OID: 16387, Schema: "public", Name: "u", Kind: Table, PrimaryKey: []int{0}, Columns: []RelColumn{
			{Name: "id", Type: types.Int64T, NotNull: true}, {Name: "name", Type: vc},
			{Name: "ts", Type: types.TimestampT}, {Name: "amt", Type: types.Float64T}}},
		{ID: 4, OID: 16388, Schema: "public", Name: "v", Kind: View, Query: "SELECT a, b AS bee FROM t WHERE a > 1",
			Columns: []RelColumn{{Name: "a", Type: types.Int32T}, {Name: "bee", Type: types.TextT}}},
		{ID: 5, OID: 16389, Schema: "public", Name: "mv", Kind: MaterializedView, Query: "SELECT a, count(*) AS total FROM t GROUP BY a",
			Columns: []RelColumn{{Name: "a", Type: types.Int32T}, {Name: "total", Type: types.Int64T}}},
		{ID: 6, OID: 16390, Schema: "public", Name: "d", Kind: Table, PrimaryKey: []int{0}, Columns: []RelColumn{
			{Name: "id", Type: types.Int32T, NotNull: true}, {Name: "n", Type: types.Int32T, Default: "42"},
			{Name: "note", Type: types.TextT, Default: "'hi'"}, {Name: "created", Type: types.TimestampTZT, Default: "now()"}}},
		{ID: 7, OID: 16391, Schema: "other", Name: "t2", Kind: Table, Columns: []RelColumn{{Name: "q", Type: types.Int32T}}},
	}
	ts := types.TimestampT
	rels = append(rels,
		&Relation{ID: 10, OID: 16400, Schema: "public", Name: "bid", Kind: Table, Columns: []RelColumn{
			{Name: "auction", Type: types.Int64T}, {Name: "bidder", Type: types.Int64T}, {Name: "price", Type: types.Int64T},
			{Name: "channel", Type: types.VarcharT}, {Name: "url", Type: types.VarcharT}, {Name: "date_time", Type: ts},
			{Name: "extra", Type: types.VarcharT}}},
		&Relation{ID: 11, OID: 16401, Schema: "public", Name: "auction", Kind: Table, PrimaryKey: []int{0}, Columns: []RelColumn{
			{Name: "id", Type: types.Int64T}, {Name: "item_name", Type: types.VarcharT}, {Name: "description", Type: types.VarcharT},
			{Name: "initial_bid", Type: types.Int64T}, {Name: "reserve", Type: types.Int64T}, {Name: "date_time", Type: ts},
			{Name: "expires", Type: ts}, {Name: "seller", Type: types.Int64T}, {Name: "category", Type: types.Int64T},
			{Name: "extra", Type: types.VarcharT}}},
		&Relation{ID: 12, OID: 16402, Schema: "public", Name: "person", Kind: Table, PrimaryKey: []int{0}, Columns: []RelColumn{
			{Name: "id", Type: types.Int64T}, {Name: "name", Type: types.VarcharT}, {Name: "email_address", Type: types.VarcharT},
			{Name: "credit_card", Type: types.VarcharT}, {Name: "city", Type: types.VarcharT}, {Name: "state", Type: types.VarcharT},
			{Name: "date_time", Type: ts}, {Name: "extra", Type: types.VarcharT}}},
	)
	c := fakeCatalog{}
	for _, r := range rels {
		c[r.Schema+"."+r.Name] = r
	}
	return c
}

// runStatement plans one statement and renders the result (or error) for comparison.
func runStatement(p *Planner, cmd, text string) string {
	st, err := sql.ParseOne(text)
	if err != nil {
		return renderErr(err)
	}
	var out strings.Builder
	switch {
	case cmd == "view":
		q, err := p.PlanView(st, st.AST)
		if err != nil {
			return renderErr(err)
		}
		renderQuery(&out, q)
	case st.AST.GetSelectStmt() != nil:
		q, err := p.PlanQuery(st, nil)
		if err != nil {
			return renderErr(err)
		}
		renderQuery(&out, q)
	case st.AST.GetInsertStmt() != nil:
		ins, err := p.PlanInsert(st, nil)
		if err != nil {
			return renderErr(err)
		}
		fmt.Fprintf(&out, "insert into %s\n", ins.Table.Name)
		renderReturning(&out, ins.Returning, ins.ReturningColumns)
		renderParams(&out, ins.ParamTypes)
		out.WriteString(Explain(ins.Source))
	case st.AST.GetUpdateStmt() != nil:
		up, err := p.PlanUpdate(st, nil)
		if err != nil {
			return renderErr(err)
		}
		fmt.Fprintf(&out, "update %s\n", up.Table.Name)
		renderReturning(&out, up.Returning, up.ReturningColumns)
		renderParams(&out, up.ParamTypes)
		out.WriteString(Explain(up.Rows))
	case st.AST.GetDeleteStmt() != nil:
		del, err := p.PlanDelete(st, nil)
		if err != nil {
			return renderErr(err)
		}
		fmt.Fprintf(&out, "delete from %s\n", del.Table.Name)
		renderReturning(&out, del.Returning, del.ReturningColumns)
		renderParams(&out, del.ParamTypes)
		out.WriteString(Explain(del.Rows))
	default:
		return "unsupported test statement\n"
	}
	return out.String()
}

func renderErr(err error) string {
	e := sqlerr.From(err)
	if e == nil {
		return "internal error: " + err.Error() + "\n"
	}
	s := fmt.Sprintf("error %s", e.Code)
	if e.Position > 0 {
		s += fmt.Sprintf(" at %d", e.Position)
	}
	return s + ": " + e.Message + "\n"
}

func renderQuery(out *strings.Builder, q *Query) {
	out.WriteString("columns:")
	for _, c := range q.Columns {
		fmt.Fprintf(out, " %s %s", c.Name, c.Type)
		if c.TableOID != 0 {
			fmt.Fprintf(out, " (%d.%d)", c.TableOID, c.Attnum)
		}
		out.WriteString(",")
	}
	out.WriteString("\n")
	renderParams(out, q.ParamTypes)
	var rels []string
	for _, r := range q.Relations {
		rels = append(rels, r.Name)
	}
	if len(rels) > 0 {
		fmt.Fprintf(out, "relations: %s\n", strings.Join(rels, ", "))
	}
	out.WriteString(Explain(q))
}

func renderParams(out *strings.Builder, ps []types.T) {
	if len(ps) == 0 {
		return
	}
	var names []string
	for _, t := range ps {
		names = append(names, t.String())
	}
	fmt.Fprintf(out, "params: %s\n", strings.Join(names, ", "))
}

func renderReturning(out *strings.Builder, exprs []expr.Expr, cols []OutputColumn) {
	if len(exprs) == 0 {
		return
	}
	out.WriteString("returning:")
	for i, e := range exprs {
		fmt.Fprintf(out, " %s %s = %s,", cols[i].Name, cols[i].Type, e)
	}
	out.WriteString("\n")
}

// TestDataDriven runs every file in testdata: blocks of a command line ("plan" or "view"), the
// statement, "----", and the expected output, separated by blank lines.
func TestDataDriven(t *testing.T) {
	files, err := filepath.Glob("testdata/*")
	if err != nil {
		t.Fatal(err)
	}
	for _, f := range files {
		t.Run(filepath.Base(f), func(t *testing.T) { runFile(t, f) })
	}
}

type block struct {
	cmd, sql, want string
}

func parseBlocks(t *testing.T, data string) []block {
	var out []block
	lines := strings.Split(data, "\n")
	for i := 0; i < len(lines); {
		l := lines[i]
		if strings.TrimSpace(l) == "" || strings.HasPrefix(l, "#") {
			i++
			continue
		}
		b := block{cmd: strings.TrimSpace(l)}
		i++
		var sqlLines []string
		for i < len(lines) && lines[i] != "----" {
			sqlLines = append(sqlLines, lines[i])
			i++
		}
		i++ // ----
		var want []string
		for i < len(lines) && strings.TrimSpace(lines[i]) != "" {
			want = append(want, lines[i])
			i++
		}
		b.sql = strings.Join(sqlLines, "\n")
		if len(want) > 0 {
			b.want = strings.Join(want, "\n") + "\n"
		}
		out = append(out, b)
	}
	return out
}

func runFile(t *testing.T, path string) {
	data, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	blocks := parseBlocks(t, string(data))
	var rewritten strings.Builder
	for _, b := range blocks {
		p := New(testCatalog())
		got := runStatement(p, b.cmd, b.sql)
		if *rewrite {
			fmt.Fprintf(&rewritten, "%s\n%s\n----\n%s\n", b.cmd, b.sql, got)
			continue
		}
		if got != b.want {
			t.Errorf("%s:\n%s\ngot:\n%s\nwant:\n%s", path, b.sql, got, b.want)
		}
	}
	if *rewrite {
		if err := os.WriteFile(path, []byte(rewritten.String()), 0o644); err != nil {
			t.Fatal(err)
		}
	}
}
