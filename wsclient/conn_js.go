//go:build js && wasm

package wsclient

import (
	"context"
	"syscall/js"
	"time"
)

// Conn is one WebSocket connection: in the browser, one JavaScript WebSocket
// object. Its methods are safe for concurrent use.
type Conn struct {
	*core
	ws    js.Value
	funcs []js.Func
}

// New starts connecting to rawURL and returns at once, in state Connecting,
// as the browser's constructor does. Invalid input (see ErrSyntax) is
// reported before anything reaches the network. Use Dial to wait for the
// connection to open.
func New(rawURL string, opts *Options) (*Conn, error) {
	o := opts.withDefaults()
	u, err := parseURL(rawURL)
	if err != nil {
		return nil, err
	}
	if err := validateProtocols(o.Protocols); err != nil {
		return nil, err
	}
	c := &Conn{core: newCore(o)}
	err = jsCatch("new", func() {
		protocols := make([]any, len(o.Protocols))
		for i, p := range o.Protocols {
			protocols[i] = p
		}
		c.ws = jsWebSocket.New(u, protocols)
	})
	if err != nil {
		return nil, err
	}
	c.start()
	c.ws.Set("binaryType", "arraybuffer")
	c.listen("onopen", c.handleOpen)
	c.listen("onmessage", c.handleMessage)
	c.listen("onerror", c.handleError)
	c.listen("onclose", c.handleClose)
	return c, nil
}

// Dial connects to rawURL and waits until the connection is open. It returns
// an error (a *CloseError, usually 1006) when the connection fails, and
// ctx's error, after abandoning the attempt, when ctx is done first.
func Dial(ctx context.Context, rawURL string, opts *Options) (*Conn, error) {
	c, err := New(rawURL, opts)
	if err != nil {
		return nil, err
	}
	select {
	case <-c.opened:
		return c, nil
	case <-c.done:
		return nil, c.endErr("dial " + c.URL())
	case <-ctx.Done():
		_ = jsCatch("dial", func() { c.ws.Call("close") })
		return nil, opError("dial "+c.URL(), ctx.Err())
	}
}

// listen installs handler as the socket's on<event> property.
func (c *Conn) listen(prop string, handler func(js.Value)) {
	f := newFunc(handler)
	c.funcs = append(c.funcs, f)
	c.ws.Set(prop, f)
}

// release removes every handler and releases its js.Func.
func (c *Conn) release() {
	for _, prop := range []string{"onopen", "onmessage", "onerror", "onclose"} {
		c.ws.Set(prop, js.Null())
	}
	for _, f := range c.funcs {
		releaseFunc(f)
	}
	c.funcs = nil
}

func (c *Conn) handleOpen(js.Value) { c.deliverOpen() }

func (c *Conn) handleMessage(ev js.Value) {
	data := ev.Get("data")
	var m Message
	if data.Type() == js.TypeString {
		m = Message{Type: Text, Data: []byte(data.String())}
	} else {
		m = Message{Type: Binary, Data: bytesFromArrayBuffer(data)}
	}
	if !c.deliverMessage(m) {
		// Nobody reads fast enough and the browser cannot be paused: close
		// rather than drop messages or grow without bound.
		if c.ReadyState() < Closing {
			_ = jsCatch("close", func() {
				c.ws.Call("close", int(StatusReceiveOverflow), "receive queue overflow")
			})
			c.closing(StatusReceiveOverflow, "receive queue overflow")
		}
	}
}

func (c *Conn) handleError(js.Value) {
	c.observe(c.ReadyState())
	c.deliverError()
}

func (c *Conn) handleClose(ev js.Value) {
	c.release()
	c.deliverClose(&CloseError{
		Code:     StatusCode(ev.Get("code").Int()),
		Reason:   ev.Get("reason").String(),
		WasClean: ev.Get("wasClean").Bool(),
	})
}

// ReadyState returns the socket's readyState as the browser reports it now.
func (c *Conn) ReadyState() State { return State(c.ws.Get("readyState").Int()) }

// BufferedAmount returns the bytes queued by Send and Write that the browser
// has not yet handed to the network.
func (c *Conn) BufferedAmount() int { return c.ws.Get("bufferedAmount").Int() }

// Protocol returns the subprotocol the server selected ("" before open or
// when none was).
func (c *Conn) Protocol() string { return c.ws.Get("protocol").String() }

// Extensions returns the extensions the server selected, such as
// "permessage-deflate" ("" before open or when none were).
func (c *Conn) Extensions() string { return c.ws.Get("extensions").String() }

// URL returns the URL the browser connects to, after resolution and the
// http→ws mapping, serialized by the browser.
func (c *Conn) URL() string { return c.ws.Get("url").String() }

// SendText sends s as a text message, at once, like the browser's send():
// it returns an error wrapping ErrInvalidState while CONNECTING, and
// ErrInvalidUTF8 when s is not valid UTF-8 (the browser would alter it).
// After closing has started the browser discards the message (and still
// counts it in BufferedAmount); SendText then returns an error carrying the
// close code and reason. SendText never waits: see Write for backpressure.
func (c *Conn) SendText(s string) error {
	if err := validateMessage("send", Text, []byte(s)); err != nil {
		return err
	}
	return c.send("send", js.ValueOf(s))
}

// SendBinary sends p as a binary message, at once; see SendText. p is copied
// and may be reused when SendBinary returns.
func (c *Conn) SendBinary(p []byte) error {
	return c.send("send", bytesToJS(p))
}

// send hands v to the browser's send(), mirroring its state rules.
func (c *Conn) send(op string, v js.Value) error {
	switch c.ReadyState() {
	case Connecting:
		return invalid(op, ErrInvalidState, "the connection is still CONNECTING")
	case Closing, Closed:
		_ = jsCatch(op, func() { c.ws.Call("send", v) })
		return c.endErr(op)
	}
	return jsCatch(op, func() { c.ws.Call("send", v) })
}

// Write sends a message of type typ, Go style: it waits for the connection
// to open, then for backpressure — while BufferedAmount is at or above
// Options.HighWaterMark it waits until it drains to Options.LowWaterMark —
// and returns ctx's error if ctx is done first (nothing is sent then).
// p is copied before Write returns.
func (c *Conn) Write(ctx context.Context, typ MessageType, p []byte) error {
	const op = "write"
	if err := validateMessage(op, typ, p); err != nil {
		return err
	}
	select {
	case <-c.opened:
	case <-c.done:
		return c.endErr(op)
	case <-ctx.Done():
		return opError(op, ctx.Err())
	}
	if err := c.waitBuffered(ctx, op); err != nil {
		return err
	}
	if typ == Text {
		return c.send(op, js.ValueOf(string(p)))
	}
	return c.send(op, bytesToJS(p))
}

// Backpressure polling: bufferedAmount has no event, so wait with a short
// timer that grows while the buffer stays full.
const (
	minDrainPoll = time.Millisecond
	maxDrainPoll = 16 * time.Millisecond
)

// waitBuffered blocks while the browser's send buffer is over the high-water
// mark, until it falls to the low-water mark.
func (c *Conn) waitBuffered(ctx context.Context, op string) error {
	if c.BufferedAmount() < c.opts.HighWaterMark {
		return nil
	}
	poll := minDrainPoll
	t := time.NewTimer(poll)
	defer t.Stop()
	for c.BufferedAmount() > c.opts.LowWaterMark {
		if c.ReadyState() != Open {
			return c.endErr(op)
		}
		select {
		case <-t.C:
		case <-c.done:
			return c.endErr(op)
		case <-ctx.Done():
			return opError(op, ctx.Err())
		}
		poll = min(2*poll, maxDrainPoll)
		t.Reset(poll)
	}
	return nil
}

// Read returns the next message, blocking until one arrives, ctx is done, or
// the connection has ended and every message received before the end has
// been read; then it returns an error carrying the close code (see
// CloseStatus). Read and Options.OnMessage are exclusive: with OnMessage set,
// Read returns ErrOnMessageSet.
func (c *Conn) Read(ctx context.Context) (MessageType, []byte, error) {
	m, err := c.read(ctx)
	return m.Type, m.Data, err
}

// Close starts the closing handshake with code and reason, like the
// browser's close(), and returns without waiting: Done is closed when the
// handshake completes. The code must be 1000 or 3000–4999 (ErrInvalidAccess)
// and the reason at most 123 UTF-8 bytes (ErrSyntax). Close is a no-op once
// the connection is CLOSING or CLOSED.
func (c *Conn) Close(code StatusCode, reason string) error {
	if err := validateClose(code, reason); err != nil {
		return err
	}
	if c.ReadyState() >= Closing {
		return nil
	}
	if err := jsCatch("close", func() { c.ws.Call("close", int(code), reason) }); err != nil {
		return err
	}
	c.closing(code, reason)
	return nil
}
