package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"log/slog"
	"net"
	"os"
	"os/signal"
	"path/filepath"
	"syscall"
	"time"

	"github.com/twmb/franz-go/pkg/kfake"
	"github.com/twmb/franz-go/pkg/kgo"

	"github.com/runnel-db/runnel/connectors/datagen"
	"github.com/runnel-db/runnel/engine"
	"github.com/runnel-db/runnel/pgwire"
)

// The playground: `runnel playground` runs, in one process, an embedded Kafka-protocol broker
// (franz-go's kfake) with a topic of page views, a generator producing to it at a steady rate
// (connectors/datagen), and the Runnel server; it prints the psql command and the statements
// that turn the topic into a live view.
//
// Data lives in memory by default and is gone when the playground stops: the broker keeps the
// topic in memory, and a database that outlived its topic would hold offsets into a log that no
// longer exists. With --data-dir DIR both persist, the database in DIR/runnel and the broker's
// log in DIR/kafka, so a restarted playground resumes where it stopped (the source and view
// then already exist).

const (
	playgroundTopic      = "pageviews"
	playgroundPartitions = 3
)

type playgroundConfig struct {
	listen    string // Postgres protocol address
	kafka     string // the embedded broker's address
	dataDir   string // engine.MemoryDir or a directory holding runnel/ and kafka/
	rate      float64
	seed      uint64
	maxEvents int64 // 0: generate until stopped
}

func runPlayground(args []string) error {
	fs := flag.NewFlagSet("runnel playground", flag.ContinueOnError)
	var cfg playgroundConfig
	fs.StringVar(&cfg.listen, "listen", "127.0.0.1:6543", "address to serve the Postgres protocol on")
	fs.StringVar(&cfg.kafka, "kafka", "127.0.0.1:9092", "address of the embedded Kafka broker")
	fs.StringVar(&cfg.dataDir, "data-dir", engine.MemoryDir, "\":memory:\" keeps the database and the topic in memory; a directory keeps both (DIR/runnel, DIR/kafka) across restarts")
	fs.Float64Var(&cfg.rate, "rate", 200, "page views generated per second")
	fs.Uint64Var(&cfg.seed, "seed", 1, "random seed of the generated data")
	fs.Int64Var(&cfg.maxEvents, "max-events", 0, "stop generating after this many events (0: never)")
	if err := fs.Parse(args); err != nil {
		return err
	}
	if fs.NArg() > 0 {
		return fmt.Errorf("playground: unexpected argument %q", fs.Arg(0))
	}
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	return playground(ctx, cfg, os.Stdout, slog.New(slog.NewTextHandler(os.Stderr, nil)))
}

// playground runs until ctx ends, printing the instructions to out once everything is up.
func playground(ctx context.Context, cfg playgroundConfig, out io.Writer, log *slog.Logger) (err error) {
	if !(cfg.rate > 0) {
		return fmt.Errorf("playground: --rate must be positive, not %v", cfg.rate)
	}
	// Each step registers its undo; they run in reverse order: the generator stops first, then
	// the server, the engine (its feeds read the broker) and the broker last.
	var undo []func()
	defer func() {
		for i := len(undo) - 1; i >= 0; i-- {
			undo[i]()
		}
	}()

	engDir, kafkaOpts := cfg.dataDir, []kfake.Opt{kfake.NumBrokers(1), kfake.SeedTopics(playgroundPartitions, playgroundTopic)}
	if cfg.dataDir != engine.MemoryDir {
		engDir = filepath.Join(cfg.dataDir, "runnel")
		kafkaOpts = append(kafkaOpts, kfake.DataDir(filepath.Join(cfg.dataDir, "kafka")))
	}

	// The broker: kfake always listens on 127.0.0.1, so hand it a listener on --kafka.
	kln, err := net.Listen("tcp", cfg.kafka)
	if err != nil {
		return fmt.Errorf("playground: Kafka broker on %s: %w (choose another address with --kafka)", cfg.kafka, err)
	}
	kafkaOpts = append(kafkaOpts, kfake.ListenFn(func(string, string) (net.Listener, error) { return kln, nil }))
	cluster, err := kfake.NewCluster(kafkaOpts...)
	if err != nil {
		kln.Close()
		return fmt.Errorf("playground: starting the Kafka broker: %w", err)
	}
	undo = append(undo, cluster.Close)
	kafkaAddr := kln.Addr().String()

	opts := engine.DefaultOptions()
	opts.DataDir = engDir
	opts.Logger = log
	eng, err := engine.Open(opts)
	if err != nil {
		return err
	}
	undo = append(undo, func() {
		if cerr := eng.Close(); cerr != nil && err == nil {
			err = cerr
		}
	})
	ln, err := net.Listen("tcp", cfg.listen)
	if err != nil {
		return fmt.Errorf("playground: Postgres protocol on %s: %w (choose another address with --listen)", cfg.listen, err)
	}
	srv := pgwire.NewServer(pgwire.EngineBackend(eng), pgwire.Options{Logger: log})
	served := make(chan error, 1)
	go func() { served <- srv.Serve(ln) }()
	undo = append(undo, func() {
		sctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
		defer cancel()
		if serr := srv.Shutdown(sctx); serr != nil && !errors.Is(serr, net.ErrClosed) && err == nil {
			err = serr
		}
	})

	cl, err := kgo.NewClient(kgo.SeedBrokers(kafkaAddr), kgo.ClientID("runnel-playground"),
		kgo.ProducerLinger(5*time.Millisecond))
	if err != nil {
		return fmt.Errorf("playground: Kafka producer: %w", err)
	}
	undo = append(undo, cl.Close)
	popts := []datagen.ProducerOpt{datagen.Rate(cfg.rate), datagen.Logger(log)}
	if cfg.maxEvents > 0 {
		popts = append(popts, datagen.MaxEvents(cfg.maxEvents))
	}
	prod, err := datagen.NewProducer(cl, playgroundTopic, datagen.NewPageViews(cfg.seed), popts...)
	if err != nil {
		return err
	}
	gctx, stopGen := context.WithCancel(ctx)
	generated, genDone := make(chan error, 1), make(chan struct{})
	go func() {
		generated <- prod.Run(gctx)
		close(genDone)
	}()
	undo = append(undo, func() {
		stopGen()
		<-genDone
	})

	printPlayground(out, cfg, kafkaAddr, ln.Addr().String())

	for {
		select {
		case <-ctx.Done():
			log.Info("playground: shutting down", "events_produced", prod.Stats().Acked)
			return nil
		case err := <-served:
			if err != nil && !errors.Is(err, net.ErrClosed) {
				return fmt.Errorf("playground: serving: %w", err)
			}
			return nil
		case gerr := <-generated:
			if gerr != nil {
				return fmt.Errorf("playground: generator: %w", gerr)
			}
			st := prod.Stats()
			log.Info("playground: generator done", "events", st.Acked, "failed", st.Failed)
			generated = nil // keep serving until ctx ends
		}
	}
}

// playgroundSQL returns the statements the playground prints, for a broker at kafkaAddr.
func playgroundSQL(kafkaAddr string) (source, view, query string) {
	source = `CREATE SOURCE pageviews (user_id BIGINT, page TEXT, referrer TEXT, country TEXT,
      device TEXT, amount NUMERIC, ts TIMESTAMPTZ)
    WITH (connector = 'kafka', topic = '` + playgroundTopic + `',
          properties.bootstrap.server = '` + kafkaAddr + `', scan.startup.mode = 'earliest')
    FORMAT PLAIN ENCODE JSON;`
	view = `CREATE MATERIALIZED VIEW page_stats AS
    SELECT page, count(*) AS views, count(DISTINCT user_id) AS visitors,
           count(amount) AS purchases, sum(amount) AS revenue
    FROM pageviews
    GROUP BY page;`
	query = `SELECT * FROM page_stats ORDER BY views DESC;`
	return source, view, query
}

func printPlayground(out io.Writer, cfg playgroundConfig, kafkaAddr, pgAddr string) {
	host, port, _ := net.SplitHostPort(pgAddr)
	data := "in memory: gone when the playground stops"
	if cfg.dataDir != engine.MemoryDir {
		data = "in " + cfg.dataDir + " (kept across restarts)"
	}
	limit := ""
	if cfg.maxEvents > 0 {
		limit = fmt.Sprintf(", %d in all", cfg.maxEvents)
	}
	source, view, query := playgroundSQL(kafkaAddr)
	fmt.Fprintf(out, `Runnel playground
  Kafka     %s (embedded broker), topic %s (%d partitions), %g page views/s%s
  Postgres  %s, data %s

Connect:

  psql -h %s -p %s -U runnel runnel

Paste these statements:

  %s

  %s

  %s

Run the SELECT again to watch the counts grow: the view is updated as events arrive.
runnel_catalog.source_status shows how far it has read. Stop with Ctrl-C.
`, kafkaAddr, playgroundTopic, playgroundPartitions, cfg.rate, limit, pgAddr, data, host, port, source, view, query)
}
