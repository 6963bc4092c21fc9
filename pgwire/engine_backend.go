package pgwire

import (
	"context"

	"github.com/runnel-db/runnel/engine"
)

// EngineBackend serves the sessions of a Runnel engine: what the runnel binary and the
// sqllogictest runner's in-process server both use.
func EngineBackend(e *engine.Engine) Backend { return engineBackend{e} }

type engineBackend struct{ e *engine.Engine }

func (b engineBackend) NewSession(_ context.Context, s Startup) (Session, error) {
	sess, err := b.e.NewSession(s.User, s.Database, s.Params)
	if err != nil {
		return nil, err // not a typed nil inside the interface
	}
	return sess, nil
}
