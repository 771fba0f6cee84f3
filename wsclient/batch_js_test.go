//go:build js && wasm

package wsclient

import (
	"errors"
	"fmt"
	"slices"
	"strings"
	"testing"
	"time"
)

// busy keeps Go running for d without yielding, so the browser cannot
// dispatch events: they queue, as they do behind a long task on a busy page,
// and arrive together afterwards.
func busy(d time.Duration) {
	for start := time.Now(); time.Since(start) < d; {
	}
}

// Messages and a close that arrive in one batch keep the browser's order:
// open, every message, then the close — through callbacks and through Read.
func TestCloseInTheSameBatchAsMessages(t *testing.T) {
	const n = 300
	r := newRecorder()
	if _, err := New(wsURL(fmt.Sprintf("/ws/flood?n=%d&size=1", n)), r.options()); err != nil {
		t.Fatal(err)
	}
	busy(500 * time.Millisecond) // open, the flood and the close queue up
	want := []string{"state OPEN", "open"}
	for i := range n {
		want = append(want, fmt.Sprintf("message binary %s", []byte{byte(i)}))
	}
	want = append(want, "state CLOSED", "close 1000 flood done true")
	if got := r.wait(t); !slices.Equal(got, want) {
		t.Fatalf("events (%d) differ from the browser's order; first difference at %d", len(got), firstDiff(got, want))
	}

	c, err := New(wsURL(fmt.Sprintf("/ws/flood?n=%d&size=1", n)), nil)
	if err != nil {
		t.Fatal(err)
	}
	busy(500 * time.Millisecond)
	for i := range n {
		_, p, err := c.Read(testCtx(t))
		if err != nil || len(p) != 1 || p[0] != byte(i) {
			t.Fatalf("Read %d = %v, %v", i, p, err)
		}
	}
	if _, _, err := c.Read(testCtx(t)); CloseStatus(err) != StatusNormalClosure {
		t.Fatalf("after the messages, Read = %v, want close 1000", err)
	}
}

func firstDiff(a, b []string) int {
	for i := range min(len(a), len(b)) {
		if a[i] != b[i] {
			return i
		}
	}
	return min(len(a), len(b))
}

// Go is entered once per batch, not once per message.
func TestMessagesReachGoInBatches(t *testing.T) {
	const n = 2000
	c := dial(t, fmt.Sprintf("/ws/flood?n=%d&size=8", n), nil)
	before := handoff.schedules
	busy(500 * time.Millisecond)
	for i := range n {
		if _, _, err := c.Read(testCtx(t)); err != nil {
			t.Fatalf("message %d: %v", i, err)
		}
	}
	if got := handoff.schedules - before; got > n/10 {
		t.Fatalf("%d messages entered Go %d times: not batched", n, got)
	}
}

// The receive bounds count what waits on the JavaScript side: past them the
// connection closes with 4008 and every refused message is counted.
func TestReceiveBoundsCountWhatWaitsInTheBrowser(t *testing.T) {
	const n = 1000
	c := dial(t, "/ws/echo", &Options{MaxPendingMessages: 100})
	for i := range n {
		if err := c.SendText(fmt.Sprint(i)); err != nil {
			t.Fatal(err)
		}
	}
	busy(500 * time.Millisecond) // the echoes wait on the JavaScript side
	got := 0
	var err error
	for {
		if _, _, err = c.Read(testCtx(t)); err != nil {
			break
		}
		got++
	}
	if !errors.Is(err, ErrReceiveOverflow) || got > 100 {
		t.Fatalf("after %d messages Read = %v, want ErrReceiveOverflow within 100 messages", got, err)
	}
	// What had reached the page when the bound was crossed is counted (the
	// browser itself discards what arrives after close()).
	if !strings.Contains(err.Error(), "were refused") || strings.Contains(err.Error(), " 0 more") {
		t.Fatalf("the error does not count the refused messages: %v", err)
	}
	if ce := waitDone(t, c); ce.Code != StatusReceiveOverflow {
		t.Fatalf("close = %+v, want %d", ce, StatusReceiveOverflow)
	}
}

// Sending allocates nothing beyond what crosses to the browser.
func TestSendAllocatesNothing(t *testing.T) {
	c := dial(t, "/ws/echo", nil)
	text, bin := strings.Repeat("x", 32), make([]byte, 32)
	ctx := testCtx(t)
	for name, send := range map[string]func(){
		"SendText":   func() { c.SendText(text) },
		"SendBinary": func() { c.SendBinary(bin) },
		"Write":      func() { c.Write(ctx, Binary, bin) },
	} {
		if n := testing.AllocsPerRun(200, send); n != 0 {
			t.Errorf("%s allocates %v times per call", name, n)
		}
	}
}
