// Command echo is the smallest complete go-app program on wsclient, the
// second one README.md shows: one main package, compiled twice. In the
// browser (web/app.wasm) it runs the Echo component, bound to a connection
// to /echo by package app/live; natively it serves the pages, app.wasm and
// duplex's /echo on one origin.
//
//	GOOS=js GOARCH=wasm go build -o web/app.wasm .
//	go build -o echo . && ./echo
//
// The server's code is in serve.go, built natively only (//go:build !wasm),
// so that app.wasm does not link it: with it, app.wasm is about twice as big.
//
// Then open http://localhost:8000 (ADDR sets the address). CI builds it and
// clicks its button in Chromium (e2e/examples_test.go).
package main

import "github.com/maxence-charriere/go-app/v10/pkg/app"

func main() {
	app.Route("/", func() app.Composer { return &Echo{} })
	app.RunWhenOnBrowser() // in the browser: runs the app, never returns
	serve()                // natively: serves the pages, app.wasm and /echo
}
