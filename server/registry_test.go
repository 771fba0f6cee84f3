package server

import (
	"context"
	"testing"
	"time"

	"github.com/coder/websocket"
)

func TestRegistryRefusesAfterShutdown(t *testing.T) {
	r := newRegistry()
	c := &wsConn{}
	if !r.add(c) || r.count() != 1 {
		t.Fatal("add failed")
	}
	r.remove(c)
	r.remove(c) // no-op
	if err := r.shutdown(context.Background()); err != nil {
		t.Fatalf("shutdown of an empty registry: %v", err)
	}
	if r.add(&wsConn{}) || !r.isClosed() {
		t.Fatal("add after shutdown succeeded")
	}
}

// A handshake completing after shutdown started is refused with 503.
func TestHandshakeDuringShutdown(t *testing.T) {
	ts := startServer(t, Config{})
	ctx := testCtx(t)
	ts.srv.reg.shutdown(ctx) // as if Shutdown had just begun
	status, body := dialStatus(t, ctx, ts.ws("/echo"), nil)
	if status != 503 || body != "server shutting down\n" {
		t.Fatalf("handshake during shutdown: %d %q", status, body)
	}
	// The slot was given back.
	if n := ts.srv.limiter.open(); n != 0 {
		t.Fatalf("%d connection slots held", n)
	}
}

// Shutdown waits for connections to finish their close handshake.
func TestRegistryWaitsForHandlers(t *testing.T) {
	ts := startServer(t, Config{})
	ctx := testCtx(t)
	c := dial(t, ctx, ts.ws("/echo"), nil)
	ts.waitMetric(t, `duplex_connections_open{path="/echo"}`, 1)
	done := make(chan error, 1)
	go func() { done <- ts.srv.reg.shutdown(ctx) }()
	select {
	case err := <-done:
		t.Fatalf("shutdown returned %v before the client answered the close", err)
	case <-time.After(100 * time.Millisecond):
	}
	expectClose(t, ctx, c, websocket.StatusGoingAway) // answers it
	if err := <-done; err != nil {
		t.Fatal(err)
	}
	if ts.srv.reg.count() != 0 {
		t.Fatal("connection still registered")
	}
}
