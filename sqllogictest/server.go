package sqllogictest

import (
	"context"
	"errors"
	"fmt"
	"net"
	"time"

	"github.com/runnel-db/runnel/engine"
	"github.com/runnel-db/runnel/pgwire"
)

// server is an in-process Runnel on a throwaway in-memory store, serving 127.0.0.1:0.
type server struct {
	eng    *engine.Engine
	srv    *pgwire.Server
	url    string
	served chan error
}

func startServer() (*server, error) {
	opts := engine.DefaultOptions()
	opts.DataDir = engine.MemoryDir
	eng, err := engine.Open(opts)
	if err != nil {
		return nil, fmt.Errorf("open in-memory engine: %w", err)
	}
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		eng.Close()
		return nil, fmt.Errorf("listen: %w", err)
	}
	s := &server{
		eng:    eng,
		srv:    pgwire.NewServer(pgwire.EngineBackend(eng), pgwire.Options{}),
		url:    fmt.Sprintf("postgres://runnel@%s/runnel?sslmode=disable", ln.Addr()),
		served: make(chan error, 1),
	}
	go func() { s.served <- s.srv.Serve(ln) }()
	return s, nil
}

func (s *server) close() error {
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	err := s.srv.Shutdown(ctx)
	if serr := <-s.served; err == nil && !errors.Is(serr, net.ErrClosed) {
		err = serr
	}
	if cerr := s.eng.Close(); err == nil {
		err = cerr
	}
	return err
}
