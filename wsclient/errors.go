package wsclient

import (
	"errors"
	"fmt"
)

// Sentinel errors named after the DOMExceptions the WebSocket standard throws.
// Every error wsclient returns for invalid input wraps one of them, so callers
// can test with errors.Is. They are returned before anything reaches the network.
var (
	// ErrSyntax: a URL that does not parse, a scheme other than ws, wss, http
	// or https, a fragment, a duplicate or invalid subprotocol, or a close
	// reason longer than 123 UTF-8 bytes.
	ErrSyntax = errors.New("SyntaxError")
	// ErrInvalidAccess: a close code other than 1000 or 3000–4999.
	ErrInvalidAccess = errors.New("InvalidAccessError")
	// ErrInvalidState: sending while the connection is still CONNECTING.
	ErrInvalidState = errors.New("InvalidStateError")
)

// Errors that are not DOMExceptions.
var (
	// ErrClosed is matched (errors.Is) by every error returned once the
	// connection has ended or started closing. The error itself is a
	// *CloseError when the close code is known.
	ErrClosed = errors.New("wsclient: connection closed")
	// ErrInvalidUTF8 is returned when a text message or close reason is not
	// valid UTF-8: the browser would silently replace the bad bytes.
	ErrInvalidUTF8 = errors.New("wsclient: text is not valid UTF-8")
	// ErrConnection is what Options.OnError receives: the browser's error
	// event carries no detail; the close event that follows has the code.
	ErrConnection = errors.New("wsclient: connection error")
	// ErrReceiveOverflow means received messages were not consumed fast
	// enough and exceeded the receive bounds; the connection was closed with
	// StatusReceiveOverflow. Messages received before the overflow can
	// still be read.
	ErrReceiveOverflow = errors.New("wsclient: receive queue overflow")
	// ErrOnMessageSet is returned by Read when Options.OnMessage is set:
	// messages then go to the callback, never to Read.
	ErrOnMessageSet = errors.New("wsclient: Read is not available when Options.OnMessage is set")
)

// errNoWebSocketStream: TransportStream in a browser without it.
var errNoWebSocketStream = errors.New("this browser has no WebSocketStream; use TransportAuto or TransportWebSocket")

// CloseError describes how a connection ended: the close event's code,
// reason and wasClean.
type CloseError struct {
	// Code is the close code the peer sent, or 1006 when the connection
	// failed or dropped without a closing handshake.
	Code StatusCode
	// Reason is the close reason the peer sent.
	Reason string
	// WasClean reports whether the closing handshake completed.
	WasClean bool
}

// Error describes the close, e.g. `wsclient: closed with 1000 (normal closure) "bye" (clean)`.
func (e *CloseError) Error() string {
	clean := "clean"
	if !e.WasClean {
		clean = "not clean"
	}
	return fmt.Sprintf("wsclient: closed with %v %q (%s)", e.Code, e.Reason, clean)
}

// Is makes errors.Is(err, ErrClosed) true for every *CloseError.
func (e *CloseError) Is(target error) bool { return target == ErrClosed }

// CloseStatus returns the close code carried by err (anywhere in its chain),
// or -1 when err is not about a closed connection.
func CloseStatus(err error) StatusCode {
	var ce *CloseError
	if errors.As(err, &ce) {
		return ce.Code
	}
	return -1
}

// JSError is a JavaScript exception caught at the boundary with the browser.
// wsclient never lets one become a Go panic. It matches ErrSyntax,
// ErrInvalidAccess and ErrInvalidState by its Name.
type JSError struct {
	// Name is the exception's name, e.g. "SyntaxError".
	Name string
	// Message is the exception's message.
	Message string
}

// Error returns "Name: Message".
func (e *JSError) Error() string { return e.Name + ": " + e.Message }

// Is matches the sentinel error named like the exception.
func (e *JSError) Is(target error) bool {
	switch target {
	case ErrSyntax, ErrInvalidAccess, ErrInvalidState:
		return target.Error() == e.Name
	}
	return false
}

// opError wraps err with the operation that failed, e.g. "wsclient: send: ...".
func opError(op string, err error) error {
	return fmt.Errorf("wsclient: %s: %w", op, err)
}

// invalid builds an input error: kind is one of the DOMException sentinels.
func invalid(op string, kind error, format string, args ...any) error {
	return fmt.Errorf("wsclient: %s: %w: %s", op, kind, fmt.Sprintf(format, args...))
}
