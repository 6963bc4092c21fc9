package rowcodec

import (
	"github.com/apache/arrow-go/v18/arrow"

	"github.com/runnel-db/runnel/storage/encoding"
)

// OrderCol is one column of an ORDER BY: its index, direction and where NULLs go.
// (PostgreSQL's defaults: ASC NULLS LAST, DESC NULLS FIRST.)
type OrderCol struct {
	Col        int
	Desc       bool
	NullsFirst bool
}

// AppendOrderKey appends a key whose byte order is the ORDER BY order of order: each column is
// encoded as by AppendKey (with the NULL marker placed per NullsFirst) and, for DESC, every byte
// of the column's encoding is inverted. Inversion reverses the order because each column's
// encoding is prefix-free. Text sorts by bytes, which is PostgreSQL's order under the C and
// C.UTF-8 collations. Such keys cannot be decoded: keep the row in the value.
func (c *Codec) AppendOrderKey(dst []byte, cols []arrow.Array, row int, order []OrderCol) []byte {
	for _, o := range order {
		start := len(dst)
		a := cols[o.Col]
		if a.IsNull(row) {
			// A DESC column is inverted afterwards, which moves the marker to the other end.
			if o.NullsFirst != o.Desc {
				dst = encoding.EncodeNull(dst)
			} else {
				dst = encoding.EncodeNullLast(dst)
			}
		} else {
			dst = c.appendKeyValue(encoding.EncodeNotNull(dst), a, row, o.Col)
		}
		if o.Desc {
			for i := start; i < len(dst); i++ {
				dst[i] = ^dst[i]
			}
		}
	}
	return dst
}
