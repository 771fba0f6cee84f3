package server

import (
	"context"
	"runtime"
	"runtime/pprof"
	"strings"
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

// An idle /echo connection costs one goroutine, its read loop, with the
// keepalive on: pings are scheduled by a timer rather than a goroutine per
// connection, and the HTTP handler returns once the connection is upgraded.
func TestIdleConnectionsOneGoroutineEach(t *testing.T) {
	const n = 200
	ts := startServer(t, Config{PingInterval: time.Hour})
	base := runtime.NumGoroutine()
	conns := make([]*rawConn, n)
	for i := range conns {
		conns[i] = rawDial(t, ts.addr, "/echo", nil)
	}
	ts.waitMetric(t, `duplex_connections_open{path="/echo"}`, n)

	// The handlers' goroutines end after the upgrade: wait for them.
	limit := n + n/10 // a few goroutines of the HTTP server and runtime may come and go
	deadline := time.Now().Add(30 * time.Second)
	extra := runtime.NumGoroutine() - base
	for extra > limit && time.Now().Before(deadline) {
		time.Sleep(10 * time.Millisecond)
		extra = runtime.NumGoroutine() - base
	}
	if extra > limit {
		t.Errorf("%d idle connections: %d more goroutines, want at most %d (one each)", n, extra, limit)
	}
	var stacks strings.Builder
	pprof.Lookup("goroutine").WriteTo(&stacks, 1)
	for _, f := range []string{"server.(*wsConn).pingDue", "server.(*wsConn).keepalive", "server.(*Server).handleEcho"} {
		if strings.Contains(stacks.String(), f) {
			t.Errorf("a goroutine is in %s while the connections are idle", f)
		}
	}

	// They still work.
	for _, rc := range conns[:3] {
		rc.send(t, frame(bitFin|opText, true, []byte("hi")))
		rc.SetReadDeadline(time.Now().Add(10 * time.Second))
		first, p, err := rc.readFrame()
		if err != nil || first != bitFin|opText || string(p) != "hi" {
			t.Fatalf("echo: %#x %q %v", first, p, err)
		}
	}
}
