package wsclient

import (
	"context"
	"sync"
)

// core is the transport-independent half of a Conn: it tracks the observed
// state, queues received messages for Read, and delivers event callbacks in
// order on a goroutine of its own. Transports report events to it; its
// deliver methods never block, so the browser's event loop is never held.
type core struct {
	opts Options

	mu         sync.Mutex
	state      State
	inbox      []Message // messages waiting for Read
	inboxHead  int
	pendingN   int // messages received and not yet consumed (inbox + events)
	pendingB   int // their bytes
	events     []event
	localClose *CloseError // what our own Close sent, while CLOSING
	closeErr   *CloseError // how the connection ended, once CLOSED
	overflow   error       // set when the receive bounds were exceeded
	overflowN  int         // what was waiting then
	overflowB  int
	refusedN   int // messages refused since (the first included)
	refusedB   int
	consumed   func() // when set, called after Read takes a message (outside mu)
	// gate, with Options.Fallback, filters the WebSocket attempt's events
	// until it opens or is replaced by the HTTP fallback (fallback_switch.go).
	// An interface, so that programs without the fallback do not link it.
	gate eventGate

	readWake  chan struct{} // a message arrived, or the connection ended
	eventWake chan struct{} // an event was queued for the callbacks
	opened    chan struct{} // closed on open
	done      chan struct{} // closed on close
}

type eventKind int

// eventGate decides whether a transport's event of kind, revealing state,
// reaches the application.
type eventGate interface {
	admit(kind eventKind, state State) bool
}

const (
	evState eventKind = iota
	evOpen
	evMessage
	evError
	evClose
)

type event struct {
	kind  eventKind
	state State
	msg   Message
	close *CloseError
}

func newCore(opts Options) *core {
	c := &core{
		opts:      opts,
		state:     Connecting,
		readWake:  make(chan struct{}, 1),
		eventWake: make(chan struct{}, 1),
		opened:    make(chan struct{}),
		done:      make(chan struct{}),
	}
	return c
}

// start begins delivering callbacks, once the transport exists.
func (c *core) start() {
	if c.opts.hasCallbacks() {
		go c.dispatch()
	}
}

// Done returns a channel that is closed when the connection has ended.
func (c *core) Done() <-chan struct{} { return c.done }

// Err returns nil while the connection is not closed; afterwards the reason
// it ended: a *CloseError, possibly joined with ErrReceiveOverflow.
func (c *core) Err() error {
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.closeErr == nil {
		return nil
	}
	return c.endErrLocked("connection")
}

// wake signals a channel without blocking.
func wake(ch chan struct{}) {
	select {
	case ch <- struct{}{}:
	default:
	}
}

// pushLocked queues an event for the callbacks; c.mu is held.
func (c *core) pushLocked(e event) {
	if !c.opts.hasCallbacks() {
		return
	}
	c.events = append(c.events, e)
	wake(c.eventWake)
}

// observeLocked records a new readyState and queues a state-change event.
func (c *core) observeLocked(s State) {
	if s == c.state || c.state == Closed {
		return
	}
	c.state = s
	if c.opts.OnStateChange != nil {
		c.pushLocked(event{kind: evState, state: s})
	}
}

// observe records a new readyState seen by the transport.
func (c *core) observe(s State) {
	if c.gate != nil && !c.gate.admit(evState, s) {
		return
	}
	c.observeNow(s)
}

// observeNow is observe past the gate.
func (c *core) observeNow(s State) {
	c.mu.Lock()
	c.observeLocked(s)
	c.mu.Unlock()
}

// closing records that our own Close started the closing handshake.
func (c *core) closing(code StatusCode, reason string) {
	c.mu.Lock()
	if c.localClose == nil {
		c.localClose = &CloseError{Code: code, Reason: reason}
	}
	c.observeLocked(Closing)
	c.mu.Unlock()
}

// localCloseSent returns the code and reason our own Close sent, or nil.
func (c *core) localCloseSent() *CloseError {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.localClose
}

func (c *core) deliverOpen() {
	if c.gate != nil && !c.gate.admit(evOpen, Open) {
		return
	}
	c.openNow()
}

// openNow is deliverOpen past the gate.
func (c *core) openNow() {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.observeLocked(Open)
	if c.opts.OnOpen != nil {
		c.pushLocked(event{kind: evOpen})
	}
	close(c.opened)
}

// deliverMessage queues m for Read or OnMessage, or hands it to
// OnMessageSync. It reports false when the receive bounds are exceeded: the
// transport must then close the connection with StatusReceiveOverflow (m is
// counted as lost in the error).
func (c *core) deliverMessage(m Message) bool { return c.deliverQueued(m, 0, 0, false) }

// deliverQueued is deliverMessage for a message taken from the browser's
// side, where behindN more messages of about behindB bytes still wait: they
// count against the bounds too. With held set, the transport holds back what
// it reads instead (WebSocketStream), and the bounds are not enforced here.
func (c *core) deliverQueued(m Message, behindN, behindB int, held bool) bool {
	if h := c.opts.OnMessageSync; h != nil {
		h(m)
		return true
	}
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.overflow != nil {
		c.refusedN++
		c.refusedB += len(m.Data)
		return false
	}
	if !held && (c.pendingN+1+behindN > c.opts.MaxPendingMessages || c.pendingB+len(m.Data)+behindB > c.opts.MaxPendingBytes) {
		c.overflow = ErrReceiveOverflow
		c.overflowN, c.overflowB = c.pendingN, c.pendingB
		c.refusedN, c.refusedB = 1, len(m.Data)
		return false
	}
	c.pendingN++
	c.pendingB += len(m.Data)
	if c.opts.OnMessage != nil {
		c.pushLocked(event{kind: evMessage, msg: m})
		return true
	}
	c.inbox = append(c.inbox, m)
	wake(c.readWake)
	return true
}

// refuse counts n more messages of size bytes lost to an overflow.
func (c *core) refuse(n, bytes int) {
	c.mu.Lock()
	c.refusedN += n
	c.refusedB += bytes
	c.mu.Unlock()
}

// overflowErrLocked describes a receive overflow.
func (c *core) overflowErrLocked() error {
	return wrap(c.overflow.Error()+": "+itoa(c.overflowN)+" messages ("+itoa(c.overflowB)+
		" bytes) were waiting to be read; "+itoa(c.refusedN)+" more ("+itoa(c.refusedB)+" bytes) were refused", c.overflow)
}

// pending returns the messages received and not yet consumed, and their bytes.
func (c *core) pending() (n, bytes int) {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.pendingN, c.pendingB
}

func (c *core) deliverError() {
	if c.gate != nil && !c.gate.admit(evError, Closed) {
		return
	}
	c.errorNow()
}

// errorNow is deliverError past the gate.
func (c *core) errorNow() {
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.opts.OnError != nil {
		c.pushLocked(event{kind: evError})
	}
}

func (c *core) deliverClose(ce *CloseError) {
	if c.gate != nil && !c.gate.admit(evClose, Closed) {
		return
	}
	c.closeNow(ce)
}

// closeNow is deliverClose past the gate.
func (c *core) closeNow(ce *CloseError) {
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.closeErr != nil {
		return
	}
	c.observeLocked(Closed)
	c.closeErr = ce
	c.pushLocked(event{kind: evClose, close: ce})
	close(c.done)
	wake(c.readWake)
}

// endErrLocked is the error for operation op once closing has started: it
// carries the close code and reason, and the overflow if there was one.
func (c *core) endErrLocked(op string) error {
	switch {
	case c.closeErr != nil && c.overflow != nil:
		ov := c.overflowErrLocked()
		return wrap("wsclient: "+op+": "+ov.Error()+" ("+c.closeErr.Error()+")", ov, c.closeErr)
	case c.closeErr != nil:
		return opError(op, c.closeErr)
	case c.overflow != nil:
		return opError(op, c.overflowErrLocked())
	case c.localClose != nil:
		return invalid(op, ErrClosed, "closing with "+c.localClose.Code.String()+" "+quote(c.localClose.Reason))
	}
	return invalid(op, ErrClosed, "the peer started the closing handshake")
}

// endErr is endErrLocked for callers that do not hold c.mu.
func (c *core) endErr(op string) error {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.endErrLocked(op)
}

// read returns the next message, blocking until one arrives, the connection
// ends (after the buffered messages have been read), or ctx is done.
func (c *core) read(ctx context.Context) (Message, error) {
	if c.opts.OnMessage != nil || c.opts.OnMessageSync != nil {
		return Message{}, opError("read", ErrOnMessageSet)
	}
	for {
		c.mu.Lock()
		if c.inboxHead < len(c.inbox) {
			m := c.inbox[c.inboxHead]
			c.inbox[c.inboxHead] = Message{}
			c.inboxHead++
			if c.inboxHead == len(c.inbox) {
				c.inbox, c.inboxHead = c.inbox[:0], 0
			} else {
				wake(c.readWake) // let another reader take the next one
			}
			c.pendingN--
			c.pendingB -= len(m.Data)
			c.mu.Unlock()
			if c.consumed != nil {
				c.consumed()
			}
			return m, nil
		}
		if c.closeErr != nil {
			err := c.endErrLocked("read")
			c.mu.Unlock()
			wake(c.readWake)
			return Message{}, err
		}
		c.mu.Unlock()
		select {
		case <-c.readWake:
		case <-ctx.Done():
			return Message{}, opError("read", ctx.Err())
		}
	}
}

// dispatch runs the callbacks, one event at a time, until the close event.
func (c *core) dispatch() {
	for {
		<-c.eventWake
		c.mu.Lock()
		batch := c.events
		c.events = nil
		c.mu.Unlock()
		for _, e := range batch {
			c.run(e)
			if e.kind == evClose {
				return
			}
		}
	}
}

func (c *core) run(e event) {
	o := &c.opts
	switch e.kind {
	case evState:
		o.OnStateChange(e.state)
	case evOpen:
		o.OnOpen()
	case evMessage:
		c.mu.Lock()
		c.pendingN--
		c.pendingB -= len(e.msg.Data)
		c.mu.Unlock()
		if c.consumed != nil {
			c.consumed()
		}
		o.OnMessage(e.msg)
	case evError:
		o.OnError(ErrConnection)
	case evClose:
		if o.OnClose != nil {
			o.OnClose(e.close)
		}
	}
}
