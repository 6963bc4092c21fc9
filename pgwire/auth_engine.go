package pgwire

import "context"

var _ Authenticator = engineBackend{}

// LookupRole returns the engine's role called user (see engine.Engine.LookupRole).
func (b engineBackend) LookupRole(_ context.Context, user string) (Role, bool, error) {
	r, ok := b.e.LookupRole(user)
	if !ok {
		return Role{}, false, nil
	}
	return Role{CanLogin: r.Login, Password: r.Password}, true, nil
}
