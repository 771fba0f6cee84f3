// Command echo is the smallest complete wsclient program, the one README.md
// starts with: compiled to WebAssembly and loaded by index.html, it connects
// to the page's own /echo, sends one message, prints the echo to the
// browser's console, and closes.
//
//	GOOS=js GOARCH=wasm go build -o main.wasm .
//	cp "$(go env GOROOT)/lib/wasm/wasm_exec.js" .
//	go run github.com/duplexgo/duplex/server/cmd/duplexd@latest -web .
//
// Then open http://localhost:8000 and the browser's console. CI builds it
// and loads it in Chromium (e2e/examples_test.go), so this code cannot rot.
package main

import (
	"context"
	"fmt"
	"time"

	"github.com/duplexgo/duplex/wsclient"
)

func main() {
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()

	// "/echo" is resolved against the page: ws://localhost:8000/echo.
	c, err := wsclient.Dial(ctx, "/echo", nil)
	if err != nil {
		fmt.Println("dial:", err)
		return
	}
	fmt.Println("connected to", c.URL())

	if err := c.Write(ctx, wsclient.Text, []byte("hello, duplex")); err != nil {
		fmt.Println("write:", err)
		return
	}
	_, msg, err := c.Read(ctx)
	if err != nil {
		fmt.Println("read:", err)
		return
	}
	fmt.Printf("echo: %s\n", msg)

	// Close, and wait for the close event before main returns: a Go program
	// must not exit while the browser may still call into it.
	c.Close(wsclient.StatusNormalClosure, "done")
	<-c.Done()
	fmt.Println("closed:", wsclient.CloseStatus(c.Err()))
}
