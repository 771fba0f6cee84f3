package server

import (
	"context"
	"sync"
	"time"

	"github.com/coder/websocket"
)

// registry tracks the open WebSocket connections of a Server.
// http.Server.Shutdown neither closes nor waits for hijacked connections, so
// the registry does it: it refuses new connections, closes every open one
// with 1001 and waits, within a bound, for their handlers to return.
type registry struct {
	mu     sync.Mutex
	conns  map[*wsConn]struct{}
	closed bool
	wg     sync.WaitGroup // one count per registered connection
	peak   int            // most connections registered at once since takePeak
}

func newRegistry() *registry {
	return &registry{conns: map[*wsConn]struct{}{}}
}

// add registers c, reporting false once shutdown has started.
func (r *registry) add(c *wsConn) bool {
	r.mu.Lock()
	defer r.mu.Unlock()
	if r.closed {
		return false
	}
	r.conns[c] = struct{}{}
	r.peak = max(r.peak, len(r.conns))
	r.wg.Add(1)
	return true
}

// takePeak returns the most connections registered at once since the last
// call, and how many are registered now.
func (r *registry) takePeak() (peak, now int) {
	r.mu.Lock()
	defer r.mu.Unlock()
	peak, r.peak = r.peak, len(r.conns)
	return peak, len(r.conns)
}

// remove unregisters c; it is a no-op for an unknown connection.
func (r *registry) remove(c *wsConn) {
	r.mu.Lock()
	defer r.mu.Unlock()
	if _, ok := r.conns[c]; ok {
		delete(r.conns, c)
		r.wg.Done()
	}
}

// isClosed reports whether shutdown has started.
func (r *registry) isClosed() bool {
	r.mu.Lock()
	defer r.mu.Unlock()
	return r.closed
}

// count returns the number of registered connections.
func (r *registry) count() int {
	r.mu.Lock()
	defer r.mu.Unlock()
	return len(r.conns)
}

// snapshot returns the registered connections.
func (r *registry) snapshot() []*wsConn {
	r.mu.Lock()
	defer r.mu.Unlock()
	out := make([]*wsConn, 0, len(r.conns))
	for c := range r.conns {
		out = append(out, c)
	}
	return out
}

// shutdown refuses new connections, sends close 1001 "server shutting down"
// to every open one and waits until all of them are finished. When ctx
// expires first, the remaining connections are dropped without a handshake
// and ctx's error is returned after a short wait for their handlers.
func (r *registry) shutdown(ctx context.Context) error {
	r.mu.Lock()
	r.closed = true
	r.mu.Unlock()

	for _, c := range r.snapshot() {
		go c.closeWith(websocket.StatusGoingAway, "server shutting down", "server")
	}
	done := make(chan struct{})
	go func() {
		r.wg.Wait()
		close(done)
	}()
	select {
	case <-done:
		return nil
	case <-ctx.Done():
	}
	for _, c := range r.snapshot() {
		c.abort("shutdown timeout")
	}
	t := time.NewTimer(2 * time.Second)
	defer t.Stop()
	select {
	case <-done:
	case <-t.C:
	}
	return ctx.Err()
}
