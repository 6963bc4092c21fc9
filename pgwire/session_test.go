package pgwire

import "github.com/runnel-db/runnel/engine"

// The engine's session is what cmd/runnel serves; it must keep matching the interfaces.
var (
	_ Session = (*engine.Session)(nil)
	_ Locator = (*engine.Session)(nil)
)
