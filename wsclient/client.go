package wsclient

import (
	"context"
	"errors"
	"sync"
	"sync/atomic"
	"time"
)

// Phase is where a Client is in its life.
type Phase int

const (
	// PhaseConnecting: the first connection attempt is under way.
	PhaseConnecting Phase = iota
	// PhaseOpen: a connection is open and queued messages flow.
	PhaseOpen
	// PhaseReconnecting: the last connection ended or an attempt failed; the
	// next attempt starts at ClientState.NextTry.
	PhaseReconnecting
	// PhaseClosed: the Client has ended for good (ClientState.Err says why).
	PhaseClosed
)

// String returns the phase in lower case, e.g. "reconnecting".
func (p Phase) String() string {
	switch p {
	case PhaseConnecting:
		return "connecting"
	case PhaseOpen:
		return "open"
	case PhaseReconnecting:
		return "reconnecting"
	case PhaseClosed:
		return "closed"
	}
	return "Phase(" + itoa(int(p)) + ")"
}

// ClientState is a Client's observable state, for UIs.
type ClientState struct {
	Phase Phase
	// Attempt counts consecutive failed attempts (PhaseReconnecting).
	Attempt int
	// NextTry is when the next attempt starts (PhaseReconnecting).
	NextTry time.Time
	// Err is why the last connection ended or the last attempt failed, or,
	// in PhaseClosed, why the Client ended (nil after its own Close).
	Err error
}

// ClientStats counts what a Client did; see Client.Stats.
type ClientStats struct {
	Sent        int64 // messages settled as delivered (confirmed, or handed to the network)
	Received    int64 // messages delivered to the application
	Undelivered int64 // messages reported through OnUndelivered
	Dropped     int64 // volatile messages dropped while disconnected
	Connects    int64 // connections opened
	Fallbacks   int64 // connections opened on the HTTP fallback (see FallbackOptions)
	Upgrades    int64 // connections on the fallback left for a WebSocket that got through again
	Queued      int   // messages accepted and not yet settled
	QueuedBytes int   // their bytes
}

// Errors of a Client.
var (
	// ErrQueueFull: Send found the outbox at ClientOptions.MaxQueueMessages
	// or MaxQueueBytes. The message was not accepted.
	ErrQueueFull = errors.New("wsclient: send queue full")
	// ErrUndelivered is what OnUndelivered receives for a message written to
	// a connection that ended before the message was confirmed.
	ErrUndelivered = errors.New("wsclient: connection ended before the message was confirmed")
	// ErrHeartbeatTimeout ends a connection whose heartbeat went unanswered.
	ErrHeartbeatTimeout = errors.New("wsclient: heartbeat unanswered; connection presumed dead")
	// ErrOffline ends a connection when the browser reports it is offline.
	ErrOffline = errors.New("wsclient: the browser is offline")
	// ErrUpgradeToWebSocket ends a connection on the HTTP fallback when a
	// WebSocket gets through again (see FallbackOptions.RetryWebSocket):
	// the Client reconnects at once, over a WebSocket.
	ErrUpgradeToWebSocket = errors.New("wsclient: leaving the HTTP fallback for a WebSocket")
)

// ClientOptions configure a Client. A nil *ClientOptions means the zero
// value: reconnect with the default Backoff, no heartbeat.
type ClientOptions struct {
	// Options apply to every connection (subprotocols, water marks, receive
	// bounds, the HTTP fallback: a Client on it moves back to a WebSocket
	// when one gets through, see FallbackOptions.RetryWebSocket). Their
	// callbacks are not used: set the Client's.
	Options

	// Endpoint, when set, is called before every attempt for the URL and
	// subprotocols to use (fresh tokens, another replica...); an error
	// counts as a failed attempt. Otherwise the URL given to NewClient and
	// Options.Protocols are used.
	Endpoint func() (url string, protocols []string, err error)

	// Backoff is the reconnect schedule.
	Backoff Backoff

	// Terminal reports whether a close code from the server ends the Client
	// instead of reconnecting (default DefaultTerminal). The Client's own
	// Close always ends it.
	Terminal func(StatusCode) bool

	// MaxQueueMessages and MaxQueueBytes bound the messages accepted by
	// Send and not yet settled (queued, or written but unconfirmed):
	// defaults 1024 and 16 MiB. Past them Send returns ErrQueueFull.
	MaxQueueMessages int
	// MaxQueueBytes: see MaxQueueMessages.
	MaxQueueBytes int

	// Key, when set, confirms delivery: it names a message (empty: no
	// name), and a sent message stays unconfirmed until a received message
	// with the same name arrives (an echo, an acknowledgement carrying the
	// id). Without Key a message counts as delivered once the connection
	// has handed all its bytes to the network — a message lost in flight
	// when a connection drops cannot be known then.
	Key func(Message) string

	// Redeliver sends unconfirmed messages again, in order, on the next
	// connection (at least once; the peer may see duplicates). Otherwise
	// they are reported to OnUndelivered (at most once).
	Redeliver bool

	// Heartbeat detects dead connections (off by default).
	Heartbeat Heartbeat

	// OnStateChange is called with every new ClientState, in order.
	OnStateChange func(ClientState)
	// OnMessage receives every message (then Read returns ErrOnMessageSet).
	// It runs on the Client's reader goroutine; while it runs no further
	// message is taken from the connection.
	OnMessage func(Message)
	// OnWrite is called with each accepted message once it has been
	// written to a connection (handed to the browser's send), in order, on
	// the Client's writer goroutine: a message queued while disconnected is
	// reported when the next connection flushes it, so a round trip can be
	// measured from the moment it really left. A message written again
	// (Redeliver) is reported again. It must not block.
	OnWrite func(Message)
	// OnUndelivered is called for each accepted message that will not be
	// delivered: unconfirmed when its connection ended (ErrUndelivered),
	// or still queued when the Client ended (the Client's final error).
	// Without it such messages are only counted (Stats().Undelivered).
	OnUndelivered func(Message, error)
}

// Client defaults.
const (
	DefaultMaxQueueMessages = 1024
	DefaultMaxQueueBytes    = 16 << 20
)

// DefaultTerminal is the default ClientOptions.Terminal: close codes that
// would only repeat on a new connection — normal closure (the server is done
// with us), protocol, data and policy errors, message too big, a missing
// extension, TLS failure. 1001 (going away, a server restarting), 1006
// (dropped), 1011–1014 and the private codes reconnect.
func DefaultTerminal(code StatusCode) bool {
	switch code {
	case StatusNormalClosure, StatusProtocolError, StatusUnsupportedData,
		StatusInvalidFramePayloadData, StatusPolicyViolation, StatusMessageTooBig,
		StatusMandatoryExtension, StatusTLSHandshake:
		return true
	}
	return false
}

// Client is a connection that lasts: it reconnects with backoff and jitter,
// queues sends while disconnected (bounded, never dropping a message without
// telling), and replaces dead connections found by its heartbeat. Reads,
// writes and callbacks work as with Conn. Its methods are safe for
// concurrent use.
type Client struct {
	opts    ClientOptions
	url     string
	hb      Heartbeat
	backoff Backoff
	ctx     context.Context // cancelled by Close
	cancel  context.CancelFunc
	net     *netWatch
	inbox   chan Message
	done    chan struct{}

	mu       sync.Mutex
	state    ClientState
	out      outbox
	conn     *Conn
	closeReq *CloseError // the application's Close
	final    error
	stats    ClientStats
	wakeOut  chan struct{} // the outbox has something to write

	lastInbound atomic.Int64 // unix nanoseconds of the last inbound message
	written     atomic.Int64 // bytes the pump handed to the current connection

	// delay picks the wait before an attempt (Backoff.Delay; tests replace it).
	delay func(attempt int) time.Duration
}

// NewClient starts a Client connecting to rawURL (or to what
// ClientOptions.Endpoint returns) and returns at once.
func NewClient(rawURL string, opts *ClientOptions) (*Client, error) {
	c, err := newClient(rawURL, opts)
	if err != nil {
		return nil, err
	}
	c.net = watchNetwork()
	go c.run()
	return c, nil
}

// newClient prepares a Client without starting it.
func newClient(rawURL string, opts *ClientOptions) (*Client, error) {
	var o ClientOptions
	if opts != nil {
		o = *opts
	}
	if o.Endpoint == nil {
		if _, err := parseURL(rawURL); err != nil {
			return nil, err
		}
		if err := validateProtocols(o.Protocols); err != nil {
			return nil, err
		}
	}
	o.Options = o.Options.withDefaults()
	o.Options.OnOpen, o.Options.OnMessage, o.Options.OnError, o.Options.OnClose, o.Options.OnStateChange = nil, nil, nil, nil, nil
	if o.Terminal == nil {
		o.Terminal = DefaultTerminal
	}
	if o.MaxQueueMessages <= 0 {
		o.MaxQueueMessages = DefaultMaxQueueMessages
	}
	if o.MaxQueueBytes <= 0 {
		o.MaxQueueBytes = DefaultMaxQueueBytes
	}
	c := &Client{
		opts:    o,
		url:     rawURL,
		hb:      o.Heartbeat.withDefaults(),
		backoff: o.Backoff.withDefaults(),
		done:    make(chan struct{}),
		wakeOut: make(chan struct{}, 1),
		out:     outbox{maxN: o.MaxQueueMessages, maxB: o.MaxQueueBytes},
		state:   ClientState{Phase: PhaseConnecting},
	}
	if o.OnMessage == nil {
		c.inbox = make(chan Message, o.MaxPendingMessages)
	}
	c.delay = c.backoff.Delay
	c.ctx, c.cancel = context.WithCancel(context.Background())
	return c, nil
}

// State returns the Client's current state.
func (c *Client) State() ClientState {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.state
}

// Conn returns the open connection, or nil between connections: use it to
// watch BufferedAmount, Protocol and Extensions. Do not close it; Close the
// Client.
func (c *Client) Conn() *Conn {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.conn
}

// Stats returns the Client's counters. Messages without a confirmation key
// whose bytes have left for the network are settled first, so Queued is
// current.
func (c *Client) Stats() ClientStats {
	if conn := c.Conn(); conn != nil {
		c.settleHandedOver(conn, c.written.Load())
	}
	c.mu.Lock()
	defer c.mu.Unlock()
	s := c.stats
	s.Queued, s.QueuedBytes = c.out.n, c.out.bytes
	return s
}

// Done is closed when the Client has ended.
func (c *Client) Done() <-chan struct{} { return c.done }

// Err returns nil while the Client runs, then why it ended (nil after its
// own Close).
func (c *Client) Err() error {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.final
}

// Send accepts a message for delivery, in order, on the current or a future
// connection, and returns at once. It fails with ErrQueueFull when the
// outbox is full, and with the Client's final error once it has ended; a
// message Send accepted and that is not delivered is reported to
// OnUndelivered. Text must be valid UTF-8. p is copied.
func (c *Client) Send(typ MessageType, p []byte) error {
	return c.send(typ, p, false)
}

// SendVolatile is Send for messages worthless later (a cursor position, a
// typing indicator): while no connection is open they are dropped and
// counted in Stats().Dropped instead of queued or reported.
func (c *Client) SendVolatile(typ MessageType, p []byte) error {
	return c.send(typ, p, true)
}

func (c *Client) send(typ MessageType, p []byte, volatile bool) error {
	if err := validateMessage("send", typ, p); err != nil {
		return err
	}
	m := outMsg{msg: Message{Type: typ, Data: append([]byte(nil), p...)}, volatile: volatile}
	if c.opts.Key != nil { // application code: never under c.mu
		m.key = c.opts.Key(m.msg)
	}
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.state.Phase == PhaseClosed || c.closeReq != nil {
		return c.closedErrLocked("send")
	}
	if volatile && c.state.Phase != PhaseOpen {
		c.stats.Dropped++
		return nil
	}
	if !c.out.fits(len(p)) {
		return opError("send", wrap(ErrQueueFull.Error()+" ("+itoa(c.out.n)+" messages, "+itoa(c.out.bytes)+
			" bytes waiting; limits "+itoa(c.out.maxN)+" and "+itoa(c.out.maxB)+")", ErrQueueFull))
	}
	c.out.push(m)
	wake(c.wakeOut)
	return nil
}

// closedErrLocked is the error for op after the Client has ended.
func (c *Client) closedErrLocked(op string) error {
	if c.final != nil {
		return opError(op, c.final)
	}
	if c.closeReq != nil {
		return invalid(op, ErrClosed, "the client was closed with "+c.closeReq.Code.String()+" "+quote(c.closeReq.Reason))
	}
	return opError(op, ErrClosed)
}

// Read returns the next message from whichever connection is open, blocking
// until one arrives, ctx is done, or the Client has ended and every message
// received before has been read. With OnMessage set it returns
// ErrOnMessageSet.
func (c *Client) Read(ctx context.Context) (MessageType, []byte, error) {
	if c.inbox == nil {
		return 0, nil, opError("read", ErrOnMessageSet)
	}
	select {
	case m := <-c.inbox:
		return m.Type, m.Data, nil
	case <-ctx.Done():
		return 0, nil, opError("read", ctx.Err())
	case <-c.done:
		select {
		case m := <-c.inbox:
			return m.Type, m.Data, nil
		default:
		}
		c.mu.Lock()
		defer c.mu.Unlock()
		return 0, nil, c.closedErrLocked("read")
	}
}

// Close ends the Client for good: the open connection, if any, is closed
// with code and reason (validated as Conn.Close does), no reconnect follows,
// and messages still queued are reported to OnUndelivered. It returns
// without waiting; Done is closed at the end.
func (c *Client) Close(code StatusCode, reason string) error {
	if err := validateClose(code, reason); err != nil {
		return err
	}
	c.mu.Lock()
	if c.closeReq != nil || c.state.Phase == PhaseClosed {
		c.mu.Unlock()
		return nil
	}
	c.closeReq = &CloseError{Code: code, Reason: reason, WasClean: true}
	c.mu.Unlock()
	c.cancel()
	return nil
}

// setState records and announces a new state. Only the run goroutine calls
// it, so OnStateChange sees the states in order.
func (c *Client) setState(s ClientState) {
	c.mu.Lock()
	c.state = s
	c.mu.Unlock()
	if c.opts.OnStateChange != nil {
		c.opts.OnStateChange(s)
	}
}

// endpoint returns the URL and subprotocols for the next attempt.
func (c *Client) endpoint() (string, []string, error) {
	if c.opts.Endpoint == nil {
		return c.url, c.opts.Protocols, nil
	}
	url, protocols, err := c.opts.Endpoint()
	if err != nil {
		return "", nil, opError("endpoint", err)
	}
	return url, protocols, nil
}

// run connects, serves each connection, and waits between attempts, until
// Close or a terminal end.
func (c *Client) run() {
	defer c.net.stop()
	attempt := 0
	for {
		var (
			lasted time.Duration
			opened bool
			err    = ErrOffline
		)
		if c.net.online() {
			opened, lasted, err = c.connectOnce()
		}
		if c.ctx.Err() != nil {
			c.finish(nil)
			return
		}
		if code := CloseStatus(err); opened && code != -1 && c.opts.Terminal(code) {
			c.finish(err)
			return
		}
		if errors.Is(err, ErrUpgradeToWebSocket) {
			c.mu.Lock()
			c.stats.Upgrades++
			c.mu.Unlock()
			attempt = 0
			c.setState(ClientState{Phase: PhaseReconnecting, NextTry: time.Now(), Err: err})
			continue
		}
		if opened && lasted >= c.backoff.ResetAfter {
			attempt = 0
		}
		attempt++
		if c.backoff.MaxAttempts > 0 && attempt > c.backoff.MaxAttempts {
			c.finish(wrap("wsclient: gave up after "+itoa(attempt-1)+" attempts: "+errText(err), err))
			return
		}
		c.dropVolatile()
		delay := c.delay(attempt)
		c.setState(ClientState{Phase: PhaseReconnecting, Attempt: attempt, NextTry: time.Now().Add(delay), Err: err})
		if !c.sleep(delay) {
			c.finish(nil)
			return
		}
	}
}

// connectOnce makes one attempt and, if it opens, serves the connection
// until it ends: it reports whether it opened, for how long, and why it
// ended or failed.
func (c *Client) connectOnce() (opened bool, lasted time.Duration, err error) {
	url, protocols, err := c.endpoint()
	if err != nil {
		return false, 0, err
	}
	o := c.opts.Options
	o.Protocols = protocols
	conn, err := Dial(c.ctx, url, &o)
	if err != nil {
		return false, 0, err
	}
	start := time.Now()
	c.written.Store(0) // before Stats can see the new connection
	c.mu.Lock()
	c.conn = conn
	c.stats.Connects++
	if conn.Transport().httpTransport() {
		c.stats.Fallbacks++
	}
	c.mu.Unlock()
	c.setState(ClientState{Phase: PhaseOpen})
	err = c.serve(conn)
	c.mu.Lock()
	c.conn = nil
	c.mu.Unlock()
	return true, time.Since(start), err
}

// sleep waits d between attempts; the browser coming back online cuts it
// short, going offline stretches it until online. It reports false when the
// Client was closed meanwhile.
func (c *Client) sleep(d time.Duration) bool {
	t := time.NewTimer(d)
	defer t.Stop()
	for {
		select {
		case <-t.C:
			if c.net.online() {
				return true
			}
		case ev := <-c.net.events:
			if ev == netOnline {
				return true
			}
		case <-c.ctx.Done():
			return false
		}
	}
}

// dropVolatile discards volatile messages while no connection can take them.
func (c *Client) dropVolatile() {
	c.mu.Lock()
	c.stats.Dropped += int64(c.out.dropVolatile())
	c.mu.Unlock()
}

// finish ends the Client: err is the terminal error, nil after Close.
func (c *Client) finish(err error) {
	c.mu.Lock()
	c.final = err
	left := c.out.all()
	why := c.closedErrLocked("send")
	c.mu.Unlock()
	c.report(left, why)
	c.setState(ClientState{Phase: PhaseClosed, Err: err})
	c.cancel()
	close(c.done)
}

// report tells the application about messages that will not be delivered.
func (c *Client) report(lost []outMsg, why error) {
	n := 0
	for _, m := range lost {
		if m.volatile {
			continue
		}
		n++
		if c.opts.OnUndelivered != nil {
			c.opts.OnUndelivered(m.msg, why)
		}
	}
	c.mu.Lock()
	c.stats.Undelivered += int64(n)
	for _, m := range lost {
		if m.volatile {
			c.stats.Dropped++
		}
	}
	c.mu.Unlock()
}
