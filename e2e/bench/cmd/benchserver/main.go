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
	"errors"
	"flag"
	"fmt"
	"log"
	"net"
	"net/http"
	"net/http/pprof"
	"os"
	"os/signal"
	"syscall"
	"time"

	"github.com/duplexgo/duplex/e2e/bench/internal/procs"
	"github.com/duplexgo/duplex/server"
)

func main() {
	addr := flag.String("addr", "127.0.0.1:0", "listen address (loopback only)")
	wasmDir := flag.String("wasm", "bin/bench", "directory of the wasm programs served under /bench/wasm/")
	webDir := flag.String("web", "web", "directory served at /")
	logLevel := flag.String("log-level", "warn", "server log level: one line per connection at info")
	pingInterval := flag.Duration("ping-interval", server.DefaultPingInterval, "keepalive ping interval, negative to disable")
	natsURL := flag.String("nats", "", "URL of a nats-server with JetStream holding the chat rooms (as duplexd -nats); empty: in memory")
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

	// The server's handler is mounted under a mux of its own, as any
	// program that serves WebSocket endpoints beside the server's must:
	// /bench/flood is one, and the server sends a handshake on a path of
	// its Root to no handler (it answers 404).
	srv := server.New(server.Config{
		MaxConns: -1, // the idle-connection benchmark goes past the default 10,000
		// Every load comes from 127.0.0.x: no per-address limits.
		MaxConnsPerIP:  -1,
		ChatRoomsPerIP: -1,
		Root:           http.FileServer(http.Dir(*webDir)),
		Logger:         logger,
		PingInterval:   *pingInterval,
		NATS:           *natsURL,
	})
	mux := http.NewServeMux()
	if err := registerBench(mux, *wasmDir); err != nil {
		log.Fatal(err)
	}
	mux.HandleFunc("/debug/pprof/", pprof.Index)
	mux.HandleFunc("/debug/pprof/profile", pprof.Profile)
	mux.Handle("/", srv.Handler())
	hs := &http.Server{Handler: mux, ReadHeaderTimeout: 10 * time.Second, MaxHeaderBytes: server.DefaultMaxHeaderBytes}

	ln, err := net.Listen("tcp", *addr)
	if err != nil {
		log.Fatal(err)
	}
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	done := make(chan struct{})
	go func() {
		defer close(done)
		<-ctx.Done()
		sctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
		defer cancel()
		hs.Shutdown(sctx)
		srv.Shutdown(sctx) // closes the WebSocket connections with 1001
	}()
	fmt.Printf("listening on http://%s\n", ln.Addr())
	if err := hs.Serve(ln); !errors.Is(err, http.ErrServerClosed) {
		log.Fatal(err)
	}
	<-done
}
