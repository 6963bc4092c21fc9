package storage

import (
	"encoding/binary"
	"fmt"
)

// Kind is the first byte of every key: what the rest of the key addresses.
type Kind byte

// The key kinds. Their values are persisted: never renumber, only append.
const (
	KindCatalog Kind = 0x01 // object id → catalog entry
	KindMeta    Kind = 0x02 // 0, name → engine metadata
	KindTable   Kind = 0x03 // table id, row key → row
	KindView    Kind = 0x04 // view id, row key → row
	KindState   Kind = 0x05 // operator id, state key → state
	KindOffset  Kind = 0x06 // source id, partition → offset
	KindIndex   Kind = 0x07 // index id, index key + row key suffix → empty
	KindRole    Kind = 0x08 // 0, role name → role (login, superuser, password verifier)
	KindViewLog Kind = 0x09 // view id, epoch → the view's delta in that epoch, not yet in its rows
)

// String names the kind for debugging output.
func (k Kind) String() string {
	switch k {
	case KindCatalog:
		return "catalog"
	case KindMeta:
		return "meta"
	case KindTable:
		return "table"
	case KindView:
		return "view"
	case KindState:
		return "state"
	case KindOffset:
		return "offset"
	case KindIndex:
		return "index"
	case KindRole:
		return "role"
	case KindViewLog:
		return "view log"
	}
	return fmt.Sprintf("kind(%#x)", byte(k))
}

// PrefixLen is the length of the kind byte plus the object id that start every key.
const PrefixLen = 9

// AppendPrefix appends the kind byte and the big-endian object id to dst.
func AppendPrefix(dst []byte, kind Kind, id uint64) []byte {
	dst = append(dst, byte(kind))
	return binary.BigEndian.AppendUint64(dst, id)
}

// Prefix returns the common prefix of every key of object id under kind: the lower bound of the
// object's range. The upper bound is PrefixEnd(Prefix(kind, id)).
func Prefix(kind Kind, id uint64) []byte { return AppendPrefix(make([]byte, 0, PrefixLen), kind, id) }

// KindPrefix returns the one-byte prefix of every key of kind (e.g. to list all catalog entries).
func KindPrefix(kind Kind) []byte { return []byte{byte(kind)} }

// PrefixEnd returns the smallest key greater than every key that starts with prefix, the exclusive
// upper bound for scanning or deleting the prefix's range. It returns nil (no upper bound) when
// prefix is all 0xff bytes. prefix is not modified.
func PrefixEnd(prefix []byte) []byte {
	end := append([]byte(nil), prefix...)
	for i := len(end) - 1; i >= 0; i-- {
		if end[i] != 0xff {
			end[i]++
			return end[:i+1]
		}
	}
	return nil
}

// TableRowKey appends the key of the row with the given encoded row key (from rowcodec) in table
// id to dst.
func TableRowKey(dst []byte, id uint64, rowKey []byte) []byte {
	return append(AppendPrefix(dst, KindTable, id), rowKey...)
}

// ViewRowKey appends the key of the row with the given encoded row key in materialized view id.
func ViewRowKey(dst []byte, id uint64, rowKey []byte) []byte {
	return append(AppendPrefix(dst, KindView, id), rowKey...)
}

// ViewLogKey returns the key of materialized view id's delta in epoch (engine/view_log.go). A
// view's entries sort by epoch.
func ViewLogKey(id, epoch uint64) []byte {
	return binary.BigEndian.AppendUint64(AppendPrefix(make([]byte, 0, PrefixLen+8), KindViewLog, id), epoch)
}

// IndexEntryKey appends the key of an entry of secondary index id to dst: key is the index's own
// encoding (the order-preserving encoding of the indexed columns followed by the row's storage key
// suffix).
func IndexEntryKey(dst []byte, id uint64, key []byte) []byte {
	return append(AppendPrefix(dst, KindIndex, id), key...)
}

// StateKey appends the key of an operator's state entry; key is the operator's own encoding
// (e.g. an order-preserving group key).
func StateKey(dst []byte, opID uint64, key []byte) []byte {
	return append(AppendPrefix(dst, KindState, opID), key...)
}

// CatalogKey returns the key of object id's catalog entry.
func CatalogKey(id uint64) []byte { return Prefix(KindCatalog, id) }

// MetaKey returns the key of the engine metadata entry name (object id 0).
func MetaKey(name string) []byte {
	return append(AppendPrefix(make([]byte, 0, PrefixLen+len(name)), KindMeta, 0), name...)
}

// RoleKey returns the key of role name's entry (object id 0: roles are not relations).
func RoleKey(name string) []byte {
	return append(AppendPrefix(make([]byte, 0, PrefixLen+len(name)), KindRole, 0), name...)
}

// OffsetKey returns the key of the committed offset of one partition of source sourceID as read
// by consumer consumerID (a materialized view reading the source, or the table a connector feeds):
// each consumer reads a source on its own. Keys of one consumer share Prefix(KindOffset,
// consumerID); partitions sort numerically (the int32 is sign-flipped big endian).
func OffsetKey(consumerID, sourceID uint64, partition int32) []byte {
	k := AppendPrefix(make([]byte, 0, PrefixLen+12), KindOffset, consumerID)
	k = binary.BigEndian.AppendUint64(k, sourceID)
	return binary.BigEndian.AppendUint32(k, uint32(partition)^(1<<31))
}

// DecodeOffsetKey returns the source and partition of a key built by OffsetKey.
func DecodeOffsetKey(key []byte) (sourceID uint64, partition int32, err error) {
	if len(key) != PrefixLen+12 || Kind(key[0]) != KindOffset {
		return 0, 0, fmt.Errorf("storage: %x is not an offset key", key)
	}
	return binary.BigEndian.Uint64(key[PrefixLen:]), int32(binary.BigEndian.Uint32(key[PrefixLen+8:]) ^ (1 << 31)), nil
}

// SplitKey splits a key into its kind, object id and the kind-specific rest (which aliases key).
func SplitKey(key []byte) (kind Kind, id uint64, rest []byte, err error) {
	if len(key) < PrefixLen {
		return 0, 0, nil, fmt.Errorf("storage: key %x shorter than its %d-byte prefix", key, PrefixLen)
	}
	return Kind(key[0]), binary.BigEndian.Uint64(key[1:PrefixLen]), key[PrefixLen:], nil
}
