package ui

import (
	"context"
	"sync"
	"time"

	"github.com/duplexgo/duplex/wsclient"
	"github.com/maxence-charriere/go-app/v10/pkg/app"
)

// Polling intervals of a session's loop: about one animation frame while the
// connection is alive, slower once it is closed (bufferedAmount can still
// change: the browser counts messages sent after closing).
const (
	frameInterval  = 16 * time.Millisecond
	closedInterval = 250 * time.Millisecond
)

// frameGate decides when a session flushes to the UI: at most one flush is
// in flight, and the next may start only once the previous one has been
// rendered (the page reopens the gate from ctx.Defer, which go-app runs after
// the frame's render). readyStates go through the gate one per flush, so
// every state the connection passes through is on screen for at least one
// frame. It is safe for concurrent use.
type frameGate struct {
	mu        sync.Mutex
	dirty     bool             // something changed since the last flush
	scheduled bool             // a flush is queued or not yet rendered
	states    []wsclient.State // readyStates not shown yet, in order
	last      wsclient.State   // the latest readyState known

	// anyOrder accepts every change of readyState, not only forward ones:
	// a reconnecting client's connections follow one another, so
	// CONNECTING and OPEN come back after CLOSED. Only one goroutine may
	// then push states, in the order it observes them.
	anyOrder bool
}

// markDirty records that the session has something new to show.
func (g *frameGate) markDirty() {
	g.mu.Lock()
	g.dirty = true
	g.mu.Unlock()
}

// pushState records a readyState seen by an event or a poll. readyState
// only moves forward (CONNECTING, OPEN, CLOSING, CLOSED), so a state not
// after the latest one is stale news and ignored (unless anyOrder: then only
// a repeat of the latest is); states skipped by the browser between two
// observations are not invented.
func (g *frameGate) pushState(s wsclient.State) {
	g.mu.Lock()
	defer g.mu.Unlock()
	if s == g.last || (s < g.last && !g.anyOrder) {
		return
	}
	g.last = s
	g.states = append(g.states, s)
}

// lastState returns the latest readyState known.
func (g *frameGate) lastState() wsclient.State {
	g.mu.Lock()
	defer g.mu.Unlock()
	return g.last
}

// begin reports whether a flush should be dispatched now, and if so closes
// the gate until reopen.
func (g *frameGate) begin() bool {
	g.mu.Lock()
	defer g.mu.Unlock()
	if g.scheduled || (!g.dirty && len(g.states) == 0) {
		return false
	}
	g.scheduled = true
	g.dirty = false
	return true
}

// hold closes the gate without a flush: the page rendered something itself
// (CONNECTING, on connect) and wants it on screen before the next flush.
func (g *frameGate) hold() {
	g.mu.Lock()
	g.scheduled = true
	g.mu.Unlock()
}

// nextState returns the next readyState to show, if any.
func (g *frameGate) nextState() (wsclient.State, bool) {
	g.mu.Lock()
	defer g.mu.Unlock()
	if len(g.states) == 0 {
		return 0, false
	}
	s := g.states[0]
	g.states = g.states[1:]
	return s, true
}

// reopen lets the next flush start; the page calls it from ctx.Defer once
// the previous flush is rendered.
func (g *frameGate) reopen() {
	g.mu.Lock()
	g.scheduled = false
	g.mu.Unlock()
}

// startFrames holds gate until the current render is done, then runs tick
// once per frame under a child of parent until the returned stop is called;
// every flush tick asks for dispatches apply on the UI goroutine.
func startFrames(parent context.Context, mctx app.Context, gate *frameGate,
	tick func(flush func()) bool, apply func(app.Context)) (stop context.CancelFunc) {
	// CONNECTING is on screen before any flush can show OPEN.
	gate.hold()
	mctx.Defer(func(app.Context) { gate.reopen() })
	sctx, stop := context.WithCancel(parent)
	go runFrames(sctx, func() bool {
		return tick(func() { mctx.Dispatch(apply) })
	})
	return stop
}

// runFrames calls tick about once per frame until ctx is done. tick reports
// whether the connection is still alive; once it is not, the loop slows down
// to closedInterval.
func runFrames(ctx context.Context, tick func() (alive bool)) {
	interval := frameInterval
	t := time.NewTicker(interval)
	defer t.Stop()
	for {
		select {
		case <-ctx.Done():
			return
		case <-t.C:
		}
		if !tick() && interval != closedInterval {
			interval = closedInterval
			t.Reset(interval)
		}
	}
}
