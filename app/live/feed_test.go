package live

import (
	"errors"
	"strings"
	"testing"

	"github.com/duplexgo/duplex/wsclient"
)

// shownStates takes snapshots until no state is pending and returns the
// readyStates they show.
func shownStates(f *Feed) string {
	var got []string
	for {
		f.mu.Lock()
		pending := len(f.states)
		f.mu.Unlock()
		if pending == 0 {
			return strings.Join(got, " ")
		}
		got = append(got, f.take().ReadyState.String())
	}
}

// A plain connection's readyState only moves forward: stale news is
// ignored, and each state is shown once, in order, from CONNECTING.
func TestFeedStatesForward(t *testing.T) {
	f := Dialer{}.newFeed()
	for _, s := range []wsclient.State{wsclient.Open, wsclient.Connecting, wsclient.Closing, wsclient.Open, wsclient.Closed, wsclient.Closed} {
		f.pushState(s, false)
	}
	if got := shownStates(f); got != "CONNECTING OPEN CLOSING CLOSED" {
		t.Errorf("states shown: %s", got)
	}
	if s := f.take(); s.ReadyState != wsclient.Closed {
		t.Errorf("with nothing pending a snapshot shows %v, want the last state shown", s.ReadyState)
	}
}

// Under a Client every change is shown, in order, even as the states come
// back to CONNECTING; only repeats are folded.
func TestFeedStatesAnyOrder(t *testing.T) {
	f := Dialer{}.newFeed()
	for _, s := range []wsclient.State{wsclient.Connecting, wsclient.Open, wsclient.Open, wsclient.Closed, wsclient.Connecting, wsclient.Closed, wsclient.Connecting, wsclient.Open} {
		f.pushState(s, true)
	}
	if got, want := shownStates(f), "CONNECTING OPEN CLOSED CONNECTING CLOSED CONNECTING OPEN"; got != want {
		t.Errorf("states shown: %s, want %s", got, want)
	}
}

// Past MaxEvents the oldest events go, counted; the newest stay.
func TestFeedEventsBounded(t *testing.T) {
	f := Dialer{MaxEvents: 3}.newFeed()
	for i := range 10 {
		f.received(wsclient.Message{Data: []byte{byte(i)}})
	}
	s := f.take()
	if len(s.Events) != 3 || s.Dropped != 7 || s.Events[0].Message.Data[0] != 7 || s.MessagesIn != 10 {
		t.Fatalf("%d events from %v, %d dropped, %d in", len(s.Events), s.Events[0].Message.Data, s.Dropped, s.MessagesIn)
	}
	if s := f.take(); len(s.Events) != 0 || s.Dropped != 0 {
		t.Errorf("a second snapshot repeats events: %+v", s)
	}

	none := Dialer{MaxEvents: -1}.newFeed()
	none.received(wsclient.Message{Data: []byte("x")})
	if s := none.take(); len(s.Events) != 0 || s.Dropped != 0 || s.MessagesIn != 1 || s.BytesIn != 1 {
		t.Errorf("MaxEvents -1: %+v", s)
	}
}

// The caller's callbacks run before the Feed records each event, so that a
// snapshot showing an event also shows what its callback did.
func TestFeedCallsCallbacksFirst(t *testing.T) {
	f := Dialer{}.newFeed()
	var seen []string
	check := func(what string, wantIn int64) {
		f.mu.Lock()
		in := f.cur.MessagesIn
		f.mu.Unlock()
		if in != wantIn {
			t.Errorf("%s: the Feed counted %d messages before the callback returned", what, in)
		}
		seen = append(seen, what)
	}
	o := f.options(&wsclient.Options{
		Protocols:     []string{"echo"},
		OnStateChange: func(wsclient.State) { check("state", 0) },
		OnOpen:        func() { check("open", 0) },
		OnMessage:     func(wsclient.Message) { check("message", 0) },
		OnError:       func(error) { check("error", 1) },
		OnClose:       func(*wsclient.CloseError) { check("close", 1) },
	})
	if o.Protocols[0] != "echo" || o.OnMessageSync != nil {
		t.Errorf("options: %+v", o)
	}
	o.OnStateChange(wsclient.Open)
	o.OnOpen()
	o.OnMessage(wsclient.Message{})
	o.OnError(wsclient.ErrConnection)
	o.OnClose(&wsclient.CloseError{Code: 1006})
	if got := strings.Join(seen, " "); got != "state open message error close" {
		t.Errorf("callbacks: %s", got)
	}
	if s := f.take(); len(s.Events) != 4 || !s.Ended || s.Events[3].Close.Code != 1006 || !errors.Is(s.Events[2].Err, wsclient.ErrConnection) {
		t.Errorf("snapshot: %+v", s)
	}

	// OnMessageSync stays synchronous, and is followed too.
	g := Dialer{}.newFeed()
	o = g.options(&wsclient.Options{OnMessageSync: func(wsclient.Message) {}})
	if o.OnMessage != nil || o.OnMessageSync == nil {
		t.Fatalf("OnMessageSync was replaced")
	}
	o.OnMessageSync(wsclient.Message{Data: []byte("abc")})
	if s := g.take(); s.MessagesIn != 1 || s.BytesIn != 3 {
		t.Errorf("sync message not counted: %+v", s)
	}
}

// A Client's callbacks are followed the same way; PhaseClosed ends the Feed.
func TestFeedClientCallbacks(t *testing.T) {
	f := Dialer{}.newFeed()
	var undelivered int
	o := f.clientOptions(&wsclient.ClientOptions{OnUndelivered: func(wsclient.Message, error) { undelivered++ }})
	o.OnStateChange(wsclient.ClientState{Phase: wsclient.PhaseOpen})
	o.OnMessage(wsclient.Message{Data: []byte("hi")})
	o.OnUndelivered(wsclient.Message{Data: []byte("lost")}, wsclient.ErrClosed)
	select {
	case <-f.Done():
		t.Fatal("Done before the end")
	default:
	}
	o.OnStateChange(wsclient.ClientState{Phase: wsclient.PhaseClosed})
	<-f.Done()
	s := f.take()
	var kinds []string
	for _, e := range s.Events {
		kinds = append(kinds, e.Kind.String())
	}
	if got := strings.Join(kinds, " "); got != "client-state message undelivered client-state" || undelivered != 1 || !s.Ended {
		t.Errorf("events %s, %d undelivered reported, ended %t", got, undelivered, s.Ended)
	}
}

// A dial that fails returns no Feed.
func TestDialError(t *testing.T) {
	bad := errors.New("refused")
	if f, err := (Dialer{Conn: func(string, *wsclient.Options) (Socket, error) { return nil, bad }}).Dial("ws://x/", nil); f != nil || err != bad {
		t.Errorf("Dial = %v, %v", f, err)
	}
	if f, err := (Dialer{Client: func(string, *wsclient.ClientOptions) (ClientSocket, error) { return nil, bad }}).DialClient("ws://x/", nil); f != nil || err != bad {
		t.Errorf("DialClient = %v, %v", f, err)
	}
	if f, err := Dial("ftp://x/", nil); f != nil || !errors.Is(err, wsclient.ErrSyntax) {
		t.Errorf("Dial with a bad scheme = %v, %v", f, err)
	}
}
