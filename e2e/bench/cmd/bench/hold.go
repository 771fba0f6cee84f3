package main

import (
	"context"
	"flag"
	"fmt"
	"io"
	"net"
	"os"
	"time"

	"github.com/duplexgo/duplex/e2e/bench/internal/load"
	"github.com/duplexgo/duplex/e2e/bench/internal/procs"
)

// holdLimit bounds how long a holder keeps its connections if nobody tells
// it to stop.
const holdLimit = 5 * time.Minute

// cmdHold opens -n idle connections, prints "ready N SECONDS" and holds them
// until its standard input closes (or holdLimit passes); then it prints
// "pings K", the pings its connections answered, and exits. The connections
// read all along, as a browser's do, so that they answer the server's pings.
func cmdHold(args []string) error {
	fs := flag.NewFlagSet("hold", flag.ExitOnError)
	url := fs.String("url", "", "ws://127.0.0.1:PORT/path")
	n := fs.Int("n", 0, "connections")
	src := fs.String("src", "", "source address (127.x.y.z), empty for the kernel's choice")
	fs.Parse(args)
	if _, _, err := procs.RaiseNOFILE(); err != nil {
		return err
	}
	cfg := load.IdleConfig{URL: *url, N: *n, Concurrency: 32, AnswerPings: true}
	if *src != "" {
		ip := net.ParseIP(*src)
		if ip == nil || !ip.IsLoopback() {
			return fmt.Errorf("-src %q: want a loopback address", *src)
		}
		cfg.Sources = []net.IP{ip}
	}
	pool, err := load.OpenIdle(context.Background(), cfg)
	if err != nil {
		fmt.Printf("error %v\n", err)
		return err
	}
	fmt.Printf("ready %d %.3f\n", pool.Len(), pool.Elapsed.Seconds())
	done := make(chan struct{})
	go func() {
		io.Copy(io.Discard, os.Stdin)
		close(done)
	}()
	select {
	case <-done:
	case <-time.After(holdLimit):
	}
	pool.Close()
	fmt.Printf("pings %d\n", pool.Pings())
	return nil
}
