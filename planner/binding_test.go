package planner

import (
	"testing"

	"github.com/runnel-db/runnel/exec/expr"
	"github.com/runnel-db/runnel/exec/sqlerr"
	"github.com/runnel-db/runnel/exec/types"
	"github.com/runnel-db/runnel/sql"
)

func TestResolveType(t *testing.T) {
	cases := map[string]types.T{
		"smallint":                 types.Int16T,
		"int2":                     types.Int16T,
		"int":                      types.Int32T,
		"integer":                  types.Int32T,
		"int4":                     types.Int32T,
		"bigint":                   types.Int64T,
		"int8":                     types.Int64T,
		"real":                     types.Float32T,
		"float4":                   types.Float32T,
		"double precision":         types.Float64T,
		"float8":                   types.Float64T,
		"float":                    types.Float64T,
		"float(10)":                types.Float32T,
		"numeric":                  types.NumericT,
		"decimal(10,2)":            {Kind: types.Numeric, Precision: 10, Scale: 2},
		"numeric(5)":               {Kind: types.Numeric, Precision: 5},
		"text":                     types.TextT,
		"varchar(20)":              {Kind: types.Varchar, Precision: 20},
		"character varying":        types.VarcharT,
		"boolean":                  types.BoolT,
		"bool":                     types.BoolT,
		"date":                     types.DateT,
		"timestamp":                types.TimestampT,
		"timestamp with time zone": types.TimestampTZT,
		"timestamptz":              types.TimestampTZT,
		"interval":                 types.IntervalT,
		"jsonb":                    types.JSONBT,
		"int[]":                    {Kind: types.Array, Elem: types.Int32},
		"integer[3]":               {Kind: types.Array, Elem: types.Int32},
		"int[][]":                  {Kind: types.Array, Elem: types.Int32}, // PostgreSQL ignores declared dimensions
		"_int2":                    {Kind: types.Array, Elem: types.Int16},
		"pg_catalog.int2[]":        {Kind: types.Array, Elem: types.Int16},
		"varchar(5)[]":             {Kind: types.Array, Elem: types.Varchar, Precision: 5},
		"text[]":                   types.TextArrayT,
		"oid[]":                    types.OidArrayT,
		"int2vector":               types.Int2VectorT,
		"oidvector":                types.OidVectorT,
		"json":                     types.JSONT,
	}
	for name, want := range cases {
		st, err := sql.ParseOne("SELECT NULL::" + name)
		if err != nil {
			t.Fatalf("%s: %v", name, err)
		}
		tc := st.AST.GetSelectStmt().TargetList[0].GetResTarget().Val.GetTypeCast()
		got, err := ResolveType(tc.TypeName)
		if err != nil || got != want {
			t.Errorf("ResolveType(%s) = %v, %v; want %v", name, got, err, want)
		}
	}
	for text, code := range map[string]string{
		"SELECT NULL::foo":        sqlerr.UndefinedObject,
		"SELECT NULL::char(3)":    sqlerr.FeatureNotSupported,
		"SELECT NULL::_foo":       sqlerr.UndefinedObject,
		"SELECT NULL::numeric(0)": sqlerr.InvalidParameterValue,
	} {
		st, _ := sql.ParseOne(text)
		tc := st.AST.GetSelectStmt().TargetList[0].GetResTarget().Val.GetTypeCast()
		_, err := ResolveType(tc.TypeName)
		if sqlerr.Code(err) != code {
			t.Errorf("%s: error %v, want %s", text, err, code)
		}
	}
	st, _ := sql.ParseOne("SELECT NULL::foo")
	_, err := ResolveType(st.AST.GetSelectStmt().TargetList[0].GetResTarget().Val.GetTypeCast().TypeName)
	if e := sqlerr.From(err); e == nil || e.Position != 14 || e.Message != `type "foo" does not exist` {
		t.Errorf("unknown type error %+v", e)
	}
}

func TestBindDefault(t *testing.T) {
	p := New(testCatalog())
	e, err := p.BindDefault("1 + 2", types.Int64T)
	if err != nil {
		t.Fatal(err)
	}
	if e.Type() != types.Int64T {
		t.Errorf("default type %v", e.Type())
	}
	if v, err := expr.EvalConst(&expr.Context{}, e); err != nil || v != int64(3) {
		t.Errorf("default value %v, %v", v, err)
	}
	if e, err := p.BindDefault("", types.TextT); err != nil || e.Type() != types.TextT {
		t.Errorf("empty default: %v, %v", e, err)
	}
	if _, err := p.BindDefault("'x'", types.Int32T); sqlerr.Code(err) != sqlerr.InvalidTextRepresentation {
		t.Errorf("bad default: %v", err)
	}
	if _, err := p.BindDefault("true", types.DateT); sqlerr.Code(err) != sqlerr.DatatypeMismatch {
		t.Errorf("mistyped default: %v", err)
	}
}

func TestParamInference(t *testing.T) {
	p := New(testCatalog())
	cases := []struct {
		sql   string
		given []types.T
		want  []types.T
	}{
		{"SELECT a FROM t WHERE a = $1 AND c > $2", nil, []types.T{types.Int32T, types.Int64T}},
		{"SELECT $1", nil, []types.T{types.TextT}},
		{"SELECT $1::int", nil, []types.T{types.Int32T}},
		{"SELECT a FROM t WHERE b = $2", nil, []types.T{types.TextT, types.TextT}},
		{"SELECT a FROM t WHERE a = $1", []types.T{types.Int64T}, []types.T{types.Int64T}},
		{"SELECT a FROM t LIMIT $1", nil, []types.T{types.Int64T}},
		{"SELECT a FROM t WHERE a = $1", []types.T{types.Int32T, types.TextT}, []types.T{types.Int32T, types.TextT}},
	}
	for _, c := range cases {
		st, err := sql.ParseOne(c.sql)
		if err != nil {
			t.Fatal(err)
		}
		q, err := p.PlanQuery(st, c.given)
		if err != nil {
			t.Errorf("%s: %v", c.sql, err)
			continue
		}
		if len(q.ParamTypes) != len(c.want) {
			t.Errorf("%s: params %v, want %v", c.sql, q.ParamTypes, c.want)
			continue
		}
		for i := range c.want {
			if q.ParamTypes[i] != c.want[i] {
				t.Errorf("%s: params %v, want %v", c.sql, q.ParamTypes, c.want)
			}
		}
	}
	st, _ := sql.ParseOne("UPDATE u SET name = $1 WHERE id = $2")
	up, err := p.PlanUpdate(st, nil)
	if err != nil {
		t.Fatal(err)
	}
	if len(up.ParamTypes) != 2 || up.ParamTypes[0].Kind != types.Varchar || up.ParamTypes[1] != types.Int64T {
		t.Errorf("update params %v", up.ParamTypes)
	}
}

func TestOutputNames(t *testing.T) {
	st, _ := sql.ParseOne(`SELECT a, t.b AS "Bee", count(*), sum(c), 1 + 1, CASE WHEN a > 1 THEN 1 END, coalesce(b, 'x'),
		a::text, '1'::int, lower(b), greatest(a, 1), nullif(a, 1), now(), current_date, EXISTS (SELECT 1 FROM s),
		(SELECT max(k) FROM s), (SELECT max(k) AS mk FROM s) FROM t GROUP BY a`)
	q, err := New(testCatalog()).PlanQuery(st, nil)
	if err != nil {
		t.Fatal(err)
	}
	want := []string{"a", "Bee", "count", "sum", "?column?", "case", "coalesce", "a", "int4", "lower", "greatest",
		"nullif", "now", "current_date", "exists", "max", "mk"}
	for i, w := range want {
		if i >= len(q.Columns) || q.Columns[i].Name != w {
			t.Errorf("column %d named %v, want %q", i, q.Columns, w)
			break
		}
	}
	if q.Columns[0].TableOID != 16385 || q.Columns[0].Attnum != 1 || q.Columns[1].Attnum != 2 {
		t.Errorf("table column origin: %+v", q.Columns[:2])
	}
}
