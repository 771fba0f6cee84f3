//go:build !js

package wsclient

import (
	"context"
	"errors"
	"sync"
	"sync/atomic"
	"unicode/utf8"

	"github.com/coder/websocket"
)

// nativeSocket runs a Conn on github.com/coder/websocket, with the browser's
// semantics: send queues and returns (BufferedAmount is the bytes accepted
// but not yet written), events are reported in the browser's order.
type nativeSocket struct {
	core   *core
	rawURL string
	ctx    context.Context // lives as long as the connection
	cancel context.CancelFunc
	state  atomic.Int32
	ws     atomic.Pointer[websocket.Conn]
	proto  atomic.Pointer[string]
	exts   atomic.Pointer[string]
	// closed carries the result of our own Close, once closeStarted.
	closed       chan error
	closeStarted atomic.Bool

	mu       sync.Mutex
	queue    []Message // accepted by send, not yet written
	buffered int
	wakeTx   chan struct{} // the queue has work
	drained  chan struct{} // closed and replaced whenever buffered falls
}

func openTransport(c *core, url string) (transport, error) {
	s := &nativeSocket{
		core:    c,
		rawURL:  url,
		wakeTx:  make(chan struct{}, 1),
		drained: make(chan struct{}),
		closed:  make(chan error, 1),
	}
	s.ctx, s.cancel = context.WithCancel(context.Background())
	empty := ""
	s.proto.Store(&empty)
	s.exts.Store(&empty)
	go s.run()
	return s, nil
}

// run dials, then reads until the connection ends.
func (s *nativeSocket) run() {
	ws, resp, err := websocket.Dial(s.ctx, s.rawURL, &websocket.DialOptions{
		Subprotocols: s.core.opts.Protocols,
		// Browsers always offer permessage-deflate; so does this build.
		// Without context takeover it costs no memory between messages.
		CompressionMode: websocket.CompressionNoContextTakeover,
	})
	if err != nil {
		s.fail()
		return
	}
	// A message larger than the receive bound could never be queued.
	ws.SetReadLimit(int64(s.core.opts.MaxPendingBytes))
	proto, exts := ws.Subprotocol(), resp.Header.Get("Sec-WebSocket-Extensions")
	s.proto.Store(&proto)
	s.exts.Store(&exts)
	s.ws.Store(ws)
	if !s.state.CompareAndSwap(int32(Connecting), int32(Open)) {
		// Closed while the handshake was in flight: abandon it.
		ws.CloseNow()
		s.fail()
		return
	}
	s.core.deliverOpen()
	go s.writeLoop(ws)
	s.readLoop(ws)
}

// fail ends a connection that never opened: error, then close 1006.
func (s *nativeSocket) fail() {
	s.state.Store(int32(Closed))
	s.cancel()
	s.reportFailure()
}

// reportFailure reports a failed connection as the browser does: readyState
// CLOSED, then the error event, then close 1006, not clean.
func (s *nativeSocket) reportFailure() {
	s.core.observe(Closed)
	s.core.deliverError()
	s.core.deliverClose(&CloseError{Code: StatusAbnormalClosure})
}

// failOpen fails an open connection whose peer broke the protocol, as the
// browser does (RFC 6455 section 7.1.7): nothing more is sent or delivered,
// the peer gets a close frame with code and reason, and the failure is
// reported at once, without waiting for the peer's answer. coder/websocket's
// Close waits for that answer (5 s at most) in the background, then drops
// the TCP connection.
func (s *nativeSocket) failOpen(ws *websocket.Conn, code StatusCode, reason string) {
	s.state.Store(int32(Closed))
	s.mu.Lock()
	clear(s.queue) // still counted in BufferedAmount, as in the browser
	s.queue = s.queue[:0]
	s.mu.Unlock()
	go func() {
		ws.Close(websocket.StatusCode(code), reason)
		s.cancel()
	}()
	s.reportFailure()
	s.signalDrained()
}

func (s *nativeSocket) readLoop(ws *websocket.Conn) {
	for {
		typ, p, err := ws.Read(s.ctx)
		if err != nil {
			s.finish(err)
			return
		}
		// coder/websocket does not check text, and Read returns whole
		// messages (a code point split across frames is whole again). Text
		// that is not UTF-8 fails the connection (RFC 6455 section 8.1), as
		// in the browser; Chromium sends 1002, RFC 6455 section 7.4.1 names
		// 1007 for it.
		if typ == websocket.MessageText && !utf8.Valid(p) {
			s.failOpen(ws, StatusInvalidFramePayloadData, "text message is not valid UTF-8")
			return
		}
		if !s.core.deliverMessage(Message{Type: MessageType(typ), Data: p}) && s.readyState() < Closing {
			// Nobody reads fast enough: close rather than drop messages or
			// grow without bound, and keep reading until the close arrives.
			s.state.Store(int32(Closing))
			s.core.closing(StatusReceiveOverflow, "receive queue overflow")
			s.startClose(ws, StatusReceiveOverflow, "receive queue overflow")
		}
	}
}

// finish reports how the connection ended.
func (s *nativeSocket) finish(err error) {
	ce := &CloseError{Code: StatusAbnormalClosure}
	var wce websocket.CloseError
	if errors.As(err, &wce) {
		// A close reason that is not UTF-8 fails the connection, as in
		// the browser (RFC 6455 sections 7.1.6 and 8.1).
		if !utf8.ValidString(wce.Reason) {
			s.state.Store(int32(Closed))
			s.cancel()
			s.reportFailure()
			s.signalDrained()
			return
		}
		ce = &CloseError{Code: StatusCode(wce.Code), Reason: wce.Reason, WasClean: true}
	} else if local := s.core.localCloseSent(); local != nil && s.closeStarted.Load() {
		// coder/websocket can hand the peer's close frame to its own Close
		// and give Read net.ErrClosed instead. Its Close succeeds only when
		// the peer answered with our code, which is what a browser would
		// then report (the reason of an echo is ours, as RFC 6455 suggests).
		if <-s.closed == nil {
			ce = &CloseError{Code: local.Code, Reason: local.Reason, WasClean: true}
		}
	}
	s.state.Store(int32(Closed))
	s.cancel()
	s.core.observe(Closed)
	// As in Chromium, a connection that opened and then dropped reports
	// close 1006 without an error event; only a failed one (fail) has it.
	s.core.deliverClose(ce)
	s.signalDrained()
}

// writeLoop writes queued messages in order until the connection ends.
func (s *nativeSocket) writeLoop(ws *websocket.Conn) {
	for {
		select {
		case <-s.wakeTx:
		case <-s.ctx.Done():
			return
		}
		for {
			s.mu.Lock()
			if len(s.queue) == 0 {
				s.mu.Unlock()
				break
			}
			m := s.queue[0]
			s.queue[0] = Message{}
			s.queue = s.queue[1:]
			s.mu.Unlock()
			err := ws.Write(s.ctx, websocket.MessageType(m.Type), m.Data)
			s.mu.Lock()
			s.buffered -= len(m.Data)
			s.mu.Unlock()
			s.signalDrained()
			if err != nil {
				return // the read loop reports the end
			}
		}
	}
}

func (s *nativeSocket) signalDrained() {
	s.mu.Lock()
	close(s.drained)
	s.drained = make(chan struct{})
	s.mu.Unlock()
}

func (s *nativeSocket) readyState() State { return State(s.state.Load()) }

func (s *nativeSocket) bufferedAmount() int {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.buffered
}

func (s *nativeSocket) protocol() string   { return *s.proto.Load() }
func (s *nativeSocket) extensions() string { return *s.exts.Load() }
func (s *nativeSocket) url() string        { return s.rawURL }
func (s *nativeSocket) kind() Transport    { return TransportWebSocket }

func (s *nativeSocket) send(op string, typ MessageType, p []byte) (State, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	state := s.readyState()
	if state == Connecting {
		return state, nil
	}
	s.buffered += len(p)
	if state != Open {
		return state, nil // discarded but counted, as in the browser
	}
	s.queue = append(s.queue, Message{Type: typ, Data: append([]byte(nil), p...)})
	wake(s.wakeTx)
	return state, nil
}

func (s *nativeSocket) close(code StatusCode, reason string) error {
	if s.state.CompareAndSwap(int32(Connecting), int32(Closing)) {
		s.cancel() // the dial fails: close 1006, as in the browser
		return nil
	}
	if !s.state.CompareAndSwap(int32(Open), int32(Closing)) {
		return nil
	}
	ws := s.ws.Load()
	// Close waits for the peer's answer; the read loop reports it.
	s.startClose(ws, code, reason)
	return nil
}

// startClose runs coder/websocket's Close, which waits for the peer's
// answer, in the background.
func (s *nativeSocket) startClose(ws *websocket.Conn, code StatusCode, reason string) {
	s.closeStarted.Store(true)
	go func() { s.closed <- ws.Close(websocket.StatusCode(code), reason) }()
}

func (s *nativeSocket) abort() {
	s.close(StatusNormalClosure, "")
}

func (s *nativeSocket) waitDrain(ctx context.Context, attempt, low int) error {
	// buffered falls and drained is signalled under s.mu: checking both
	// under it loses no wake-up.
	s.mu.Lock()
	if s.buffered <= low {
		s.mu.Unlock()
		return nil
	}
	ch := s.drained
	s.mu.Unlock()
	return waitSignal(ctx, ch, s.core.done)
}

func (s *nativeSocket) bufferedAtLeast(n int) bool { return s.bufferedAmount() >= n }
