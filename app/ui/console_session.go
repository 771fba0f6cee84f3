package ui

import (
	"bytes"
	"context"
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

	// Queued: a message the client queued while disconnected (its entry),
	// or the flush of one (the entry saying it was sent).
	Queued bool

	// Data is the message's payload, kept for the detail pane, copying and
	// export (never modified: a received message's is a copy owned by the
	// session, a sent one's is not reused by the console). At most
	// maxLogBytes of it; Truncated says when the message was longer.
	Data      []byte
	Truncated bool

	// Close details, for kindClose and for a failed connection's entry.
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
	id      int64
	typ     wsclient.MessageType
	size    int
	sum     uint64
	at      time.Time // when it was written to a connection (or accepted)
	written bool      // written to a connection: at is when
	queued  bool      // accepted while the client had no open connection
	preview string    // of a queued message, for the entry of its flush
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
	nextID      int64
	nextWrite   int // index in outstanding of the first message not written

	// Plain mode: a connection that fails before it opens is one entry,
	// explained by a probe (failure.go).
	target    string
	protocols []string
	fallback  bool // use the HTTP fallback when a WebSocket cannot get through
	probe     prober
	opened    bool

	// Client mode: the current streak of failed attempts has been probed.
	streakProbed bool

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

// notify asks the page for a snapshot, once the feed is set.
func (s *consoleSession) notify() {
	if s.feed != nil {
		s.feed.Notify()
	}
}

// options returns the wsclient options of a plain connection: the
// session's callbacks log each event.
func (s *consoleSession) options(protocols []string) *wsclient.Options {
	return &wsclient.Options{
		Protocols: protocols,
		Fallback:  s.fallbackOptions(),
		OnOpen:    s.onOpen,
		OnMessage: s.onMessage,
		OnError:   s.onError,
		OnClose:   s.onClose,
	}
}

// fallbackOptions returns the HTTP fallback's options when the session uses
// it, and nil (WebSocket only, as the browser's own object) otherwise.
func (s *consoleSession) fallbackOptions() wsclient.Fallback {
	if !s.fallback {
		return nil
	}
	return &wsclient.FallbackOptions{}
}

// clientOptions returns the options of a reconnecting client, whose
// callbacks log what it reports.
func (s *consoleSession) clientOptions(protocols []string) *wsclient.ClientOptions {
	return &wsclient.ClientOptions{
		Options:       wsclient.Options{Protocols: protocols, Fallback: s.fallbackOptions()},
		Backoff:       consoleBackoff,
		OnStateChange: s.onClientState,
		OnMessage:     s.onMessage,
		OnWrite:       s.onWrite,
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
		s.streakProbed = false
		text := "connection open"
		if s.opens > 1 {
			text = fmt.Sprintf("reconnected: connection %d open", s.opens)
		}
		s.addLocked(logEntry{Dir: dirEvent, Kind: kindOpen, Preview: text})
	case wsclient.PhaseReconnecting:
		next := fmt.Sprintf("reconnecting: attempt %d in %s", st.Attempt, formatWait(st.NextTry.Sub(now)))
		if prev.Phase == wsclient.PhaseOpen {
			s.addLocked(s.endEntryLocked(prev, st.Err))
			s.addLocked(logEntry{Dir: dirEvent, Kind: kindInfo, Preview: next})
			break
		}
		// A failed attempt: one entry, with what comes next. The first
		// failure since the last open is explained by a probe, as a plain
		// connection's is; the next ones of the streak are not probed
		// again (each probe would knock on the server once more).
		e := s.endEntryLocked(prev, st.Err)
		if s.probe != nil && !s.streakProbed && wsclient.CloseStatus(st.Err) == wsclient.StatusAbnormalClosure {
			s.streakProbed = true
			e.Time = now
			go s.explainAttempt(e, next)
			break
		}
		e.Preview += "; " + next
		s.addLocked(e)
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
		e := logEntry{Dir: dirEvent, Kind: kindError, Preview: "connection attempt failed: " + errText(err)}
		if s.target != "" {
			e.Preview = "Could not connect to " + s.target + ": " + attemptReason(err)
		}
		var ce *wsclient.CloseError
		if errors.As(err, &ce) {
			e.Code, e.Reason, e.WasClean = ce.Code, ce.Reason, ce.WasClean
		}
		return e
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
	s.mu.Lock()
	s.opened = true
	s.addLocked(logEntry{Dir: dirEvent, Kind: kindOpen, Preview: "connection open"})
	s.mu.Unlock()
}

// onError logs an error of an open connection. One before the connection
// opened is the failure its close reports: the close's entry explains it.
func (s *consoleSession) onError(err error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if !s.opened {
		return
	}
	s.addLocked(logEntry{Dir: dirEvent, Kind: kindError, Preview: err.Error()})
}

// onClose logs how the connection ended. A connection that never opened
// failed: its one entry comes once the probe has found out why.
func (s *consoleSession) onClose(ce *wsclient.CloseError) {
	s.mu.Lock()
	opened := s.opened
	s.mu.Unlock()
	if opened || ce.Code != wsclient.StatusAbnormalClosure {
		s.add(closeEntry(ce))
		return
	}
	at := s.now()
	go s.explain(ce, at)
}

// explain probes the URL of a connection that failed while CONNECTING and
// logs its one entry: what the probe found, the close's code, reason and
// wasClean in the entry's data.
func (s *consoleSession) explain(ce *wsclient.CloseError, at time.Time) {
	var (
		r      probeResult
		probed bool
	)
	if s.probe != nil {
		ctx, cancel := context.WithTimeout(context.Background(), 3*probeTimeout)
		r, probed = s.probe(ctx, s.target, s.protocols), true
		cancel()
	}
	s.add(logEntry{
		Time: at, Dir: dirEvent, Kind: kindError,
		Code: ce.Code, Reason: ce.Reason, WasClean: ce.WasClean,
		Preview: explainFailure(s.target, s.protocols, r, probed),
	})
	s.notify()
}

// explainAttempt probes the URL of a reconnecting client's failed attempt
// and logs the attempt's one entry e with what the probe found and what
// comes next.
func (s *consoleSession) explainAttempt(e logEntry, next string) {
	ctx, cancel := context.WithTimeout(context.Background(), 3*probeTimeout)
	r := s.probe(ctx, s.target, s.protocols)
	cancel()
	e.Preview = explainFailure(s.target, s.protocols, r, true) + "; " + next
	s.add(e)
	s.notify()
}

// attemptReason describes why a client's attempt failed: the browser's
// 1006 says nothing, so the entry says where to look.
func attemptReason(err error) string {
	if wsclient.CloseStatus(err) == wsclient.StatusAbnormalClosure {
		return "the browser gives no reason (close code 1006); " + devToolsHint
	}
	return errText(err)
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
			s.nextWrite = max(s.nextWrite-(i+1), 0)
			if r.written { // measured from the write, not the click
				rtt := at.Sub(r.at)
				s.rtt.Last = rtt
				s.rtt.Sum += rtt
				s.rtt.Count++
			}
			break
		}
	}
	s.addLocked(messageEntry(dirIn, m.Type, m.Data, at))
	s.mu.Unlock()
}

// send hands a message to the feed, which sends it on the plain connection
// at once, or to the client, which queues it while disconnected; a message
// accepted is logged and awaits its echo.
//
// A client without an open connection queues the message: its entry says
// so, and another says when the next connection wrote it (onWrite), from
// when its round trip is measured. The record is made before the send, so
// that the client's write, on its own goroutine, finds it.
func (s *consoleSession) send(typ wsclient.MessageType, p []byte) error {
	client := s.feed.Client() != nil
	at := s.now()
	sum := echoSum(p)
	s.mu.Lock()
	queued := client && s.cstate.Phase != wsclient.PhaseOpen
	s.nextID++
	id := s.nextID
	if len(s.outstanding) == maxOutstanding {
		s.outstanding = s.outstanding[1:]
		s.nextWrite = max(s.nextWrite-1, 0)
	}
	e := messageEntry(dirOut, typ, p, at)
	s.outstanding = append(s.outstanding, sentRecord{id: id, typ: typ, size: len(p), sum: sum, at: at,
		written: !client, queued: queued, preview: e.Preview})
	if !client {
		s.nextWrite = len(s.outstanding)
	}
	s.mu.Unlock()
	if err := s.feed.Send(typ, p); err != nil {
		s.mu.Lock()
		for i := len(s.outstanding) - 1; i >= 0; i-- {
			if s.outstanding[i].id == id {
				s.outstanding = append(s.outstanding[:i], s.outstanding[i+1:]...)
				if i < s.nextWrite {
					s.nextWrite--
				}
				break
			}
		}
		s.mu.Unlock()
		return err
	}
	if queued {
		e.Queued = true
		e.Preview = "queued (sent once connected) · " + e.Preview
	}
	s.add(e)
	s.feed.Notify()
	return nil
}

// onWrite records that the client wrote a message to a connection: its
// round trip counts from now, and a message queued while disconnected is
// logged as sent.
func (s *consoleSession) onWrite(m wsclient.Message) {
	at := s.now()
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.nextWrite >= len(s.outstanding) {
		return
	}
	r := &s.outstanding[s.nextWrite]
	if r.typ != m.Type || r.size != len(m.Data) {
		return // not one the session knows: leave the order as it is
	}
	s.nextWrite++
	queuedFor := at.Sub(r.at)
	r.at, r.written = at, true
	if r.queued {
		r.queued = false
		s.addLocked(logEntry{Time: at, Dir: dirOut, Kind: kindInfo, Size: r.size, Queued: true,
			Preview: fmt.Sprintf("sent after %s in the queue: %s", formatWait(queuedFor), r.preview)})
	}
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
