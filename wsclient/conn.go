package wsclient

import (
	"context"
	"unsafe"
)

// transport is one platform's WebSocket: the browser's object (socket_js.go)
// or github.com/coder/websocket (socket_native.go). It reports events to the
// Conn's core and mirrors the browser's methods.
type transport interface {
	readyState() State
	bufferedAmount() int
	protocol() string
	extensions() string
	url() string
	// kind is the transport in use (the fallback's mode, for it).
	kind() Transport
	// send mirrors the browser's send(): unless the connection is still
	// CONNECTING, queue the message (discarded, but counted in
	// bufferedAmount, once closing has started) and return. It reports the
	// readyState it saw.
	send(op string, typ MessageType, p []byte) (State, error)
	// close mirrors close(code, reason) on a validated code and reason.
	close(code StatusCode, reason string) error
	// abort abandons a connection that is still connecting.
	abort()
	// bufferedAtLeast reports whether bufferedAmount is at or above n; it
	// may avoid asking the browser when an upper bound says it is not.
	bufferedAtLeast(n int) bool
	// waitDrain blocks until BufferedAmount may have fallen to low or below
	// (attempt counts the waits so far) or ctx is done. It returns at once
	// when the buffer is already there, so no wake-up is lost.
	waitDrain(ctx context.Context, attempt, low int) error
}

// waitSignal waits for a signal on ch or done, or for ctx; only ctx's end
// is an error.
func waitSignal(ctx context.Context, ch, done <-chan struct{}) error {
	select {
	case <-ch:
		return nil
	case <-done:
		return nil
	case <-ctx.Done():
		return ctx.Err()
	}
}

// Conn is one WebSocket connection: in the browser one JavaScript WebSocket
// object, natively one github.com/coder/websocket connection. Its methods are
// safe for concurrent use.
type Conn struct {
	*core
	t transport
}

// New starts connecting to rawURL and returns at once, in state Connecting,
// as the browser's constructor does. Invalid input (see ErrSyntax) is
// reported before anything reaches the network. Use Dial to wait for the
// connection to open.
//
// In the browser rawURL may be relative to the page ("/echo"), and "" is the
// page's own URL without its fragment, as with new WebSocket(""); http and
// https URLs are mapped to ws and wss. Natively there is no page: a relative
// URL, "" included, is ErrSyntax.
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
	switch {
	case o.Fallback != nil:
		c.t, err = o.Fallback.open(c.core, u)
	case o.Transport.httpTransport():
		err = opError("new", errFallbackUnset)
	default:
		c.t, err = openTransport(c.core, u)
	}
	if err != nil {
		return nil, err
	}
	c.start()
	return c, nil
}

// Dial connects to rawURL and waits until the connection is open. It returns
// an error (a *CloseError, usually 1006) when the connection fails, and
// ctx's error, after abandoning the attempt, when ctx is done first. With ctx
// already done it returns ctx's error before anything else: no connection
// is started.
func Dial(ctx context.Context, rawURL string, opts *Options) (*Conn, error) {
	if err := ctx.Err(); err != nil {
		return nil, opError("dial "+rawURL, err)
	}
	c, err := New(rawURL, opts)
	if err != nil {
		return nil, err
	}
	select {
	case <-c.opened:
		return c, nil
	case <-c.done:
		select {
		case <-c.opened: // opened, then ended at once: the caller reads why
			return c, nil
		default:
		}
		return nil, c.endErr("dial " + c.URL())
	case <-ctx.Done():
		c.t.abort()
		return nil, opError("dial "+c.URL(), ctx.Err())
	}
}

// Transport reports what carries the connection: TransportWebSocket or
// TransportStream (WebSocketStream, in the browser), or the HTTP fallback's
// TransportHTTPStream or TransportHTTPPoll (see FallbackOptions). While a
// WebSocket handshake is under way it reports the WebSocket's.
func (c *Conn) Transport() Transport { return c.t.kind() }

// ReadyState returns the connection's readyState now.
func (c *Conn) ReadyState() State { return c.t.readyState() }

// BufferedAmount returns the bytes queued by SendText, SendBinary and Write
// that have not yet been handed to the network. On the HTTP fallback it
// counts the payload bytes the server has not acknowledged yet.
func (c *Conn) BufferedAmount() int { return c.t.bufferedAmount() }

// Protocol returns the subprotocol the server selected ("" before open or
// when none was).
func (c *Conn) Protocol() string { return c.t.protocol() }

// Extensions returns the extensions the server selected, such as
// "permessage-deflate" ("" before open or when none were).
func (c *Conn) Extensions() string { return c.t.extensions() }

// URL returns the URL connected to, after resolution and the http→ws
// mapping.
func (c *Conn) URL() string { return c.t.url() }

// SendText sends s as a text message, at once, like the browser's send():
// it returns an error wrapping ErrInvalidState while CONNECTING, and
// ErrInvalidUTF8 when s is not valid UTF-8 (the browser would alter it).
// After closing has started the message is discarded (and still counted in
// BufferedAmount, as the browser does); SendText then returns an error
// carrying the close code and reason. SendText never waits: see Write for
// backpressure.
func (c *Conn) SendText(s string) error {
	// The bytes are only read (validated, then copied to the browser or
	// written natively), so the string's own memory serves: no copy.
	return c.sendNow("send", Text, unsafe.Slice(unsafe.StringData(s), len(s)))
}

// SendBinary sends p as a binary message, at once; see SendText. p is copied
// and may be reused when SendBinary returns.
func (c *Conn) SendBinary(p []byte) error {
	return c.sendNow("send", Binary, p)
}

// sendNow applies the browser's send() rules around the transport's send.
func (c *Conn) sendNow(op string, typ MessageType, p []byte) error {
	if err := validateMessage(op, typ, p); err != nil {
		return err
	}
	state, err := c.t.send(op, typ, p)
	switch {
	case err != nil:
		return err
	case state == Connecting:
		return invalid(op, ErrInvalidState, "the connection is still CONNECTING")
	case state >= Closing:
		return c.endErr(op) // discarded but counted, as in the browser
	}
	return nil
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
	if c.t.bufferedAtLeast(c.opts.HighWaterMark) {
		for i := 0; c.t.bufferedAmount() > c.opts.LowWaterMark; i++ {
			if c.t.readyState() != Open {
				return c.endErr(op)
			}
			if err := c.t.waitDrain(ctx, i, c.opts.LowWaterMark); err != nil {
				return opError(op, err)
			}
		}
	}
	return c.sendNow(op, typ, p)
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
// and the reason valid UTF-8 of at most 123 bytes (ErrSyntax; invalid UTF-8
// also matches ErrInvalidUTF8, as in SendText). Close is a no-op once
// the connection is CLOSING or CLOSED. Closing a connection that is still
// CONNECTING abandons it (close code 1006).
func (c *Conn) Close(code StatusCode, reason string) error {
	if err := validateClose(code, reason); err != nil {
		return err
	}
	if c.t.readyState() >= Closing {
		return nil
	}
	// Record the close first: natively the handshake may complete at once.
	c.closing(code, reason)
	return c.t.close(code, reason)
}
