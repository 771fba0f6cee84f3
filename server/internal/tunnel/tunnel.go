// Package tunnel is a small client of duplex's HTTP fallback for the
// server's tests: it opens a session, runs receives, sends bytes, and reads
// and writes WebSocket frames (masked, as a client's) through them. It
// checks the stream's promise as it goes: a data record that would leave a
// gap fails the session; bytes had already are skipped.
package tunnel

import (
	"bytes"
	"context"
	"crypto/rand"
	"encoding/binary"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"sync"
	"unicode/utf8"

	"github.com/duplexgo/duplex/wsclient/fallbackproto"
)

// Opcodes of RFC 6455.
const (
	OpCont   = 0x0
	OpText   = 0x1
	OpBinary = 0x2
	OpClose  = 0x8
	OpPing   = 0x9
	OpPong   = 0xa
)

// Session is an open fallback session.
type Session struct {
	URL    string // the endpoint's http:// URL, with its own query
	Open   fallbackproto.Open
	Header http.Header // sent with every request (Origin, say)
	Client *http.Client

	mu      sync.Mutex
	changed chan struct{}
	down    []byte // received downstream bytes not yet taken by ReadFrame
	have    uint64 // downstream bytes received in all
	ended   bool   // End received
	total   uint64 // End's total
	err     error
	recvs   int    // receive responses seen
	upHave  uint64 // upstream offset last reported by the server
	upOff   uint64 // upstream bytes sent and acknowledged
	writeMu sync.Mutex
}

// Refusal is an open that the server refused.
type Refusal struct {
	Status int
	Header http.Header
	Body   string
}

func (r *Refusal) Error() string { return fmt.Sprintf("open refused: %d %s", r.Status, r.Body) }

// Dial opens a session on the endpoint at rawURL (http://...), offering
// protocols. A refusal is a *Refusal.
func Dial(ctx context.Context, rawURL string, header http.Header, protocols ...string) (*Session, error) {
	q := url.Values{fallbackproto.ParamOp: {fallbackproto.OpOpen}}
	if len(protocols) > 0 {
		q.Set(fallbackproto.ParamProtocols, strings.Join(protocols, ","))
	}
	s := &Session{URL: rawURL, Header: header, Client: &http.Client{}, changed: make(chan struct{})}
	resp, err := s.do(ctx, http.MethodPost, q, nil)
	if err != nil {
		return nil, err
	}
	body, err := io.ReadAll(resp.Body)
	resp.Body.Close()
	if err != nil {
		return nil, err
	}
	if resp.StatusCode != http.StatusOK {
		return nil, &Refusal{Status: resp.StatusCode, Header: resp.Header, Body: string(body)}
	}
	if s.Open, err = fallbackproto.ParseOpen(body); err != nil {
		return nil, err
	}
	return s, nil
}

// Op builds the URL of an operation on the session.
func (s *Session) Op(q url.Values) string {
	u := s.URL
	if strings.Contains(u, "?") {
		u += "&"
	} else {
		u += "?"
	}
	return u + q.Encode()
}

func (s *Session) do(ctx context.Context, method string, q url.Values, body []byte) (*http.Response, error) {
	if s.Open.Session != "" {
		q.Set(fallbackproto.ParamSession, s.Open.Session)
	}
	req, err := http.NewRequestWithContext(ctx, method, s.Op(q), bytes.NewReader(body))
	if err != nil {
		return nil, err
	}
	if body == nil {
		req.Body = http.NoBody
	}
	for k, v := range s.Header {
		req.Header[k] = v
	}
	return s.Client.Do(req)
}

// Have returns the downstream bytes received so far.
func (s *Session) Have() uint64 {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.have
}

// Recv runs one receive in mode, from the bytes received so far, and feeds
// its records until the response ends, limit bytes of response were read
// (0: no bound; the response is then cut), or ctx is done. It returns the
// status of the response.
func (s *Session) Recv(ctx context.Context, mode string, limit int) (int, error) {
	q := url.Values{fallbackproto.ParamOp: {fallbackproto.OpRecv}, fallbackproto.ParamMode: {mode},
		fallbackproto.ParamAck: {strconv.FormatUint(s.Have(), 10)}}
	resp, err := s.do(ctx, http.MethodGet, q, nil)
	if err != nil {
		return 0, err
	}
	defer resp.Body.Close()
	if resp.StatusCode != http.StatusOK {
		return resp.StatusCode, nil
	}
	s.mu.Lock()
	s.recvs++
	s.mu.Unlock()
	var p fallbackproto.Parser
	buf := make([]byte, 4096)
	read := 0
	for {
		want := len(buf)
		if limit > 0 {
			want = min(want, limit-read)
			if want == 0 {
				return resp.StatusCode, nil
			}
		}
		n, err := resp.Body.Read(buf[:want])
		read += n
		p.Feed(buf[:n])
		for {
			rec, ok, perr := p.Next()
			if perr != nil {
				return resp.StatusCode, s.fail(perr)
			}
			if !ok {
				break
			}
			if ferr := s.feed(rec); ferr != nil {
				return resp.StatusCode, ferr
			}
		}
		if err != nil {
			if err == io.EOF || ctx.Err() != nil {
				return resp.StatusCode, nil
			}
			return resp.StatusCode, err
		}
	}
}

// feed takes one record.
func (s *Session) feed(r fallbackproto.Record) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	defer s.broadcastLocked()
	switch r.Kind {
	case fallbackproto.KindData:
		if r.N > s.have {
			s.err = fmt.Errorf("tunnel: data at %d leaves a gap after %d", r.N, s.have)
			return s.err
		}
		skip := s.have - r.N
		if skip < uint64(len(r.Data)) {
			fresh := r.Data[skip:]
			s.down = append(s.down, fresh...)
			s.have += uint64(len(fresh))
		}
	case fallbackproto.KindHeartbeat:
		s.upHave = r.N
	case fallbackproto.KindEnd:
		if r.N != s.have {
			s.err = fmt.Errorf("tunnel: end at %d, have %d", r.N, s.have)
			return s.err
		}
		s.ended, s.total = true, r.N
	}
	return nil
}

func (s *Session) fail(err error) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.err = err
	s.broadcastLocked()
	return err
}

func (s *Session) broadcastLocked() {
	close(s.changed)
	s.changed = make(chan struct{})
}

// Ended reports whether the End record came.
func (s *Session) Ended() bool {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.ended
}

// Run keeps a receive going in mode until End, an error, or ctx ends; it
// returns the status that ended it (200 after End).
// Behind it, the bytes received are acknowledged (Ack) whenever half the
// window is unacknowledged, as a client must.
func (s *Session) Run(ctx context.Context, mode string) (int, error) {
	ctx, cancel := context.WithCancel(ctx)
	defer cancel()
	go s.ackLoop(ctx)
	for {
		status, err := s.Recv(ctx, mode, 0)
		if err != nil || status != http.StatusOK || s.Ended() || ctx.Err() != nil {
			if err != nil {
				s.fail(err)
			}
			return status, err
		}
	}
}

// ackLoop acknowledges the bytes received whenever half the window is
// unacknowledged.
func (s *Session) ackLoop(ctx context.Context) {
	var acked uint64
	for {
		s.mu.Lock()
		have, ch := s.have, s.changed
		s.mu.Unlock()
		if have-acked >= uint64(s.Open.Window/2) {
			if s.Ack(ctx) != nil {
				return
			}
			acked = have
			continue
		}
		select {
		case <-ch:
		case <-ctx.Done():
			return
		}
	}
}

// Ack acknowledges the downstream bytes received, with an empty send.
func (s *Session) Ack(ctx context.Context) error {
	s.writeMu.Lock()
	defer s.writeMu.Unlock()
	s.mu.Lock()
	off := s.upOff
	s.mu.Unlock()
	status, _, err := s.SendAt(ctx, off, nil, int64(s.Have()))
	if err == nil && status != http.StatusOK {
		err = fmt.Errorf("tunnel: ack answered %d", status)
	}
	return err
}

// Send sends p, from the upstream offset acknowledged so far, until all of
// it is acknowledged.
func (s *Session) Send(ctx context.Context, p []byte) error {
	s.writeMu.Lock()
	defer s.writeMu.Unlock()
	tries := 0
	for len(p) > 0 {
		s.mu.Lock()
		start := s.upOff
		s.mu.Unlock()
		status, got, err := s.SendAt(ctx, start, p, -1)
		if err != nil && ctx.Err() == nil && tries < 3 {
			tries++ // a send is idempotent: retry on a lost connection
			continue
		}
		if err != nil {
			return err
		}
		if status != http.StatusOK {
			return fmt.Errorf("tunnel: send answered %d", status)
		}
		if got < start || got > start+uint64(len(p)) {
			return fmt.Errorf("tunnel: send acknowledged %d, sent %d..%d", got, start, start+uint64(len(p)))
		}
		p = p[got-start:]
	}
	return nil
}

// SendAt makes one send of body at upstream offset off, acknowledging ack
// downstream bytes (negative: none), and returns the answer's status and
// offset; the session sends on from the highest offset acknowledged.
func (s *Session) SendAt(ctx context.Context, off uint64, body []byte, ack int64) (int, uint64, error) {
	q := url.Values{fallbackproto.ParamOp: {fallbackproto.OpSend}, fallbackproto.ParamOffset: {strconv.FormatUint(off, 10)}}
	if ack >= 0 {
		q.Set(fallbackproto.ParamAck, strconv.FormatInt(ack, 10))
	}
	resp, err := s.do(ctx, http.MethodPost, q, body)
	if err != nil {
		return 0, 0, err
	}
	defer resp.Body.Close()
	b, err := io.ReadAll(resp.Body)
	if err != nil {
		return 0, 0, err
	}
	if resp.StatusCode != http.StatusOK && resp.StatusCode != http.StatusConflict {
		return resp.StatusCode, 0, nil
	}
	n, err := fallbackproto.ParseAck(b)
	if err == nil && resp.StatusCode == http.StatusOK {
		s.mu.Lock()
		s.upOff = max(s.upOff, n)
		s.mu.Unlock()
	}
	return resp.StatusCode, n, err
}

// WriteFrame sends one masked frame with FIN set.
func (s *Session) WriteFrame(ctx context.Context, op byte, payload []byte) error {
	return s.Send(ctx, Frame(op, true, payload))
}

// Frame encodes a client frame.
func Frame(op byte, fin bool, payload []byte) []byte {
	b0 := op
	if fin {
		b0 |= 0x80
	}
	f := []byte{b0}
	switch n := len(payload); {
	case n < 126:
		f = append(f, 0x80|byte(n))
	case n < 1<<16:
		f = append(f, 0x80|126)
		f = binary.BigEndian.AppendUint16(f, uint16(n))
	default:
		f = append(f, 0x80|127)
		f = binary.BigEndian.AppendUint64(f, uint64(n))
	}
	var mask [4]byte
	rand.Read(mask[:])
	f = append(f, mask[:]...)
	for i, c := range payload {
		f = append(f, c^mask[i%4])
	}
	return f
}

// ErrEnded is ReadFrame's error after the End record and every byte.
var ErrEnded = errors.New("tunnel: session ended")

// ReadFrame returns the next server frame: its opcode, FIN and payload.
func (s *Session) ReadFrame(ctx context.Context) (op byte, fin bool, payload []byte, err error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	for {
		if op, fin, payload, n, ok := parseFrame(s.down); ok {
			s.down = s.down[n:]
			return op, fin, payload, nil
		}
		if s.err != nil {
			return 0, false, nil, s.err
		}
		if s.ended {
			return 0, false, nil, ErrEnded
		}
		ch := s.changed
		s.mu.Unlock()
		select {
		case <-ch:
		case <-ctx.Done():
			s.mu.Lock()
			return 0, false, nil, ctx.Err()
		}
		s.mu.Lock()
	}
}

// parseFrame decodes an unmasked server frame from the start of b.
func parseFrame(b []byte) (op byte, fin bool, payload []byte, n int, ok bool) {
	if len(b) < 2 {
		return 0, false, nil, 0, false
	}
	op, fin = b[0]&0x0f, b[0]&0x80 != 0
	size, h := uint64(b[1]&0x7f), 2
	switch size {
	case 126:
		if len(b) < 4 {
			return 0, false, nil, 0, false
		}
		size, h = uint64(binary.BigEndian.Uint16(b[2:])), 4
	case 127:
		if len(b) < 10 {
			return 0, false, nil, 0, false
		}
		size, h = binary.BigEndian.Uint64(b[2:]), 10
	}
	if uint64(len(b)-h) < size {
		return 0, false, nil, 0, false
	}
	end := h + int(size)
	return op, fin, bytes.Clone(b[h:end]), end, true
}

// CloseError is a close frame read by ReadMessage.
type CloseError struct {
	Code   int
	Reason string
}

func (e *CloseError) Error() string { return fmt.Sprintf("close %d %q", e.Code, e.Reason) }

// ReadMessage returns the next data message, answering pings with pongs
// on the way. A close frame is returned as a *CloseError.
func (s *Session) ReadMessage(ctx context.Context) (op byte, msg []byte, err error) {
	for {
		fop, fin, p, err := s.ReadFrame(ctx)
		if err != nil {
			return 0, nil, err
		}
		switch fop {
		case OpPing:
			if err := s.WriteFrame(ctx, OpPong, p); err != nil {
				return 0, nil, err
			}
			continue
		case OpPong:
			continue
		case OpClose:
			ce := &CloseError{Code: 1005}
			if len(p) >= 2 {
				ce.Code, ce.Reason = int(binary.BigEndian.Uint16(p)), string(p[2:])
			}
			return OpClose, nil, ce
		case OpText, OpBinary:
			op = fop
		}
		msg = append(msg, p...)
		if fin {
			if op == OpText && !utf8.Valid(msg) {
				return op, msg, errors.New("tunnel: text message not UTF-8")
			}
			return op, msg, nil
		}
	}
}

// CloseFrame encodes the payload of a close frame.
func CloseFrame(code int, reason string) []byte {
	return append(binary.BigEndian.AppendUint16(nil, uint16(code)), reason...)
}

// Recvs returns the number of receive responses that answered 200.
func (s *Session) Recvs() int {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.recvs
}
