package expr

import (
	"testing"

	"github.com/runnel-db/runnel/exec/types"
)

// Expected values from PostgreSQL 15.
func TestNumericPowerNonIntegral(t *testing.T) {
	for _, c := range []struct{ a, b, want string }{
		{"2.0", "0.5", "1.4142135623730950"},
		{"10", "0.5", "3.1622776601683793"},
		{"2.5", "1.5", "3.9528470752104742"},
		{"0.5", "0.25", "0.8408964152537145"},
		{"100.0", "-0.5", "0.10000000000000000"},
		{"1.1", "20.5", "7.0558614729169355"},
		{"0.0", "0.5", "0.0000000000000000"},
		{"9", "0.5", "3.0000000000000000"},
	} {
		a, _ := types.ParseNumeric(c.a)
		b, _ := types.ParseNumeric(c.b)
		got, err := numericPower(a, b)
		if err != nil || got.String() != c.want {
			t.Errorf("%s ^ %s = %v, %v; want %s", c.a, c.b, got, err, c.want)
		}
	}
	neg, _ := types.ParseNumeric("-2")
	half, _ := types.ParseNumeric("0.5")
	if _, err := numericPower(neg, half); err == nil {
		t.Error("(-2) ^ 0.5 must fail: a negative number raised to a non-integer power")
	}
}
