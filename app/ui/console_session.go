package ui

import (
	"errors"
	"fmt"
	"hash/fnv"
	"sync"
	"time"

	"github.com/duplexgo/duplex/wsclient"
)

// Limits of the console's memory, so that a flood cannot grow it without
// bound.
const (
	// maxLogEntries is how many log entries the page keeps and shows; older
	// ones are counted, not shown.
	maxLogEntries = 200
	// maxOutstanding is how many sent messages are remembered to measure the
	// round trip of their echoes.
	maxOutstanding = 1 << 16
	// echoSumBytes is how much of a message is hashed to recognise its echo.
	echoSumBytes = 4096
	// echoLookahead is how many of the oldest messages awaiting an echo a
	// received message is compared with: a message lost with a connection
	// must not stop the round trips of the next ones from being measured.
	echoLookahead = 16
)

// Log entry kinds (the data-kind attribute of an entry).
const (
	kindText   = "text"
	kindBinary = "binary"
	kindOpen   = "open"
	kindError  = "error"
	kindClose  = "close"
	kindInfo   = "info"
)

// Directions of a log entry (the data-dir attribute).
const (
	dirIn    = "in"
	dirOut   = "out"
	dirEvent = "event"
)

// logEntry is one line of the console's event log.
type logEntry struct {
	Seq     int64
	Time    time.Time
	Dir     string // dirIn, dirOut or dirEvent
	Kind    string // kindText, kindBinary, kindOpen, ...
	Size    int    // payload bytes of a message
	Preview string // the text, hex for binary, or a description

	// Close details, for kindClose.
	Code     wsclient.StatusCode
	Reason   string
	WasClean bool
}

// consoleStats are a connection's counters.
type consoleStats struct {
	MsgsIn, MsgsOut   int64
	BytesIn, BytesOut int64
	RTTLast           time.Duration
	RTTSum            time.Duration
	RTTCount          int64
}

// RTTAvg returns the mean round trip of the echoes measured so far.
func (s consoleStats) RTTAvg() time.Duration {
	if s.RTTCount == 0 {
		return 0
	}
	return s.RTTSum / time.Duration(s.RTTCount)
}

// liveValues are what the browser's WebSocket exposes without events; the
// session polls them.
type liveValues struct {
	Buffered     int
	BufferedPeak int
	Protocol     string
	Extensions   string
}

// sentRecord remembers a sent message to recognise its echo.
type sentRecord struct {
	typ  wsclient.MessageType
	size int
	sum  uint64
	at   time.Time
}

// clientView is what the console shows of a reconnecting client.
type clientView struct {
	Phase   wsclient.Phase
	Attempt int           // the attempt under way or next (PhaseReconnecting)
	NextIn  time.Duration // until the next try, in tenths of a second; 0 once due
	Queued  int           // messages accepted by Send and not yet delivered
}

// consoleFlush is what one flush hands to the page.
type consoleFlush struct {
	stats    consoleStats
	live     liveValues
	client   clientView
	state    wsclient.State
	hasState bool
	entries  []logEntry
	dropped  int64 // entries that did not fit in the pending buffer
	closed   bool
}

// consoleSession is one connection of the console: a plain WebSocket
// (sock), or, with auto-reconnect, a wsclient.Client (client) whose
// connections follow one another. Its callbacks run on the connection's or
// the client's goroutines, its loop on another, sends on the UI goroutine or
// a burst goroutine; everything shared is under mu, and the page takes it
// with take, on the UI goroutine.
type consoleSession struct {
	gate   frameGate
	now    func() time.Time
	sock   Socket       // the plain connection; set before the loop starts
	client ClientSocket // or the reconnecting client; idem

	mu          sync.Mutex
	seq         int64
	stats       consoleStats
	live        liveValues
	pinned      bool // live.Buffered is a sample that must be shown once
	entries     []logEntry
	dropped     int64
	outstanding []sentRecord
	closed      bool // the connection, or the client, has ended

	// Client mode.
	view     clientView
	cstate   wsclient.ClientState // the latest state the client reported
	opens    int                  // connections opened
	closeReq *closeCall           // the page's own Close, if any
	closing  Socket               // the connection open at that Close
}

type closeCall struct {
	code   wsclient.StatusCode
	reason string
}

func newConsoleSession(now func() time.Time) *consoleSession {
	return &consoleSession{now: now}
}

// options returns the wsclient options that feed the session.
func (s *consoleSession) options(protocols []string) *wsclient.Options {
	return &wsclient.Options{
		Protocols:     protocols,
		OnStateChange: s.gate.pushState,
		OnOpen:        s.onOpen,
		OnMessage:     s.onMessage,
		OnError:       s.onError,
		OnClose:       s.onClose,
	}
}

// clientOptions returns the options of a reconnecting client that feeds the
// session. Its connections' readyStates come back to CONNECTING and OPEN,
// so the session's loop is then the only one to push them, as it observes
// them.
func (s *consoleSession) clientOptions(protocols []string) *wsclient.ClientOptions {
	s.gate.anyOrder = true
	return &wsclient.ClientOptions{
		Options:       wsclient.Options{Protocols: protocols},
		Backoff:       consoleBackoff,
		OnStateChange: s.onClientState,
		OnMessage:     s.onMessage,
		OnUndelivered: s.onUndelivered,
	}
}

// conn returns the connection whose live values the page shows: the plain
// one, or the client's current one (nil between connections).
func (s *consoleSession) conn() Socket {
	if s.client != nil {
		return s.client.Conn()
	}
	return s.sock
}

// sendMsg sends a message on the plain connection at once, or hands it to
// the client, which queues it while disconnected.
func (s *consoleSession) sendMsg(typ wsclient.MessageType, p []byte) error {
	switch {
	case s.client != nil:
		return s.client.Send(typ, p)
	case typ == wsclient.Text:
		return s.sock.SendText(string(p))
	}
	return s.sock.SendBinary(p)
}

// closeWith closes the plain connection, or ends the client (no reconnect
// follows).
func (s *consoleSession) closeWith(code wsclient.StatusCode, reason string) error {
	if s.client == nil {
		return s.sock.Close(code, reason)
	}
	conn := s.client.Conn()
	s.mu.Lock()
	prevReq, prevConn := s.closeReq, s.closing
	if prevReq == nil {
		s.closeReq, s.closing = &closeCall{code, reason}, conn
	}
	s.mu.Unlock()
	err := s.client.Close(code, reason)
	if err != nil { // rejected before anything happened
		s.mu.Lock()
		s.closeReq, s.closing = prevReq, prevConn
		s.mu.Unlock()
	}
	return err
}

// ending reports whether the connection or the client is closing or has
// ended: there is nothing left to close.
func (s *consoleSession) ending() bool {
	if s.client == nil {
		return s.gate.lastState() >= wsclient.Closing
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.closed || s.closeReq != nil
}

// onClientState logs what a reconnecting client reports: a connection
// opened, ended (its close code and reason), an attempt failed, the next
// one scheduled, the client ended.
func (s *consoleSession) onClientState(st wsclient.ClientState) {
	now := s.now()
	s.mu.Lock()
	prev := s.cstate
	s.cstate = st
	switch st.Phase {
	case wsclient.PhaseOpen:
		s.opens++
		text := "connection open"
		if s.opens > 1 {
			text = fmt.Sprintf("reconnected: connection %d open", s.opens)
		}
		s.addLocked(logEntry{Dir: dirEvent, Kind: kindOpen, Preview: text})
	case wsclient.PhaseReconnecting:
		s.addLocked(s.endEntryLocked(prev, st.Err))
		s.addLocked(logEntry{Dir: dirEvent, Kind: kindInfo,
			Preview: fmt.Sprintf("reconnecting: attempt %d in %s", st.Attempt, formatWait(st.NextTry.Sub(now)))})
	case wsclient.PhaseClosed:
		if prev.Phase == wsclient.PhaseOpen || st.Err != nil {
			s.addLocked(s.endEntryLocked(prev, st.Err))
		}
		s.addLocked(logEntry{Dir: dirEvent, Kind: kindInfo, Preview: "client closed: no more reconnects"})
		s.closed = true
	}
	s.mu.Unlock()
	s.gate.markDirty()
}

// endEntryLocked describes the end of a client's connection (when prev is
// PhaseOpen) or of a failed attempt; s.mu is held.
func (s *consoleSession) endEntryLocked(prev wsclient.ClientState, err error) logEntry {
	if prev.Phase != wsclient.PhaseOpen {
		return logEntry{Dir: dirEvent, Kind: kindError, Preview: "connection attempt failed: " + errText(err)}
	}
	var ce *wsclient.CloseError
	if err == nil && s.closeReq != nil {
		// The page's own Close, which the client does not report as an
		// error: the connection knows how it ended.
		ce = &wsclient.CloseError{Code: s.closeReq.code, Reason: s.closeReq.reason, WasClean: true}
		if c, ok := s.closing.(interface{ Err() error }); ok {
			errors.As(c.Err(), &ce)
		}
	} else if !errors.As(err, &ce) {
		return logEntry{Dir: dirEvent, Kind: kindError, Preview: "connection abandoned: " + errText(err)}
	}
	return closeEntry(ce)
}

// onUndelivered logs a message the client accepted and will not deliver.
func (s *consoleSession) onUndelivered(m wsclient.Message, err error) {
	e := messageEntry(dirEvent, m.Type, m.Data, time.Time{})
	e.Kind = kindError
	e.Preview = fmt.Sprintf("not delivered (%s %s): %s: %v", m.Type, formatBytes(int64(len(m.Data))), e.Preview, err)
	s.add(e)
}

// errText renders a possibly nil error.
func errText(err error) string {
	if err == nil {
		return "no error"
	}
	return err.Error()
}

// formatWait renders the time until the next try, in tenths of a second.
func formatWait(d time.Duration) string {
	return fmt.Sprintf("%.1f s", max(d, 0).Seconds())
}

// closeEntry describes a close event for the log.
func closeEntry(ce *wsclient.CloseError) logEntry {
	return logEntry{
		Dir:      dirEvent,
		Kind:     kindClose,
		Code:     ce.Code,
		Reason:   ce.Reason,
		WasClean: ce.WasClean,
		Preview:  fmt.Sprintf("code %v · reason %q · wasClean %t", ce.Code, ce.Reason, ce.WasClean),
	}
}

// addLocked queues a log entry; s.mu is held. The pending buffer keeps the
// newest maxLogEntries: the page shows no more than that anyway.
func (s *consoleSession) addLocked(e logEntry) {
	s.seq++
	e.Seq = s.seq
	if e.Time.IsZero() {
		e.Time = s.now()
	}
	if len(s.entries) == maxLogEntries {
		copy(s.entries, s.entries[1:])
		s.entries = s.entries[:maxLogEntries-1]
		s.dropped++
	}
	s.entries = append(s.entries, e)
}

func (s *consoleSession) add(e logEntry) {
	s.mu.Lock()
	s.addLocked(e)
	s.mu.Unlock()
	s.gate.markDirty()
}

func (s *consoleSession) onOpen() {
	s.add(logEntry{Dir: dirEvent, Kind: kindOpen, Preview: "connection open"})
}

func (s *consoleSession) onError(err error) {
	s.add(logEntry{Dir: dirEvent, Kind: kindError, Preview: err.Error()})
}

func (s *consoleSession) onClose(ce *wsclient.CloseError) {
	s.mu.Lock()
	s.closed = true
	s.addLocked(closeEntry(ce))
	s.mu.Unlock()
	s.gate.markDirty()
}

// onMessage counts a received message, logs it and, when it is the echo of
// one of the oldest messages still awaiting one, measures the round trip
// (older ones are given up: their echo did not come first).
func (s *consoleSession) onMessage(m wsclient.Message) {
	at := s.now()
	sum := echoSum(m.Data)
	s.mu.Lock()
	s.stats.MsgsIn++
	s.stats.BytesIn += int64(len(m.Data))
	for i, r := range s.outstanding[:min(len(s.outstanding), echoLookahead)] {
		if r.typ == m.Type && r.size == len(m.Data) && r.sum == sum {
			s.outstanding = s.outstanding[i+1:]
			rtt := at.Sub(r.at)
			s.stats.RTTLast = rtt
			s.stats.RTTSum += rtt
			s.stats.RTTCount++
			break
		}
	}
	s.addLocked(messageEntry(dirIn, m.Type, m.Data, at))
	s.mu.Unlock()
	s.gate.markDirty()
}

// sent records a message that was handed to the browser.
func (s *consoleSession) sent(typ wsclient.MessageType, p []byte) {
	at := s.now()
	sum := echoSum(p)
	s.mu.Lock()
	s.stats.MsgsOut++
	s.stats.BytesOut += int64(len(p))
	if len(s.outstanding) == maxOutstanding {
		s.outstanding = s.outstanding[1:]
	}
	s.outstanding = append(s.outstanding, sentRecord{typ: typ, size: len(p), sum: sum, at: at})
	s.addLocked(messageEntry(dirOut, typ, p, at))
	s.mu.Unlock()
	s.gate.markDirty()
}

// note logs an event of the page itself, such as a failed send.
func (s *consoleSession) note(kind, text string) {
	s.add(logEntry{Dir: dirEvent, Kind: kind, Preview: text})
}

// messageEntry describes a message for the log.
func messageEntry(dir string, typ wsclient.MessageType, p []byte, at time.Time) logEntry {
	e := logEntry{Time: at, Dir: dir, Size: len(p)}
	if typ == wsclient.Text {
		e.Kind = kindText
		e.Preview = previewText(p)
	} else {
		e.Kind = kindBinary
		e.Preview = previewHex(p)
	}
	return e
}

// echoSum hashes the start of a message, to recognise its echo.
func echoSum(p []byte) uint64 {
	h := fnv.New64a()
	h.Write(p[:min(len(p), echoSumBytes)])
	return h.Sum64()
}

// poll reads the live values of the connection, and of the client in
// client mode. It reports whether the connection, or the client, is still
// alive.
func (s *consoleSession) poll() bool {
	var (
		state      wsclient.State
		buffered   int
		proto, ext string
		view       clientView
	)
	conn := s.conn()
	if conn != nil {
		state, buffered = conn.ReadyState(), conn.BufferedAmount()
		proto, ext = conn.Protocol(), conn.Extensions()
	}
	if s.client != nil {
		view = s.clientView()
		if conn == nil {
			state = betweenConnections(view)
		}
	}
	s.gate.pushState(state)
	s.mu.Lock()
	changed := proto != s.live.Protocol || ext != s.live.Extensions || view != s.view
	s.live.Protocol, s.live.Extensions = proto, ext
	s.view = view
	if !s.pinned && buffered != s.live.Buffered {
		s.live.Buffered = buffered
		changed = true
	}
	if buffered > s.live.BufferedPeak {
		s.live.BufferedPeak = buffered
		changed = true
	}
	alive := !s.closed
	s.mu.Unlock()
	if changed {
		s.gate.markDirty()
	}
	return alive
}

// clientView reads the client's state and queue.
func (s *consoleSession) clientView() clientView {
	st, stats := s.client.State(), s.client.Stats()
	v := clientView{Phase: st.Phase, Queued: stats.Queued}
	if st.Phase == wsclient.PhaseReconnecting {
		v.Attempt = st.Attempt
		// Rounded up to a tenth of a second: the page counts down without
		// rendering every frame.
		const tenth = 100 * time.Millisecond
		if d := st.NextTry.Sub(s.now()); d > 0 {
			v.NextIn = (d + tenth - 1) / tenth * tenth
		}
	}
	return v
}

// betweenConnections is the readyState shown while a client has no open
// connection: CONNECTING while an attempt is under way, CLOSED otherwise
// (the last connection's state).
func betweenConnections(v clientView) wsclient.State {
	switch {
	case v.Phase == wsclient.PhaseConnecting,
		v.Phase == wsclient.PhaseReconnecting && v.NextIn == 0:
		return wsclient.Connecting
	}
	return wsclient.Closed
}

// sample reads bufferedAmount right after sends and pins the value until a
// flush has shown it: the buffer may drain before the next frame, and the
// page must still show that it rose.
func (s *consoleSession) sample() {
	buffered := 0
	if conn := s.conn(); conn != nil {
		buffered = conn.BufferedAmount()
	}
	s.mu.Lock()
	s.live.Buffered = buffered
	s.live.BufferedPeak = max(s.live.BufferedPeak, buffered)
	s.pinned = buffered > 0
	s.mu.Unlock()
	s.gate.markDirty()
}

// take hands everything new to the page; it runs on the UI goroutine.
func (s *consoleSession) take() consoleFlush {
	var f consoleFlush
	f.state, f.hasState = s.gate.nextState()
	s.mu.Lock()
	defer s.mu.Unlock()
	f.stats = s.stats
	f.live = s.live
	f.client = s.view
	s.pinned = false
	f.entries = s.entries
	s.entries = nil
	f.dropped = s.dropped
	s.dropped = 0
	f.closed = s.closed
	return f
}

// tick is the session's loop body: poll, then flush if the gate allows.
func (s *consoleSession) tick(flush func()) bool {
	alive := s.poll()
	if s.gate.begin() {
		flush()
	}
	return alive
}

// burst sends n messages of size bytes each, at once, without waiting for
// the buffer to drain: bufferedAmount rises, then drains as the browser
// sends. It yields to the browser every mebibyte so that the page stays
// responsive, and samples bufferedAmount after the last message.
func (s *consoleSession) burst(n, size int, typ wsclient.MessageType, sleep func(time.Duration)) {
	payload := burstPayload(size, typ)
	sinceYield := 0
	for i := range n {
		err := s.sendMsg(typ, payload)
		for s.client != nil && errors.Is(err, wsclient.ErrQueueFull) {
			// The client's queue drains as its connection writes: wait.
			s.sample()
			sleep(5 * time.Millisecond)
			err = s.sendMsg(typ, payload)
		}
		if err != nil {
			s.note(kindError, fmt.Sprintf("burst stopped after %d of %d messages: %v", i, n, err))
			s.sample()
			return
		}
		s.sent(typ, payload)
		if sinceYield += size; sinceYield >= 1<<20 && i < n-1 {
			s.sample()
			sleep(time.Millisecond)
			sinceYield = 0
		}
	}
	s.sample()
	s.note(kindInfo, fmt.Sprintf("burst of %d × %s %s messages sent", n, formatBytes(int64(size)), typ))
}

// burstPayload builds a burst message: printable ASCII for text, a byte
// ramp for binary.
func burstPayload(size int, typ wsclient.MessageType) []byte {
	p := make([]byte, size)
	for i := range p {
		if typ == wsclient.Text {
			p[i] = 'a' + byte(i%26)
		} else {
			p[i] = byte(i)
		}
	}
	return p
}
