package server

import (
	"bytes"
	"context"
	"errors"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/duplexgo/duplex/server/internal/tunnel"
	"github.com/duplexgo/duplex/wsclient/fallbackproto"
	"github.com/duplexgo/duplex/wsclient/wstest"
)

// fbDial opens a fallback session on path and keeps a stream receive
// running; the session is closed with 1000 at the end of the test.
func fbDial(t *testing.T, ctx context.Context, ts *testServer, path string, header http.Header, protocols ...string) *tunnel.Session {
	t.Helper()
	s, err := tunnel.Dial(ctx, ts.url(path), header, protocols...)
	if err != nil {
		t.Fatalf("fallback open %s: %v", path, err)
	}
	go s.Run(ctx, fallbackproto.ModeStream)
	t.Cleanup(func() {
		if !s.Ended() {
			s.WriteFrame(ctx, tunnel.OpClose, tunnel.CloseFrame(1000, ""))
		}
	})
	return s
}

// wantClose reads until a close frame and checks its code.
func wantClose(t *testing.T, ctx context.Context, s *tunnel.Session, code int) {
	t.Helper()
	for {
		_, _, err := s.ReadMessage(ctx)
		var ce *tunnel.CloseError
		if errors.As(err, &ce) {
			if ce.Code != code {
				t.Fatalf("closed with %d %q, want %d", ce.Code, ce.Reason, code)
			}
			return
		}
		if err != nil {
			t.Fatalf("read: %v, want close %d", err, code)
		}
	}
}

func TestFallbackEcho(t *testing.T) {
	ctx := testCtx(t)
	ts := startServer(t, Config{MaxMessageBytes: 4096, PingInterval: 100 * time.Millisecond})
	s := fbDial(t, ctx, ts, "/echo", nil, "echo")
	if s.Open.Protocol != "echo" {
		t.Errorf("protocol %q, want echo", s.Open.Protocol)
	}
	for i, m := range [][]byte{[]byte("hello"), bytes.Repeat([]byte{0xfe}, 3000)} {
		op := byte(tunnel.OpText)
		if i == 1 {
			op = tunnel.OpBinary
		}
		if err := s.WriteFrame(ctx, op, m); err != nil {
			t.Fatal(err)
		}
		if gop, p, err := s.ReadMessage(ctx); err != nil || gop != op || !bytes.Equal(p, m) {
			t.Fatalf("echo = %d %d bytes %v", gop, len(p), err)
		}
	}
	// Pings come every 100ms and the client answers: the connection lives
	// through several intervals, and /echo never parks it (it has no fd).
	for end := time.Now().Add(600 * time.Millisecond); time.Now().Before(end); {
		if err := s.WriteFrame(ctx, tunnel.OpText, []byte("between pings")); err != nil {
			t.Fatal(err)
		}
		if _, p, err := s.ReadMessage(ctx); err != nil || string(p) != "between pings" {
			t.Fatalf("echo between pings = %q %v", p, err)
		}
		time.Sleep(20 * time.Millisecond)
	}
	n := ts.metric(t, `duplex_messages_in_total{path="/echo",transport="http"}`)
	if got := ts.metric(t, `duplex_connections_total{path="/echo",transport="http"}`); got != 1 {
		t.Errorf("fallback connections on /echo = %v, want 1", got)
	}
	if got := ts.metric(t, `duplex_connections_total{path="/echo",transport="websocket"}`); got != 0 {
		t.Errorf("WebSocket connections on /echo = %v, want 0", got)
	}
	if n < 3 || ts.metric(t, `duplex_messages_in_total{path="/echo",transport="websocket"}`) != 0 {
		t.Errorf("fallback messages in = %v, want 3 or more, all on http", n)
	}
	if got := ts.metric(t, `duplex_fallback_sessions_total`); got != 1 {
		t.Errorf("fallback sessions opened = %v, want 1", got)
	}
	// Too big: 1009, as over a socket.
	if err := s.WriteFrame(ctx, tunnel.OpBinary, make([]byte, 5000)); err != nil {
		t.Fatal(err)
	}
	wantClose(t, ctx, s, 1009)
	ts.logs.waitFor(t, "the close line with the transport", func(r map[string]any) bool {
		return r["msg"] == "websocket close" && r["transport"] == "http" && r["code"] == 1009.0
	})
}

func TestFallbackEchoInvalidUTF8(t *testing.T) {
	ctx := testCtx(t)
	ts := startServer(t, Config{})
	s := fbDial(t, ctx, ts, "/echo", nil)
	if err := s.WriteFrame(ctx, tunnel.OpText, []byte("bad \xc3(")); err != nil {
		t.Fatal(err)
	}
	wantClose(t, ctx, s, 1007)
}

func TestFallbackChat(t *testing.T) {
	ctx := testCtx(t)
	ts := startServer(t, Config{ChatRate: 0.01, ChatBurst: 1, ChatMaxRejects: 1})
	own := http.Header{"Origin": {ts.url("")}}

	// Another origin is refused at the open, as its handshake would be.
	var ref *tunnel.Refusal
	if _, err := tunnel.Dial(ctx, ts.url("/chat?room=r"), http.Header{"Origin": {"http://evil.example"}}); !errors.As(err, &ref) || ref.Status != http.StatusForbidden {
		t.Fatalf("cross-origin open = %v, want 403", err)
	}
	if got := ts.metric(t, `duplex_handshakes_rejected_total{reason="origin"}`); got != 1 {
		t.Errorf("origin rejections = %v, want 1", got)
	}

	s := fbDial(t, ctx, ts, "/chat?room=r&name=ann", own)
	_, welcome, err := s.ReadMessage(ctx)
	if err != nil || !strings.Contains(string(welcome), `"type":"welcome"`) || !strings.Contains(string(welcome), `"ann"`) {
		t.Fatalf("welcome = %s %v", welcome, err)
	}
	// A WebSocket member of the same room hears the fallback member.
	ws := dial(t, ctx, ts.ws("/chat?room=r&name=bob"), nil)
	if _, _, err := ws.Read(ctx); err != nil { // bob's welcome
		t.Fatal(err)
	}
	if err := s.WriteFrame(ctx, tunnel.OpText, []byte(`{"type":"message","text":"hi bob"}`)); err != nil {
		t.Fatal(err)
	}
	for {
		_, p, err := ws.Read(ctx)
		if err != nil {
			t.Fatal(err)
		}
		if strings.Contains(string(p), "hi bob") {
			break
		}
	}
	// Flooding past the rate limit: 1008.
	for range 4 {
		if err := s.WriteFrame(ctx, tunnel.OpText, []byte(`{"type":"message","text":"flood"}`)); err != nil {
			break
		}
	}
	wantClose(t, ctx, s, 1008)
	if got := ts.metric(t, `duplex_connections_total{path="/chat",transport="http"}`); got != 1 {
		t.Errorf("fallback chat connections = %v, want 1", got)
	}
}

func TestFallbackShutdown(t *testing.T) {
	ctx := testCtx(t)
	ts := startServer(t, Config{})
	echo := fbDial(t, ctx, ts, "/echo", nil)
	chat := fbDial(t, ctx, ts, "/chat?room=r&name=ann", nil)
	if _, _, err := chat.ReadMessage(ctx); err != nil { // the welcome
		t.Fatal(err)
	}
	if err := echo.WriteFrame(ctx, tunnel.OpText, []byte("x")); err != nil {
		t.Fatal(err)
	}
	if _, _, err := echo.ReadMessage(ctx); err != nil {
		t.Fatal(err)
	}
	done := make(chan error, 1)
	go func() { done <- ts.srv.Shutdown(ctx) }()
	for _, s := range []*tunnel.Session{echo, chat} {
		// The close frame, then End, come down the stream; the client's
		// answer cannot go up (the listener is closed), and is not waited
		// for.
		wantClose(t, ctx, s, 1001)
		if _, _, err := s.ReadMessage(ctx); err != tunnel.ErrEnded {
			t.Errorf("after the close: %v, want the End record", err)
		}
	}
	select {
	case err := <-done:
		if err != nil {
			t.Errorf("Shutdown = %v", err)
		}
	case <-ctx.Done():
		t.Fatal("Shutdown did not return")
	}
	if _, err := tunnel.Dial(ctx, ts.url("/echo"), nil); err == nil {
		t.Error("an open after shutdown succeeded")
	}
}

// A client behind a proxy that refuses WebSocket handshakes gets through
// on the fallback.
func TestFallbackThroughHostileProxy(t *testing.T) {
	ctx := testCtx(t)
	ts := startServer(t, Config{})
	p, err := wstest.NewHostileProxy(ts.url(""), wstest.HostileMode{StripUpgrade: http.StatusBadGateway})
	if err != nil {
		t.Fatal(err)
	}
	defer p.Close()
	if status, _ := dialStatus(t, ctx, "ws://"+p.Addr()+"/echo", nil); status != http.StatusBadGateway {
		t.Fatalf("handshake through the proxy = %d, want 502", status)
	}
	s, err := tunnel.Dial(ctx, p.URL()+"/echo", nil)
	if err != nil {
		t.Fatal(err)
	}
	go s.Run(ctx, fallbackproto.ModeStream)
	if err := s.WriteFrame(ctx, tunnel.OpText, []byte("through")); err != nil {
		t.Fatal(err)
	}
	if _, msg, err := s.ReadMessage(ctx); err != nil || string(msg) != "through" {
		t.Fatalf("echo through the proxy = %q %v", msg, err)
	}
	s.WriteFrame(ctx, tunnel.OpClose, tunnel.CloseFrame(1000, ""))
	wantClose(t, ctx, s, 1000)
}

func TestFallbackDisabled(t *testing.T) {
	ctx := testCtx(t)
	ts := startServer(t, Config{DisableFallback: true})
	var ref *tunnel.Refusal
	if _, err := tunnel.Dial(ctx, ts.url("/echo"), nil); !errors.As(err, &ref) || ref.Status != http.StatusUpgradeRequired {
		t.Fatalf("open with the fallback off = %v, want 426", err)
	}
	if got := ts.metric(t, `duplex_fallback_sessions`); got != -1 {
		t.Errorf("fallback metrics with the fallback off: %v", got)
	}
}

func TestFallbackNotAnEndpoint(t *testing.T) {
	ctx := testCtx(t)
	ts := startServer(t, Config{Root: http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		t.Errorf("Root got %s %s", r.Method, r.URL)
	})})
	var ref *tunnel.Refusal
	if _, err := tunnel.Dial(ctx, ts.url("/somewhere"), nil); !errors.As(err, &ref) || ref.Status != http.StatusNotFound {
		t.Fatalf("open on no endpoint = %v, want 404", err)
	}
}
