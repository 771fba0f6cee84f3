//go:build js && wasm

package wsclient

import (
	"fmt"
	"sync"
	"syscall/js"
	"testing"
)

// A callback that blocks must not block the browser: the JavaScript event
// loop keeps running and messages keep arriving, queued in order.
func TestBlockedCallbackDoesNotBlockTheEventLoop(t *testing.T) {
	const n = 500
	release := make(chan struct{})
	var mu sync.Mutex
	var got []byte
	done := make(chan struct{})
	opts := &Options{
		OnMessage: func(m Message) {
			if len(got) == 0 {
				<-release
			}
			mu.Lock()
			got = append(got, m.Data[0])
			mu.Unlock()
		},
		OnClose: func(*CloseError) { close(done) },
	}
	c, err := New(wsURL(fmt.Sprintf("/ws/flood?n=%d&size=1", n)), opts)
	if err != nil {
		t.Fatal(err)
	}
	// While the first callback is blocked, the whole flood and the close
	// arrive: the event loop ran them.
	ctx := testCtx(t)
	for c.ReadyState() != Closed {
		timer := js.Global().Get("Promise").New(js.FuncOf(func(this js.Value, args []js.Value) any {
			js.Global().Call("setTimeout", args[0], 5)
			return nil
		}))
		if _, err := await(ctx, timer); err != nil {
			t.Fatal("the event loop stalled while a callback was blocked")
		}
	}
	c.mu.Lock()
	pending := c.pendingN
	c.mu.Unlock()
	if pending != n-1 {
		t.Fatalf("%d messages queued behind the blocked callback, want %d", pending, n-1)
	}
	close(release)
	<-done
	mu.Lock()
	defer mu.Unlock()
	if len(got) != n {
		t.Fatalf("OnMessage ran %d times, want %d", len(got), n)
	}
	for i, b := range got {
		if b != byte(i) {
			t.Fatalf("message %d out of order (%d)", i, b)
		}
	}
}
