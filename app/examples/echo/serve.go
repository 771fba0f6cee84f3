//go:build !wasm

package main

import (
	"cmp"
	"log"
	"net/http"
	"os"

	"github.com/maxence-charriere/go-app/v10/pkg/app"

	"github.com/duplexgo/duplex/server"
)

func serve() {
	addr := cmp.Or(os.Getenv("ADDR"), "localhost:8000")
	pages := &app.Handler{Name: "Echo", Title: "wsclient + go-app"}
	log.Printf("serving the app and /echo on http://%s", addr)
	log.Fatal(http.ListenAndServe(addr, server.New(server.Config{Root: pages}).Handler()))
}
