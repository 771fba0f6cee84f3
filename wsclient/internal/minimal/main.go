//go:build js && wasm

// Command minimal is the smallest useful wsclient program: it connects to
// the page's /echo, sends one message and prints the echo. It exists to
// measure the size wsclient adds to a WebAssembly binary (see the README),
// so it prints with the println built-in (to the browser's console) rather
// than with fmt, which alone would add about 0.7 MB.
package main

import (
	"context"

	"github.com/duplexgo/duplex/wsclient"
)

func main() {
	ctx := context.Background()
	c, err := wsclient.Dial(ctx, "/echo", nil)
	if err != nil {
		println(err.Error())
		return
	}
	c.SendText("hello")
	_, p, err := c.Read(ctx)
	if err != nil {
		println(err.Error())
	} else {
		println(string(p))
	}
	c.Close(wsclient.StatusNormalClosure, "")
	<-c.Done()
}
