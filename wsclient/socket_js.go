//go:build js && wasm

package wsclient

import (
	"context"
	"syscall/js"
	"time"
)

// jsSocket is the browser's WebSocket object behind a Conn.
type jsSocket struct {
	core  *core
	ws    js.Value
	funcs []js.Func
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
	err := jsCatch("new", func() {
		protocols := make([]any, len(c.opts.Protocols))
		for i, p := range c.opts.Protocols {
			protocols[i] = p
		}
		s.ws = jsWebSocket.New(url, protocols)
	})
	if err != nil {
		return nil, err
	}
	s.ws.Set("binaryType", "arraybuffer")
	s.listen("onopen", s.handleOpen)
	s.listen("onmessage", s.handleMessage)
	s.listen("onerror", s.handleError)
	s.listen("onclose", s.handleClose)
	return s, nil
}

// listen installs handler as the socket's on<event> property.
func (s *jsSocket) listen(prop string, handler func(js.Value)) {
	f := newFunc(handler)
	s.funcs = append(s.funcs, f)
	s.ws.Set(prop, f)
}

// release removes every handler and releases its js.Func.
func (s *jsSocket) release() {
	for _, prop := range []string{"onopen", "onmessage", "onerror", "onclose"} {
		s.ws.Set(prop, js.Null())
	}
	for _, f := range s.funcs {
		releaseFunc(f)
	}
	s.funcs = nil
}

func (s *jsSocket) handleOpen(js.Value) { s.core.deliverOpen() }

func (s *jsSocket) handleMessage(ev js.Value) {
	data := ev.Get("data")
	var m Message
	if data.Type() == js.TypeString {
		m = Message{Type: Text, Data: []byte(data.String())}
	} else {
		m = Message{Type: Binary, Data: bytesFromArrayBuffer(data)}
	}
	if !s.core.deliverMessage(m) && s.readyState() < Closing {
		// Nobody reads fast enough and the browser cannot be paused: close
		// rather than drop messages or grow without bound.
		_ = s.close(StatusReceiveOverflow, "receive queue overflow")
		s.core.closing(StatusReceiveOverflow, "receive queue overflow")
	}
}

func (s *jsSocket) handleError(js.Value) {
	s.core.observe(s.readyState())
	s.core.deliverError()
}

func (s *jsSocket) handleClose(ev js.Value) {
	s.release()
	s.core.deliverClose(&CloseError{
		Code:     StatusCode(ev.Get("code").Int()),
		Reason:   ev.Get("reason").String(),
		WasClean: ev.Get("wasClean").Bool(),
	})
}

func (s *jsSocket) readyState() State   { return State(s.ws.Get("readyState").Int()) }
func (s *jsSocket) bufferedAmount() int { return s.ws.Get("bufferedAmount").Int() }
func (s *jsSocket) protocol() string    { return s.ws.Get("protocol").String() }
func (s *jsSocket) extensions() string  { return s.ws.Get("extensions").String() }
func (s *jsSocket) url() string         { return s.ws.Get("url").String() }

func (s *jsSocket) send(op string, typ MessageType, p []byte) error {
	var v js.Value
	if typ == Text {
		v = js.ValueOf(string(p))
	} else {
		v = bytesToJS(p)
	}
	return jsCatch(op, func() { s.ws.Call("send", v) })
}

func (s *jsSocket) close(code StatusCode, reason string) error {
	return jsCatch("close", func() { s.ws.Call("close", int(code), reason) })
}

func (s *jsSocket) abort() {
	_ = jsCatch("close", func() { s.ws.Call("close") })
}

// Backpressure polling: bufferedAmount has no event, so wait with a short
// timer that grows while the buffer stays full.
const (
	minDrainPoll = time.Millisecond
	maxDrainPoll = 16 * time.Millisecond
)

func (s *jsSocket) waitDrain(ctx context.Context, attempt, low int) error {
	d := min(minDrainPoll<<min(attempt, 8), maxDrainPoll)
	t := time.NewTimer(d)
	defer t.Stop()
	select {
	case <-t.C:
		return nil
	case <-s.core.done:
		return nil
	case <-ctx.Done():
		return ctx.Err()
	}
}
