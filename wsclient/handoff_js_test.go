//go:build js && wasm

package wsclient

import (
	"fmt"
	"syscall/js"
	"testing"
)

// In Chromium with Go's wasm_exec.js, messages enter Go through the exported
// function and wasm_exec.js's resume, not through a js.FuncOf per batch.
func TestHandoffUsesTheExportedEntry(t *testing.T) {
	dial(t, "/ws/echo", nil)
	if !handoff.exported {
		t.Fatal("the hand-off fell back to js.FuncOf callbacks: wasm_exec.js's Go instance was not found")
	}
}

// Where wasm_exec.js's instance cannot be reached, the hand-off enters Go
// through js.FuncOf callbacks, with the same order and the same results.
func TestHandoffWithoutTheExportedEntry(t *testing.T) {
	waitQuiet(t)
	saved := handoff
	handoff = newHandoff()
	handoff.noExport = true
	defer func() { handoff = saved }()

	ctx := testCtx(t)
	c := dial(t, "/ws/echo", nil)
	if handoff.exported {
		t.Fatal("noExport was ignored")
	}
	const n = 2000
	for i := range n {
		if err := c.SendText(fmt.Sprint(i)); err != nil {
			t.Fatal(err)
		}
	}
	for i := range n {
		_, p, err := c.Read(ctx)
		if err != nil || string(p) != fmt.Sprint(i) {
			t.Fatalf("message %d: %q, %v", i, p, err)
		}
	}
	if err := c.Close(StatusNormalClosure, "done"); err != nil {
		t.Fatal(err)
	}
	if _, _, err := c.Read(ctx); CloseStatus(err) != StatusNormalClosure {
		t.Fatalf("after Close: %v", err)
	}
}

// On a hidden page (throttled timers) a burst's wake-up is a task, not a
// timer: a flood still arrives whole and in order.
func TestHandoffOnAHiddenPage(t *testing.T) {
	dial(t, "/ws/echo", nil) // the hand-off is set up
	handoff.hidden = true
	defer func() { handoff.hidden = js.Global().Get("document").Get("hidden").Truthy() }()
	const n = 3000
	c := dial(t, fmt.Sprintf("/ws/flood?n=%d&size=8", n), nil)
	for i := range n {
		_, p, err := c.Read(testCtx(t))
		if err != nil || p[0] != byte(i) {
			t.Fatalf("message %d: %v %v", i, p, err)
		}
	}
}
