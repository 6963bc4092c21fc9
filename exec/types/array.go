package types

import (
	"strconv"
	"strings"
	"time"

	"github.com/apache/arrow-go/v18/arrow"
	"github.com/apache/arrow-go/v18/arrow/array"

	"github.com/runnel-db/runnel/exec/sqlerr"
)

// Arrays. A SQL array column is an Arrow List of the element type's Arrow array; its Datum is an
// ArrayValue. Runnel's arrays have one dimension. PostgreSQL keeps a lower bound per value; here
// it is a property of the type: 1 for plain arrays, 0 for int2vector and oidvector and for arrays
// cast from them (Flavor ZeroBased), which is what every value of those types has in PostgreSQL.
// Operations whose result bound would depend on the values (concatenating zero-based arrays) are
// not supported rather than answered differently.

// ArrayFlavor distinguishes the array-like types that share a representation.
type ArrayFlavor uint8

// The array flavors.
const (
	// PlainArray is elem[] with lower bound 1.
	PlainArray ArrayFlavor = iota
	// Int2Vector is PostgreSQL's int2vector: smallints, lower bound 0, space-separated text.
	Int2Vector
	// OidVector is PostgreSQL's oidvector: oids (bigints marked RegOID, see reg.go), lower bound 0.
	OidVector
	// OidArray is oid[].
	OidArray
	// ZeroBased is a smallint[] or oid[] cast from an int2vector or oidvector: lower bound 0.
	ZeroBased
	// ZeroBasedOid is an oid[] cast from an oidvector.
	ZeroBasedOid
	// ExpandRecord is not an array but the record (x, n) of information_schema._pg_expandarray
	// over an integer array: two values of kind Elem, x and its 1-based position n. Its text
	// form is PostgreSQL's record output "(x,n)"; fields are read with ExpandRecordField.
	ExpandRecord
)

// OIDRecord is the OID of the record pseudo-type.
const OIDRecord uint32 = 2249

// ExpandRecordOf is the type of _pg_expandarray's result over arrays of elem, which must be an
// integer type.
func ExpandRecordOf(elem T) (T, bool) {
	if !elem.IsInteger() || elem.Reg != RegNone {
		return T{}, false
	}
	return T{Kind: Array, Elem: elem.Kind, Flavor: ExpandRecord}, true
}

// IsRecord reports whether t is the (x, n) record of _pg_expandarray.
func (t T) IsRecord() bool { return t.Kind == Array && t.Flavor == ExpandRecord }

// RecordFieldType is the type of field x (0) or n (1) of an ExpandRecord type.
func (t T) RecordFieldType(field int) T {
	if field == 1 {
		return Int32T
	}
	return T{Kind: t.Elem}
}

// ArrayValue is the Datum of an array: its elements in order (nil for NULL elements), each of
// the Go type of the element kind (see Datum).
type ArrayValue []Datum

// Array type OIDs.
const (
	OIDInt2Vector   uint32 = 22
	OIDOidVector    uint32 = 30
	OIDBoolArray    uint32 = 1000
	OIDInt2Array    uint32 = 1005
	OIDInt4Array    uint32 = 1007
	OIDTextArray    uint32 = 1009
	OIDVarcharArray uint32 = 1015
	OIDInt8Array    uint32 = 1016
	OIDFloat4Array  uint32 = 1021
	OIDFloat8Array  uint32 = 1022
	OIDOidArray     uint32 = 1028
	OIDTimestampArr uint32 = 1115
	OIDDateArray    uint32 = 1182
	OIDTimestampTZA uint32 = 1185
	OIDIntervalArr  uint32 = 1187
	OIDNumericArray uint32 = 1231
	OIDJSONBArray   uint32 = 3807
	OIDJSONArray    uint32 = 199
)

var arrayOIDs = map[Kind]uint32{
	Bool: OIDBoolArray, Int16: OIDInt2Array, Int32: OIDInt4Array, Int64: OIDInt8Array,
	Float32: OIDFloat4Array, Float64: OIDFloat8Array, Numeric: OIDNumericArray, Text: OIDTextArray,
	Varchar: OIDVarcharArray, Date: OIDDateArray, Timestamp: OIDTimestampArr,
	TimestampTZ: OIDTimestampTZA, Interval: OIDIntervalArr, JSONB: OIDJSONBArray, JSON: OIDJSONArray,
}

// Convenience values for the array-like catalog types.
var (
	Int2VectorT = T{Kind: Array, Elem: Int16, Flavor: Int2Vector}
	OidVectorT  = T{Kind: Array, Elem: Int64, Flavor: OidVector}
	OidArrayT   = T{Kind: Array, Elem: Int64, Flavor: OidArray}
	TextArrayT  = T{Kind: Array, Elem: Text}
)

// ArrayOf is the type elem[]; ok is false for element types Runnel has no array of (arrays).
func ArrayOf(elem T) (T, bool) {
	switch elem.Reg {
	case RegNone:
	case RegOID:
		return OidArrayT, true
	default:
		return T{}, false
	}
	if _, ok := arrayOIDs[elem.Kind]; !ok {
		return T{}, false
	}
	return T{Kind: Array, Elem: elem.Kind, Precision: elem.Precision, Scale: elem.Scale}, true
}

// ElemType is the element type of an array type.
func (t T) ElemType() T {
	switch t.Flavor {
	case OidVector, OidArray, ZeroBasedOid:
		return OidT
	}
	return T{Kind: t.Elem, Precision: t.Precision, Scale: t.Scale}
}

// LowerBound is the subscript of an array's first element: 1, or 0 for the vector flavors.
func (t T) LowerBound() int64 {
	switch t.Flavor {
	case Int2Vector, OidVector, ZeroBased, ZeroBasedOid:
		return 0
	}
	return 1
}

// IsVector reports whether t is int2vector or oidvector.
func (t T) IsVector() bool { return t.Flavor == Int2Vector || t.Flavor == OidVector }

// PlainArray is the ordinary array type with t's elements and bounds: int2vector → smallint[]
// (zero-based), oidvector → oid[] (zero-based).
func (t T) PlainArray() T {
	switch t.Flavor {
	case Int2Vector:
		t.Flavor = ZeroBased
	case OidVector:
		t.Flavor = ZeroBasedOid
	}
	return t
}

func (t T) arrayOID() uint32 {
	switch t.Flavor {
	case ExpandRecord:
		return OIDRecord
	case Int2Vector:
		return OIDInt2Vector
	case OidVector:
		return OIDOidVector
	case OidArray, ZeroBasedOid:
		return OIDOidArray
	}
	return arrayOIDs[t.Elem]
}

func arrayFromOID(oid uint32) (T, bool) {
	switch oid {
	case OIDInt2Vector:
		return Int2VectorT, true
	case OIDOidVector:
		return OidVectorT, true
	case OIDOidArray:
		return OidArrayT, true
	}
	for k, o := range arrayOIDs {
		if o == oid {
			return T{Kind: Array, Elem: k}, true
		}
	}
	return UnknownT, false
}

func (t T) arrayName() string {
	switch t.Flavor {
	case ExpandRecord:
		return "record"
	case Int2Vector:
		return "int2vector"
	case OidVector:
		return "oidvector"
	case OidArray, ZeroBasedOid:
		return "oid[]"
	}
	return t.ElemType().String() + "[]"
}

// ArrayAt returns the elements of value i of a List array as a slice of its values array
// (borrowed) and their offsets into it.
func ArrayAt(arr arrow.Array, i int) (values arrow.Array, start, end int) {
	l := arr.(*array.List)
	s, e := l.ValueOffsets(i)
	return l.ListValues(), int(s), int(e)
}

func arrayDatumAt(arr arrow.Array, i int, t T) ArrayValue {
	vals, s, e := ArrayAt(arr, i)
	et := t.ElemType()
	out := make(ArrayValue, e-s)
	for k := s; k < e; k++ {
		out[k-s] = DatumAt(vals, k, et)
	}
	return out
}

// CompareArrays is PostgreSQL's btree order of arrays (array_cmp): element by element, a NULL
// element above every value, then the shorter array first.
func CompareArrays(a, b ArrayValue, elem T) int {
	for i := 0; i < len(a) && i < len(b); i++ {
		x, y := a[i], b[i]
		switch {
		case x == nil && y == nil:
			continue
		case x == nil:
			return 1
		case y == nil:
			return -1
		}
		if c := CompareDatum(x, y, elem); c != 0 {
			return c
		}
	}
	switch {
	case len(a) < len(b):
		return -1
	case len(a) > len(b):
		return 1
	}
	return 0
}

// appendArrayText is PostgreSQL's array_out (or int2vectorout/oidvectorout for the vectors).
func appendArrayText(dst []byte, a ArrayValue, t T, loc *time.Location) []byte {
	et := t.ElemType()
	if t.IsRecord() {
		// record_out: integers never need quotes; NULL is empty.
		dst = append(dst, '(')
		for i, d := range a {
			if i > 0 {
				dst = append(dst, ',')
			}
			if d != nil {
				dst = AppendDatumText(dst, d, et, loc)
			}
		}
		return append(dst, ')')
	}
	if t.IsVector() {
		for i, d := range a {
			if i > 0 {
				dst = append(dst, ' ')
			}
			dst = AppendDatumText(dst, d, et, loc)
		}
		return dst
	}
	if len(a) > 0 && t.LowerBound() != 1 {
		lb := t.LowerBound()
		dst = append(dst, '[')
		dst = strconv.AppendInt(dst, lb, 10)
		dst = append(dst, ':')
		dst = strconv.AppendInt(dst, lb+int64(len(a))-1, 10)
		dst = append(dst, "]="...)
	}
	dst = append(dst, '{')
	var buf []byte
	for i, d := range a {
		if i > 0 {
			dst = append(dst, ',')
		}
		if d == nil {
			dst = append(dst, "NULL"...)
			continue
		}
		buf = AppendDatumText(buf[:0], d, et, loc)
		dst = appendArrayElem(dst, buf)
	}
	return append(dst, '}')
}

// appendArrayElem appends one element's text, quoted as array_out quotes it: when empty, equal to
// NULL in any case, or holding a brace, comma, double quote, backslash or white space.
func appendArrayElem(dst, s []byte) []byte {
	quote := len(s) == 0 || strings.EqualFold(string(s), "NULL")
	for _, c := range s {
		switch c {
		case '{', '}', ',', '"', '\\', ' ', '\t', '\n', '\r', '\v', '\f':
			quote = true
		}
	}
	if !quote {
		return append(dst, s...)
	}
	dst = append(dst, '"')
	for _, c := range s {
		if c == '"' || c == '\\' {
			dst = append(dst, '\\')
		}
		dst = append(dst, c)
	}
	return append(dst, '"')
}

func malformedArray(s, detail string) error {
	return &sqlerr.Error{Code: sqlerr.InvalidTextRepresentation,
		Message: "malformed array literal: \"" + s + "\"", Detail: detail}
}

func isArraySpace(c byte) bool {
	return c == ' ' || c == '\t' || c == '\n' || c == '\r' || c == '\v' || c == '\f'
}

// parseArrayText is PostgreSQL's array_in for one-dimensional arrays (and int2vectorin and
// oidvectorin for the vectors): elements are parsed with the element type's input function.
func parseArrayText(s string, t T, loc *time.Location) (Datum, error) {
	et := t.ElemType()
	if t.IsRecord() {
		return nil, sqlerr.NotSupported("input of type record")
	}
	if t.IsVector() {
		var out ArrayValue
		for _, f := range strings.FieldsFunc(s, func(r rune) bool { return r < 128 && isArraySpace(byte(r)) }) {
			d, err := ParseText(f, et, loc)
			if err != nil {
				return nil, err
			}
			out = append(out, d)
		}
		if out == nil {
			out = ArrayValue{}
		}
		return out, nil
	}
	p := 0
	for p < len(s) && isArraySpace(s[p]) {
		p++
	}
	if p < len(s) && s[p] == '[' {
		// Explicit bounds "[lo:hi]=": only the type's own lower bound is representable.
		end := strings.IndexByte(s[p:], '=')
		if end < 0 {
			return nil, malformedArray(s, `Missing "=" after array dimensions.`)
		}
		dims := strings.TrimSpace(s[p+1 : p+end])
		dims = strings.TrimSuffix(dims, "]")
		lo, hi, ok := strings.Cut(dims, ":")
		if !ok {
			lo, hi = "1", dims
		}
		l, err1 := strconv.ParseInt(strings.TrimSpace(lo), 10, 32)
		h, err2 := strconv.ParseInt(strings.TrimSpace(hi), 10, 32)
		if err1 != nil || err2 != nil || strings.Contains(dims, "[") {
			return nil, sqlerr.NotSupported("multidimensional arrays")
		}
		if l != t.LowerBound() {
			return nil, sqlerr.NotSupported("arrays with a lower bound other than " + strconv.FormatInt(t.LowerBound(), 10))
		}
		v, err := parseArrayText(s[p+end+1:], T{Kind: Array, Elem: t.Elem, Precision: t.Precision, Scale: t.Scale}, loc)
		if err != nil {
			return nil, err
		}
		if int64(len(v.(ArrayValue))) != h-l+1 {
			return nil, malformedArray(s, "Specified array dimensions do not match array contents.")
		}
		return v, nil
	}
	if p >= len(s) || s[p] != '{' {
		return nil, malformedArray(s, `Array value must start with "{" or dimension information.`)
	}
	p++
	out := ArrayValue{}
	var elem []byte
	expectElem := true
	for {
		for p < len(s) && isArraySpace(s[p]) {
			p++
		}
		if p >= len(s) {
			return nil, malformedArray(s, "Unexpected end of input.")
		}
		if s[p] == '}' && len(out) == 0 && expectElem {
			p++
			break
		}
		if s[p] == '{' {
			return nil, sqlerr.NotSupported("multidimensional arrays")
		}
		if s[p] == '}' || s[p] == ',' {
			return nil, malformedArray(s, `Unexpected "`+string(s[p])+`" character.`)
		}
		// One element, quoted or not.
		elem = elem[:0]
		quoted, sawQuote := false, false
		lastNonSpace := 0
		for p < len(s) {
			c := s[p]
			if quoted {
				switch c {
				case '\\':
					p++
					if p >= len(s) {
						return nil, malformedArray(s, "Unexpected end of input.")
					}
					elem = append(elem, s[p])
				case '"':
					quoted = false
				default:
					elem = append(elem, c)
				}
				lastNonSpace = len(elem)
				p++
				continue
			}
			if c == ',' || c == '}' {
				break
			}
			switch c {
			case '"':
				if len(elem) > 0 && !sawQuote {
					return nil, malformedArray(s, `Unexpected array element.`)
				}
				quoted, sawQuote = true, true
			case '\\':
				p++
				if p >= len(s) {
					return nil, malformedArray(s, "Unexpected end of input.")
				}
				elem = append(elem, s[p])
				lastNonSpace = len(elem)
			case '{':
				return nil, malformedArray(s, `Unexpected "{" character.`)
			default:
				if sawQuote && !isArraySpace(c) {
					return nil, malformedArray(s, "Unexpected array element.")
				}
				elem = append(elem, c)
				if !isArraySpace(c) {
					lastNonSpace = len(elem)
				}
			}
			p++
		}
		if quoted || p >= len(s) {
			return nil, malformedArray(s, "Unexpected end of input.")
		}
		text := string(elem[:lastNonSpace])
		if !sawQuote && strings.EqualFold(text, "NULL") {
			out = append(out, nil)
		} else {
			d, err := ParseText(text, et, loc)
			if err != nil {
				return nil, err
			}
			out = append(out, d)
		}
		if s[p] == '}' {
			p++
			break
		}
		p++ // ','
		expectElem = false
	}
	for p < len(s) && isArraySpace(s[p]) {
		p++
	}
	if p != len(s) {
		return nil, malformedArray(s, "Junk after closing right brace.")
	}
	return out, nil
}
