package wsclient

import (
	"context"
	"errors"
	"strings"
	"testing"
	"time"
)

func TestNewReturnsAtOnceInConnecting(t *testing.T) {
	opened := make(chan struct{})
	c, err := New(wsURL("/ws/echo"), &Options{OnOpen: func() { close(opened) }})
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close(StatusNormalClosure, "")
	if got := c.ReadyState(); got != Connecting {
		t.Fatalf("ReadyState right after New = %v, want CONNECTING", got)
	}
	select {
	case <-opened:
	case <-testCtx(t).Done():
		t.Fatal("never opened")
	}
	if got := c.ReadyState(); got != Open {
		t.Fatalf("ReadyState after open = %v, want OPEN", got)
	}
}

func TestDialWaitsForOpen(t *testing.T) {
	c := dial(t, "/ws/echo", nil)
	if got := c.ReadyState(); got != Open {
		t.Fatalf("ReadyState after Dial = %v, want OPEN", got)
	}
	if c.BufferedAmount() != 0 {
		t.Fatalf("BufferedAmount of a fresh connection = %d", c.BufferedAmount())
	}
}

func TestDialReportsFailureAs1006(t *testing.T) {
	_, err := Dial(testCtx(t), wsURL("/ws/reject"), nil)
	if err == nil {
		t.Fatal("Dial to a refused handshake succeeded")
	}
	if !errors.Is(err, ErrClosed) || CloseStatus(err) != StatusAbnormalClosure {
		t.Fatalf("Dial error = %v (status %v), want a close with 1006", err, CloseStatus(err))
	}
}

func TestDialWithADoneContextNeverReachesTheNetwork(t *testing.T) {
	cancelled, cancel := context.WithCancel(testCtx(t))
	cancel()
	expired, cancel2 := context.WithDeadline(testCtx(t), time.Now().Add(-time.Second))
	defer cancel2()
	before := handshakes(t)
	for i := range 10 {
		for ctx, want := range map[context.Context]error{cancelled: context.Canceled, expired: context.DeadlineExceeded} {
			c, err := Dial(ctx, wsURL("/ws/echo"), nil)
			if c != nil || !errors.Is(err, want) {
				t.Fatalf("Dial %d with a done context = %v, %v; want %v", i, c, err, want)
			}
		}
	}
	// One valid connection, to show the counter works; a handshake that an
	// abandoned Dial had started would have arrived by now.
	c := dial(t, "/ws/echo", nil)
	c.Close(StatusNormalClosure, "")
	waitDone(t, c)
	if got := handshakes(t) - before; got != 1 {
		t.Fatalf("%d handshakes reached the server, want only the valid one", got)
	}
}

func TestProtocolIsTheServersChoice(t *testing.T) {
	c := dial(t, "/ws/echo", &Options{Protocols: []string{"nope", "chat"}})
	if got := c.Protocol(); got != "chat" {
		t.Fatalf("Protocol() = %q, want %q", got, "chat")
	}
	plain := dial(t, "/ws/echo", nil)
	if got := plain.Protocol(); got != "" {
		t.Fatalf("Protocol() with none offered = %q, want empty", got)
	}
}

func TestExtensionsShowNegotiatedCompression(t *testing.T) {
	c := dial(t, "/ws/echo?compress=1", nil)
	if got := c.Extensions(); !strings.Contains(got, "permessage-deflate") {
		t.Fatalf("Extensions() = %q, want permessage-deflate", got)
	}
	plain := dial(t, "/ws/echo", nil)
	if got := plain.Extensions(); got != "" {
		t.Fatalf("Extensions() without compression = %q, want empty", got)
	}
}
