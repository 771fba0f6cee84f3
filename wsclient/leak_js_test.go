//go:build js && wasm

package wsclient

import (
	"runtime"
	"testing"
	"time"
)

// Every js.Func and handler is released when a connection ends: after 1,000
// connections the count of live callbacks is back where it started.
func TestNoCallbacksLeakAcross1000Connections(t *testing.T) {
	waitQuiet(t)
	before := liveFuncs.Load()
	goroutines := runtime.NumGoroutine()
	ctx := testCtx(t)
	for i := range 1000 {
		var opts *Options
		if i%2 == 0 { // half with callbacks, half without
			opts = &Options{OnOpen: func() {}, OnClose: func(*CloseError) {}}
		}
		c, err := Dial(ctx, wsURL("/ws/echo"), opts)
		if err != nil {
			t.Fatalf("connection %d: %v", i, err)
		}
		if liveFuncs.Load() != before+1 {
			t.Fatalf("an open connection holds %d callbacks: the counter is not counting", liveFuncs.Load()-before)
		}
		if err := c.Close(StatusNormalClosure, ""); err != nil {
			t.Fatal(err)
		}
		<-c.Done()
		for _, prop := range []string{"onopen", "onmessage", "onerror", "onclose"} {
			if !c.t.(*jsSocket).ws.Get(prop).IsNull() {
				t.Fatalf("connection %d still has %s set after closing", i, prop)
			}
		}
	}
	if after := liveFuncs.Load(); after != before {
		t.Fatalf("live callbacks: %d before, %d after 1,000 connections", before, after)
	}
	// Callback goroutines end with their connection (give them a moment to
	// be scheduled).
	deadline := time.Now().Add(10 * time.Second)
	for runtime.NumGoroutine() > goroutines && time.Now().Before(deadline) {
		time.Sleep(10 * time.Millisecond)
	}
	if n := runtime.NumGoroutine(); n > goroutines {
		t.Fatalf("goroutines: %d before, %d after", goroutines, n)
	}
}
