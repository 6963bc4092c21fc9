package exec

import (
	"bytes"

	"github.com/apache/arrow-go/v18/arrow"
	"github.com/apache/arrow-go/v18/arrow/array"

	"github.com/runnel-db/runnel/exec/types"
	"github.com/runnel-db/runnel/exec/zset"
)

// listKeys stores array keys (Arrow List columns) as their canonical zset keys, for equality,
// and as Datums, for output. Arrays are grouped on in catalog queries (a correlated ARRAY
// subquery is evaluated per distinct outer array), not on hot paths, so a slice per group is
// acceptable here.
type listKeys struct {
	keys [][]byte
	vals []types.Datum
	in   arrow.Array
	buf  []byte
}

func (k *listKeys) bind(col arrow.Array) error {
	if _, ok := col.(*array.List); !ok {
		return internalf("aggregate: unexpected key column %s", col.DataType())
	}
	k.in = col
	return nil
}

func (k *listKeys) unbind() { k.in = nil }

func (k *listKeys) grow(n int) {
	k.keys = growTo(k.keys, n)
	k.vals = growTo(k.vals, n)
}

func (k *listKeys) equal(g int32, i int) bool {
	k.buf = zset.AppendValueKey(k.buf[:0], k.in, i)
	return bytes.Equal(k.keys[g], k.buf)
}

func (k *listKeys) set(g int32, i int) {
	k.keys[g] = zset.AppendValueKey(nil, k.in, i)
	k.vals[g] = zset.DatumAt(k.in, i)
}

func (k *listKeys) clear(g int32) { k.keys[g], k.vals[g] = nil, nil }

func (k *listKeys) appendTo(b array.Builder, g int32) { zset.AppendDatum(b, k.vals[g]) }
