package types

import (
	"math"
	"math/rand"
	"strconv"
	"testing"
)

func TestAppendFloatFormats(t *testing.T) {
	cases64 := []struct {
		f    float64
		want string
	}{
		{1e20, "1e+20"}, {1e-05, "1e-05"}, {0.1, "0.1"}, {1e15, "1e+15"}, {1e14, "100000000000000"},
		{123456789012345678, "1.2345678901234568e+17"}, {0.0001, "0.0001"}, {math.Copysign(0, -1), "-0"},
		{0, "0"}, {math.NaN(), "NaN"}, {math.Inf(1), "Infinity"}, {math.Inf(-1), "-Infinity"},
		{-1.5, "-1.5"}, {0.30000000000000004, "0.30000000000000004"}, {5e-324, "5e-324"}, {100, "100"},
		{-123.456, "-123.456"}, {1.7976931348623157e308, "1.7976931348623157e+308"},
	}
	for _, c := range cases64 {
		if got := string(AppendFloat64(nil, c.f)); got != c.want {
			t.Errorf("float8 %v = %s, want %s", c.f, got, c.want)
		}
	}
	cases32 := []struct {
		f    float32
		want string
	}{
		{123456.7, "123456.7"}, {1234567, "1.234567e+06"}, {999999, "999999"}, {1e6, "1e+06"},
		{0.1, "0.1"}, {1e-5, "1e-05"}, {0.0001, "0.0001"}, {12345678, "1.2345678e+07"},
	}
	for _, c := range cases32 {
		if got := string(AppendFloat32(nil, c.f)); got != c.want {
			t.Errorf("float4 %v = %s, want %s", c.f, got, c.want)
		}
	}
	// Fixed notation is built from the shortest digits: it must equal strconv's 'f' form.
	r := rand.New(rand.NewSource(1))
	for i := 0; i < 20000; i++ {
		f := (r.Float64() - 0.5) * math.Pow(10, float64(r.Intn(19)-4))
		got := string(AppendFloat64(nil, f))
		if e := math.Abs(f); e >= 1e-4 && e < 1e15 {
			if want := strconv.FormatFloat(f, 'f', -1, 64); got != want {
				t.Fatalf("%v: %s, want %s", f, got, want)
			}
		}
		if back, err := strconv.ParseFloat(got, 64); err != nil || back != f {
			t.Fatalf("%v does not round-trip via %s", f, got)
		}
		f32 := float32(f)
		got32 := string(AppendFloat32(nil, f32))
		if back, err := strconv.ParseFloat(got32, 32); err != nil || float32(back) != f32 {
			t.Fatalf("float4 %v does not round-trip via %s", f32, got32)
		}
	}
}
