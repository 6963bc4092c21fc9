package exec

import (
	"math"

	"github.com/apache/arrow-go/v18/arrow"
	"github.com/apache/arrow-go/v18/arrow/array"
	"github.com/apache/arrow-go/v18/arrow/decimal128"

	"github.com/runnel-db/runnel/exec/sqlerr"
	"github.com/runnel-db/runnel/exec/types"
	"github.com/runnel-db/runnel/exec/zset"
)

// accumulator is the per-group state of one aggregate call, kept in slices indexed by group
// id so that plain count/sum cost a few words per group and update is a typed column loop.
// Every accumulator is invertible: a row with a negative weight retracts what the same row
// with a positive weight added, so results stay exact under deletes.
type accumulator interface {
	// grow makes group ids < n valid (new groups start empty).
	grow(n int)
	// update adds row i of col with weight w[i] to group gids[i]. col is nil for count(*).
	// Rows with w[i] == 0 must leave the state unchanged (FILTER zeroes weights).
	update(col arrow.Array, gids []int32, w []int64) error
	// result is the aggregate of group g (nil for NULL), of the call's result type.
	result(g int32) (types.Datum, error)
	// reset empties group g so that its id can be reused.
	reset(g int32)
}

// resultAppender is implemented by accumulators that append their result to the output
// column without boxing a Datum (the hot count/sum path).
type resultAppender interface {
	appendResult(b array.Builder, g int32) error
}

func growTo[T any](s []T, n int) []T {
	if len(s) >= n {
		return s
	}
	return append(s, make([]T, n-len(s))...)
}

// intSumAcc is sum/avg over smallint, integer and bigint, summed exactly in 128 bits.
type intSumAcc struct {
	avg bool
	out types.T
	sum []decimal128.Num
	nn  nonNulls
}

func (a *intSumAcc) bindRows(rows *[]int64) { a.nn.rows = rows }

func (a *intSumAcc) grow(n int) {
	a.sum = growTo(a.sum, n)
	a.nn.grow(n)
}

func (a *intSumAcc) reset(g int32) { a.sum[g] = decimal128.Num{}; a.nn.reset(g) }

func addInts[T int16 | int32 | int64](a *intSumAcc, vals []T, col arrow.Array, gids []int32, w []int64) {
	nulls := col.NullN() > 0
	for i, g := range gids {
		if nulls && col.IsNull(i) {
			continue
		}
		v, wi := int64(vals[i]), w[i]
		switch wi {
		case 1:
			a.sum[g] = a.sum[g].Add(decimal128.FromI64(v))
		case -1:
			a.sum[g] = a.sum[g].Sub(decimal128.FromI64(v))
		default:
			a.sum[g] = a.sum[g].Add(decimal128.FromI64(v).Mul(decimal128.FromI64(wi)))
		}
	}
}

func (a *intSumAcc) update(col arrow.Array, gids []int32, w []int64) error {
	a.nn.update(col, gids, w)
	switch c := col.(type) {
	case *array.Int16:
		addInts(a, c.Int16Values(), col, gids, w)
	case *array.Int32:
		addInts(a, c.Int32Values(), col, gids, w)
	case *array.Int64:
		addInts(a, c.Int64Values(), col, gids, w)
	default:
		return internalf("sum: unexpected column %s", col.DataType())
	}
	return nil
}

func (a *intSumAcc) appendResult(b array.Builder, g int32) error {
	if a.avg || a.nn.get(g) == 0 {
		d, err := a.result(g)
		if err == nil {
			zset.AppendDatum(b, d)
		}
		return err
	}
	s := a.sum[g]
	if a.out.Kind == types.Int64 {
		v, err := sumToInt64(s)
		if err == nil {
			b.(*array.Int64Builder).Append(v)
		}
		return err
	}
	if !s.FitsInPrecision(38) {
		return sqlerr.New(sqlerr.NumericValueOutOfRange, "numeric value out of range")
	}
	var buf [types.NumericWidth]byte
	types.NumericValue{Coef: s}.Put(buf[:])
	b.(*array.FixedSizeBinaryBuilder).Append(buf[:])
	return nil
}

func (a *intSumAcc) result(g int32) (types.Datum, error) {
	n := a.nn.get(g)
	if n == 0 {
		return nil, nil
	}
	s := a.sum[g]
	if a.avg {
		return types.NumericDiv(types.NumericValue{Coef: s}, types.NumericFromInt64(n))
	}
	if a.out.Kind == types.Int64 {
		return sumToInt64(s)
	}
	if !s.FitsInPrecision(38) {
		return nil, sqlerr.New(sqlerr.NumericValueOutOfRange, "numeric value out of range")
	}
	return types.NumericValue{Coef: s}, nil
}

// sumToInt64 narrows a 128-bit sum to bigint (sum of smallint/integer), 22003 if it does not fit.
func sumToInt64(s decimal128.Num) (int64, error) {
	if h := s.HighBits(); (h == 0 && s.LowBits() <= math.MaxInt64) || (h == -1 && s.LowBits() > math.MaxInt64) {
		return int64(s.LowBits()), nil
	}
	return 0, sqlerr.New(sqlerr.NumericValueOutOfRange, "bigint out of range")
}

// numericSumAcc is sum/avg over numeric. PostgreSQL displays a sum with the largest scale of
// the summed values, so each group also counts its values per scale: after a delete the
// display scale can shrink again. Nearly always a group's values share one scale (the
// column's typmod): that scale is kept in one byte, and only groups that hold values of
// several scales keep per-scale counts, in a side map.
type numericSumAcc struct {
	avg   bool
	sum   []types.NumericValue
	n     []int64
	scale []int8                 // the scale of the group's values when multi has no entry
	multi map[int32][]scaleCount // groups with values of several scales: count per scale
}

type scaleCount struct {
	scale int8
	n     int64
}

func (a *numericSumAcc) grow(n int) {
	a.sum = growTo(a.sum, n)
	a.n = growTo(a.n, n)
	a.scale = growTo(a.scale, n)
}

func (a *numericSumAcc) reset(g int32) {
	a.sum[g], a.n[g], a.scale[g] = types.NumericValue{}, 0, 0
	delete(a.multi, g)
}

func (a *numericSumAcc) update(col arrow.Array, gids []int32, w []int64) error {
	c, ok := col.(*array.FixedSizeBinary)
	if !ok {
		return internalf("sum: unexpected column %s", col.DataType())
	}
	for i, g := range gids {
		wi := w[i]
		if wi == 0 || c.IsNull(i) {
			continue
		}
		v := types.NumericAt(c, i)
		var err error
		switch wi {
		case 1:
		case -1:
			v = v.Neg()
		default:
			if v, err = types.NumericMul(v, types.NumericFromInt64(wi)); err != nil {
				return err
			}
		}
		if a.sum[g], err = types.NumericAdd(a.sum[g], v); err != nil {
			return err
		}
		a.countScale(g, v.Scale, wi)
		a.n[g] += wi
	}
	return nil
}

// countScale adds w values of scale to group g's per-scale counts (before a.n[g] counts them).
func (a *numericSumAcc) countScale(g int32, scale int8, w int64) {
	m, several := a.multi[g]
	switch {
	case !several && (a.n[g] == 0 || a.scale[g] == scale):
		a.scale[g] = scale
		return
	case !several:
		m = []scaleCount{{scale: a.scale[g], n: a.n[g]}}
		if a.multi == nil {
			a.multi = map[int32][]scaleCount{}
		}
	}
	m = addScale(m, scale, w)
	if len(m) > 1 {
		a.multi[g] = m
		return
	}
	delete(a.multi, g)
	if len(m) == 1 {
		a.scale[g] = m[0].scale
	}
}

func addScale(s []scaleCount, scale int8, w int64) []scaleCount {
	for k := range s {
		if s[k].scale == scale {
			s[k].n += w
			if s[k].n == 0 {
				s[k] = s[len(s)-1]
				s = s[:len(s)-1]
			}
			return s
		}
	}
	return append(s, scaleCount{scale: scale, n: w})
}

func (a *numericSumAcc) result(g int32) (types.Datum, error) {
	if a.n[g] == 0 {
		return nil, nil
	}
	display := max(0, a.scale[g])
	if m, ok := a.multi[g]; ok {
		display = 0
		for _, s := range m {
			display = max(display, s.scale)
		}
	}
	sum, err := types.NumericRound(a.sum[g], int32(display))
	if err != nil {
		return nil, err
	}
	if a.avg {
		return types.NumericDiv(sum, types.NumericFromInt64(a.n[g]))
	}
	return sum, nil
}
