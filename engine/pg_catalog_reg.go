package engine

import (
	"hash/fnv"
	"sort"
	"strconv"
	"strings"

	"github.com/apache/arrow-go/v18/arrow"
	"github.com/apache/arrow-go/v18/arrow/array"

	"github.com/runnel-db/runnel/exec/expr"
	"github.com/runnel-db/runnel/exec/sqlerr"
	"github.com/runnel-db/runnel/exec/types"
	"github.com/runnel-db/runnel/exec/zset"
	"github.com/runnel-db/runnel/planner"
)

// catalogReader is the expr.Catalog of ad-hoc queries: an immutable copy of what the reg types
// and the catalog functions read (relations, indexes, roles), built under e.mu from the catalog
// at one version and shared by every query until the catalog changes. Queries evaluate
// expressions after releasing e.mu, so the functions must never read e.cat directly.
type catalogReader struct {
	e       *Engine
	version uint64
	// objects are the user relations by schema and name; byOID finds relations, indexes and
	// constraints by oid.
	objects   []*object
	relByOID  map[int64]*object
	idxByOID  map[int64]indexRef
	conByOID  map[int64]indexRef
	roleNames []string
}

// indexRef is an index of a table: one of its secondary indexes, or (ix nil) its primary key.
type indexRef struct {
	table *object
	ix    *index
}

// Object ids of what Runnel keeps no pg_class entry of its own for: a table's primary key index
// and the constraints. They are derived from the table's or index's id, far above user oids.
const (
	pkeyIndexOIDBase  = 1 << 30
	constraintOIDBase = 1 << 29
)

func pkeyIndexOID(o *object) int64 { return pkeyIndexOIDBase + int64(o.ID) }

// pkeyName is the name PostgreSQL gives a table's primary key index and constraint.
func pkeyName(o *object) string { return o.Name + "_pkey" }

// roleOID is the oid of the role called name: the bootstrap role's is 10, as in PostgreSQL;
// other roles have none stored, so theirs is a hash of the name (stable across restarts).
func roleOID(name string) int64 {
	if name == BootstrapRole {
		return oidBootstrapRole
	}
	h := fnv.New32a()
	h.Write([]byte(name))
	return int64(h.Sum32()%(1<<28)) + (1 << 28)
}

// catalogReader returns the reader for the catalog's current version (the caller holds e.mu).
func (e *Engine) catalogReader() *catalogReader {
	if r := e.cat.reader.Load(); r != nil && r.version == e.cat.version {
		return r
	}
	r := &catalogReader{e: e, version: e.cat.version, objects: e.userObjects(), relByOID: map[int64]*object{},
		idxByOID: map[int64]indexRef{}, conByOID: map[int64]indexRef{}}
	for _, o := range r.objects {
		r.relByOID[int64(o.OID())] = o
		if o.Kind == planner.Table && len(o.PrimaryKey) > 0 {
			r.idxByOID[pkeyIndexOID(o)] = indexRef{table: o}
			r.conByOID[constraintOIDBase+int64(o.ID)] = indexRef{table: o}
		}
		for i := range o.Indexes {
			ix := &o.Indexes[i]
			r.idxByOID[int64(firstOID+ix.ID)] = indexRef{table: o, ix: ix}
			if ix.Constraint {
				r.conByOID[constraintOIDBase+int64(ix.ID)] = indexRef{table: o, ix: ix}
			}
		}
	}
	r.roleNames = []string{BootstrapRole}
	for name := range e.cat.roles {
		if name != BootstrapRole {
			r.roleNames = append(r.roleNames, name)
		}
	}
	sort.Strings(r.roleNames[1:])
	e.cat.reader.Store(r)
	return r
}

var _ expr.Catalog = (*catalogReader)(nil)

// readerOf returns the catalog reader of a query's context, or an error for contexts without one
// (materialized views: their contents may not depend on the catalog).
func readerOf(ctx *expr.Context, fn string) (*catalogReader, error) {
	if ctx != nil {
		if r, ok := ctx.Catalog.(*catalogReader); ok {
			return r, nil
		}
	}
	return nil, sqlerr.NotSupported(fn + " outside an ad-hoc query")
}

// relationName is the name of the relation oid (a user object, index or system view) and its
// schema; ok is false when there is none.
func (r *catalogReader) relationName(oid int64) (schema, name string, ok bool) {
	if o := r.relByOID[oid]; o != nil {
		return o.Schema, o.Name, true
	}
	if ref, found := r.idxByOID[oid]; found {
		if ref.ix == nil {
			return ref.table.Schema, pkeyName(ref.table), true
		}
		return ref.table.Schema, ref.ix.Name, true
	}
	if i := oid - systemOIDBase; i >= 0 && i < int64(len(systemRelations)) {
		return systemRelations[i].schema, systemRelations[i].name, true
	}
	return "", "", false
}

// schemaVisible reports whether objects of schema are found without qualification: pg_catalog
// and public are on every search path.
func schemaVisible(schema string) bool { return schema == PgCatalog || schema == DefaultSchema }

// RegName implements expr.Catalog.
func (r *catalogReader) RegName(reg types.RegKind, oid int64) (string, error) {
	number := strconv.FormatInt(oid, 10)
	switch reg {
	case types.RegClass:
		if schema, name, ok := r.relationName(oid); ok {
			if schemaVisible(schema) {
				return expr.QuoteIdent(name), nil
			}
			return expr.QuoteIdent(schema) + "." + expr.QuoteIdent(name), nil
		}
	case types.RegType:
		if oid == 0 {
			return "-", nil
		}
		if t, ok := pgTypeByOID(oid); ok {
			return t.String(), nil
		}
	case types.RegProc:
		if oid == 0 {
			return "-", nil
		}
		if p := procByOID(oid); p != nil {
			return p.name, nil
		}
	case types.RegNamespace:
		for _, s := range pgSchemas {
			if namespaceOID(s) == oid {
				return expr.QuoteIdent(s), nil
			}
		}
	case types.RegRole:
		if oid == 0 {
			return "-", nil
		}
		for _, name := range r.roleNames {
			if roleOID(name) == oid {
				return expr.QuoteIdent(name), nil
			}
		}
	}
	return number, nil
}

// RegOID implements expr.Catalog.
func (r *catalogReader) RegOID(reg types.RegKind, text string) (int64, error) {
	text = strings.TrimSpace(text)
	if n, err := strconv.ParseInt(text, 10, 64); err == nil {
		return n, nil
	}
	switch reg {
	case types.RegType:
		if oid, ok := pgTypeByName(text); ok {
			return oid, nil
		}
		return 0, sqlerr.New(sqlerr.UndefinedObject, "type %q does not exist", text)
	case types.RegProc:
		parts, err := splitQualifiedName(text)
		if err != nil {
			return 0, err
		}
		if len(parts) == 2 && parts[0] != PgCatalog {
			return 0, sqlerr.New(sqlerr.UndefinedFunction, "function %q does not exist", text)
		}
		ps := procsNamed(parts[len(parts)-1])
		switch len(ps) {
		case 0:
			return 0, sqlerr.New(sqlerr.UndefinedFunction, "function %q does not exist", text)
		case 1:
			return ps[0].oid, nil
		}
		return 0, sqlerr.New("42725", "more than one function named %q", text)
	}
	parts, err := splitQualifiedName(text)
	if err != nil {
		return 0, err
	}
	switch reg {
	case types.RegClass:
		if len(parts) > 2 {
			return 0, sqlerr.NotSupported("cross-database references")
		}
		schemas := []string{PgCatalog, DefaultSchema}
		if len(parts) == 2 {
			schemas = parts[:1]
		}
		name := parts[len(parts)-1]
		for _, s := range schemas {
			if oid, ok := r.relationOID(s, name); ok {
				return oid, nil
			}
		}
		return 0, sqlerr.New(sqlerr.UndefinedTable, "relation %q does not exist", text)
	case types.RegNamespace:
		for _, s := range pgSchemas {
			if len(parts) == 1 && parts[0] == s {
				return namespaceOID(s), nil
			}
		}
		return 0, sqlerr.New("3F000", "schema %q does not exist", text)
	case types.RegRole:
		for _, name := range r.roleNames {
			if len(parts) == 1 && parts[0] == name {
				return roleOID(name), nil
			}
		}
		return 0, sqlerr.New(sqlerr.UndefinedObject, "role %q does not exist", text)
	}
	return 0, sqlerr.NotSupported("input of type " + reg.String())
}

// relationOID finds the relation schema.name: a user object, an index or a system view.
func (r *catalogReader) relationOID(schema, name string) (int64, bool) {
	for _, o := range r.objects {
		if o.Schema != schema {
			continue
		}
		if o.Name == name {
			return int64(o.OID()), true
		}
		if o.Kind == planner.Table && len(o.PrimaryKey) > 0 && pkeyName(o) == name {
			return pkeyIndexOID(o), true
		}
		for _, ix := range o.Indexes {
			if ix.Name == name {
				return int64(firstOID + ix.ID), true
			}
		}
	}
	if rel, id := lookupSystem(schema, name); rel != nil {
		return int64(systemOIDBase + id - systemIDBase), true
	}
	return 0, false
}

// splitQualifiedName splits a possibly qualified, possibly double-quoted name as the reg types'
// input functions read it: unquoted parts fold to lower case.
func splitQualifiedName(s string) ([]string, error) {
	var parts []string
	for {
		var part string
		if strings.HasPrefix(s, `"`) {
			end := 1
			var b strings.Builder
			for {
				i := strings.IndexByte(s[end:], '"')
				if i < 0 {
					return nil, sqlerr.New(sqlerr.InvalidTextRepresentation, "invalid name syntax")
				}
				b.WriteString(s[end : end+i])
				end += i + 1
				if strings.HasPrefix(s[end:], `"`) {
					b.WriteByte('"')
					end++
					continue
				}
				break
			}
			part, s = b.String(), s[end:]
		} else {
			i := strings.IndexByte(s, '.')
			if i < 0 {
				i = len(s)
			}
			part, s = strings.ToLower(strings.TrimSpace(s[:i])), s[i:]
		}
		if part == "" {
			return nil, sqlerr.New(sqlerr.InvalidTextRepresentation, "invalid name syntax")
		}
		parts = append(parts, part)
		if s == "" {
			return parts, nil
		}
		if s[0] != '.' {
			return nil, sqlerr.New(sqlerr.InvalidTextRepresentation, "invalid name syntax")
		}
		s = s[1:]
	}
}

// nameRegColumns replaces the values of the result's named reg columns (regclass, regtype, ...)
// by their names, as PostgreSQL's output functions print them; the columns keep the reg type's
// OID in RowDescription.
func (r *catalogReader) nameRegColumns(cols []Column, b zset.Batch) (zset.Batch, error) {
	named := false
	for _, c := range cols {
		named = named || (c.Type.Reg.Named() && c.Type.Kind == types.Int64)
	}
	if !named {
		return b, nil
	}
	arrs := make([]arrow.Array, len(cols))
	for i, c := range cols {
		if !(c.Type.Reg.Named() && c.Type.Kind == types.Int64) {
			arrs[i] = b.Col(i)
			arrs[i].Retain()
			continue
		}
		in := b.Col(i).(*array.Int64)
		sb := array.NewStringBuilder(r.e.mem)
		for j := 0; j < in.Len(); j++ {
			if in.IsNull(j) {
				sb.AppendNull()
				continue
			}
			name, err := r.RegName(c.Type.Reg, in.Value(j))
			if err != nil {
				sb.Release()
				releaseArrays(arrs[:i])
				return zset.Batch{}, err
			}
			sb.Append(name)
		}
		arrs[i] = sb.NewArray()
		sb.Release()
		cols[i].Type = types.T{Kind: types.Text, Reg: c.Type.Reg}
	}
	out := zset.New(arrs, b.WeightArray())
	releaseArrays(arrs)
	b.Release()
	return out, nil
}

func releaseArrays(arrs []arrow.Array) {
	for _, a := range arrs {
		if a != nil {
			a.Release()
		}
	}
}
