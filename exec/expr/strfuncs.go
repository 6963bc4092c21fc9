package expr

import (
	"strings"
	"time"
	"unicode"
	"unicode/utf8"

	"github.com/apache/arrow-go/v18/arrow"
	"github.com/apache/arrow-go/v18/arrow/array"

	"github.com/runnel-db/runnel/exec/sqlerr"
	"github.com/runnel-db/runnel/exec/types"
)

const (
	txt = types.Text
	i4  = types.Int32
)

// appendTextOf appends the output-function text of row i of o (any type) to dst, as concat does.
func appendTextOf(dst []byte, o operand, i int, loc *time.Location) []byte {
	if o.arr == nil {
		if s, ok := o.scalar.(string); ok {
			return append(dst, s...)
		}
		return append(dst, types.FormatDatum(o.scalar, o.t, loc)...)
	}
	if s, ok := o.arr.(*array.String); ok {
		return append(dst, s.Value(i)...)
	}
	return types.AppendText(dst, o.arr, i, o.t, loc)
}

// appendCastText appends the text cast of row i of o: like appendTextOf except that booleans
// cast to text as "true"/"false", as || (anytextcat) sees them.
func appendCastText(dst []byte, o operand, i int, loc *time.Location) []byte {
	if o.t.Kind == types.Bool {
		if newBoolReader(o).at(i) {
			return append(dst, "true"...)
		}
		return append(dst, "false"...)
	}
	return appendTextOf(dst, o, i, loc)
}

// textConcat is || over any two values, at least one a string (textcat/anytextcat/textanycat).
func textConcat(ctx *Context, args []operand, n int, _ types.T) (arrow.Array, error) {
	mem := ctx.Allocator()
	mask := combineValidity(mem, n, args...)
	defer mask.release()
	b := array.NewStringBuilder(mem)
	defer b.Release()
	b.Reserve(n)
	loc := ctx.Loc()
	var scratch []byte
	for i := 0; i < n; i++ {
		if !mask.valid(i) {
			b.AppendNull()
			continue
		}
		scratch = appendCastText(scratch[:0], args[0], i, loc)
		scratch = appendCastText(scratch, args[1], i, loc)
		b.BinaryBuilder.Append(scratch)
	}
	return b.NewArray(), nil
}

// concatKernel is concat(any...) (sep < 0) or concat_ws(sep, any...) (sep = 0): NULLs skipped.
func concatKernel(ws bool) kernel {
	return func(ctx *Context, args []operand, n int, _ types.T) (arrow.Array, error) {
		b := array.NewStringBuilder(ctx.Allocator())
		defer b.Release()
		b.Reserve(n)
		loc := ctx.Loc()
		var scratch, sep []byte
		vals := args
		if ws {
			vals = args[1:]
		}
		for i := 0; i < n; i++ {
			scratch = scratch[:0]
			if ws {
				if !args[0].valid(i) {
					b.AppendNull()
					continue
				}
				sep = appendTextOf(sep[:0], args[0], i, loc)
			}
			first := true
			for _, o := range vals {
				if !o.valid(i) {
					continue
				}
				if ws && !first {
					scratch = append(scratch, sep...)
				}
				scratch = appendTextOf(scratch, o, i, loc)
				first = false
			}
			b.BinaryBuilder.Append(scratch)
		}
		return b.NewArray(), nil
	}
}

// runeSlice returns the substring of s from character from (0-based, clamped) of count characters
// (count < 0: to the end).
func runeSlice(s string, from, count int64) string {
	if from < 0 {
		if count >= 0 {
			count += from
			if count < 0 {
				count = 0
			}
		}
		from = 0
	}
	start := -1
	ci := int64(0)
	for bi := range s {
		if ci == from {
			start = bi
		}
		if start >= 0 && count >= 0 && ci == from+count {
			return s[start:bi]
		}
		ci++
	}
	if start < 0 {
		return ""
	}
	return s[start:]
}

func substrFn(_ *Context, a []types.Datum) (types.Datum, error) {
	s, start := a[0].(string), a[1].(int64)
	if len(a) == 2 {
		return runeSlice(s, start-1, -1), nil
	}
	count := a[2].(int64)
	if count < 0 {
		return nil, sqlerr.New("22011", "negative substring length not allowed")
	}
	return runeSlice(s, start-1, count), nil
}

func strpos(s, sub string) int32 {
	i := strings.Index(s, sub)
	if i < 0 {
		return 0
	}
	return int32(utf8.RuneCountInString(s[:i])) + 1
}

func trimFn(left, right bool) func(*Context, []types.Datum) (types.Datum, error) {
	return func(_ *Context, a []types.Datum) (types.Datum, error) {
		s, set := a[0].(string), " "
		if len(a) > 1 {
			set = a[1].(string)
		}
		if left {
			s = strings.TrimLeft(s, set)
		}
		if right {
			s = strings.TrimRight(s, set)
		}
		return s, nil
	}
}

func splitPart(_ *Context, a []types.Datum) (types.Datum, error) {
	s, delim, n := a[0].(string), a[1].(string), a[2].(int64)
	if n == 0 {
		return nil, sqlerr.New(sqlerr.InvalidParameterValue, "field position must not be zero")
	}
	var parts []string
	if delim == "" {
		parts = []string{s}
		if s == "" {
			parts = nil
		}
	} else {
		parts = strings.Split(s, delim)
	}
	if n < 0 {
		n += int64(len(parts)) + 1
	}
	if n < 1 || n > int64(len(parts)) {
		return "", nil
	}
	return parts[n-1], nil
}

func leftRight(right bool) func(*Context, []types.Datum) (types.Datum, error) {
	return func(_ *Context, a []types.Datum) (types.Datum, error) {
		s, k := a[0].(string), a[1].(int64)
		l := int64(utf8.RuneCountInString(s))
		if k < 0 {
			k = max(l+k, 0)
		}
		k = min(k, l)
		if right {
			return runeSlice(s, l-k, -1), nil
		}
		return runeSlice(s, 0, k), nil
	}
}

func repeatFn(_ *Context, a []types.Datum) (types.Datum, error) {
	s, k := a[0].(string), a[1].(int64)
	if k <= 0 || s == "" {
		return "", nil
	}
	if int64(len(s))*k > 1<<30-1 {
		return nil, sqlerr.New("54000", "requested length too large")
	}
	return strings.Repeat(s, int(k)), nil
}

func reverse(s string) string {
	r := []rune(s)
	for i, j := 0, len(r)-1; i < j; i, j = i+1, j-1 {
		r[i], r[j] = r[j], r[i]
	}
	return string(r)
}

func initcap(s string) string {
	var sb strings.Builder
	inWord := false
	for _, r := range s {
		if unicode.IsLetter(r) || unicode.IsDigit(r) {
			if inWord {
				sb.WriteRune(unicode.ToLower(r))
			} else {
				sb.WriteRune(unicode.ToUpper(r))
			}
			inWord = true
		} else {
			sb.WriteRune(r)
			inWord = false
		}
	}
	return sb.String()
}

func padFn(left bool) func(*Context, []types.Datum) (types.Datum, error) {
	return func(_ *Context, a []types.Datum) (types.Datum, error) {
		s, k, fill := a[0].(string), a[1].(int64), " "
		if len(a) > 2 {
			fill = a[2].(string)
		}
		if k <= 0 {
			return "", nil
		}
		if k > 1<<28 {
			return nil, sqlerr.New("54000", "requested length too large")
		}
		l := int64(utf8.RuneCountInString(s))
		if l >= k || fill == "" {
			return runeSlice(s, 0, k), nil
		}
		fr := []rune(fill)
		pad := make([]rune, 0, k-l)
		for i := int64(0); i < k-l; i++ {
			pad = append(pad, fr[i%int64(len(fr))])
		}
		if left {
			return string(pad) + s, nil
		}
		return s + string(pad), nil
	}
}

func replaceFn(_ *Context, a []types.Datum) (types.Datum, error) {
	s, from, to := a[0].(string), a[1].(string), a[2].(string)
	if from == "" {
		return s, nil
	}
	return strings.ReplaceAll(s, from, to), nil
}

func init() {
	t := types.TextT
	for _, name := range []string{"length", "char_length", "character_length"} {
		register(name, sig(types.Int32T, strToInt(func(s string) int32 { return int32(utf8.RuneCountInString(s)) }), txt))
	}
	register("octet_length", sig(types.Int32T, strToInt(func(s string) int32 { return int32(len(s)) }), txt))
	register("lower", sig(t, strMap(strings.ToLower), txt))
	register("upper", sig(t, strMap(strings.ToUpper), txt))
	register("reverse", sig(t, strMap(reverse), txt))
	register("initcap", sig(t, strMap(initcap), txt))
	for _, name := range []string{"substring", "substr"} {
		register(name, sig(t, rowKernel(false, substrFn), txt, i4), sig(t, rowKernel(false, substrFn), txt, i4, i4))
	}
	posKernel := rowKernel(false, func(_ *Context, a []types.Datum) (types.Datum, error) {
		return int64(strpos(a[0].(string), a[1].(string))), nil
	})
	register("position", sig(types.Int32T, posKernel, txt, txt))
	register("strpos", sig(types.Int32T, posKernel, txt, txt))
	for name, lr := range map[string][2]bool{"btrim": {true, true}, "ltrim": {true, false}, "rtrim": {false, true}} {
		k := rowKernel(false, trimFn(lr[0], lr[1]))
		register(name, sig(t, k, txt), sig(t, k, txt, txt))
	}
	register("replace", sig(t, rowKernel(false, replaceFn), txt, txt, txt))
	register("split_part", sig(t, rowKernel(false, splitPart), txt, txt, i4))
	register("left", sig(t, rowKernel(false, leftRight(false)), txt, i4))
	register("right", sig(t, rowKernel(false, leftRight(true)), txt, i4))
	register("repeat", sig(t, rowKernel(false, repeatFn), txt, i4))
	register("starts_with", sig(types.BoolT, rowKernel(false, func(_ *Context, a []types.Datum) (types.Datum, error) {
		return strings.HasPrefix(a[0].(string), a[1].(string)), nil
	}), txt, txt))
	register("lpad", sig(t, rowKernel(false, padFn(true)), txt, i4), sig(t, rowKernel(false, padFn(true)), txt, i4, txt))
	register("rpad", sig(t, rowKernel(false, padFn(false)), txt, i4), sig(t, rowKernel(false, padFn(false)), txt, i4, txt))
	register("||",
		sig(t, textConcat, txt, txt),
		sig(t, textConcat, anyKind, txt),
		sig(t, textConcat, txt, anyKind))
	register("concat", &overload{args: []types.Kind{anyKind}, variadic: true, ret: t, kernel: concatKernel(false), lenient: true})
	register("concat_ws", &overload{args: []types.Kind{txt, anyKind}, variadic: true, ret: t, kernel: concatKernel(true), lenient: true})
}
