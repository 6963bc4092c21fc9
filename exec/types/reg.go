package types

// Object identifier types. PostgreSQL's oid and its aliases regclass, regtype, regproc,
// regnamespace and regrole are unsigned 32-bit object ids; Runnel holds them as bigint (Kind
// Int64) marked with a RegKind, so every bigint operator, comparison and join applies to them
// unchanged, while clients see the identifier type's OID. The name lookups of the reg types'
// input and output functions need the catalog: exec/expr does them through Context.Catalog, and
// the engine sends a reg column's values as their names (a Text-kind T with the same RegKind).

// RegKind is an object identifier type, or RegNone.
type RegKind uint8

// The object identifier types.
const (
	RegNone RegKind = iota
	// RegOID is oid: printed as a number.
	RegOID
	// RegClass names a relation (pg_class), qualified when it is not visible.
	RegClass
	// RegType names a type (pg_type) as format_type prints it.
	RegType
	// RegProc names a function (pg_proc).
	RegProc
	// RegNamespace names a schema (pg_namespace).
	RegNamespace
	// RegRole names a role (pg_authid).
	RegRole
)

// PostgreSQL type OIDs of the object identifier types.
const (
	OIDOid          uint32 = 26
	OIDRegClass     uint32 = 2205
	OIDRegType      uint32 = 2206
	OIDRegProc      uint32 = 24
	OIDRegNamespace uint32 = 4089
	OIDRegRole      uint32 = 4096
)

var regOIDs = [...]uint32{RegOID: OIDOid, RegClass: OIDRegClass, RegType: OIDRegType, RegProc: OIDRegProc,
	RegNamespace: OIDRegNamespace, RegRole: OIDRegRole}

var regNames = [...]string{RegOID: "oid", RegClass: "regclass", RegType: "regtype", RegProc: "regproc",
	RegNamespace: "regnamespace", RegRole: "regrole"}

// Convenience values for the object identifier types.
var (
	OidT          = T{Kind: Int64, Reg: RegOID}
	RegClassT     = T{Kind: Int64, Reg: RegClass}
	RegTypeT      = T{Kind: Int64, Reg: RegType}
	RegProcT      = T{Kind: Int64, Reg: RegProc}
	RegNamespaceT = T{Kind: Int64, Reg: RegNamespace}
	RegRoleT      = T{Kind: Int64, Reg: RegRole}
)

// OID is the PostgreSQL type OID of r.
func (r RegKind) OID() uint32 {
	if int(r) < len(regOIDs) {
		return regOIDs[r]
	}
	return OIDUnknown
}

// String is the type name of r: "oid", "regclass", ...
func (r RegKind) String() string {
	if int(r) < len(regNames) {
		return regNames[r]
	}
	return "unknown"
}

// Named reports whether r's values print as names (every reg type but oid).
func (r RegKind) Named() bool { return r > RegOID }

// RegByName returns the object identifier type called name, or RegNone.
func RegByName(name string) RegKind {
	for r, n := range regNames {
		if n != "" && n == name {
			return RegKind(r)
		}
	}
	return RegNone
}

func regFromOID(oid uint32) RegKind {
	for r, o := range regOIDs {
		if o != 0 && o == oid {
			return RegKind(r)
		}
	}
	return RegNone
}
