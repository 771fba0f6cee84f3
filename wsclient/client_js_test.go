//go:build js && wasm

package wsclient

import (
	"errors"
	"syscall/js"
	"testing"
	"time"
)

func dispatch(target js.Value, event string) {
	target.Call("dispatchEvent", js.Global().Get("Event").New(event))
}

// offline marks the connection down; online reconnects at once, without
// waiting for the backoff (here an hour).
func TestClientFollowsOfflineAndOnline(t *testing.T) {
	p := newPhases()
	c, err := newClient(wsURL("/ws/echo"), &ClientOptions{OnStateChange: p.record})
	if err != nil {
		t.Fatal(err)
	}
	c.delay = func(int) time.Duration { return time.Hour }
	c.net = watchNetwork()
	go c.run()
	defer func() { c.Close(StatusNormalClosure, ""); <-c.Done() }()

	open := p.waitFor(t, 0, "open", isPhase(PhaseOpen))
	dispatch(js.Global(), "offline")
	r := p.waitFor(t, open, "reconnecting", isPhase(PhaseReconnecting))
	if err := p.states[r].Err; !errors.Is(err, ErrOffline) {
		t.Fatalf("offline ended the connection with %v", err)
	}
	dispatch(js.Global(), "online")
	p.waitFor(t, r, "open again", isPhase(PhaseOpen))

	// An explicit Close is not undone by online.
	c.Close(StatusNormalClosure, "bye")
	<-c.Done()
	dispatch(js.Global(), "online")
	time.Sleep(50 * time.Millisecond)
	if ph := c.State().Phase; ph != PhaseClosed {
		t.Fatalf("phase after Close and online = %v", ph)
	}
}

// Becoming visible checks liveness at once: a ping goes out without waiting
// for the next heartbeat tick (here an hour away).
func TestClientPingsWhenThePageBecomesVisible(t *testing.T) {
	pongs := make(chan struct{}, 4)
	c, p := startClient(t, wsURL("/ws/echo"), &ClientOptions{
		Heartbeat: Heartbeat{
			Interval: time.Hour,
			IsPong: func(m Message) bool {
				if string(m.Data) == "ping" {
					pongs <- struct{}{}
					return true
				}
				return false
			},
		},
	})
	p.waitFor(t, 0, "open", isPhase(PhaseOpen))
	dispatch(js.Global().Get("document"), "visibilitychange")
	select {
	case <-pongs:
	case <-testCtx(t).Done():
		t.Fatal("no ping after the page became visible")
	}
	_ = c
}

// The Client's listeners are released when it ends.
func TestClientReleasesItsListeners(t *testing.T) {
	waitQuiet(t)
	before := liveFuncs.Load()
	c, err := NewClient(wsURL("/ws/echo"), nil)
	if err != nil {
		t.Fatal(err)
	}
	if liveFuncs.Load() <= before {
		t.Fatal("the client holds no listeners: the counter is not counting")
	}
	c.Close(StatusNormalClosure, "")
	<-c.Done()
	deadline := time.Now().Add(30 * time.Second)
	for liveFuncs.Load() != before && time.Now().Before(deadline) {
		time.Sleep(10 * time.Millisecond)
	}
	if n := liveFuncs.Load(); n != before {
		t.Fatalf("live callbacks %d, want %d", n, before)
	}
}
