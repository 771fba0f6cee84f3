//go:build js && wasm

// Command wsclient runs the browser benchmark workloads with duplex's
// wsclient. The page's "mode" parameter picks how messages are sent:
//
//	send   SendText / SendBinary: the browser's send(), no waiting
//	write  Write(ctx, typ, p): waits for the connection and for backpressure
//
// and "transport=stream" selects wsclient's WebSocketStream transport
// (default: the WebSocket object).
//
// Messages are always taken with Read, in a goroutine, not with callbacks.
package main

import (
	"context"
	"syscall/js"

	"github.com/duplexgo/duplex/e2e/bench/clients/internal/harness"
	"github.com/duplexgo/duplex/wsclient"
)

type conn struct {
	c     *wsclient.Conn
	write bool
}

func (c *conn) Send(ctx context.Context, text bool, p []byte) error {
	if c.write {
		typ := wsclient.Binary
		if text {
			typ = wsclient.Text
		}
		return c.c.Write(ctx, typ, p)
	}
	if text {
		return c.c.SendText(string(p))
	}
	return c.c.SendBinary(p)
}

func (c *conn) Read(ctx context.Context) ([]byte, error) {
	_, p, err := c.c.Read(ctx)
	return p, err
}

func (c *conn) Close() error {
	if err := c.c.Close(wsclient.StatusNormalClosure, ""); err != nil {
		return err
	}
	<-c.c.Done()
	return nil
}

func main() {
	params := js.Global().Get("benchParams")
	write := params.Get("mode").String() == "write"
	opts := &wsclient.Options{}
	if params.Get("transport").String() == "stream" {
		opts.Transport = wsclient.TransportStream
	}
	harness.Main(func(ctx context.Context, url string) (harness.Conn, error) {
		c, err := wsclient.Dial(ctx, url, opts)
		if err != nil {
			return nil, err
		}
		return &conn{c: c, write: write}, nil
	})
}
