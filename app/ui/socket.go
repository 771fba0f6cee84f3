package ui

import "github.com/duplexgo/duplex/wsclient"

// Socket is what the pages need from a WebSocket connection. In the browser
// it is a *wsclient.Conn; tests use fakes. Its methods must be safe for
// concurrent use: the pages poll it from a goroutine.
type Socket interface {
	// ReadyState returns the live readyState.
	ReadyState() wsclient.State
	// BufferedAmount returns the bytes queued by sends and not yet sent.
	BufferedAmount() int
	// Protocol returns the negotiated subprotocol.
	Protocol() string
	// Extensions returns the negotiated extensions.
	Extensions() string
	// URL returns the resolved URL of the connection.
	URL() string
	// SendText sends a text message at once, without backpressure.
	SendText(s string) error
	// SendBinary sends a binary message at once, without backpressure.
	SendBinary(p []byte) error
	// Close starts the closing handshake; code and reason follow the
	// browser's rules (wsclient.ErrInvalidAccess, wsclient.ErrSyntax).
	Close(code wsclient.StatusCode, reason string) error
}

// Dialer starts a connection to url with opts and returns at once, in
// CONNECTING, like wsclient.New. The callbacks in opts report what happens
// next.
type Dialer func(url string, opts *wsclient.Options) (Socket, error)
