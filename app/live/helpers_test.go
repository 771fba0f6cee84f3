package live_test

import (
	"os"
	"runtime"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/maxence-charriere/go-app/v10/pkg/app"

	"github.com/duplexgo/duplex/app/live"
	"github.com/duplexgo/duplex/wsclient"
)

// echoURL is the echo endpoint of wsclient/wstest: served on 127.0.0.1 by
// the native tests (endpoints_native_test.go), by the wasmexec runner in
// the browser.
func echoURL() string {
	return "ws" + strings.TrimPrefix(os.Getenv("WSTEST_ORIGIN"), "http") + "/ws/echo"
}

// fakeSocket is a Socket whose live values the test sets; the test plays
// the browser's events through the options it was dialed with.
type fakeSocket struct {
	opts *wsclient.Options

	mu       sync.Mutex
	state    wsclient.State
	buffered int
	protocol string
	sent     int
	closes   int
}

// dial is a Dialer.Conn that hands out s.
func (s *fakeSocket) dial(url string, opts *wsclient.Options) (live.Socket, error) {
	s.opts = opts
	return s, nil
}

func (s *fakeSocket) ReadyState() wsclient.State    { s.mu.Lock(); defer s.mu.Unlock(); return s.state }
func (s *fakeSocket) BufferedAmount() int           { s.mu.Lock(); defer s.mu.Unlock(); return s.buffered }
func (s *fakeSocket) Protocol() string              { s.mu.Lock(); defer s.mu.Unlock(); return s.protocol }
func (s *fakeSocket) Extensions() string            { return "" }
func (s *fakeSocket) Transport() wsclient.Transport { return wsclient.TransportWebSocket }
func (s *fakeSocket) URL() string                   { return "ws://fake.test/" }

func (s *fakeSocket) SendText(string) error { return s.SendBinary(nil) }

func (s *fakeSocket) SendBinary(p []byte) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.sent++
	s.buffered += len(p)
	return nil
}

func (s *fakeSocket) Close(wsclient.StatusCode, string) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.closes++
	return nil
}

// move sets the readyState and reports it, as the browser does.
func (s *fakeSocket) move(st wsclient.State) {
	s.mu.Lock()
	s.state = st
	s.mu.Unlock()
	s.opts.OnStateChange(st)
}

// receive plays n text messages arriving.
func (s *fakeSocket) receive(n int, text string) {
	for range n {
		s.opts.OnMessage(wsclient.Message{Type: wsclient.Text, Data: []byte(text)})
	}
}

// viewer is a component that watches a Feed from mount to dismount and
// records every snapshot it is given. It watches from OnPreRender too:
// natively go-app's test engine prerenders, as a server does, and calls
// OnMount only in the browser.
type viewer struct {
	app.Compo
	feed *live.Feed
	stop func()
	ctx  app.Context

	snaps []live.Snapshot // written on the UI goroutine: read them there
}

func (v *viewer) OnPreRender(ctx app.Context) { v.OnMount(ctx) }

func (v *viewer) OnMount(ctx app.Context) {
	v.ctx = ctx
	v.stop = live.Watch(ctx, v.feed, func(_ app.Context, s live.Snapshot) {
		v.snaps = append(v.snaps, s)
	})
}

func (v *viewer) OnDismount() { v.stop() }

func (v *viewer) Render() app.UI {
	return app.P().Textf("%d snapshots", len(v.snaps))
}

// last returns the latest snapshot.
func (v *viewer) last() live.Snapshot { return v.snaps[len(v.snaps)-1] }

// states returns the readyStates the snapshots showed, repeats folded.
func (v *viewer) states() string {
	var list []string
	for _, s := range v.snaps {
		if st := s.ReadyState.String(); len(list) == 0 || list[len(list)-1] != st {
			list = append(list, st)
		}
	}
	return strings.Join(list, " ")
}

// other is the page a test navigates to, dismounting the one before.
type other struct{ app.Compo }

func (*other) Render() app.UI { return app.P().Text("elsewhere") }

// engine returns a test engine whose page is dismounted when the test ends,
// so that no watch outlives its test.
func engine(t *testing.T) app.TestEngine {
	e := app.NewTestEngine()
	t.Cleanup(func() {
		if err := e.Load(&other{}); err != nil {
			t.Error(err)
		}
		e.ConsumeAll()
	})
	return e
}

// mount loads c in e and runs it until its first render.
func mount(t *testing.T, e app.TestEngine, c app.Composer) {
	t.Helper()
	if err := e.Load(c); err != nil {
		t.Fatal(err)
	}
	e.ConsumeAll()
}

// waitFor runs the engine (the UI goroutine is the test's) until cond holds,
// or fails after a generous deadline: watches dispatch from their own
// goroutine about once a frame.
func waitFor(t *testing.T, e app.TestEngine, what string, cond func() bool) {
	t.Helper()
	for deadline := time.Now().Add(20 * time.Second); ; time.Sleep(time.Millisecond) {
		e.ConsumeAll()
		if cond() {
			return
		}
		if time.Now().After(deadline) {
			t.Fatalf("timed out waiting for %s", what)
		}
	}
}

// settledGoroutines waits until the goroutine count stops falling and
// returns it: goroutines of earlier tests may still be ending.
func settledGoroutines() int {
	n := runtime.NumGoroutine()
	for range 50 {
		time.Sleep(20 * time.Millisecond)
		m := runtime.NumGoroutine()
		if m >= n {
			return m
		}
		n = m
	}
	return n
}

// watches counts the goroutines running a watch.
func watches() int {
	buf := make([]byte, 64<<10)
	for {
		n := runtime.Stack(buf, true)
		if n < len(buf) {
			return strings.Count(string(buf[:n]), "live.(*watcher).run(")
		}
		buf = make([]byte, 2*len(buf))
	}
}

// waitWatches waits, up to a generous deadline, for the count of watch
// goroutines to fall to want, and fails if it does not.
func waitWatches(t *testing.T, want int) {
	t.Helper()
	for deadline := time.Now().Add(20 * time.Second); watches() != want; time.Sleep(10 * time.Millisecond) {
		if time.Now().After(deadline) {
			t.Fatalf("%d watch goroutines, want %d", watches(), want)
		}
	}
}

// waitGoroutines waits, up to a generous deadline, for the goroutine count
// to fall back to want, and fails if it does not.
func waitGoroutines(t *testing.T, want int) {
	t.Helper()
	deadline := time.Now().Add(20 * time.Second)
	for runtime.NumGoroutine() > want {
		if time.Now().After(deadline) {
			buf := make([]byte, 1<<20)
			t.Fatalf("goroutines: %d, want %d\n%s", runtime.NumGoroutine(), want, buf[:runtime.Stack(buf, true)])
		}
		time.Sleep(10 * time.Millisecond)
	}
}

// set changes the socket's live values under its lock.
func (s *fakeSocket) set(fn func(s *fakeSocket)) {
	s.mu.Lock()
	defer s.mu.Unlock()
	fn(s)
}

// fakeClient is a ClientSocket whose connections the test opens and loses,
// reporting each state as a wsclient.Client does.
type fakeClient struct {
	opts *wsclient.ClientOptions

	mu    sync.Mutex
	conn  *fakeSocket
	state wsclient.ClientState
}

// dial is a Dialer.Client that hands out c.
func (c *fakeClient) dial(url string, opts *wsclient.ClientOptions) (live.ClientSocket, error) {
	c.opts = opts
	return c, nil
}

func (c *fakeClient) Conn() live.Socket {
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.conn == nil {
		return nil
	}
	return c.conn
}

func (c *fakeClient) State() wsclient.ClientState { c.mu.Lock(); defer c.mu.Unlock(); return c.state }
func (c *fakeClient) Stats() wsclient.ClientStats { return wsclient.ClientStats{} }

func (c *fakeClient) Send(wsclient.MessageType, []byte) error { return nil }
func (c *fakeClient) Close(wsclient.StatusCode, string) error { return nil }

// to sets the state and the open connection, then reports the state.
func (c *fakeClient) to(st wsclient.ClientState, conn *fakeSocket) {
	c.mu.Lock()
	c.state, c.conn = st, conn
	c.mu.Unlock()
	c.opts.OnStateChange(st)
}

// open plays a connection opening.
func (c *fakeClient) open() *fakeSocket {
	s := &fakeSocket{state: wsclient.Open}
	c.to(wsclient.ClientState{Phase: wsclient.PhaseOpen}, s)
	return s
}

// lose plays the connection ending, or an attempt failing; the next attempt
// is due after wait.
func (c *fakeClient) lose(err error, attempt int, wait time.Duration) {
	c.to(wsclient.ClientState{Phase: wsclient.PhaseReconnecting, Attempt: attempt, NextTry: time.Now().Add(wait), Err: err}, nil)
}

// end plays the client ending.
func (c *fakeClient) end(err error) {
	c.to(wsclient.ClientState{Phase: wsclient.PhaseClosed, Err: err}, nil)
}
