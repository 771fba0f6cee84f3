package ui

import (
	"time"

	"github.com/duplexgo/duplex/wsclient"
)

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

// ClientSocket is what the pages need from a connection that lasts: in the
// browser a *wsclient.Client, which reconnects with backoff and queues
// sends while disconnected; tests use fakes. Its methods must be safe for
// concurrent use.
type ClientSocket interface {
	// Conn returns the open connection, or nil between connections: the
	// live values (readyState, bufferedAmount, protocol, extensions) are
	// the current connection's.
	Conn() Socket
	// State returns the client's phase, and while reconnecting the attempt
	// and the time of the next try.
	State() wsclient.ClientState
	// Stats returns the client's counters; Queued counts the messages
	// accepted by Send and not yet delivered.
	Stats() wsclient.ClientStats
	// Send accepts a message for delivery on the current or a future
	// connection, and returns at once.
	Send(typ wsclient.MessageType, p []byte) error
	// Close ends the client for good, closing the open connection, if any,
	// with code and reason (the browser's rules apply).
	Close(code wsclient.StatusCode, reason string) error
}

// ClientDialer starts a reconnecting client for url with opts and returns
// at once, like wsclient.NewClient. The callbacks in opts report what
// happens next, on the client's goroutines.
type ClientDialer func(url string, opts *wsclient.ClientOptions) (ClientSocket, error)

// wsClient adapts a *wsclient.Client to ClientSocket.
type wsClient struct{ *wsclient.Client }

// Conn returns the client's open connection, or a nil Socket (not a Socket
// holding a nil *wsclient.Conn) between connections.
func (c wsClient) Conn() Socket {
	if conn := c.Client.Conn(); conn != nil {
		return conn
	}
	return nil
}

// Reconnect schedules of the pages: a console is a tool, and retries within
// a few seconds; a chat may wait longer between tries.
var (
	consoleBackoff = wsclient.Backoff{Min: 500 * time.Millisecond, Max: 5 * time.Second}
	chatBackoff    = wsclient.Backoff{Min: 500 * time.Millisecond, Max: 10 * time.Second}
)
