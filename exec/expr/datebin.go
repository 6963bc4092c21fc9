package expr

import (
	"math/bits"

	"github.com/apache/arrow-go/v18/arrow"

	"github.com/runnel-db/runnel/exec/sqlerr"
	"github.com/runnel-db/runnel/exec/types"
)

var (
	errBinMonths  = sqlerr.New(sqlerr.FeatureNotSupported, "timestamps cannot be binned into intervals containing months or years")
	errBinStride  = sqlerr.New(sqlerr.DatetimeFieldOverflow, "stride must be greater than zero")
	errBinOutside = sqlerr.New(sqlerr.DatetimeFieldOverflow, "timestamp out of range")
	errIvOutside  = sqlerr.New(sqlerr.DatetimeFieldOverflow, "interval out of range")
)

// dateBin is PostgreSQL 15's date_bin(stride, source, origin): the start of the stride-wide bin,
// aligned with origin, that contains source. Timestamps with and without time zone bin the same
// way (the stride is a fixed number of microseconds).
func dateBin(stride types.IntervalValue, ts, origin types.TimestampValue) (types.TimestampValue, error) {
	if stride.Months != 0 {
		return 0, errBinMonths
	}
	hi, lo := bits.Mul64(uint64(abs64(int64(stride.Days))), 86_400_000_000)
	strideUs := int64(lo) + stride.Micros
	if hi != 0 || int64(lo) < 0 || (stride.Micros > 0 && strideUs < 0) {
		return 0, errIvOutside
	}
	if stride.Days < 0 {
		strideUs = stride.Micros - int64(lo)
	}
	if strideUs <= 0 {
		return 0, errBinStride
	}
	if !ts.IsFinite() {
		return ts, nil
	}
	diff := int64(ts) - int64(origin)
	if (int64(ts)^int64(origin))&(int64(ts)^diff) < 0 {
		return 0, errBinOutside
	}
	delta := diff - diff%strideUs
	if diff < 0 && diff%strideUs != 0 {
		delta -= strideUs
	}
	r := int64(origin) + delta
	if (delta > 0 && r < int64(origin)) || (delta < 0 && r > int64(origin)) || !types.TimestampValue(r).IsFinite() {
		return 0, errBinOutside
	}
	return types.TimestampValue(r), nil
}

// dateBinKernel is date_bin over typed buffers (TUMBLE windows call it per row).
func dateBinKernel(ctx *Context, args []operand, n int, ret types.T) (arrow.Array, error) {
	mem := ctx.Allocator()
	mask := combineValidity(mem, n, args...)
	stride, src, origin := ivAcc(args[0]), tsAcc(args[1]), tsAcc(args[2])
	out := tsSink(mem, n)
	for i := 0; i < n; i++ {
		if !mask.valid(i) {
			continue
		}
		r, err := dateBin(stride(i), src(i), origin(i))
		if err != nil {
			mask.release()
			out.buf.Release()
			return nil, err
		}
		out.put(i, r)
	}
	return finish(ret.ArrowType(), n, mask, out.buf), nil
}

func abs64(x int64) int64 {
	if x < 0 {
		return -x
	}
	return x
}

func init() {
	for _, k := range []types.Kind{types.Timestamp, types.TimestampTZ} {
		t := types.T{Kind: k}
		register("date_bin", sig(t, dateBinKernel, types.Interval, k, k))
	}
}
