package wsclient

import "time"

// Defaults of FallbackOptions.
const (
	DefaultFallbackHandshakeTimeout = 5 * time.Second
	DefaultFallbackBufferedAfter    = 3 * time.Second
	DefaultFallbackRetryWebSocket   = 60 * time.Second
)

// FallbackOptions configure the HTTP fallback, for networks whose proxies
// do not let WebSockets through. It needs a server that speaks the
// fallback's protocol (package server/fallback; the wire format is package
// wsclient/fallbackproto).
//
// When the WebSocket handshake fails before the connection opens (close
// 1006), or has not completed within HandshakeTimeout, the attempt is
// abandoned without any event — the Conn stays CONNECTING — and the same
// connection is made over HTTP instead: one long-lived streaming response
// brings the server's bytes (long polls when a proxy buffers the stream),
// POSTs carry the client's, and both directions are numbered and
// acknowledged, so messages arrive once and in order across cut requests.
// The server runs its ordinary WebSocket handler on it: messages, close
// codes, subprotocols and size limits behave as over a WebSocket.
//
// Once the fallback has worked for an origin (scheme and host), later
// connections to it in the same page (natively: the same process) go to
// HTTP at once. A Client on the fallback tries a WebSocket again every
// RetryWebSocket and moves back to one when it gets through (see
// ClientStats.Upgrades).
//
// On the fallback, Conn.BufferedAmount counts the payload bytes accepted by
// SendText, SendBinary and Write that the server has not acknowledged yet
// (on a WebSocket: not yet handed to the network), and Conn.Transport
// reports TransportHTTPStream or TransportHTTPPoll.
type FallbackOptions struct {
	// HandshakeTimeout is how long the WebSocket handshake may take before
	// the fallback is used instead (default
	// DefaultFallbackHandshakeTimeout).
	HandshakeTimeout time.Duration
	// BufferedAfter is how long a streaming response may bring nothing at
	// all — the server sends a heartbeat at once — before it is judged held
	// back by a buffering proxy; the connection then uses long polling
	// (default DefaultFallbackBufferedAfter).
	BufferedAfter time.Duration
	// RetryWebSocket is how often a Client on the fallback checks whether a
	// WebSocket gets through again (default DefaultFallbackRetryWebSocket;
	// negative: never). A Conn never moves.
	RetryWebSocket time.Duration
}

// Fallback is what Options.Fallback holds: a *FallbackOptions. It is an
// interface so that programs that never set it do not carry the fallback's
// code (about 0.23 MB raw, 0.06 MB gzipped, in the browser).
type Fallback interface {
	// resolved returns a *FallbackOptions with the defaults applied.
	resolved() Fallback
	// options returns the options (defaults applied by resolved). The
	// result's type is not FallbackOptions: an interface method naming it
	// would keep its methods, and the fallback, in every program.
	options() fallbackConfig
	// open makes the transport of a connection with Options.Fallback set.
	open(c *core, url string) (transport, error)
}

func (o *FallbackOptions) resolved() Fallback {
	var f FallbackOptions
	if o != nil {
		f = *o
	}
	f = f.withDefaults()
	return &f
}

// fallbackConfig is FallbackOptions without its methods.
type fallbackConfig FallbackOptions

func (o *FallbackOptions) options() fallbackConfig {
	if o == nil {
		return fallbackConfig(FallbackOptions{}.withDefaults())
	}
	return fallbackConfig(*o)
}

// open starts the HTTP fallback at once (forced by Options.Transport, or
// remembered for the origin), or the WebSocket attempt that may fall back.
func (o *FallbackOptions) open(c *core, url string) (transport, error) {
	var fb *fbSocket
	switch t := c.opts.Transport; {
	case t.httpTransport():
		fb = newFallback(c, url, t == TransportHTTPPoll)
	case fallbackRemembered(originOf(url)):
		fb = newFallback(c, url, false)
	default:
		return openWithFallback(c, url)
	}
	fb.start()
	return fb, nil
}

// withDefaults returns a copy of o with zero fields set to their defaults.
func (o FallbackOptions) withDefaults() FallbackOptions {
	if o.HandshakeTimeout <= 0 {
		o.HandshakeTimeout = DefaultFallbackHandshakeTimeout
	}
	if o.BufferedAfter <= 0 {
		o.BufferedAfter = DefaultFallbackBufferedAfter
	}
	if o.RetryWebSocket == 0 {
		o.RetryWebSocket = DefaultFallbackRetryWebSocket
	}
	return o
}
