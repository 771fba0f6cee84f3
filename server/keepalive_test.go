package server

import (
	"context"
	"runtime"
	"runtime/pprof"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/coder/websocket"
)

// A peer that completes the handshake and then never answers is dropped,
// within two ping intervals (asserted here with a generous bound).
func TestKeepaliveDropsDeadPeer(t *testing.T) {
	const interval = 100 * time.Millisecond
	ts := startServer(t, Config{PingInterval: interval})
	for _, path := range []string{"/echo", "/chat"} {
		rc := rawDial(t, ts.addr, path, nil)
		start := time.Now()
		pings := 0
		// Read what the server sends (a welcome on /chat, pings) but never
		// answer: only the server's closing of the TCP connection ends this.
		rc.SetReadDeadline(time.Now().Add(30 * time.Second))
		for {
			first, _, err := rc.readFrame()
			if err != nil {
				if time.Since(start) > 25*time.Second {
					t.Fatalf("%s: dead peer not dropped: %v", path, err)
				}
				break
			}
			if first&0x0f == opPing {
				pings++
			}
		}
		t.Logf("%s: dead peer dropped after %v and %d pings (interval %v)", path, time.Since(start).Round(time.Millisecond), pings, interval)
		if pings < 1 {
			t.Errorf("%s: dropped without being pinged", path)
		}
	}
	ts.waitMetric(t, `duplex_closes_total{code="1006"}`, 2)
	ts.logs.waitFor(t, "ping timeout close", func(r map[string]any) bool {
		return r["msg"] == "websocket close" && r["reason"] == "ping timeout" && r["code"] == 1006.0
	})
}

// A healthy idle client survives many ping intervals. (The interval is not
// too short: on a loaded machine a healthy client may take a while to answer.)
func TestKeepaliveKeepsHealthyPeer(t *testing.T) {
	const interval = 500 * time.Millisecond
	ts := startServer(t, Config{PingInterval: interval})
	ctx := testCtx(t)
	pings := make(chan struct{}, 100)
	c := dial(t, ctx, ts.ws("/echo"), &websocket.DialOptions{
		OnPingReceived: func(ctx context.Context, _ []byte) bool {
			select {
			case pings <- struct{}{}:
			default:
			}
			return true
		},
	})
	msgs := make(chan []byte)
	go func() {
		for {
			_, b, err := c.Read(ctx)
			if err != nil {
				close(msgs)
				return
			}
			msgs <- b
		}
	}()
	for range 4 {
		select {
		case <-pings:
		case <-time.After(30 * time.Second):
			t.Fatal("no ping received")
		}
	}
	c.Write(ctx, websocket.MessageText, []byte("alive"))
	if b := <-msgs; string(b) != "alive" {
		t.Fatalf("echo after pings: %q", b)
	}
	if got := ts.metric(t, `duplex_closes_total{code="1006"}`); got != -1 {
		t.Fatalf("a connection was dropped: %v", got)
	}
}

// An idle /echo connection costs no goroutine where connections park
// (Linux), one elsewhere (its read loop), with the keepalive on: pings are
// scheduled by a timer rather than a goroutine per connection, and the HTTP
// handler returns once the connection is upgraded.
func TestIdleConnectionsGoroutines(t *testing.T) {
	const n = 200
	ts := startServer(t, Config{PingInterval: time.Hour})
	base := runtime.NumGoroutine()
	conns := make([]*rawConn, n)
	for i := range conns {
		conns[i] = rawDial(t, ts.addr, "/echo", nil)
	}
	ts.waitMetric(t, `duplex_connections_open{path="/echo"}`, n)

	// The handlers' goroutines end after the upgrade: wait for them.
	limit := n + n/10 // one each, and a few of the HTTP server and runtime
	if parkingSupported {
		limit = n / 10 // the poller's, and those few
	}
	deadline := time.Now().Add(30 * time.Second)
	extra := runtime.NumGoroutine() - base
	for extra > limit && time.Now().Before(deadline) {
		time.Sleep(10 * time.Millisecond)
		extra = runtime.NumGoroutine() - base
	}
	if extra > limit {
		t.Errorf("%d idle connections: %d more goroutines, want at most %d", n, extra, limit)
	}
	stacks := goroutineStacks()
	for _, f := range []string{"server.(*wsConn).pingDue", "server.(*wsConn).keepalive", "server.(*Server).handleEcho"} {
		if strings.Contains(stacks, f) {
			t.Errorf("a goroutine is in %s while the connections are idle", f)
		}
	}

	// They still work, parked or not.
	for _, rc := range conns[:3] {
		rc.send(t, frame(bitFin|opText, true, []byte("hi")))
		rc.SetReadDeadline(time.Now().Add(10 * time.Second))
		first, p, err := rc.readFrame()
		if err != nil || first != bitFin|opText || string(p) != "hi" {
			t.Fatalf("echo: %#x %q %v", first, p, err)
		}
	}
}

// goroutineStacks returns the goroutine profile, one line per frame.
func goroutineStacks() string {
	var b strings.Builder
	pprof.Lookup("goroutine").WriteTo(&b, 1)
	return b.String()
}

// runEchoGoroutines counts the goroutines running /echo connections.
func runEchoGoroutines() int {
	buf := make([]byte, 1<<20)
	for {
		n := runtime.Stack(buf, true)
		if n < len(buf) {
			return strings.Count(string(buf[:n]), "server.(*wsConn).runEcho(")
		}
		buf = make([]byte, 2*len(buf))
	}
}

// Idle connections that answer pings park again after each pong: most of
// the time none of them has a goroutine. They stay healthy and echo.
func TestParkedConnectionsAnswerPings(t *testing.T) {
	if !parkingSupported {
		t.Skip("connections do not park on this platform")
	}
	const n = 20
	// Not too short an interval: on a loaded machine a healthy client may
	// take a while to answer, and would be dropped.
	ts := startServer(t, Config{PingInterval: 500 * time.Millisecond})
	ctx := testCtx(t)
	var pings atomic.Int64
	conns := make([]*websocket.Conn, n)
	msgs := make([]chan string, n)
	for i := range conns {
		conns[i] = dial(t, ctx, ts.ws("/echo"), &websocket.DialOptions{
			OnPingReceived: func(context.Context, []byte) bool {
				pings.Add(1)
				return true
			},
		})
		msgs[i] = make(chan string, 1)
		go func() {
			for {
				_, b, err := conns[i].Read(ctx)
				if err != nil {
					return
				}
				msgs[i] <- string(b)
			}
		}()
	}
	for pings.Load() < 2*n {
		select {
		case <-ctx.Done():
			t.Fatalf("%d pings answered", pings.Load())
		case <-time.After(10 * time.Millisecond):
		}
	}
	// Between pings the connections are parked: wait until a moment when
	// at most a quarter of them has a goroutine (the ones being pinged).
	for runEchoGoroutines() > n/4 {
		select {
		case <-ctx.Done():
			t.Fatalf("%d of %d connections keep a goroutine between pings", runEchoGoroutines(), n)
		case <-time.After(time.Millisecond):
		}
	}
	for i, c := range conns {
		if err := c.Write(ctx, websocket.MessageText, []byte("still here")); err != nil {
			t.Fatal(err)
		}
		if got := <-msgs[i]; got != "still here" {
			t.Fatalf("echo %q", got)
		}
	}
	if got := ts.metric(t, `duplex_closes_total{code="1006"}`); got != -1 {
		t.Fatalf("a connection was dropped: %v", got)
	}
}
