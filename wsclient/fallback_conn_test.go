package wsclient

import (
	"slices"
	"testing"
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
