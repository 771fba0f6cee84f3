// Command bench runs duplex's benchmarks (`make bench` builds what it needs
// and runs it) and writes the results:
//
//	bench run [flags]    run the phases, print the tables, write
//	                     docs/bench/results.json, docs/bench/chart.svg and the
//	                     generated part of docs/BENCHMARKS.md
//	bench report         rewrite the tables, chart and doc from results.json
//	bench profile -client NAME [-set k=v,...]
//	                     run one browser client's workloads under V8's
//	                     profiler; print where the time goes
//	bench echo -url U [-clients N] [-duration D]
//	                     run one echo load against a running server (to
//	                     profile it meanwhile) and print the rate
//	bench hold -url U -n N [-src IP]
//	                     (internal) hold N idle connections until standard
//	                     input closes: the idle-connection benchmark spreads
//	                     its clients over such processes, since one process
//	                     may not have enough file descriptors for all of them
//	bench release -duplexd BIN [-n N] [-watch D] [-- duplexd flags]
//	                     hold N idle connections to duplexd, close them, and
//	                     sample its resident memory every few seconds: does
//	                     the process give the memory back?
//
// The phases of run (-phases, default all):
//
//	browser  wsclient, coder/websocket's wasm client and native JS in one
//	         headless Chromium: pipelined echo, round trips, 1 MiB echo,
//	         server flood; a page per client, the clients' order rotating
//	         from round to round
//	paired   inside one page, blocks of native JS and of wsclient
//	         alternate (WebSocket, and WebSocketStream); a ratio per pair
//	startup  navigation to first open event, cold and warm cache
//	payload  wasm sizes: raw, gzip, brotli, and what the server sends
//	server   idle connections and echo throughput, duplex vs Node's ws
//	chat     one big chat room: time to fill it with -chat-members, then
//	         -chat-rate messages/s into it: deliveries/s, latency, drops
//
// A run of some phases keeps the others' earlier results in results.json.
// All traffic stays on 127.0.0.1; every loop is bounded in count and time.
package main

import (
	"fmt"
	"log"
	"os"
)

func main() {
	log.SetFlags(log.Ltime)
	log.SetPrefix("bench: ")
	if len(os.Args) < 2 {
		usage()
	}
	var err error
	switch os.Args[1] {
	case "run":
		err = cmdRun(os.Args[2:])
	case "report":
		err = cmdReport(os.Args[2:])
	case "hold":
		err = cmdHold(os.Args[2:])
	case "profile":
		err = cmdProfile(os.Args[2:])
	case "release":
		err = cmdRelease(os.Args[2:])
	case "echo":
		err = cmdEcho(os.Args[2:])
	default:
		usage()
	}
	if err != nil {
		log.Fatal(err)
	}
}

func usage() {
	fmt.Fprintln(os.Stderr, "usage: bench run [flags] | bench report [flags] | bench profile -client NAME | bench echo -url U | bench hold -url U -n N | bench release -duplexd BIN")
	os.Exit(2)
}
