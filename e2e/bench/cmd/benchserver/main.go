// Command benchserver is the server under test of `make bench`: duplex's
// server (package server, the same code as duplexd) with its /echo endpoint,
// plus what the browser benchmarks need on the side, under /bench/:
//
//	/bench/run.html          one benchmark page load (see clients/pages)
//	/bench/start?client=...  a start-up page: time to the first open event
//	/bench/wasm/NAME.wasm    the wasm programs in -wasm
//	/bench/wasm_exec.js      Go's wasm_exec.js
//	/bench/flood?n=&size=    sends n binary messages of size bytes, as fast
//	                         as the socket takes them, after the client's
//	                         first message; then closes 1000
//	/debug/pprof/            Go's profiles of this process
//
// Everything else is the files of -web. It listens on 127.0.0.1 only and
// prints "listening on http://ADDR" once ready. It raises its own file limit
// so that it can hold tens of thousands of connections.
package main

import (
	"context"
	"flag"
	"fmt"
	"log"
	"net"
	"net/http"
	"net/http/pprof"
	"os"
	"os/signal"
	"syscall"

	"github.com/duplexgo/duplex/e2e/bench/internal/procs"
	"github.com/duplexgo/duplex/server"
)

func main() {
	addr := flag.String("addr", "127.0.0.1:0", "listen address (loopback only)")
	wasmDir := flag.String("wasm", "bin/bench", "directory of the wasm programs served under /bench/wasm/")
	webDir := flag.String("web", "web", "directory served at /")
	logLevel := flag.String("log-level", "warn", "server log level: one line per connection at info")
	pingInterval := flag.Duration("ping-interval", server.DefaultPingInterval, "keepalive ping interval, negative to disable")
	flag.Parse()
	log.SetFlags(0)
	log.SetPrefix("benchserver: ")

	host, _, err := net.SplitHostPort(*addr)
	if err != nil {
		log.Fatal(err)
	}
	if ip := net.ParseIP(host); ip == nil || !ip.IsLoopback() {
		log.Fatalf("-addr %s: benchmarks listen on a loopback address only", *addr)
	}
	if _, _, err := procs.RaiseNOFILE(); err != nil {
		log.Printf("raising the file limit: %v", err)
	}
	logger, err := server.NewLogger(os.Stderr, "text", *logLevel)
	if err != nil {
		log.Fatal(err)
	}

	mux := http.NewServeMux()
	if err := registerBench(mux, *wasmDir); err != nil {
		log.Fatal(err)
	}
	mux.HandleFunc("/debug/pprof/", pprof.Index)
	mux.HandleFunc("/debug/pprof/profile", pprof.Profile)
	mux.Handle("/", http.FileServer(http.Dir(*webDir)))

	srv := server.New(server.Config{
		MaxConns:     -1, // the idle-connection benchmark goes past the default 10,000
		Root:         mux,
		Logger:       logger,
		PingInterval: *pingInterval,
	})
	ln, err := net.Listen("tcp", *addr)
	if err != nil {
		log.Fatal(err)
	}
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	fmt.Printf("listening on http://%s\n", ln.Addr())
	if err := srv.Serve(ctx, ln); err != nil {
		log.Fatal(err)
	}
}
