package expr

import (
	"encoding/json"
	"math"
	"strconv"

	"github.com/apache/arrow-go/v18/arrow"

	"github.com/runnel-db/runnel/exec/sqlerr"
	"github.com/runnel-db/runnel/exec/types"
)

// to_jsonb(x) and json_build_object(k1, v1, ...). Runnel's json is jsonb (the type name json resolves to jsonb),
// so the object is a jsonb: keys sorted and deduplicated (the last one wins), printed as jsonb
// prints, where PostgreSQL's json keeps the arguments' order and spacing ({"a" : 1}).

func init() {
	k := func(ctx *Context, args []operand, n int, ret types.T) (arrow.Array, error) {
		if len(args)%2 != 0 {
			return nil, &sqlerr.Error{Code: sqlerr.InvalidParameterValue, Message: "argument list must have even number of elements",
				Hint: "The arguments of json_build_object() must consist of alternating keys and values."}
		}
		b := types.NewBuilder(ctx.Allocator(), ret)
		defer b.Release()
		b.Reserve(n)
		for i := 0; i < n; i++ {
			doc := []byte{'{'}
			for j := 0; j < len(args); j += 2 {
				key := args[j].datum(i)
				if key == nil {
					return nil, sqlerr.New("22004", "null value not allowed for object key")
				}
				if j > 0 {
					doc = append(doc, ',')
				}
				doc = appendJSONString(doc, string(types.AppendDatumText(nil, key, args[j].t, ctx.Loc())))
				doc = append(doc, ':')
				var err error
				if doc, err = appendJSONValue(doc, args[j+1].datum(i), args[j+1].t); err != nil {
					return nil, err
				}
			}
			doc = append(doc, '}')
			norm, err := types.NormalizeJSONB(string(doc))
			if err != nil {
				return nil, err
			}
			types.AppendDatum(b, norm)
		}
		return b.NewArray(), nil
	}
	toJSONB := func(ctx *Context, args []operand, n int, ret types.T) (arrow.Array, error) {
		b := types.NewBuilder(ctx.Allocator(), ret)
		defer b.Release()
		b.Reserve(n)
		for i := 0; i < n; i++ {
			d := args[0].datum(i)
			if d == nil {
				b.AppendNull()
				continue
			}
			doc, err := appendJSONValue(nil, d, args[0].t)
			if err != nil {
				return nil, err
			}
			norm, err := types.NormalizeJSONB(string(doc))
			if err != nil {
				return nil, err
			}
			types.AppendDatum(b, norm)
		}
		return b.NewArray(), nil
	}
	register("to_jsonb", &overload{args: []types.Kind{anyKind}, ret: types.JSONBT, kernel: toJSONB, lenient: true})
	register("json_build_object",
		&overload{args: nil, ret: types.JSONBT, kernel: k, lenient: true},
		&overload{args: []types.Kind{anyKind}, variadic: true, ret: types.JSONBT, kernel: k, lenient: true})
}

func appendJSONString(dst []byte, s string) []byte {
	q, _ := json.Marshal(s) // cannot fail for a string
	return append(dst, q...)
}

// appendJSONValue appends d as to_json would: numbers and booleans as such, jsonb as is, NULL as
// null, strings quoted.
func appendJSONValue(dst []byte, d types.Datum, t types.T) ([]byte, error) {
	if d == nil {
		return append(dst, "null"...), nil
	}
	switch {
	case t.Kind == types.Bool:
		return strconv.AppendBool(dst, d.(bool)), nil
	case t.IsInteger(), t.Kind == types.Numeric:
		return types.AppendDatumText(dst, d, t, nil), nil
	case t.IsFloat():
		if f := d.(float64); math.IsNaN(f) || math.IsInf(f, 0) {
			return appendJSONString(dst, string(types.AppendDatumText(nil, d, t, nil))), nil
		}
		return types.AppendDatumText(dst, d, t, nil), nil
	case t.Kind == types.JSONB:
		return append(dst, d.(string)...), nil
	case t.IsString(), t.Kind == types.Unknown:
		return appendJSONString(dst, d.(string)), nil
	}
	return nil, sqlerr.NotSupported("json_build_object of type " + t.String())
}
