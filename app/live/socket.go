package live

import "github.com/duplexgo/duplex/wsclient"

// Socket is what a Feed needs of a plain WebSocket connection. A
// *wsclient.Conn is one; tests use fakes. Its methods must be safe for
// concurrent use: a Feed polls them from its watch goroutine.
type Socket interface {
	// ReadyState returns the live readyState.
	ReadyState() wsclient.State
	// BufferedAmount returns the bytes queued by sends and not yet sent.
	BufferedAmount() int
	// Protocol returns the negotiated subprotocol.
	Protocol() string
	// Extensions returns the negotiated extensions.
	Extensions() string
	// Transport reports what carries the connection: a WebSocket, or the
	// HTTP fallback's stream or long polls.
	Transport() wsclient.Transport
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

// ClientSocket is what a Feed needs of a connection that lasts: a
// *wsclient.Client, which reconnects with backoff and queues sends while
// disconnected, seen through Dialer; tests use fakes. Its methods must be
// safe for concurrent use.
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

// DefaultMaxEvents is how many events a Feed holds between two snapshots
// when Dialer.MaxEvents is 0.
const DefaultMaxEvents = 1024

// Dialer starts connections and returns the Feeds that follow them. The zero
// value uses wsclient.New and wsclient.NewClient; tests set Conn and Client
// to fakes.
type Dialer struct {
	// Conn starts a plain connection and returns at once, in CONNECTING,
	// like wsclient.New; the callbacks in opts report what happens next.
	// nil means wsclient.New.
	Conn func(url string, opts *wsclient.Options) (Socket, error)
	// Client starts a reconnecting client and returns at once, like
	// wsclient.NewClient; nil means wsclient.NewClient.
	Client func(url string, opts *wsclient.ClientOptions) (ClientSocket, error)
	// MaxEvents bounds the events a Feed holds between two snapshots: past
	// it the oldest are dropped and counted in Snapshot.Dropped. 0 means
	// DefaultMaxEvents; a negative value keeps no events (counters and live
	// values only), for a component that follows events through its own
	// callbacks.
	MaxEvents int
}

// Dial starts a plain connection to url and returns the Feed that follows
// it, in CONNECTING. The callbacks of opts still run, on the connection's
// goroutine, each before the Feed records its event: a snapshot that shows
// an event also shows what its callback did. The Feed receives every
// message, so the connection's Read is not available (wsclient.ErrOnMessageSet).
func (d Dialer) Dial(url string, opts *wsclient.Options) (*Feed, error) {
	f := d.newFeed()
	dial := d.Conn
	if dial == nil {
		dial = newConn
	}
	sock, err := dial(url, f.options(opts))
	if err != nil {
		return nil, err
	}
	f.sock = sock
	return f, nil
}

// DialClient starts a reconnecting client for url and returns the Feed that
// follows it and its connections. The callbacks of opts still run, each
// before the Feed records its event, as with Dial.
func (d Dialer) DialClient(url string, opts *wsclient.ClientOptions) (*Feed, error) {
	f := d.newFeed()
	dial := d.Client
	if dial == nil {
		dial = newClient
	}
	c, err := dial(url, f.clientOptions(opts))
	if err != nil {
		return nil, err
	}
	f.client = c
	return f, nil
}

// Dial starts a plain connection with wsclient.New: see Dialer.Dial.
func Dial(url string, opts *wsclient.Options) (*Feed, error) {
	return Dialer{}.Dial(url, opts)
}

// DialClient starts a reconnecting wsclient.Client: see Dialer.DialClient.
func DialClient(url string, opts *wsclient.ClientOptions) (*Feed, error) {
	return Dialer{}.DialClient(url, opts)
}

// newConn opens a connection with wsclient.New.
func newConn(url string, opts *wsclient.Options) (Socket, error) {
	c, err := wsclient.New(url, opts)
	if err != nil {
		return nil, err // not a typed nil in the interface
	}
	return c, nil
}

// newClient starts a wsclient.Client.
func newClient(url string, opts *wsclient.ClientOptions) (ClientSocket, error) {
	c, err := wsclient.NewClient(url, opts)
	if err != nil {
		return nil, err
	}
	return wsClient{c}, nil
}

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
