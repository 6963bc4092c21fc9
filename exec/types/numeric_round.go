package types

import (
	"fmt"

	"github.com/runnel-db/runnel/exec/sqlerr"
)

// rescale returns v at display scale s (s may be negative: round to tens, hundreds, ...; the
// result scale is then 0). Reducing the scale rounds half away from zero when round is true and
// truncates toward zero otherwise.
func rescale(v NumericValue, s int32, round bool) (NumericValue, error) {
	m, neg := magnitude(v.Coef)
	if s > MaxNumericScale {
		return NumericValue{}, errNumericOverflow()
	}
	cur := int32(v.Scale)
	if s >= cur {
		up, ok := m.mulPow10(int(s - cur))
		if !ok {
			return NumericValue{}, errNumericOverflow()
		}
		return NumericValue{Coef: toNum(up, neg), Scale: int8(s)}, nil
	}
	drop := int(cur - s)
	var q u128
	if round {
		q = m.roundPow10(drop)
	} else if drop <= maxNumericDigits {
		q, _ = m.divPow10(drop)
	}
	outScale := s
	if s < 0 {
		var ok bool
		if q, ok = q.mulPow10(int(-s)); !ok {
			return NumericValue{}, errNumericOverflow()
		}
		outScale = 0
	}
	if q.cmp(coefLimit) >= 0 {
		return NumericValue{}, errNumericOverflow()
	}
	return NumericValue{Coef: toNum(q, neg && !q.isZero()), Scale: int8(outScale)}, nil
}

// NumericRound is PostgreSQL's round(numeric, int): half away from zero, result display scale
// max(scale, 0) (round(1.5, 3) = 1.500, round(1234.5, -2) = 1200).
func NumericRound(v NumericValue, scale int32) (NumericValue, error) {
	return rescale(v, scale, true)
}

// NumericTrunc is PostgreSQL's trunc(numeric, int): toward zero, result display scale max(scale, 0).
func NumericTrunc(v NumericValue, scale int32) (NumericValue, error) {
	return rescale(v, scale, false)
}

// NumericFloor is PostgreSQL's floor(numeric): the largest integer <= v, scale 0.
func NumericFloor(v NumericValue) (NumericValue, error) {
	t, err := rescale(v, 0, false)
	if err != nil {
		return t, err
	}
	if v.Coef.Sign() < 0 && NumericCmp(t, v) != 0 {
		return NumericSub(t, NumericFromInt64(1))
	}
	return t, nil
}

// NumericCeil is PostgreSQL's ceil(numeric): the smallest integer >= v, scale 0.
func NumericCeil(v NumericValue) (NumericValue, error) {
	t, err := rescale(v, 0, false)
	if err != nil {
		return t, err
	}
	if v.Coef.Sign() > 0 && NumericCmp(t, v) != 0 {
		return NumericAdd(t, NumericFromInt64(1))
	}
	return t, nil
}

// NumericApplyTypmod coerces v to numeric(precision, scale) as PostgreSQL's apply_typmod does:
// round half away from zero to scale (the display scale becomes scale), then fail with 22003
// "numeric field overflow" if the integer part needs more than precision-scale digits.
// precision <= 0 means unconstrained and returns v unchanged.
func NumericApplyTypmod(v NumericValue, precision, scale int32) (NumericValue, error) {
	if precision <= 0 {
		return v, nil
	}
	maxDigits := precision - scale
	r, err := rescale(v, scale, true)
	if err != nil {
		return NumericValue{}, typmodOverflow(precision, scale, maxDigits)
	}
	m, _ := magnitude(r.Coef)
	if !m.isZero() {
		// |r| < 10^maxDigits  ⇔  m < 10^(maxDigits + r.Scale)
		limit := int(maxDigits) + int(r.Scale)
		if limit <= 0 || (limit <= maxNumericDigits && m.cmp(pow10u[limit]) >= 0) {
			return NumericValue{}, typmodOverflow(precision, scale, maxDigits)
		}
	}
	return r, nil
}

func typmodOverflow(precision, scale, maxDigits int32) error {
	e := sqlerr.New(sqlerr.NumericValueOutOfRange, "numeric field overflow")
	bound := "1" // PostgreSQL prints 10^0 as 1
	if maxDigits != 0 {
		bound = fmt.Sprintf("10^%d", maxDigits)
	}
	e.Detail = fmt.Sprintf("A field with precision %d, scale %d must round to an absolute value less than %s.",
		precision, scale, bound)
	return e
}
