//go:build js && wasm

// Command wsclient runs the browser benchmark workloads with duplex's
// wsclient. The page's "mode" parameter picks how messages are sent and
// taken:
//
//	send       SendText / SendBinary (the browser's send(), no waiting);
//	           Read in a goroutine
//	write      Write(ctx, typ, p), which waits for the connection and for
//	           backpressure; Read in a goroutine
//	onmessage  SendText / SendBinary; messages through Options.OnMessage
//	           (the harness runs the workload inside the callback)
//
// and "transport=stream" selects wsclient's WebSocketStream transport,
// "transport=http" and "transport=http-poll" the HTTP fallback with its
// downstream streaming or long-polling (default: the WebSocket object).
//
// A mode for a synchronous message handler (Options.OnMessageSync, which
// this wsclient does not have yet) is one more case in handlerOption.
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
	d     *harness.Dispatcher // nil: messages are taken with Read
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

// Dispatcher makes conn a harness.Handled.
func (c *conn) Dispatcher() *harness.Dispatcher { return c.d }

func (c *conn) Close() error {
	if err := c.c.Close(wsclient.StatusNormalClosure, ""); err != nil {
		return err
	}
	<-c.c.Done()
	return nil
}

// handlerOption sets the message handler of mode in opts, delivering to d,
// and reports whether mode has one.
func handlerOption(mode string, opts *wsclient.Options, d *harness.Dispatcher) bool {
	switch mode {
	case "onmessage":
		opts.OnMessage = func(m wsclient.Message) { d.Deliver(m.Data) }
		return true
	case "sync":
		opts.OnMessageSync = func(m wsclient.Message) { d.Deliver(m.Data) }
		return true
	}
	return false
}

func main() {
	params := js.Global().Get("benchParams")
	mode := params.Get("mode").String()
	base := wsclient.Options{}
	switch params.Get("transport").String() {
	case "stream":
		base.Transport = wsclient.TransportStream
	case "http":
		base.Transport, base.Fallback = wsclient.TransportHTTPStream, &wsclient.FallbackOptions{}
	case "http-poll":
		base.Transport, base.Fallback = wsclient.TransportHTTPPoll, &wsclient.FallbackOptions{}
	}
	harness.Main(func(ctx context.Context, url string) (harness.Conn, error) {
		opts := base
		c := &conn{write: mode == "write"}
		if d := new(harness.Dispatcher); handlerOption(mode, &opts, d) {
			c.d = d
		}
		var err error
		if c.c, err = wsclient.Dial(ctx, url, &opts); err != nil {
			return nil, err
		}
		return c, nil
	})
}
