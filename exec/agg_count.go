package exec

import (
	"github.com/apache/arrow-go/v18/arrow"
	"github.com/apache/arrow-go/v18/arrow/array"

	"github.com/runnel-db/runnel/exec/types"
)

// nonNulls counts each group's non-null input values (weighted). Unbound, n holds the counts.
// Bound to the operator's per-group row counts (rowsBinder: a call without FILTER or
// DISTINCT sees every input row with its weight), it derives count = rows - nulls and n holds
// only the null counts, allocated when the first NULL arrives: count(*), count(x) and sum over
// a column without NULLs then keep no counter of their own.
type nonNulls struct {
	rows *[]int64
	n    []int64
}

// rowsBinder is implemented by accumulators that can derive their counts from the operator's
// row counts; bindRows is called before the first grow.
type rowsBinder interface {
	bindRows(rows *[]int64)
}

func (c *nonNulls) grow(n int) {
	if c.rows == nil || c.n != nil {
		c.n = growTo(c.n, n)
	}
}

func (c *nonNulls) reset(g int32) {
	if c.n != nil {
		c.n[g] = 0
	}
}

func (c *nonNulls) get(g int32) int64 {
	if c.rows == nil {
		return c.n[g]
	}
	r := (*c.rows)[g]
	if c.n != nil {
		r -= c.n[g]
	}
	return r
}

// update counts the rows of col (nil: every row counts) with weights w into groups gids.
func (c *nonNulls) update(col arrow.Array, gids []int32, w []int64) {
	nulls := col != nil && col.NullN() > 0
	if c.rows != nil {
		if !nulls {
			return
		}
		if c.n == nil {
			c.n = make([]int64, len(*c.rows))
		}
		for i, g := range gids {
			if col.IsNull(i) {
				c.n[g] += w[i]
			}
		}
		return
	}
	for i, g := range gids {
		if !nulls || col.IsValid(i) {
			c.n[g] += w[i]
		}
	}
}

// countAcc is count(x) (non-null rows) or count(*) (all rows).
type countAcc struct {
	star bool
	nn   nonNulls
}

func (c *countAcc) bindRows(rows *[]int64)              { c.nn.rows = rows }
func (c *countAcc) grow(n int)                          { c.nn.grow(n) }
func (c *countAcc) reset(g int32)                       { c.nn.reset(g) }
func (c *countAcc) result(g int32) (types.Datum, error) { return c.nn.get(g), nil }

func (c *countAcc) appendResult(b array.Builder, g int32) error {
	b.(*array.Int64Builder).Append(c.nn.get(g))
	return nil
}

func (c *countAcc) update(col arrow.Array, gids []int32, w []int64) error {
	if c.star {
		col = nil
	}
	c.nn.update(col, gids, w)
	return nil
}
