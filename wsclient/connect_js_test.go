//go:build js && wasm

package wsclient

import (
	"context"
	"errors"
	"strings"
	"syscall/js"
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

// New("") is the page's own URL, as new WebSocket("") is: the browser's
// answer is the reference. (Natively there is no page: ErrSyntax.)
func TestEmptyURLIsThePage(t *testing.T) {
	page := js.Global().Get("location").Get("href").String()
	if i := strings.IndexByte(page, '#'); i >= 0 {
		page = page[:i]
	}
	for _, raw := range []string{"", " \t\n"} {
		ref := jsWebSocket.New(raw)
		want := ref.Get("url").String()
		ref.Call("close")
		if want != "ws"+strings.TrimPrefix(page, "http") {
			t.Errorf("new WebSocket(%q).url = %q; the page is %q", raw, want, page)
		}
		c, err := New(raw, nil)
		if err != nil {
			t.Fatalf("New(%q): %v", raw, err)
		}
		if got := c.URL(); got != want {
			t.Errorf("New(%q).URL() = %q, want %q as new WebSocket gives", raw, got, want)
		}
		c.Close(StatusNormalClosure, "")
		waitDone(t, c)
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
