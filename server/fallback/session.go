package fallback

import (
	"bufio"
	"bytes"
	"context"
	"errors"
	"io"
	"net"
	"net/http"
	"os"
	"sync"
	"time"
)

// ErrReaped is what a session's connection fails with once the session has
// been reaped: its client made no request for Config.Idle. Reads see io.EOF
// first, as from a TCP peer that went away.
var ErrReaped = errors.New("fallback: session reaped: its client made no request for the idle timeout")

// errEnded is what a session ended by Handler.Close fails with.
var errEnded = errors.New("fallback: session ended by the server")

// maxHead bounds the HTTP response head a hijacking handler writes itself.
const maxHead = 16 << 10

// session is one fallback session. It is the net.Conn its handler gets
// from Hijack: what the handler writes is the downstream byte stream, kept
// until the client acknowledges it; what it reads is the upstream byte
// stream the client's sends bring.
type session struct {
	h      *Handler
	id     string
	origin string // the Origin header of the open ("" for none)
	local  net.Addr
	remote net.Addr
	ctx    context.Context // the handler's request context
	cancel context.CancelFunc

	sendMu sync.Mutex // one send at a time

	mu  sync.Mutex
	sig chan struct{} // closed and replaced at every change (broadcast)

	up    []byte // received, not yet read by the handler
	upOff uint64 // upstream bytes received in all

	down      []byte // written, not acknowledged: from offset downAcked
	downAcked uint64

	closed bool // the handler closed its connection: End follows the data
	gone   bool // reaped or ended: nothing moves any more
	err    error

	rdl, wdl time.Time // read and write deadlines

	recvGen uint64 // the running receive's number; a new one ends the old

	active int       // requests under way
	last   time.Time // when the last request ended
	idle   *time.Timer

	// A handler that writes its 101 itself into the hijacked connection
	// (gorilla/websocket does): the head is gathered here until it is
	// complete, then handed to onHead.
	head   *bytes.Buffer
	onHead func(status int, header http.Header)
}

// broadcastLocked wakes every goroutine waiting on s. s.mu is held.
func (s *session) broadcastLocked() {
	close(s.sig)
	s.sig = make(chan struct{})
}

// waitLocked waits for a change of s, or for the deadline dl (zero: none).
// s.mu is held, and released while waiting. It returns
// os.ErrDeadlineExceeded once dl has passed.
func (s *session) waitLocked(dl time.Time) error {
	var timeout <-chan time.Time
	if !dl.IsZero() {
		d := time.Until(dl)
		if d <= 0 {
			return os.ErrDeadlineExceeded
		}
		t := time.NewTimer(d)
		defer t.Stop()
		timeout = t.C
	}
	ch := s.sig
	s.mu.Unlock()
	select {
	case <-ch:
	case <-timeout:
	}
	s.mu.Lock()
	return nil
}

// Read implements net.Conn: it returns upstream bytes.
func (s *session) Read(p []byte) (int, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	for {
		switch {
		case s.closed:
			return 0, net.ErrClosed
		case len(s.up) > 0:
			n := copy(p, s.up)
			s.up = s.up[n:]
			if len(s.up) == 0 {
				s.up = nil
			}
			s.broadcastLocked() // room for a waiting send
			return n, nil
		case s.gone:
			return 0, io.EOF
		case len(p) == 0:
			return 0, nil
		}
		if err := s.waitLocked(s.rdl); err != nil {
			return 0, err
		}
	}
}

// Write implements net.Conn: p joins the downstream bytes. It blocks while
// the session holds Config.Window unacknowledged bytes.
func (s *session) Write(p []byte) (int, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	n := 0
	if s.head != nil {
		n = s.writeHeadLocked(p)
	}
	for {
		switch {
		case s.closed:
			return n, net.ErrClosed
		case s.gone:
			return n, s.err
		case !s.wdl.IsZero() && !time.Now().Before(s.wdl):
			return n, os.ErrDeadlineExceeded
		case n == len(p):
			return n, nil
		}
		if room := s.h.cfg.Window - len(s.down); room > 0 {
			k := min(room, len(p)-n)
			s.down = append(s.down, p[n:n+k]...)
			n += k
			s.h.bytesOut.Add(uint64(k))
			s.broadcastLocked()
			continue
		}
		if err := s.waitLocked(s.wdl); err != nil {
			return n, err
		}
	}
}

// writeHeadLocked gathers the start of p into the HTTP response head of a
// handler that writes its own, and returns how many bytes of p belong to
// it; the rest are data.
func (s *session) writeHeadLocked(p []byte) int {
	before := s.head.Len()
	s.head.Write(p)
	b := s.head.Bytes()
	end := bytes.Index(b, []byte("\r\n\r\n"))
	if end < 0 {
		if len(b) > maxHead {
			s.head, s.onHead = nil, nil
			s.endLocked(errors.New("fallback: handshake response too large"))
			return len(p)
		}
		return len(p)
	}
	end += 4
	resp, err := http.ReadResponse(bufio.NewReader(bytes.NewReader(b[:end])), nil)
	status, header := http.StatusBadGateway, http.Header{}
	if err == nil {
		status, header = resp.StatusCode, resp.Header
	}
	onHead := s.onHead
	s.head, s.onHead = nil, nil
	onHead(status, header)
	return end - before
}

// Close implements net.Conn: the session ends once the client has every
// byte written, then an End record.
func (s *session) Close() error {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.closed {
		return net.ErrClosed
	}
	s.closed = true
	s.up = nil
	s.broadcastLocked()
	s.cancel()
	return nil
}

// LocalAddr implements net.Conn: the server's address of the open.
func (s *session) LocalAddr() net.Addr { return s.local }

// RemoteAddr implements net.Conn: the client's address of the open.
func (s *session) RemoteAddr() net.Addr { return s.remote }

// SetDeadline implements net.Conn.
func (s *session) SetDeadline(t time.Time) error { return s.setDeadlines(true, true, t) }

// SetReadDeadline implements net.Conn.
func (s *session) SetReadDeadline(t time.Time) error { return s.setDeadlines(true, false, t) }

// SetWriteDeadline implements net.Conn.
func (s *session) SetWriteDeadline(t time.Time) error { return s.setDeadlines(false, true, t) }

// setDeadlines sets the read or write deadline, or both, and wakes the
// reads and writes waiting, which apply it.
func (s *session) setDeadlines(read, write bool, t time.Time) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	if read {
		s.rdl = t
	}
	if write {
		s.wdl = t
	}
	s.broadcastLocked()
	return nil
}

// endLocked ends the session for err (reaped, or ended by the server):
// its buffers go, its handler's reads see io.EOF and its writes err.
func (s *session) endLocked(err error) {
	if s.gone {
		return
	}
	s.gone, s.err = true, err
	s.up, s.down = nil, nil
	s.broadcastLocked()
	s.cancel()
}

// begin marks a request of the client under way.
func (s *session) begin() {
	s.mu.Lock()
	s.active++
	s.mu.Unlock()
}

// end marks a request of the client over; the session is reaped after
// Config.Idle without another.
func (s *session) end() {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.active--
	s.last = time.Now()
	if s.active == 0 && !s.gone {
		s.idle.Reset(s.h.cfg.Idle)
	}
}

// idleCheck runs when the idle timer fires: it reaps the session if its
// client has made no request for Config.Idle.
func (s *session) idleCheck() {
	s.mu.Lock()
	if s.gone || s.active > 0 {
		s.mu.Unlock()
		return
	}
	if d := s.h.cfg.Idle - time.Since(s.last); d > 0 {
		s.idle.Reset(d)
		s.mu.Unlock()
		return
	}
	// Forgotten and counted before the handler can see the end.
	s.h.forget(s, !s.closed)
	s.endLocked(ErrReaped)
	s.mu.Unlock()
}

// ack frees the downstream bytes before offset n, which the client has.
// It reports false when n is beyond what was written.
func (s *session) ackLocked(n uint64) bool {
	total := s.downAcked + uint64(len(s.down))
	if n > total {
		return false
	}
	if n > s.downAcked && !s.gone {
		s.down = s.down[n-s.downAcked:]
		if len(s.down) == 0 {
			s.down = nil
		}
		s.downAcked = n
		s.broadcastLocked() // room for a blocked Write
	}
	return true
}

// buffered returns the bytes s holds: upstream and downstream.
func (s *session) buffered() (up, down int) {
	s.mu.Lock()
	defer s.mu.Unlock()
	return len(s.up), len(s.down)
}
