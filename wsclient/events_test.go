package wsclient

import (
	"errors"
	"fmt"
	"slices"
	"sync"
	"testing"
	"time"
)

// recorder logs every callback as a line, in the order they ran.
type recorder struct {
	mu     sync.Mutex
	events []string
	closed chan struct{}
}

func newRecorder() *recorder { return &recorder{closed: make(chan struct{})} }

func (r *recorder) add(s string) {
	r.mu.Lock()
	r.events = append(r.events, s)
	r.mu.Unlock()
}

func (r *recorder) options() *Options {
	return &Options{
		OnOpen:    func() { r.add("open") },
		OnMessage: func(m Message) { r.add(fmt.Sprintf("message %v %s", m.Type, m.Data)) },
		OnError:   func(err error) { r.add("error " + err.Error()) },
		OnClose: func(ce *CloseError) {
			r.add(fmt.Sprintf("close %d %s %v", ce.Code, ce.Reason, ce.WasClean))
			close(r.closed)
		},
		OnStateChange: func(s State) { r.add("state " + s.String()) },
	}
}

func (r *recorder) wait(t *testing.T) []string {
	t.Helper()
	select {
	case <-r.closed:
	case <-testCtx(t).Done():
		t.Fatal("no close event")
	}
	r.mu.Lock()
	defer r.mu.Unlock()
	return slices.Clone(r.events)
}

func TestCallbacksFollowTheBrowsersOrder(t *testing.T) {
	r := newRecorder()
	if _, err := New(wsURL("/ws/close?code=4001&reason=bye"), r.options()); err != nil {
		t.Fatal(err)
	}
	want := []string{"state OPEN", "open", "state CLOSED", "close 4001 bye true"}
	if got := r.wait(t); !slices.Equal(got, want) {
		t.Fatalf("events = %q, want %q", got, want)
	}
}

func TestFailedConnectionReportsErrorThenClose(t *testing.T) {
	r := newRecorder()
	if _, err := New(wsURL("/ws/reject"), r.options()); err != nil {
		t.Fatal(err)
	}
	want := []string{"state CLOSED", "error " + ErrConnection.Error(), "close 1006  false"}
	if got := r.wait(t); !slices.Equal(got, want) {
		t.Fatalf("events = %q, want %q", got, want)
	}
}

func TestMessagesAndOwnCloseAreEvents(t *testing.T) {
	r := newRecorder()
	opts := r.options()
	var c *Conn
	opened := make(chan struct{})
	onOpen := opts.OnOpen
	opts.OnOpen = func() { onOpen(); close(opened) }
	c, err := New(wsURL("/ws/echo"), opts)
	if err != nil {
		t.Fatal(err)
	}
	<-opened
	c.SendText("hi")
	c.SendBinary([]byte("yo"))
	// Wait for both echoes before closing.
	for {
		r.mu.Lock()
		n := len(r.events)
		r.mu.Unlock()
		if n >= 4 {
			break
		}
		select {
		case <-testCtx(t).Done():
			t.Fatal("echoes never arrived")
		default:
		}
		time.Sleep(5 * time.Millisecond)
	}
	if err := c.Close(4000, "done"); err != nil {
		t.Fatal(err)
	}
	want := []string{"state OPEN", "open", "message text hi", "message binary yo", "state CLOSING", "state CLOSED", "close 4000 done true"}
	if got := r.wait(t); !slices.Equal(got, want) {
		t.Fatalf("events = %q, want %q", got, want)
	}
}

func TestReadIsRefusedWhenOnMessageIsSet(t *testing.T) {
	c := dial(t, "/ws/echo", &Options{OnMessage: func(Message) {}})
	if _, _, err := c.Read(testCtx(t)); !errors.Is(err, ErrOnMessageSet) {
		t.Fatalf("Read with OnMessage set = %v, want ErrOnMessageSet", err)
	}
}

// OnMessageSync gets every message, in order, and may reply from inside:
// a ping-pong driven entirely by the handler completes. Read is refused.
func TestOnMessageSyncRepliesFromInside(t *testing.T) {
	const rounds = 300
	done := make(chan error, 1)
	var c *Conn
	next := 0
	opts := &Options{OnMessageSync: func(m Message) {
		if string(m.Data) != fmt.Sprint(next) {
			done <- fmt.Errorf("echo %q, want %d", m.Data, next)
			return
		}
		next++
		if next == rounds {
			done <- nil
			return
		}
		if err := c.SendText(fmt.Sprint(next)); err != nil {
			done <- err
		}
	}}
	c = dial(t, "/ws/echo", opts)
	if _, _, err := c.Read(testCtx(t)); !errors.Is(err, ErrOnMessageSet) {
		t.Fatalf("Read with OnMessageSync set = %v, want ErrOnMessageSet", err)
	}
	if err := c.SendText("0"); err != nil {
		t.Fatal(err)
	}
	select {
	case err := <-done:
		if err != nil {
			t.Fatal(err)
		}
	case <-testCtx(t).Done():
		t.Fatalf("ping-pong stopped after %d rounds", next)
	}
}
