package exec

import (
	"sort"

	"github.com/apache/arrow-go/v18/arrow"

	"github.com/runnel-db/runnel/exec/types"
	"github.com/runnel-db/runnel/exec/zset"
)

// arrayAggAcc is array_agg ordered by the aggregated value (ascending with NULLs last, or
// descending with NULLs first, as ORDER BY x [DESC] orders them). Each group keeps the multiset of
// its values (value key → value and count), so deletes are exact; the result sorts the distinct
// values and repeats each by its count. Without ORDER BY PostgreSQL leaves the order unspecified;
// this order is one of the valid ones.
//
// Values that are equal but print differently (1.5 and 1.50, 0 and -0) are kept apart, each
// with its own copies, since array_agg returns every input value as it is.
type arrayAggAcc struct {
	desc bool
	arg  types.T
	st   []map[string]*minMaxEntry
	buf  []byte
}

func (a *arrayAggAcc) grow(n int)    { a.st = growTo(a.st, n) }
func (a *arrayAggAcc) reset(g int32) { a.st[g] = nil }

func (a *arrayAggAcc) update(col arrow.Array, gids []int32, w []int64) error {
	for i, g := range gids {
		if w[i] == 0 {
			continue
		}
		s := a.st[g]
		if s == nil {
			s = map[string]*minMaxEntry{}
			a.st[g] = s
		}
		a.buf = zset.AppendValueKey(a.buf[:0], col, i)
		if col.IsValid(i) {
			a.buf = types.AppendText(a.buf, col, i, a.arg, nil)
		}
		e := s[string(a.buf)]
		if e == nil {
			e = &minMaxEntry{d: zset.DatumAt(col, i)}
			s[string(a.buf)] = e
		}
		e.n += w[i]
		if e.n == 0 {
			delete(s, string(a.buf))
		}
	}
	return nil
}

func (a *arrayAggAcc) result(g int32) (types.Datum, error) {
	s := a.st[g]
	if len(s) == 0 {
		return nil, nil
	}
	type keyed struct {
		key string
		e   *minMaxEntry
	}
	entries := make([]keyed, 0, len(s))
	total := int64(0)
	for k, e := range s {
		if e.n < 0 {
			return nil, internalf("array_agg: negative multiplicity %d", e.n)
		}
		entries = append(entries, keyed{k, e})
		total += e.n
	}
	sort.Slice(entries, func(i, j int) bool {
		c := zset.CompareNullable(entries[i].e.d, entries[j].e.d, false)
		if a.desc {
			c = -c
		}
		if c == 0 {
			return entries[i].key < entries[j].key // equal values that print differently: any order is PostgreSQL's
		}
		return c < 0
	})
	out := make(types.ArrayValue, 0, total)
	for _, x := range entries {
		for k := int64(0); k < x.e.n; k++ {
			out = append(out, x.e.d)
		}
	}
	return out, nil
}

// stringAggAcc is string_agg(x, sep [ORDER BY x [DESC]]) with a constant delimiter: the non-NULL
// values in array_agg's order joined by sep; NULL when there are none.
type stringAggAcc struct {
	arrayAggAcc
	sep string
}

func (a *stringAggAcc) result(g int32) (types.Datum, error) {
	d, err := a.arrayAggAcc.result(g)
	if err != nil || d == nil {
		return nil, err
	}
	var out []byte
	n := 0
	for _, v := range d.(types.ArrayValue) {
		if v == nil {
			continue
		}
		if n > 0 {
			out = append(out, a.sep...)
		}
		out = append(out, v.(string)...)
		n++
	}
	if n == 0 {
		return nil, nil
	}
	return string(out), nil
}
