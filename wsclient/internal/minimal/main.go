//go:build js && wasm

// Command minimal is the smallest useful wsclient program: it connects to
// the page's /echo, sends one message and prints the echo. It exists to
// measure the size wsclient adds to a WebAssembly binary (see the README).
package main

import (
	"context"
	"fmt"

	"github.com/duplexgo/duplex/wsclient"
)

func main() {
	ctx := context.Background()
	c, err := wsclient.Dial(ctx, "/echo", nil)
	if err != nil {
		fmt.Println(err)
		return
	}
	c.SendText("hello")
	_, p, err := c.Read(ctx)
	fmt.Println(string(p), err)
	c.Close(wsclient.StatusNormalClosure, "")
	<-c.Done()
}
