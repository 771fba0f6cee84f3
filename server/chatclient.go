package server

import (
	"context"
	"sync"
	"time"

	"github.com/coder/websocket"

	"github.com/duplexgo/duplex/server/chatproto"
)

// chatCoalesce is the shortest time between two writes to a chat client's
// socket while events keep coming: what arrives meanwhile goes out in one
// write. A lone event after a quiet spell goes out at once. In a busy room
// this turns a system call and a wake-up of the reader per event into one
// per batch, which is what lets a room of thousands keep up.
const chatCoalesce = 50 * time.Millisecond

// chatEvent is one frame for the members of a room, encoded once per mode
// and shared by every member's queue.
type chatEvent struct {
	json, text []byte    // the frame in each mode; nil if no member needs it
	at         time.Time // when it was queued
}

// newChatEvent encodes ev in the modes asked for.
func newChatEvent(ev chatproto.ServerEvent, at time.Time, text, json bool) *chatEvent {
	e := &chatEvent{at: at}
	if json {
		e.json = chatproto.EncodeEvent(ev)
	}
	if text {
		e.text = chatproto.EncodeText(ev)
	}
	return e
}

// chatClient is a room member: its name, its mode and its outbound queue.
// The queue is bounded in time and in length: a client whose oldest
// undelivered event (queued, or handed to the socket but not taken by it)
// is older than maxLag, or whose queue holds maxQueue events, is too slow.
type chatClient struct {
	name     string        // set when its join event comes
	token    string        // its claim's token, set by hub.join
	ip       string        // the address whose rooms it counts in (ipKey)
	text     bool          // plain-text mode
	room     *room         // its room while it is a member; guarded by that room's mu
	welcomed chan struct{} // closed once it is a member, its welcome queued

	maxQueue int
	maxLag   time.Duration

	mu       sync.Mutex
	queue    []*chatEvent
	spare    []*chatEvent  // the previous batch, for reuse
	inflight time.Time     // time of the oldest event being written, or zero
	wake     chan struct{} // signalled when the queue becomes non-empty

	kicked   chan struct{}
	kickOnce sync.Once
	onKick   func(code websocket.StatusCode, reason string) // must not block
}

func newChatClient(maxQueue int, maxLag time.Duration, onKick func(websocket.StatusCode, string)) *chatClient {
	return &chatClient{
		maxQueue: maxQueue,
		maxLag:   maxLag,
		wake:     make(chan struct{}, 1),
		welcomed: make(chan struct{}),
		kicked:   make(chan struct{}),
		onKick:   onKick,
	}
}

// enqueue queues e without blocking, reporting false if the client is too
// far behind to take it. Events for a kicked client are discarded.
func (cl *chatClient) enqueue(e *chatEvent) bool {
	if cl.isKicked() {
		return true
	}
	cl.mu.Lock()
	oldest := cl.inflight
	if oldest.IsZero() && len(cl.queue) > 0 {
		oldest = cl.queue[0].at
	}
	if len(cl.queue) >= cl.maxQueue || (!oldest.IsZero() && e.at.Sub(oldest) > cl.maxLag) {
		cl.mu.Unlock()
		return false
	}
	cl.queue = append(cl.queue, e)
	cl.mu.Unlock()
	cl.signal()
	return true
}

// enqueueWelcome queues the welcome: one frame, or for a plain-text client
// the welcome line and a line per message of the history. It is the first
// thing a client gets, so it is never too much.
func (cl *chatClient) enqueueWelcome(w chatproto.WelcomeEvent, now time.Time) {
	evs := []*chatEvent{newChatEvent(w, now, cl.text, !cl.text)}
	if cl.text {
		for _, m := range w.History {
			evs = append(evs, newChatEvent(m, now, true, false))
		}
	}
	cl.mu.Lock()
	cl.queue = append(cl.queue, evs...)
	cl.mu.Unlock()
	cl.signal()
}

func (cl *chatClient) signal() {
	select {
	case cl.wake <- struct{}{}:
	default:
	}
}

// take returns the queued events, which the writer then writes; they count
// as undelivered until done.
func (cl *chatClient) take() []*chatEvent {
	cl.mu.Lock()
	defer cl.mu.Unlock()
	batch := cl.queue
	cl.queue = cl.spare[:0]
	cl.spare = nil
	if len(batch) > 0 {
		cl.inflight = batch[0].at
	}
	return batch
}

// done records that batch, from take, was written.
func (cl *chatClient) done(batch []*chatEvent) {
	clear(batch)
	cl.mu.Lock()
	cl.inflight = time.Time{}
	if cap(batch) <= 4*cl.maxQueue {
		cl.spare = batch[:0]
	}
	cl.mu.Unlock()
}

// frame returns e in the client's mode.
func (cl *chatClient) frame(e *chatEvent) []byte {
	if cl.text {
		return e.text
	}
	return e.json
}

func (cl *chatClient) isKicked() bool {
	select {
	case <-cl.kicked:
		return true
	default:
		return false
	}
}

// retire discards the client's further events without kicking it.
func (cl *chatClient) retire() {
	cl.kickOnce.Do(func() { close(cl.kicked) })
}

// kick marks the client as dropped and calls onKick once.
func (cl *chatClient) kick(code websocket.StatusCode, reason string) {
	cl.kickOnce.Do(func() {
		close(cl.kicked)
		if cl.onKick != nil {
			cl.onKick(code, reason)
		}
	})
}

// writeLoop writes the client's queued events until it is kicked, a write
// fails, or stop is closed, in which case it first writes what is queued.
// Events that arrive together go out in one write to the socket (see
// chatCoalesce).
func (cl *chatClient) writeLoop(c *wsConn, stop <-chan struct{}) {
	var last time.Time
	var pause *time.Timer
	for {
		stopping := false
		select {
		case <-cl.kicked:
			return
		case <-cl.wake:
		case <-stop:
			stopping = true
		}
		if wait := chatCoalesce - time.Since(last); !stopping && wait > 0 {
			if pause == nil {
				pause = time.NewTimer(wait)
				defer pause.Stop()
			} else {
				pause.Reset(wait)
			}
			select {
			case <-cl.kicked:
				return
			case <-pause.C:
			case <-stop:
				pause.Stop()
				stopping = true
			}
		}
		if !cl.writeBatch(c) || stopping {
			return
		}
		last = time.Now()
	}
}

// writeBatch writes the queued events in one write to the socket,
// reporting false if the connection failed. A kick stops it between two
// events: what the socket has not taken yet goes no further, so that the
// close frame follows soon.
func (cl *chatClient) writeBatch(c *wsConn) bool {
	batch := cl.take()
	if len(batch) == 0 {
		cl.done(batch)
		return true
	}
	ok := true
	c.raw.cork()
	for _, e := range batch {
		if cl.isKicked() {
			break
		}
		b := cl.frame(e)
		// No deadline or cancellation here: the frame only goes into the
		// batch (a context that can be done costs coder/websocket a timer
		// per frame). A write to the socket that blocks ends when the
		// connection is closed.
		if err := c.ws.Write(context.Background(), websocket.MessageText, b); err != nil {
			ok = false
			break
		}
		c.sent(int64(len(b)))
	}
	if err := c.raw.uncork(); err != nil {
		ok = false
	}
	cl.done(batch)
	if !ok {
		// The connection is gone; the read loop sees it too. Discard
		// further events instead of calling the client slow.
		cl.retire()
	}
	return ok
}
