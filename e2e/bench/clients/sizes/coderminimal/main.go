//go:build js && wasm

// Command coderminimal is wsclient/internal/minimal written with
// github.com/coder/websocket's wasm client: it connects to the page's /echo,
// sends one message and prints the echo. It exists to compare payload sizes
// and start-up times.
package main

import (
	"context"
	"fmt"

	"github.com/coder/websocket"
)

func main() {
	ctx := context.Background()
	c, _, err := websocket.Dial(ctx, "/echo", nil)
	if err != nil {
		fmt.Println(err)
		return
	}
	c.Write(ctx, websocket.MessageText, []byte("hello"))
	_, p, err := c.Read(ctx)
	fmt.Println(string(p), err)
	c.Close(websocket.StatusNormalClosure, "")
}
