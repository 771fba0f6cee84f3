package fallback

import (
	"bufio"
	"bytes"
	"context"
	"encoding/binary"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"net/http/httptest"
	"os"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/coder/websocket"

	"github.com/duplexgo/duplex/server/internal/tunnel"
	"github.com/duplexgo/duplex/wsclient/fallbackproto"
)

// serve starts next behind a fallback Handler on 127.0.0.1.
func serve(t *testing.T, cfg Config, next http.Handler) (*Handler, string) {
	t.Helper()
	h := New(next, cfg)
	srv := httptest.NewServer(h)
	t.Cleanup(func() {
		h.Close()
		srv.CloseClientConnections()
		srv.Close()
	})
	return h, srv.URL
}

// echo is a coder/websocket echo handler; it reports how its connection
// ended on done (when not nil).
func echo(done chan<- error) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		c, err := websocket.Accept(w, r, &websocket.AcceptOptions{Subprotocols: []string{"echo"}})
		if err != nil {
			return
		}
		defer c.CloseNow()
		c.SetReadLimit(1 << 20)
		ctx := context.Background()
		for {
			typ, p, err := c.Read(ctx)
			if err == nil {
				err = c.Write(ctx, typ, p)
			}
			if err != nil {
				if done != nil {
					done <- err
				}
				return
			}
		}
	})
}

// dial opens a session and keeps a stream receive running.
func dial(t *testing.T, url string, header http.Header, mode string) *tunnel.Session {
	t.Helper()
	s, err := tunnel.Dial(t.Context(), url, header, "echo")
	if err != nil {
		t.Fatal(err)
	}
	go s.Run(t.Context(), mode)
	return s
}

// within fails the test if ch yields nothing within a generous bound.
func within[T any](t *testing.T, ch <-chan T, what string) T {
	t.Helper()
	select {
	case v := <-ch:
		return v
	case <-time.After(20 * time.Second):
		t.Fatalf("no %s within 20s", what)
		panic("unreachable")
	}
}

// eventually waits, within a generous bound, for cond.
func eventually(t *testing.T, what string, cond func() bool) {
	t.Helper()
	deadline := time.Now().Add(20 * time.Second)
	for !cond() {
		if time.Now().After(deadline) {
			t.Fatalf("%s: not within 20s", what)
		}
		time.Sleep(10 * time.Millisecond)
	}
}

func TestEchoTextAndBinary(t *testing.T) {
	done := make(chan error, 1)
	h, url := serve(t, Config{}, echo(done))
	s := dial(t, url+"/echo", nil, fallbackproto.ModeStream)
	if s.Open.Protocol != "echo" || s.Open.Window != DefaultWindow || s.Open.Idle != DefaultIdle {
		t.Errorf("open = %+v", s.Open)
	}
	ctx := t.Context()
	big := bytes.Repeat([]byte{0, 1, 2, 0xff}, 50_000)
	for _, m := range []struct {
		op byte
		p  []byte
	}{{tunnel.OpText, []byte("héllo")}, {tunnel.OpBinary, []byte{0, 0xff, 7}}, {tunnel.OpBinary, big}} {
		if err := s.WriteFrame(ctx, m.op, m.p); err != nil {
			t.Fatal(err)
		}
		op, p, err := s.ReadMessage(ctx)
		if err != nil || op != m.op || !bytes.Equal(p, m.p) {
			t.Fatalf("echo of %d bytes (op %d) = op %d, %d bytes, %v", len(m.p), m.op, op, len(p), err)
		}
	}
	// The client closes: the handler sees 4002, the client gets the echo
	// of its close frame, then End.
	if err := s.WriteFrame(ctx, tunnel.OpClose, tunnel.CloseFrame(4002, "done")); err != nil {
		t.Fatal(err)
	}
	if err := within(t, done, "handler end"); websocket.CloseStatus(err) != 4002 {
		t.Errorf("handler's read = %v, want close 4002", err)
	}
	var ce *tunnel.CloseError
	if _, _, err := s.ReadMessage(ctx); !errors.As(err, &ce) || ce.Code != 4002 {
		t.Errorf("client's read = %v, want the close echoed", err)
	}
	if _, _, err := s.ReadMessage(ctx); err != tunnel.ErrEnded {
		t.Errorf("after the close: %v, want the End record", err)
	}
	st := h.Stats()
	if st.Opened != 1 || st.BytesIn == 0 || st.BytesOut == 0 {
		t.Errorf("stats = %+v", st)
	}
}

func TestServerCloses(t *testing.T) {
	next := http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		c, err := websocket.Accept(w, r, nil)
		if err != nil {
			return
		}
		c.Close(4001, "bye")
	})
	_, url := serve(t, Config{}, next)
	s := dial(t, url, nil, fallbackproto.ModeStream)
	ctx := t.Context()
	var ce *tunnel.CloseError
	if _, _, err := s.ReadMessage(ctx); !errors.As(err, &ce) || ce.Code != 4001 || ce.Reason != "bye" {
		t.Fatalf("read = %v, want close 4001 bye", err)
	}
	if err := s.WriteFrame(ctx, tunnel.OpClose, tunnel.CloseFrame(4001, "")); err != nil {
		t.Fatal(err)
	}
	if _, _, err := s.ReadMessage(ctx); err != tunnel.ErrEnded {
		t.Errorf("after the close handshake: %v, want End", err)
	}
}

// flood writes n binary messages of size bytes, the first 4 bytes of each
// its number, and counts those written.
func flood(n, size int, written *atomic.Int64) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		c, err := websocket.Accept(w, r, nil)
		if err != nil {
			return
		}
		defer c.CloseNow()
		ctx := context.Background()
		for i := range n {
			p := make([]byte, size)
			binary.BigEndian.PutUint32(p, uint32(i))
			if c.Write(ctx, websocket.MessageBinary, p) != nil {
				return
			}
			written.Add(1)
		}
		c.Close(websocket.StatusNormalClosure, "")
	})
}

// readFlood reads the messages of flood and checks their order.
func readFlood(t *testing.T, s *tunnel.Session, n int) {
	t.Helper()
	for i := range n {
		_, p, err := s.ReadMessage(t.Context())
		if err != nil {
			t.Fatalf("message %d: %v", i, err)
		}
		if got := binary.BigEndian.Uint32(p); got != uint32(i) {
			t.Fatalf("message %d is number %d", i, got)
		}
	}
}

func TestReceiveCutAndResumed(t *testing.T) {
	var written atomic.Int64
	_, url := serve(t, Config{}, flood(200, 1000, &written))
	s, err := tunnel.Dial(t.Context(), url, nil)
	if err != nil {
		t.Fatal(err)
	}
	// Receives cut after an odd count of bytes, mid-record, each resumed
	// from what the client has.
	go func() {
		for i := 0; !s.Ended() && t.Context().Err() == nil; i++ {
			limit := 0
			if i < 40 {
				limit = fallbackproto.PaddingSize + 3000 + 77*i
			}
			if status, err := s.Recv(t.Context(), fallbackproto.ModeStream, limit); status != http.StatusOK || err != nil {
				return
			}
		}
	}()
	readFlood(t, s, 200)
	var ce *tunnel.CloseError
	if _, _, err := s.ReadMessage(t.Context()); !errors.As(err, &ce) || ce.Code != 1000 {
		t.Fatalf("after the flood: %v, want close 1000", err)
	}
	if s.Recvs() < 2 {
		t.Errorf("%d receives: the cuts did not happen", s.Recvs())
	}
}

func TestSendRetried(t *testing.T) {
	_, url := serve(t, Config{}, echo(nil))
	s := dial(t, url, nil, fallbackproto.ModeStream)
	ctx := t.Context()
	a, b := tunnel.Frame(tunnel.OpText, true, []byte("one")), tunnel.Frame(tunnel.OpText, true, []byte("two"))
	for _, c := range []struct {
		off  uint64
		body []byte
		want uint64
	}{
		{0, a, uint64(len(a))},
		{0, a, uint64(len(a))},                        // the same send again
		{0, append(a, b...), uint64(len(a) + len(b))}, // overlapping
		{uint64(len(a)), b, uint64(len(a) + len(b))},  // had already
	} {
		status, got, err := s.SendAt(ctx, c.off, c.body, -1)
		if err != nil || status != http.StatusOK || got != c.want {
			t.Fatalf("send at %d of %d bytes = %d %d %v, want 200 %d", c.off, len(c.body), status, got, err, c.want)
		}
	}
	if status, _, _ := s.SendAt(ctx, uint64(len(a)+len(b))+5, a, -1); status != http.StatusConflict {
		t.Errorf("send leaving a gap = %d, want 409", status)
	}
	for _, want := range []string{"one", "two"} {
		if _, p, err := s.ReadMessage(ctx); err != nil || string(p) != want {
			t.Fatalf("read %q, %v; want %q", p, err, want)
		}
	}
	// Nothing more: a ping's answer comes next, not a third message.
	if err := s.Send(ctx, tunnel.Frame(tunnel.OpPing, true, []byte("p"))); err != nil {
		t.Fatal(err)
	}
	s.Send(ctx, tunnel.Frame(tunnel.OpText, true, nil)) // empty: no effect on order
	if op, _, p, err := s.ReadFrame(ctx); err != nil || op != tunnel.OpPong || string(p) != "p" {
		t.Errorf("next frame = %d %q %v, want the pong", op, p, err)
	}
}

func TestPoll(t *testing.T) {
	_, url := serve(t, Config{Poll: 200 * time.Millisecond}, echo(nil))
	s, err := tunnel.Dial(t.Context(), url, nil)
	if err != nil {
		t.Fatal(err)
	}
	// Nothing to say: the poll ends with a heartbeat alone.
	if status, err := s.Recv(t.Context(), fallbackproto.ModePoll, 0); status != http.StatusOK || err != nil || s.Have() != 0 {
		t.Fatalf("empty poll = %d %v, %d bytes", status, err, s.Have())
	}
	go s.Run(t.Context(), fallbackproto.ModePoll)
	for i := range 5 {
		msg := fmt.Sprint("poll ", i)
		if err := s.WriteFrame(t.Context(), tunnel.OpText, []byte(msg)); err != nil {
			t.Fatal(err)
		}
		if _, p, err := s.ReadMessage(t.Context()); err != nil || string(p) != msg {
			t.Fatalf("read %q %v, want %q", p, err, msg)
		}
	}
	if s.Recvs() < 6 {
		t.Errorf("%d polls for 5 echoes: polls do not end with their data", s.Recvs())
	}
}

func TestWindowBoundsWrites(t *testing.T) {
	const window = 4096
	var written atomic.Int64
	h, url := serve(t, Config{Window: window}, flood(64, 1024, &written))
	s, err := tunnel.Dial(t.Context(), url, nil)
	if err != nil {
		t.Fatal(err)
	}
	// Nobody receives: the handler fills the window and blocks.
	eventually(t, "the window filled", func() bool { return h.Stats().BufferedOut == window })
	if n := written.Load(); n > window/1024 {
		t.Errorf("%d messages of 1 KiB written with a window of %d and no reader", n, window)
	}
	go s.Run(t.Context(), fallbackproto.ModeStream)
	readFlood(t, s, 64)
	if st := h.Stats(); st.BufferedOut > window {
		t.Errorf("buffered %d > window", st.BufferedOut)
	}
}

// raw is a handler that accepts any handshake with 101 and runs f on the
// hijacked connection.
func raw(f func(conn net.Conn)) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.WriteHeader(http.StatusSwitchingProtocols)
		conn, _, err := w.(http.Hijacker).Hijack()
		if err != nil {
			return
		}
		defer conn.Close()
		f(conn)
	})
}

func TestWindowBoundsSends(t *testing.T) {
	const window = 4096
	release := make(chan struct{})
	got := make(chan int, 1)
	next := raw(func(conn net.Conn) {
		<-release
		n, _ := io.Copy(io.Discard, io.LimitReader(conn, 3*window))
		got <- int(n)
	})
	h, url := serve(t, Config{Window: window, Poll: 100 * time.Millisecond}, next)
	s, err := tunnel.Dial(t.Context(), url, nil)
	if err != nil {
		t.Fatal(err)
	}
	body := bytes.Repeat([]byte("x"), 3*window)
	status, n, err := s.SendAt(t.Context(), 0, body, -1)
	if err != nil || status != http.StatusOK || n != window {
		t.Fatalf("send of 3 windows = %d %d %v, want 200 %d", status, n, err, window)
	}
	// No room: the send waits for the poll time, then takes nothing.
	if _, n2, err := s.SendAt(t.Context(), n, body[n:], -1); err != nil || n2 != n {
		t.Fatalf("send into a full window = %d %v, want %d", n2, err, n)
	}
	if st := h.Stats(); st.BufferedIn != window {
		t.Errorf("buffered in = %d, want %d", st.BufferedIn, window)
	}
	close(release)
	if err := s.Send(t.Context(), body[n:]); err != nil {
		t.Fatal(err)
	}
	if n := within(t, got, "the handler's read"); n != 3*window {
		t.Errorf("handler read %d bytes, want %d", n, 3*window)
	}
}

func TestIdleReaped(t *testing.T) {
	done := make(chan error, 1)
	h, url := serve(t, Config{Idle: 200 * time.Millisecond}, echo(done))
	s, err := tunnel.Dial(t.Context(), url, nil)
	if err != nil {
		t.Fatal(err)
	}
	if err := within(t, done, "the handler's end"); err == nil {
		t.Fatal("handler's read succeeded")
	}
	if st := h.Stats(); st.Reaped != 1 || st.Sessions != 0 {
		t.Errorf("stats = %+v, want 1 reaped, none left", st)
	}
	if status, _ := s.Recv(t.Context(), fallbackproto.ModePoll, 0); status != http.StatusNotFound {
		t.Errorf("receive on a reaped session = %d, want 404", status)
	}
}

func TestReceiveKeepsSessionAlive(t *testing.T) {
	done := make(chan error, 1)
	h, url := serve(t, Config{Idle: 300 * time.Millisecond, Heartbeat: 50 * time.Millisecond}, echo(done))
	s := dial(t, url, nil, fallbackproto.ModeStream)
	// Several idle timeouts with a stream running: the session lives.
	time.Sleep(time.Second)
	if err := s.WriteFrame(t.Context(), tunnel.OpText, []byte("still here")); err != nil {
		t.Fatal(err)
	}
	if _, p, err := s.ReadMessage(t.Context()); err != nil || string(p) != "still here" {
		t.Fatalf("read %q %v", p, err)
	}
	if st := h.Stats(); st.Reaped != 0 {
		t.Errorf("reaped %d with a receive running", st.Reaped)
	}
}

func TestOrigins(t *testing.T) {
	_, url := serve(t, Config{}, echo(nil))
	evil := http.Header{"Origin": {"http://evil.example"}}
	var ref *tunnel.Refusal
	if _, err := tunnel.Dial(t.Context(), url, evil); !errors.As(err, &ref) || ref.Status != http.StatusForbidden {
		t.Fatalf("cross-origin open = %v, want 403 from the handler", err)
	}
	if ref.Header.Get("Access-Control-Allow-Origin") != "" {
		t.Error("a refused open allows the origin to read it")
	}
	own := http.Header{"Origin": {url}}
	s, err := tunnel.Dial(t.Context(), url, own)
	if err != nil {
		t.Fatal(err)
	}
	for name, hdr := range map[string]http.Header{
		"another origin":       evil,
		"a cross-site request": {"Sec-Fetch-Site": {"cross-site"}},
	} {
		s.Header = hdr
		if status, _ := s.Recv(t.Context(), fallbackproto.ModePoll, 1); status != http.StatusForbidden {
			t.Errorf("receive from %s = %d, want 403", name, status)
		}
		if status, _, _ := s.SendAt(t.Context(), 0, nil, -1); status != http.StatusForbidden {
			t.Errorf("send from %s = %d, want 403", name, status)
		}
	}
	// Same-origin GETs carry no Origin.
	s.Header = http.Header{"Sec-Fetch-Site": {"same-origin"}}
	if status, _ := s.Recv(t.Context(), fallbackproto.ModeStream, fallbackproto.PaddingSize); status != http.StatusOK {
		t.Errorf("same-origin receive = %d, want 200", status)
	}
	s.Header = own
	resp, err := http.DefaultClient.Do(mustRequest(t, http.MethodPost, s.Op(map[string][]string{
		fallbackproto.ParamOp: {fallbackproto.OpSend}, fallbackproto.ParamSession: {s.Open.Session}, fallbackproto.ParamOffset: {"0"},
	}), own))
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if resp.StatusCode != http.StatusOK || resp.Header.Get("Access-Control-Allow-Origin") != url {
		t.Errorf("send from the session's origin = %d, CORS %q", resp.StatusCode, resp.Header.Get("Access-Control-Allow-Origin"))
	}
	s.Open.Session = "AAAAAAAAAAAAAAAAAAAAAA"
	if status, _ := s.Recv(t.Context(), fallbackproto.ModePoll, 1); status != http.StatusNotFound {
		t.Errorf("receive on an unknown session = %d, want 404", status)
	}
}

func mustRequest(t *testing.T, method, url string, hdr http.Header) *http.Request {
	req, err := http.NewRequestWithContext(t.Context(), method, url, nil)
	if err != nil {
		t.Fatal(err)
	}
	req.Header = hdr
	return req
}

func TestMaxSessions(t *testing.T) {
	h, url := serve(t, Config{MaxSessions: 1}, echo(nil))
	if _, err := tunnel.Dial(t.Context(), url, nil); err != nil {
		t.Fatal(err)
	}
	var ref *tunnel.Refusal
	if _, err := tunnel.Dial(t.Context(), url, nil); !errors.As(err, &ref) || ref.Status != http.StatusServiceUnavailable {
		t.Fatalf("open beyond MaxSessions = %v, want 503", err)
	}
	h.Close()
	if _, err := tunnel.Dial(t.Context(), url, nil); !errors.As(err, &ref) || ref.Status != http.StatusServiceUnavailable {
		t.Fatalf("open after Close = %v, want 503", err)
	}
}

func TestProbe(t *testing.T) {
	var calls atomic.Int64
	next := http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		calls.Add(1)
		echo(nil).ServeHTTP(w, r)
	})
	_, url := serve(t, Config{}, next)
	c, _, err := websocket.Dial(t.Context(), "ws"+strings.TrimPrefix(url, "http")+"/chat?"+fallbackproto.ParamProbe+"=1", nil)
	if err != nil {
		t.Fatal(err)
	}
	defer c.CloseNow()
	if _, _, err := c.Read(t.Context()); websocket.CloseStatus(err) != websocket.StatusNormalClosure {
		t.Errorf("probe read = %v, want close 1000", err)
	}
	if calls.Load() != 0 {
		t.Error("the probe ran the handler")
	}
	// Without the parameter, handshakes go to the handler.
	c2, _, err := websocket.Dial(t.Context(), "ws"+strings.TrimPrefix(url, "http")+"/chat", nil)
	if err != nil {
		t.Fatal(err)
	}
	c2.CloseNow()
	if calls.Load() != 1 {
		t.Errorf("handler calls = %d, want 1", calls.Load())
	}
}

func TestHandshakeSeenByHandler(t *testing.T) {
	seen := make(chan *http.Request, 1)
	next := http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		seen <- r
		echo(nil).ServeHTTP(w, r)
	})
	_, url := serve(t, Config{}, next)
	hdr := http.Header{"Cookie": {"a=b"}, "Sec-WebSocket-Extensions": {"permessage-deflate"}, "X-Other": {"x"}}
	if _, err := tunnel.Dial(t.Context(), url+"/chat?room=r1&name=n", hdr, "v2", "echo"); err != nil {
		t.Fatal(err)
	}
	r := within(t, seen, "the handshake")
	switch {
	case r.Method != http.MethodGet, r.URL.RawQuery != "room=r1&name=n", r.URL.Path != "/chat":
		t.Errorf("handshake %s %s", r.Method, r.URL)
	case !IsFallback(r):
		t.Error("IsFallback = false")
	case r.Header.Get("Cookie") != "a=b", r.Header.Get("X-Other") != "", r.Header.Get("Sec-WebSocket-Extensions") != "":
		t.Errorf("handshake headers %v", r.Header)
	case r.Header.Get("Sec-WebSocket-Protocol") != "v2,echo":
		t.Errorf("protocols %q", r.Header.Get("Sec-WebSocket-Protocol"))
	}
	if IsFallback(httptest.NewRequest(http.MethodGet, "/", nil)) {
		t.Error("IsFallback of a plain request")
	}
}

func TestRefusalPassedOn(t *testing.T) {
	next := http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Retry-After", "7")
		w.Header().Set("Connection", "close")
		http.Error(w, "slow down", http.StatusTooManyRequests)
	})
	_, url := serve(t, Config{}, next)
	var ref *tunnel.Refusal
	if _, err := tunnel.Dial(t.Context(), url, nil); !errors.As(err, &ref) {
		t.Fatalf("open = %v, want a refusal", err)
	}
	if ref.Status != http.StatusTooManyRequests || ref.Body != "slow down\n" || ref.Header.Get("Retry-After") != "7" {
		t.Errorf("refusal = %d %q %v", ref.Status, ref.Body, ref.Header)
	}
}

// A handler that writes its 101 itself, as gorilla/websocket does.
func TestHandlerWritingItsOwnHead(t *testing.T) {
	next := http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		conn, brw, err := w.(http.Hijacker).Hijack()
		if err != nil {
			return
		}
		defer conn.Close()
		brw.WriteString("HTTP/1.1 101 Switching Protocols\r\nUpgrade: websocket\r\nConnection: Upgrade\r\nSec-WebSocket-Protocol: v2\r\n\r\n")
		brw.Write([]byte{0x81, 2, 'h', 'i'})
		brw.Flush()
		io.Copy(io.Discard, conn)
	})
	_, url := serve(t, Config{}, next)
	s, err := tunnel.Dial(t.Context(), url, nil, "v2")
	if err != nil {
		t.Fatal(err)
	}
	if s.Open.Protocol != "v2" {
		t.Errorf("protocol %q, want v2", s.Open.Protocol)
	}
	go s.Run(t.Context(), fallbackproto.ModeStream)
	if _, p, err := s.ReadMessage(t.Context()); err != nil || string(p) != "hi" {
		t.Errorf("read %q %v", p, err)
	}
}

func TestDeadlines(t *testing.T) {
	results := make(chan error, 3)
	next := raw(func(conn net.Conn) {
		conn.SetReadDeadline(time.Now().Add(50 * time.Millisecond))
		_, err := conn.Read(make([]byte, 1))
		results <- err
		conn.SetWriteDeadline(time.Now().Add(-time.Second))
		_, err = conn.Write([]byte("x"))
		results <- err
		conn.SetDeadline(time.Time{})
		_, err = conn.Write([]byte("x"))
		results <- err
		if conn.RemoteAddr() == nil || conn.LocalAddr() == nil || !strings.HasPrefix(conn.RemoteAddr().String(), "127.0.0.1:") {
			results <- fmt.Errorf("addresses %v %v", conn.LocalAddr(), conn.RemoteAddr())
		}
	})
	_, url := serve(t, Config{}, next)
	if _, err := tunnel.Dial(t.Context(), url, nil); err != nil {
		t.Fatal(err)
	}
	var ne net.Error
	if err := within(t, results, "the read"); !errors.Is(err, os.ErrDeadlineExceeded) || !errors.As(err, &ne) || !ne.Timeout() {
		t.Errorf("read past its deadline = %v", err)
	}
	if err := within(t, results, "the write"); !errors.Is(err, os.ErrDeadlineExceeded) {
		t.Errorf("write past its deadline = %v", err)
	}
	if err := within(t, results, "the write"); err != nil {
		t.Errorf("write without a deadline = %v", err)
	}
	select {
	case err := <-results:
		t.Error(err)
	default:
	}
}

func TestPassThrough(t *testing.T) {
	next := http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) { io.WriteString(w, "page") })
	_, url := serve(t, Config{}, next)
	resp, err := http.Get(url + "/x?a=1")
	if err != nil {
		t.Fatal(err)
	}
	b, _ := io.ReadAll(bufio.NewReader(resp.Body))
	resp.Body.Close()
	if string(b) != "page" {
		t.Errorf("plain request = %q", b)
	}
}
