package expr

import (
	"bytes"
	"math"
	"time"

	"github.com/apache/arrow-go/v18/arrow"
	"github.com/apache/arrow-go/v18/arrow/array"

	"github.com/runnel-db/runnel/exec/sqlerr"
	"github.com/runnel-db/runnel/exec/types"
)

// to_json, to_jsonb, json_build_object, jsonb_build_object, json_build_array and
// jsonb_build_array: SQL values as JSON, the way PostgreSQL's datum_to_json renders them. The
// json forms keep PostgreSQL's json layout ({"a" : 1, "b" : 2}); the jsonb forms normalize it.

func init() {
	anyArg := []types.Kind{anyKind}
	register("to_json", &overload{args: anyArg, ret: types.JSONT, kernel: jsonBuildKernel(jsonValue, false), lenient: true})
	register("to_jsonb", &overload{args: anyArg, ret: types.JSONBT, kernel: jsonBuildKernel(jsonValue, true), lenient: true})
	for _, f := range []struct {
		name   string
		build  jsonBuilder
		normal bool
	}{
		{"json_build_object", jsonObject(false), false}, {"jsonb_build_object", jsonObject(true), true},
		{"json_build_array", jsonArray, false}, {"jsonb_build_array", jsonArray, true},
	} {
		ret := types.JSONT
		if f.normal {
			ret = types.JSONBT
		}
		k := jsonBuildKernel(f.build, f.normal)
		register(f.name, &overload{ret: ret, kernel: k},
			&overload{args: anyArg, variadic: true, ret: ret, kernel: k, lenient: true})
	}
}

// jsonBuilder appends the JSON built from row i of args; null reports a SQL NULL result.
type jsonBuilder func(dst []byte, args []operand, i int, loc *time.Location) (out []byte, null bool, err error)

// jsonBuildKernel runs build per row; normal makes the result jsonb (normalized).
func jsonBuildKernel(build jsonBuilder, normal bool) kernel {
	return func(ctx *Context, args []operand, n int, _ types.T) (arrow.Array, error) {
		b := array.NewStringBuilder(ctx.Allocator())
		defer b.Release()
		b.Reserve(n)
		loc := ctx.Loc()
		var scratch []byte
		for i := 0; i < n; i++ {
			var null bool
			var err error
			scratch, null, err = build(scratch[:0], args, i, loc)
			if err != nil {
				return nil, err
			}
			if null {
				b.AppendNull()
				continue
			}
			if normal {
				s, err := types.NormalizeJSONB(string(scratch))
				if err != nil {
					return nil, err
				}
				b.Append(s)
				continue
			}
			b.BinaryBuilder.Append(scratch)
		}
		return b.NewArray(), nil
	}
}

// jsonValue is to_json: NULL for NULL (the function is strict).
func jsonValue(dst []byte, args []operand, i int, loc *time.Location) ([]byte, bool, error) {
	if !args[0].valid(i) {
		return dst, true, nil
	}
	out, err := appendJSONValue(dst, args[0], i, loc)
	return out, false, err
}

// jsonObject is json_build_object, or jsonb_build_object (whose errors word it differently).
func jsonObject(jsonb bool) jsonBuilder {
	return func(dst []byte, args []operand, i int, loc *time.Location) ([]byte, bool, error) {
		return buildJSONObject(dst, args, i, loc, jsonb)
	}
}

func buildJSONObject(dst []byte, args []operand, i int, loc *time.Location, jsonb bool) ([]byte, bool, error) {
	if len(args)%2 != 0 {
		e := sqlerr.New(sqlerr.InvalidParameterValue, "argument list must have even number of elements")
		e.Hint = "The arguments of json_build_object() must consist of alternating keys and values."
		if jsonb {
			e.Hint = "The arguments of jsonb_build_object() must consist of alternating keys and values."
		}
		return nil, false, e
	}
	dst = append(dst, '{')
	for k := 0; k < len(args); k += 2 {
		if k > 0 {
			dst = append(dst, ", "...)
		}
		if !args[k].valid(i) {
			if jsonb {
				return nil, false, sqlerr.New(sqlerr.InvalidParameterValue, "argument %d: key must not be null", k+1)
			}
			e := sqlerr.New(sqlerr.InvalidParameterValue, "argument %d cannot be null", k+1)
			e.Hint = "Object keys should be text."
			return nil, false, e
		}
		dst = types.AppendJSONString(dst, string(appendCastText(nil, args[k], i, loc)))
		dst = append(dst, " : "...)
		var err error
		if dst, err = appendJSONValue(dst, args[k+1], i, loc); err != nil {
			return nil, false, err
		}
	}
	return append(dst, '}'), false, nil
}

func jsonArray(dst []byte, args []operand, i int, loc *time.Location) ([]byte, bool, error) {
	dst = append(dst, '[')
	for k := range args {
		if k > 0 {
			dst = append(dst, ", "...)
		}
		var err error
		if dst, err = appendJSONValue(dst, args[k], i, loc); err != nil {
			return nil, false, err
		}
	}
	return append(dst, ']'), false, nil
}

// appendJSONValue appends row i of o as JSON: null, numbers and booleans bare (NaN and the
// infinities as strings), json and jsonb as they are, dates and timestamps in ISO 8601, the rest
// as JSON strings of their text output.
func appendJSONValue(dst []byte, o operand, i int, loc *time.Location) ([]byte, error) {
	if !o.valid(i) {
		return append(dst, "null"...), nil
	}
	switch o.t.Kind {
	case types.Bool, types.Int16, types.Int32, types.Int64, types.Numeric:
		return appendCastText(dst, o, i, loc), nil
	case types.Float32, types.Float64:
		if f, _ := o.datum(i).(float64); math.IsNaN(f) || math.IsInf(f, 0) {
			return types.AppendJSONString(dst, string(appendCastText(nil, o, i, loc))), nil
		}
		return appendCastText(dst, o, i, loc), nil
	case types.JSON, types.JSONB:
		return appendCastText(dst, o, i, loc), nil
	case types.Date, types.Timestamp, types.TimestampTZ:
		return types.AppendJSONString(dst, string(isoTimestamp(appendCastText(nil, o, i, loc), o.t.Kind))), nil
	case types.Text, types.Varchar, types.Unknown, types.Interval:
		return types.AppendJSONString(dst, string(appendCastText(nil, o, i, loc))), nil
	}
	return nil, sqlerr.NotSupported("JSON of type " + o.t.String())
}

// isoTimestamp turns PostgreSQL's ISO text output of a date or timestamp into JSON's ISO 8601
// form: a T between date and time, and a time zone offset with minutes (+00 → +00:00).
func isoTimestamp(s []byte, k types.Kind) []byte {
	if k == types.Date {
		return s
	}
	if sp := bytes.IndexByte(s, ' '); sp >= 0 {
		s[sp] = 'T'
	}
	if k == types.TimestampTZ {
		// The offset is the last +hh or -hh[:mm[:ss]] after the time.
		if j := bytes.LastIndexAny(s, "+-"); j > bytes.IndexByte(s, 'T') && len(s)-j == 3 {
			s = append(s, ":00"...)
		}
	}
	return s
}
