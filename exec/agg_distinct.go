package exec

import (
	"github.com/apache/arrow-go/v18/arrow"
	"github.com/apache/arrow-go/v18/arrow/memory"

	"github.com/runnel-db/runnel/exec/types"
	"github.com/runnel-db/runnel/exec/zset"
)

// distinctAcc is agg(DISTINCT x): each group counts its non-null values, and the inner
// accumulator sees a value with weight +1 when its count becomes positive and -1 when it stops
// being positive.
type distinctAcc struct {
	inner  accumulator
	mem    memory.Allocator // set by the operator for each Step
	counts []map[string]int64
	buf    []byte
}

func (a *distinctAcc) grow(n int) {
	a.counts = growTo(a.counts, n)
	a.inner.grow(n)
}

func (a *distinctAcc) reset(g int32) {
	a.counts[g] = nil
	a.inner.reset(g)
}

func (a *distinctAcc) result(g int32) (types.Datum, error) { return a.inner.result(g) }

func (a *distinctAcc) update(col arrow.Array, gids []int32, w []int64) error {
	var rows, ig []int32
	var iw []int64
	for i, g := range gids {
		if w[i] == 0 || col.IsNull(i) {
			continue
		}
		m := a.counts[g]
		if m == nil {
			m = map[string]int64{}
			a.counts[g] = m
		}
		a.buf = zset.AppendValueKey(a.buf[:0], col, i)
		old := m[string(a.buf)]
		nw := old + w[i]
		if nw == 0 {
			delete(m, string(a.buf))
		} else {
			m[string(a.buf)] = nw
		}
		if d := positive(nw) - positive(old); d != 0 {
			rows = append(rows, int32(i))
			ig = append(ig, g)
			iw = append(iw, d)
		}
	}
	if len(rows) == 0 {
		return nil
	}
	vals := zset.TakeArray(a.mem, col, rows)
	defer vals.Release()
	return a.inner.update(vals, ig, iw)
}
