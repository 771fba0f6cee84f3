package ui

import (
	"fmt"
	"regexp"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/maxence-charriere/go-app/v10/pkg/app"

	"github.com/duplexgo/duplex/app/live"
	"github.com/duplexgo/duplex/wsclient"
)

// fakeSocket is a live.Socket for native tests: it records sends and closes, and
// its live values are set by the test. Like wsclient's browser transport,
// its bufferedAmount grows with each send until the test drains it.
type fakeSocket struct {
	mu         sync.Mutex
	url        string
	state      wsclient.State
	buffered   int
	protocol   string
	extensions string
	transport  wsclient.Transport
	sent       []wsclient.Message
	closes     []closeCall
	sendErr    error
}

func (f *fakeSocket) ReadyState() wsclient.State { f.mu.Lock(); defer f.mu.Unlock(); return f.state }
func (f *fakeSocket) BufferedAmount() int        { f.mu.Lock(); defer f.mu.Unlock(); return f.buffered }
func (f *fakeSocket) Protocol() string           { f.mu.Lock(); defer f.mu.Unlock(); return f.protocol }
func (f *fakeSocket) Extensions() string         { f.mu.Lock(); defer f.mu.Unlock(); return f.extensions }
func (f *fakeSocket) Transport() wsclient.Transport {
	f.mu.Lock()
	defer f.mu.Unlock()
	return f.transport
}
func (f *fakeSocket) URL() string { f.mu.Lock(); defer f.mu.Unlock(); return f.url }

func (f *fakeSocket) send(m wsclient.Message) error {
	f.mu.Lock()
	defer f.mu.Unlock()
	if f.sendErr != nil {
		return f.sendErr
	}
	f.sent = append(f.sent, m)
	f.buffered += len(m.Data)
	return nil
}

func (f *fakeSocket) SendText(s string) error {
	return f.send(wsclient.Message{Type: wsclient.Text, Data: []byte(s)})
}

func (f *fakeSocket) SendBinary(p []byte) error {
	return f.send(wsclient.Message{Type: wsclient.Binary, Data: append([]byte(nil), p...)})
}

func (f *fakeSocket) Close(code wsclient.StatusCode, reason string) error {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.closes = append(f.closes, closeCall{code, reason})
	if f.state < wsclient.Closing {
		f.state = wsclient.Closing
	}
	return nil
}

func (f *fakeSocket) set(fn func(f *fakeSocket)) {
	f.mu.Lock()
	defer f.mu.Unlock()
	fn(f)
}

func (f *fakeSocket) sentMessages() []wsclient.Message {
	f.mu.Lock()
	defer f.mu.Unlock()
	return append([]wsclient.Message(nil), f.sent...)
}

func (f *fakeSocket) closeCalls() []closeCall {
	f.mu.Lock()
	defer f.mu.Unlock()
	return append([]closeCall(nil), f.closes...)
}

// fakeDialer hands out fakeSockets and keeps the options of each dial, whose
// callbacks the tests call to play the browser's events.
type fakeDialer struct {
	mu    sync.Mutex
	urls  []string
	opts  []*wsclient.Options
	socks []*fakeSocket
	err   error
}

func (d *fakeDialer) dial(url string, opts *wsclient.Options) (live.Socket, error) {
	d.mu.Lock()
	defer d.mu.Unlock()
	if d.err != nil {
		return nil, d.err
	}
	s := &fakeSocket{url: url, state: wsclient.Connecting}
	d.urls = append(d.urls, url)
	d.opts = append(d.opts, opts)
	d.socks = append(d.socks, s)
	return s, nil
}

// last returns the latest connection's socket and options.
func (d *fakeDialer) last(t *testing.T) (*fakeSocket, *wsclient.Options) {
	t.Helper()
	d.mu.Lock()
	defer d.mu.Unlock()
	if len(d.socks) == 0 {
		t.Fatal("nothing was dialed")
	}
	return d.socks[len(d.socks)-1], d.opts[len(d.opts)-1]
}

// open plays the browser opening the connection.
func open(s *fakeSocket, o *wsclient.Options, protocol string) {
	s.set(func(f *fakeSocket) { f.state = wsclient.Open; f.protocol = protocol })
	o.OnStateChange(wsclient.Open)
	o.OnOpen()
}

// closeWith plays the browser's close event.
func closeWith(s *fakeSocket, o *wsclient.Options, code wsclient.StatusCode, reason string, clean bool) {
	s.set(func(f *fakeSocket) { f.state = wsclient.Closed })
	o.OnStateChange(wsclient.Closed)
	o.OnClose(&wsclient.CloseError{Code: code, Reason: reason, WasClean: clean})
}

// load mounts c in a new test engine.
func load(t *testing.T, c app.Composer) app.TestEngine {
	t.Helper()
	e := app.NewTestEngine()
	if err := e.Load(c); err != nil {
		t.Fatal(err)
	}
	e.ConsumeAll()
	return e
}

// eventually runs the engine (the UI goroutine is the test's) until cond
// holds; sessions flush from their own goroutines about once a frame.
func eventually(t *testing.T, e app.TestEngine, what string, cond func() bool) {
	t.Helper()
	deadline := time.Now().Add(10 * time.Second)
	for {
		e.ConsumeAll()
		if cond() {
			return
		}
		if time.Now().After(deadline) {
			t.Fatalf("timed out waiting for %s", what)
		}
		time.Sleep(2 * time.Millisecond)
	}
}

// unchanged fails if changed reports a change while the engine runs a
// few more frames: once a page is dismounted, nothing reaches it.
func unchanged(t *testing.T, e app.TestEngine, what string, changed func() bool) {
	t.Helper()
	for range 20 { // a watch dispatches within a frame
		time.Sleep(5 * time.Millisecond)
		e.ConsumeAll()
		if changed() {
			t.Errorf("%s after dismount", what)
			return
		}
	}
}

// textOf returns the text of the element with the id in the rendered HTML
// of c: the text right after its opening tag.
func textOf(c app.UI, id string) string {
	html := app.HTMLString(c)
	re := regexp.MustCompile(`<[a-z0-9]+[^>]*\sid="` + regexp.QuoteMeta(id) + `"[^>]*>([^<]*)`)
	m := re.FindStringSubmatch(html)
	if m == nil {
		return "(no #" + id + ")"
	}
	return strings.TrimSpace(m[1])
}

// attrOf returns an attribute of the element with the id in c's HTML
// ("" when absent, "true" for a boolean attribute that is set).
func attrOf(c app.UI, id, name string) string {
	html := app.HTMLString(c)
	re := regexp.MustCompile(`<[a-z0-9]+[^>]*\sid="` + regexp.QuoteMeta(id) + `"[^>]*>`)
	tag := re.FindString(html)
	m := regexp.MustCompile(`\s` + regexp.QuoteMeta(name) + `(?:="([^"]*)")?[\s>]`).FindStringSubmatch(tag)
	if m == nil {
		return ""
	}
	if m[1] == "" {
		return "true"
	}
	return m[1]
}

// act runs f as an event handler would: dispatched on the UI goroutine,
// which marks the component for an update, then rendered.
func act(e app.TestEngine, ctx app.Context, f func(app.Context)) {
	ctx.Dispatch(f)
	e.ConsumeAll()
}

// fakeClient is a live.ClientSocket for native tests, playing a wsclient.Client:
// the test opens, drops and ends its connections and calls the options'
// callbacks as the client would. Sends go to the open connection, or wait
// in a queue that the next open flushes.
type fakeClient struct {
	mu     sync.Mutex
	url    string
	opts   *wsclient.ClientOptions
	conn   *fakeSocket   // the open connection, nil between connections
	conns  []*fakeSocket // every connection opened
	state  wsclient.ClientState
	queue  []wsclient.Message
	closes []closeCall
	final  error
}

func (f *fakeClient) Conn() live.Socket {
	f.mu.Lock()
	defer f.mu.Unlock()
	if f.conn == nil {
		return nil
	}
	return f.conn
}

func (f *fakeClient) State() wsclient.ClientState { f.mu.Lock(); defer f.mu.Unlock(); return f.state }

func (f *fakeClient) Stats() wsclient.ClientStats {
	f.mu.Lock()
	defer f.mu.Unlock()
	return wsclient.ClientStats{Queued: len(f.queue), Connects: int64(len(f.conns))}
}

func (f *fakeClient) Send(typ wsclient.MessageType, p []byte) error {
	f.mu.Lock()
	if f.state.Phase == wsclient.PhaseClosed || len(f.closes) > 0 {
		f.mu.Unlock()
		return fmt.Errorf("wsclient: send: %w", wsclient.ErrClosed)
	}
	m := wsclient.Message{Type: typ, Data: append([]byte(nil), p...)}
	if f.conn == nil {
		f.queue = append(f.queue, m)
		f.mu.Unlock()
		return nil
	}
	err := f.conn.send(m)
	f.mu.Unlock()
	if err == nil && f.opts.OnWrite != nil {
		f.opts.OnWrite(m)
	}
	return err
}

func (f *fakeClient) Close(code wsclient.StatusCode, reason string) error {
	f.mu.Lock()
	defer f.mu.Unlock()
	if f.state.Phase == wsclient.PhaseClosed || len(f.closes) > 0 {
		return nil
	}
	f.closes = append(f.closes, closeCall{code, reason})
	if f.conn != nil {
		f.conn.Close(code, reason)
	}
	return nil
}

// setState records st and reports it, as the client's run goroutine does.
func (f *fakeClient) setState(st wsclient.ClientState) {
	f.mu.Lock()
	f.state = st
	f.mu.Unlock()
	if f.opts.OnStateChange != nil {
		f.opts.OnStateChange(st)
	}
}

// open plays a connection opening: the queue is flushed to it, each
// message reported to OnWrite, as the client's writer does.
func (f *fakeClient) open(protocol string) *fakeSocket {
	s := &fakeSocket{url: f.url, state: wsclient.Open, protocol: protocol}
	f.mu.Lock()
	f.conn = s
	f.conns = append(f.conns, s)
	s.sent, f.queue = f.queue, nil
	flushed := slices.Clone(s.sent)
	f.mu.Unlock()
	f.setState(wsclient.ClientState{Phase: wsclient.PhaseOpen})
	if f.opts.OnWrite != nil {
		for _, m := range flushed {
			f.opts.OnWrite(m)
		}
	}
	return s
}

// lose plays the open connection ending, or an attempt failing, with err;
// the next attempt is due after wait.
func (f *fakeClient) lose(err error, attempt int, wait time.Duration) {
	f.mu.Lock()
	if f.conn != nil {
		f.conn.set(func(s *fakeSocket) { s.state = wsclient.Closed })
		f.conn = nil
	}
	f.mu.Unlock()
	f.setState(wsclient.ClientState{Phase: wsclient.PhaseReconnecting, Attempt: attempt, NextTry: time.Now().Add(wait), Err: err})
}

// end plays the client ending with err (nil after its own Close).
func (f *fakeClient) end(err error) {
	f.mu.Lock()
	if f.conn != nil {
		f.conn.set(func(s *fakeSocket) { s.state = wsclient.Closed })
		f.conn = nil
	}
	left := f.queue
	f.queue = nil
	f.mu.Unlock()
	if f.opts.OnUndelivered != nil {
		for _, m := range left {
			f.opts.OnUndelivered(m, fmt.Errorf("wsclient: send: %w", wsclient.ErrClosed))
		}
	}
	f.setState(wsclient.ClientState{Phase: wsclient.PhaseClosed, Err: err})
}

// receive plays a message arriving on the open connection.
func (f *fakeClient) receive(typ wsclient.MessageType, p string) {
	f.opts.OnMessage(wsclient.Message{Type: typ, Data: []byte(p)})
}

func (f *fakeClient) closeCalls() []closeCall {
	f.mu.Lock()
	defer f.mu.Unlock()
	return append([]closeCall(nil), f.closes...)
}

func (f *fakeClient) queued() int { return f.Stats().Queued }

// fakeClientDialer hands out fakeClients.
type fakeClientDialer struct {
	mu      sync.Mutex
	clients []*fakeClient
	err     error
}

func (d *fakeClientDialer) dial(url string, opts *wsclient.ClientOptions) (live.ClientSocket, error) {
	d.mu.Lock()
	defer d.mu.Unlock()
	if d.err != nil {
		return nil, d.err
	}
	c := &fakeClient{url: url, opts: opts}
	d.clients = append(d.clients, c)
	return c, nil
}

// last returns the latest client.
func (d *fakeClientDialer) last(t *testing.T) *fakeClient {
	t.Helper()
	d.mu.Lock()
	defer d.mu.Unlock()
	if len(d.clients) == 0 {
		t.Fatal("no client was started")
	}
	return d.clients[len(d.clients)-1]
}

// goingAway is the close a server restart sends.
var goingAway = &wsclient.CloseError{Code: wsclient.StatusGoingAway, Reason: "server shutting down", WasClean: true}
