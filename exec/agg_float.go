package exec

import (
	"math"

	"github.com/apache/arrow-go/v18/arrow"
	"github.com/apache/arrow-go/v18/arrow/array"

	"github.com/runnel-db/runnel/exec/sqlerr"
	"github.com/runnel-db/runnel/exec/types"
)

// floatSumAcc is sum/avg over real and double precision. Infinities and NaNs are counted
// apart from the finite sum so that deleting them restores the finite result exactly (a
// running sum would be stuck at NaN). A group's finite sum restarts at 0 when it becomes
// empty. Finite sums are exact only while the values add exactly (as for integral values);
// otherwise deletes can leave rounding residue, as in any floating-point running sum.
type floatSumAcc struct {
	avg bool
	out types.T
	st  []floatSum
}

type floatSum struct {
	sum                float64
	n, nan, pinf, ninf int64
}

func (a *floatSumAcc) grow(n int)    { a.st = growTo(a.st, n) }
func (a *floatSumAcc) reset(g int32) { a.st[g] = floatSum{} }

func (a *floatSumAcc) add(g int32, v float64, w int64) {
	s := &a.st[g]
	s.n += w
	switch {
	case v != v:
		s.nan += w
	case math.IsInf(v, 1):
		s.pinf += w
	case math.IsInf(v, -1):
		s.ninf += w
	default:
		s.sum += v * float64(w)
	}
	if s.n == 0 {
		*s = floatSum{}
	}
}

func (a *floatSumAcc) update(col arrow.Array, gids []int32, w []int64) error {
	switch c := col.(type) {
	case *array.Float64:
		vals := c.Float64Values()
		for i, g := range gids {
			if w[i] != 0 && c.IsValid(i) {
				a.add(g, vals[i], w[i])
			}
		}
	case *array.Float32:
		vals := c.Float32Values()
		for i, g := range gids {
			if w[i] != 0 && c.IsValid(i) {
				a.add(g, float64(vals[i]), w[i])
			}
		}
	default:
		return internalf("sum: unexpected column %s", col.DataType())
	}
	return nil
}

func (a *floatSumAcc) result(g int32) (types.Datum, error) {
	s := a.st[g]
	if s.n == 0 {
		return nil, nil
	}
	var r float64
	switch {
	case s.nan != 0 || (s.pinf != 0 && s.ninf != 0):
		r = math.NaN()
	case s.pinf != 0:
		r = math.Inf(1)
	case s.ninf != 0:
		r = math.Inf(-1)
	default:
		r = s.sum
		if a.avg {
			r /= float64(s.n)
		}
	}
	if a.out.Kind == types.Float32 {
		r = float64(float32(r))
	}
	return r, nil
}

// intervalSumAcc is sum/avg over interval: field-wise sums, as PostgreSQL adds intervals.
type intervalSumAcc struct {
	avg    bool
	months []int64
	days   []int64
	micros []int64
	n      []int64
}

func (a *intervalSumAcc) grow(n int) {
	a.months, a.days = growTo(a.months, n), growTo(a.days, n)
	a.micros, a.n = growTo(a.micros, n), growTo(a.n, n)
}

func (a *intervalSumAcc) reset(g int32) { a.months[g], a.days[g], a.micros[g], a.n[g] = 0, 0, 0, 0 }

func (a *intervalSumAcc) update(col arrow.Array, gids []int32, w []int64) error {
	c, ok := col.(*array.MonthDayNanoInterval)
	if !ok {
		return internalf("sum: unexpected column %s", col.DataType())
	}
	for i, g := range gids {
		wi := w[i]
		if wi == 0 || c.IsNull(i) {
			continue
		}
		v := c.Value(i)
		a.months[g] += int64(v.Months) * wi
		a.days[g] += int64(v.Days) * wi
		a.micros[g] += v.Nanoseconds / 1000 * wi
		a.n[g] += wi
	}
	return nil
}

func (a *intervalSumAcc) result(g int32) (types.Datum, error) {
	if a.n[g] == 0 {
		return nil, nil
	}
	m, d := a.months[g], a.days[g]
	if m != int64(int32(m)) || d != int64(int32(d)) {
		return nil, sqlerr.New(sqlerr.DatetimeFieldOverflow, "interval out of range")
	}
	sum := types.IntervalValue{Months: int32(m), Days: int32(d), Micros: a.micros[g]}
	if a.avg {
		return types.IntervalDiv(sum, float64(a.n[g]))
	}
	return sum, nil
}
