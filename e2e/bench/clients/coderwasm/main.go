//go:build js && wasm

// Command coderwasm runs the browser benchmark workloads with
// github.com/coder/websocket's own wasm client, the peer wsclient is
// compared with. Its Write calls the browser's send() and never waits; its
// Read takes messages in order.
package main

import (
	"context"

	"github.com/coder/websocket"

	"github.com/duplexgo/duplex/e2e/bench/clients/internal/harness"
)

type conn struct{ c *websocket.Conn }

func (c conn) Send(ctx context.Context, text bool, p []byte) error {
	typ := websocket.MessageBinary
	if text {
		typ = websocket.MessageText
	}
	return c.c.Write(ctx, typ, p)
}

func (c conn) Read(ctx context.Context) ([]byte, error) {
	_, p, err := c.c.Read(ctx)
	return p, err
}

func (c conn) Close() error { return c.c.Close(websocket.StatusNormalClosure, "") }

func main() {
	harness.Main(func(ctx context.Context, url string) (harness.Conn, error) {
		c, _, err := websocket.Dial(ctx, url, nil)
		if err != nil {
			return nil, err
		}
		// The default read limit (32 KiB) would refuse the 1 MiB echoes.
		c.SetReadLimit(32 << 20)
		return conn{c}, nil
	})
}
