package engine

import (
	"fmt"
	"strings"

	"github.com/runnel-db/runnel/exec/expr"
	"github.com/runnel-db/runnel/exec/types"
	"github.com/runnel-db/runnel/planner"
)

// pg_index and pg_constraint: a table's primary key is a unique index named <table>_pkey with a
// PRIMARY KEY constraint, as in PostgreSQL; its secondary indexes (CREATE INDEX, UNIQUE) are
// btree indexes, a UNIQUE constraint's with a UNIQUE constraint of the same name. NOT NULL is no
// constraint in PostgreSQL 15 (it is pg_attribute.attnotnull); Runnel has no CHECK or FOREIGN KEY.

// indexColumns are the 0-based column positions of the index.
func (ref indexRef) indexColumns() []int {
	if ref.ix == nil {
		return ref.table.PrimaryKey
	}
	return ref.ix.Columns
}

func (ref indexRef) name() string {
	if ref.ix == nil {
		return pkeyName(ref.table)
	}
	return ref.ix.Name
}

func (ref indexRef) oid() int64 {
	if ref.ix == nil {
		return pkeyIndexOID(ref.table)
	}
	return int64(firstOID + ref.ix.ID)
}

func (ref indexRef) unique() bool { return ref.ix == nil || ref.ix.Unique }

// constraintOID is the oid of the index's constraint, 0 when it backs none.
func (ref indexRef) constraintOID() int64 {
	switch {
	case ref.ix == nil:
		return constraintOIDBase + int64(ref.table.ID)
	case ref.ix.Constraint:
		return constraintOIDBase + int64(ref.ix.ID)
	}
	return 0
}

// tableIndexes lists o's indexes, its primary key first.
func tableIndexes(o *object) []indexRef {
	var out []indexRef
	if o.Kind == planner.Table && len(o.PrimaryKey) > 0 {
		out = append(out, indexRef{table: o})
	}
	for i := range o.Indexes {
		out = append(out, indexRef{table: o, ix: &o.Indexes[i]})
	}
	return out
}

// columnNames are the quoted names of the index's columns.
func (ref indexRef) columnNames() []string {
	cols := ref.indexColumns()
	names := make([]string, len(cols))
	for i, c := range cols {
		names[i] = expr.QuoteIdent(ref.table.Columns[c].Name)
	}
	return names
}

// indexDef is pg_get_indexdef(oid): the CREATE INDEX statement of the index; pretty leaves a
// visible table unqualified, as PostgreSQL's pretty mode does.
func (ref indexRef) indexDef(pretty bool) string {
	unique := ""
	if ref.unique() {
		unique = "UNIQUE "
	}
	table := expr.QuoteIdent(ref.table.Name)
	if !pretty || !schemaVisible(ref.table.Schema) {
		table = expr.QuoteIdent(ref.table.Schema) + "." + table
	}
	return fmt.Sprintf("CREATE %sINDEX %s ON %s USING btree (%s)", unique, expr.QuoteIdent(ref.name()), table,
		strings.Join(ref.columnNames(), ", "))
}

// constraintDef is pg_get_constraintdef(oid).
func (ref indexRef) constraintDef() string {
	kind := "UNIQUE"
	if ref.ix == nil {
		kind = "PRIMARY KEY"
	}
	return kind + " (" + strings.Join(ref.columnNames(), ", ") + ")"
}

// attnums are the index's 1-based column numbers.
func (ref indexRef) attnums() types.ArrayValue {
	cols := ref.indexColumns()
	out := make(types.ArrayValue, len(cols))
	for i, c := range cols {
		out[i] = int64(c + 1)
	}
	return out
}

func init() {
	oid, b, txt, i2 := oidCol, boolCol, textCol, i2Col
	int2Array, _ := types.ArrayOf(types.Int16T)
	systemRelations = append(systemRelations,
		&systemRelation{schema: PgCatalog, name: "pg_index",
			cols: []planner.RelColumn{oid("indexrelid"), oid("indrelid"), i2("indnatts"), i2("indnkeyatts"), b("indisunique"),
				b("indnullsnotdistinct"), b("indisprimary"), b("indisexclusion"), b("indimmediate"), b("indisclustered"),
				b("indisvalid"), b("indcheckxmin"), b("indisready"), b("indislive"), b("indisreplident"),
				col("indkey", types.Int2VectorT), col("indcollation", types.OidVectorT), col("indclass", types.OidVectorT),
				col("indoption", types.Int2VectorT), txt("indexprs"), txt("indpred")},
			rows: pgIndexRows},
		&systemRelation{schema: PgCatalog, name: "pg_constraint",
			cols: []planner.RelColumn{oid("oid"), txt("conname"), oid("connamespace"), txt("contype"), b("condeferrable"),
				b("condeferred"), b("convalidated"), oid("conrelid"), oid("contypid"), oid("conindid"), oid("conparentid"),
				oid("confrelid"), txt("confupdtype"), txt("confdeltype"), txt("confmatchtype"), b("conislocal"),
				col("coninhcount", types.Int32T), b("connoinherit"), col("conkey", int2Array), col("confkey", int2Array),
				txt("conbin")},
			rows: pgConstraintRows},
	)
	expr.RegisterFunc("pg_get_indexdef", []types.T{types.OidT}, types.TextT, false,
		func(ctx *expr.Context, a []types.Datum) (types.Datum, error) {
			return indexDefColumn(ctx, a[0].(int64), 0, false)
		})
	expr.RegisterFunc("pg_get_indexdef", []types.T{types.OidT, types.Int32T, types.BoolT}, types.TextT, false,
		func(ctx *expr.Context, a []types.Datum) (types.Datum, error) {
			return indexDefColumn(ctx, a[0].(int64), a[1].(int64), a[2].(bool))
		})
	constraintDef := func(ctx *expr.Context, a []types.Datum) (types.Datum, error) {
		r, err := readerOf(ctx, "pg_get_constraintdef")
		if err != nil {
			return nil, err
		}
		ref, ok := r.conByOID[a[0].(int64)]
		if !ok {
			return nil, nil
		}
		return ref.constraintDef(), nil
	}
	expr.RegisterFunc("pg_get_constraintdef", []types.T{types.OidT}, types.TextT, false, constraintDef)
	expr.RegisterFunc("pg_get_constraintdef", []types.T{types.OidT, types.BoolT}, types.TextT, false, constraintDef)
}

// indexDefColumn is pg_get_indexdef(oid, column, pretty): the whole definition for column 0 (the
// table schema-qualified unless pretty and visible), else the column's name (quoted as needed),
// "" past the last column; NULL for no such index.
func indexDefColumn(ctx *expr.Context, oid, column int64, pretty bool) (types.Datum, error) {
	r, err := readerOf(ctx, "pg_get_indexdef")
	if err != nil {
		return nil, err
	}
	ref, ok := r.idxByOID[oid]
	if !ok {
		return nil, nil
	}
	if column == 0 {
		return ref.indexDef(pretty), nil
	}
	names := ref.columnNames()
	if column < 0 || column > int64(len(names)) {
		return "", nil
	}
	return names[column-1], nil
}

func pgIndexRows(e *Engine) [][]types.Datum {
	var rows [][]types.Datum
	for _, o := range e.userObjects() {
		for _, ref := range tableIndexes(o) {
			n := len(ref.indexColumns())
			collations, classes, options := make(types.ArrayValue, n), make(types.ArrayValue, n), make(types.ArrayValue, n)
			for i, c := range ref.indexColumns() {
				collations[i], classes[i], options[i] = int64(0), int64(0), int64(0)
				if o.Columns[c].Type.IsString() {
					collations[i] = int64(oidDefaultCollation)
				}
			}
			rows = append(rows, []types.Datum{ref.oid(), int64(o.OID()), int64(n), int64(n), ref.unique(), false,
				ref.ix == nil, false, true, false, true, false, true, true, false, ref.attnums(), collations, classes,
				options, nil, nil})
		}
	}
	return rows
}

func pgConstraintRows(e *Engine) [][]types.Datum {
	var rows [][]types.Datum
	for _, o := range e.userObjects() {
		for _, ref := range tableIndexes(o) {
			con := ref.constraintOID()
			if con == 0 {
				continue
			}
			kind := "u"
			if ref.ix == nil {
				kind = "p"
			}
			rows = append(rows, []types.Datum{con, ref.name(), namespaceOID(o.Schema), kind, false, false, true,
				int64(o.OID()), int64(0), ref.oid(), int64(0), int64(0), " ", " ", " ", true, int64(0), true,
				ref.attnums(), nil, nil})
		}
	}
	return rows
}
