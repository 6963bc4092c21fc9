package expr

import (
	"strings"
	"time"

	"github.com/apache/arrow-go/v18/arrow"

	"github.com/runnel-db/runnel/exec/sqlerr"
	"github.com/runnel-db/runnel/exec/types"
)

type datumFn = func(*Context, []types.Datum) (types.Datum, error)

// nowKernel returns Context.Now converted by conv, for every row.
func nowKernel(conv func(ctx *Context) types.Datum) kernel {
	return func(ctx *Context, _ []operand, n int, ret types.T) (arrow.Array, error) {
		return constArray(ctx.Allocator(), ret, conv(ctx), n), nil
	}
}

// locFor is the zone a timestamp kind's arithmetic uses: the session zone for timestamptz, none
// (plain wall-clock arithmetic) for timestamp.
func locFor(ctx *Context, tz bool) *time.Location {
	if tz {
		return ctx.Loc()
	}
	return nil
}

func tsPlusInterval(tz, minus bool) datumFn {
	return func(ctx *Context, a []types.Datum) (types.Datum, error) {
		ts, iv := a[0].(types.TimestampValue), a[1].(types.IntervalValue)
		if minus {
			iv = types.IntervalNeg(iv)
		}
		return types.AddInterval(ts, iv, locFor(ctx, tz))
	}
}

func intervalPlusTs(tz bool) datumFn {
	return func(ctx *Context, a []types.Datum) (types.Datum, error) {
		return types.AddInterval(a[1].(types.TimestampValue), a[0].(types.IntervalValue), locFor(ctx, tz))
	}
}

func datePlusInterval(minus bool) datumFn {
	return func(_ *Context, a []types.Datum) (types.Datum, error) {
		iv := a[1].(types.IntervalValue)
		if minus {
			iv = types.IntervalNeg(iv)
		}
		return types.AddInterval(types.DateToTimestamp(a[0].(types.DateValue)), iv, nil)
	}
}

func extractFn(float bool, t types.T) datumFn {
	return func(ctx *Context, a []types.Datum) (types.Datum, error) {
		v, err := types.Extract(strings.ToLower(a[0].(string)), a[1], t, ctx.Loc())
		if err != nil {
			return nil, err
		}
		if float {
			return v.Float64(), nil
		}
		return v, nil
	}
}

func dateTruncFn(t types.T) datumFn {
	return func(ctx *Context, a []types.Datum) (types.Datum, error) {
		return types.DateTrunc(strings.ToLower(a[0].(string)), a[1], t, ctx.Loc())
	}
}

func init() {
	d, ts, tstz, iv := types.Date, types.Timestamp, types.TimestampTZ, types.Interval
	row := func(f datumFn) kernel { return rowKernel(false, f) }
	nowTZ := nowKernel(func(ctx *Context) types.Datum { return ctx.Now })
	for _, name := range []string{"now", "current_timestamp", "transaction_timestamp", "statement_timestamp"} {
		register(name, sig(types.TimestampTZT, nowTZ))
	}
	register("localtimestamp", sig(types.TimestampT, nowKernel(func(ctx *Context) types.Datum {
		return types.TimestampTZToLocal(ctx.Now, ctx.Loc())
	})))
	register("current_date", sig(types.DateT, nowKernel(func(ctx *Context) types.Datum {
		return types.TimestampToDate(types.TimestampTZToLocal(ctx.Now, ctx.Loc()))
	})))

	// date ± integer, date - date
	register("+",
		sig(types.DateT, row(func(_ *Context, a []types.Datum) (types.Datum, error) {
			return types.DateAddDays(a[0].(types.DateValue), a[1].(int64))
		}), d, types.Int32),
		sig(types.DateT, row(func(_ *Context, a []types.Datum) (types.Datum, error) {
			return types.DateAddDays(a[1].(types.DateValue), a[0].(int64))
		}), types.Int32, d))
	register("-",
		sig(types.DateT, row(func(_ *Context, a []types.Datum) (types.Datum, error) {
			return types.DateAddDays(a[0].(types.DateValue), -a[1].(int64))
		}), d, types.Int32),
		sig(types.Int32T, row(func(_ *Context, a []types.Datum) (types.Datum, error) {
			x, y := a[0].(types.DateValue), a[1].(types.DateValue)
			if !x.IsFinite() || !y.IsFinite() {
				return nil, errDateInfinite
			}
			return int64(x) - int64(y), nil
		}), d, d))

	// date/timestamp ± interval
	register("+",
		sig(types.TimestampT, row(datePlusInterval(false)), d, iv),
		sig(types.TimestampT, row(func(c *Context, a []types.Datum) (types.Datum, error) {
			return datePlusInterval(false)(c, []types.Datum{a[1], a[0]})
		}), iv, d),
		sig(types.TimestampT, row(tsPlusInterval(false, false)), ts, iv),
		sig(types.TimestampTZT, row(tsPlusInterval(true, false)), tstz, iv),
		sig(types.TimestampT, row(intervalPlusTs(false)), iv, ts),
		sig(types.TimestampTZT, row(intervalPlusTs(true)), iv, tstz),
		sig(types.IntervalT, row(func(_ *Context, a []types.Datum) (types.Datum, error) {
			return types.IntervalAdd(a[0].(types.IntervalValue), a[1].(types.IntervalValue))
		}), iv, iv))
	diff := row(func(_ *Context, a []types.Datum) (types.Datum, error) {
		x, y := a[0].(types.TimestampValue), a[1].(types.TimestampValue)
		if !x.IsFinite() || !y.IsFinite() {
			return nil, errTimestampInfinite
		}
		return types.TimestampDiff(x, y), nil
	})
	register("-",
		sig(types.TimestampT, row(datePlusInterval(true)), d, iv),
		sig(types.TimestampT, row(tsPlusInterval(false, true)), ts, iv),
		sig(types.TimestampTZT, row(tsPlusInterval(true, true)), tstz, iv),
		sig(types.IntervalT, diff, ts, ts),
		sig(types.IntervalT, diff, tstz, tstz),
		sig(types.IntervalT, row(func(_ *Context, a []types.Datum) (types.Datum, error) {
			return types.IntervalSub(a[0].(types.IntervalValue), a[1].(types.IntervalValue))
		}), iv, iv))
	register("u-", sig(types.IntervalT, row(func(_ *Context, a []types.Datum) (types.Datum, error) {
		return types.IntervalNeg(a[0].(types.IntervalValue)), nil
	}), iv))
	register("u+", sig(types.IntervalT, identityKernel, iv))
	register("*",
		sig(types.IntervalT, row(func(_ *Context, a []types.Datum) (types.Datum, error) {
			return types.IntervalMul(a[0].(types.IntervalValue), a[1].(float64))
		}), iv, types.Float64),
		sig(types.IntervalT, row(func(_ *Context, a []types.Datum) (types.Datum, error) {
			return types.IntervalMul(a[1].(types.IntervalValue), a[0].(float64))
		}), types.Float64, iv))
	register("/", sig(types.IntervalT, row(func(_ *Context, a []types.Datum) (types.Datum, error) {
		return types.IntervalDiv(a[0].(types.IntervalValue), a[1].(float64))
	}), iv, types.Float64))

	for _, k := range []types.Kind{d, ts, tstz, iv} {
		t := types.T{Kind: k}
		register("extract", sig(types.NumericT, row(extractFn(false, t)), txt, k))
		register("date_part", sig(types.Float64T, row(extractFn(true, t)), txt, k))
	}
	for _, k := range []types.Kind{ts, tstz, iv} {
		t := types.T{Kind: k}
		register("date_trunc", sig(t, row(dateTruncFn(t)), txt, k))
	}
}

var (
	errDateInfinite      = sqlerr.New("22008", "cannot subtract infinite dates")
	errTimestampInfinite = sqlerr.New("22008", "cannot subtract infinite timestamps")
)
