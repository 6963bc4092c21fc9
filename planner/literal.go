package planner

import (
	"math"
	"math/big"
	"strconv"
	"strings"

	"github.com/runnel-db/runnel/exec/expr"
	"github.com/runnel-db/runnel/exec/sqlerr"
	"github.com/runnel-db/runnel/exec/types"
)

// integerLiteral types a numeric literal that is an integer as PostgreSQL does: integer when
// it fits in 32 bits, else bigint (the grammar folds a leading minus into the literal, so
// -2147483648 is an integer). ok is false when s is not an integer within 64 bits.
func integerLiteral(s string) (expr.Expr, bool) {
	i, err := strconv.ParseInt(s, 10, 64)
	if err != nil {
		return nil, false
	}
	if i >= math.MinInt32 && i <= math.MaxInt32 {
		return expr.Const(i, types.Int32T), true
	}
	return expr.Const(i, types.Int64T), true
}

// floatLiteral is a numeric literal cast directly to real or double precision. PostgreSQL
// reads the literal as numeric and converts it with the float input function; parsing it as a
// float gives the same value without numeric's precision limit. A value that rounds to
// infinity, or to zero from a non-zero literal, is out of range (22003).
func floatLiteral(s string, t types.T) (expr.Expr, error) {
	bits, name := 64, "double precision"
	if t.Kind == types.Float32 {
		bits, name = 32, "real"
	}
	f, err := strconv.ParseFloat(s, bits)
	if err != nil && !isRangeErr(err) {
		return nil, sqlerr.New(sqlerr.InvalidTextRepresentation, "invalid input syntax for type %s: %q", name, s)
	}
	if math.IsInf(f, 0) || (f == 0 && strings.ContainsAny(mantissa(s), "123456789")) {
		return nil, sqlerr.New(sqlerr.NumericValueOutOfRange, "%q is out of range for type %s", plainDecimal(s), name)
	}
	return expr.Const(f, t), nil
}

func isRangeErr(err error) bool {
	ne, ok := err.(*strconv.NumError)
	return ok && ne.Err == strconv.ErrRange
}

// mantissa is the part of a numeric literal before its exponent.
func mantissa(s string) string {
	if i := strings.IndexAny(s, "eE"); i >= 0 {
		return s[:i]
	}
	return s
}

// plainDecimal renders a numeric literal as PostgreSQL's numeric output does: without an
// exponent, with as many decimals as the literal's digits need.
func plainDecimal(s string) string {
	m, exp := mantissa(s), 0
	if len(m) < len(s) {
		e, err := strconv.Atoi(s[len(m)+1:])
		if err != nil {
			return s
		}
		exp = e
	}
	frac := 0
	if i := strings.IndexByte(m, '.'); i >= 0 {
		frac = len(m) - i - 1
	}
	r, ok := new(big.Rat).SetString(s)
	if !ok {
		return s
	}
	return r.FloatString(max(0, frac-exp))
}
