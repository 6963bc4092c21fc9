package types

import (
	"strconv"
	"testing"

	"github.com/apache/arrow-go/v18/arrow/array"
	"github.com/apache/arrow-go/v18/arrow/memory"
	"github.com/runnel-db/runnel/exec/sqlerr"
)

func mustNumeric(t testing.TB, s string) NumericValue {
	t.Helper()
	v, err := ParseNumeric(s)
	if err != nil {
		t.Fatalf("ParseNumeric(%q): %v", s, err)
	}
	return v
}

func checkNumeric(t *testing.T, what string, got NumericValue, err error, want, code string) {
	t.Helper()
	if code != "" {
		if sqlerr.Code(err) != code {
			t.Errorf("%s: got %v, %v; want error %s", what, got, err, code)
		}
		return
	}
	if err != nil {
		t.Errorf("%s: unexpected error %v", what, err)
		return
	}
	if got.String() != want {
		t.Errorf("%s = %s, want %s", what, got, want)
	}
}

func TestNumericArithmeticMatchesPostgres(t *testing.T) {
	ops := map[string]func(a, b NumericValue) (NumericValue, error){
		"+": NumericAdd, "-": NumericSub, "*": NumericMul, "/": NumericDiv, "%": NumericMod,
	}
	for _, c := range pgNumericBinaryCases {
		a, b := mustNumeric(t, c.a), mustNumeric(t, c.b)
		got, err := ops[c.op](a, b)
		checkNumeric(t, c.a+" "+c.op+" "+c.b, got, err, c.want, c.code)
	}
}

func TestNumericRoundingMatchesPostgres(t *testing.T) {
	for _, c := range pgNumericUnaryCases {
		v := mustNumeric(t, c.a)
		var got NumericValue
		var err error
		arg := int32(0)
		if c.arg != "" {
			n, _ := strconv.Atoi(c.arg)
			arg = int32(n)
		}
		switch c.fn {
		case "round":
			got, err = NumericRound(v, arg)
		case "trunc":
			got, err = NumericTrunc(v, arg)
		case "floor":
			got, err = NumericFloor(v)
		case "ceil":
			got, err = NumericCeil(v)
		}
		checkNumeric(t, c.fn+"("+c.a+", "+c.arg+")", got, err, c.want, c.code)
	}
}

func TestNumericConversionsMatchPostgres(t *testing.T) {
	for _, c := range pgNumericConvCases {
		v := mustNumeric(t, c.a)
		if got := string(AppendFloat64(nil, v.Float64())); got != c.float8 {
			t.Errorf("%s::float8 = %s, want %s", c.a, got, c.float8)
		}
		i, err := v.Int64()
		if c.int8Code != "" {
			if sqlerr.Code(err) != c.int8Code {
				t.Errorf("%s::int8: got %d, %v; want %s", c.a, i, err, c.int8Code)
			}
			continue
		}
		if err != nil || strconv.FormatInt(i, 10) != c.int8 {
			t.Errorf("%s::int8 = %d, %v; want %s", c.a, i, err, c.int8)
		}
	}
	for _, c := range pgFloatToNumericCases {
		f, err := strconv.ParseFloat(c.f, 64)
		if err != nil {
			t.Fatal(err)
		}
		got, err := NumericFromFloat64(f)
		code := c.code
		if len(c.want) > maxNumericDigits+1 {
			code = sqlerr.NumericValueOutOfRange // beyond Runnel's 38 digits: an error, not a wrong value
		}
		checkNumeric(t, c.f+"::float8::numeric", got, err, c.want, code)
		if c.want4 != "" { // empty: not a valid real in PostgreSQL
			got4, err := NumericFromFloat32(float32(f))
			checkNumeric(t, c.f+"::float4::numeric", got4, err, c.want4, "")
		}
	}
}

func TestNumericOverflowAndErrors(t *testing.T) {
	max38 := mustNumeric(t, "99999999999999999999999999999999999999")
	one := NumericFromInt64(1)
	if _, err := NumericAdd(max38, one); sqlerr.Code(err) != sqlerr.NumericValueOutOfRange {
		t.Errorf("max+1: %v", err)
	}
	if _, err := NumericSub(max38.Neg(), one); sqlerr.Code(err) != sqlerr.NumericValueOutOfRange {
		t.Errorf("-max-1: %v", err)
	}
	if _, err := NumericAdd(max38, max38); err == nil || err.Error() != "value overflows numeric format" {
		t.Errorf("max+max: %v", err)
	}
	if _, err := NumericMul(max38, NumericFromInt64(10)); sqlerr.Code(err) != sqlerr.NumericValueOutOfRange {
		t.Errorf("max*10: %v", err)
	}
	if _, err := ParseNumeric("123456789012345678901234567890123456789"); sqlerr.Code(err) != sqlerr.NumericValueOutOfRange {
		t.Errorf("39 digits: %v", err)
	}
	if _, err := ParseNumeric("NaN"); sqlerr.Code(err) != sqlerr.FeatureNotSupported {
		t.Errorf("NaN: %v", err)
	}
	if _, err := NumericFromFloat64(1.0 / zero()); sqlerr.Code(err) != sqlerr.FeatureNotSupported {
		t.Errorf("inf: %v", err)
	}
	// Mixed scales add exactly.
	got, err := NumericAdd(mustNumeric(t, "0.1"), mustNumeric(t, "12345678901234567890123456789012345"))
	checkNumeric(t, "mixed", got, err, "12345678901234567890123456789012345.1", "")
}

func zero() float64 { return 0 }

func TestNumericTypmod(t *testing.T) {
	cases := []struct {
		in     string
		p, s   int32
		want   string
		detail string
	}{
		{"123.456", 5, 2, "123.46", ""},
		{"1.5", 5, 2, "1.50", ""},
		{"1234.5", 5, 2, "", "A field with precision 5, scale 2 must round to an absolute value less than 10^3."},
		{"99.995", 4, 2, "", "A field with precision 4, scale 2 must round to an absolute value less than 10^2."},
		{"0.995", 2, 2, "", "A field with precision 2, scale 2 must round to an absolute value less than 1."},
		{"-0.994", 2, 2, "-0.99", ""},
		{"1234.5", 0, 0, "1234.5", ""},
	}
	for _, c := range cases {
		got, err := NumericApplyTypmod(mustNumeric(t, c.in), c.p, c.s)
		if c.detail != "" {
			e := sqlerr.From(err)
			if e == nil || e.Code != "22003" || e.Message != "numeric field overflow" || e.Detail != c.detail {
				t.Errorf("%s::numeric(%d,%d): got %v, %v", c.in, c.p, c.s, got, err)
			}
			continue
		}
		checkNumeric(t, c.in, got, err, c.want, "")
	}
}

func TestNumericCompareAndNormalize(t *testing.T) {
	vals := []string{"-100", "-1.5", "-1.49", "0", "0.000", "0.0001", "1.5", "1.50", "2", "12345678901234567890123456789012345678"}
	for i, a := range vals {
		for j, b := range vals {
			x, y := mustNumeric(t, a), mustNumeric(t, b)
			want := 0
			fx, fy := x.Float64(), y.Float64()
			if fx < fy {
				want = -1
			} else if fx > fy {
				want = 1
			}
			if got := NumericCmp(x, y); got != want {
				t.Errorf("cmp(%s, %s) = %d, want %d (%d,%d)", a, b, got, want, i, j)
			}
			if (want == 0) != (x.Normalize() == y.Normalize()) {
				t.Errorf("normalize(%s) = %v, normalize(%s) = %v", a, x.Normalize(), b, y.Normalize())
			}
		}
	}
	if n := mustNumeric(t, "1.500").Normalize(); n.String() != "1.5" {
		t.Errorf("normalize 1.500 = %s", n)
	}
	if n := mustNumeric(t, "-2.000"); n.Sign() != -1 || n.Abs().String() != "2.000" || n.Neg().String() != "2.000" {
		t.Errorf("sign/abs/neg of %s", n)
	}
}

func TestNumericArrowLayout(t *testing.T) {
	mem := memory.NewCheckedAllocator(memory.NewGoAllocator())
	defer mem.AssertSize(t, 0)
	in := []Datum{mustNumeric(t, "-0.001"), nil, mustNumeric(t, "12345678901234567890123456789012345678"), NumericFromInt64(-5)}
	arr := MakeArray(mem, NumericT, in)
	defer arr.Release()
	fsb := arr.(*array.FixedSizeBinary)
	for i, d := range in {
		if d == nil {
			if !arr.IsNull(i) {
				t.Errorf("row %d not null", i)
			}
			continue
		}
		if got := NumericAt(fsb, i); got != d.(NumericValue) {
			t.Errorf("row %d: %v, want %v", i, got, d)
		}
	}
	raw := fsb.Value(0)
	if len(raw) != NumericWidth || raw[16] != 3 || raw[0] != 0xff || raw[15] != 0xff {
		t.Errorf("layout of -0.001: % x", raw)
	}
}

func TestNumericDivScaleAvg(t *testing.T) {
	// avg(x) is sum/count: PostgreSQL's avg of 1, 2, 2 (integers) is 1.6666666666666667.
	sum := NumericFromInt64(5)
	got, err := NumericDiv(sum, NumericFromInt64(3))
	checkNumeric(t, "5/3", got, err, "1.6666666666666667", "")
	got, err = NumericDiv(mustNumeric(t, "10.50"), NumericFromInt64(4))
	checkNumeric(t, "10.50/4", got, err, "2.6250000000000000", "")
}
