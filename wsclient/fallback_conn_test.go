package wsclient

import (
	"slices"
	"testing"
	"time"
)

// A WebSocket refused before open, then a fallback refused too, reports
// one failure, as a refused handshake alone does: the abandoned attempt's
// events never reach the application, and nothing is remembered.
func TestFallbackRefusedBothWaysReportsOneFailure(t *testing.T) {
	r := newRecorder()
	o := r.options()
	o.Fallback = &FallbackOptions{}
	c, err := New(wsURL("/ws/reject"), o)
	if err != nil {
		t.Fatal(err)
	}
	want := []string{"state CLOSED", "error " + ErrConnection.Error(), "close 1006  false"}
	if got := r.wait(t); !slices.Equal(got, want) {
		t.Fatalf("events = %q, want %q", got, want)
	}
	if c.ReadyState() != Closed {
		t.Fatalf("readyState %v", c.ReadyState())
	}
	if fallbackRemembered(originOf(c.URL())) {
		t.Fatal("a fallback that failed too was remembered")
	}
}

// An HTTP transport without Options.Fallback is refused.
func TestFallbackForcedNeedsFallbackOptions(t *testing.T) {
	if _, err := New(wsURL("/ws/echo"), &Options{Transport: TransportHTTPStream}); err == nil {
		t.Fatal("no error")
	}
}

// forget clears the memory of the fallback for url's origin, so that a
// test starts with a WebSocket attempt.
func forget(t *testing.T, url string) {
	rememberFallback(originOf(url), false)
	t.Cleanup(func() { rememberFallback(originOf(url), false) })
}

func TestOriginOf(t *testing.T) {
	for in, want := range map[string]string{
		"ws://h:1/a?b":      "ws://h:1",
		"wss://h":           "wss://h",
		"ws://h?x=1":        "ws://h",
		"wss://user@h:2/p/": "wss://user@h:2",
	} {
		if got := originOf(in); got != want {
			t.Errorf("originOf(%q) = %q, want %q", in, got, want)
		}
	}
}

// A WebSocket handshake that does not complete in time is abandoned for
// the fallback without a trace in the events: CONNECTING, then OPEN.
func TestFallbackAfterHandshakeTimeout(t *testing.T) {
	f := newFakeFallback()
	saved := fallbackBackend
	fallbackBackend = func() httpBackend { return f }
	t.Cleanup(func() { fallbackBackend = saved })
	url := wsURL("/ws/hang")
	forget(t, url)
	r := newRecorder()
	o := r.options()
	o.OnMessage = nil
	o.Fallback = &FallbackOptions{HandshakeTimeout: 300 * time.Millisecond}
	c, err := New(url, o)
	if err != nil {
		t.Fatal(err)
	}
	select {
	case <-c.opened:
	case <-testCtx(t).Done():
		t.Fatal("never opened")
	}
	if tr := c.Transport(); tr != TransportHTTPStream {
		t.Fatalf("Transport() = %v", tr)
	}
	echoNumbered(t, c, 20)
	if !fallbackRemembered(originOf(url)) {
		t.Fatal("the fallback is not remembered")
	}
	c.Close(4000, "x")
	want := []string{"state OPEN", "open", "state CLOSING", "state CLOSED", "close 4000 x true"}
	if got := r.wait(t); !slices.Equal(got, want) {
		t.Fatalf("events = %q, want %q", got, want)
	}
}
