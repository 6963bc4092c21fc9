package exec

import (
	"github.com/apache/arrow-go/v18/arrow"
	"github.com/apache/arrow-go/v18/arrow/array"

	"github.com/runnel-db/runnel/exec/types"
	"github.com/runnel-db/runnel/exec/zset"
)

// minMaxAcc is min/max that stays correct under deletes: each group keeps the multiset of its
// values (value key → value and count) and a cached extreme. Inserting only compares with the
// cache; deleting the last copy of the extreme marks the cache stale, and the next result
// rescans the group's distinct values.
type minMaxAcc struct {
	max bool
	st  []*minMaxState
	buf []byte
}

type minMaxState struct {
	vals  map[string]*minMaxEntry
	best  *minMaxEntry
	stale bool
}

type minMaxEntry struct {
	d types.Datum
	n int64
}

func (a *minMaxAcc) grow(n int)    { a.st = growTo(a.st, n) }
func (a *minMaxAcc) reset(g int32) { a.st[g] = nil }

func (a *minMaxAcc) better(x, y types.Datum) bool {
	c := zset.CompareDatum(x, y)
	if a.max {
		return c > 0
	}
	return c < 0
}

func (a *minMaxAcc) update(col arrow.Array, gids []int32, w []int64) error {
	for i, g := range gids {
		wi := w[i]
		if wi == 0 || col.IsNull(i) {
			continue
		}
		s := a.st[g]
		if s == nil {
			s = &minMaxState{vals: map[string]*minMaxEntry{}}
			a.st[g] = s
		}
		a.buf = zset.AppendValueKey(a.buf[:0], col, i)
		e := s.vals[string(a.buf)]
		if e == nil {
			e = &minMaxEntry{d: zset.DatumAt(col, i)}
			s.vals[string(a.buf)] = e
		}
		e.n += wi
		switch {
		case e.n == 0:
			delete(s.vals, string(a.buf))
			if s.best == e {
				s.best, s.stale = nil, true
			}
		case e.n > 0 && !s.stale && (s.best == nil || a.better(e.d, s.best.d)):
			s.best = e
		}
	}
	return nil
}

func (a *minMaxAcc) result(g int32) (types.Datum, error) {
	s := a.st[g]
	if s == nil {
		return nil, nil
	}
	if s.stale {
		s.best, s.stale = nil, false
		for _, e := range s.vals {
			if e.n > 0 && (s.best == nil || a.better(e.d, s.best.d)) {
				s.best = e
			}
		}
	}
	if s.best == nil {
		return nil, nil
	}
	return s.best.d, nil
}

// boolAcc is bool_and/every (or=false) and bool_or: counts of true and false values.
type boolAcc struct {
	or     bool
	counts [][2]int64 // false, true
}

func (a *boolAcc) grow(n int)    { a.counts = growTo(a.counts, n) }
func (a *boolAcc) reset(g int32) { a.counts[g] = [2]int64{} }

func (a *boolAcc) update(col arrow.Array, gids []int32, w []int64) error {
	c, ok := col.(*array.Boolean)
	if !ok {
		return internalf("bool_and: unexpected column %s", col.DataType())
	}
	for i, g := range gids {
		if c.IsValid(i) {
			v := 0
			if c.Value(i) {
				v = 1
			}
			a.counts[g][v] += w[i]
		}
	}
	return nil
}

func (a *boolAcc) result(g int32) (types.Datum, error) {
	f, t := a.counts[g][0], a.counts[g][1]
	if f+t == 0 {
		return nil, nil
	}
	if a.or {
		return t > 0, nil
	}
	return f == 0, nil
}
