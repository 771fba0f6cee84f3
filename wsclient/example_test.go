package wsclient_test

import (
	"context"
	"errors"
	"fmt"
	"os"
	"strings"
	"time"

	"github.com/duplexgo/duplex/wsclient"
)

// echoURL is an echo endpoint, like the classic ws://localhost:9998/echo.
// In the browser a relative URL such as "/echo" works too: it resolves
// against the page, http becoming ws and https wss.
var echoURL = "ws" + strings.TrimPrefix(os.Getenv("WSTEST_ORIGIN"), "http") + "/ws/echo"

// Go-style use: Dial blocks until the connection is open, Read blocks for
// the next message, and the close code comes back as an error.
func Example() {
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()

	c, err := wsclient.Dial(ctx, echoURL, &wsclient.Options{Protocols: []string{"echo"}})
	if err != nil {
		fmt.Println("dial:", err)
		return
	}
	fmt.Println(c.ReadyState(), c.Protocol())

	if err := c.Write(ctx, wsclient.Text, []byte("hello")); err != nil {
		fmt.Println("write:", err)
		return
	}
	typ, p, err := c.Read(ctx)
	fmt.Println(typ, string(p), err)

	c.Close(wsclient.StatusNormalClosure, "done")
	<-c.Done()
	fmt.Println(c.ReadyState(), wsclient.CloseStatus(c.Err()))
	// Output:
	// OPEN echo
	// text hello <nil>
	// CLOSED 1000 (normal closure)
}

// With Options.Fallback, a connection whose WebSocket cannot get through a
// proxy is made over HTTP requests instead, with the same API. Here the
// WebSocket gets through, so nothing changes.
func ExampleDial_fallback() {
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()

	c, err := wsclient.Dial(ctx, echoURL, &wsclient.Options{
		Fallback: &wsclient.FallbackOptions{HandshakeTimeout: 5 * time.Second},
	})
	if err != nil {
		fmt.Println("dial:", err)
		return
	}
	switch c.Transport() {
	case wsclient.TransportHTTPStream, wsclient.TransportHTTPPoll:
		fmt.Println("over HTTP")
	default:
		fmt.Println("over a WebSocket")
	}
	c.SendText("hello")
	_, p, err := c.Read(ctx)
	fmt.Println(string(p), err)
	c.Close(wsclient.StatusNormalClosure, "")
	// Output:
	// over a WebSocket
	// hello <nil>
}

// UI-style use: New returns at once in CONNECTING, and callbacks report
// each event in the browser's order, on a goroutine, never blocking the page.
func ExampleNew() {
	done := make(chan struct{})
	var c *wsclient.Conn
	c, err := wsclient.New(echoURL, &wsclient.Options{
		OnStateChange: func(s wsclient.State) { fmt.Println("state:", s) },
		OnOpen:        func() { c.SendText("ping") },
		OnMessage: func(m wsclient.Message) {
			fmt.Println("message:", m.Type, string(m.Data))
			c.Close(4000, "bye")
		},
		OnClose: func(e *wsclient.CloseError) {
			fmt.Println("close:", e.Code, e.Reason, e.WasClean)
			close(done)
		},
	})
	if err != nil {
		fmt.Println(err)
		return
	}
	fmt.Println("returned in", c.ReadyState())
	<-done
	// Output:
	// returned in CONNECTING
	// state: OPEN
	// message: text ping
	// state: CLOSING
	// state: CLOSED
	// close: 4000 bye true
}

// Invalid input is refused with the standard's error before anything reaches
// the network; errors.Is tells which.
func ExampleConn_Close() {
	ctx := context.Background()
	c, err := wsclient.Dial(ctx, echoURL, nil)
	if err != nil {
		fmt.Println(err)
		return
	}
	// 1001 can only be sent by servers: a browser refuses it.
	err = c.Close(wsclient.StatusGoingAway, "leaving")
	fmt.Println(errors.Is(err, wsclient.ErrInvalidAccess), c.ReadyState())

	err = c.Close(wsclient.StatusNormalClosure, strings.Repeat("x", 124))
	fmt.Println(errors.Is(err, wsclient.ErrSyntax))

	fmt.Println(c.Close(wsclient.StatusNormalClosure, "bye"))
	<-c.Done()
	// Output:
	// true OPEN
	// true
	// <nil>
}

// Write applies backpressure: it waits while the browser's send buffer is
// above the high-water mark, so a fast producer cannot fill memory.
func ExampleConn_Write() {
	ctx := context.Background()
	c, err := wsclient.Dial(ctx, echoURL, &wsclient.Options{HighWaterMark: 64 << 10})
	if err != nil {
		fmt.Println(err)
		return
	}
	defer c.Close(wsclient.StatusNormalClosure, "")
	chunk := make([]byte, 16<<10)
	go func() {
		for range 100 {
			if err := c.Write(ctx, wsclient.Binary, chunk); err != nil {
				fmt.Println(err)
				return
			}
		}
	}()
	received := 0
	for received < 100*len(chunk) {
		_, p, err := c.Read(ctx)
		if err != nil {
			fmt.Println(err)
			return
		}
		received += len(p)
	}
	fmt.Println("echoed", received, "bytes")
	// Output:
	// echoed 1638400 bytes
}

// CloseStatus extracts the peer's close code from any error after the end.
func ExampleCloseStatus() {
	ctx := context.Background()
	c, err := wsclient.Dial(ctx, strings.Replace(echoURL, "/ws/echo", "/ws/close?code=4001&reason=maintenance", 1), nil)
	if err != nil {
		fmt.Println(err)
		return
	}
	_, _, err = c.Read(ctx)
	fmt.Println(wsclient.CloseStatus(err))
	fmt.Println(errors.Is(err, wsclient.ErrClosed))
	fmt.Println(c.SendText("too late"))
	// Output:
	// 4001
	// true
	// wsclient: send: wsclient: closed with 4001 "maintenance" (clean)
}

// A Client lasts across drops: it reconnects with backoff, queues while
// disconnected and, with Key, confirms each message by its echo.
func ExampleNewClient() {
	done := make(chan struct{})
	cl, err := wsclient.NewClient(echoURL, &wsclient.ClientOptions{
		Backoff: wsclient.Backoff{Min: 100 * time.Millisecond, Max: 5 * time.Second},
		Key:     func(m wsclient.Message) string { return string(m.Data) },
		OnStateChange: func(s wsclient.ClientState) {
			if s.Phase == wsclient.PhaseClosed {
				close(done)
			}
		},
		OnUndelivered: func(m wsclient.Message, err error) { fmt.Println("not delivered:", string(m.Data)) },
	})
	if err != nil {
		fmt.Println(err)
		return
	}
	// Send queues at once, even before the connection is open.
	for _, s := range []string{"one", "two", "three"} {
		cl.Send(wsclient.Text, []byte(s))
	}
	ctx := context.Background()
	for range 3 {
		_, p, _ := cl.Read(ctx)
		fmt.Println(string(p))
	}
	fmt.Println("confirmed:", cl.Stats().Sent)
	cl.Close(wsclient.StatusNormalClosure, "done")
	<-done
	// Output:
	// one
	// two
	// three
	// confirmed: 3
}
