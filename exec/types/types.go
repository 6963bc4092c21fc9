package types

import (
	"fmt"

	"github.com/apache/arrow-go/v18/arrow"
)

// Kind is the family of a SQL type. The zero Kind is Unknown: the type of an untyped string
// literal or an untyped parameter before inference assigns one.
type Kind uint8

// The kinds Runnel supports.
const (
	Unknown Kind = iota
	Bool
	Int16
	Int32
	Int64
	Float32
	Float64
	Numeric
	Text
	Varchar
	Date
	Timestamp
	TimestampTZ
	Interval
	JSONB
	// Array is a one-dimensional array of T.Elem values (see array.go).
	Array
	// JSON is PostgreSQL's json: text kept exactly as written (validated on input).
	JSON
)

// T is a SQL type: a kind plus its modifiers.
type T struct {
	Kind Kind
	// Precision is the precision p of numeric(p,s) or the length n of varchar(n); 0 means unconstrained.
	Precision int32
	// Scale is the scale s of numeric(p,s); meaningful only when Precision > 0.
	Scale int32
	// Elem is the element kind of an Array; Precision and Scale then modify the element.
	Elem Kind `json:",omitempty"`
	// Flavor tells int2vector, oidvector, oid[] and zero-based arrays from plain ones (Array only).
	Flavor ArrayFlavor `json:",omitempty"`
	// Reg marks a bigint as one of PostgreSQL's object identifier types (oid, regclass, regtype,
	// ...; see reg.go), and a text as the printed form of one.
	Reg RegKind `json:",omitempty"`
}

// Convenience values for the unmodified types.
var (
	UnknownT     = T{Kind: Unknown}
	BoolT        = T{Kind: Bool}
	Int16T       = T{Kind: Int16}
	Int32T       = T{Kind: Int32}
	Int64T       = T{Kind: Int64}
	Float32T     = T{Kind: Float32}
	Float64T     = T{Kind: Float64}
	NumericT     = T{Kind: Numeric}
	TextT        = T{Kind: Text}
	VarcharT     = T{Kind: Varchar}
	DateT        = T{Kind: Date}
	TimestampT   = T{Kind: Timestamp}
	TimestampTZT = T{Kind: TimestampTZ}
	IntervalT    = T{Kind: Interval}
	JSONBT       = T{Kind: JSONB}
	JSONT        = T{Kind: JSON}
)

// PostgreSQL type OIDs (pg_type.oid) for the types above.
const (
	OIDUnknown     uint32 = 705
	OIDBool        uint32 = 16
	OIDInt2        uint32 = 21
	OIDInt4        uint32 = 23
	OIDInt8        uint32 = 20
	OIDFloat4      uint32 = 700
	OIDFloat8      uint32 = 701
	OIDNumeric     uint32 = 1700
	OIDText        uint32 = 25
	OIDVarchar     uint32 = 1043
	OIDDate        uint32 = 1082
	OIDTimestamp   uint32 = 1114
	OIDTimestampTZ uint32 = 1184
	OIDInterval    uint32 = 1186
	OIDJSONB       uint32 = 3802
	OIDJSON        uint32 = 114
)

// OID is the PostgreSQL type OID of t, as sent in RowDescription and ParameterDescription.
func (t T) OID() uint32 {
	if t.Reg != RegNone {
		return t.Reg.OID()
	}
	switch t.Kind {
	case Bool:
		return OIDBool
	case Int16:
		return OIDInt2
	case Int32:
		return OIDInt4
	case Int64:
		return OIDInt8
	case Float32:
		return OIDFloat4
	case Float64:
		return OIDFloat8
	case Numeric:
		return OIDNumeric
	case Text:
		return OIDText
	case Varchar:
		return OIDVarchar
	case Date:
		return OIDDate
	case Timestamp:
		return OIDTimestamp
	case TimestampTZ:
		return OIDTimestampTZ
	case Interval:
		return OIDInterval
	case JSONB:
		return OIDJSONB
	case Array:
		return t.arrayOID()
	case JSON:
		return OIDJSON
	}
	return OIDUnknown
}

// FromOID returns the type with the given PostgreSQL OID (no modifiers), and false for an OID
// Runnel does not support. OID 0 (unspecified) maps to Unknown.
func FromOID(oid uint32) (T, bool) {
	if r := regFromOID(oid); r != RegNone {
		return T{Kind: Int64, Reg: r}, true
	}
	switch oid {
	case 0, OIDUnknown:
		return UnknownT, true
	case OIDBool:
		return BoolT, true
	case OIDInt2:
		return Int16T, true
	case OIDInt4:
		return Int32T, true
	case OIDInt8:
		return Int64T, true
	case OIDFloat4:
		return Float32T, true
	case OIDFloat8:
		return Float64T, true
	case OIDNumeric:
		return NumericT, true
	case OIDText:
		return TextT, true
	case OIDVarchar:
		return VarcharT, true
	case OIDDate:
		return DateT, true
	case OIDTimestamp:
		return TimestampT, true
	case OIDTimestampTZ:
		return TimestampTZT, true
	case OIDInterval:
		return IntervalT, true
	case OIDJSONB:
		return JSONBT, true
	case OIDJSON:
		return JSONT, true
	}
	return arrayFromOID(oid)
}

// Typmod is the PostgreSQL type modifier of t (pg_attribute.atttypmod): -1 when unconstrained,
// ((p << 16) | s) + 4 for numeric(p,s), n + 4 for varchar(n).
func (t T) Typmod() int32 {
	if t.Kind == Array {
		return t.ElemType().Typmod()
	}
	switch {
	case t.Kind == Numeric && t.Precision > 0:
		return (t.Precision<<16 | t.Scale) + 4
	case t.Kind == Varchar && t.Precision > 0:
		return t.Precision + 4
	}
	return -1
}

// Len is pg_type.typlen: the fixed width in bytes, or -1 for variable-length types.
func (t T) Len() int16 {
	if t.Reg != RegNone {
		return 4 // oid and the reg types are uint32 in PostgreSQL (bigint here)
	}
	switch t.Kind {
	case Bool:
		return 1
	case Int16:
		return 2
	case Int32, Float32, Date:
		return 4
	case Int64, Float64, Timestamp, TimestampTZ:
		return 8
	case Interval:
		return 16
	}
	return -1
}

// String is the type's name as PostgreSQL's format_type prints it: "bigint", "numeric(10,2)",
// "character varying(20)", "timestamp with time zone".
func (t T) String() string {
	if t.Reg != RegNone {
		return t.Reg.String()
	}
	switch t.Kind {
	case Bool:
		return "boolean"
	case Int16:
		return "smallint"
	case Int32:
		return "integer"
	case Int64:
		return "bigint"
	case Float32:
		return "real"
	case Float64:
		return "double precision"
	case Numeric:
		if t.Precision > 0 {
			return fmt.Sprintf("numeric(%d,%d)", t.Precision, t.Scale)
		}
		return "numeric"
	case Text:
		return "text"
	case Varchar:
		if t.Precision > 0 {
			return fmt.Sprintf("character varying(%d)", t.Precision)
		}
		return "character varying"
	case Date:
		return "date"
	case Timestamp:
		return "timestamp without time zone"
	case TimestampTZ:
		return "timestamp with time zone"
	case Interval:
		return "interval"
	case JSONB:
		return "jsonb"
	case Array:
		return t.arrayName()
	case JSON:
		return "json"
	}
	return "unknown"
}

// IsInteger reports whether t is smallint, integer or bigint.
func (t T) IsInteger() bool { return t.Kind == Int16 || t.Kind == Int32 || t.Kind == Int64 }

// IsFloat reports whether t is real or double precision.
func (t T) IsFloat() bool { return t.Kind == Float32 || t.Kind == Float64 }

// IsNumeric reports whether t is any number type.
func (t T) IsNumeric() bool { return t.IsInteger() || t.IsFloat() || t.Kind == Numeric }

// IsString reports whether t is text or varchar (the types stored as Arrow strings for text).
func (t T) IsString() bool { return t.Kind == Text || t.Kind == Varchar }

// NumericWidth is the byte width of one NUMERIC value in its Arrow FixedSizeBinary array.
const NumericWidth = 17

// NumericArrowType is the Arrow type of NUMERIC columns.
var NumericArrowType = &arrow.FixedSizeBinaryType{ByteWidth: NumericWidth}

// ArrowType is the Arrow type that holds values of t (see the package comment).
func (t T) ArrowType() arrow.DataType {
	switch t.Kind {
	case Bool:
		return arrow.FixedWidthTypes.Boolean
	case Int16:
		return arrow.PrimitiveTypes.Int16
	case Int32:
		return arrow.PrimitiveTypes.Int32
	case Int64:
		return arrow.PrimitiveTypes.Int64
	case Float32:
		return arrow.PrimitiveTypes.Float32
	case Float64:
		return arrow.PrimitiveTypes.Float64
	case Numeric:
		return NumericArrowType
	case Text, Varchar, JSONB, JSON, Unknown:
		return arrow.BinaryTypes.String
	case Date:
		return arrow.FixedWidthTypes.Date32
	case Timestamp:
		return arrow.FixedWidthTypes.Timestamp_us
	case TimestampTZ:
		return &arrow.TimestampType{Unit: arrow.Microsecond, TimeZone: "UTC"}
	case Interval:
		return arrow.FixedWidthTypes.MonthDayNanoInterval
	case Array:
		return arrow.ListOf(t.ElemType().ArrowType())
	}
	panic(fmt.Sprintf("types: no Arrow type for kind %d", t.Kind))
}
