package exec

import (
	"strings"

	"github.com/apache/arrow-go/v18/arrow/memory"

	"github.com/runnel-db/runnel/exec/sqlerr"
	"github.com/runnel-db/runnel/exec/types"
)

// AggCall is one aggregate call of an Aggregate operator.
type AggCall struct {
	// Name is the lowercase aggregate name: count, sum, avg, min, max, bool_and, bool_or, every,
	// array_agg, string_agg.
	Name string
	// Arg is the input column aggregated; -1 for count(*).
	Arg int
	// ArgType is the type of column Arg.
	ArgType types.T
	// Distinct aggregates each distinct non-null value once (count(DISTINCT x)).
	Distinct bool
	// Filter is the index of a boolean input column (FILTER (WHERE ...)); -1 for none. Only
	// rows where it is true are aggregated.
	Filter int
	// ResultType is the output type, as ResolveAggregate returns it.
	ResultType types.T
	// Desc orders array_agg's elements descending (array_agg(x ORDER BY x DESC)), and
	// string_agg's.
	Desc bool
	// Sep is string_agg's delimiter (a constant).
	Sep string
}

// supportedAggregates are the aggregates Runnel computes incrementally.
var supportedAggregates = map[string]bool{"count": true, "sum": true, "avg": true, "min": true,
	"max": true, "bool_and": true, "bool_or": true, "every": true, "array_agg": true,
	"string_agg": true}

// otherAggregates are PostgreSQL aggregates Runnel recognizes but does not implement: using
// one is 0A000, not "function does not exist".
var otherAggregates = map[string]bool{"json_agg": true,
	"jsonb_agg": true, "json_object_agg": true, "jsonb_object_agg": true, "stddev": true,
	"stddev_pop": true, "stddev_samp": true, "variance": true, "var_pop": true, "var_samp": true,
	"bit_and": true, "bit_or": true, "bit_xor": true, "corr": true, "covar_pop": true,
	"covar_samp": true, "mode": true, "percentile_cont": true, "percentile_disc": true,
	"regr_avgx": true, "regr_avgy": true, "regr_count": true, "regr_intercept": true,
	"regr_r2": true, "regr_slope": true, "regr_sxx": true, "regr_sxy": true, "regr_syy": true,
	"xmlagg": true, "range_agg": true, "range_intersect_agg": true}

// IsAggregate reports whether name (lowercase) is an aggregate function, implemented or not.
func IsAggregate(name string) bool { return supportedAggregates[name] || otherAggregates[name] }

// ResolveAggregate returns the result type PostgreSQL gives aggregate name over argTypes, or
// a 42883 error when no such aggregate exists.
func ResolveAggregate(name string, argTypes []types.T) (types.T, error) {
	name = strings.ToLower(name)
	if name == "count" {
		if len(argTypes) <= 1 {
			return types.Int64T, nil
		}
		return types.T{}, undefinedAggregate(name, argTypes)
	}
	if otherAggregates[name] {
		return types.T{}, sqlerr.NotSupported("aggregate function " + name)
	}
	if len(argTypes) != 1 {
		return types.T{}, undefinedAggregate(name, argTypes)
	}
	t := argTypes[0]
	if t.Kind == types.Unknown && name != "bool_and" && name != "bool_or" && name != "every" {
		e := sqlerr.New(sqlerr.UndefinedFunction, "function %s(unknown) is not unique", name)
		e.Hint = "Could not choose a best candidate function. You might need to add explicit type casts."
		return types.T{}, e
	}
	switch name {
	case "sum":
		switch t.Kind {
		case types.Int16, types.Int32:
			return types.Int64T, nil
		case types.Int64, types.Numeric:
			return types.NumericT, nil
		case types.Float32:
			return types.Float32T, nil
		case types.Float64:
			return types.Float64T, nil
		case types.Interval:
			return types.IntervalT, nil
		}
	case "avg":
		switch t.Kind {
		case types.Int16, types.Int32, types.Int64, types.Numeric:
			return types.NumericT, nil
		case types.Float32, types.Float64:
			return types.Float64T, nil
		case types.Interval:
			return types.IntervalT, nil
		}
	case "min", "max":
		switch t.Kind {
		case types.Int16, types.Int32, types.Int64, types.Float32, types.Float64, types.Text,
			types.Date, types.Timestamp, types.TimestampTZ, types.Interval:
			return types.T{Kind: t.Kind}, nil
		case types.Numeric:
			return types.NumericT, nil
		case types.Varchar:
			return types.TextT, nil
		}
	case "bool_and", "bool_or", "every":
		if t.Kind == types.Bool || t.Kind == types.Unknown {
			return types.BoolT, nil
		}
	case "string_agg":
		if t.IsString() || t.Kind == types.Unknown {
			return types.TextT, nil
		}
	case "array_agg":
		if at, ok := types.ArrayOf(t); ok {
			return at, nil
		}
		if t.Kind == types.Array {
			return types.T{}, sqlerr.NotSupported("array_agg of arrays")
		}
	}
	return types.T{}, undefinedAggregate(name, argTypes)
}

func undefinedAggregate(name string, argTypes []types.T) error {
	names := make([]string, len(argTypes))
	for i, t := range argTypes {
		names[i] = t.String()
	}
	e := sqlerr.New(sqlerr.UndefinedFunction, "function %s(%s) does not exist", name, strings.Join(names, ", "))
	e.Hint = "No function matches the given name and argument types. You might need to add explicit type casts."
	return e
}

// newAccumulator builds the accumulator for call a.
func newAccumulator(mem memory.Allocator, a AggCall) (accumulator, error) {
	var argTypes []types.T
	if a.Arg >= 0 {
		argTypes = []types.T{a.ArgType}
	}
	rt, err := ResolveAggregate(a.Name, argTypes)
	if err != nil {
		return nil, err
	}
	var acc accumulator
	switch name := strings.ToLower(a.Name); {
	case name == "count":
		acc = &countAcc{star: a.Arg < 0}
	case name == "sum" || name == "avg":
		avg := name == "avg"
		switch a.ArgType.Kind {
		case types.Int16, types.Int32, types.Int64:
			acc = &intSumAcc{avg: avg, out: rt}
		case types.Numeric:
			acc = &numericSumAcc{avg: avg}
		case types.Float32, types.Float64:
			acc = &floatSumAcc{avg: avg, out: rt}
		case types.Interval:
			acc = &intervalSumAcc{avg: avg}
		}
	case name == "min" || name == "max":
		acc = &minMaxAcc{max: name == "max"}
	case name == "array_agg":
		acc = &arrayAggAcc{desc: a.Desc, arg: a.ArgType}
	case name == "string_agg":
		acc = &stringAggAcc{arrayAggAcc: arrayAggAcc{desc: a.Desc, arg: a.ArgType}, sep: a.Sep}
	default: // bool_and, bool_or, every
		acc = &boolAcc{or: name == "bool_or"}
	}
	if a.Distinct && a.Arg >= 0 {
		acc = &distinctAcc{inner: acc, mem: mem}
	}
	return acc, nil
}
