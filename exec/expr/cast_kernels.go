package expr

import (
	"math"

	"github.com/apache/arrow-go/v18/arrow"
	"github.com/apache/arrow-go/v18/arrow/array"

	"github.com/runnel-db/runnel/exec/sqlerr"
	"github.com/runnel-db/runnel/exec/types"
)

func errIntRange(k types.Kind) error {
	switch k {
	case types.Int16:
		return sqlerr.New(sqlerr.NumericValueOutOfRange, "smallint out of range")
	case types.Int64:
		return sqlerr.New(sqlerr.NumericValueOutOfRange, "bigint out of range")
	}
	return sqlerr.New(sqlerr.NumericValueOutOfRange, "integer out of range")
}

func intBounds(k types.Kind) (int64, int64) {
	switch k {
	case types.Int16:
		return math.MinInt16, math.MaxInt16
	case types.Int32:
		return math.MinInt32, math.MaxInt32
	}
	return math.MinInt64, math.MaxInt64
}

// identityKernel returns its argument.
func identityKernel(ctx *Context, args []operand, n int, _ types.T) (arrow.Array, error) {
	return args[0].materialize(ctx.Allocator(), n), nil
}

// castKernel returns the conversion from → to (kinds and typmods); explicit selects varchar
// truncation instead of the assignment error.
func castKernel(from, to types.T, explicit bool) (kernel, error) {
	fk, tk := from.Kind, to.Kind
	if fk == types.Unknown {
		fk = types.Text
	}
	switch {
	case tk == types.Numeric && to.Precision > 0:
		if fk == types.Numeric {
			return numericMap(func(v types.NumericValue) (types.NumericValue, error) {
				return types.NumericApplyTypmod(v, to.Precision, to.Scale)
			}), nil
		}
		inner, err := castKernel(from, types.NumericT, explicit)
		if err != nil {
			return nil, err
		}
		return chain(inner, types.NumericT, numericMap(func(v types.NumericValue) (types.NumericValue, error) {
			return types.NumericApplyTypmod(v, to.Precision, to.Scale)
		})), nil
	case tk == types.Varchar && to.Precision > 0:
		var inner kernel = identityKernel
		if !from.IsString() {
			k, err := castKernel(from, types.TextT, explicit)
			if err != nil {
				return nil, err
			}
			inner = k
		}
		limit := to.Precision
		return chain(inner, types.TextT, strMapErr(func(s string) (string, error) {
			return types.ApplyVarcharLength(s, limit, explicit)
		})), nil
	case fk == tk, from.IsString() && to.IsString(), (fk == types.JSONB || fk == types.JSON) && to.IsString(),
		fk == types.JSONB && tk == types.JSON: // jsonb's text is valid json
		return identityKernel, nil
	case fk == types.JSON && tk == types.JSONB:
		return strMapErr(types.NormalizeJSONB), nil
	case to.IsString():
		return toTextKernel(from), nil
	case from.IsString():
		return fromTextKernel(to), nil
	}
	if k := numericCast(fk, tk); k != nil {
		return k, nil
	}
	if k := datetimeCast(fk, tk); k != nil {
		return k, nil
	}
	switch {
	case fk == types.Int32 && tk == types.Bool:
		return rowKernel(false, func(_ *Context, a []types.Datum) (types.Datum, error) {
			return a[0].(int64) != 0, nil
		}), nil
	case fk == types.Bool && tk == types.Int32:
		return rowKernel(false, func(_ *Context, a []types.Datum) (types.Datum, error) {
			if a[0].(bool) {
				return int64(1), nil
			}
			return int64(0), nil
		}), nil
	case fk == types.JSONB:
		if k := jsonbCast(tk); k != nil {
			return k, nil
		}
	}
	return nil, sqlerr.New(sqlerr.CannotCoerce, "cannot cast type %s to %s", from, to)
}

// chain runs a then b (a's output has type mid).
func chain(a kernel, mid types.T, b kernel) kernel {
	return func(ctx *Context, args []operand, n int, ret types.T) (arrow.Array, error) {
		x, err := a(ctx, args, n, mid)
		if err != nil {
			return nil, err
		}
		defer x.Release()
		return b(ctx, []operand{{arr: x, t: mid}}, n, ret)
	}
}

// strMapErr lifts a failing string → string function.
func strMapErr(f func(s string) (string, error)) kernel {
	return func(ctx *Context, args []operand, n int, ret types.T) (arrow.Array, error) {
		mem := ctx.Allocator()
		mask := combineValidity(mem, n, args...)
		defer mask.release()
		rd := newStringReader(args[0])
		b := array.NewStringBuilder(mem)
		defer b.Release()
		b.Reserve(n)
		for i := 0; i < n; i++ {
			if !mask.valid(i) {
				b.AppendNull()
				continue
			}
			s, err := f(rd.at(i))
			if err != nil {
				return nil, err
			}
			b.Append(s)
		}
		return b.NewArray(), nil
	}
}

// toTextKernel renders values with the type's output function.
func toTextKernel(from types.T) kernel {
	return func(ctx *Context, args []operand, n int, ret types.T) (arrow.Array, error) {
		mem := ctx.Allocator()
		in := args[0].materialize(mem, n)
		defer in.Release()
		b := array.NewStringBuilder(mem)
		defer b.Release()
		b.Reserve(n)
		var scratch []byte
		loc := ctx.Loc()
		for i := 0; i < n; i++ {
			if in.IsNull(i) {
				b.AppendNull()
				continue
			}
			scratch = appendCastText(scratch[:0], operand{arr: in, t: from}, i, loc)
			b.BinaryBuilder.Append(scratch)
		}
		return b.NewArray(), nil
	}
}

// fromTextKernel parses values with the type's input function.
func fromTextKernel(to types.T) kernel {
	base := types.T{Kind: to.Kind}
	return func(ctx *Context, args []operand, n int, ret types.T) (arrow.Array, error) {
		mem := ctx.Allocator()
		rd := newStringReader(args[0])
		b := types.NewBuilder(mem, base)
		defer b.Release()
		b.Reserve(n)
		loc := ctx.Loc()
		for i := 0; i < n; i++ {
			if !args[0].valid(i) {
				b.AppendNull()
				continue
			}
			d, err := types.ParseText(rd.at(i), base, loc)
			if err != nil {
				return nil, err
			}
			types.AppendDatum(b, d)
		}
		return b.NewArray(), nil
	}
}

// numericMap lifts a NUMERIC → NUMERIC function.
func numericMap(f func(types.NumericValue) (types.NumericValue, error)) kernel {
	return func(ctx *Context, args []operand, n int, ret types.T) (arrow.Array, error) {
		mem := ctx.Allocator()
		in := args[0].materialize(mem, n)
		defer in.Release()
		src := in.(*array.FixedSizeBinary)
		mask := combineValidity(mem, n, operand{arr: in})
		buf := newNumericBuf(mem, n)
		out := buf.Bytes()
		for i := 0; i < n; i++ {
			if !mask.valid(i) {
				continue
			}
			r, err := f(types.NumericAt(src, i))
			if err != nil {
				mask.release()
				buf.Release()
				return nil, err
			}
			r.Put(out[i*types.NumericWidth:])
		}
		return finish(types.NumericArrowType, n, mask, buf), nil
	}
}

// numericOut builds a NUMERIC column from a per-row function over other inputs.
func numericFrom(f func(i int) (types.NumericValue, error), ctx *Context, n int, mask nullMask) (arrow.Array, error) {
	buf := newNumericBuf(ctx.Allocator(), n)
	out := buf.Bytes()
	for i := 0; i < n; i++ {
		if !mask.valid(i) {
			continue
		}
		r, err := f(i)
		if err != nil {
			mask.release()
			buf.Release()
			return nil, err
		}
		r.Put(out[i*types.NumericWidth:])
	}
	return finish(types.NumericArrowType, n, mask, buf), nil
}

// numericCast converts among the number kinds.
func numericCast(fk, tk types.Kind) kernel {
	lo, hi := intBounds(tk)
	rangeErr := errIntRange(tk)
	switch fk {
	case types.Int16, types.Int32, types.Int64:
		switch tk {
		case types.Int16, types.Int32, types.Int64:
			return intCast(fk, tk, lo, hi, rangeErr)
		case types.Float32:
			return intToFloat[float32](fk)
		case types.Float64:
			return intToFloat[float64](fk)
		case types.Numeric:
			return typed1(intAccAny, numericSink, func(_ *Context, x int64) (types.NumericValue, error) {
				return types.NumericFromInt64(x), nil
			})
		}
	case types.Float32, types.Float64:
		switch tk {
		case types.Int16, types.Int32, types.Int64:
			return typed1(floatAcc, intSinkFor(tk), func(_ *Context, x float64) (int64, error) {
				f := math.RoundToEven(x)
				// PostgreSQL's FLOAT8_FITS_IN_INTxx: lo <= f < -lo.
				if math.IsNaN(f) || f < float64(lo) || f >= -float64(lo) {
					return 0, rangeErr
				}
				return int64(f), nil
			})
		case types.Float32:
			return rowKernel(false, func(_ *Context, a []types.Datum) (types.Datum, error) {
				f := a[0].(float64)
				r := float64(float32(f))
				if math.IsInf(r, 0) && !math.IsInf(f, 0) {
					return nil, sqlerr.New(sqlerr.NumericValueOutOfRange, "value out of range: overflow")
				}
				if r == 0 && f != 0 {
					return nil, sqlerr.New(sqlerr.NumericValueOutOfRange, "value out of range: underflow")
				}
				return r, nil
			})
		case types.Float64:
			return map1Fixed(func(a float32) (float64, error) { return float64(a), nil })
		case types.Numeric:
			single := fk == types.Float32
			return rowKernel(false, func(_ *Context, a []types.Datum) (types.Datum, error) {
				f := a[0].(float64)
				if math.IsInf(f, 0) {
					return nil, sqlerr.New(sqlerr.FeatureNotSupported, "cannot convert infinity to numeric")
				}
				if math.IsNaN(f) {
					return nil, sqlerr.NotSupported("numeric NaN")
				}
				if single {
					return types.NumericFromFloat32(float32(f))
				}
				return types.NumericFromFloat64(f)
			})
		}
	case types.Numeric:
		switch tk {
		case types.Int16, types.Int32, types.Int64:
			return typed1(numAcc, intSinkFor(tk), func(_ *Context, x types.NumericValue) (int64, error) {
				v, err := x.Int64()
				if err != nil || v < lo || v > hi {
					return 0, rangeErr
				}
				return v, nil
			})
		case types.Float32, types.Float64:
			return rowKernel(false, func(_ *Context, a []types.Datum) (types.Datum, error) {
				f := a[0].(types.NumericValue).Float64()
				if tk == types.Float32 {
					f = float64(float32(f))
				}
				return f, nil
			})
		}
	}
	return nil
}

func intCast(fk, tk types.Kind, lo, hi int64, rangeErr error) kernel {
	conv := func(x int64) (int64, error) {
		if x < lo || x > hi {
			return 0, rangeErr
		}
		return x, nil
	}
	switch {
	case fk == types.Int16 && tk == types.Int32:
		return map1Fixed(func(a int16) (int32, error) { return int32(a), nil })
	case fk == types.Int16 && tk == types.Int64:
		return map1Fixed(func(a int16) (int64, error) { return int64(a), nil })
	case fk == types.Int32 && tk == types.Int64:
		return map1Fixed(func(a int32) (int64, error) { return int64(a), nil })
	case fk == types.Int32 && tk == types.Int16:
		return map1Fixed(func(a int32) (int16, error) { x, err := conv(int64(a)); return int16(x), err })
	case fk == types.Int64 && tk == types.Int16:
		return map1Fixed(func(a int64) (int16, error) { x, err := conv(a); return int16(x), err })
	case fk == types.Int64 && tk == types.Int32:
		return map1Fixed(func(a int64) (int32, error) { x, err := conv(a); return int32(x), err })
	}
	return identityKernel
}

func intToFloat[F float32 | float64](fk types.Kind) kernel {
	switch fk {
	case types.Int16:
		return map1Fixed(func(a int16) (F, error) { return F(a), nil })
	case types.Int32:
		return map1Fixed(func(a int32) (F, error) { return F(a), nil })
	}
	return map1Fixed(func(a int64) (F, error) { return F(a), nil })
}

// datetimeCast converts among date, timestamp and timestamptz in the session zone.
func datetimeCast(fk, tk types.Kind) kernel {
	switch {
	case fk == types.Date && tk == types.Timestamp:
		return typed1(dateAcc, tsSink, func(_ *Context, d types.DateValue) (types.TimestampValue, error) {
			return types.DateToTimestamp(d), nil
		})
	case fk == types.Date && tk == types.TimestampTZ:
		return typed1(dateAcc, tsSink, func(ctx *Context, d types.DateValue) (types.TimestampValue, error) {
			return types.TimestampLocalToTZ(types.DateToTimestamp(d), ctx.Loc()), nil
		})
	case fk == types.Timestamp && tk == types.TimestampTZ:
		return typed1(tsAcc, tsSink, func(ctx *Context, ts types.TimestampValue) (types.TimestampValue, error) {
			return types.TimestampLocalToTZ(ts, ctx.Loc()), nil
		})
	case fk == types.TimestampTZ && tk == types.Timestamp:
		return typed1(tsAcc, tsSink, func(ctx *Context, ts types.TimestampValue) (types.TimestampValue, error) {
			return types.TimestampTZToLocal(ts, ctx.Loc()), nil
		})
	case (fk == types.Timestamp || fk == types.TimestampTZ) && tk == types.Date:
		tz := fk == types.TimestampTZ
		return typed1(tsAcc, dateSink, func(ctx *Context, ts types.TimestampValue) (types.DateValue, error) {
			if tz {
				ts = types.TimestampTZToLocal(ts, ctx.Loc())
			}
			return types.TimestampToDate(ts), nil
		})
	}
	return nil
}
