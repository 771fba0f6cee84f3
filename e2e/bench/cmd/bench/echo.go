package main

import (
	"context"
	"flag"
	"fmt"
	"time"

	"github.com/duplexgo/duplex/e2e/bench/internal/load"
	"github.com/duplexgo/duplex/e2e/bench/internal/procs"
)

// cmdEcho runs one echo load against a server that is already running, for
// profiling it (e.g. with benchserver's /debug/pprof/profile meanwhile).
func cmdEcho(args []string) error {
	fs := flag.NewFlagSet("echo", flag.ExitOnError)
	url := fs.String("url", "", "ws://127.0.0.1:PORT/path")
	clients := fs.Int("clients", 1000, "concurrent clients")
	d := fs.Duration("duration", 10*time.Second, "length of the run")
	size := fs.Int("size", 32, "message size in bytes")
	fs.Parse(args)
	if _, _, err := procs.RaiseNOFILE(); err != nil {
		return err
	}
	r, err := load.Echo(context.Background(), load.EchoConfig{URL: *url, Clients: *clients, Duration: *d, MsgSize: *size,
		Sources: echoSources(*clients)})
	if err != nil {
		return err
	}
	fmt.Printf("%d clients: %.0f echoes/s, RTT median %.0f µs, p99 %.0f µs (%s)\n", r.Clients, r.Rate, r.LatencyUs, r.P99Us, loadAverage())
	return nil
}
