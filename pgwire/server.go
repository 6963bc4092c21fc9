package pgwire

import (
	"context"
	"crypto/rand"
	"crypto/subtle"
	"crypto/tls"
	"encoding/binary"
	"errors"
	"log/slog"
	"net"
	"sync"
	"time"

	"github.com/runnel-db/runnel/exec/sqlerr"
)

// ErrServerClosed is returned by Serve after Shutdown.
var ErrServerClosed = errors.New("pgwire: server closed")

// Options configure a Server. The zero value is valid: see the defaults on each field.
type Options struct {
	// MaxMessageSize is the largest message body a client may send; a larger one is a protocol
	// violation that closes the connection (FATAL 08P01). Default 64 MiB.
	MaxMessageSize int
	// MaxConnections limits concurrent sessions; further clients get FATAL 53300. Default 100;
	// negative means no limit.
	MaxConnections int
	// StartupTimeout bounds the startup handshake (PostgreSQL's authentication_timeout).
	// Default 60 s.
	StartupTimeout time.Duration
	// TLSConfig enables TLS: an SSLRequest is answered 'S' and the connection continues over TLS.
	// nil answers 'N' (clients must then use sslmode=disable or prefer).
	TLSConfig *tls.Config
	// Auth says which clients must give a password (auth.go). The default, AuthLoopbackTrust,
	// trusts loopback, Unix-socket and in-process connections and asks everyone else; passwords
	// are checked against the Backend's Authenticator.
	Auth AuthMethod
	// Logger receives connection-level problems (protocol violations, internal errors, panics).
	// Default slog.Default().
	Logger *slog.Logger
}

const (
	defaultMaxMessageSize = 64 << 20
	defaultMaxConnections = 100
	defaultStartupTimeout = 60 * time.Second
)

func (o Options) withDefaults() Options {
	if o.MaxMessageSize <= 0 {
		o.MaxMessageSize = defaultMaxMessageSize
	}
	if o.MaxConnections == 0 {
		o.MaxConnections = defaultMaxConnections
	}
	if o.StartupTimeout <= 0 {
		o.StartupTimeout = defaultStartupTimeout
	}
	if o.Logger == nil {
		o.Logger = slog.Default()
	}
	return o
}

// Server accepts PostgreSQL connections and serves each with a Session from its Backend.
type Server struct {
	backend Backend
	opts    Options

	// ctx is the parent of every connection's context; Shutdown cancels it with errShutdown.
	ctx    context.Context
	cancel context.CancelCauseFunc

	mu        sync.Mutex
	closed    bool
	listeners map[net.Listener]struct{}
	conns     map[*conn]struct{}
	byPID     map[uint32]*conn // connections that completed startup, by BackendKeyData process id
	sessions  int              // connections counted against MaxConnections
	wg        sync.WaitGroup

	// mockKey derives the salt of made-up SCRAM credentials (auth_scram.go).
	mockKey [32]byte
	// cbData is the TLS channel binding data, computed once (auth_scram.go).
	cbOnce sync.Once
	cbData []byte
}

// errShutdown is the cause of connection contexts cancelled by Shutdown.
var errShutdown = &sqlerr.Error{Code: "57P01", Message: "terminating connection due to administrator command"}

// NewServer returns a server that creates sessions with b.
func NewServer(b Backend, opts Options) *Server {
	ctx, cancel := context.WithCancelCause(context.Background())
	s := &Server{
		backend:   b,
		opts:      opts.withDefaults(),
		ctx:       ctx,
		cancel:    cancel,
		listeners: make(map[net.Listener]struct{}),
		conns:     make(map[*conn]struct{}),
		byPID:     make(map[uint32]*conn),
	}
	if _, err := rand.Read(s.mockKey[:]); err != nil {
		panic(err) // crypto/rand never fails on supported platforms
	}
	return s
}

// Serve accepts connections on ln until Shutdown (then it returns ErrServerClosed) or until
// Accept fails permanently. It closes ln when it returns.
func (s *Server) Serve(ln net.Listener) error {
	s.mu.Lock()
	if s.closed {
		s.mu.Unlock()
		ln.Close()
		return ErrServerClosed
	}
	s.listeners[ln] = struct{}{}
	s.mu.Unlock()
	defer func() {
		s.mu.Lock()
		delete(s.listeners, ln)
		s.mu.Unlock()
		ln.Close()
	}()

	var backoff time.Duration
	for {
		nc, err := ln.Accept()
		if err != nil {
			if s.isClosed() {
				return ErrServerClosed
			}
			var ne net.Error
			var tmp interface{ Temporary() bool } // EMFILE and friends: wait and retry, as net/http does
			if (errors.As(err, &ne) && ne.Timeout()) || (errors.As(err, &tmp) && tmp.Temporary()) {
				backoff = min(max(2*backoff, 5*time.Millisecond), time.Second)
				time.Sleep(backoff)
				continue
			}
			return err
		}
		backoff = 0
		c := newConn(s, nc)
		s.mu.Lock()
		if s.closed {
			s.mu.Unlock()
			nc.Close()
			return ErrServerClosed
		}
		s.conns[c] = struct{}{}
		s.wg.Add(1)
		s.mu.Unlock()
		go func() {
			defer s.wg.Done()
			c.serve()
			s.mu.Lock()
			delete(s.conns, c)
			s.mu.Unlock()
		}()
	}
}

// Shutdown stops accepting connections, cancels running statements, sends FATAL 57P01 to every
// client and closes its connection. It waits for connection goroutines to end until ctx is done;
// then it closes the remaining sockets and returns ctx's error.
func (s *Server) Shutdown(ctx context.Context) error {
	s.mu.Lock()
	s.closed = true
	for ln := range s.listeners {
		ln.Close()
	}
	s.mu.Unlock()
	s.cancel(errShutdown)

	done := make(chan struct{})
	go func() {
		s.wg.Wait()
		close(done)
	}()
	select {
	case <-done:
		return nil
	case <-ctx.Done():
	}
	s.mu.Lock()
	for c := range s.conns {
		c.nc.Close()
	}
	s.mu.Unlock()
	<-done
	return ctx.Err()
}

func (s *Server) isClosed() bool {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.closed
}

// admit counts a new session against MaxConnections.
func (s *Server) admit() bool {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.opts.MaxConnections > 0 && s.sessions >= s.opts.MaxConnections {
		return false
	}
	s.sessions++
	return true
}

// register gives c a unique process id and a random secret, and makes it cancellable.
func (s *Server) register(c *conn) {
	var b [8]byte
	s.mu.Lock()
	defer s.mu.Unlock()
	for {
		if _, err := rand.Read(b[:]); err != nil {
			panic(err) // crypto/rand never fails on supported platforms
		}
		pid := binary.BigEndian.Uint32(b[:4]) & 0x7fffffff
		if _, used := s.byPID[pid]; pid == 0 || used {
			continue
		}
		c.pid = pid
		copy(c.secret[:], b[4:])
		s.byPID[pid] = c
		return
	}
}

// release undoes admit and register.
func (s *Server) release(c *conn, admitted bool) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if admitted {
		s.sessions--
	}
	if c.pid != 0 && s.byPID[c.pid] == c {
		delete(s.byPID, c.pid)
	}
}

// cancelRequest cancels the running statement of the connection with the given key, if any.
func (s *Server) cancelRequest(pid uint32, secret []byte) {
	s.mu.Lock()
	c := s.byPID[pid]
	s.mu.Unlock()
	if c == nil || subtle.ConstantTimeCompare(c.secret[:], secret) != 1 {
		return
	}
	c.cancelStatement()
}
