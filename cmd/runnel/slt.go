package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"os"
	"os/signal"

	"github.com/runnel-db/runnel/sqllogictest"
)

// runSLT is `runnel slt [--url URL] [--incremental] [--rewrite] [--timeout D] [-v] PATH…`.
func runSLT(args []string) error {
	fs := flag.NewFlagSet("runnel slt", flag.ContinueOnError)
	url := fs.String("url", "", "server to test (postgres://…); default: a fresh in-process Runnel per file")
	incremental := fs.Bool("incremental", false, "also check every query through a materialized view")
	rewrite := fs.Bool("rewrite", false, "rewrite the expected results of failing queries in place")
	timeout := fs.Duration("timeout", 0, "time limit per statement or query (default 60s)")
	verbose := fs.Bool("v", false, "print each failure: file:line, the SQL, expected and actual")
	fs.Usage = func() {
		fmt.Fprintln(fs.Output(), "usage: runnel slt [--url URL] [--incremental] [--rewrite] [--timeout D] [-v] PATH…")
		fs.PrintDefaults()
	}
	var paths []string
	for { // flags may come after paths too
		if err := fs.Parse(args); err != nil {
			return err
		}
		if fs.NArg() == 0 {
			break
		}
		paths = append(paths, fs.Arg(0))
		args = fs.Args()[1:]
	}
	if len(paths) == 0 {
		fs.Usage()
		return errors.New("slt: no test files given")
	}
	opts := sqllogictest.Options{URL: *url, Incremental: *incremental, Rewrite: *rewrite, Timeout: *timeout}
	if *verbose {
		opts.Verbose = os.Stdout
	}
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt)
	defer stop()
	sum, err := sqllogictest.Run(ctx, paths, opts)
	if err != nil {
		return err
	}
	if *incremental && *verbose {
		fmt.Printf("%d queries were also checked through a materialized view\n", sum.ViewChecks)
	}
	fmt.Println(sum.String())
	if sum.Failed > 0 {
		stop()
		os.Exit(1) // the summary line stays the last line of output
	}
	return nil
}
