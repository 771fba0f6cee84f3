//go:build js && wasm

package wsclient

import (
	"context"
	"runtime"
	"syscall/js"
	"time"

	"github.com/duplexgo/duplex/wsclient/internal/bridge"
)

// jsSocket is the browser's WebSocket object behind a Conn. Messages wait in
// its bridge queue and reach Go in batches (see handoff); open, error and
// close arrive through one shared callback bound to the connection's id.
type jsSocket struct {
	core *core
	id   int32
	ws   js.Value
	b    *bridgeConn

	// Write's backpressure check reads bufferedAmount only when this upper
	// bound of it (the last value read plus what was sent since) reaches the
	// high-water mark: many small writes cost no call each.
	bufferedBound int

	msgs []Message // reused by drain
}

// openTransport creates the browser's WebSocket or WebSocketStream, as
// Options.Transport asks.
func openTransport(c *core, url string) (transport, error) {
	switch c.opts.Transport {
	case TransportStream:
		if !hasWebSocketStream() {
			return nil, opError("new", errNoWebSocketStream)
		}
		return openStreamTransport(c, url)
	case TransportAuto:
		if hasWebSocketStream() {
			return openStreamTransport(c, url)
		}
	}
	return openSocketTransport(c, url)
}

// openSocketTransport creates the browser's WebSocket and installs its
// handlers. Events cannot fire before this returns: Go runs on the event
// loop.
func openSocketTransport(c *core, url string) (transport, error) {
	s := &jsSocket{core: c}
	var err error
	if s.id, s.b, err = attachBridge(s); err != nil {
		return nil, err
	}
	b := s.b
	err = jsCatch("new", func() {
		protocols := make([]any, len(c.opts.Protocols))
		for i, p := range c.opts.Protocols {
			protocols[i] = p
		}
		s.ws = jsWebSocket.New(url, protocols)
	})
	if err != nil {
		handoff.unregister(s.id)
		return nil, err
	}
	s.ws.Set("binaryType", "arraybuffer")
	s.ws.Set("onopen", handoff.eventFunc(s.id, evKindOpen))
	s.ws.Set("onmessage", b.onMessage)
	s.ws.Set("onerror", handoff.eventFunc(s.id, evKindError))
	s.ws.Set("onclose", handoff.eventFunc(s.id, evKindClose))
	return s, nil
}

// release removes every handler and forgets the connection's id.
func (s *jsSocket) release() {
	for _, prop := range []string{"onopen", "onmessage", "onerror", "onclose"} {
		s.ws.Set(prop, js.Null())
	}
	handoff.unregister(s.id)
}

func (s *jsSocket) onEvent(kind int, ev js.Value) {
	switch kind {
	case evKindOpen:
		s.core.deliverOpen()
	case evKindError:
		s.drain() // messages received before the error come first
		s.core.observe(s.readyState())
		s.core.deliverError()
	case evKindClose:
		s.drain()
		s.release()
		s.core.deliverClose(&CloseError{
			Code:     StatusCode(ev.Get("code").Int()),
			Reason:   ev.Get("reason").String(),
			WasClean: ev.Get("wasClean").Bool(),
		})
	}
}

// drain takes every waiting message into the core, a slice at a time,
// letting readers run between slices. Past the receive bounds (which count
// what still waits in the bridge) the connection closes with
// StatusReceiveOverflow and the rest is refused, and counted.
func (s *jsSocket) drain() {
	for {
		var waitN, waitB int
		s.msgs, waitN, waitB = s.b.takeBatch(bridge.MaxBatch, s.msgs[:0])
		if len(s.msgs) == 0 {
			return
		}
		for _, m := range s.msgs {
			waitN++
			waitB += len(m.Data)
		}
		for i, m := range s.msgs {
			waitN--
			waitB -= len(m.Data)
			if !s.core.deliverQueued(m, waitN, max(waitB, 0), false) {
				n, b := 0, 0
				for _, r := range s.msgs[i+1:] {
					n, b = n+1, b+len(r.Data)
				}
				dn, db := s.b.dropAll()
				s.core.refuse(n+dn, b+db)
				s.overflow()
				clear(s.msgs)
				return
			}
		}
		clear(s.msgs)
		if waitN > 0 {
			runtime.Gosched() // readers take this slice before the next
		}
	}
}

// overflow closes the connection: nobody reads fast enough and the browser
// cannot be paused.
func (s *jsSocket) overflow() {
	if s.readyState() < Closing {
		_ = s.close(StatusReceiveOverflow, "receive queue overflow")
		s.core.closing(StatusReceiveOverflow, "receive queue overflow")
	}
}

func (s *jsSocket) readyState() State { return State(s.b.readyState.Invoke(s.ws).Int()) }
func (s *jsSocket) bufferedAmount() int {
	n := s.ws.Get("bufferedAmount").Int()
	s.bufferedBound = n
	return n
}
func (s *jsSocket) protocol() string   { return s.ws.Get("protocol").String() }
func (s *jsSocket) extensions() string { return s.ws.Get("extensions").String() }
func (s *jsSocket) url() string        { return s.ws.Get("url").String() }
func (s *jsSocket) kind() Transport    { return TransportWebSocket }

// bufferedAtLeast reports whether bufferedAmount is at or above n, asking
// the browser only when the upper bound says it may be.
func (s *jsSocket) bufferedAtLeast(n int) bool {
	return s.bufferedBound >= n && s.bufferedAmount() >= n
}

func (s *jsSocket) send(op string, typ MessageType, p []byte) (state State, err error) {
	err = jsCatch(op, func() { state = s.b.sendTo(true, s.ws, typ, p) })
	if state != Connecting {
		s.bufferedBound += len(p)
	}
	return state, err
}

func (s *jsSocket) close(code StatusCode, reason string) error {
	return jsCatch("close", func() { s.ws.Call("close", int(code), reason) })
}

func (s *jsSocket) abort() {
	_ = jsCatch("close", func() { s.ws.Call("close") })
}

// Backpressure: bufferedAmount has no event, so every Write waiting on any
// connection shares one poller, whose period grows while buffers stay full
// and resets when one drains: no timer per Write.
func (s *jsSocket) waitDrain(ctx context.Context, attempt, low int) error {
	return drainPoller.wait(ctx, s.core.done, attempt == 0)
}

// drainPoller wakes waiting Writes every period (1 ms, growing to 16 ms).
var drainPoller = newPoller(time.Millisecond, 16*time.Millisecond)
