//go:build js && wasm

package wsclient

import (
	"context"
	"sync"
	"syscall/js"

	"github.com/duplexgo/duplex/wsclient/internal/bridge"
)

var jsWebSocketStream = js.Global().Get("WebSocketStream")

// hasWebSocketStream reports whether the browser has WebSocketStream
// (Chromium 124+, not Firefox or Safari).
func hasWebSocketStream() bool { return jsWebSocketStream.Type() == js.TypeFunction }

// streamSocket is a Conn on the browser's WebSocketStream: the same
// semantics as jsSocket, with backpressure both ways. The bridge reads from
// the stream only while the receive bounds leave room, so a reader that
// falls behind slows the sender (TCP flow control) instead of closing the
// connection; Write waits for the stream writer's readiness instead of
// polling. WebSocketStream has no bufferedAmount: BufferedAmount counts the
// bytes of writes the browser has not completed.
type streamSocket struct {
	core *core
	id   int32
	wss  js.Value
	b    *bridgeConn

	mu         sync.Mutex
	state      State
	protocolV  string
	extensionV string
	writer     js.Value
	reader     js.Value
	buffered   int           // bytes of writes sent and not completed (as of doneSeen)
	sizes      []int         // their sizes, oldest first
	doneSeen   int           // completed writes accounted for in buffered
	limit      int           // the bridge's current read limit
	closeInfo  *CloseError   // how it ended, once the closed promise settled
	closeDone  bool          // the close was delivered
	errored    bool          // error already reported
	ready      chan struct{} // closed when the writer is ready, or a write completed
	msgs       []Message
}

func openStreamTransport(c *core, url string) (transport, error) {
	s := &streamSocket{core: c, state: Connecting}
	var err error
	if s.id, s.b, err = attachBridge(s); err != nil {
		return nil, err
	}
	err = jsCatch("new", func() {
		opts := map[string]any{}
		if len(c.opts.Protocols) > 0 {
			protocols := make([]any, len(c.opts.Protocols))
			for i, p := range c.opts.Protocols {
				protocols[i] = p
			}
			opts["protocols"] = protocols
		}
		s.wss = jsWebSocketStream.New(url, opts)
	})
	if err != nil {
		handoff.unregister(s.id)
		return nil, err
	}
	c.consumed = s.consumed
	s.wss.Get("opened").Call("then", handoff.eventFunc(s.id, evKindOpened), handoff.eventFunc(s.id, evKindOpenFailed))
	s.wss.Get("closed").Call("then", handoff.eventFunc(s.id, evKindClosed), handoff.eventFunc(s.id, evKindClosedFailed))
	return s, nil
}

func (s *streamSocket) onEvent(kind int, ev js.Value) {
	switch kind {
	case evKindOpened:
		s.opened(ev)
	case evKindOpenFailed:
		s.fail()
	case evKindClosed:
		s.closed(&CloseError{
			Code:     StatusCode(ev.Get("closeCode").Int()),
			Reason:   ev.Get("reason").String(),
			WasClean: true,
		})
	case evKindClosedFailed:
		// A WebSocketError carries the peer's code and reason even when
		// the connection did not close cleanly, as Chromium reports them.
		ce := &CloseError{Code: StatusAbnormalClosure}
		if ev.Type() == js.TypeObject {
			if code := ev.Get("closeCode"); code.Type() == js.TypeNumber && code.Int() != 0 {
				ce.Code = StatusCode(code.Int())
			}
			if r := ev.Get("reason"); r.Type() == js.TypeString {
				ce.Reason = r.String()
			}
		}
		s.fail()
		s.closed(ce)
	case evKindProgress, evKindReady:
		s.wakeWriters()
	}
}

func (s *streamSocket) opened(info js.Value) {
	s.mu.Lock()
	if s.state != Connecting { // closed while connecting
		s.mu.Unlock()
		return
	}
	s.protocolV = info.Get("protocol").String()
	s.extensionV = info.Get("extensions").String()
	s.writer = info.Get("writable").Call("getWriter")
	s.reader = info.Get("readable").Call("getReader")
	s.state = Open
	s.limit = s.room()
	s.mu.Unlock()
	s.core.deliverOpen()
	x := s.b.exports
	x.Get(bridge.ExportStartRead).Invoke(s.reader, x.Get(bridge.ExportOnRead), x.Get(bridge.ExportOnReadFail), s.limit)
}

// fail reports the error event of a failed connection once.
func (s *streamSocket) fail() {
	s.mu.Lock()
	first := !s.errored
	s.errored = true
	s.state = Closed
	s.mu.Unlock()
	if first {
		s.drain()
		s.core.observe(Closed)
		s.core.deliverError()
	}
}

// closed records how the connection ended; the close is delivered once
// every message the stream still holds has been read.
func (s *streamSocket) closed(ce *CloseError) {
	s.mu.Lock()
	s.state = Closed
	if s.closeInfo == nil {
		s.closeInfo = ce
	}
	started := s.reader.Truthy()
	s.mu.Unlock()
	s.core.observe(Closed)
	s.wakeWriters()
	if started {
		// Read the rest regardless of the bounds: the stream is finite now.
		s.b.setLimit.Invoke(1 << 30)
	}
	s.drain()
}

// deliverClose delivers the close once.
func (s *streamSocket) deliverClose() {
	s.mu.Lock()
	ce, done := s.closeInfo, s.closeDone
	s.closeDone = true
	s.mu.Unlock()
	if !done {
		handoff.unregister(s.id)
		s.core.deliverClose(ce)
	}
}

// room is how many more messages the bounds leave room for.
func (s *streamSocket) room() int {
	n, b := s.core.pending()
	o := &s.core.opts
	if b >= o.MaxPendingBytes || n >= o.MaxPendingMessages {
		return 0
	}
	return o.MaxPendingMessages - n
}

// drain takes every message the bridge has read into the core; the bridge's
// limit, not an overflow, keeps within the bounds. Once the connection has
// closed and the stream has been read to its end, it delivers the close.
func (s *streamSocket) drain() {
	for {
		s.msgs, _, _ = s.b.takeBatch(bridge.MaxBatch, s.msgs[:0])
		if len(s.msgs) == 0 {
			break
		}
		for _, m := range s.msgs {
			s.core.deliverQueued(m, 0, 0, true)
		}
		clear(s.msgs)
	}
	s.mu.Lock()
	closing, started := s.closeInfo != nil, s.reader.Truthy()
	s.mu.Unlock()
	switch {
	case !closing:
		s.setLimit(s.room())
	case !started || s.b.ended.Invoke().Int() == 1:
		s.deliverClose()
	}
}

// consumed: Read took a message. Reading resumes once half the window is
// free again (one call into the bridge per half window, not per message).
func (s *streamSocket) consumed() {
	if s.limit*2 >= s.core.opts.MaxPendingMessages {
		return
	}
	if r := s.room(); r*2 >= s.core.opts.MaxPendingMessages {
		s.setLimit(r)
	}
}

func (s *streamSocket) setLimit(n int) {
	s.mu.Lock()
	changed := n != s.limit && s.state == Open
	s.limit = n
	s.mu.Unlock()
	if changed {
		s.b.setLimit.Invoke(n)
	}
}

func (s *streamSocket) wakeWriters() {
	s.mu.Lock()
	if s.ready != nil {
		close(s.ready)
		s.ready = nil
	}
	s.mu.Unlock()
}

func (s *streamSocket) readyState() State {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.state
}

func (s *streamSocket) bufferedAmount() int {
	done := s.b.completed.Invoke().Int()
	s.mu.Lock()
	defer s.mu.Unlock()
	for ; s.doneSeen < done && len(s.sizes) > 0; s.doneSeen++ {
		s.buffered -= s.sizes[0]
		s.sizes = s.sizes[1:]
	}
	return s.buffered
}

func (s *streamSocket) bufferedAtLeast(n int) bool {
	s.mu.Lock()
	bound := s.buffered
	s.mu.Unlock()
	return bound >= n && s.bufferedAmount() >= n
}

func (s *streamSocket) protocol() string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.protocolV
}

func (s *streamSocket) extensions() string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.extensionV
}

func (s *streamSocket) url() string     { return s.wss.Get("url").String() }
func (s *streamSocket) kind() Transport { return TransportStream }

func (s *streamSocket) send(op string, typ MessageType, p []byte) (State, error) {
	s.mu.Lock()
	state := s.state
	if state != Connecting {
		s.buffered += len(p) // counted even when discarded, as the browser does
	}
	if state == Open {
		s.sizes = append(s.sizes, len(p))
	}
	s.mu.Unlock()
	if state != Open {
		return state, nil
	}
	return state, jsCatch(op, func() { s.b.sendTo(false, s.writer, typ, p) })
}

func (s *streamSocket) close(code StatusCode, reason string) error {
	s.mu.Lock()
	if s.state >= Closing {
		s.mu.Unlock()
		return nil
	}
	s.state = Closing
	s.mu.Unlock()
	return jsCatch("close", func() {
		s.wss.Call("close", map[string]any{"closeCode": int(code), "reason": reason})
	})
}

func (s *streamSocket) abort() {
	_ = jsCatch("close", func() { s.wss.Call("close") })
}

// waitDrain waits, without polling, for the stream writer to become ready
// (its queue under the stream's high-water mark) or, when it already is, for
// the next write to complete.
func (s *streamSocket) waitDrain(ctx context.Context, attempt, low int) error {
	if s.bufferedAmount() <= low {
		return nil
	}
	s.mu.Lock()
	if s.state != Open {
		s.mu.Unlock()
		return nil
	}
	if s.ready == nil {
		s.ready = make(chan struct{})
		if s.writer.Get("desiredSize").Float() > 0 {
			s.b.awaitWrite.Invoke()
		} else {
			s.writer.Get("ready").Call("then", handoff.eventFunc(s.id, evKindReady))
		}
	}
	wait := s.ready
	s.mu.Unlock()
	select {
	case <-wait:
		return nil
	case <-s.core.done:
		return nil
	case <-ctx.Done():
		return ctx.Err()
	}
}
