package wsclient

import (
	"context"
	"strconv"
	"sync"
	"time"

	"github.com/duplexgo/duplex/wsclient/fallbackproto"
	"github.com/duplexgo/duplex/wsclient/internal/wsframe"
)

// httpBackend is the little HTTP the fallback needs: the browser's fetch
// (fallback_js.go) or net/http (fallback_native.go).
type httpBackend interface {
	// post sends body (no Content-Type) and returns the answer's status
	// and its whole body.
	post(ctx context.Context, url string, body []byte) (status int, answer []byte, err error)
	// get requests url and, when the status is 200, calls chunk with each
	// piece of the answer as it arrives (the slice is reused afterwards),
	// until the answer ends (err nil), fails, or ctx is done.
	get(ctx context.Context, url string, chunk func([]byte)) (status int, err error)
}

// fallbackBackend makes a fallback's HTTP backend (the tests replace it).
var fallbackBackend = newHTTPBackend

// Bounds of the fallback's requests.
const (
	fbMaxBody      = 1 << 20 // most upstream bytes in one POST
	fbRetryMin     = 50 * time.Millisecond
	fbRetryMax     = 2 * time.Second
	fbCloseTimeout = 10 * time.Second // our close frame unanswered: 1006
	fbFlushTimeout = 5 * time.Second  // delivering our last frame after the end
)

// fbFrame is a data frame sent and not yet acknowledged by the server: where
// it ends in the upstream, and its payload size (counted in BufferedAmount).
type fbFrame struct {
	end  uint64
	size int
}

// fbSocket runs a Conn's WebSocket protocol over HTTP requests (see
// FallbackOptions and package fallbackproto): the server's bytes come from
// receive responses, ours go out in POSTs, both numbered and acknowledged.
type fbSocket struct {
	core   *core
	wsURL  string
	base   string // the URL for requests, ending in '?' or '&'
	be     httpBackend
	opts   fallbackConfig
	ctx    context.Context // lives as long as the session
	cancel context.CancelFunc
	// onOpened, when set, is called once the fallback opened (the memory).
	onOpened func()

	mu        sync.Mutex
	state     State
	poll      bool // receive with long polls
	streamOK  bool // a stream brought a record: no buffering proxy
	session   fallbackproto.Open
	proto     string
	up        []byte // upstream bytes from upBase on, not yet acknowledged
	upBase    uint64
	frames    []fbFrame
	buffered  int
	down      uint64 // downstream bytes received
	downAcked uint64 // the most we told the server we have
	lastOK    time.Time
	peerClose *CloseError // the server's close frame
	ended     bool
	wakeTx    chan struct{}
	drained   chan struct{} // closed and replaced whenever buffered falls
	room      chan struct{} // a received message was consumed
	reader    wsframe.Reader
}

// newFallback makes the HTTP fallback transport for wsURL; start begins
// its open request.
func newFallback(c *core, wsURL string, poll bool) *fbSocket {
	s := &fbSocket{
		core:    c,
		wsURL:   wsURL,
		be:      fallbackBackend(),
		state:   Connecting,
		poll:    poll,
		wakeTx:  make(chan struct{}, 1),
		room:    make(chan struct{}, 1),
		drained: make(chan struct{}),
	}
	s.opts = c.opts.Fallback.options()
	s.reader.MaxMessage = c.opts.MaxPendingBytes
	s.base = httpURLOf(wsURL)
	if hasByte(s.base, '?') {
		s.base += "&"
	} else {
		s.base += "?"
	}
	s.ctx, s.cancel = context.WithCancel(context.Background())
	// Set before any message arrives; it replaces a WebSocketStream
	// attempt's, which is abandoned by then.
	c.consumed = func() { wake(s.room) }
	return s
}

// httpURLOf maps a ws or wss URL to http or https.
func httpURLOf(wsURL string) string { return "http" + wsURL[len("ws"):] }

func (s *fbSocket) start() { go s.run() }

// param appends one query parameter to u.
func param(u, k, v string) string {
	if u[len(u)-1] != '?' && u[len(u)-1] != '&' {
		u += "&"
	}
	return u + k + "=" + queryEscape(v)
}

// queryEscape percent-encodes all but the unreserved characters.
func queryEscape(v string) string {
	const hex = "0123456789ABCDEF"
	var b []byte
	for i := 0; i < len(v); i++ {
		c := v[i]
		if 'a' <= c && c <= 'z' || 'A' <= c && c <= 'Z' || '0' <= c && c <= '9' || c == '-' || c == '_' || c == '.' || c == '~' {
			b = append(b, c)
		} else {
			b = append(b, '%', hex[c>>4], hex[c&15])
		}
	}
	return string(b)
}

func u64(n uint64) string { return strconv.FormatUint(n, 10) }

// run opens the session, then receives until it ends.
func (s *fbSocket) run() {
	u := param(s.base, fallbackproto.ParamOp, fallbackproto.OpOpen)
	if p := s.core.opts.Protocols; len(p) > 0 {
		list := p[0]
		for _, x := range p[1:] {
			list += "," + x
		}
		u = param(u, fallbackproto.ParamProtocols, list)
	}
	status, body, err := s.be.post(s.ctx, u, nil)
	var open fallbackproto.Open
	if err == nil && status == 200 {
		open, err = fallbackproto.ParseOpen(body)
	}
	refused := err == nil && status == 200 && !protocolAgreed(s.core.opts.Protocols, open.Protocol)
	if refused {
		// The browser fails a handshake whose subprotocol it did not offer,
		// or that names none when it offered some: so does the fallback,
		// and it ends the session the server opened at once.
		s.abandonSession(open.Session)
	}
	s.mu.Lock()
	if err != nil || status != 200 || refused || s.state != Connecting {
		// Refused, unreachable, or abandoned: as a failed handshake.
		s.endLocked()
		s.mu.Unlock()
		s.cancel()
		s.failed()
		return
	}
	s.session, s.proto = open, open.Protocol
	s.base = param(s.base, fallbackproto.ParamSession, open.Session) + "&"
	s.lastOK = time.Now()
	s.state = Open
	s.mu.Unlock()
	if s.onOpened != nil {
		s.onOpened()
	}
	s.core.openNow()
	go s.sendLoop()
	s.recvLoop()
}

// protocolAgreed applies the browser's rule to the subprotocol a server
// selected: one of those offered, or none when none was offered.
func protocolAgreed(offered []string, selected string) bool {
	if selected == "" {
		return len(offered) == 0
	}
	for _, p := range offered {
		if p == selected {
			return true
		}
	}
	return false
}

// abandonSession sends a close frame (1002) on a session the client will
// not use, so that the server's handler ends now rather than when the
// session is reaped. It is best effort, bounded in time.
func (s *fbSocket) abandonSession(id string) {
	u := param(param(param(s.base, fallbackproto.ParamSession, id), fallbackproto.ParamOp, fallbackproto.OpSend), fallbackproto.ParamOffset, "0")
	ctx, cancel := context.WithTimeout(context.Background(), fbFlushTimeout)
	go func() {
		defer cancel()
		s.be.post(ctx, u, wsframe.AppendClose(nil, int(StatusProtocolError), "subprotocol not offered"))
	}()
}

// recvLoop issues receive requests until the session ends.
func (s *fbSocket) recvLoop() {
	retry := fbRetryMin
	for s.ctx.Err() == nil {
		s.mu.Lock()
		poll, verified, ack := s.poll, s.streamOK, s.down
		s.mu.Unlock()
		mode := fallbackproto.ModeStream
		if poll {
			mode = fallbackproto.ModePoll
		}
		u := param(param(s.base, fallbackproto.ParamOp, fallbackproto.OpRecv), fallbackproto.ParamAck, u64(ack))
		u = param(u, fallbackproto.ParamMode, mode)
		ctx, cancel := context.WithCancel(s.ctx)
		var p fallbackproto.Parser
		got := false
		var watchdog *time.Timer
		if !poll {
			// Silence: a buffering proxy (before the first record), or a
			// dead stream (about two heartbeats without a record).
			limit := 2*s.session.Heartbeat + time.Second
			if !verified {
				limit = s.opts.BufferedAfter
			}
			watchdog = time.AfterFunc(limit, func() {
				s.mu.Lock()
				if !s.streamOK {
					s.poll = true
				}
				s.mu.Unlock()
				cancel()
			})
		}
		status, err := s.be.get(ctx, u, func(chunk []byte) {
			p.Feed(chunk)
			for {
				r, ok, perr := p.Next()
				if perr != nil {
					cancel() // malformed: ask again from what we have
					return
				}
				if !ok {
					return
				}
				got = true
				if watchdog != nil {
					watchdog.Reset(2*s.session.Heartbeat + time.Second)
				}
				if !s.record(r) {
					cancel()
					return
				}
			}
		})
		if watchdog != nil {
			watchdog.Stop()
		}
		cancel()
		if s.ctx.Err() != nil {
			return
		}
		switch {
		case status == 404:
			s.sessionGone()
			return
		case status == 200:
			s.mu.Lock()
			s.lastOK = time.Now() // the server answered: the session lives
			s.mu.Unlock()
			if got || err == nil {
				retry = fbRetryMin // ended, or cut after bringing something: again at once
				continue
			}
		}
		if !s.wait(&retry) {
			return
		}
		if status == 200 {
			retry = fbRetryMin
		}
	}
}

// wait sleeps before retrying a failed request, and fails the connection
// once the server's idle timeout has passed without a successful request.
func (s *fbSocket) wait(retry *time.Duration) bool {
	s.mu.Lock()
	idle := time.Since(s.lastOK) > s.session.Idle
	s.mu.Unlock()
	if idle {
		s.sessionGone()
		return false
	}
	t := time.NewTimer(*retry)
	defer t.Stop()
	*retry = min(2**retry, fbRetryMax)
	select {
	case <-t.C:
		return true
	case <-s.ctx.Done():
		return false
	}
}

// record handles one received record; it reports false when the response
// is to be abandoned.
func (s *fbSocket) record(r fallbackproto.Record) bool {
	s.mu.Lock()
	s.lastOK = time.Now()
	if !s.poll {
		s.streamOK = true
	}
	switch r.Kind {
	case fallbackproto.KindHeartbeat:
		s.ackUpLocked(r.N)
		if s.down > s.downAcked {
			wake(s.wakeTx)
		}
		s.mu.Unlock()
		return true
	case fallbackproto.KindEnd:
		s.mu.Unlock()
		s.sessionGone()
		return false
	case fallbackproto.KindData:
		end := r.N + uint64(len(r.Data))
		if r.N > s.down || end <= s.down {
			s.mu.Unlock()
			return r.N <= s.down // a gap is not to be trusted: ask again
		}
		s.reader.Feed(r.Data[s.down-r.N:])
		s.down = end
		if s.down-s.downAcked >= uint64(s.session.Window/4) {
			wake(s.wakeTx)
		}
		s.mu.Unlock()
		return s.handleFrames()
	}
	s.mu.Unlock()
	return true
}

// handleFrames handles the frames the received bytes complete.
func (s *fbSocket) handleFrames() bool {
	for {
		s.mu.Lock()
		ev, ok, err := s.reader.Next()
		if err != nil || !ok {
			s.mu.Unlock()
			if pe, isPE := err.(*wsframe.ProtocolError); isPE {
				s.failOpen(StatusCode(pe.Code))
				return false
			}
			return err == nil
		}
		switch ev.Kind {
		case wsframe.Ping:
			s.queueLocked(wsframe.OpPong, ev.Data, 0)
			s.mu.Unlock()
		case wsframe.Pong:
			s.mu.Unlock()
		case wsframe.Message:
			state := s.state
			s.mu.Unlock()
			if state != Open && state != Closing {
				continue
			}
			if !s.waitRoom(len(ev.Data)) {
				return false
			}
			if !s.core.deliverMessage(Message{Type: MessageType(ev.Op), Data: ev.Data}) && s.readyState() < Closing {
				s.core.closing(StatusReceiveOverflow, "receive queue overflow")
				s.close(StatusReceiveOverflow, "receive queue overflow")
			}
		case wsframe.Close:
			ce := &CloseError{Code: StatusCode(ev.Code), Reason: ev.Reason, WasClean: true}
			s.peerClose = ce
			if s.state == Open {
				// Answer as a browser does: echo the code.
				code := ev.Code
				if code == wsframe.CodeNoStatus {
					code = 0
				}
				s.up = wsframe.AppendClose(s.up, code, ev.Reason)
				s.state = Closing
				wake(s.wakeTx)
				s.mu.Unlock()
				s.core.observeNow(Closing)
				go s.finishAfterFlush(ce)
				return false
			}
			closing := s.state == Closing
			s.mu.Unlock()
			if closing {
				s.finish(ce) // the answer to our close
			}
			return false
		}
	}
}

// waitRoom waits until a message of size bytes fits in the receive bounds
// (Options.MaxPendingMessages and MaxPendingBytes), or the session ends.
// This is the fallback's backpressure: while it waits the response is not
// read, so the server's writes wait too, and a burst bigger than the
// bounds reaches a slow reader instead of failing the connection. (On a
// WebSocket the browser's own queue holds such a burst; see handoff.) A
// message alone past the bounds is delivered, and fails as on a WebSocket.
func (s *fbSocket) waitRoom(size int) bool {
	o := &s.core.opts
	if o.OnMessageSync != nil {
		return true
	}
	for {
		n, b := s.core.pending()
		if n == 0 || n < o.MaxPendingMessages && b+size <= o.MaxPendingBytes {
			return true
		}
		select {
		case <-s.room:
		case <-s.ctx.Done():
			return false
		}
	}
}

// queueLocked appends a frame to the upstream; size is its payload's
// count in BufferedAmount (0 for control frames).
func (s *fbSocket) queueLocked(op byte, p []byte, size int) {
	s.up = wsframe.AppendFrame(s.up, op, p)
	if size > 0 {
		s.frames = append(s.frames, fbFrame{end: s.upBase + uint64(len(s.up)), size: size})
	}
	wake(s.wakeTx)
}

// ackUpLocked forgets the upstream bytes the server has.
func (s *fbSocket) ackUpLocked(n uint64) {
	if n <= s.upBase || n > s.upBase+uint64(len(s.up)) {
		return
	}
	s.up = s.up[n-s.upBase:]
	if len(s.up) == 0 {
		s.up = nil
	}
	s.upBase = n
	freed := false
	for len(s.frames) > 0 && s.frames[0].end <= n {
		s.buffered -= s.frames[0].size
		s.frames = s.frames[1:]
		freed = true
	}
	if freed || len(s.up) == 0 {
		close(s.drained)
		s.drained = make(chan struct{})
	}
}

// sendLoop POSTs the upstream, one request at a time, until the session
// ends and what was queued has been delivered.
func (s *fbSocket) sendLoop() {
	retry := fbRetryMin
	for {
		select {
		case <-s.wakeTx:
		case <-s.ctx.Done():
			return
		}
		for {
			s.mu.Lock()
			off, ack := s.upBase, s.down
			n := min(len(s.up), fbMaxBody, s.session.Window)
			body := append([]byte(nil), s.up[:n]...)
			if n == 0 && ack <= s.downAcked {
				s.mu.Unlock()
				break
			}
			s.mu.Unlock()
			u := param(param(s.base, fallbackproto.ParamOp, fallbackproto.OpSend), fallbackproto.ParamOffset, u64(off))
			u = param(u, fallbackproto.ParamAck, u64(ack))
			status, answer, err := s.be.post(s.ctx, u, body)
			if s.ctx.Err() != nil {
				return
			}
			if status == 404 {
				s.sessionGone()
				return
			}
			var got uint64
			if err == nil && status == 200 {
				got, err = fallbackproto.ParseAck(answer)
			}
			if err != nil || status != 200 {
				if !s.wait(&retry) {
					return
				}
				continue
			}
			s.mu.Lock()
			s.lastOK = time.Now()
			s.downAcked = max(s.downAcked, ack)
			s.ackUpLocked(got)
			stuck := n > 0 && got <= off
			s.mu.Unlock()
			if stuck {
				// The server's window is full: give it time to read.
				if !s.wait(&retry) {
					return
				}
				continue
			}
			retry = fbRetryMin
		}
	}
}

// finishAfterFlush ends the connection with the server's close once our
// answer has been delivered (or could not be).
func (s *fbSocket) finishAfterFlush(ce *CloseError) {
	s.flushed(fbFlushTimeout)
	s.finish(ce)
}

// flushed waits until the upstream is empty, the session is over, or d has
// passed.
func (s *fbSocket) flushed(d time.Duration) {
	t := time.NewTimer(d)
	defer t.Stop()
	for {
		s.mu.Lock()
		empty, ch := len(s.up) == 0, s.drained
		s.mu.Unlock()
		if empty {
			return
		}
		select {
		case <-ch:
		case <-t.C:
			return
		case <-s.ctx.Done():
			return
		}
	}
}

// finish ends the connection with ce.
func (s *fbSocket) finish(ce *CloseError) {
	s.mu.Lock()
	if !s.endLocked() {
		s.mu.Unlock()
		return
	}
	s.mu.Unlock()
	s.cancel()
	s.core.observeNow(Closed)
	s.core.closeNow(ce)
}

// endLocked marks the connection over; it reports false when it already
// was.
func (s *fbSocket) endLocked() bool {
	if s.ended {
		return false
	}
	s.ended = true
	s.state = Closed
	close(s.drained)
	s.drained = make(chan struct{})
	return true
}

// failed reports a failed connection as the browser does: readyState
// CLOSED, then the error event, then close 1006.
func (s *fbSocket) failed() {
	s.core.observeNow(Closed)
	s.core.errorNow()
	s.core.closeNow(&CloseError{Code: StatusAbnormalClosure})
}

// sessionGone ends a session the server no longer has: cleanly when its
// close frame came, else as a dropped connection (1006).
func (s *fbSocket) sessionGone() {
	s.mu.Lock()
	ce := s.peerClose
	s.mu.Unlock()
	if ce == nil {
		ce = &CloseError{Code: StatusAbnormalClosure}
	}
	s.finish(ce)
}

// failOpen fails the connection for a server that broke the protocol, as
// the browser does: the server gets a close frame with code, and the
// failure (error, then close 1006) is reported at once.
func (s *fbSocket) failOpen(code StatusCode) {
	s.mu.Lock()
	if !s.endLocked() {
		s.mu.Unlock()
		return
	}
	s.up = wsframe.AppendClose(s.up, int(code), "")
	wake(s.wakeTx)
	s.mu.Unlock()
	s.failed()
	go func() {
		s.flushed(fbFlushTimeout)
		s.cancel()
	}()
}

func (s *fbSocket) readyState() State {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.state
}

func (s *fbSocket) bufferedAmount() int {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.buffered
}

func (s *fbSocket) protocol() string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.proto
}

func (s *fbSocket) extensions() string { return "" }
func (s *fbSocket) url() string        { return s.wsURL }

func (s *fbSocket) kind() Transport {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.poll {
		return TransportHTTPPoll
	}
	return TransportHTTPStream
}

func (s *fbSocket) send(op string, typ MessageType, p []byte) (State, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	state := s.state
	if state == Connecting {
		return state, nil
	}
	s.buffered += len(p)
	if state != Open {
		return state, nil // discarded but counted, as in the browser
	}
	opcode := wsframe.OpBinary
	if typ == Text {
		opcode = wsframe.OpText
	}
	s.queueLocked(opcode, p, len(p))
	return state, nil
}

func (s *fbSocket) close(code StatusCode, reason string) error {
	s.mu.Lock()
	switch s.state {
	case Connecting:
		s.state = Closing
		s.mu.Unlock()
		s.cancel() // the open fails: close 1006, as in the browser
		return nil
	case Open:
	default:
		s.mu.Unlock()
		return nil
	}
	s.state = Closing
	s.up = wsframe.AppendClose(s.up, int(code), reason)
	wake(s.wakeTx)
	s.mu.Unlock()
	// The server's answer ends the connection (handleFrames); without one in
	// time, it ends as dropped.
	go func() {
		t := time.NewTimer(fbCloseTimeout)
		defer t.Stop()
		select {
		case <-t.C:
			s.finish(&CloseError{Code: StatusAbnormalClosure})
		case <-s.ctx.Done():
		}
	}()
	return nil
}

func (s *fbSocket) abort() { s.close(StatusNormalClosure, "") }

func (s *fbSocket) bufferedAtLeast(n int) bool { return s.bufferedAmount() >= n }

func (s *fbSocket) waitDrain(ctx context.Context, attempt, low int) error {
	s.mu.Lock()
	if s.buffered <= low || s.ended {
		s.mu.Unlock()
		return nil
	}
	ch := s.drained
	s.mu.Unlock()
	return waitSignal(ctx, ch, s.core.done)
}
