package ui

import (
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

// consoleFlush is what one flush hands to the page.
type consoleFlush struct {
	stats    consoleStats
	live     liveValues
	state    wsclient.State
	hasState bool
	entries  []logEntry
	dropped  int64 // entries that did not fit in the pending buffer
	closed   bool
}

// consoleSession is one connection of the console. Its callbacks run on the
// connection's goroutine, its loop on another, sends on the UI goroutine or
// a burst goroutine; everything shared is under mu, and the page takes it
// with take, on the UI goroutine.
type consoleSession struct {
	gate frameGate
	now  func() time.Time
	sock Socket // set before the loop starts

	mu          sync.Mutex
	seq         int64
	stats       consoleStats
	live        liveValues
	pinned      bool // live.Buffered is a sample that must be shown once
	entries     []logEntry
	dropped     int64
	outstanding []sentRecord
	closed      bool
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
	s.addLocked(logEntry{
		Dir:      dirEvent,
		Kind:     kindClose,
		Code:     ce.Code,
		Reason:   ce.Reason,
		WasClean: ce.WasClean,
		Preview:  fmt.Sprintf("code %v · reason %q · wasClean %t", ce.Code, ce.Reason, ce.WasClean),
	})
	s.mu.Unlock()
	s.gate.markDirty()
}

// onMessage counts a received message, logs it and, when it is the echo of
// the oldest message still awaiting one, measures the round trip.
func (s *consoleSession) onMessage(m wsclient.Message) {
	at := s.now()
	sum := echoSum(m.Data)
	s.mu.Lock()
	s.stats.MsgsIn++
	s.stats.BytesIn += int64(len(m.Data))
	if len(s.outstanding) > 0 {
		r := s.outstanding[0]
		if r.typ == m.Type && r.size == len(m.Data) && r.sum == sum {
			s.outstanding = s.outstanding[1:]
			rtt := at.Sub(r.at)
			s.stats.RTTLast = rtt
			s.stats.RTTSum += rtt
			s.stats.RTTCount++
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

// poll reads the live values of the socket. It reports whether the
// connection is still alive.
func (s *consoleSession) poll() bool {
	state := s.sock.ReadyState()
	buffered := s.sock.BufferedAmount()
	proto, ext := s.sock.Protocol(), s.sock.Extensions()
	s.gate.pushState(state)
	s.mu.Lock()
	changed := proto != s.live.Protocol || ext != s.live.Extensions
	s.live.Protocol, s.live.Extensions = proto, ext
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

// sample reads bufferedAmount right after sends and pins the value until a
// flush has shown it: the buffer may drain before the next frame, and the
// page must still show that it rose.
func (s *consoleSession) sample() {
	buffered := s.sock.BufferedAmount()
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
		var err error
		if typ == wsclient.Text {
			err = s.sock.SendText(string(payload))
		} else {
			err = s.sock.SendBinary(payload)
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
