//go:build !js

// Command serve is the net/http way to run the echo example from your own
// Go program: it serves the current directory (index.html, main.wasm,
// wasm_exec.js) and duplex's /echo on the same origin.
//
//	go run ./serve    # in the directory that holds index.html
//
// ADDR sets the address (default localhost:8000).
package main

import (
	"cmp"
	"log"
	"net/http"
	"os"

	"github.com/duplexgo/duplex/server"
)

func main() {
	addr := cmp.Or(os.Getenv("ADDR"), "localhost:8000")
	log.Printf("serving . and /echo on http://%s", addr)
	log.Fatal(http.ListenAndServe(addr, server.New(server.Config{WebDir: "."}).Handler()))
}
