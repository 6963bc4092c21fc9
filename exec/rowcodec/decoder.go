package rowcodec

import (
	"fmt"
	"math"

	"github.com/apache/arrow-go/v18/arrow"
	"github.com/apache/arrow-go/v18/arrow/array"
	"github.com/apache/arrow-go/v18/arrow/memory"

	"github.com/runnel-db/runnel/exec/types"
	"github.com/runnel-db/runnel/storage/encoding"
)

// Decoder appends decoded rows into one Arrow builder per column of its Codec.
type Decoder struct {
	c        *Codec
	mem      memory.Allocator
	builders []array.Builder
	discard  []array.Builder // scratch builders of DecodeKeyExcept, created on first use
	scratch  []byte
	numeric  [types.NumericWidth]byte
	subs     []*Decoder // element decoders of array columns, created on first use (array.go)
}

// NewDecoder returns a Decoder whose builders allocate from mem. Release it when done.
func (c *Codec) NewDecoder(mem memory.Allocator) *Decoder {
	d := &Decoder{c: c, mem: mem, builders: make([]array.Builder, len(c.types))}
	for i, t := range c.types {
		d.builders[i] = array.NewBuilder(mem, t.ArrowType())
	}
	return d
}

// Reserve makes room for n more rows in every builder (e.g. the expected batch size).
func (d *Decoder) Reserve(n int) {
	for _, b := range d.builders {
		b.Reserve(n)
	}
}

// DecodeKey decodes a key made by AppendKey with the same keyCols, appending one value to each
// of those columns' builders. key must be exactly the row key (without the storage prefix).
func (d *Decoder) DecodeKey(key []byte, keyCols []int) error {
	b := key
	for _, ci := range keyCols {
		var isNull bool
		var err error
		if b, isNull, err = encoding.DecodeNullMarker(b); err == nil {
			if isNull {
				d.builders[ci].AppendNull()
				continue
			}
			b, err = d.decodeKeyValue(b, ci)
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

func (d *Decoder) decodeKeyValue(b []byte, ci int) ([]byte, error) {
	var err error
	switch bld := d.builders[ci]; d.c.types[ci].Kind {
	case types.Bool:
		var v bool
		if b, v, err = encoding.DecodeBool(b); err == nil {
			bld.(*array.BooleanBuilder).Append(v)
		}
	case types.Int16:
		var v int32
		if b, v, err = encoding.DecodeInt32(b); err == nil {
			if v < math.MinInt16 || v > math.MaxInt16 {
				return nil, fmt.Errorf("smallint out of range: %w", encoding.ErrCorrupt)
			}
			bld.(*array.Int16Builder).Append(int16(v))
		}
	case types.Int32:
		var v int32
		if b, v, err = encoding.DecodeInt32(b); err == nil {
			bld.(*array.Int32Builder).Append(v)
		}
	case types.Int64:
		var v int64
		if b, v, err = encoding.DecodeInt64(b); err == nil {
			bld.(*array.Int64Builder).Append(v)
		}
	case types.Float32:
		var v float32
		if b, v, err = encoding.DecodeFloat32(b); err == nil {
			bld.(*array.Float32Builder).Append(v)
		}
	case types.Float64:
		var v float64
		if b, v, err = encoding.DecodeFloat64(b); err == nil {
			bld.(*array.Float64Builder).Append(v)
		}
	case types.Numeric:
		var lo uint64
		var hi int64
		var scale int8
		if b, lo, hi, scale, err = encoding.DecodeDecimal(b); err == nil {
			if scale > types.MaxNumericScale {
				return nil, fmt.Errorf("numeric scale %d out of range: %w", scale, encoding.ErrCorrupt)
			}
			putNumeric(&d.numeric, lo, hi, scale)
			bld.(*array.FixedSizeBinaryBuilder).Append(d.numeric[:])
		}
	case types.Text, types.Varchar, types.JSONB, types.JSON, types.Unknown:
		if b, d.scratch, err = encoding.DecodeBytes(b, d.scratch[:0]); err == nil {
			bld.(*array.StringBuilder).BinaryBuilder.Append(d.scratch)
		}
	case types.Date:
		var v int32
		if b, v, err = encoding.DecodeInt32(b); err == nil {
			bld.(*array.Date32Builder).Append(arrow.Date32(v))
		}
	case types.Timestamp, types.TimestampTZ:
		var v int64
		if b, v, err = encoding.DecodeInt64(b); err == nil {
			bld.(*array.TimestampBuilder).Append(arrow.Timestamp(v))
		}
	case types.Interval:
		var lo uint64
		var hi int64
		if b, lo, hi, err = encoding.DecodeInt128(b); err == nil {
			v, ok := intervalFromSpan(lo, hi)
			if !ok {
				return nil, fmt.Errorf("interval out of range: %w", encoding.ErrCorrupt)
			}
			bld.(*array.MonthDayNanoIntervalBuilder).Append(v)
		}
	case types.Array:
		return d.decodeListKey(b, ci)
	default:
		return nil, fmt.Errorf("no key decoding for %s", d.c.types[ci])
	}
	return b, err
}

// DecodeValue decodes a value made by AppendValue with the same valueCols, appending one value to
// each of those columns' builders.
func (d *Decoder) DecodeValue(val []byte, valueCols []int) error {
	nb := (len(valueCols) + 7) / 8
	if len(val) < nb {
		return fmt.Errorf("rowcodec: value shorter than its null bitmap: %w", encoding.ErrCorrupt)
	}
	bitmap, b := val[:nb], val[nb:]
	for i, ci := range valueCols {
		if bitmap[i/8]&(1<<(i%8)) != 0 {
			d.builders[ci].AppendNull()
			continue
		}
		var err error
		if b, err = d.decodeValue(b, ci); err != nil {
			return fmt.Errorf("rowcodec: decode value column %d (%s): %w", ci, d.c.types[ci], err)
		}
	}
	if len(b) != 0 {
		return fmt.Errorf("rowcodec: %d trailing bytes after value: %w", len(b), encoding.ErrCorrupt)
	}
	return nil
}

func (d *Decoder) decodeValue(b []byte, ci int) ([]byte, error) {
	var err error
	switch bld := d.builders[ci]; d.c.types[ci].Kind {
	case types.Bool:
		var v bool
		if b, v, err = encoding.DecodeBool(b); err == nil {
			bld.(*array.BooleanBuilder).Append(v)
		}
	case types.Int16:
		var v int64
		if b, v, err = encoding.DecodeVarint(b); err == nil {
			if v < math.MinInt16 || v > math.MaxInt16 {
				return nil, fmt.Errorf("smallint out of range: %w", encoding.ErrCorrupt)
			}
			bld.(*array.Int16Builder).Append(int16(v))
		}
	case types.Int32:
		var v int64
		if b, v, err = encoding.DecodeVarint(b); err == nil {
			if v < math.MinInt32 || v > math.MaxInt32 {
				return nil, fmt.Errorf("integer out of range: %w", encoding.ErrCorrupt)
			}
			bld.(*array.Int32Builder).Append(int32(v))
		}
	case types.Int64:
		var v int64
		if b, v, err = encoding.DecodeVarint(b); err == nil {
			bld.(*array.Int64Builder).Append(v)
		}
	case types.Float32:
		var v uint32
		if b, v, err = encoding.DecodeValueUint32(b); err == nil {
			bld.(*array.Float32Builder).Append(math.Float32frombits(v))
		}
	case types.Float64:
		var v uint64
		if b, v, err = encoding.DecodeValueUint64(b); err == nil {
			bld.(*array.Float64Builder).Append(math.Float64frombits(v))
		}
	case types.Numeric:
		if len(b) < types.NumericWidth {
			return nil, fmt.Errorf("short numeric: %w", encoding.ErrCorrupt)
		}
		bld.(*array.FixedSizeBinaryBuilder).Append(b[:types.NumericWidth])
		b = b[types.NumericWidth:]
	case types.Text, types.Varchar, types.JSONB, types.JSON, types.Unknown:
		var v []byte
		if b, v, err = encoding.DecodeValueBytes(b); err == nil {
			bld.(*array.StringBuilder).BinaryBuilder.Append(v)
		}
	case types.Date:
		var v int64
		if b, v, err = encoding.DecodeVarint(b); err == nil {
			if v < math.MinInt32 || v > math.MaxInt32 {
				return nil, fmt.Errorf("date out of range: %w", encoding.ErrCorrupt)
			}
			bld.(*array.Date32Builder).Append(arrow.Date32(v))
		}
	case types.Timestamp, types.TimestampTZ:
		var v uint64
		if b, v, err = encoding.DecodeValueUint64(b); err == nil {
			bld.(*array.TimestampBuilder).Append(arrow.Timestamp(int64(v)))
		}
	case types.Interval:
		var months, days, nanos int64
		if b, months, err = encoding.DecodeVarint(b); err != nil {
			return nil, err
		}
		if b, days, err = encoding.DecodeVarint(b); err != nil {
			return nil, err
		}
		if b, nanos, err = encoding.DecodeVarint(b); err != nil {
			return nil, err
		}
		if months != int64(int32(months)) || days != int64(int32(days)) {
			return nil, fmt.Errorf("interval out of range: %w", encoding.ErrCorrupt)
		}
		bld.(*array.MonthDayNanoIntervalBuilder).Append(arrow.MonthDayNanoInterval{
			Months: int32(months), Days: int32(days), Nanoseconds: nanos})
	case types.Array:
		return d.decodeListValue(b, ci)
	default:
		return nil, fmt.Errorf("no value decoding for %s", d.c.types[ci])
	}
	return b, err
}

// Len is the number of rows decoded so far: the length of the longest column.
func (d *Decoder) Len() int {
	n := 0
	for _, b := range d.builders {
		n = max(n, b.Len())
	}
	return n
}

// Finish returns one array per column holding the rows decoded since the last Finish, and resets
// the Decoder for the next batch. Columns decoded for fewer than Len rows are padded with NULLs.
// The caller releases the arrays.
func (d *Decoder) Finish() []arrow.Array {
	n := d.Len()
	out := make([]arrow.Array, len(d.builders))
	for i, b := range d.builders {
		if short := n - b.Len(); short > 0 {
			b.AppendNulls(short)
		}
		out[i] = b.NewArray()
	}
	return out
}

// Release frees the builders and any rows not yet taken by Finish.
func (d *Decoder) Release() {
	for _, b := range d.builders {
		b.Release()
	}
	for _, b := range d.discard {
		if b != nil {
			b.Release()
		}
	}
	d.builders, d.discard = nil, nil
}
