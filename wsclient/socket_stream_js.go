//go:build js && wasm

package wsclient

import (
	"context"
	"sync"
	"syscall/js"
)

var jsWebSocketStream = js.Global().Get("WebSocketStream")

// jsGuard wraps a Go callback so that a promise settling after the
// connection's callbacks were released calls nothing. It is made on first
// use: it needs the Function constructor, which a page whose Content
// Security Policy forbids 'unsafe-eval' does not allow — only the stream
// transport depends on it.
var jsGuard = sync.OnceValue(func() js.Value {
	return js.Global().Get("Function").New("f", "g", "return (...a) => { if (g.alive) return f(...a); }")
})

// hasWebSocketStream reports whether the browser has WebSocketStream
// (Chromium 124+, not Firefox or Safari).
func hasWebSocketStream() bool { return jsWebSocketStream.Type() == js.TypeFunction }

// streamSocket is a Conn on the browser's WebSocketStream: the same
// semantics as jsSocket, but backpressure waits for the stream writer's
// readiness instead of polling bufferedAmount, which WebSocketStream does not
// have: BufferedAmount counts the bytes of writes the browser has not yet
// completed.
type streamSocket struct {
	core   *core
	wss    js.Value
	guard  js.Value // {alive: bool}, see jsGuard
	funcs  []js.Func
	writer js.Value
	reader js.Value

	onRead, onReadFail, onWritten, onWriteFail, onReady js.Value // guarded callbacks

	mu         sync.Mutex
	state      State
	protocolV  string
	extensionV string
	buffered   int
	pending    []int         // sizes of writes not yet completed, in order
	ready      chan struct{} // closed when the writer is ready again
	progress   chan struct{} // closed when a write completes
	errored    bool          // error already reported
}

func openStreamTransport(c *core, url string) (transport, error) {
	s := &streamSocket{core: c, state: Connecting}
	err := jsCatch("new", func() {
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
		return nil, err
	}
	if err := jsCatch("new", func() { jsGuard() }); err != nil {
		s.abort()
		return nil, err
	}
	s.guard = js.ValueOf(map[string]any{"alive": true})
	s.onRead = s.callback(s.handleRead)
	s.onWritten = s.callback(s.handleWritten)
	// Failed reads and writes are reported by the closed promise.
	s.onWriteFail = s.callback(func(js.Value) {})
	s.onReadFail = s.callback(func(js.Value) {})
	s.onReady = s.callback(s.handleReady)
	s.wss.Get("opened").Call("then", s.callback(s.handleOpened), s.callback(s.handleOpenFailed))
	s.wss.Get("closed").Call("then", s.callback(s.handleClosed), s.callback(s.handleClosedUncleanly))
	return s, nil
}

// callback makes a guarded, counted JavaScript function of fn.
func (s *streamSocket) callback(fn func(js.Value)) js.Value {
	f := newFunc(fn)
	s.funcs = append(s.funcs, f)
	return jsGuard().Invoke(f, s.guard)
}

func (s *streamSocket) release() {
	s.guard.Set("alive", false)
	for _, f := range s.funcs {
		releaseFunc(f)
	}
	s.funcs = nil
}

func (s *streamSocket) setState(st State) {
	s.mu.Lock()
	s.state = st
	s.mu.Unlock()
	s.core.observe(st)
}

func (s *streamSocket) handleOpened(info js.Value) {
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
	s.mu.Unlock()
	s.core.deliverOpen()
	s.reader.Call("read").Call("then", s.onRead, s.onReadFail)
}

func (s *streamSocket) handleOpenFailed(js.Value) {
	s.fail()
}

// fail reports the error event of a failed connection once.
func (s *streamSocket) fail() {
	s.mu.Lock()
	first := !s.errored
	s.errored = true
	s.state = Closed
	s.mu.Unlock()
	if first {
		s.core.observe(Closed)
		s.core.deliverError()
	}
}

func (s *streamSocket) handleRead(result js.Value) {
	if result.Get("done").Bool() {
		return // the closed promise reports the end
	}
	v := result.Get("value")
	var m Message
	if v.Type() == js.TypeString {
		m = Message{Type: Text, Data: []byte(v.String())}
	} else {
		m = Message{Type: Binary, Data: bytesFromArrayBuffer(v)}
	}
	if !s.core.deliverMessage(m) && s.readyState() < Closing {
		_ = s.close(StatusReceiveOverflow, "receive queue overflow")
		s.core.closing(StatusReceiveOverflow, "receive queue overflow")
	}
	s.reader.Call("read").Call("then", s.onRead, s.onReadFail)
}

func (s *streamSocket) handleWritten(js.Value) {
	s.mu.Lock()
	if len(s.pending) > 0 {
		s.buffered -= s.pending[0]
		s.pending = s.pending[1:]
	}
	if s.progress != nil {
		close(s.progress)
		s.progress = nil
	}
	s.mu.Unlock()
}

func (s *streamSocket) handleReady(js.Value) {
	s.mu.Lock()
	if s.ready != nil {
		close(s.ready)
		s.ready = nil
	}
	s.mu.Unlock()
}

// wakeAll releases every waiter (the connection ended).
func (s *streamSocket) wakeAll() {
	s.handleReady(js.Undefined())
	s.mu.Lock()
	if s.progress != nil {
		close(s.progress)
		s.progress = nil
	}
	s.mu.Unlock()
}

func (s *streamSocket) handleClosed(info js.Value) {
	s.setState(Closed)
	s.end(&CloseError{
		Code:     StatusCode(info.Get("closeCode").Int()),
		Reason:   info.Get("reason").String(),
		WasClean: true,
	})
}

func (s *streamSocket) handleClosedUncleanly(js.Value) {
	s.fail()
	s.end(&CloseError{Code: StatusAbnormalClosure})
}

func (s *streamSocket) end(ce *CloseError) {
	s.wakeAll() // wake a waiting Write
	s.release()
	s.core.deliverClose(ce)
}

func (s *streamSocket) readyState() State {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.state
}

func (s *streamSocket) bufferedAmount() int {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.buffered
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

func (s *streamSocket) url() string { return s.wss.Get("url").String() }

func (s *streamSocket) send(op string, typ MessageType, p []byte) error {
	s.mu.Lock()
	s.buffered += len(p) // counted even when discarded, as the browser does
	open := s.state == Open
	if open {
		s.pending = append(s.pending, len(p))
	}
	s.mu.Unlock()
	if !open {
		return nil
	}
	var v js.Value
	if typ == Text {
		v = js.ValueOf(string(p))
	} else {
		v = bytesToJS(p)
	}
	return jsCatch(op, func() {
		s.writer.Call("write", v).Call("then", s.onWritten, s.onWriteFail)
	})
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
	s.mu.Lock()
	if s.state != Open || s.buffered <= low {
		s.mu.Unlock()
		return nil
	}
	var wait chan struct{}
	if s.writer.Get("desiredSize").Float() > 0 {
		if s.progress == nil {
			s.progress = make(chan struct{})
		}
		wait = s.progress
	} else {
		if s.ready == nil {
			s.ready = make(chan struct{})
			s.writer.Get("ready").Call("then", s.onReady)
		}
		wait = s.ready
	}
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
