package kafka

import (
	"sync"

	"github.com/twmb/franz-go/pkg/kgo"
)

// recordPool lends franz-go the slices it decodes fetched records into (kgo.PoolRecords), so
// that a steady stream of fetches reuses them instead of allocating a Record per message. build
// recycles each record as soon as it is decoded into the chunk's columns.
type recordPool struct{ p sync.Pool }

var _ kgo.PoolRecords = (*recordPool)(nil)

func (rp *recordPool) GetRecords(n int) []kgo.Record {
	if s, ok := rp.p.Get().(*[]kgo.Record); ok && cap(*s) >= n {
		return (*s)[:0]
	}
	return make([]kgo.Record, 0, n)
}

func (rp *recordPool) PutRecords(s []kgo.Record) {
	s = s[:0]
	rp.p.Put(&s)
}
