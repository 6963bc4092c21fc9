package types

import (
	"math"
	"testing"

	"github.com/apache/arrow-go/v18/arrow"
	"github.com/apache/arrow-go/v18/arrow/memory"
	"github.com/runnel-db/runnel/exec/sqlerr"
)

func TestCompareJSONBMatchesPostgres(t *testing.T) {
	for i, x := range pgJSONBOrderValues {
		for j, y := range pgJSONBOrderValues {
			a, err1 := NormalizeJSONB(x)
			b, err2 := NormalizeJSONB(y)
			if err1 != nil || err2 != nil {
				t.Fatalf("%s / %s: %v %v", x, y, err1, err2)
			}
			want := map[byte]int{'<': -1, '=': 0, '>': 1}[pgJSONBOrder[i][j]]
			if got := CompareDatum(a, b, JSONBT); got != want {
				t.Errorf("cmp(%s, %s) = %d, want %d", x, y, got, want)
			}
		}
	}
}

// TestValuesEveryKind builds a column of every kind from datums, reads it back and checks the
// SQL ordering of its values.
func TestValuesEveryKind(t *testing.T) {
	mem := memory.NewCheckedAllocator(memory.NewGoAllocator())
	defer mem.AssertSize(t, 0)
	cases := []struct {
		typ T
		asc []Datum // strictly ascending non-null values
	}{
		{BoolT, []Datum{false, true}},
		{Int16T, []Datum{int64(math.MinInt16), int64(-1), int64(0), int64(math.MaxInt16)}},
		{Int32T, []Datum{int64(math.MinInt32), int64(7), int64(math.MaxInt32)}},
		{Int64T, []Datum{int64(math.MinInt64), int64(0), int64(math.MaxInt64)}},
		{Float32T, []Datum{math.Inf(-1), -1.5, 0.0, float64(float32(0.1)), math.Inf(1), math.NaN()}},
		{Float64T, []Datum{math.Inf(-1), -1e300, 0.1, 1e20, math.Inf(1), math.NaN()}},
		{NumericT, []Datum{NumericFromInt64(-3), NumericValue{Coef: NumericFromInt64(15).Coef, Scale: 1}, NumericFromInt64(2)}},
		{TextT, []Datum{"", "A", "a", "ab", "é"}},
		{VarcharT, []Datum{"x", "y"}},
		{JSONBT, []Datum{"null", `"a"`, "1", "true", "[1, 2]", "{}"}}, // a scalar sorts above [] (PostgreSQL)
		{DateT, []Datum{DateNegInfinity, DateValue(-1), DateValue(0), DateInfinity}},
		{TimestampT, []Datum{TimestampNegInfinity, TimestampValue(-1), TimestampValue(1), TimestampInfinity}},
		{TimestampTZT, []Datum{TimestampValue(0), TimestampValue(1)}},
		{IntervalT, []Datum{IntervalValue{Days: -1}, IntervalValue{Micros: 1}, IntervalValue{Days: 29}, IntervalValue{Months: 1, Micros: 1}}},
	}
	for _, c := range cases {
		ds := append([]Datum{nil}, c.asc...)
		arr := MakeArray(mem, c.typ, ds)
		if arr.Len() != len(ds) || !arr.IsNull(0) || arr.NullN() != 1 {
			t.Errorf("%s: array len %d nulls %d", c.typ, arr.Len(), arr.NullN())
		}
		if !arrow.TypeEqual(arr.DataType(), c.typ.ArrowType()) {
			t.Errorf("%s: array type %s, want %s", c.typ, arr.DataType(), c.typ.ArrowType())
		}
		for i := 1; i < len(ds); i++ {
			got := DatumAt(arr, i, c.typ)
			if CompareDatum(got, ds[i], c.typ) != 0 {
				t.Errorf("%s row %d: got %v, want %v", c.typ, i, got, ds[i])
			}
			for j := 1; j < len(ds); j++ {
				want := 0
				if i < j {
					want = -1
				} else if i > j {
					want = 1
				}
				if got := CompareDatum(ds[i], ds[j], c.typ); got != want {
					t.Errorf("%s: cmp(%v, %v) = %d, want %d", c.typ, ds[i], ds[j], got, want)
				}
			}
		}
		arr.Release()
	}
	if CompareDatum(math.Copysign(0, -1), 0.0, Float64T) != 0 || CompareDatum(math.NaN(), math.NaN(), Float64T) != 0 {
		t.Error("-0 = 0 and NaN = NaN expected")
	}
}

func TestApplyVarcharLength(t *testing.T) {
	cases := []struct {
		in       string
		n        int32
		explicit bool
		want     string
		code     string
	}{
		{"abc", 5, false, "abc", ""},
		{"abcdef", 5, true, "abcde", ""},
		{"abcdef", 5, false, "", "22001"},
		{"abc   ", 5, false, "abc  ", ""},
		{"abcde  x", 5, false, "", "22001"},
		{"héllo!", 5, true, "héllo", ""},
		{"héllo", 5, false, "héllo", ""},
		{"anything", 0, false, "anything", ""},
	}
	for _, c := range cases {
		got, err := ApplyVarcharLength(c.in, c.n, c.explicit)
		if c.code != "" {
			e := sqlerr.From(err)
			if e == nil || e.Code != c.code || e.Message != "value too long for type character varying(5)" {
				t.Errorf("%q: got %q, %v", c.in, got, err)
			}
			continue
		}
		if err != nil || got != c.want {
			t.Errorf("%q varchar(%d) explicit=%v: got %q, %v; want %q", c.in, c.n, c.explicit, got, err, c.want)
		}
	}
	// Input of varchar(n) follows assignment rules.
	if _, err := ParseText("abcdef", T{Kind: Varchar, Precision: 5}, nil); sqlerr.Code(err) != "22001" {
		t.Errorf("varchar(5) input: %v", err)
	}
}

func TestJSONBAccessors(t *testing.T) {
	doc, err := NormalizeJSONB(`{"a":[1,{"b":null}],"c":"x\ny","n":null,"f":1.50}`)
	if err != nil {
		t.Fatal(err)
	}
	get := func(v string, ok bool) string {
		if !ok {
			return "NULL"
		}
		return v
	}
	a := get(JSONBField(doc, "a"))
	checks := []struct{ got, want string }{
		{a, `[1, {"b": null}]`},
		{get(JSONBIndex(a, -1)), `{"b": null}`},
		{get(JSONBIndex(a, 0)), `1`},
		{get(JSONBIndex(a, 2)), `NULL`},
		{get(JSONBIndex(a, -3)), `NULL`},
		{get(JSONBField(doc, "zz")), `NULL`},
		{get(JSONBField(a, "a")), `NULL`},
		{get(JSONBIndex(doc, 0)), `NULL`},
		{get(JSONBIndex(`"s"`, 0)), `"s"`},
		{get(JSONBIndex(`"s"`, -1)), `"s"`},
		{get(JSONBIndex(`1`, 1)), `NULL`},
		{get(JSONBText(get(JSONBField(doc, "c")))), "x\ny"},
		{get(JSONBText(get(JSONBField(doc, "n")))), "NULL"},
		{get(JSONBText(get(JSONBField(doc, "f")))), "1.50"},
		{get(JSONBText(a)), `[1, {"b": null}]`},
	}
	for i, c := range checks {
		if c.got != c.want {
			t.Errorf("check %d: got %q, want %q", i, c.got, c.want)
		}
	}
}

func TestNormalizeJSONBRandomMatchesPostgres(t *testing.T) {
	for _, c := range pgJSONBRandomCases {
		got, err := NormalizeJSONB(c.in)
		if err != nil || got != c.want {
			t.Errorf("%s:\n got %s %v\nwant %s", c.in, got, err, c.want)
		}
	}
}
