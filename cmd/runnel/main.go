package main

import (
	"context"
	"crypto/tls"
	"errors"
	"flag"
	"fmt"
	"log/slog"
	"net"
	"os"
	"os/signal"
	"syscall"
	"time"

	"github.com/runnel-db/runnel/engine"
	"github.com/runnel-db/runnel/pgwire"
)

func main() {
	run := run
	if len(os.Args) > 1 {
		switch os.Args[1] {
		case "slt":
			run, os.Args = runSLT, os.Args[1:]
		case "playground":
			run, os.Args = runPlayground, os.Args[1:]
		case "bench":
			run, os.Args = func(args []string) error { return runBench(args, os.Stdout) }, os.Args[1:]
		}
	}
	if err := run(os.Args[1:]); err != nil {
		fmt.Fprintln(os.Stderr, "runnel:", err)
		os.Exit(1)
	}
}

func run(args []string) error {
	fs := flag.NewFlagSet("runnel", flag.ContinueOnError)
	listen := fs.String("listen", "127.0.0.1:6543", "address to serve the Postgres protocol on")
	dataDir := fs.String("data-dir", "./runnel-data", "data directory (\":memory:\" for an in-memory store)")
	tlsCert := fs.String("tls-cert", "", "PEM certificate (chain) file: serve TLS to clients that ask for it (with --tls-key)")
	tlsKey := fs.String("tls-key", "", "PEM private key file of --tls-cert")
	auth := fs.String("auth", pgwire.AuthLoopbackTrust.String(), "client authentication: loopback-trust (no password from loopback, a password from anywhere else), password or trust")
	maxConns := fs.Int("max-connections", 100, "most concurrent sessions; -1 for no limit")
	if err := fs.Parse(args); err != nil {
		return err
	}
	log := slog.New(slog.NewTextHandler(os.Stderr, nil))
	srvOpts, err := serverOptions(*tlsCert, *tlsKey, *auth, *maxConns)
	if err != nil {
		return err
	}
	srvOpts.Logger = log
	opts := engine.DefaultOptions()
	opts.DataDir = *dataDir
	opts.Logger = log
	eng, err := engine.Open(opts)
	if err != nil {
		return err
	}
	ln, err := net.Listen("tcp", *listen)
	if err != nil {
		eng.Close()
		return err
	}
	srv := pgwire.NewServer(pgwire.EngineBackend(eng), srvOpts)
	host, port, _ := net.SplitHostPort(ln.Addr().String())
	log.Info(fmt.Sprintf("runnel listening on %s, data in %s; connect with: psql -h %s -p %s -U runnel runnel", ln.Addr(), *dataDir, host, port))

	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	served := make(chan error, 1)
	go func() { served <- srv.Serve(ln) }()
	select {
	case err = <-served:
	case <-ctx.Done():
		log.Info("shutting down")
		sctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
		err = srv.Shutdown(sctx)
		cancel()
	}
	if cerr := eng.Close(); err == nil {
		err = cerr
	}
	if errors.Is(err, net.ErrClosed) {
		err = nil
	}
	return err
}

// serverOptions turns the connection flags into pgwire options.
func serverOptions(tlsCert, tlsKey, auth string, maxConns int) (pgwire.Options, error) {
	var opts pgwire.Options
	method, err := pgwire.ParseAuthMethod(auth)
	if err != nil {
		return opts, err
	}
	opts.Auth = method
	if maxConns == 0 {
		return opts, errors.New("--max-connections must be positive, or -1 for no limit")
	}
	opts.MaxConnections = maxConns
	if (tlsCert == "") != (tlsKey == "") {
		return opts, errors.New("--tls-cert and --tls-key go together")
	}
	if tlsCert != "" {
		cert, err := tls.LoadX509KeyPair(tlsCert, tlsKey)
		if err != nil {
			return opts, fmt.Errorf("load TLS certificate: %w", err)
		}
		opts.TLSConfig = &tls.Config{Certificates: []tls.Certificate{cert}, MinVersion: tls.VersionTLS12}
	}
	return opts, nil
}
