//go:build !wasm

package serve_test

import (
	"context"
	"log"

	"github.com/duplexgo/duplex/app/serve"
	"github.com/duplexgo/duplex/server"
)

// The app as the server's root handler, as duplexd does: go-app's pages,
// the files of web/, and web/app.wasm precompressed.
func ExampleNew() {
	app, err := serve.New(serve.Options{WebDir: "web"})
	if err != nil {
		log.Fatal(err) // web/app.wasm is missing: make wasm
	}
	srv := server.New(server.Config{Addr: ":8000", Root: app})
	log.Fatal(srv.ListenAndServe(context.Background()))
}
