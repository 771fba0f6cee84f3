package wsclient

import (
	"context"
	"sync"
	"sync/atomic"
	"time"
)

// Phases of a wsAttempt.
const (
	attemptTrying    int32 = iota // the WebSocket handshake is under way
	attemptWebSocket              // it opened, or the application ended it: events pass
	attemptFallback               // it failed: the HTTP fallback replaced it
)

// wsAttempt is a Conn's transport when Options.Fallback is set: the
// WebSocket first, replaced by the HTTP fallback when its handshake fails
// before open or does not complete within FallbackOptions.HandshakeTimeout.
// As the core's gate it keeps the abandoned attempt's events from the
// application: the Conn stays CONNECTING across the switch.
type wsAttempt struct {
	core   *core
	rawURL string
	cur    atomic.Pointer[transport]
	phase  atomic.Int32

	mu    sync.Mutex
	timer *time.Timer
}

// openWithFallback starts the WebSocket attempt.
func openWithFallback(c *core, url string) (transport, error) {
	a := &wsAttempt{core: c, rawURL: url}
	c.gate = a
	t, err := openTransport(c, url)
	if err != nil {
		c.gate = nil
		return nil, err
	}
	a.cur.Store(&t)
	a.mu.Lock()
	a.timer = time.AfterFunc(c.opts.Fallback.options().HandshakeTimeout, func() {
		a.mu.Lock()
		defer a.mu.Unlock()
		a.fallBackLocked()
	})
	a.mu.Unlock()
	return a, nil
}

// admit reports whether the WebSocket's event of kind (revealing state)
// reaches the application. A failure before open switches to the fallback.
func (a *wsAttempt) admit(kind eventKind, state State) bool {
	switch a.phase.Load() {
	case attemptWebSocket:
		return true
	case attemptFallback:
		return false
	}
	a.mu.Lock()
	defer a.mu.Unlock()
	switch {
	case a.phase.Load() != attemptTrying:
		return a.phase.Load() == attemptWebSocket
	case kind == evOpen:
		a.settleLocked()
		return true
	case kind == evState && state < Closing:
		return true
	}
	a.fallBackLocked()
	return false
}

// settleLocked keeps the WebSocket: it opened, or the application ended it.
func (a *wsAttempt) settleLocked() {
	a.phase.Store(attemptWebSocket)
	if a.timer != nil {
		a.timer.Stop()
	}
}

// fallBackLocked abandons the WebSocket attempt for the HTTP fallback.
func (a *wsAttempt) fallBackLocked() {
	if a.phase.Load() != attemptTrying {
		return
	}
	a.phase.Store(attemptFallback)
	if a.timer != nil {
		a.timer.Stop()
	}
	old := *a.cur.Load()
	fb := newFallback(a.core, a.rawURL, false)
	origin := originOf(a.rawURL)
	fb.onOpened = func() { rememberFallback(origin, true) }
	var t transport = fb
	a.cur.Store(&t)
	// Outside a.mu: the abandoned socket may report at once, and its
	// reports come through admit.
	go old.abort()
	fb.start()
}

func (a *wsAttempt) t() transport { return *a.cur.Load() }

// end records that the application closed or abandoned the connection
// while the WebSocket attempt was under way: its failure is then the
// Conn's.
func (a *wsAttempt) end() {
	if a.phase.Load() == attemptTrying {
		a.mu.Lock()
		if a.phase.Load() == attemptTrying {
			a.settleLocked()
		}
		a.mu.Unlock()
	}
}

func (a *wsAttempt) readyState() State {
	s := a.t().readyState()
	if s >= Closing && a.phase.Load() == attemptTrying {
		return Connecting // failing over to the fallback
	}
	return s
}

func (a *wsAttempt) bufferedAmount() int        { return a.t().bufferedAmount() }
func (a *wsAttempt) protocol() string           { return a.t().protocol() }
func (a *wsAttempt) extensions() string         { return a.t().extensions() }
func (a *wsAttempt) url() string                { return a.t().url() }
func (a *wsAttempt) kind() Transport            { return a.t().kind() }
func (a *wsAttempt) bufferedAtLeast(n int) bool { return a.t().bufferedAtLeast(n) }

func (a *wsAttempt) send(op string, typ MessageType, p []byte) (State, error) {
	return a.t().send(op, typ, p)
}

func (a *wsAttempt) close(code StatusCode, reason string) error {
	a.end()
	return a.t().close(code, reason)
}

func (a *wsAttempt) abort() {
	a.end()
	a.t().abort()
}

func (a *wsAttempt) waitDrain(ctx context.Context, attempt, low int) error {
	return a.t().waitDrain(ctx, attempt, low)
}

// The memory: origins where the WebSocket failed and the fallback worked,
// for the page's (natively the process's) life.
var fallbackMemory struct {
	sync.Mutex
	origins map[string]bool
}

// rememberFallback records (on) or forgets that origin needs the fallback.
func rememberFallback(origin string, on bool) {
	fallbackMemory.Lock()
	defer fallbackMemory.Unlock()
	if fallbackMemory.origins == nil {
		fallbackMemory.origins = map[string]bool{}
	}
	if on {
		fallbackMemory.origins[origin] = true
	} else {
		delete(fallbackMemory.origins, origin)
	}
}

// fallbackRemembered reports whether origin needs the fallback.
func fallbackRemembered(origin string) bool {
	fallbackMemory.Lock()
	defer fallbackMemory.Unlock()
	return fallbackMemory.origins[origin]
}

// originOf returns the scheme and host of a ws or wss URL.
func originOf(url string) string {
	i := 0
	for i+2 < len(url) && url[i:i+3] != "://" {
		i++
	}
	for i += 3; i < len(url) && url[i] != '/' && url[i] != '?'; i++ {
	}
	return url[:min(i, len(url))]
}
