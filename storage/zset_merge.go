package storage

import (
	"encoding/binary"
	"fmt"
	"io"

	"github.com/cockroachdb/pebble/v2"
)

// Multiset rows (tables without a primary key, view contents) are stored as Z-set entries:
// value = varint multiplicity followed by an opaque tail (the row's exact column forms). Adding
// copies of a row is a Pebble merge operand of the same shape holding the multiplicity *change*,
// so it never reads first. The merge sums multiplicities and keeps the oldest tail (a row keeps the
// exact form it was first stored with).
//
// Retractions are written by the caller as a read, then Set or Delete, so an entry never sits at
// multiplicity zero. (Pebble's DeletableValueMerger would let zero entries vanish by themselves,
// but in Pebble v2.1 its compaction path corrupts iterator state: cockroachdb/pebble#6168.)

// zsetMergerName is persisted in the database: never change it.
const zsetMergerName = "runnel.zset.v1"

var zsetMerger = &pebble.Merger{
	Name: zsetMergerName,
	Merge: func(key, value []byte) (pebble.ValueMerger, error) {
		m := &zsetValueMerger{}
		if err := m.add(value, true); err != nil {
			return nil, err
		}
		return m, nil
	},
}

// AppendZSetValue appends a Z-set entry (or merge operand) of multiplicity n and tail to dst.
func AppendZSetValue(dst []byte, n int64, tail []byte) []byte {
	return append(binary.AppendVarint(dst, n), tail...)
}

// DecodeZSetValue splits a Z-set entry into its multiplicity and tail (borrowed from v).
func DecodeZSetValue(v []byte) (n int64, tail []byte, err error) {
	n, k := binary.Varint(v)
	if k <= 0 {
		return 0, nil, fmt.Errorf("storage: corrupt z-set entry %x", v)
	}
	return n, v[k:], nil
}

type zsetValueMerger struct {
	n    int64
	tail []byte // the oldest non-empty tail seen
}

func (m *zsetValueMerger) add(v []byte, older bool) error {
	n, tail, err := DecodeZSetValue(v)
	if err != nil {
		return err
	}
	m.n += n
	if len(tail) > 0 && (m.tail == nil || older) {
		m.tail = append(m.tail[:0:0], tail...)
	}
	return nil
}

func (m *zsetValueMerger) MergeNewer(value []byte) error { return m.add(value, false) }
func (m *zsetValueMerger) MergeOlder(value []byte) error { return m.add(value, true) }

func (m *zsetValueMerger) Finish(includesBase bool) ([]byte, io.Closer, error) {
	return AppendZSetValue(nil, m.n, m.tail), nil, nil
}

// Merge adds a Z-set merge operand (see AppendZSetValue) for key: a multiplicity change.
func (b *Batch) Merge(key, value []byte) error {
	if err := b.b.Merge(key, value, nil); err != nil {
		return fmt.Errorf("storage: batch merge: %w", err)
	}
	return nil
}
