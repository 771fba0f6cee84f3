package live

import (
	"sync"
	"sync/atomic"
	"time"

	"github.com/maxence-charriere/go-app/v10/pkg/app"
)

// Polling intervals of a watch: about one animation frame while the
// connection is alive or a snapshot is pending, slower once it has ended
// (bufferedAmount can still change: the browser counts messages sent after
// closing).
const (
	frameInterval  = 16 * time.Millisecond
	closedInterval = 250 * time.Millisecond
)

// Watch hands fn the snapshots of f, on the UI goroutine, until the
// returned stop is called. fn gets the first one at once, before Watch
// returns; after that at most one per rendered frame, and only when
// something changed, however fast messages arrive: the next snapshot is
// dispatched only once the previous one has been rendered (Watch reopens
// its gate from ctx.Defer, which go-app runs after the render). Between
// frames a goroutine polls the live values about every 16 ms, and every
// 250 ms once the connection has ended and its last states are shown.
//
// Call Watch on the UI goroutine of a mounted component (from OnMount or
// an event handler) with that component's context, and call stop from its
// OnDismount: go-app does not cancel a component's context when it is
// dismounted, so only stop ends the goroutine. Nothing reaches fn after
// stop, or once the component is dismounted. stop returns at once and may
// be called more than once; it leaves the connection open, so a Feed can
// outlive the component and be watched again by the next one. A Feed has
// one watch at a time: a new Watch of f stops the previous one.
func Watch(ctx app.Context, f *Feed, fn func(app.Context, Snapshot)) (stop func()) {
	w := &watcher{f: f, ctx: ctx, fn: fn, stop: make(chan struct{}), scheduled: true}
	f.mu.Lock()
	prev := f.watcher
	f.watcher = w
	f.mu.Unlock()
	if prev != nil {
		prev.halt()
	}
	w.deliver(ctx)
	go w.run()
	return w.halt
}

// watcher is one watch of a Feed.
type watcher struct {
	f       *Feed
	ctx     app.Context
	fn      func(app.Context, Snapshot)
	stop    chan struct{}
	once    sync.Once
	stopped atomic.Bool

	scheduled bool // under f.mu: a snapshot is dispatched and not yet rendered
}

// halt stops the watch.
func (w *watcher) halt() {
	w.once.Do(func() {
		w.stopped.Store(true)
		close(w.stop)
		w.f.mu.Lock()
		if w.f.watcher == w {
			w.f.watcher = nil
		}
		w.f.mu.Unlock()
	})
}

// run polls the Feed about once a frame and dispatches a snapshot when the
// gate is open and something changed, until the watch stops.
func (w *watcher) run() {
	interval := frameInterval
	t := time.NewTicker(interval)
	defer t.Stop()
	for {
		select {
		case <-w.stop:
			return
		case <-t.C:
		}
		alive := w.f.poll(w, time.Now())
		dispatch, busy := w.begin()
		if dispatch {
			w.ctx.Dispatch(w.deliver)
		}
		want := frameInterval
		if !alive && !busy {
			want = closedInterval
		}
		if want != interval {
			interval = want
			t.Reset(interval)
		}
	}
}

// begin reports whether a snapshot should be dispatched now, and if so
// closes the gate until reopen. busy reports whether a snapshot is in
// flight or waiting: the states of a connection that just ended are still
// shown one per frame.
func (w *watcher) begin() (dispatch, busy bool) {
	f := w.f
	f.mu.Lock()
	defer f.mu.Unlock()
	pending := f.pendingLocked()
	if f.watcher != w || w.scheduled || !pending {
		return false, w.scheduled || pending
	}
	w.scheduled = true
	return true, true
}

// deliver hands the next snapshot to fn, on the UI goroutine, and reopens
// the gate once it is rendered.
func (w *watcher) deliver(ctx app.Context) {
	if w.stopped.Load() {
		return
	}
	w.fn(ctx, w.f.take())
	ctx.Defer(w.reopen)
}

// reopen lets the next snapshot be dispatched.
func (w *watcher) reopen(app.Context) {
	w.f.mu.Lock()
	w.scheduled = false
	w.f.mu.Unlock()
}
