package rowcodec

import (
	"fmt"

	"github.com/apache/arrow-go/v18/arrow/array"

	"github.com/runnel-db/runnel/storage/encoding"
)

// DecodeKeyExcept decodes a key like DecodeKey but appends nothing for the columns marked in
// except (indexed by column): their values are read past. A caller uses it when the key holds a
// column's canonical form (NUMERIC 1.5 for 1.50, INTERVAL 1 day 12:00:00 for 36 hours) and the
// value holds the exact one, decoded with DecodeValue.
func (d *Decoder) DecodeKeyExcept(key []byte, keyCols []int, except []bool) error {
	b := key
	for _, ci := range keyCols {
		var isNull bool
		var err error
		b, isNull, err = encoding.DecodeNullMarker(b)
		if err == nil && !isNull {
			if except[ci] {
				b, err = d.discardKeyValue(b, ci)
			} else {
				b, err = d.decodeKeyValue(b, ci)
			}
		} else if err == nil && !except[ci] {
			d.builders[ci].AppendNull()
		}
		if err != nil {
			return fmt.Errorf("rowcodec: decode key column %d (%s): %w", ci, d.c.types[ci], err)
		}
	}
	if len(b) != 0 {
		return fmt.Errorf("rowcodec: %d trailing bytes after key: %w", len(b), encoding.ErrCorrupt)
	}
	return nil
}

// discardRows bounds how many discarded values accumulate before their builder is emptied.
const discardRows = 1024

// discardKeyValue reads one value of column ci into a scratch builder, which it empties now and
// then, so the value is consumed without reaching the column's real builder.
func (d *Decoder) discardKeyValue(b []byte, ci int) ([]byte, error) {
	if d.discard == nil {
		d.discard = make([]array.Builder, len(d.builders))
	}
	if d.discard[ci] == nil {
		d.discard[ci] = array.NewBuilder(d.mem, d.c.types[ci].ArrowType())
	}
	real := d.builders[ci]
	d.builders[ci] = d.discard[ci]
	rest, err := d.decodeKeyValue(b, ci)
	d.builders[ci] = real
	if d.discard[ci].Len() >= discardRows {
		d.discard[ci].NewArray().Release()
	}
	return rest, err
}
