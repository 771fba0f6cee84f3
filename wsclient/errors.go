package wsclient

import (
	"errors"
	"strconv"
	"unicode/utf8"
)

// Sentinel errors named after the DOMExceptions the WebSocket standard throws.
// Every error wsclient returns for invalid input wraps one of them, so callers
// can test with errors.Is. They are returned before anything reaches the network.
var (
	// ErrSyntax: a URL that does not parse, a scheme other than ws, wss, http
	// or https, a fragment, a duplicate or invalid subprotocol, or a close
	// reason longer than 123 UTF-8 bytes or not valid UTF-8 (that error also
	// matches ErrInvalidUTF8).
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
	// ErrInvalidUTF8 is matched by the error returned when a text message or
	// close reason is not valid UTF-8: the browser would silently replace the
	// bad bytes. (For a close reason the error also matches ErrSyntax.)
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

// errFallbackUnset: an HTTP transport without Options.Fallback.
var errFallbackUnset = errors.New("Options.Transport names the HTTP fallback but Options.Fallback is not set")

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
	return "wsclient: closed with " + e.Code.String() + " " + quote(e.Reason) + " (" + clean + ")"
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
	return wrap("wsclient: "+op+": "+errText(err), err)
}

// invalid builds the error of op refused for reason kind, with a detail:
// "wsclient: op: kind: detail". kind is one of the DOMException sentinels
// for invalid input, or ErrClosed once closing has started.
func invalid(op string, kind error, detail string) error {
	return wrap("wsclient: "+op+": "+kind.Error()+": "+detail, kind)
}

// The js/wasm build does not link fmt, which (with reflect, os and io/fs)
// added 0.44 MB, 0.12 MB gzipped, to every program (see deps_test.go). Errors are built from strings instead, with
// the messages fmt.Errorf made and the same wrapping: wrapError for one %w,
// wrapErrors for several.

// wrapError is an error with its own message that wraps err.
type wrapError struct {
	msg string
	err error
}

func (e *wrapError) Error() string { return e.msg }
func (e *wrapError) Unwrap() error { return e.err }

// wrapErrors is an error with its own message that wraps several errors.
type wrapErrors struct {
	msg  string
	errs []error
}

func (e *wrapErrors) Error() string   { return e.msg }
func (e *wrapErrors) Unwrap() []error { return e.errs }

// wrap returns an error reading msg that wraps errs for errors.Is and
// errors.As, as fmt.Errorf with a %w verb for each of them would.
func wrap(msg string, errs ...error) error {
	if len(errs) == 1 {
		return &wrapError{msg: msg, err: errs[0]}
	}
	return &wrapErrors{msg: msg, errs: errs}
}

// errText is err's message; a nil error reads "<nil>" instead of panicking.
func errText(err error) string {
	if err == nil {
		return "<nil>"
	}
	return err.Error()
}

// itoa formats as %d does.
func itoa(n int) string { return strconv.Itoa(n) }

// quote formats as %q (strconv.Quote) does, in less code: strconv's own
// escaping would cost the js/wasm build about 10 KB more. A test checks that
// both agree on every rune and on invalid UTF-8.
func quote(s string) string {
	b := []byte{'"'}
	for i := 0; i < len(s); {
		r, w := utf8.DecodeRuneInString(s[i:])
		esc, digits := byte(0), 0 // \esc then that many hex digits of r
		switch {
		case r == utf8.RuneError && w == 1:
			esc, digits, r = 'x', 2, rune(s[i])
		case r == '"' || r == '\\':
			esc = byte(r)
		case strconv.IsPrint(r):
		case '\a' <= r && r <= '\r':
			esc = "abtnvfr"[r-'\a']
		case r < utf8.RuneSelf:
			esc, digits = 'x', 2
		case r < 0x10000:
			esc, digits = 'u', 4
		default:
			esc, digits = 'U', 8
		}
		if esc == 0 {
			b = append(b, s[i:i+w]...)
		} else {
			b = append(b, '\\', esc)
			for shift := 4 * (digits - 1); shift >= 0; shift -= 4 {
				b = append(b, "0123456789abcdef"[r>>shift&15])
			}
		}
		i += w
	}
	return string(append(b, '"'))
}
