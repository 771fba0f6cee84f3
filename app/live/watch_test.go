package live_test

import (
	"errors"
	"fmt"
	"testing"
	"time"

	"github.com/maxence-charriere/go-app/v10/pkg/app"

	"github.com/duplexgo/duplex/app/live"
	"github.com/duplexgo/duplex/wsclient"
)

// dialFake returns a Feed of a fake connection.
func dialFake(t *testing.T, maxEvents int) (*live.Feed, *fakeSocket) {
	t.Helper()
	s := &fakeSocket{}
	f, err := live.Dialer{Conn: s.dial, MaxEvents: maxEvents}.Dial("ws://fake.test/", nil)
	if err != nil {
		t.Fatal(err)
	}
	return f, s
}

// watchOpen mounts a viewer of a fake connection and plays it opening.
func watchOpen(t *testing.T, maxEvents int) (*live.Feed, *fakeSocket, app.TestEngine, *viewer) {
	t.Helper()
	f, s := dialFake(t, maxEvents)
	e := engine(t)
	v := &viewer{feed: f}
	mount(t, e, v)
	if len(v.snaps) != 1 {
		t.Fatalf("%d snapshots at mount, want the first one at once", len(v.snaps))
	}
	s.move(wsclient.Open)
	waitFor(t, e, "OPEN", func() bool { return v.last().ReadyState == wsclient.Open })
	return f, s, e, v
}

// Messages that arrive between two frames reach the component in one
// snapshot: the next one is not dispatched before the previous one is
// rendered, and it is taken when it runs, so it carries all of them.
func TestWatchCoalescesBetweenFrames(t *testing.T) {
	f, s, e, v := watchOpen(t, 10000)

	// No frame runs while the messages arrive: the test holds the UI
	// goroutine.
	const n = 5000
	before := len(v.snaps)
	s.receive(n, "flood")
	waitFor(t, e, "a snapshot", func() bool { return len(v.snaps) > before })
	if got := len(v.snaps) - before; got != 1 {
		t.Fatalf("%d snapshots for %d messages between two frames, want 1", got, n)
	}
	got := v.last()
	if len(got.Events) != n || got.Dropped != 0 || got.MessagesIn != n || got.BytesIn != n*int64(len("flood")) {
		t.Fatalf("snapshot: %d events, %d dropped, %d messages in, %d bytes in", len(got.Events), got.Dropped, got.MessagesIn, got.BytesIn)
	}
	for _, ev := range got.Events {
		if ev.Kind != live.EventMessage || string(ev.Message.Data) != "flood" {
			t.Fatalf("event %+v", ev)
		}
	}

	// Sends are counted too, and nothing new means no snapshot: the next
	// one comes with the next change.
	if err := f.Send(wsclient.Binary, make([]byte, 10)); err != nil {
		t.Fatal(err)
	}
	waitFor(t, e, "the send", func() bool { return v.last().MessagesOut == 1 })
	if got := v.last(); got.BytesOut != 10 || got.MessagesIn != n || len(got.Events) != 0 {
		t.Errorf("after a send: %+v", got)
	}
}

// A flood while the UI runs costs far fewer snapshots than messages; every
// message is delivered or counted as dropped, and the counters are exact.
func TestWatchFloodIsBatched(t *testing.T) {
	f, s := dialFake(t, 100)
	e := engine(t)
	v := &viewer{feed: f}
	mount(t, e, v)
	const n = 20000
	done := make(chan struct{})
	go func() {
		defer close(done)
		for i := range n {
			s.opts.OnMessage(wsclient.Message{Type: wsclient.Text, Data: fmt.Appendf(nil, "%d", i)})
		}
	}()
	waitFor(t, e, "every message counted", func() bool { return v.last().MessagesIn == n })
	<-done
	seen, dropped := 0, 0
	for _, s := range v.snaps {
		seen += len(s.Events)
		dropped += s.Dropped
		if len(s.Events) > 100 {
			t.Errorf("a snapshot holds %d events, more than MaxEvents", len(s.Events))
		}
	}
	if seen+dropped != n {
		t.Errorf("%d events delivered and %d dropped, want %d in all", seen, dropped, n)
	}
	if len(v.snaps) > n/20 {
		t.Errorf("%d snapshots for %d messages; want batches", len(v.snaps), n)
	}
	if last := v.last().Events; string(last[len(last)-1].Message.Data) != fmt.Sprint(n-1) {
		t.Errorf("the newest message was not delivered last")
	}
}

// Every readyState is shown, in order, even when the connection passes
// through several before the first frame: here the Feed is created, opened
// and closed before any component watches it.
func TestWatchShowsEveryReadyState(t *testing.T) {
	f, s := dialFake(t, 0)
	s.move(wsclient.Open)
	s.opts.OnOpen()
	s.move(wsclient.Closing)
	s.move(wsclient.Open) // stale: readyState never goes back
	s.move(wsclient.Closed)
	s.opts.OnClose(&wsclient.CloseError{Code: 1000, WasClean: true})

	e := engine(t)
	v := &viewer{feed: f}
	mount(t, e, v)
	if got := v.snaps[0].ReadyState; got != wsclient.Connecting {
		t.Fatalf("first snapshot shows %v, want CONNECTING", got)
	}
	waitFor(t, e, "CLOSED", func() bool { return v.last().ReadyState == wsclient.Closed })
	if got := v.states(); got != "CONNECTING OPEN CLOSING CLOSED" {
		t.Errorf("states shown: %s", got)
	}
	var kinds []string
	for _, s := range v.snaps {
		for _, ev := range s.Events {
			kinds = append(kinds, ev.Kind.String())
		}
	}
	if got := fmt.Sprint(kinds); got != "[open close]" {
		t.Errorf("events: %s", got)
	}
	if !v.last().Ended {
		t.Errorf("the last snapshot does not say the connection ended")
	}
	select {
	case <-f.Done():
	default:
		t.Errorf("Done is not closed after the close event")
	}
}

// Dismounting stops the watch: its goroutine ends, and nothing reaches the
// component afterwards.
func TestWatchStopsOnDismount(t *testing.T) {
	base, watching := settledGoroutines(), watches()
	f, s, e, v := watchOpen(t, 0)
	if n := watches(); n != watching+1 {
		t.Fatalf("%d watch goroutines while watching, %d before", n, watching)
	}

	mount(t, e, &other{})
	waitWatches(t, watching)
	waitGoroutines(t, base)
	got := len(v.snaps)
	s.receive(3, "late")
	s.move(wsclient.Closed)
	f.Notify()
	for range 20 { // a watch would dispatch within a frame
		time.Sleep(5 * time.Millisecond)
		e.ConsumeAll()
	}
	if len(v.snaps) != got {
		t.Errorf("%d snapshots after dismount", len(v.snaps)-got)
	}
	if s.closes != 0 {
		t.Errorf("stopping the watch closed the connection")
	}
}

// A Feed outlives the component that watched it: what arrives between two
// pages reaches the next one, and a new watch replaces the previous one.
func TestFeedOutlivesComponent(t *testing.T) {
	base, watching := settledGoroutines(), watches()
	f, s, e, first := watchOpen(t, 0)
	s.receive(2, "seen")
	waitFor(t, e, "two messages", func() bool { return first.last().MessagesIn == 2 })

	mount(t, e, &other{})
	s.receive(3, "missed")
	next := &viewer{feed: f}
	mount(t, e, next)
	got := next.snaps[0]
	if got.ReadyState != wsclient.Open || got.MessagesIn != 5 || len(got.Events) != 3 || string(got.Events[0].Message.Data) != "missed" {
		t.Fatalf("first snapshot of the next page: %v, %d in, events %+v", got.ReadyState, got.MessagesIn, got.Events)
	}

	// Watching again from elsewhere stops the watch under way.
	third := &viewer{feed: f}
	third.stop = live.Watch(next.ctx, f, func(_ app.Context, s live.Snapshot) { third.snaps = append(third.snaps, s) })
	s.receive(1, "third")
	waitFor(t, e, "the third watch", func() bool { return third.last().MessagesIn == 6 })
	if next.last().MessagesIn != 5 {
		t.Errorf("the replaced watch still receives snapshots")
	}
	third.stop()
	third.stop() // twice is harmless
	mount(t, e, &other{})
	waitWatches(t, watching)
	waitGoroutines(t, base)
}

// A reconnecting client: its readyStates come back to CONNECTING and OPEN,
// its state changes and messages arrive in order, and a countdown to the
// next try is shown without a timer of the component's own.
func TestWatchClient(t *testing.T) {
	c := &fakeClient{}
	f, err := live.Dialer{Client: c.dial}.DialClient("ws://fake.test/", nil)
	if err != nil {
		t.Fatal(err)
	}
	if f.Client() == nil {
		t.Fatal("Client is nil")
	}
	e := engine(t)
	v := &viewer{feed: f}
	mount(t, e, v)
	conn := c.open()
	c.opts.OnMessage(wsclient.Message{Type: wsclient.Text, Data: []byte("one")})
	waitFor(t, e, "OPEN", func() bool { return v.last().ReadyState == wsclient.Open && v.last().MessagesIn == 1 })
	conn.set(func(s *fakeSocket) { s.buffered = 7; s.protocol = "echo" })
	waitFor(t, e, "the connection's values", func() bool {
		return v.last().BufferedAmount == 7 && v.last().Protocol == "echo"
	})

	lost := &wsclient.CloseError{Code: wsclient.StatusGoingAway}
	c.lose(lost, 1, 2*time.Second)
	waitFor(t, e, "reconnecting", func() bool { return v.last().Client.Phase == wsclient.PhaseReconnecting })
	waitFor(t, e, "the countdown", func() bool {
		s := v.last()
		return s.ReadyState == wsclient.Closed && s.NextIn > 0 && s.NextIn <= 2*time.Second && s.NextIn%(100*time.Millisecond) == 0
	})
	if got := v.last(); got.Protocol != "" || got.BufferedPeak != 7 {
		t.Errorf("between connections: protocol %q, peak %d", got.Protocol, got.BufferedPeak)
	}
	shown := v.last().NextIn
	waitFor(t, e, "the countdown to move", func() bool { return v.last().NextIn < shown })

	c.lose(lost, 2, 0) // the next attempt is due: under way
	waitFor(t, e, "CONNECTING", func() bool { return v.last().ReadyState == wsclient.Connecting })
	c.open()
	waitFor(t, e, "OPEN again", func() bool { return v.last().ReadyState == wsclient.Open })
	c.end(errors.New("gone"))
	waitFor(t, e, "the end", func() bool { return v.last().Ended && v.last().ReadyState == wsclient.Closed })

	if got := v.states(); got != "CONNECTING OPEN CLOSED CONNECTING OPEN CLOSED" {
		t.Errorf("states shown: %s", got)
	}
	var got []string
	for _, s := range v.snaps {
		for _, ev := range s.Events {
			switch ev.Kind {
			case live.EventClientState:
				got = append(got, fmt.Sprint(int(ev.Client.Phase), "/", ev.Client.Attempt))
			case live.EventMessage:
				got = append(got, string(ev.Message.Data))
			}
		}
	}
	if want := "[1/0 one 2/1 2/2 1/0 3/0]"; fmt.Sprint(got) != want {
		t.Errorf("events: %v, want %s", got, want)
	}
	mount(t, e, &other{})
}
