package wsclient

import (
	"errors"
	"slices"
	"strings"
	"testing"
)

func TestPeerCloseCodeAndReasonReachEveryOperation(t *testing.T) {
	c := dial(t, "/ws/close?code=4001&reason=maintenance", nil)
	_, _, err := c.Read(testCtx(t))
	var ce *CloseError
	if !errors.As(err, &ce) || ce.Code != 4001 || ce.Reason != "maintenance" || !ce.WasClean {
		t.Fatalf("Read = %v, want CloseError 4001 maintenance clean", err)
	}
	if CloseStatus(err) != 4001 {
		t.Fatalf("CloseStatus = %v", CloseStatus(err))
	}
	for name, op := range map[string]func() error{
		"SendText":   func() error { return c.SendText("late") },
		"SendBinary": func() error { return c.SendBinary([]byte("late")) },
		"Write":      func() error { return c.Write(testCtx(t), Text, []byte("late")) },
		"Read":       func() error { _, _, err := c.Read(testCtx(t)); return err },
		"Err":        c.Err,
	} {
		err := op()
		if !errors.Is(err, ErrClosed) || CloseStatus(err) != 4001 || !strings.Contains(err.Error(), "maintenance") {
			t.Errorf("%s after close = %v, want the close code and reason", name, err)
		}
	}
	if err := c.Close(StatusNormalClosure, ""); err != nil {
		t.Fatalf("Close after the end = %v, want a no-op", err)
	}
}

func TestServerGoingAwayIsReported(t *testing.T) {
	c := dial(t, "/ws/close?code=1001&reason=shutting+down", nil)
	if ce := waitDone(t, c); ce.Code != StatusGoingAway || ce.Reason != "shutting down" {
		t.Fatalf("close = %+v, want 1001 shutting down", ce)
	}
}

// A close reason that is not UTF-8 fails the connection, as in Chromium:
// error, then close 1006 not clean, and the peer's code is not reported.
func TestInvalidUTF8CloseReasonFailsTheConnection(t *testing.T) {
	r := newRecorder()
	opts := r.options()
	opts.OnMessage = nil
	c, err := Dial(testCtx(t), wsURL("/ws/close?code=4001&reason=ab%ff"), opts)
	if err != nil {
		t.Fatal(err)
	}
	want := []string{"state OPEN", "open", "state CLOSED", "error " + ErrConnection.Error(), "close 1006  false"}
	if got := r.wait(t); !slices.Equal(got, want) {
		t.Fatalf("events = %q, want %q", got, want)
	}
	if _, _, err := c.Read(testCtx(t)); CloseStatus(err) != StatusAbnormalClosure {
		t.Fatalf("Read = %v, want close 1006", err)
	}
}

func TestDroppedConnectionIs1006NotClean(t *testing.T) {
	r := newRecorder()
	if _, err := New(wsURL("/ws/drop"), r.options()); err != nil {
		t.Fatal(err)
	}
	// As Chromium reports it: no error event for a drop after open.
	want := []string{"state OPEN", "open", "state CLOSED", "close 1006  false"}
	if got := r.wait(t); !slices.Equal(got, want) {
		t.Fatalf("events = %q, want %q", got, want)
	}
}

func TestMessagesBeforeCloseAreStillReadable(t *testing.T) {
	const n = 50
	c := dial(t, "/ws/flood?n=50&size=3", nil)
	<-c.Done()
	for i := range n {
		_, p, err := c.Read(testCtx(t))
		if err != nil || p[0] != byte(i) {
			t.Fatalf("Read %d after the close = %v, %v; want the buffered message", i, p, err)
		}
	}
	if _, _, err := c.Read(testCtx(t)); CloseStatus(err) != StatusNormalClosure {
		t.Fatalf("final Read = %v, want close 1000", err)
	}
}

func TestCloseIsANoOpOnceClosing(t *testing.T) {
	c := dial(t, "/ws/echo", nil)
	if err := c.Close(4000, "first"); err != nil {
		t.Fatal(err)
	}
	// The browser cannot finish the handshake before Close returns; the
	// native build can.
	if got := c.ReadyState(); got != Closing && (inBrowser || got != Closed) {
		t.Fatalf("ReadyState after Close = %v, want CLOSING", got)
	}
	if err := c.Close(4001, "second"); err != nil {
		t.Fatalf("second Close = %v, want nil (no-op)", err)
	}
	// Sending while CLOSING reports our own close.
	if err := c.SendText("x"); !errors.Is(err, ErrClosed) || !strings.Contains(err.Error(), "first") {
		t.Fatalf("SendText while CLOSING = %v", err)
	}
	if ce := waitDone(t, c); ce.Code != 4000 || ce.Reason != "first" {
		t.Fatalf("close = %+v, want the first Close's code and reason", ce)
	}
}

func TestCloseWhileConnectingFailsTheConnection(t *testing.T) {
	opened := make(chan struct{})
	c, err := New(wsURL("/ws/hang"), &Options{OnOpen: func() { close(opened) }}) // never opens
	if err != nil {
		t.Fatal(err)
	}
	if err := c.Close(StatusNormalClosure, ""); err != nil {
		t.Fatal(err)
	}
	if ce := waitDone(t, c); ce.Code != StatusAbnormalClosure || ce.WasClean {
		t.Fatalf("close = %+v, want 1006", ce)
	}
	select {
	case <-opened:
		t.Fatal("a connection closed while CONNECTING opened")
	default:
	}
}
