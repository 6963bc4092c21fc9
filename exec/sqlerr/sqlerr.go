package sqlerr

import (
	"errors"
	"fmt"
)

// SQLSTATE codes Runnel returns.
const (
	SyntaxError                  = "42601"
	UndefinedTable               = "42P01"
	UndefinedColumn              = "42703"
	UndefinedFunction            = "42883"
	UndefinedObject              = "42704"
	WindowingError               = "42P20"
	DuplicateTable               = "42P07"
	DuplicateColumn              = "42701"
	InvalidTableDefinition       = "42P16"
	DuplicateObject              = "42710"
	AmbiguousColumn              = "42702"
	DatatypeMismatch             = "42804"
	CannotCoerce                 = "42846"
	GroupingError                = "42803"
	InvalidColumnReference       = "42P10"
	WrongObjectType              = "42809"
	InsufficientPrivilege        = "42501"
	ObjectNotInPrerequisiteState = "55000"
	DependentObjectsStillExist   = "2BP01"
	FeatureNotSupported          = "0A000"
	NumericValueOutOfRange       = "22003"
	DivisionByZero               = "22012"
	InvalidTextRepresentation    = "22P02"
	InvalidDatetimeFormat        = "22007"
	DatetimeFieldOverflow        = "22008"
	StringDataRightTruncation    = "22001"
	InvalidParameterValue        = "22023"
	CardinalityViolation         = "21000"
	NotNullViolation             = "23502"
	NullValueNotAllowed          = "22004"
	UniqueViolation              = "23505"
	InvalidEscapeSequence        = "22025"
	InvalidRegularExpression     = "2201B"
	ProtocolViolation            = "08P01"
	InvalidSQLStatementName      = "26000"
	InvalidCursorName            = "34000"
	QueryCanceled                = "57014"
	InvalidParameterType         = "42P18" // indeterminate_datatype
	UndefinedParameter           = "42P02"
	InvalidTransactionState      = "25000"
	TooManyConnections           = "53300"
	Internal                     = "XX000"
)

// Error is a SQL error for the client.
type Error struct {
	Code    string // SQLSTATE
	Message string
	Detail  string
	Hint    string
	// Position is a 1-based character offset into the statement text; 0 means none.
	Position int
}

func (e *Error) Error() string { return e.Message }

// New returns an error with the given SQLSTATE and formatted message.
func New(code, format string, args ...any) *Error {
	return &Error{Code: code, Message: fmt.Sprintf(format, args...)}
}

// NotSupported returns the 0A000 error for a feature Runnel does not implement, e.g.
// NotSupported("window functions") → "window functions is not supported".
func NotSupported(feature string) *Error {
	return &Error{Code: FeatureNotSupported, Message: feature + " is not supported"}
}

// At returns a copy of e positioned at the 1-based character offset pos (0 leaves it unset).
func (e *Error) At(pos int) *Error {
	c := *e
	if pos > 0 {
		c.Position = pos
	}
	return &c
}

// From returns the *Error in err's chain, or nil if there is none.
func From(err error) *Error {
	var e *Error
	if errors.As(err, &e) {
		return e
	}
	return nil
}

// Code returns the SQLSTATE of err: its *Error's code, or XX000 for any other error.
func Code(err error) string {
	if e := From(err); e != nil {
		return e.Code
	}
	return Internal
}
