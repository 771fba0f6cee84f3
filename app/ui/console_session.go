package ui

import (
	"bytes"
	"errors"
	"fmt"
	"hash/fnv"
	"sync"
	"time"

	"github.com/duplexgo/duplex/app/live"
	"github.com/duplexgo/duplex/wsclient"
)

// Limits of the console's memory, so that a flood cannot grow it without
// bound.
const (
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

	// Data is the message's payload, kept for the detail pane, copying and
	// export (never modified: a received message's is a copy owned by the
	// session, a sent one's is not reused by the console). At most
	// maxLogBytes of it; Truncated says when the message was longer.
	Data      []byte
	Truncated bool

	// Close details, for kindClose.
	Code     wsclient.StatusCode
	Reason   string
	WasClean bool
}

// consoleBackoff is the console's reconnect schedule: a console is a tool,
// and retries within a few seconds.
var consoleBackoff = wsclient.Backoff{Min: 500 * time.Millisecond, Max: 5 * time.Second}

// rttStats are the round trips of the echoes measured on a connection.
type rttStats struct {
	Last  time.Duration
	Sum   time.Duration
	Count int64
}

// Avg returns the mean round trip of the echoes measured so far.
func (s rttStats) Avg() time.Duration {
	if s.Count == 0 {
		return 0
	}
	return s.Sum / time.Duration(s.Count)
}

// sentRecord remembers a sent message to recognise its echo.
type sentRecord struct {
	typ  wsclient.MessageType
	size int
	sum  uint64
	at   time.Time
}

// consoleFlush is what the session hands to the page with each snapshot of
// its feed.
type consoleFlush struct {
	rtt     rttStats
	entries []logEntry
	dropped int64 // entries that did not fit in the pending buffer
}

// consoleSession is one connection of the console: a feed of a plain
// WebSocket or, with auto-reconnect, of a wsclient.Client whose connections
// follow one another. The feed counts messages and polls the live values;
// the session keeps the event log and the round trips. Its callbacks run on
// the connection's or the client's goroutines, before the feed records each
// event, sends on the UI goroutine or a burst goroutine; everything shared
// is under mu, and the page takes it with take, on the UI goroutine, with
// each snapshot of the feed.
type consoleSession struct {
	feed *live.Feed // set once dialed, before any send
	now  func() time.Time

	mu          sync.Mutex
	seq         int64
	rtt         rttStats
	entries     []logEntry
	bytes       int // payload bytes of entries
	dropped     int64
	outstanding []sentRecord

	// Client mode.
	cstate   wsclient.ClientState // the latest state the client reported
	opens    int                  // connections opened
	closeReq *closeCall           // the page's own Close, if any
	closing  live.Socket          // the connection open at that Close
}

type closeCall struct {
	code   wsclient.StatusCode
	reason string
}

func newConsoleSession(now func() time.Time) *consoleSession {
	return &consoleSession{now: now}
}

// options returns the wsclient options of a plain connection: the
// session's callbacks log each event.
func (s *consoleSession) options(protocols []string) *wsclient.Options {
	return &wsclient.Options{
		Protocols: protocols,
		OnOpen:    s.onOpen,
		OnMessage: s.onMessage,
		OnError:   s.onError,
		OnClose:   s.onClose,
	}
}

// clientOptions returns the options of a reconnecting client, whose
// callbacks log what it reports.
func (s *consoleSession) clientOptions(protocols []string) *wsclient.ClientOptions {
	return &wsclient.ClientOptions{
		Options:       wsclient.Options{Protocols: protocols},
		Backoff:       consoleBackoff,
		OnStateChange: s.onClientState,
		OnMessage:     s.onMessage,
		OnUndelivered: s.onUndelivered,
	}
}

// closeWith closes the plain connection, or ends the client (no reconnect
// follows).
func (s *consoleSession) closeWith(code wsclient.StatusCode, reason string) error {
	if s.feed.Client() == nil {
		return s.feed.Close(code, reason)
	}
	conn := s.feed.Conn()
	s.mu.Lock()
	prevReq, prevConn := s.closeReq, s.closing
	if prevReq == nil {
		s.closeReq, s.closing = &closeCall{code, reason}, conn
	}
	s.mu.Unlock()
	err := s.feed.Close(code, reason)
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
	select {
	case <-s.feed.Done():
		return true
	default:
	}
	if s.feed.Client() == nil {
		return s.feed.Conn().ReadyState() >= wsclient.Closing
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.closeReq != nil
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
	}
	s.mu.Unlock()
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

// addLocked queues a log entry; s.mu is held. The pending buffer has the
// log's bounds (maxLogEntries, maxLogBytes): the page keeps no more than
// that anyway, and counts the entries dropped here.
func (s *consoleSession) addLocked(e logEntry) {
	s.seq++
	e.Seq = s.seq
	if e.Time.IsZero() {
		e.Time = s.now()
	}
	s.entries = append(s.entries, e)
	s.bytes += len(e.Data)
	drop := 0
	for len(s.entries)-drop > maxLogEntries || s.bytes > maxLogBytes && len(s.entries)-drop > 1 {
		s.bytes -= len(s.entries[drop].Data)
		s.entries[drop] = logEntry{} // let the payload go
		drop++
	}
	if drop > 0 {
		s.entries = s.entries[drop:]
		s.dropped += int64(drop)
	}
}

// add logs an event of the connection, from its callbacks: the feed asks
// for a snapshot once they return.
func (s *consoleSession) add(e logEntry) {
	s.mu.Lock()
	s.addLocked(e)
	s.mu.Unlock()
}

func (s *consoleSession) onOpen() {
	s.add(logEntry{Dir: dirEvent, Kind: kindOpen, Preview: "connection open"})
}

func (s *consoleSession) onError(err error) {
	s.add(logEntry{Dir: dirEvent, Kind: kindError, Preview: err.Error()})
}

func (s *consoleSession) onClose(ce *wsclient.CloseError) {
	s.add(closeEntry(ce))
}

// onMessage logs a received message (the feed counts it) and, when it is
// the echo of one of the oldest messages still awaiting one, measures the
// round trip (older ones are given up: their echo did not come first).
func (s *consoleSession) onMessage(m wsclient.Message) {
	at := s.now()
	sum := echoSum(m.Data)
	s.mu.Lock()
	for i, r := range s.outstanding[:min(len(s.outstanding), echoLookahead)] {
		if r.typ == m.Type && r.size == len(m.Data) && r.sum == sum {
			s.outstanding = s.outstanding[i+1:]
			rtt := at.Sub(r.at)
			s.rtt.Last = rtt
			s.rtt.Sum += rtt
			s.rtt.Count++
			break
		}
	}
	s.addLocked(messageEntry(dirIn, m.Type, m.Data, at))
	s.mu.Unlock()
}

// send hands a message to the feed, which sends it on the plain connection
// at once, or to the client, which queues it while disconnected; a message
// accepted is logged and awaits its echo.
func (s *consoleSession) send(typ wsclient.MessageType, p []byte) error {
	if err := s.feed.Send(typ, p); err != nil {
		return err
	}
	at := s.now()
	sum := echoSum(p)
	s.mu.Lock()
	if len(s.outstanding) == maxOutstanding {
		s.outstanding = s.outstanding[1:]
	}
	s.outstanding = append(s.outstanding, sentRecord{typ: typ, size: len(p), sum: sum, at: at})
	s.addLocked(messageEntry(dirOut, typ, p, at))
	s.mu.Unlock()
	s.feed.Notify()
	return nil
}

// note logs an event of the page itself, such as a failed send.
func (s *consoleSession) note(kind, text string) {
	s.add(logEntry{Dir: dirEvent, Kind: kind, Preview: text})
	s.feed.Notify()
}

// messageEntry describes a message for the log.
func messageEntry(dir string, typ wsclient.MessageType, p []byte, at time.Time) logEntry {
	e := logEntry{Time: at, Dir: dir, Size: len(p), Data: p}
	if len(p) > maxLogBytes {
		e.Data, e.Truncated = bytes.Clone(p[:maxLogBytes]), true
	}
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

// take hands the log and the round trips to the page, on the UI goroutine.
func (s *consoleSession) take() consoleFlush {
	s.mu.Lock()
	defer s.mu.Unlock()
	f := consoleFlush{rtt: s.rtt, entries: s.entries, dropped: s.dropped}
	s.entries, s.bytes, s.dropped = nil, 0, 0
	return f
}

// burst sends n messages of size bytes each, at once, without waiting for
// the buffer to drain: bufferedAmount rises, then drains as the browser
// sends. It yields to the browser every mebibyte so that the page stays
// responsive, and samples bufferedAmount after the last message.
func (s *consoleSession) burst(n, size int, typ wsclient.MessageType, sleep func(time.Duration)) {
	payload := burstPayload(size, typ)
	sinceYield := 0
	for i := range n {
		err := s.send(typ, payload)
		for s.feed.Client() != nil && errors.Is(err, wsclient.ErrQueueFull) {
			// The client's queue drains as its connection writes: wait.
			s.feed.Sample()
			sleep(5 * time.Millisecond)
			err = s.send(typ, payload)
		}
		if err != nil {
			s.note(kindError, fmt.Sprintf("burst stopped after %d of %d messages: %v", i, n, err))
			s.feed.Sample()
			return
		}
		if sinceYield += size; sinceYield >= 1<<20 && i < n-1 {
			s.feed.Sample()
			sleep(time.Millisecond)
			sinceYield = 0
		}
	}
	s.feed.Sample()
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
