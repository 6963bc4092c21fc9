package expr

import (
	"github.com/runnel-db/runnel/exec/sqlerr"
	"github.com/runnel-db/runnel/exec/types"
)

// arrayCall resolves the array functions and the operators applied to arrays; ok is false when
// name with these arguments is not one of them.
func arrayCall(name string, op bool, args []Expr) (Expr, bool, error) {
	hasArray := false
	for _, a := range args {
		if a.Type().IsRecord() {
			return nil, true, undefinedCall(name, op, exprTypes(args), false)
		}
		hasArray = hasArray || a.Type().Kind == types.Array
	}
	if op {
		if !hasArray || len(args) != 2 {
			return nil, false, nil
		}
		switch name {
		case "=", "<>", "<", "<=", ">", ">=":
			e, err := arrayCompare(name, args[0], args[1])
			return e, true, err
		case "||":
			e, err := arrayConcat(args[0], args[1])
			return e, true, err
		}
		return nil, true, undefinedCall(name, true, exprTypes(args), false)
	}
	fn, ok := arrayFuncs[name]
	if !ok {
		return nil, false, nil
	}
	e, err := fn(args)
	return e, true, err
}

var arrayFuncs = map[string]func(args []Expr) (Expr, error){
	"array_to_string": arrayToString,
	"array_upper":     func(args []Expr) (Expr, error) { return arrayDim("array_upper", args) },
	"array_lower":     func(args []Expr) (Expr, error) { return arrayDim("array_lower", args) },
	"array_length":    func(args []Expr) (Expr, error) { return arrayDim("array_length", args) },
	"cardinality":     cardinality,
	"array_cat": func(args []Expr) (Expr, error) {
		if len(args) != 2 || args[0].Type().Kind != types.Array && args[1].Type().Kind != types.Array {
			return nil, undefinedCall("array_cat", false, exprTypes(args), false)
		}
		return arrayConcat(args[0], args[1])
	},
	"array_append": func(args []Expr) (Expr, error) {
		if len(args) != 2 || args[0].Type().Kind != types.Array || args[1].Type().Kind == types.Array {
			return nil, undefinedCall("array_append", false, exprTypes(args), false)
		}
		elem, err := coerceTo(args[1], args[0].Type().ElemType(), castImplicit)
		if err != nil {
			return nil, undefinedCall("array_append", false, exprTypes(args), false)
		}
		return arrayConcat(args[0], elem)
	},
	"array_prepend": func(args []Expr) (Expr, error) {
		if len(args) != 2 || args[1].Type().Kind != types.Array || args[0].Type().Kind == types.Array {
			return nil, undefinedCall("array_prepend", false, exprTypes(args), false)
		}
		elem, err := coerceTo(args[0], args[1].Type().ElemType(), castImplicit)
		if err != nil {
			return nil, undefinedCall("array_prepend", false, exprTypes(args), false)
		}
		return arrayConcat(elem, args[1])
	},
	"current_schemas": currentSchemas,
}

// requireArray checks that args[0] is an array (an unknown literal cannot be: PostgreSQL cannot
// tell its element type either).
func requireArray(name string, args []Expr, arities ...int) error {
	okArity := false
	for _, n := range arities {
		okArity = okArity || len(args) == n
	}
	if !okArity || args[0].Type().Kind != types.Array {
		return undefinedCall(name, false, exprTypes(args), false)
	}
	return nil
}

func arrayToString(args []Expr) (Expr, error) {
	if err := requireArray("array_to_string", args, 2, 3); err != nil {
		return nil, err
	}
	at := args[0].Type()
	cargs := []Expr{args[0]}
	for _, a := range args[1:] {
		c, err := coerceTo(a, types.TextT, castImplicit)
		if err != nil {
			return nil, undefinedCall("array_to_string", false, exprTypes(args), false)
		}
		cargs = append(cargs, c)
	}
	et := at.ElemType()
	return foldRow(&rowExpr{name: "array_to_string", args: cargs, ret: types.TextT, lenient: true,
		fn: func(ctx *Context, row []types.Datum) (types.Datum, error) {
			if row[0] == nil || row[1] == nil {
				return nil, nil
			}
			sep := row[1].(string)
			var null *string
			if len(row) == 3 && row[2] != nil {
				s := row[2].(string)
				null = &s
			}
			var out []byte
			first := true
			for _, d := range row[0].(types.ArrayValue) {
				if d == nil && null == nil {
					continue
				}
				if !first {
					out = append(out, sep...)
				}
				first = false
				if d == nil {
					out = append(out, *null...)
				} else {
					out = types.AppendDatumText(out, d, et, ctx.Loc())
				}
			}
			return string(out), nil
		}})
}

// arrayDim is array_upper, array_lower and array_length: NULL for an empty array or a dimension
// other than 1.
func arrayDim(name string, args []Expr) (Expr, error) {
	if err := requireArray(name, args, 2); err != nil {
		return nil, err
	}
	dim, err := coerceTo(args[1], types.Int32T, castImplicit)
	if err != nil {
		return nil, undefinedCall(name, false, exprTypes(args), false)
	}
	lb := args[0].Type().LowerBound()
	return foldRow(&rowExpr{name: name, args: []Expr{args[0], dim}, ret: types.Int32T,
		fn: func(_ *Context, row []types.Datum) (types.Datum, error) {
			a := row[0].(types.ArrayValue)
			if row[1].(int64) != 1 || len(a) == 0 {
				return nil, nil
			}
			switch name {
			case "array_upper":
				return lb + int64(len(a)) - 1, nil
			case "array_lower":
				return lb, nil
			}
			return int64(len(a)), nil
		}})
}

func cardinality(args []Expr) (Expr, error) {
	if err := requireArray("cardinality", args, 1); err != nil {
		return nil, err
	}
	return foldRow(&rowExpr{name: "cardinality", args: args, ret: types.Int32T,
		fn: func(_ *Context, row []types.Datum) (types.Datum, error) {
			return int64(len(row[0].(types.ArrayValue))), nil
		}})
}

// arrayConcat is ||, array_cat, array_append and array_prepend. A NULL array counts as empty.
func arrayConcat(a, b Expr) (Expr, error) {
	var err error
	if a, b, err = arrayOperands(a, b); err != nil {
		return nil, err
	}
	at, bt := a.Type(), b.Type()
	for _, t := range []types.T{at, bt} {
		if t.Kind == types.Array && t.LowerBound() != 1 {
			return nil, sqlerr.NotSupported("concatenating arrays whose lower bound is not 1")
		}
	}
	var res types.T
	var left, right func(types.Datum) types.ArrayValue
	asArray := func(d types.Datum) types.ArrayValue {
		if d == nil {
			return nil
		}
		return d.(types.ArrayValue)
	}
	asElem := func(d types.Datum) types.ArrayValue { return types.ArrayValue{d} }
	switch {
	case at.Kind == types.Array && bt.Kind == types.Array:
		res = at
		if at.ElemType() != bt.ElemType() {
			if b, err = coerceTo(b, at, castImplicit); err != nil {
				if a, err = coerceTo(a, bt, castImplicit); err != nil {
					return nil, undefinedCall("||", true, []types.T{at, bt}, false)
				}
				res = bt
			}
		}
		left, right = asArray, asArray
	case at.Kind == types.Array:
		res = at
		if b, err = coerceTo(b, at.ElemType(), castImplicit); err != nil {
			return nil, undefinedCall("||", true, []types.T{at, bt}, false)
		}
		left, right = asArray, asElem
	default:
		res = bt
		if a, err = coerceTo(a, bt.ElemType(), castImplicit); err != nil {
			return nil, undefinedCall("||", true, []types.T{at, bt}, false)
		}
		left, right = asElem, asArray
	}
	res.Flavor = types.PlainArray
	if res.ElemType().Reg == types.RegOID {
		res.Flavor = types.OidArray
	}
	return foldRow(&rowExpr{name: "array_cat", args: []Expr{a, b}, ret: res, lenient: true,
		fn: func(_ *Context, row []types.Datum) (types.Datum, error) {
			x, y := left(row[0]), right(row[1])
			if row[0] == nil && row[1] == nil {
				return nil, nil
			}
			return append(append(types.ArrayValue{}, x...), y...), nil
		}})
}

// currentSchemas is current_schemas(include_implicit): the search path's schemas, with
// pg_catalog first when include_implicit.
func currentSchemas(args []Expr) (Expr, error) {
	if len(args) != 1 {
		return nil, undefinedCall("current_schemas", false, exprTypes(args), false)
	}
	b, err := coerceTo(args[0], types.BoolT, castImplicit)
	if err != nil {
		return nil, undefinedCall("current_schemas", false, exprTypes(args), false)
	}
	return &rowExpr{name: "current_schemas", args: []Expr{b}, ret: types.TextArrayT,
		fn: func(ctx *Context, row []types.Datum) (types.Datum, error) {
			s := "public"
			if ctx != nil && ctx.Schema != "" {
				s = ctx.Schema
			}
			if row[0].(bool) && s != "pg_catalog" {
				return types.ArrayValue{"pg_catalog", s}, nil
			}
			return types.ArrayValue{s}, nil
		}}, nil
}
