package wsclient

// Defaults applied by New and Dial to zero Options fields.
const (
	DefaultHighWaterMark      = 1 << 20  // 1 MiB buffered before Write waits
	DefaultMaxPendingMessages = 4096     // received messages not yet consumed
	DefaultMaxPendingBytes    = 64 << 20 // their payload bytes
)

// Options configure a connection. The zero value is ready to use; a nil
// *Options means the zero value.
type Options struct {
	// Protocols are the subprotocols offered in Sec-WebSocket-Protocol, in
	// order of preference. The server's choice is Conn.Protocol.
	Protocols []string

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
	return c
}

// hasCallbacks reports whether any event callback is set.
func (o *Options) hasCallbacks() bool {
	return o.OnOpen != nil || o.OnMessage != nil || o.OnError != nil || o.OnClose != nil || o.OnStateChange != nil
}
