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
		if ctx == nil {
			ctx = &Context{}
		}
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

	session := func(get func(ctx *Context) string) kernel {
		return nowKernel(func(ctx *Context) types.Datum { return get(ctx) })
	}
	register("current_user", sig(types.TextT, session(func(ctx *Context) string { return ctx.User })))
	register("session_user", sig(types.TextT, session(func(ctx *Context) string { return ctx.User })))
	register("current_database", sig(types.TextT, session(func(ctx *Context) string { return ctx.Database })))
	register("current_schema", sig(types.TextT, session(func(ctx *Context) string {
		if ctx.Schema == "" {
			return "public"
		}
		return ctx.Schema
	})))

	// date ± integer, date - date
	dateInt := typed2(dateAcc, intAcc, dateSink, func(_ *Context, x types.DateValue, k int64) (types.DateValue, error) {
		return types.DateAddDays(x, k)
	})
	dateMinusInt := typed2(dateAcc, intAcc, dateSink, func(_ *Context, x types.DateValue, k int64) (types.DateValue, error) {
		return types.DateAddDays(x, -k)
	})
	register("+", sig(types.DateT, dateInt, d, types.Int32), sig(types.DateT, swap2(dateInt), types.Int32, d))
	register("-",
		sig(types.DateT, dateMinusInt, d, types.Int32),
		sig(types.Int32T, typed2(dateAcc, dateAcc, i32Sink, func(_ *Context, x, y types.DateValue) (int64, error) {
			if !x.IsFinite() || !y.IsFinite() {
				return 0, errDateInfinite
			}
			return int64(x) - int64(y), nil
		}), d, d))

	// date/timestamp ± interval
	dateIv := func(minus bool) kernel {
		return typed2(dateAcc, ivAcc, tsSink, func(_ *Context, x types.DateValue, v types.IntervalValue) (types.TimestampValue, error) {
			if minus {
				v = types.IntervalNeg(v)
			}
			return types.AddInterval(types.DateToTimestamp(x), v, nil)
		})
	}
	tsIv := func(tz, minus bool) kernel {
		return typed2(tsAcc, ivAcc, tsSink, func(ctx *Context, x types.TimestampValue, v types.IntervalValue) (types.TimestampValue, error) {
			if minus {
				v = types.IntervalNeg(v)
			}
			return types.AddInterval(x, v, locFor(ctx, tz))
		})
	}
	ivIv := func(f func(a, b types.IntervalValue) (types.IntervalValue, error)) kernel {
		return typed2(ivAcc, ivAcc, ivSink, func(_ *Context, a, b types.IntervalValue) (types.IntervalValue, error) { return f(a, b) })
	}
	register("+",
		sig(types.TimestampT, dateIv(false), d, iv),
		sig(types.TimestampT, swap2(dateIv(false)), iv, d),
		sig(types.TimestampT, tsIv(false, false), ts, iv),
		sig(types.TimestampTZT, tsIv(true, false), tstz, iv),
		sig(types.TimestampT, swap2(tsIv(false, false)), iv, ts),
		sig(types.TimestampTZT, swap2(tsIv(true, false)), iv, tstz),
		sig(types.IntervalT, ivIv(types.IntervalAdd), iv, iv))
	diff := typed2(tsAcc, tsAcc, ivSink, func(_ *Context, x, y types.TimestampValue) (types.IntervalValue, error) {
		if !x.IsFinite() || !y.IsFinite() {
			return types.IntervalValue{}, errTimestampInfinite
		}
		return types.TimestampDiff(x, y), nil
	})
	register("-",
		sig(types.TimestampT, dateIv(true), d, iv),
		sig(types.TimestampT, tsIv(false, true), ts, iv),
		sig(types.TimestampTZT, tsIv(true, true), tstz, iv),
		sig(types.IntervalT, diff, ts, ts),
		sig(types.IntervalT, diff, tstz, tstz),
		sig(types.IntervalT, ivIv(types.IntervalSub), iv, iv))
	register("u-", sig(types.IntervalT, row(func(_ *Context, a []types.Datum) (types.Datum, error) {
		return types.IntervalNeg(a[0].(types.IntervalValue)), nil
	}), iv))
	register("u+", sig(types.IntervalT, identityKernel, iv))
	ivMul := typed2(ivAcc, f64Acc, ivSink, func(_ *Context, a types.IntervalValue, f float64) (types.IntervalValue, error) {
		return types.IntervalMul(a, f)
	})
	register("*", sig(types.IntervalT, ivMul, iv, types.Float64), sig(types.IntervalT, swap2(ivMul), types.Float64, iv))
	register("/", sig(types.IntervalT, typed2(ivAcc, f64Acc, ivSink, func(_ *Context, a types.IntervalValue, f float64) (types.IntervalValue, error) {
		return types.IntervalDiv(a, f)
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
