//go:build js && wasm

package wsclient

import (
	"context"
	"errors"
	"strings"
	"testing"
	"time"
)

func TestDialGivesUpWhenContextIsDone(t *testing.T) {
	waitQuiet(t)
	before := liveFuncs.Load()
	ctx, cancel := context.WithTimeout(testCtx(t), 200*time.Millisecond)
	defer cancel()
	_, err := Dial(ctx, wsURL("/ws/hang"), nil)
	if !errors.Is(err, context.DeadlineExceeded) {
		t.Fatalf("Dial error = %v, want context.DeadlineExceeded", err)
	}
	// The abandoned socket is closed and its callbacks released.
	deadline := time.Now().Add(30 * time.Second)
	for liveFuncs.Load() != before && time.Now().Before(deadline) {
		time.Sleep(10 * time.Millisecond)
	}
	if n := liveFuncs.Load(); n != before {
		t.Fatalf("live callbacks after an abandoned Dial = %d, want %d", n, before)
	}
}

func TestURLIsResolvedAndMapped(t *testing.T) {
	httpURL := "http" + strings.TrimPrefix(wsURL("/ws/echo"), "ws")
	for _, tc := range []struct{ in, want string }{
		{httpURL, wsURL("/ws/echo")},
		{"/ws/echo?x=1", wsURL("/ws/echo?x=1")},
		{wsURL("/ws/echo"), wsURL("/ws/echo")},
		{" " + strings.ToUpper(httpURL[:4]) + httpURL[4:] + "\n", wsURL("/ws/echo")},
		{"ws/echo", wsURL("/ws/echo")},
	} {
		c, err := New(tc.in, nil)
		if err != nil {
			t.Fatalf("New(%q): %v", tc.in, err)
		}
		if got := c.URL(); got != tc.want {
			t.Errorf("New(%q).URL() = %q, want %q", tc.in, got, tc.want)
		}
		c.Close(StatusNormalClosure, "")
		waitDone(t, c)
	}
}
