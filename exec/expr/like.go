package expr

import (
	"strings"
	"unicode"
	"unicode/utf8"

	"github.com/apache/arrow-go/v18/arrow"

	"github.com/runnel-db/runnel/exec/sqlerr"
	"github.com/runnel-db/runnel/exec/types"
)

// likeTok is one element of a compiled LIKE pattern.
type likeTok struct {
	kind byte // 'l' literal rune, '_' one character, '%' any sequence, 'E' dangling escape
	r    rune
}

// likeMatcher is a compiled LIKE pattern. Constant patterns are compiled once at construction;
// common shapes (exact, prefix%, %suffix, %infix%) use string search instead of the general
// matcher.
type likeMatcher struct {
	toks []likeTok
	fold bool
	// fast path: shape 'e' exact, 'p' prefix, 's' suffix, 'c' contains, 'g' % segments,
	// 0 general
	shape byte
	lit   string
	segs  []string
}

// compileLike parses pattern with escape character esc (hasEsc false: no escape).
func compileLike(pattern string, esc rune, hasEsc bool, fold bool) (*likeMatcher, error) {
	m := &likeMatcher{fold: fold}
	escaped := false
	for _, r := range pattern {
		switch {
		case escaped:
			m.toks = append(m.toks, likeTok{kind: 'l', r: r})
			escaped = false
		case hasEsc && r == esc:
			escaped = true
		case r == '%':
			if n := len(m.toks); n == 0 || m.toks[n-1].kind != '%' {
				m.toks = append(m.toks, likeTok{kind: '%'})
			}
		case r == '_':
			m.toks = append(m.toks, likeTok{kind: '_'})
		default:
			m.toks = append(m.toks, likeTok{kind: 'l', r: r})
		}
	}
	if escaped {
		// PostgreSQL reports this only when matching reaches the dangling escape.
		m.toks = append(m.toks, likeTok{kind: 'E'})
	}
	if !fold {
		m.classify()
	}
	return m, nil
}

// classify detects the string-search shapes: exact, prefix%, %suffix, %infix%, and in general any
// pattern made only of literals and % (segments found left to right with strings.Index, which is
// exact for patterns without _).
func (m *likeMatcher) classify() {
	var segs []string
	var sb strings.Builder
	for _, k := range m.toks {
		switch k.kind {
		case 'l':
			sb.WriteRune(k.r)
		case '%':
			segs = append(segs, sb.String())
			sb.Reset()
		default:
			return
		}
	}
	segs = append(segs, sb.String())
	m.segs = segs
	switch {
	case len(segs) == 1:
		m.shape, m.lit = 'e', segs[0]
	case len(segs) == 2 && segs[1] == "":
		m.shape, m.lit = 'p', segs[0]
	case len(segs) == 2 && segs[0] == "":
		m.shape, m.lit = 's', segs[1]
	case len(segs) == 3 && segs[0] == "" && segs[2] == "":
		m.shape, m.lit = 'c', segs[1]
	default:
		m.shape = 'g'
	}
}

// matchSegments matches a pattern of literal segments separated by %.
func (m *likeMatcher) matchSegments(s string) bool {
	segs := m.segs
	first, last := segs[0], segs[len(segs)-1]
	if !strings.HasPrefix(s, first) {
		return false
	}
	pos := len(first)
	for _, seg := range segs[1 : len(segs)-1] {
		i := strings.Index(s[pos:], seg)
		if i < 0 {
			return false
		}
		pos += i + len(seg)
	}
	return len(s)-pos >= len(last) && strings.HasSuffix(s, last)
}

var errLikeEscape = sqlerr.New(sqlerr.InvalidEscapeSequence, "LIKE pattern must not end with escape character")

func (m *likeMatcher) match(s string) (bool, error) {
	switch m.shape {
	case 'e':
		return s == m.lit, nil
	case 'p':
		return strings.HasPrefix(s, m.lit), nil
	case 's':
		return strings.HasSuffix(s, m.lit), nil
	case 'c':
		return strings.Contains(s, m.lit), nil
	case 'g':
		return m.matchSegments(s), nil
	}
	return m.general(s)
}

func (m *likeMatcher) eq(a, b rune) bool {
	if a == b {
		return true
	}
	return m.fold && unicode.ToLower(a) == unicode.ToLower(b)
}

// general is the classic single-backtrack-point wildcard match, over runes.
func (m *likeMatcher) general(s string) (bool, error) {
	p := m.toks
	si, pi := 0, 0
	starPi, starSi := -1, 0
	for si < len(s) {
		r, size := utf8.DecodeRuneInString(s[si:])
		if pi < len(p) && p[pi].kind == 'E' {
			return false, errLikeEscape
		}
		if pi < len(p) && (p[pi].kind == '_' || (p[pi].kind == 'l' && m.eq(p[pi].r, r))) {
			si += size
			pi++
			continue
		}
		if pi < len(p) && p[pi].kind == '%' {
			starPi, starSi = pi, si
			pi++
			continue
		}
		if starPi >= 0 {
			_, sz := utf8.DecodeRuneInString(s[starSi:])
			starSi += sz
			si, pi = starSi, starPi+1
			continue
		}
		return false, nil
	}
	for pi < len(p) && p[pi].kind == '%' {
		pi++
	}
	return pi == len(p), nil
}

// likeExpr is e [NOT] [I]LIKE pattern [ESCAPE esc].
type likeExpr struct {
	e, pattern, escape Expr // escape may be nil
	fold, not          bool
	m                  *likeMatcher // compiled constant pattern
	compileErr         error
}

var _ node = (*likeExpr)(nil)

// Like is e [NOT] LIKE/ILIKE pattern [ESCAPE escape] (escape nil: backslash). Operands must be
// strings (unknown literals become text).
func Like(e, pattern, escape Expr, caseInsensitive, not bool) (Expr, error) {
	op := map[[2]bool]string{{false, false}: "~~", {true, false}: "~~*", {false, true}: "!~~", {true, true}: "!~~*"}[[2]bool{caseInsensitive, not}]
	args := []Expr{e, pattern}
	for i, a := range args {
		if !(a.Type().IsString() || a.Type().Kind == types.Unknown) {
			return nil, undefinedCall(op, true, []types.T{e.Type(), pattern.Type()}, false)
		}
		c, err := coerceTo(a, types.TextT, castImplicit)
		if err != nil {
			return nil, err
		}
		args[i] = c
	}
	l := &likeExpr{e: args[0], pattern: args[1], fold: caseInsensitive, not: not}
	if escape != nil {
		c, err := coerceTo(escape, types.TextT, castImplicit)
		if err != nil {
			return nil, err
		}
		l.escape = c
	}
	pv, pconst := ConstValue(l.pattern)
	ev, econst := any("\\"), true
	if l.escape != nil {
		ev, econst = ConstValue(l.escape)
	}
	if pconst && econst && pv != nil && ev != nil {
		l.m, l.compileErr = compileLikeWith(pv.(string), ev.(string), caseInsensitive)
	}
	return l, nil
}

// compileLikeWith validates the escape string and compiles the pattern.
func compileLikeWith(pattern, esc string, fold bool) (*likeMatcher, error) {
	switch utf8.RuneCountInString(esc) {
	case 0:
		return compileLike(pattern, 0, false, fold)
	case 1:
		r, _ := utf8.DecodeRuneInString(esc)
		return compileLike(pattern, r, true, fold)
	}
	return nil, &sqlerr.Error{Code: sqlerr.InvalidEscapeSequence, Message: "invalid escape string",
		Hint: "Escape string must be empty or one character."}
}

func (l *likeExpr) Type() types.T { return types.BoolT }

func (l *likeExpr) Eval(ctx *Context, cols []arrow.Array, n int) (arrow.Array, error) {
	ops := make([]operand, 0, 3)
	defer func() { releaseOperands(ops) }()
	for _, a := range []Expr{l.e, l.pattern, l.escape} {
		if a == nil {
			ops = append(ops, operand{scalar: "\\", t: types.TextT})
			continue
		}
		o, err := evalOperand(ctx, a, cols, n)
		if err != nil {
			return nil, err
		}
		ops = append(ops, o)
	}
	mask := combineValidity(ctx.Allocator(), n, ops...)
	if n == 0 || mask.allNull(n) {
		mask.release()
		return constArray(ctx.Allocator(), types.BoolT, nil, n), nil
	}
	if l.compileErr != nil {
		mask.release()
		return nil, l.compileErr
	}
	buf := newBoolBuf(ctx.Allocator(), n)
	out := buf.Bytes()
	rs, rp, re := newStringReader(ops[0]), newStringReader(ops[1]), newStringReader(ops[2])
	m := l.m
	for i := 0; i < n; i++ {
		if !mask.valid(i) {
			continue
		}
		if l.m == nil {
			var err error
			if m, err = compileLikeWith(rp.at(i), re.at(i), l.fold); err != nil {
				mask.release()
				buf.Release()
				return nil, err
			}
		}
		ok, err := m.match(rs.at(i))
		if err != nil {
			mask.release()
			buf.Release()
			return nil, err
		}
		if ok != l.not {
			out[i>>3] |= 1 << (i & 7)
		}
	}
	return finish(arrow.FixedWidthTypes.Boolean, n, mask, buf), nil
}

func (l *likeExpr) String() string {
	op := " LIKE "
	if l.fold {
		op = " ILIKE "
	}
	if l.not {
		op = " NOT" + op
	}
	s := "(" + l.e.String() + op + l.pattern.String()
	if l.escape != nil {
		s += " ESCAPE " + l.escape.String()
	}
	return s + ")"
}

func (l *likeExpr) children() []Expr {
	if l.escape == nil {
		return []Expr{l.e, l.pattern}
	}
	return []Expr{l.e, l.pattern, l.escape}
}

func (l *likeExpr) withChildren(ch []Expr) Expr {
	cp := *l
	cp.e, cp.pattern = ch[0], ch[1]
	if len(ch) > 2 {
		cp.escape = ch[2]
	}
	return &cp
}
