package row

import (
	"fmt"

	"github.com/runnel-db/runnel/exec/sqlerr"
)

// FieldError returns err (a conversion error) with the field's name in front of its message:
// `field "user_id": invalid input syntax for type integer: "abc"`. The SQLSTATE and detail of a
// *sqlerr.Error are kept; any other error becomes XX000.
func FieldError(field string, err error) *sqlerr.Error {
	if e := sqlerr.From(err); e != nil {
		c := *e
		c.Message = fmt.Sprintf("field %q: %s", field, e.Message)
		return &c
	}
	return sqlerr.New(sqlerr.Internal, "field %q: %v", field, err)
}
