// Command appwasm is duplex's single-page app, compiled to WebAssembly as
// web/app.wasm (make wasm). The server prerenders the same routes; in the
// browser go-app takes over the page and runs the components.
package main

import (
	"github.com/maxence-charriere/go-app/v10/pkg/app"

	"github.com/duplexgo/duplex/app/ui"
)

func main() {
	ui.Routes()
	app.RunWhenOnBrowser()
}
