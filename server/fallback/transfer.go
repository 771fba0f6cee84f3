package fallback

import (
	"context"
	"errors"
	"io"
	"net/http"
	"strconv"
	"sync"
	"time"

	"github.com/duplexgo/duplex/wsclient/fallbackproto"
)

// maxRecord is the most data one record of a receive carries.
const maxRecord = 32 << 10

// recordBufs recycles the buffers records are encoded into.
var recordBufs = sync.Pool{New: func() any {
	b := make([]byte, 0, maxRecord+32)
	return &b
}}

// queryUint parses the query parameter name of r: def when absent, ok
// false when malformed.
func queryUint(r *http.Request, name string, def uint64) (uint64, bool) {
	v := r.URL.Query().Get(name)
	if v == "" {
		return def, true
	}
	n, err := strconv.ParseUint(v, 10, 64)
	return n, err == nil
}

// recv serves a receive: the downstream bytes from the client's ack, as
// records, streamed or polled.
func (h *Handler) recv(w http.ResponseWriter, r *http.Request, s *session) {
	ack, ok := queryUint(r, fallbackproto.ParamAck, 0)
	mode := r.URL.Query().Get(fallbackproto.ParamMode)
	if mode == "" {
		mode = fallbackproto.ModeStream
	}
	if !ok || mode != fallbackproto.ModeStream && mode != fallbackproto.ModePoll {
		http.Error(w, "fallback: malformed "+fallbackproto.ParamAck+" or "+fallbackproto.ParamMode, http.StatusBadRequest)
		return
	}
	s.begin()
	defer s.end()
	s.mu.Lock()
	if !s.ackLocked(ack) {
		s.mu.Unlock()
		http.Error(w, "fallback: "+fallbackproto.ParamAck+" beyond the bytes sent", http.StatusBadRequest)
		return
	}
	s.recvGen++
	gen := s.recvGen
	s.broadcastLocked() // ends the previous receive
	s.mu.Unlock()

	hdr := w.Header()
	hdr.Set("Content-Type", "application/octet-stream")
	hdr.Set("X-Accel-Buffering", "no")
	hdr.Set("X-Content-Type-Options", "nosniff")
	w.WriteHeader(http.StatusOK)
	rw := &recordWriter{w: w, rc: http.NewResponseController(w), bound: h.cfg.Idle}
	bp := recordBufs.Get().(*[]byte)
	defer recordBufs.Put(bp)
	buf := (*bp)[:0]

	stream := mode == fallbackproto.ModeStream
	var tick <-chan time.Time
	if stream {
		s.mu.Lock()
		up := s.upOff
		s.mu.Unlock()
		buf = fallbackproto.AppendPadding(buf, fallbackproto.PaddingSize)
		if !rw.write(fallbackproto.AppendHeartbeat(buf, up)) || !rw.flush() {
			return
		}
		t := time.NewTicker(h.cfg.Heartbeat)
		defer t.Stop()
		tick = t.C
	} else {
		t := time.NewTimer(h.cfg.Poll)
		defer t.Stop()
		tick = t.C
	}
	pos := ack
	sent := false // data went out (poll: end after it)
	for {
		s.mu.Lock()
		if s.recvGen != gen || s.gone {
			s.mu.Unlock()
			rw.flush()
			return
		}
		pos = max(pos, s.downAcked)
		total := s.downAcked + uint64(len(s.down))
		if pos < total {
			i := int(pos - s.downAcked)
			chunk := s.down[i:min(len(s.down), i+maxRecord)]
			buf = fallbackproto.AppendData(buf[:0], pos, chunk)
			pos += uint64(len(chunk))
			s.mu.Unlock()
			if !rw.write(buf) {
				return
			}
			sent = true
			continue
		}
		closed, up, sig := s.closed, s.upOff, s.sig
		s.mu.Unlock()
		switch {
		case closed:
			rw.write(fallbackproto.AppendEnd(buf[:0], total))
			rw.flush()
			return
		case sent && !stream:
			rw.write(fallbackproto.AppendHeartbeat(buf[:0], up))
			rw.flush()
			return
		}
		if !rw.flush() {
			return
		}
		select {
		case <-sig:
		case <-tick:
			if !rw.write(fallbackproto.AppendHeartbeat(buf[:0], up)) || !stream {
				rw.flush()
				return
			}
		case <-r.Context().Done():
			return
		}
	}
}

// recordWriter writes a receive's records, each write bounded in time so
// that a client that stops reading does not hold the request forever.
type recordWriter struct {
	w     http.ResponseWriter
	rc    *http.ResponseController
	bound time.Duration
	dirty bool
	err   bool
}

func (rw *recordWriter) write(p []byte) bool {
	if rw.err {
		return false
	}
	rw.rc.SetWriteDeadline(time.Now().Add(rw.bound))
	if _, err := rw.w.Write(p); err != nil {
		rw.err = true
		return false
	}
	rw.dirty = true
	return true
}

func (rw *recordWriter) flush() bool {
	if rw.err {
		return false
	}
	if rw.dirty {
		rw.dirty = false
		if err := rw.rc.Flush(); err != nil && !errors.Is(err, http.ErrNotSupported) {
			rw.err = true
			return false
		}
	}
	return true
}

// errGap is a send that starts beyond the bytes received.
var errGap = errors.New("fallback: send starts beyond the bytes received")

// send serves a send: it takes what fits of the upstream bytes and answers
// with the upstream offset the session has.
func (h *Handler) send(w http.ResponseWriter, r *http.Request, s *session) {
	off, ok := queryUint(r, fallbackproto.ParamOffset, ^uint64(0))
	ack, ackOK := queryUint(r, fallbackproto.ParamAck, 0)
	if !ok || off == ^uint64(0) || !ackOK {
		http.Error(w, "fallback: missing or malformed "+fallbackproto.ParamOffset+" or "+fallbackproto.ParamAck, http.StatusBadRequest)
		return
	}
	s.begin()
	defer s.end()
	if r.URL.Query().Has(fallbackproto.ParamAck) {
		s.mu.Lock()
		ok := s.ackLocked(ack)
		s.mu.Unlock()
		if !ok {
			http.Error(w, "fallback: "+fallbackproto.ParamAck+" beyond the bytes sent", http.StatusBadRequest)
			return
		}
	}
	s.sendMu.Lock()
	got, err := s.take(r.Context(), off, r.Body)
	s.sendMu.Unlock()
	w.Header().Set("Content-Type", "text/plain; charset=utf-8")
	if err == errGap {
		w.WriteHeader(http.StatusConflict)
	}
	w.Write(fallbackproto.FormatAck(got))
}

// take reads the upstream bytes of a send starting at offset off: it skips
// those it has, keeps what fits in the window (waiting up to Config.Poll
// for room when none is left) and returns the upstream offset it has.
// The bytes of a session whose connection is closed are dropped.
func (s *session) take(ctx context.Context, off uint64, body io.Reader) (uint64, error) {
	s.mu.Lock()
	have := s.upOff
	s.mu.Unlock()
	if off > have {
		return have, errGap
	}
	if skip := have - off; skip > 0 {
		if n, _ := io.CopyN(io.Discard, body, int64(skip)); uint64(n) < skip {
			return have, nil // all of it was had
		}
	}
	bp := recordBufs.Get().(*[]byte)
	defer recordBufs.Put(bp)
	buf := (*bp)[:cap(*bp)]
	took := 0
	var timeout <-chan time.Time
	for {
		s.mu.Lock()
		dropping := s.closed || s.gone
		room := s.h.cfg.Window - len(s.up)
		if dropping {
			room = s.h.cfg.Window - took // dropped, but bounded all the same
		}
		if room <= 0 {
			if took > 0 || dropping {
				have = s.upOff
				s.mu.Unlock()
				return have, nil
			}
			if timeout == nil {
				timeout = time.After(s.h.cfg.Poll)
			}
			sig := s.sig
			s.mu.Unlock()
			select {
			case <-sig:
				continue
			case <-timeout:
			case <-ctx.Done():
			}
			s.mu.Lock()
			have = s.upOff
			s.mu.Unlock()
			return have, nil
		}
		s.mu.Unlock()
		n, err := body.Read(buf[:min(room, len(buf))])
		if n > 0 {
			s.mu.Lock()
			if !s.closed && !s.gone {
				s.up = append(s.up, buf[:n]...)
				s.broadcastLocked()
			}
			s.upOff += uint64(n)
			s.mu.Unlock()
			s.h.bytesIn.Add(uint64(n))
			took += n
		}
		if err != nil {
			s.mu.Lock()
			have = s.upOff
			s.mu.Unlock()
			return have, nil
		}
	}
}
