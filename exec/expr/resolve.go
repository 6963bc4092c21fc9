package expr

import (
	"strings"

	"github.com/runnel-db/runnel/exec/sqlerr"
	"github.com/runnel-db/runnel/exec/types"
)

// anyKind stands for PostgreSQL's anynonarray pseudo-type in function signatures: it accepts an
// argument of any type as is (an unknown literal becomes text).
const anyKind types.Kind = 255

// category is PostgreSQL's pg_type.typcategory, which drives overload resolution.
func category(k types.Kind) byte {
	switch k {
	case types.Bool:
		return 'B'
	case types.Int16, types.Int32, types.Int64, types.Float32, types.Float64, types.Numeric:
		return 'N'
	case types.Text, types.Varchar:
		return 'S'
	case types.Date, types.Timestamp, types.TimestampTZ:
		return 'D'
	case types.Interval:
		return 'T'
	case types.JSONB, types.JSON:
		return 'U'
	case anyKind:
		return 'P'
	}
	return 'X'
}

// preferred reports pg_type.typispreferred.
func preferred(k types.Kind) bool {
	switch k {
	case types.Bool, types.Float64, types.Text, types.TimestampTZ, types.Interval:
		return true
	}
	return false
}

// castLevel is how freely a cast may be applied: PostgreSQL's castcontext.
type castLevel int

const (
	castNone castLevel = iota
	castExplicit
	castAssignment
	castImplicit
)

// castContext returns the most permissive context in which from may be cast to to.
func castContext(from, to types.Kind) castLevel {
	if from == to || from == types.Unknown {
		return castImplicit
	}
	if to == anyKind {
		return castImplicit
	}
	num := func(k types.Kind) int {
		switch k {
		case types.Int16:
			return 1
		case types.Int32:
			return 2
		case types.Int64:
			return 3
		case types.Numeric:
			return 4
		case types.Float32:
			return 5
		case types.Float64:
			return 6
		}
		return 0
	}
	if nf, nt := num(from), num(to); nf > 0 && nt > 0 {
		switch {
		case nf <= 3 && nt > nf: // integers widen to bigger integers, numeric, floats
			return castImplicit
		case nf == 4 && nt >= 5, nf == 5 && nt == 6:
			return castImplicit
		}
		return castAssignment
	}
	if (from == types.Text && to == types.Varchar) || (from == types.Varchar && to == types.Text) {
		return castImplicit
	}
	if (from == types.JSON && to == types.JSONB) || (from == types.JSONB && to == types.JSON) {
		return castAssignment
	}
	switch {
	case from == types.Date && (to == types.Timestamp || to == types.TimestampTZ):
		return castImplicit
	case from == types.Timestamp && to == types.TimestampTZ:
		return castImplicit
	case (from == types.Timestamp || from == types.TimestampTZ) && (to == types.Date || to == types.Timestamp):
		return castAssignment
	case (from == types.Int32 && to == types.Bool) || (from == types.Bool && to == types.Int32):
		return castExplicit
	case to == types.Text || to == types.Varchar: // I/O conversion to a string type
		return castAssignment
	case from == types.Text || from == types.Varchar: // I/O conversion from a string type
		return castExplicit
	case from == types.JSONB && (to == types.Bool || num(to) > 0):
		return castExplicit
	}
	return castNone
}

// canImplicit reports whether an argument of kind from can be implicitly coerced to kind to.
func canImplicit(from, to types.Kind) bool { return castContext(from, to) == castImplicit }

// overload is one signature of a function or operator.
type overload struct {
	args []types.Kind
	// variadic means the last arg kind repeats (at least once).
	variadic bool
	// ret is the result type; retFn (when set) computes it from the coerced argument types.
	ret   types.T
	retFn func(args []types.T) types.T
	// kernelArgs, when set, are the kinds the kernel wants: arguments are coerced to them
	// (e.g. float4 + float8 runs the float8 kernel).
	kernelArgs []types.Kind
	kernel     kernel
	// lenient kernels see NULL arguments; others are strict (NULL in, NULL out) by construction.
	lenient bool
	// regs, when set, are the object identifier types of the arguments: a string literal passed
	// for one is read by its input function ('orders' for a regclass is the table's oid).
	regs []types.RegKind
}

func (o *overload) argKind(i int) types.Kind {
	if i >= len(o.args) {
		return o.args[len(o.args)-1]
	}
	return o.args[i]
}

func (o *overload) arity(n int) bool {
	if o.variadic {
		return n >= len(o.args)
	}
	return n == len(o.args)
}

// resolveOverload picks the signature PostgreSQL would (func_select_candidate, simplified to our
// types), or returns nil when none or more than one fits.
func resolveOverload(cands []*overload, argTypes []types.T) (*overload, bool) {
	var fit []*overload
	for _, c := range cands {
		if !c.arity(len(argTypes)) {
			continue
		}
		ok := true
		for i, at := range argTypes {
			if !canImplicit(at.Kind, c.argKind(i)) {
				ok = false
				break
			}
		}
		if ok {
			fit = append(fit, c)
		}
	}
	if len(fit) <= 1 {
		return first(fit), len(fit) == 1
	}
	// A binary operator with one unknown side: try an exact match with the other side's type.
	if len(argTypes) == 2 && (argTypes[0].Kind == types.Unknown) != (argTypes[1].Kind == types.Unknown) {
		known := argTypes[0].Kind
		if known == types.Unknown {
			known = argTypes[1].Kind
		}
		for _, c := range fit {
			if c.argKind(0) == known && c.argKind(1) == known {
				return c, true
			}
		}
	}
	// Exact matches on known arguments.
	fit = keepMax(fit, func(c *overload) int {
		k := 0
		for i, at := range argTypes {
			if at.Kind == c.argKind(i) {
				k++
			}
		}
		return k
	})
	if len(fit) == 1 {
		return fit[0], true
	}
	// Preferred types (of the argument's own category) where coercion is needed.
	fit = keepMax(fit, func(c *overload) int {
		k := 0
		for i, at := range argTypes {
			want := c.argKind(i)
			if at.Kind != types.Unknown && at.Kind != want && preferred(want) && category(want) == category(at.Kind) {
				k++
			}
		}
		return k
	})
	if len(fit) == 1 {
		return fit[0], true
	}
	// Unknown arguments: prefer the string category, then preferred types within the category.
	for i, at := range argTypes {
		if at.Kind != types.Unknown {
			continue
		}
		cat := byte(0)
		for _, c := range fit {
			if category(c.argKind(i)) == 'S' {
				cat = 'S'
				break
			}
		}
		if cat == 0 {
			cat = category(fit[0].argKind(i))
			for _, c := range fit {
				if category(c.argKind(i)) != cat {
					return nil, false // conflicting categories: ambiguous
				}
			}
		}
		var keep []*overload
		for _, c := range fit {
			if category(c.argKind(i)) == cat {
				keep = append(keep, c)
			}
		}
		fit = keep
		var pref []*overload
		for _, c := range fit {
			if preferred(c.argKind(i)) {
				pref = append(pref, c)
			}
		}
		if len(pref) > 0 {
			fit = pref
		}
	}
	if len(fit) == 1 {
		return fit[0], true
	}
	// All known arguments of one type: assume the unknown ones are of that type too.
	var known types.Kind
	same := true
	for _, at := range argTypes {
		if at.Kind == types.Unknown {
			continue
		}
		if known == types.Unknown {
			known = at.Kind
		} else if at.Kind != known {
			same = false
		}
	}
	if same && known != types.Unknown {
		var keep []*overload
		for _, c := range fit {
			ok := true
			for i, at := range argTypes {
				if at.Kind == types.Unknown && !canImplicit(known, c.argKind(i)) {
					ok = false
				}
			}
			if ok {
				keep = append(keep, c)
			}
		}
		if len(keep) == 1 {
			return keep[0], true
		}
	}
	return nil, false
}

func first(c []*overload) *overload {
	if len(c) == 0 {
		return nil
	}
	return c[0]
}

func keepMax(cands []*overload, score func(*overload) int) []*overload {
	best := -1
	var out []*overload
	for _, c := range cands {
		s := score(c)
		switch {
		case s > best:
			best = s
			out = append(out[:0:0], c)
		case s == best:
			out = append(out, c)
		}
	}
	return out
}

// CommonType resolves the type of a set of expressions that must agree (UNION, CASE, COALESCE,
// IN, VALUES) as PostgreSQL's select_common_type does: all unknown → text; otherwise the first
// known type, moved to any later type that it implicitly converts to (and not back), preferring
// preferred types. Mismatched categories fail with 42804 "<context> types X and Y cannot be
// matched".
func CommonType(ts []types.T, context string) (types.T, error) {
	var res types.T
	found := false
	for _, t := range ts {
		if t.Kind == types.Unknown {
			continue
		}
		if !found {
			res, found = t, true
			continue
		}
		if t.Kind == res.Kind {
			if t != res {
				res = types.T{Kind: t.Kind} // differing typmods: drop them
			}
			continue
		}
		if category(t.Kind) != category(res.Kind) {
			return types.T{}, sqlerr.New(sqlerr.DatatypeMismatch, "%s types %s and %s cannot be matched",
				context, res, t)
		}
		if !preferred(res.Kind) && canImplicit(res.Kind, t.Kind) && !canImplicit(t.Kind, res.Kind) {
			res = types.T{Kind: t.Kind}
		} else if !canImplicit(t.Kind, res.Kind) && !canImplicit(res.Kind, t.Kind) {
			return types.T{}, sqlerr.New(sqlerr.DatatypeMismatch, "%s types %s and %s cannot be matched",
				context, res, t)
		}
	}
	if !found {
		return types.TextT, nil
	}
	// Like select_common_typmod: a typmod survives only if every input has exactly that type.
	for _, t := range ts {
		if t != res {
			res = types.T{Kind: res.Kind}
			break
		}
	}
	// Every input must convert implicitly to the result.
	for _, t := range ts {
		if !canImplicit(t.Kind, res.Kind) {
			return types.T{}, sqlerr.New(sqlerr.DatatypeMismatch, "%s could not convert type %s to %s",
				context, t, res)
		}
	}
	return res, nil
}

// typeList renders argument types for 42883 messages: "integer, text".
func typeList(ts []types.T) string {
	parts := make([]string, len(ts))
	for i, t := range ts {
		parts[i] = t.String()
	}
	return strings.Join(parts, ", ")
}
