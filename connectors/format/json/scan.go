package json

import (
	"fmt"
	"unicode/utf16"
	"unicode/utf8"

	"github.com/runnel-db/runnel/exec/sqlerr"
)

// syntaxError is the rejection of a payload that is not valid JSON.
func (d *Decoder) syntaxError(format string, args ...any) error {
	if d.pos >= len(d.s) {
		return sqlerr.New(sqlerr.InvalidTextRepresentation, "invalid JSON message: the input ended unexpectedly")
	}
	return sqlerr.New(sqlerr.InvalidTextRepresentation, "invalid JSON message at byte %d: %s", d.pos, fmt.Sprintf(format, args...))
}

// unexpected reports the byte at d.pos where something else was expected.
func (d *Decoder) unexpected(expected string) error {
	if d.pos >= len(d.s) {
		return d.syntaxError("")
	}
	return d.syntaxError("expected %s, found %q", expected, rune(d.s[d.pos]))
}

func (d *Decoder) ws() {
	for d.pos < len(d.s) {
		switch d.s[d.pos] {
		case ' ', '\t', '\n', '\r':
			d.pos++
		default:
			return
		}
	}
}

// object decodes the top-level object of a message into the row stage.
func (d *Decoder) object() error {
	d.ws()
	if d.pos >= len(d.s) || d.s[d.pos] != '{' {
		if d.pos < len(d.s) {
			return d.syntaxError("a message must be a JSON object")
		}
		return d.syntaxError("")
	}
	d.pos++
	d.ws()
	if d.pos < len(d.s) && d.s[d.pos] == '}' {
		d.pos++
	} else {
		for {
			d.ws()
			if d.pos >= len(d.s) || d.s[d.pos] != '"' {
				return d.unexpected("a field name")
			}
			key, err := d.str(true)
			if err != nil {
				return err
			}
			d.ws()
			if d.pos >= len(d.s) || d.s[d.pos] != ':' {
				return d.unexpected(`":"`)
			}
			d.pos++
			d.ws()
			if d.pos >= len(d.s) {
				return d.syntaxError("")
			}
			if col := d.lookup(key); col >= 0 {
				err = d.field(col, key)
			} else {
				err = d.skip()
			}
			if err != nil {
				return err
			}
			d.ws()
			if d.pos < len(d.s) && d.s[d.pos] == ',' {
				d.pos++
				continue
			}
			if d.pos < len(d.s) && d.s[d.pos] == '}' {
				d.pos++
				break
			}
			return d.unexpected(`"," or "}"`)
		}
	}
	d.ws()
	if d.pos < len(d.s) {
		return d.syntaxError("unexpected data after the object")
	}
	return nil
}

// str reads the string at d.pos (an opening quote). With keep, it returns the unescaped contents:
// a slice of the payload when there is no escape, else of d.scratch. Strings must be valid UTF-8
// with no \u0000 and no lone surrogate (what PostgreSQL's jsonb accepts).
func (d *Decoder) str(keep bool) ([]byte, error) {
	start := d.pos + 1
	i := start
	for i < len(d.s) {
		c := d.s[i]
		switch {
		case c == '"':
			d.pos = i + 1
			return d.s[start:i], nil
		case c == '\\':
			return d.escapedStr(start, i, keep)
		case c < 0x20:
			d.pos = i
			return nil, d.syntaxError("control character 0x%02x must be escaped", c)
		case c >= 0x80:
			r, size := utf8.DecodeRune(d.s[i:])
			if r == utf8.RuneError && size <= 1 {
				d.pos = i
				return nil, d.syntaxError("invalid UTF-8")
			}
			i += size
		default:
			i++
		}
	}
	d.pos = len(d.s)
	return nil, d.syntaxError("")
}

// escapedStr continues str from the first backslash at i, unescaping into d.scratch when keep.
func (d *Decoder) escapedStr(start, i int, keep bool) ([]byte, error) {
	off := len(d.scratch)
	if keep {
		d.scratch = append(d.scratch, d.s[start:i]...)
	}
	for i < len(d.s) {
		c := d.s[i]
		switch {
		case c == '"':
			d.pos = i + 1
			return d.scratch[off:], nil
		case c < 0x20:
			d.pos = i
			return nil, d.syntaxError("control character 0x%02x must be escaped", c)
		case c >= 0x80:
			r, size := utf8.DecodeRune(d.s[i:])
			if r == utf8.RuneError && size <= 1 {
				d.pos = i
				return nil, d.syntaxError("invalid UTF-8")
			}
			if keep {
				d.scratch = append(d.scratch, d.s[i:i+size]...)
			}
			i += size
		case c != '\\':
			if keep {
				d.scratch = append(d.scratch, c)
			}
			i++
		default:
			if i+1 >= len(d.s) {
				d.pos = len(d.s)
				return nil, d.syntaxError("")
			}
			e := d.s[i+1]
			var r rune
			switch e {
			case '"', '\\', '/':
				r = rune(e)
			case 'b':
				r = '\b'
			case 'f':
				r = '\f'
			case 'n':
				r = '\n'
			case 'r':
				r = '\r'
			case 't':
				r = '\t'
			case 'u':
				var n int
				var err error
				if r, n, err = d.unicodeEscape(i); err != nil {
					return nil, err
				}
				i += n - 2
			default:
				d.pos = i
				return nil, d.syntaxError(`invalid escape "\%c"`, e)
			}
			i += 2
			if keep {
				d.scratch = utf8.AppendRune(d.scratch, r)
			}
		}
	}
	d.pos = len(d.s)
	return nil, d.syntaxError("")
}

// unicodeEscape reads \uXXXX (and its low surrogate \uXXXX, if a high one) at i; n is the number of
// bytes read.
func (d *Decoder) unicodeEscape(i int) (rune, int, error) {
	d.pos = i
	r, ok := hex4(d.s, i+2)
	if !ok {
		return 0, 0, d.syntaxError(`"\u" must be followed by four hexadecimal digits`)
	}
	if r == 0 {
		e := sqlerr.New("22P05", "unsupported Unicode escape sequence")
		e.Detail = `\u0000 cannot be converted to text.`
		return 0, 0, e
	}
	if !utf16.IsSurrogate(r) {
		return r, 6, nil
	}
	if r >= 0xDC00 {
		return 0, 0, d.syntaxError("Unicode low surrogate must follow a high surrogate")
	}
	if i+12 > len(d.s) || d.s[i+6] != '\\' || d.s[i+7] != 'u' {
		return 0, 0, d.syntaxError("Unicode low surrogate must follow a high surrogate")
	}
	r2, ok := hex4(d.s, i+8)
	if !ok || r2 < 0xDC00 || r2 > 0xDFFF {
		return 0, 0, d.syntaxError("Unicode low surrogate must follow a high surrogate")
	}
	return utf16.DecodeRune(r, r2), 12, nil
}

func hex4(s []byte, at int) (rune, bool) {
	if at+4 > len(s) {
		return 0, false
	}
	var r rune
	for _, c := range s[at : at+4] {
		var h byte
		switch {
		case c >= '0' && c <= '9':
			h = c - '0'
		case c >= 'a' && c <= 'f':
			h = c - 'a' + 10
		case c >= 'A' && c <= 'F':
			h = c - 'A' + 10
		default:
			return 0, false
		}
		r = r<<4 | rune(h)
	}
	return r, true
}

// number reads the number at d.pos; plain reports an integer without fraction or exponent.
func (d *Decoder) number() (tok []byte, plain bool, err error) {
	start, i := d.pos, d.pos
	if i < len(d.s) && d.s[i] == '-' {
		i++
	}
	switch {
	case i < len(d.s) && d.s[i] == '0':
		i++
	case i < len(d.s) && d.s[i] >= '1' && d.s[i] <= '9':
		for i < len(d.s) && d.s[i] >= '0' && d.s[i] <= '9' {
			i++
		}
	default:
		d.pos = i
		return nil, false, d.unexpected("a digit")
	}
	plain = true
	if i < len(d.s) && d.s[i] == '.' {
		plain = false
		i++
		if i >= len(d.s) || d.s[i] < '0' || d.s[i] > '9' {
			d.pos = i
			return nil, false, d.unexpected("a digit")
		}
		for i < len(d.s) && d.s[i] >= '0' && d.s[i] <= '9' {
			i++
		}
	}
	if i < len(d.s) && (d.s[i] == 'e' || d.s[i] == 'E') {
		plain = false
		i++
		if i < len(d.s) && (d.s[i] == '+' || d.s[i] == '-') {
			i++
		}
		if i >= len(d.s) || d.s[i] < '0' || d.s[i] > '9' {
			d.pos = i
			return nil, false, d.unexpected("a digit")
		}
		for i < len(d.s) && d.s[i] >= '0' && d.s[i] <= '9' {
			i++
		}
	}
	d.pos = i
	return d.s[start:i], plain, nil
}

// literal reads true, false or null at d.pos.
func (d *Decoder) literal(word string) error {
	if len(d.s)-d.pos < len(word) || string(d.s[d.pos:d.pos+len(word)]) != word {
		return d.syntaxError("invalid token")
	}
	d.pos += len(word)
	return nil
}

// scalar reads one non-container value at d.pos.
func (d *Decoder) scalar() error {
	switch c := d.s[d.pos]; {
	case c == '"':
		_, err := d.str(false)
		return err
	case c == '-' || (c >= '0' && c <= '9'):
		_, _, err := d.number()
		return err
	case c == 't':
		return d.literal("true")
	case c == 'f':
		return d.literal("false")
	case c == 'n':
		return d.literal("null")
	}
	return d.syntaxError("invalid token")
}

// skip validates and passes over the value at d.pos, without recursion.
func (d *Decoder) skip() error {
	d.stack = d.stack[:0]
	for {
		// a value is expected
		d.ws()
		if d.pos >= len(d.s) {
			return d.syntaxError("")
		}
		switch d.s[d.pos] {
		case '{', '[':
			if len(d.stack)+1 > maxDepth {
				return sqlerr.New("54001", "JSON message nested more than %d levels deep", maxDepth)
			}
			closer := byte('}')
			if d.s[d.pos] == '[' {
				closer = ']'
			}
			d.stack = append(d.stack, closer)
			d.pos++
			d.ws()
			if d.pos < len(d.s) && d.s[d.pos] == closer {
				d.pos++
				d.stack = d.stack[:len(d.stack)-1]
				break // an empty container is a complete value
			}
			if closer == '}' {
				if err := d.member(); err != nil {
					return err
				}
			}
			continue
		default:
			if err := d.scalar(); err != nil {
				return err
			}
		}
		// a value ended: close containers or move to the next element
		for {
			if len(d.stack) == 0 {
				return nil
			}
			d.ws()
			if d.pos >= len(d.s) {
				return d.syntaxError("")
			}
			closer := d.stack[len(d.stack)-1]
			if c := d.s[d.pos]; c == closer {
				d.pos++
				d.stack = d.stack[:len(d.stack)-1]
				continue
			} else if c != ',' {
				return d.unexpected(`"," or "` + string(closer) + `"`)
			}
			d.pos++
			if closer == '}' {
				if err := d.member(); err != nil {
					return err
				}
			}
			break
		}
	}
}

// member reads `"key" :` inside an object being skipped.
func (d *Decoder) member() error {
	d.ws()
	if d.pos >= len(d.s) || d.s[d.pos] != '"' {
		return d.unexpected("a field name")
	}
	if _, err := d.str(false); err != nil {
		return err
	}
	d.ws()
	if d.pos >= len(d.s) || d.s[d.pos] != ':' {
		return d.unexpected(`":"`)
	}
	d.pos++
	return nil
}
