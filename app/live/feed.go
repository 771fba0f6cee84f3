package live

import (
	"sync"
	"time"

	"github.com/duplexgo/duplex/wsclient"
)

// EventKind says what an Event reports.
type EventKind int

// Event kinds. A plain connection reports EventOpen, EventMessage,
// EventError and EventClose, as the browser does; a Client reports
// EventClientState, EventMessage and EventUndelivered.
const (
	EventOpen        EventKind = iota + 1 // the connection opened
	EventMessage                          // a message arrived: Message
	EventError                            // the browser fired error: Err
	EventClose                            // the connection ended: Close
	EventClientState                      // the Client's state changed: Client
	EventUndelivered                      // the Client gave up a message: Message, Err
)

// String returns the kind's name, such as "message".
func (k EventKind) String() string {
	switch k {
	case EventOpen:
		return "open"
	case EventMessage:
		return "message"
	case EventError:
		return "error"
	case EventClose:
		return "close"
	case EventClientState:
		return "client-state"
	case EventUndelivered:
		return "undelivered"
	}
	return "unknown"
}

// Event is one thing that happened on a Feed's connection or Client. A
// snapshot carries the events since the previous one, in the order they
// happened.
type Event struct {
	Kind EventKind
	// Message is the message received (EventMessage) or given up
	// (EventUndelivered).
	Message wsclient.Message
	// Err is the error event's error (EventError), or why a message was
	// not delivered (EventUndelivered).
	Err error
	// Close is how the connection ended (EventClose).
	Close *wsclient.CloseError
	// Client is the Client's new state (EventClientState).
	Client wsclient.ClientState
}

// Snapshot is what a watching component is handed, at most once per frame:
// the live values of the connection, the counters, and the events since
// the previous snapshot.
type Snapshot struct {
	// ReadyState is the readyState to show. Each state the connection
	// passes through is in one snapshot at least, in order, even when
	// several happen between two frames: CONNECTING always comes before
	// OPEN. Under a Client it is the current connection's readyState,
	// CONNECTING while an attempt is under way, and CLOSED between
	// connections.
	ReadyState wsclient.State
	// BufferedAmount is the connection's bufferedAmount when last polled,
	// or as sampled by Feed.Sample.
	BufferedAmount int
	// BufferedPeak is the largest BufferedAmount seen, over every
	// connection of a Client.
	BufferedPeak int
	// Protocol and Extensions are the negotiated subprotocol and
	// extensions ("" before open, and between a Client's connections).
	Protocol, Extensions string
	// Transport is what carries the connection (see wsclient.Conn.Transport):
	// it turns to an HTTP one when the connection falls back.
	Transport wsclient.Transport

	// MessagesIn and BytesIn count the messages received and their bytes;
	// MessagesOut and BytesOut those accepted by Feed.Send.
	MessagesIn, MessagesOut int64
	BytesIn, BytesOut       int64

	// Client is a Client's state, Stats its counters (Stats.Queued: sends
	// not yet delivered), and NextIn the time until its next attempt while
	// it waits to reconnect, rounded up to a tenth of a second (0 once
	// due): a snapshot comes each time NextIn changes, so a countdown needs
	// no timer of its own. All three are zero for a plain connection.
	Client wsclient.ClientState
	Stats  wsclient.ClientStats
	NextIn time.Duration

	// Events happened since the previous snapshot, oldest first. The slice
	// belongs to the receiver.
	Events []Event
	// Dropped counts the events since the previous snapshot that did not
	// fit in Dialer.MaxEvents (the oldest go first).
	Dropped int

	// Ended reports that the connection, or the Client, has ended.
	Ended bool
}

// A Feed follows one connection, plain or reconnecting: it owns the
// connection's callbacks, counts messages, keeps the events since the last
// snapshot, and polls the live values the browser offers without events
// (bufferedAmount, protocol, extensions) while it is watched. It lives
// apart from any component, so a connection can outlast the page that
// shows it: Watch binds it to a component for as long as that one is
// mounted. Its methods are safe for concurrent use.
type Feed struct {
	maxEvents int
	sock      Socket       // a plain connection; set before any watch
	client    ClientSocket // or a Client; idem
	done      chan struct{}

	mu      sync.Mutex
	watcher *watcher         // the watch under way, if any
	dirty   bool             // something changed since the last snapshot
	states  []wsclient.State // readyStates not shown yet, in order
	last    wsclient.State   // the latest readyState known
	shown   wsclient.State   // the readyState of the last snapshot
	pinned  bool             // cur.BufferedAmount is a sample to show once
	ended   bool
	cur     Snapshot // the values the next snapshot carries
	events  []Event
	dropped int
}

func (d Dialer) newFeed() *Feed {
	n := d.MaxEvents
	if n == 0 {
		n = DefaultMaxEvents
	}
	return &Feed{
		maxEvents: max(n, 0),
		done:      make(chan struct{}),
		states:    []wsclient.State{wsclient.Connecting},
		last:      wsclient.Connecting,
	}
}

// options returns the options a plain connection is started with: the
// caller's, whose callbacks run first, then the Feed records the event.
func (f *Feed) options(opts *wsclient.Options) *wsclient.Options {
	var o wsclient.Options
	if opts != nil {
		o = *opts
	}
	u := o
	o.OnStateChange = func(s wsclient.State) {
		if u.OnStateChange != nil {
			u.OnStateChange(s)
		}
		f.pushState(s, false)
	}
	o.OnOpen = func() {
		if u.OnOpen != nil {
			u.OnOpen()
		}
		f.record(Event{Kind: EventOpen})
	}
	if u.OnMessageSync != nil {
		o.OnMessageSync = func(m wsclient.Message) {
			u.OnMessageSync(m)
			f.received(m)
		}
	} else {
		o.OnMessage = func(m wsclient.Message) {
			if u.OnMessage != nil {
				u.OnMessage(m)
			}
			f.received(m)
		}
	}
	o.OnError = func(err error) {
		if u.OnError != nil {
			u.OnError(err)
		}
		f.record(Event{Kind: EventError, Err: err})
	}
	o.OnClose = func(ce *wsclient.CloseError) {
		if u.OnClose != nil {
			u.OnClose(ce)
		}
		f.end(Event{Kind: EventClose, Close: ce})
	}
	return &o
}

// clientOptions returns the options a Client is started with, as options
// does for a plain connection.
func (f *Feed) clientOptions(opts *wsclient.ClientOptions) *wsclient.ClientOptions {
	var o wsclient.ClientOptions
	if opts != nil {
		o = *opts
	}
	u := o
	o.OnStateChange = func(st wsclient.ClientState) {
		if u.OnStateChange != nil {
			u.OnStateChange(st)
		}
		e := Event{Kind: EventClientState, Client: st}
		if st.Phase == wsclient.PhaseClosed {
			f.end(e)
			return
		}
		f.record(e)
	}
	o.OnMessage = func(m wsclient.Message) {
		if u.OnMessage != nil {
			u.OnMessage(m)
		}
		f.received(m)
	}
	o.OnUndelivered = func(m wsclient.Message, err error) {
		if u.OnUndelivered != nil {
			u.OnUndelivered(m, err)
		}
		f.record(Event{Kind: EventUndelivered, Message: m, Err: err})
	}
	return &o
}

// Conn returns the connection whose live values the snapshots show: the
// plain one, or the Client's current one (nil between connections).
func (f *Feed) Conn() Socket {
	if f.client != nil {
		return f.client.Conn()
	}
	return f.sock
}

// Client returns the Client the Feed follows, or nil for a plain
// connection.
func (f *Feed) Client() ClientSocket { return f.client }

// Done returns a channel closed when the connection, or the Client, has
// ended.
func (f *Feed) Done() <-chan struct{} { return f.done }

// Send sends a message at once on a plain connection (SendText or
// SendBinary), or hands it to the Client, which queues it while
// disconnected. Messages accepted are counted in MessagesOut and BytesOut.
func (f *Feed) Send(typ wsclient.MessageType, p []byte) error {
	var err error
	switch {
	case f.client != nil:
		err = f.client.Send(typ, p)
	case typ == wsclient.Text:
		err = f.sock.SendText(string(p))
	default:
		err = f.sock.SendBinary(p)
	}
	if err != nil {
		return err
	}
	f.mu.Lock()
	f.cur.MessagesOut++
	f.cur.BytesOut += int64(len(p))
	f.dirty = true
	f.mu.Unlock()
	return nil
}

// Close closes the plain connection, or ends the Client (no reconnect
// follows), with code and reason; the browser's rules apply.
func (f *Feed) Close(code wsclient.StatusCode, reason string) error {
	if f.client != nil {
		return f.client.Close(code, reason)
	}
	return f.sock.Close(code, reason)
}

// Sample reads bufferedAmount now and shows that value in the next
// snapshot, even if the buffer drains before the next frame: call it after
// a send, or every so often during a burst of sends, so that the rise is
// seen.
func (f *Feed) Sample() {
	buffered := 0
	if conn := f.Conn(); conn != nil {
		buffered = conn.BufferedAmount()
	}
	f.mu.Lock()
	f.cur.BufferedAmount = buffered
	f.cur.BufferedPeak = max(f.cur.BufferedPeak, buffered)
	f.pinned = buffered > 0
	f.dirty = true
	f.mu.Unlock()
}

// Notify asks for a snapshot at the next frame although the Feed saw
// nothing new: call it when state of your own that the watch's function
// shows has changed (a log kept beside the Feed, say).
func (f *Feed) Notify() {
	f.mu.Lock()
	f.dirty = true
	f.mu.Unlock()
}

// pushState records a readyState seen by an event or a poll. On a plain
// connection readyState only moves forward, so a state not after the
// latest one is stale news and ignored; a Client's connections follow one
// another, so anyOrder accepts every change (only the watch goroutine then
// pushes, in the order it observes them). States skipped between two
// observations are not invented.
func (f *Feed) pushState(s wsclient.State, anyOrder bool) {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.pushStateLocked(s, anyOrder)
}

func (f *Feed) pushStateLocked(s wsclient.State, anyOrder bool) {
	if s == f.last || (s < f.last && !anyOrder) {
		return
	}
	f.last = s
	f.states = append(f.states, s)
}

// record keeps an event for the next snapshot.
func (f *Feed) record(e Event) {
	f.mu.Lock()
	f.recordLocked(e)
	f.mu.Unlock()
}

// recordLocked keeps e, dropping the oldest events past twice maxEvents
// (take trims to maxEvents), so that a flood costs amortized O(1) per
// event.
func (f *Feed) recordLocked(e Event) {
	f.dirty = true
	if f.maxEvents == 0 {
		return
	}
	if len(f.events) == 2*f.maxEvents {
		n := copy(f.events, f.events[f.maxEvents:])
		clear(f.events[n:])
		f.events = f.events[:n]
		f.dropped += f.maxEvents
	}
	f.events = append(f.events, e)
}

// received counts a message and keeps it.
func (f *Feed) received(m wsclient.Message) {
	f.mu.Lock()
	f.cur.MessagesIn++
	f.cur.BytesIn += int64(len(m.Data))
	f.recordLocked(Event{Kind: EventMessage, Message: m})
	f.mu.Unlock()
}

// end records the last event and marks the Feed ended.
func (f *Feed) end(e Event) {
	f.mu.Lock()
	f.recordLocked(e)
	already := f.ended
	f.ended = true
	f.cur.Ended = true
	f.mu.Unlock()
	if !already {
		close(f.done)
	}
}

// poll reads the live values of the connection, and of the Client, for
// the watch w. It reports whether the connection, or the Client, is still
// alive.
func (f *Feed) poll(w *watcher, now time.Time) (alive bool) {
	var (
		state      wsclient.State
		buffered   int
		proto, ext string
		transport  wsclient.Transport
		cst        wsclient.ClientState
		stats      wsclient.ClientStats
		nextIn     time.Duration
	)
	conn := f.Conn()
	if conn != nil {
		state, buffered = conn.ReadyState(), conn.BufferedAmount()
		proto, ext, transport = conn.Protocol(), conn.Extensions(), conn.Transport()
	}
	if f.client != nil {
		cst, stats = f.client.State(), f.client.Stats()
		if cst.Phase == wsclient.PhaseReconnecting {
			// Rounded up to a tenth of a second: a countdown is shown
			// without a snapshot every frame.
			const tenth = 100 * time.Millisecond
			if d := cst.NextTry.Sub(now); d > 0 {
				nextIn = (d + tenth - 1) / tenth * tenth
			}
		}
		if conn == nil {
			state = wsclient.Closed
			if cst.Phase == wsclient.PhaseConnecting || cst.Phase == wsclient.PhaseReconnecting && nextIn == 0 {
				state = wsclient.Connecting // an attempt is under way
			}
		}
	}

	f.mu.Lock()
	defer f.mu.Unlock()
	if f.watcher != w { // stopped meanwhile
		return !f.ended
	}
	c := &f.cur
	if f.client != nil {
		f.pushStateLocked(state, true)
		prev := c.Client
		if cst.Phase != prev.Phase || cst.Attempt != prev.Attempt || !cst.NextTry.Equal(prev.NextTry) ||
			stats != c.Stats || nextIn != c.NextIn {
			f.dirty = true
		}
		c.Client, c.Stats, c.NextIn = cst, stats, nextIn
	} else {
		f.pushStateLocked(state, false)
	}
	if proto != c.Protocol || ext != c.Extensions || transport != c.Transport {
		c.Protocol, c.Extensions, c.Transport = proto, ext, transport
		f.dirty = true
	}
	if !f.pinned && buffered != c.BufferedAmount {
		c.BufferedAmount = buffered
		f.dirty = true
	}
	if buffered > c.BufferedPeak {
		c.BufferedPeak = buffered
		f.dirty = true
	}
	return !f.ended
}

// pendingLocked reports whether the next snapshot has something new.
func (f *Feed) pendingLocked() bool { return f.dirty || len(f.states) > 0 }

// take returns the next snapshot: the next readyState to show and
// everything else new since the previous one.
func (f *Feed) take() Snapshot {
	f.mu.Lock()
	defer f.mu.Unlock()
	if len(f.states) > 0 {
		f.shown = f.states[0]
		f.states = f.states[1:]
	}
	s := f.cur
	s.ReadyState = f.shown
	if n := len(f.events) - f.maxEvents; n > 0 {
		f.dropped += n
		f.events = f.events[n:]
	}
	s.Events, s.Dropped = f.events, f.dropped
	f.events, f.dropped = nil, 0
	f.pinned, f.dirty = false, false
	return s
}
