package types

import (
	"math"
	"testing"
)

// Expected values from PostgreSQL 15 with SET extra_float_digits to the given value.
func TestAppendFloatDigits(t *testing.T) {
	a, b := 0.1, 0.2 // variables: Go would fold the constant sum to exactly 0.3
	cases := []struct {
		f       float64
		bitSize int
		extra   int
		want    string
	}{
		{a + b, 64, 0, "0.3"},
		{a + b, 64, 1, "0.30000000000000004"},
		{1.0 / 3, 64, 0, "0.333333333333333"},
		{1.0 / 3, 64, -3, "0.333333333333"},
		{1e20, 64, 0, "1e+20"},
		{123456789012345678, 64, 0, "1.23456789012346e+17"},
		{float64(float32(1.1)), 32, 0, "1.1"},
		{float64(float32(1234567.0)), 32, 0, "1.23457e+06"},
		{math.Copysign(0, -1), 64, 0, "-0"},
	}
	for _, c := range cases {
		if got := string(AppendFloatDigits(nil, c.f, c.bitSize, c.extra)); got != c.want {
			t.Errorf("AppendFloatDigits(%v, %d, %d) = %q, want %q", c.f, c.bitSize, c.extra, got, c.want)
		}
	}
}
