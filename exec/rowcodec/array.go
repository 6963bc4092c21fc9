package rowcodec

import (
	"fmt"

	"github.com/apache/arrow-go/v18/arrow"
	"github.com/apache/arrow-go/v18/arrow/array"

	"github.com/runnel-db/runnel/exec/types"
	"github.com/runnel-db/runnel/storage/encoding"
)

// Arrays (Arrow List columns) are encoded element by element with a Codec of their element type.
//
// Key: per element a marker, 0x01 then the element's key encoding, or 0x02 for a NULL element,
// and 0x00 after the last, so keys order like PostgreSQL's array_cmp (element by element, a NULL
// element above every value, a proper prefix first) and the encoding stays prefix-free.
//
// Value: a varint element count, then per element a one-bit null bitmap byte and the element's
// value encoding (as AppendValue encodes one column). Values round-trip exactly.

const (
	listEnd      byte = 0x00
	listElem     byte = 0x01
	listNullElem byte = 0x02
)

// elemCodecs returns the element Codec of each array column (nil for the others).
func elemCodecs(ts []types.T) []*Codec {
	var out []*Codec
	for i, t := range ts {
		if t.Kind != types.Array {
			continue
		}
		if out == nil {
			out = make([]*Codec, len(ts))
		}
		out[i] = New([]types.T{t.ElemType()})
	}
	return out
}

func (c *Codec) appendListKey(dst []byte, a arrow.Array, row, ci int) []byte {
	l := a.(*array.List)
	s, e := l.ValueOffsets(row)
	vals, ec := l.ListValues(), c.elems[ci]
	for k := int(s); k < int(e); k++ {
		if vals.IsNull(k) {
			dst = append(dst, listNullElem)
			continue
		}
		dst = ec.appendKeyValue(append(dst, listElem), vals, k, 0)
	}
	return append(dst, listEnd)
}

var firstCol = []int{0}

func (c *Codec) appendListValue(dst []byte, a arrow.Array, row, ci int) []byte {
	l := a.(*array.List)
	s, e := l.ValueOffsets(row)
	dst = encoding.AppendVarint(dst, e-s)
	one, ec := []arrow.Array{l.ListValues()}, c.elems[ci]
	for k := int(s); k < int(e); k++ {
		dst = ec.AppendValue(dst, one, k, firstCol)
	}
	return dst
}

// elemDecoder returns the decoder of column ci's elements, appending to its list builder's
// value builder (which the list builder owns).
func (d *Decoder) elemDecoder(ci int) *Decoder {
	if d.subs == nil {
		d.subs = make([]*Decoder, len(d.builders))
	}
	sub := d.subs[ci]
	if sub == nil {
		sub = &Decoder{c: d.c.elems[ci], mem: d.mem, builders: make([]array.Builder, 1)}
		d.subs[ci] = sub
	}
	sub.builders[0] = d.builders[ci].(*array.ListBuilder).ValueBuilder()
	return sub
}

func (d *Decoder) decodeListKey(b []byte, ci int) ([]byte, error) {
	lb := d.builders[ci].(*array.ListBuilder)
	lb.Append(true)
	sub := d.elemDecoder(ci)
	for {
		if len(b) == 0 {
			return nil, fmt.Errorf("unterminated array: %w", encoding.ErrCorrupt)
		}
		m := b[0]
		b = b[1:]
		switch m {
		case listEnd:
			return b, nil
		case listNullElem:
			sub.builders[0].AppendNull()
		case listElem:
			var err error
			if b, err = sub.decodeKeyValue(b, 0); err != nil {
				return nil, err
			}
		default:
			return nil, fmt.Errorf("bad array element marker %#x: %w", m, encoding.ErrCorrupt)
		}
	}
}

func (d *Decoder) decodeListValue(b []byte, ci int) ([]byte, error) {
	b, n, err := encoding.DecodeVarint(b)
	if err != nil {
		return nil, err
	}
	if n < 0 || n > int64(len(b)) { // every element takes at least its bitmap byte
		return nil, fmt.Errorf("array of %d elements: %w", n, encoding.ErrCorrupt)
	}
	lb := d.builders[ci].(*array.ListBuilder)
	lb.Append(true)
	sub := d.elemDecoder(ci)
	for k := int64(0); k < n; k++ {
		if len(b) == 0 {
			return nil, fmt.Errorf("short array: %w", encoding.ErrCorrupt)
		}
		null := b[0]&1 != 0
		b = b[1:]
		if null {
			sub.builders[0].AppendNull()
			continue
		}
		if b, err = sub.decodeValue(b, 0); err != nil {
			return nil, err
		}
	}
	return b, nil
}
