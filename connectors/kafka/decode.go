package kafka

import (
	"encoding/json"
	"errors"
	"strings"
	"time"

	"github.com/apache/arrow-go/v18/arrow"
	"github.com/apache/arrow-go/v18/arrow/memory"
	csvfmt "github.com/runnel-db/runnel/connectors/format/csv"
	jsonfmt "github.com/runnel-db/runnel/connectors/format/json"
	"github.com/runnel-db/runnel/connectors/format/row"
	"github.com/runnel-db/runnel/exec/sqlerr"
)

// payloadDecoder is what format/json and format/csv decoders have in common.
type payloadDecoder interface {
	Decode([]byte) error
	Len() int
	Finish() []arrow.Array
	Release()
}

// decoder turns message (key, value) pairs into rows of one chunk.
type decoder struct {
	enc     Encoding
	dec     payloadDecoder
	cols    []row.Column
	keyCols []int
	keyName map[string]int // lower-cased key column name → column index (UPSERT)
	deletes []bool
	scratch []byte // merged UPSERT payload
	members []byte // selected key members of the current key
}

func newDecoder(mem memory.Allocator, enc Encoding, cols []row.Column, keyCols []int, loc *time.Location) (*decoder, error) {
	d := &decoder{enc: enc, cols: cols, keyCols: keyCols}
	switch enc.Encode {
	case EncodeCSV:
		cd, err := csvfmt.NewDecoder(mem, cols, csvfmt.Options{Delimiter: enc.Delimiter, WithoutHeader: true, Location: loc})
		if err != nil {
			return nil, err
		}
		d.dec = cd
	default:
		d.dec = jsonfmt.NewDecoder(mem, cols, loc)
	}
	if enc.Format == FormatUpsert {
		if len(keyCols) == 0 {
			d.dec.Release()
			return nil, sqlerr.New(sqlerr.InvalidTableDefinition, "FORMAT UPSERT requires a primary key")
		}
		d.keyName = make(map[string]int, len(keyCols))
		for _, k := range keyCols {
			if k < 0 || k >= len(cols) {
				d.dec.Release()
				return nil, errors.New("kafka: key column index out of range")
			}
			d.keyName[strings.ToLower(cols[k].Name)] = k
		}
	}
	return d, nil
}

// errNullValue rejects a PLAIN message without a value.
var errNullValue = sqlerr.New(sqlerr.InvalidTextRepresentation, "message has an empty or null value")

// add decodes one message into the current chunk, or returns why it was rejected (nothing is
// appended then).
func (d *decoder) add(key, value []byte) error {
	if d.enc.Format == FormatPlain {
		if len(value) == 0 {
			return errNullValue
		}
		return d.dec.Decode(value)
	}
	// UPSERT JSON.
	hasKey, err := d.keyMembers(key)
	if err != nil {
		return err
	}
	if len(value) == 0 { // tombstone
		if !hasKey {
			return sqlerr.New(sqlerr.InvalidTextRepresentation, "tombstone (null value) without a message key")
		}
		if len(d.members) == 0 {
			return sqlerr.New(sqlerr.InvalidTextRepresentation, "tombstone key has no primary key field")
		}
		d.scratch = append(append(append(d.scratch[:0], '{'), d.members...), '}')
		if err := d.dec.Decode(d.scratch); err != nil {
			return keyError(err)
		}
		d.deletes = append(d.deletes, true)
		return nil
	}
	payload := value
	if hasKey {
		// The key's members first, then the value's: a repeated field keeps its last value, so
		// the value wins and the key only fills key fields the value lacks.
		v := trimSpace(value)
		if len(v) >= 2 && v[0] == '{' {
			inner := trimSpace(v[1:])
			d.scratch = append(append(d.scratch[:0], '{'), d.members...)
			if len(inner) > 0 && inner[0] != '}' {
				d.scratch = append(d.scratch, ',')
			}
			d.scratch = append(d.scratch, inner...)
			payload = d.scratch
		}
	}
	if err := d.dec.Decode(payload); err != nil {
		return err
	}
	d.deletes = append(d.deletes, false)
	return nil
}

// keyError marks a decoding error of a tombstone as the key's.
func keyError(err error) error {
	if e := sqlerr.From(err); e != nil {
		c := *e
		c.Message = "message key: " + e.Message
		return &c
	}
	return err
}

// keyMembers sets d.members to the JSON object members (`"name":value,...`, no braces) that the
// message key gives for key columns. hasKey is false for a missing key or a JSON null key. A key
// that is not JSON, or a scalar when the primary key has several columns, is an error.
func (d *decoder) keyMembers(key []byte) (hasKey bool, err error) {
	d.members = d.members[:0]
	k := trimSpace(key)
	if len(k) == 0 || string(k) == "null" {
		return false, nil
	}
	if k[0] != '{' {
		if !json.Valid(k) {
			return false, sqlerr.New(sqlerr.InvalidTextRepresentation, "message key is not valid JSON")
		}
		if len(d.keyCols) != 1 {
			return false, sqlerr.New(sqlerr.InvalidTextRepresentation,
				"message key is a JSON scalar but the primary key has %d columns", len(d.keyCols))
		}
		name, _ := json.Marshal(d.cols[d.keyCols[0]].Name)
		d.members = append(append(append(d.members, name...), ':'), k...)
		return true, nil
	}
	err = eachMember(k, func(name string, rawName, val []byte) {
		if _, ok := d.keyName[strings.ToLower(name)]; !ok {
			return
		}
		if len(d.members) > 0 {
			d.members = append(d.members, ',')
		}
		d.members = append(append(append(d.members, rawName...), ':'), val...)
	})
	if err != nil {
		return false, sqlerr.New(sqlerr.InvalidTextRepresentation, "message key is not valid JSON: %v", err)
	}
	return true, nil
}

// finish hands over the rows decoded so far and their delete flags (nil for PLAIN).
func (d *decoder) finish() ([]arrow.Array, []bool) {
	cols := d.dec.Finish()
	var del []bool
	if d.enc.Format == FormatUpsert {
		del = append([]bool(nil), d.deletes...)
		d.deletes = d.deletes[:0]
	}
	return cols, del
}

func (d *decoder) release() { d.dec.Release() }

func trimSpace(b []byte) []byte {
	for len(b) > 0 && isSpace(b[0]) {
		b = b[1:]
	}
	for len(b) > 0 && isSpace(b[len(b)-1]) {
		b = b[:len(b)-1]
	}
	return b
}

func isSpace(c byte) bool { return c == ' ' || c == '\t' || c == '\n' || c == '\r' }

// eachMember calls fn for each top-level member of the JSON object s with its unescaped name, the
// name's raw text (quotes included) and the raw value text. The whole object is validated first.
func eachMember(s []byte, fn func(name string, rawName, val []byte)) error {
	if !json.Valid(s) {
		return errors.New("malformed object")
	}
	i := skipWS(s, 1)
	if i < len(s) && s[i] == '}' {
		return nil
	}
	for i < len(s) {
		start := i
		end := skipString(s, i)
		rawName := s[start:end]
		var name string
		if err := json.Unmarshal(rawName, &name); err != nil {
			return err
		}
		i = skipWS(s, end)
		i = skipWS(s, i+1) // ':'
		vstart := i
		i = skipValue(s, i)
		fn(name, rawName, s[vstart:i])
		i = skipWS(s, i)
		if i >= len(s) || s[i] == '}' {
			return nil
		}
		i = skipWS(s, i+1) // ','
	}
	return nil
}

func skipWS(s []byte, i int) int {
	for i < len(s) && isSpace(s[i]) {
		i++
	}
	return i
}

// skipString returns the index after the string starting at s[i] == '"' (s is valid JSON).
func skipString(s []byte, i int) int {
	for i++; i < len(s); i++ {
		switch s[i] {
		case '\\':
			i++
		case '"':
			return i + 1
		}
	}
	return i
}

// skipValue returns the index after the value starting at s[i] (s is valid JSON).
func skipValue(s []byte, i int) int {
	if i >= len(s) {
		return i
	}
	switch s[i] {
	case '"':
		return skipString(s, i)
	case '{', '[':
		depth := 0
		for ; i < len(s); i++ {
			switch s[i] {
			case '"':
				i = skipString(s, i) - 1
			case '{', '[':
				depth++
			case '}', ']':
				depth--
				if depth == 0 {
					return i + 1
				}
			}
		}
		return i
	default:
		for i < len(s) && s[i] != ',' && s[i] != '}' && s[i] != ']' && !isSpace(s[i]) {
			i++
		}
		return i
	}
}
