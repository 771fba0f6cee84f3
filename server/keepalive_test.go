package server

import (
	"context"
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
