package planner

import (
	"strings"

	pg_query "github.com/pganalyze/pg_query_go/v6"

	"github.com/runnel-db/runnel/exec/sqlerr"
	"github.com/runnel-db/runnel/exec/types"
)

// resolveArrayType resolves elem[] (any number of bracket pairs: PostgreSQL ignores the declared
// dimensions).
func resolveArrayType(tn *pg_query.TypeName) (types.T, error) {
	elemName := &pg_query.TypeName{Names: tn.Names, Typmods: tn.Typmods, Typemod: tn.Typemod, Location: tn.Location}
	elem, err := resolveType(elemName)
	if err != nil {
		return types.T{}, err
	}
	if elem.Kind == types.Array {
		return types.T{}, sqlerr.NotSupported("multidimensional arrays")
	}
	t, ok := types.ArrayOf(elem)
	if !ok {
		return types.T{}, sqlerr.NotSupported("arrays of type " + elem.String())
	}
	return t, nil
}

// namedArrayType resolves the array types PostgreSQL names on their own: int2vector, oidvector
// and _elem (the internal name of elem[]).
func namedArrayType(name string, tn *pg_query.TypeName) (types.T, bool, error) {
	switch name {
	case "int2vector":
		return types.Int2VectorT, true, nil
	case "oidvector":
		return types.OidVectorT, true, nil
	}
	if !strings.HasPrefix(name, "_") || len(name) < 2 {
		return types.T{}, false, nil
	}
	elemName := &pg_query.TypeName{Names: []*pg_query.Node{pg_query.MakeStrNode(name[1:])}, Typmods: tn.Typmods, Location: tn.Location}
	t, err := resolveArrayType(elemName)
	if err != nil {
		if sqlerr.Code(err) == sqlerr.UndefinedObject {
			return types.T{}, false, nil
		}
		return types.T{}, true, err
	}
	return t, true, nil
}
