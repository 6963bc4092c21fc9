package engine

import (
	"context"
	"encoding/json"
	"fmt"
	"strings"

	pg_query "github.com/pganalyze/pg_query_go/v6"

	"github.com/runnel-db/runnel/exec/sqlerr"
	"github.com/runnel-db/runnel/exec/types"
	"github.com/runnel-db/runnel/sql"
	"github.com/runnel-db/runnel/storage"
)

// Roles. A role is who a client logs in as. Roles are not relations: they live in the catalog's
// own map (catalog.roles), each persisted as JSON under storage.RoleKey(name), and are changed
// like the rest of the catalog, in an epoch under the write lock. The built-in superuser
// BootstrapRole exists without an entry; ALTER ROLE on it stores one, which then overrides the
// built-in defaults. Only superusers create, alter and drop roles; any role may change its own
// password.

// BootstrapRole is the built-in superuser that always exists (it cannot be dropped or lose
// SUPERUSER). Without a stored entry it can log in and has no password.
const BootstrapRole = "runnel"

// role is one catalog role.
type role struct {
	Name      string `json:"name"`
	Login     bool   `json:"login"`
	Superuser bool   `json:"superuser"`
	// Password is the stored verifier (see roles_password.go); "" means none.
	Password string `json:"password,omitempty"`
}

// Role is what authentication needs to know about a role.
type Role struct {
	Name string
	// Login is false for roles created NOLOGIN (CREATE ROLE's default; CREATE USER implies LOGIN).
	Login     bool
	Superuser bool
	// Password is the verifier in PostgreSQL's rolpassword form ("SCRAM-SHA-256$..." or
	// "md5..."), or "" when the role has no password.
	Password string
}

// LookupRole returns the role called name; ok is false when there is none.
func (e *Engine) LookupRole(name string) (r Role, ok bool) {
	e.mu.RLock()
	defer e.mu.RUnlock()
	ro := e.cat.role(name)
	if ro == nil {
		return Role{}, false
	}
	return Role{Name: ro.Name, Login: ro.Login, Superuser: ro.Superuser, Password: ro.Password}, true
}

// role returns the role called name, the built-in BootstrapRole included, or nil.
func (c *catalog) role(name string) *role {
	if r := c.roles[name]; r != nil {
		return r
	}
	if name == BootstrapRole {
		return &role{Name: BootstrapRole, Login: true, Superuser: true}
	}
	return nil
}

// loadRoles reads every stored role.
func (c *catalog) loadRoles(db *storage.DB) error {
	snap := db.NewSnapshot()
	defer snap.Close()
	lower := storage.KindPrefix(storage.KindRole)
	it, err := snap.NewIter(lower, storage.PrefixEnd(lower))
	if err != nil {
		return fmt.Errorf("load roles: %w", err)
	}
	defer it.Close()
	for it.First(); it.Valid(); it.Next() {
		r := new(role)
		if err := json.Unmarshal(it.Value(), r); err != nil {
			return fmt.Errorf("load role %x: %w", it.Key(), err)
		}
		c.roles[r.Name] = r
	}
	return it.Error()
}

// persistRole writes r's entry into the epoch.
func (tx *epochTx) persistRole(r *role) error {
	v, err := json.Marshal(r)
	if err != nil {
		return err
	}
	return tx.wb.Set(storage.RoleKey(r.Name), v)
}

// isSuperuser reports whether the session's user is a superuser role. Under trust
// authentication a session may run as a user that is no role at all: it is not one.
func (s *Session) isSuperuser() bool {
	s.e.mu.RLock()
	defer s.e.mu.RUnlock()
	r := s.e.cat.role(s.user)
	return r != nil && r.Superuser
}

func (*createRoleExec) writes() {}
func (*alterRoleExec) writes()  {}
func (*dropRoleExec) writes()   {}

// roleOptions are the options of CREATE ROLE and ALTER ROLE that Runnel supports.
type roleOptions struct {
	login, superuser *bool
	// setPassword is true for PASSWORD 'pw' and PASSWORD NULL (password nil).
	setPassword bool
	password    *string
}

// parseRoleOptions reads the DefElem options of a role statement.
func parseRoleOptions(st sql.Statement, opts []*pg_query.Node) (roleOptions, error) {
	var o roleOptions
	seen := map[string]bool{}
	for _, n := range opts {
		d := n.GetDefElem()
		if d == nil {
			continue
		}
		pos := sql.Position(st.Text, int(d.Location))
		if seen[d.Defname] {
			return o, sqlerr.New(sqlerr.SyntaxError, "conflicting or redundant options").At(pos)
		}
		seen[d.Defname] = true
		flag, isBool := d.Arg.GetNode().(*pg_query.Node_Boolean)
		switch {
		case d.Defname == "canlogin" && isBool:
			v := flag.Boolean.Boolval
			o.login = &v
		case d.Defname == "superuser" && isBool:
			v := flag.Boolean.Boolval
			o.superuser = &v
		case d.Defname == "inherit" && isBool && flag.Boolean.Boolval:
			// INHERIT is the default and Runnel has no role membership: nothing to do.
		case d.Defname == "password":
			o.setPassword = true
			if d.Arg != nil {
				s := d.Arg.GetString_()
				if s == nil {
					return o, sqlerr.New(sqlerr.SyntaxError, "syntax error at or near PASSWORD").At(pos)
				}
				pw := s.Sval
				o.password = &pw
			}
		default:
			return o, sqlerr.NotSupported("role option " + roleOptionName(d)).At(pos)
		}
	}
	return o, nil
}

// roleOptionName spells an option as written: createdb → CREATEDB, false → NOCREATEDB.
func roleOptionName(d *pg_query.DefElem) string {
	names := map[string]string{
		"canlogin": "LOGIN", "connectionlimit": "CONNECTION LIMIT", "validUntil": "VALID UNTIL",
		"addroleto": "IN ROLE", "rolemembers": "ROLE", "adminmembers": "ADMIN", "sysid": "SYSID",
	}
	name, ok := names[d.Defname]
	if !ok {
		name = strings.ToUpper(d.Defname)
	}
	if b, ok := d.Arg.GetNode().(*pg_query.Node_Boolean); ok && !b.Boolean.Boolval {
		name = "NO" + name
	}
	return name
}

// apply sets the options on r; a new password is encrypted as the session's
// password_encryption says.
func (o roleOptions) apply(s *Session, r *role) error {
	if o.login != nil {
		r.Login = *o.login
	}
	if o.superuser != nil {
		r.Superuser = *o.superuser
	}
	if o.setPassword {
		r.Password = ""
		// An empty password is no password, as in PostgreSQL (which also says so in a NOTICE).
		if o.password != nil && *o.password != "" {
			_, method, err := s.settings.get("password_encryption")
			if err != nil {
				return err
			}
			v, err := EncryptPassword(method, r.Name, *o.password)
			if err != nil {
				return err
			}
			r.Password = v
		}
	}
	return nil
}

// checkRoleName rejects the names PostgreSQL reserves.
func checkRoleName(name string) error {
	if strings.HasPrefix(name, "pg_") {
		e := sqlerr.New("42939", "role name %q is reserved", name)
		e.Detail = "Role names starting with \"pg_\" are reserved."
		return e
	}
	if name == "public" || name == "none" {
		return sqlerr.New("42939", "role name %q is reserved", name)
	}
	return nil
}

func errNoRole(name string) error {
	return sqlerr.New(sqlerr.UndefinedObject, "role %q does not exist", name)
}

// CREATE ROLE / CREATE USER

type createRoleExec struct {
	st   sql.Statement
	stmt *pg_query.CreateRoleStmt
}

func (x *createRoleExec) execute(ctx context.Context, s *Session, _ []types.Datum) (*Result, error) {
	if !s.isSuperuser() {
		e := sqlerr.New(sqlerr.InsufficientPrivilege, "permission denied to create role")
		e.Detail = "Only superusers may create roles."
		return nil, e
	}
	name := x.stmt.Role
	if err := checkRoleName(name); err != nil {
		return nil, err
	}
	opts, err := parseRoleOptions(x.st, x.stmt.Options)
	if err != nil {
		return nil, err
	}
	r := &role{Name: name, Login: x.stmt.StmtType == pg_query.RoleStmtType_ROLESTMT_USER}
	if err := opts.apply(s, r); err != nil {
		return nil, err
	}
	e := s.e
	e.writeMu.Lock()
	defer e.writeMu.Unlock()
	e.mu.RLock()
	exists := e.cat.role(name) != nil
	e.mu.RUnlock()
	if exists {
		return nil, sqlerr.New(sqlerr.DuplicateObject, "role %q already exists", name)
	}
	if err := e.runEpoch(ctx, func(tx *epochTx) error { return tx.persistRole(r) }); err != nil {
		return nil, err
	}
	e.mu.Lock()
	e.cat.roles[name] = r
	e.cat.version++ // the catalog functions' copy lists roles
	e.mu.Unlock()
	return &Result{Tag: "CREATE ROLE"}, nil
}

// ALTER ROLE

type alterRoleExec struct {
	st   sql.Statement
	stmt *pg_query.AlterRoleStmt
}

func (x *alterRoleExec) execute(ctx context.Context, s *Session, _ []types.Datum) (*Result, error) {
	name, err := s.roleSpecName(x.stmt.Role)
	if err != nil {
		return nil, err
	}
	opts, err := parseRoleOptions(x.st, x.stmt.Options)
	if err != nil {
		return nil, err
	}
	// A role may change its own password; everything else takes a superuser.
	own := name == s.user && opts.login == nil && opts.superuser == nil
	if !own && !s.isSuperuser() {
		e := sqlerr.New(sqlerr.InsufficientPrivilege, "permission denied to alter role")
		e.Detail = "Only superusers may alter roles other than their own password."
		return nil, e
	}
	if name == BootstrapRole && opts.superuser != nil && !*opts.superuser {
		e := sqlerr.New(sqlerr.InsufficientPrivilege, "permission denied to alter role")
		e.Detail = "The bootstrap user must have the SUPERUSER attribute."
		return nil, e
	}
	e := s.e
	e.writeMu.Lock()
	defer e.writeMu.Unlock()
	e.mu.RLock()
	old := e.cat.role(name)
	e.mu.RUnlock()
	if old == nil {
		return nil, errNoRole(name)
	}
	r := *old
	if err := opts.apply(s, &r); err != nil {
		return nil, err
	}
	if err := e.runEpoch(ctx, func(tx *epochTx) error { return tx.persistRole(&r) }); err != nil {
		return nil, err
	}
	e.mu.Lock()
	e.cat.roles[name] = &r
	e.cat.version++ // the catalog functions' copy lists roles
	e.mu.Unlock()
	return &Result{Tag: "ALTER ROLE"}, nil
}

// roleSpecName resolves a role specification: a name, or CURRENT_USER and its synonyms.
func (s *Session) roleSpecName(rs *pg_query.RoleSpec) (string, error) {
	switch rs.GetRoletype() {
	case pg_query.RoleSpecType_ROLESPEC_CSTRING:
		return rs.Rolename, nil
	case pg_query.RoleSpecType_ROLESPEC_CURRENT_USER, pg_query.RoleSpecType_ROLESPEC_SESSION_USER, pg_query.RoleSpecType_ROLESPEC_CURRENT_ROLE:
		return s.user, nil
	case pg_query.RoleSpecType_ROLESPEC_PUBLIC:
		return "", errNoRole("public")
	}
	return "", sqlerr.NotSupported("this role specification")
}

// DROP ROLE

type dropRoleExec struct {
	st   sql.Statement
	stmt *pg_query.DropRoleStmt
}

func (x *dropRoleExec) execute(ctx context.Context, s *Session, _ []types.Datum) (*Result, error) {
	if !s.isSuperuser() {
		e := sqlerr.New(sqlerr.InsufficientPrivilege, "permission denied to drop role")
		e.Detail = "Only superusers may drop roles."
		return nil, e
	}
	var names []string
	for _, n := range x.stmt.Roles {
		rs := n.GetRoleSpec()
		if rs.GetRoletype() != pg_query.RoleSpecType_ROLESPEC_CSTRING {
			return nil, sqlerr.New(sqlerr.SyntaxError, "cannot use special role specifier in DROP ROLE")
		}
		names = append(names, rs.Rolename)
	}
	e := s.e
	e.writeMu.Lock()
	defer e.writeMu.Unlock()
	var drop []string
	e.mu.RLock()
	for _, name := range names {
		switch {
		case e.cat.role(name) == nil:
			if !x.stmt.MissingOk {
				e.mu.RUnlock()
				return nil, errNoRole(name)
			}
		case name == BootstrapRole:
			e.mu.RUnlock()
			return nil, sqlerr.New("55006", "cannot drop role %s because it is required by the database system", name)
		case name == s.user:
			e.mu.RUnlock()
			return nil, sqlerr.New("55006", "current user cannot be dropped")
		default:
			drop = append(drop, name)
		}
	}
	e.mu.RUnlock()
	if len(drop) > 0 {
		err := e.runEpoch(ctx, func(tx *epochTx) error {
			for _, name := range drop {
				if err := tx.wb.Delete(storage.RoleKey(name)); err != nil {
					return err
				}
			}
			return nil
		})
		if err != nil {
			return nil, err
		}
		e.mu.Lock()
		for _, name := range drop {
			delete(e.cat.roles, name)
		}
		e.cat.version++
		e.mu.Unlock()
	}
	return &Result{Tag: "DROP ROLE"}, nil
}
