package expr

import (
	"strings"
	"time"

	"github.com/apache/arrow-go/v18/arrow"

	"github.com/runnel-db/runnel/exec/sqlerr"
	"github.com/runnel-db/runnel/exec/types"
)

// loadZone resolves a time zone name as PostgreSQL's timezone() does for IANA names (UTC and GMT
// in any case).
func loadZone(name string) (*time.Location, error) {
	if strings.EqualFold(name, "utc") || strings.EqualFold(name, "gmt") || strings.EqualFold(name, "z") {
		return time.UTC, nil
	}
	loc, err := time.LoadLocation(name)
	if err != nil || name == "" || name == "Local" {
		return nil, sqlerr.New(sqlerr.InvalidParameterValue, "time zone %q not recognized", name)
	}
	return loc, nil
}

// timezoneKernel is timezone(zone, ts) — `ts AT TIME ZONE zone`: a timestamptz becomes the wall
// time in zone (timestamp); a timestamp is read as wall time in zone (timestamptz).
func timezoneKernel(fromTZ bool) kernel {
	return func(ctx *Context, args []operand, n int, ret types.T) (arrow.Array, error) {
		zones := map[string]*time.Location{} // per call: kernels are shared by concurrent evaluations
		sr := newStringReader(args[0])
		k := typed2(func(operand) func(int) string { return sr.at }, tsAcc, tsSink,
			func(_ *Context, zone string, ts types.TimestampValue) (types.TimestampValue, error) {
				loc := zones[zone]
				if loc == nil {
					var err error
					if loc, err = loadZone(zone); err != nil {
						return 0, err
					}
					zones[zone] = loc
				}
				if fromTZ {
					return types.TimestampTZToLocal(ts, loc), nil
				}
				return types.TimestampLocalToTZ(ts, loc), nil
			})
		return k(ctx, args, n, ret)
	}
}

// timezoneIntervalKernel is timezone(interval, ts): a fixed UTC offset (east positive).
func timezoneIntervalKernel(fromTZ bool) kernel {
	return typed2(ivAcc, tsAcc, tsSink, func(_ *Context, iv types.IntervalValue, ts types.TimestampValue) (types.TimestampValue, error) {
		if iv.Months != 0 || iv.Days != 0 {
			return 0, sqlerr.New(sqlerr.InvalidParameterValue, "interval time zone \"%s\" must not include months or days",
				types.AppendInterval(nil, iv))
		}
		if !ts.IsFinite() {
			return ts, nil
		}
		if fromTZ {
			return ts + types.TimestampValue(iv.Micros), nil
		}
		return ts - types.TimestampValue(iv.Micros), nil
	})
}

func init() {
	register("timezone",
		sig(types.TimestampT, timezoneIntervalKernel(true), types.Interval, types.TimestampTZ),
		sig(types.TimestampTZT, timezoneIntervalKernel(false), types.Interval, types.Timestamp))
	register("timezone",
		sig(types.TimestampT, timezoneKernel(true), types.Text, types.TimestampTZ),
		sig(types.TimestampTZT, timezoneKernel(false), types.Text, types.Timestamp))
	register("clock_timestamp", sig(types.TimestampTZT, nowKernel(func(*Context) types.Datum {
		return types.TimestampFromTime(time.Now())
	})))
}
