package expr

import (
	"math/big"

	"github.com/apache/arrow-go/v18/arrow/decimal128"

	"github.com/runnel-db/runnel/exec/sqlerr"
	"github.com/runnel-db/runnel/exec/types"
)

// numericSqrt is PostgreSQL's numeric sqrt: the square root rounded (half away from zero) to the
// scale numeric_sqrt picks, max(16 - sweight, scale of the input) where sweight comes from the
// base-10000 weight of the input.
func numericSqrt(v types.NumericValue) (types.NumericValue, error) {
	if v.Sign() < 0 {
		return types.NumericValue{}, sqlerr.New("2201F", "cannot take square root of a negative number")
	}
	coef := v.Coef.BigInt()
	weight := 0
	if coef.Sign() != 0 {
		e10 := len(coef.String()) - int(v.Scale) - 1 // exponent of the leading digit
		weight = floorDivInt(e10, 4)
	}
	sweight := (weight+1)*4/2 - 1
	rscale := max(16-sweight, int(v.Scale), 0)
	if rscale > types.MaxNumericScale {
		return types.NumericValue{}, sqlerr.NotSupported("numeric sqrt result scale above 38")
	}
	// floor(sqrt(v) * 10^(rscale+1)), then round the extra digit.
	n := new(big.Int).Mul(coef, new(big.Int).Exp(big.NewInt(10), big.NewInt(int64(2*rscale+2-int(v.Scale))), nil))
	s := new(big.Int).Sqrt(n)
	s.Add(s, big.NewInt(5))
	s.Quo(s, big.NewInt(10))
	if s.BitLen() > 126 {
		return types.NumericValue{}, sqlerr.New(sqlerr.NumericValueOutOfRange, "value overflows numeric format")
	}
	return types.NumericValue{Coef: decimal128.FromBigInt(s), Scale: int8(rscale)}, nil
}

func floorDivInt(a, b int) int {
	q := a / b
	if a%b != 0 && (a < 0) != (b < 0) {
		q--
	}
	return q
}
