package wsclient

// Defaults applied by New and Dial to zero Options fields.
const (
	DefaultHighWaterMark      = 1 << 20  // 1 MiB buffered before Write waits
	DefaultMaxPendingMessages = 4096     // received messages not yet consumed
	DefaultMaxPendingBytes    = 64 << 20 // their payload bytes
)

// Transport selects the browser API behind a Conn. Natively it is ignored.
type Transport int

const (
	// TransportWebSocket, the default, is the classic WebSocket object of
	// every browser. Write's backpressure polls bufferedAmount.
	TransportWebSocket Transport = iota
	// TransportAuto uses WebSocketStream where the browser has it and
	// WebSocket elsewhere.
	TransportAuto
	// TransportStream is WebSocketStream (Chromium 124+, not Firefox or
	// Safari): Write waits for its writer's readiness, or for the next write
	// to complete, instead of polling; BufferedAmount counts the bytes of
	// writes not yet completed. New fails where the browser lacks it.
	// Experimental: WebSocketStream itself is not standardized yet, and
	// against a peer that stops reading Chromium completes its writes in
	// bursts, so BufferedAmount moves less smoothly than WebSocket's.
	TransportStream
	// TransportHTTPStream is the HTTP fallback (see FallbackOptions) with
	// its downstream on one long-lived streaming response. As
	// Options.Transport, with Options.Fallback set, it skips WebSocket and
	// uses the fallback at once, in the browser and natively (for networks
	// known to block WebSockets, and for tests); the stream still turns
	// into long polling when a proxy buffers it.
	TransportHTTPStream
	// TransportHTTPPoll is the HTTP fallback with its downstream on long
	// polls: a proxy buffered the stream. As Options.Transport it skips
	// WebSocket and polls from the start.
	TransportHTTPPoll
)

// String names the transport.
func (t Transport) String() string {
	switch t {
	case TransportWebSocket:
		return "WebSocket"
	case TransportAuto:
		return "auto"
	case TransportStream:
		return "WebSocketStream"
	case TransportHTTPStream:
		return "http-stream"
	case TransportHTTPPoll:
		return "http-poll"
	}
	return "Transport(?)"
}

// Options configure a connection. The zero value is ready to use; a nil
// *Options means the zero value.
type Options struct {
	// Protocols are the subprotocols offered in Sec-WebSocket-Protocol, in
	// order of preference. The server's choice is Conn.Protocol.
	Protocols []string

	// Transport selects WebSocket (the default) or WebSocketStream in the
	// browser. WebSocketStream is experimental here: see TransportStream.
	Transport Transport

	// Fallback, when set (to a *FallbackOptions), lets the connection fall
	// back to HTTP requests when a WebSocket cannot get through. Nil, the
	// default, means WebSocket only.
	Fallback Fallback

	// HighWaterMark is the BufferedAmount at or above which Write waits
	// (default DefaultHighWaterMark). Write then waits until BufferedAmount
	// has drained to LowWaterMark (default HighWaterMark/4).
	HighWaterMark int
	// LowWaterMark: see HighWaterMark.
	LowWaterMark int

	// MaxPendingMessages and MaxPendingBytes bound the messages received but
	// not yet taken by Read or delivered to OnMessage (defaults
	// DefaultMaxPendingMessages and DefaultMaxPendingBytes). The browser
	// cannot be paused, so past either bound wsclient closes the connection
	// with StatusReceiveOverflow, and Read returns the messages received
	// before that, then an error matching ErrReceiveOverflow. Nothing is
	// dropped silently.
	MaxPendingMessages int
	// MaxPendingBytes: see MaxPendingMessages.
	MaxPendingBytes int

	// Event callbacks, for UIs. They run one at a time, in the browser's event
	// order, on a goroutine of the connection — never on the JavaScript
	// event loop — so they may block (events wait for them in a queue).
	//
	// OnOpen is called when the connection opens.
	OnOpen func()
	// OnMessage receives every message. When it is set, Read returns
	// ErrOnMessageSet: a message goes to exactly one consumer.
	OnMessage func(Message)
	// OnMessageSync, for latency-critical code, receives every message
	// synchronously inside the hand-off that brings it into Go: before it is
	// queued anywhere and before any reader or callback goroutine runs, so a
	// reply sent from it (SendText, SendBinary) leaves without another
	// goroutine switch. It must return quickly and must not block — no
	// channel operations that wait, no Write, no Read, no sleeping — since
	// no other message is taken while it runs. It takes precedence over
	// OnMessage; with either set, Read returns ErrOnMessageSet. Natively it
	// runs on the connection's read goroutine. Messages given to it are not
	// counted against MaxPendingMessages (they are consumed at once).
	OnMessageSync func(Message)
	// OnError is called with ErrConnection when the browser fires error
	// (always followed by OnClose).
	OnError func(error)
	// OnClose is called once with how the connection ended.
	OnClose func(*CloseError)
	// OnStateChange is called with each new readyState, before the event
	// that revealed it (Closed comes before OnError and OnClose, as in the
	// browser, where readyState is already CLOSED when error fires).
	OnStateChange func(State)
}

// withDefaults returns a copy of o with zero fields set to their defaults.
func (o *Options) withDefaults() Options {
	var c Options
	if o != nil {
		c = *o
		c.Protocols = append([]string(nil), o.Protocols...)
		if o.Fallback != nil {
			c.Fallback = o.Fallback.resolved()
		}
	}
	if c.HighWaterMark <= 0 {
		c.HighWaterMark = DefaultHighWaterMark
	}
	if c.LowWaterMark <= 0 || c.LowWaterMark > c.HighWaterMark {
		c.LowWaterMark = c.HighWaterMark / 4
	}
	if c.MaxPendingMessages <= 0 {
		c.MaxPendingMessages = DefaultMaxPendingMessages
	}
	if c.MaxPendingBytes <= 0 {
		c.MaxPendingBytes = DefaultMaxPendingBytes
	}
	if c.Transport == TransportWebSocket && testTransport != TransportWebSocket {
		c.Transport = testTransport
	}
	return c
}

// httpTransport reports whether t is one of the HTTP fallback's.
func (t Transport) httpTransport() bool { return t == TransportHTTPStream || t == TransportHTTPPoll }

// hasCallbacks reports whether any event callback is set.
func (o *Options) hasCallbacks() bool {
	return o.OnOpen != nil || o.OnMessage != nil || o.OnError != nil || o.OnClose != nil || o.OnStateChange != nil
}

// testTransport, when set by the tests, replaces the default transport so
// that the whole suite can run on each browser API.
var testTransport = TransportWebSocket
