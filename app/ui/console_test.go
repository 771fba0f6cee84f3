package ui

import (
	"context"
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/maxence-charriere/go-app/v10/pkg/app"

	"github.com/duplexgo/duplex/wsclient"
)

// newConsole returns a console whose connections are fakes.
func newConsole() (*Console, *fakeDialer) {
	d := &fakeDialer{}
	return &Console{Dial: d.dial, Sleep: func(time.Duration) {}}, d
}

// connectConsole mounts a console, connects it and plays the open event.
func connectConsole(t *testing.T) (*Console, app.TestEngine, *fakeSocket, *wsclient.Options) {
	t.Helper()
	c, d := newConsole()
	e := load(t, c)
	c.url = "ws://example.test/echo"
	act(e, c.mctx, c.Connect)
	s, o := d.last(t)
	open(s, o, "echo")
	eventually(t, e, "OPEN", func() bool { return textOf(c, "state") == "OPEN" })
	return c, e, s, o
}

func TestConsoleRendersEveryControl(t *testing.T) {
	c, _ := newConsole()
	load(t, c)
	html := app.HTMLString(c)
	for _, id := range []string{"url", "protocols", "connect", "disconnect", "state", "buffered", "buffered-peak",
		"protocol", "extensions", "msgs-in", "msgs-out", "bytes-in", "bytes-out", "rtt", "text", "send-text",
		"hex", "send-hex", "file", "send-file", "burst-n", "burst-size", "burst-type", "send-burst",
		"close-code", "close-reason", "close", "close-error", "log", "clear",
		"auto-reconnect", "fallback", "transport", "client-phase", "client-attempt", "client-next", "client-queued"} {
		if !strings.Contains(html, `id="`+id+`"`) {
			t.Errorf("no #%s", id)
		}
	}
	if got := textOf(c, "state"); got != "—" {
		t.Errorf("state before connecting = %q, want —", got)
	}
	if attrOf(c, "disconnect", "disabled") != "true" || attrOf(c, "connect", "disabled") != "" {
		t.Errorf("connect/disconnect enabled wrongly:\n%s", html)
	}
	// The prerendered page must not say disabled="false": HTML reads it as
	// disabled.
	if strings.Contains(html, `disabled="false"`) || strings.Contains(html, `hidden="false"`) {
		t.Errorf("a false boolean attribute is rendered:\n%s", html)
	}
	// The URL defaults to this origin's /echo. Natively the test engine's
	// page has no host, so it is the relative /echo; in the browser (make
	// test-wasm runs these tests there too) it is the page's.
	want := "/echo"
	if app.IsClient {
		want = defaultEchoURL(app.Window().URL())
	}
	if c.url != want {
		t.Errorf("default URL = %q, want %q", c.url, want)
	}
}

func TestConsoleConnectShowsConnectingThenOpen(t *testing.T) {
	c, d := newConsole()
	e := load(t, c)
	c.url, c.protocols = "ws://example.test/echo", "echo, chat"
	act(e, c.mctx, c.Connect)
	if got := textOf(c, "state"); got != "CONNECTING" {
		t.Fatalf("state after Connect = %q, want CONNECTING", got)
	}
	s, o := d.last(t)
	if got := strings.Join(o.Protocols, ","); got != "echo,chat" {
		t.Errorf("protocols offered = %q", got)
	}
	if attrOf(c, "connect", "disabled") != "true" || attrOf(c, "url", "disabled") != "true" {
		t.Errorf("connect and URL are not locked while connecting")
	}
	open(s, o, "echo")
	eventually(t, e, "OPEN", func() bool { return textOf(c, "state") == "OPEN" })
	eventually(t, e, "the protocol", func() bool { return textOf(c, "protocol") == "echo" })
	if c.log[0].Kind != kindInfo || !strings.Contains(c.log[0].Preview, "ws://example.test/echo") {
		t.Errorf("first log entry = %+v, want the connecting note", c.log[0])
	}
	eventually(t, e, "the open entry", func() bool { return len(c.log) == 2 && c.log[1].Kind == kindOpen })
}

func TestConsoleShowsTheTransportAndOffersTheFallback(t *testing.T) {
	c, d := newConsole()
	e := load(t, c)
	c.url = "ws://example.test/echo"
	act(e, c.mctx, c.Connect)
	s, o := d.last(t)
	if _, ok := o.Fallback.(*wsclient.FallbackOptions); !ok {
		t.Errorf("Fallback = %#v, want the HTTP fallback by default", o.Fallback)
	}
	s.set(func(f *fakeSocket) { f.transport = wsclient.TransportHTTPPoll })
	open(s, o, "")
	eventually(t, e, "the transport", func() bool { return textOf(c, "transport") == "HTTP fallback · long polling" })
	s.set(func(f *fakeSocket) { f.transport = wsclient.TransportHTTPStream })
	eventually(t, e, "the transport", func() bool { return textOf(c, "transport") == "HTTP fallback · stream" })
	closeWith(s, o, wsclient.StatusNormalClosure, "", true)
	eventually(t, e, "CLOSED", func() bool { return textOf(c, "state") == "CLOSED" })

	// Unticked, the console is the browser's WebSocket alone.
	c.noFallback = true
	act(e, c.mctx, c.Connect)
	if _, o := d.last(t); o.Fallback != nil {
		t.Errorf("Fallback = %#v with the box unticked, want nil", o.Fallback)
	}
}

func TestConsoleConnectErrorIsShown(t *testing.T) {
	c, d := newConsole()
	e := load(t, c)
	d.err = fmt.Errorf("wsclient: new: %w: bad scheme", wsclient.ErrSyntax)
	c.url = "ftp://example.test"
	act(e, c.mctx, c.Connect)
	if got := textOf(c, "connect-error"); !strings.Contains(got, "SyntaxError") {
		t.Errorf("#connect-error = %q", got)
	}
	if textOf(c, "state") != "—" {
		t.Errorf("a failed dial shows a state")
	}
}

func TestConsoleEchoCountsBytesAndRoundTrip(t *testing.T) {
	c, e, s, o := connectConsole(t)
	c.text = "héllo"
	act(e, c.mctx, c.SendText)
	c.hex = "de ad be ef"
	act(e, c.mctx, c.SendHex)
	sent := s.sentMessages()
	if len(sent) != 2 || string(sent[0].Data) != "héllo" || sent[1].Type != wsclient.Binary || fmt.Sprintf("% x", sent[1].Data) != "de ad be ef" {
		t.Fatalf("sent %+v", sent)
	}
	for _, m := range sent { // the echoes
		o.OnMessage(m)
	}
	s.set(func(f *fakeSocket) { f.buffered = 0 })
	eventually(t, e, "the echoes", func() bool { return textOf(c, "msgs-in") == "2" })
	if got := attrOf(c, "bytes-in", "data-value"); got != "10" {
		t.Errorf("bytes in = %s, want 10", got)
	}
	if got := attrOf(c, "rtt", "data-count"); got != "2" {
		t.Errorf("round trips measured = %s, want 2", got)
	}
	var in []logEntry
	for _, l := range c.log {
		if l.Dir == dirIn {
			in = append(in, l)
		}
	}
	if len(in) != 2 || in[0].Preview != "héllo" || in[1].Preview != "de ad be ef" || in[1].Size != 4 {
		t.Errorf("received entries: %+v", in)
	}
	// A message that is not an echo is counted but not timed.
	o.OnMessage(wsclient.Message{Type: wsclient.Text, Data: []byte("unsolicited")})
	eventually(t, e, "the third message", func() bool { return textOf(c, "msgs-in") == "3" })
	if got := attrOf(c, "rtt", "data-count"); got != "2" {
		t.Errorf("round trips after a non-echo = %s, want 2", got)
	}
}

func TestConsoleInvalidHexIsShownAndKept(t *testing.T) {
	c, e, s, _ := connectConsole(t)
	c.hex = "de ad g0"
	act(e, c.mctx, c.SendHex)
	if got := textOf(c, "hex-error"); !strings.Contains(got, "not a hex digit") {
		t.Errorf("#hex-error = %q", got)
	}
	if c.hex != "de ad g0" || len(s.sentMessages()) != 0 {
		t.Errorf("hex = %q, sent %d", c.hex, len(s.sentMessages()))
	}
}

func TestConsoleCloseValidation(t *testing.T) {
	c, e, s, o := connectConsole(t)
	for _, tc := range []struct {
		code, reason, want string
	}{
		{"1001", "", "InvalidAccessError"},
		{"999", "", "InvalidAccessError"},
		{"5000", "", "InvalidAccessError"},
		{"abc", "", "not a number"},
		{"1000", strings.Repeat("x", 124), "124 bytes"},
		{"4000", strings.Repeat("é", 62), "124 bytes"},
	} {
		c.close = closeForm{Code: tc.code, Reason: tc.reason}
		act(e, c.mctx, c.CloseWith)
		e.ConsumeAll()
		if got := textOf(c, "close-error"); !strings.Contains(got, tc.want) {
			t.Errorf("close %s %q: #close-error = %q, want %q", tc.code, tc.reason, got, tc.want)
		}
		if c.close.Code != tc.code || c.close.Reason != tc.reason {
			t.Errorf("the form was changed: %+v", c.close)
		}
	}
	if n := len(s.closeCalls()); n != 0 {
		t.Fatalf("%d closes sent for invalid input", n)
	}
	c.close = closeForm{Code: "4000", Reason: strings.Repeat("x", 123)}
	act(e, c.mctx, c.CloseWith)
	if got := s.closeCalls(); len(got) != 1 || got[0].code != 4000 || len(got[0].reason) != 123 {
		t.Fatalf("closes = %+v", got)
	}
	if attrOf(c, "close-error", "hidden") != "true" {
		t.Errorf("#close-error still shown: %q", textOf(c, "close-error"))
	}
	closeWith(s, o, 4000, strings.Repeat("x", 123), true)
	eventually(t, e, "CLOSED", func() bool { return textOf(c, "state") == "CLOSED" })
	last := c.log[len(c.log)-1]
	if last.Kind != kindClose || last.Code != 4000 || !last.WasClean {
		t.Errorf("last entry = %+v", last)
	}
	html := app.HTMLString(c)
	if !strings.Contains(html, `data-code="4000"`) || !strings.Contains(html, `data-clean`) {
		t.Errorf("the close entry lacks its code or wasClean")
	}
}

func TestConsoleGoingAwayFromServer(t *testing.T) {
	c, e, s, o := connectConsole(t)
	o.OnError(wsclient.ErrConnection)
	closeWith(s, o, wsclient.StatusGoingAway, "server shutting down", true)
	eventually(t, e, "CLOSED", func() bool { return textOf(c, "state") == "CLOSED" })
	eventually(t, e, "the close entry", func() bool {
		return strings.Contains(app.HTMLString(c), `data-code="1001"`)
	})
	if attrOf(c, "connect", "disabled") != "" {
		t.Errorf("connect is disabled after the close")
	}
}

// TestConsoleFloodIsBatched delivers many messages as fast as a goroutine
// can: the page must flush far fewer times than messages arrive, keep at
// most maxLogEntries, and count everything, the dropped too.
func TestConsoleFloodIsBatched(t *testing.T) {
	c, e, _, o := connectConsole(t)
	const n = maxLogEntries + 10000
	done := make(chan struct{})
	go func() {
		defer close(done)
		for i := range n {
			o.OnMessage(wsclient.Message{Type: wsclient.Text, Data: fmt.Appendf(nil, "message %d", i)})
		}
	}()
	flushesBefore := c.flushes
	eventually(t, e, "every message counted", func() bool { return c.snap.MessagesIn == n })
	<-done
	if flushes := c.flushes - flushesBefore; flushes > n/20 {
		t.Errorf("%d flushes for %d messages; want batches", flushes, n)
	}
	if len(c.log) != maxLogEntries {
		t.Errorf("log holds %d entries, want %d", len(c.log), maxLogEntries)
	}
	if c.log[len(c.log)-1].Preview != fmt.Sprintf("message %d", n-1) {
		t.Errorf("newest entry = %q", c.log[len(c.log)-1].Preview)
	}
	if want := int64(n + 2); c.logTotal != want { // + connecting, open
		t.Errorf("logTotal = %d, want %d", c.logTotal, want)
	}
	if got, want := textOf(c, "log-count"), fmt.Sprintf("%d events · %d dropped", n+2, n+2-maxLogEntries); !strings.Contains(got, want) {
		t.Errorf("#log-count = %q, want %q", got, want)
	}
	if got := attrOf(c, "log-count", "data-dropped"); got != fmt.Sprint(n+2-maxLogEntries) {
		t.Errorf("data-dropped = %s, want %d", got, n+2-maxLogEntries)
	}
	// Only the rows in view are rendered: the newest, since the list
	// follows the end.
	if rows := strings.Count(app.HTMLString(c), `class="entry `); rows > logViewHeight/logRowHeight+2*logOverscan+1 {
		t.Errorf("%d rows rendered for %d entries", rows, len(c.log))
	}
	if !strings.Contains(app.HTMLString(c), fmt.Sprintf("message %d<", n-1)) {
		t.Errorf("the newest entry is not rendered")
	}
}

// TestConsoleBurstShowsBufferedAmount sends a burst to a socket whose buffer
// drains only when the test says so: the page shows it rise, then fall.
func TestConsoleBurstShowsBufferedAmount(t *testing.T) {
	c, e, s, _ := connectConsole(t)
	c.burstN, c.burstSize, c.burstType = "50", "1024", "binary"
	act(e, c.mctx, c.SendBurst)
	eventually(t, e, "the burst to be sent", func() bool { return c.snap.MessagesOut == 50 })
	eventually(t, e, "bufferedAmount shown", func() bool { return attrOf(c, "buffered", "data-value") == "51200" })
	s.set(func(f *fakeSocket) { f.buffered = 0 })
	eventually(t, e, "bufferedAmount drained", func() bool { return attrOf(c, "buffered", "data-value") == "0" })
	if got := attrOf(c, "buffered-peak", "data-value"); got != "51200" {
		t.Errorf("peak = %s, want 51200", got)
	}
	for _, m := range s.sentMessages() {
		if m.Type != wsclient.Binary || len(m.Data) != 1024 {
			t.Fatalf("burst message %v of %d bytes", m.Type, len(m.Data))
		}
	}

	for _, tc := range []struct{ n, size, want string }{
		{"0", "10", "count"},
		{"x", "10", "count"},
		{"10", "-1", "size"},
		{"100000", "16777216", "over the"},
	} {
		c.burstN, c.burstSize = tc.n, tc.size
		act(e, c.mctx, c.SendBurst)
		e.ConsumeAll()
		if got := textOf(c, "burst-error"); !strings.Contains(got, tc.want) {
			t.Errorf("burst %s × %s: #burst-error = %q, want %q", tc.n, tc.size, got, tc.want)
		}
	}
}

func TestConsoleSendErrorsAreShown(t *testing.T) {
	c, e, s, _ := connectConsole(t)
	s.set(func(f *fakeSocket) { f.sendErr = fmt.Errorf("wsclient: send: %w", wsclient.ErrClosed) })
	c.text = "late"
	act(e, c.mctx, c.SendText)
	if got := textOf(c, "send-error"); !strings.Contains(got, "connection closed") {
		t.Errorf("#send-error = %q", got)
	}
	eventually(t, e, "the error in the log", func() bool {
		l := c.log[len(c.log)-1]
		return l.Kind == kindError && strings.Contains(l.Preview, "send failed")
	})
}

// Going to another page of the app and back finds the console as it was
// left: the connection open (never closed by navigation), nothing shown
// while away, and on return the messages that arrived meanwhile, with the
// log, counters and fields kept. (go-app calls OnMount only in the browser;
// here the test plays it: e2e covers the browser.)
func TestConsoleSurvivesNavigation(t *testing.T) {
	c, e, s, o := connectConsole(t)
	c.text = "a draft"
	eventually(t, e, "log entries", func() bool { return len(c.log) >= 2 })
	logged := len(c.log)
	if err := e.Load(&Chat{}); err != nil { // navigate away
		t.Fatal(err)
	}
	e.ConsumeAll()
	if got := s.closeCalls(); len(got) != 0 {
		t.Errorf("closes after leaving the page = %+v, want none", got)
	}
	flushes := c.flushes
	o.OnMessage(wsclient.Message{Type: wsclient.Text, Data: []byte("while away")})
	unchanged(t, e, "a snapshot was applied", func() bool { return c.flushes != flushes })

	if err := e.Load(c); err != nil { // and back
		t.Fatal(err)
	}
	c.OnMount(c.mctx)
	eventually(t, e, "the message that arrived meanwhile", func() bool { return logHas(c, kindText, "while away") })
	if len(c.log) != logged+1 || textOf(c, "state") != "OPEN" || c.text != "a draft" || c.url != "ws://example.test/echo" {
		t.Errorf("after coming back: %d log entries (want %d), state %q, text %q, url %q",
			len(c.log), logged+1, textOf(c, "state"), c.text, c.url)
	}
}

func TestConsoleClearLog(t *testing.T) {
	c, e, _, _ := connectConsole(t)
	eventually(t, e, "log entries", func() bool { return len(c.log) >= 2 })
	act(e, c.mctx, c.ClearLog)
	if len(c.log) != 0 || textOf(c, "log-count") != "0 events" {
		t.Errorf("log after Clear: %d entries, %q", len(c.log), textOf(c, "log-count"))
	}
}

func TestLogRow(t *testing.T) {
	e := logEntry{Seq: 7, Time: time.Date(2026, 1, 2, 3, 4, 5, 6e6, time.UTC), Dir: dirIn, Kind: kindBinary, Size: 3, Preview: "01 02 03"}
	row := logRow(e, 70, false)
	if err := app.Match(app.Div().Class("entry", "kind-binary", "dir-in").
		DataSet("seq", 7).DataSet("kind", "binary").DataSet("dir", "in").DataSet("size", 3).
		DataSet("pos", 70).Attr("role", "button").TabIndex(0).Aria("expanded", "false").Aria("controls", "log-detail"), row); err != nil {
		t.Error(err)
	}
	for i, want := range []string{"03:04:05.006", "↓ in", "binary", "3 B", "01 02 03"} {
		if err := app.TestMatch(row, app.TestUIDescriptor{Path: app.TestPath(i, 0), Expected: app.Text(want)}); err != nil {
			t.Errorf("cell %d: %v", i, err)
		}
	}
	closeRow := logRow(logEntry{Seq: 8, Dir: dirEvent, Kind: kindClose, Code: 1001, Reason: "bye", WasClean: true}, 71, true)
	if err := app.Match(app.Div().Class("entry", "kind-close", "dir-event", "open").
		DataSet("seq", 8).DataSet("kind", "close").DataSet("dir", "event").DataSet("size", 0).
		DataSet("pos", 71).Attr("role", "button").TabIndex(0).Aria("expanded", "true").Aria("controls", "log-detail").
		DataSet("code", 1001).DataSet("reason", "bye").DataSet("clean", true), closeRow); err != nil {
		t.Error(err)
	}
}

func TestInlineError(t *testing.T) {
	if err := app.Match(app.P().ID("x").Class("error").Aria("live", "polite").Hidden(true), inlineError("x", "")); err != nil {
		t.Error(err)
	}
	if err := app.Match(app.Text("bad"), inlineError("x", "bad"), 0); err != nil {
		t.Error(err)
	}
}

// newClientConsole returns a console whose plain connections and clients
// are fakes.
func newClientConsole() (*Console, *fakeDialer, *fakeClientDialer) {
	d, cd := &fakeDialer{}, &fakeClientDialer{}
	return &Console{Dial: d.dial, DialClient: cd.dial, Sleep: func(time.Duration) {}}, d, cd
}

// logHas reports whether the console's log has an entry of kind whose
// preview contains text.
func logHas(c *Console, kind, text string) bool {
	for _, l := range c.log {
		if l.Kind == kind && strings.Contains(l.Preview, text) {
			return true
		}
	}
	return false
}

func TestConsoleAutoReconnectIsOffByDefault(t *testing.T) {
	c, d, cd := newClientConsole()
	e := load(t, c)
	if attrOf(c, "auto-reconnect", "checked") != "" {
		t.Errorf("auto-reconnect is checked by default")
	}
	if got := textOf(c, "client-phase"); got != "off" {
		t.Errorf("#client-phase = %q, want off", got)
	}
	c.url = "ws://example.test/echo"
	act(e, c.mctx, c.Connect)
	if len(d.socks) != 1 || len(cd.clients) != 0 {
		t.Fatalf("%d plain connections and %d clients; want a plain connection", len(d.socks), len(cd.clients))
	}
	if attrOf(c, "auto-reconnect", "disabled") != "true" {
		t.Errorf("the checkbox is not locked while connected")
	}
}

// TestConsoleAutoReconnect plays a server restart under a reconnecting
// client: the page shows the phase, the attempt and the next try, logs the
// close, the failed attempt and the reconnect, queues sends meanwhile, and
// follows the new connection's live values.
func TestConsoleAutoReconnect(t *testing.T) {
	c, d, cd := newClientConsole()
	// The same explanation in both builds (the browser's own probe would
	// ask the network about example.test).
	c.probe = func(context.Context, string, []string) probeResult {
		return probeResult{Status: 404, StatusText: "Not Found"}
	}
	e := load(t, c)
	c.url, c.protocols, c.autoReconnect = "ws://example.test/echo", "echo", true
	act(e, c.mctx, c.Connect)
	if len(d.socks) != 0 {
		t.Fatalf("a plain connection was opened")
	}
	fc := cd.last(t)
	if fc.url != "ws://example.test/echo" || strings.Join(fc.opts.Protocols, ",") != "echo" {
		t.Errorf("client for %q offering %q", fc.url, fc.opts.Protocols)
	}
	if fc.opts.Backoff.Max == 0 || fc.opts.OnStateChange == nil || fc.opts.OnMessage == nil || fc.opts.OnUndelivered == nil {
		t.Errorf("client options = %+v", fc.opts)
	}
	if got := textOf(c, "state"); got != "CONNECTING" {
		t.Fatalf("state after Connect = %q", got)
	}
	if attrOf(c, "auto-reconnect", "checked") != "true" || attrOf(c, "auto-reconnect", "disabled") != "true" {
		t.Errorf("the checkbox is not checked and locked")
	}
	eventually(t, e, "the connecting phase", func() bool { return textOf(c, "client-phase") == "connecting" })

	s1 := fc.open("echo")
	eventually(t, e, "OPEN", func() bool { return textOf(c, "state") == "OPEN" && textOf(c, "client-phase") == "open" })
	eventually(t, e, "the protocol", func() bool { return textOf(c, "protocol") == "echo" })
	c.text = "one"
	act(e, c.mctx, c.SendText)
	if sent := s1.sentMessages(); len(sent) != 1 || string(sent[0].Data) != "one" {
		t.Fatalf("sent %q", sent)
	}
	fc.receive(wsclient.Text, "one")
	s1.set(func(f *fakeSocket) { f.buffered = 0 })
	eventually(t, e, "the echo", func() bool { return textOf(c, "msgs-in") == "1" && attrOf(c, "rtt", "data-count") == "1" })

	// The server restarts: 1001, then a failed attempt.
	fc.lose(goingAway, 1, 3*time.Second)
	eventually(t, e, "reconnecting", func() bool { return textOf(c, "client-phase") == "reconnecting" })
	eventually(t, e, "CLOSED", func() bool { return textOf(c, "state") == "CLOSED" })
	if got := textOf(c, "client-attempt"); got != "1" {
		t.Errorf("#client-attempt = %q", got)
	}
	if got := textOf(c, "client-next"); !strings.HasPrefix(got, "in ") || !strings.HasSuffix(got, " s") {
		t.Errorf("#client-next = %q", got)
	}
	if !strings.Contains(app.HTMLString(c), `data-code="1001"`) || !logHas(c, kindInfo, "reconnecting: attempt 1 in") {
		t.Errorf("the log lacks the close or the reconnecting entry: %+v", c.log)
	}
	if textOf(c, "protocol") != "—" {
		t.Errorf("#protocol between connections = %q", textOf(c, "protocol"))
	}
	if attrOf(c, "connect", "disabled") != "true" || attrOf(c, "disconnect", "disabled") != "" || attrOf(c, "send-text", "disabled") != "" {
		t.Errorf("while reconnecting: connect must stay disabled, disconnect and send enabled")
	}
	c.text = "two"
	act(e, c.mctx, c.SendText)
	eventually(t, e, "the queue", func() bool { return textOf(c, "client-queued") == "1" })
	if c.sendErr != "" {
		t.Errorf("send while reconnecting: %s", c.sendErr)
	}
	fc.lose(&wsclient.CloseError{Code: wsclient.StatusAbnormalClosure}, 2, 0)
	eventually(t, e, "attempt 2", func() bool { return textOf(c, "client-attempt") == "2" })
	eventually(t, e, "the attempt under way", func() bool { return textOf(c, "client-next") == "now" && textOf(c, "state") == "CONNECTING" })
	// One entry per failed attempt, saying why (the first of a streak is
	// probed) and what comes next, with the code.
	eventually(t, e, "the failed attempt's entry", func() bool {
		return logHas(c, kindError, "Could not connect to ws://example.test/echo: no WebSocket endpoint at that path")
	})
	var attempt *logEntry
	for i := range c.log {
		if l := &c.log[i]; l.Kind == kindError && strings.Contains(l.Preview, "; reconnecting: attempt 2 in 0.0 s") {
			attempt = l
		}
	}
	if attempt == nil || logHas(c, kindInfo, "reconnecting: attempt 2") {
		t.Errorf("the failed attempt is not logged as one entry: %+v", c.log)
	} else if attempt.Code != wsclient.StatusAbnormalClosure || attempt.WasClean {
		t.Errorf("the failed attempt's entry = %+v, want code 1006, not clean", *attempt)
	}

	// Back: the queue is flushed to the new connection, whose values show.
	s2 := fc.open("echo")
	s2.set(func(f *fakeSocket) { f.extensions = "permessage-deflate"; f.buffered = 3 })
	eventually(t, e, "OPEN again", func() bool { return textOf(c, "state") == "OPEN" && textOf(c, "client-phase") == "open" })
	eventually(t, e, "the new connection's values", func() bool {
		return textOf(c, "extensions") == "permessage-deflate" && attrOf(c, "buffered", "data-value") == "3"
	})
	eventually(t, e, "an empty queue", func() bool { return textOf(c, "client-queued") == "0" })
	if textOf(c, "client-attempt") != "—" || textOf(c, "client-next") != "—" {
		t.Errorf("attempt and next try shown while open: %q, %q", textOf(c, "client-attempt"), textOf(c, "client-next"))
	}
	if !logHas(c, kindOpen, "reconnected: connection 2 open") {
		t.Errorf("the reconnect is not logged")
	}
	if sent := s2.sentMessages(); len(sent) != 1 || string(sent[0].Data) != "two" {
		t.Fatalf("sent on reconnect %q", sent)
	}
	fc.receive(wsclient.Text, "two")
	eventually(t, e, "the second echo", func() bool { return textOf(c, "msgs-in") == "2" && attrOf(c, "rtt", "data-count") == "2" })

	// Disconnect ends the client: no more reconnects.
	act(e, c.mctx, c.Disconnect)
	if got := fc.closeCalls(); len(got) != 1 || got[0].code != 1000 {
		t.Fatalf("closes = %+v", got)
	}
	fc.end(nil)
	eventually(t, e, "closed", func() bool { return textOf(c, "client-phase") == "closed" && textOf(c, "state") == "CLOSED" })
	eventually(t, e, "the close entry", func() bool { return strings.Contains(app.HTMLString(c), `data-code="1000"`) })
	if !logHas(c, kindInfo, "client closed") {
		t.Errorf("the end is not logged")
	}
	if attrOf(c, "connect", "disabled") != "" || attrOf(c, "auto-reconnect", "disabled") != "" || attrOf(c, "send-text", "disabled") != "true" {
		t.Errorf("after the end: connect and the checkbox must be enabled, send disabled")
	}
}

// The close form, under a client, ends it with the code and reason; a
// terminal close from the server ends it too.
func TestConsoleClientCloseWith(t *testing.T) {
	c, _, cd := newClientConsole()
	e := load(t, c)
	c.url, c.autoReconnect = "ws://example.test/echo", true
	act(e, c.mctx, c.Connect)
	fc := cd.last(t)
	fc.open("")
	eventually(t, e, "OPEN", func() bool { return textOf(c, "state") == "OPEN" })
	c.close = closeForm{Code: "1001"}
	act(e, c.mctx, c.CloseWith)
	if len(fc.closeCalls()) != 0 || !strings.Contains(textOf(c, "close-error"), "InvalidAccessError") {
		t.Fatalf("1001 was not refused: %+v", fc.closeCalls())
	}
	c.close = closeForm{Code: "4000", Reason: "done"}
	act(e, c.mctx, c.CloseWith)
	if got := fc.closeCalls(); len(got) != 1 || got[0].code != 4000 || got[0].reason != "done" {
		t.Fatalf("closes = %+v", got)
	}
	fc.end(nil)
	eventually(t, e, "the close entry", func() bool {
		l := c.log[len(c.log)-2]
		return l.Kind == kindClose && l.Code == 4000 && l.Reason == "done"
	})

	// A fresh client, ended by the server with a code it does not retry,
	// reports what was still queued.
	act(e, c.mctx, c.Connect)
	fc = cd.last(t)
	c.text = "queued"
	act(e, c.mctx, c.SendText)
	fc.end(&wsclient.CloseError{Code: wsclient.StatusPolicyViolation, Reason: "no", WasClean: true})
	eventually(t, e, "closed", func() bool { return textOf(c, "client-phase") == "closed" })
	if !logHas(c, kindError, "not delivered") || !logHas(c, kindError, "Could not connect to ws://example.test/echo") {
		t.Errorf("log: %+v", c.log)
	}
}

func TestConsoleClientSurvivesNavigation(t *testing.T) {
	c, _, cd := newClientConsole()
	e := load(t, c)
	c.url, c.autoReconnect = "ws://example.test/echo", true
	act(e, c.mctx, c.Connect)
	fc := cd.last(t)
	fc.lose(&wsclient.CloseError{Code: wsclient.StatusAbnormalClosure}, 1, time.Minute)
	eventually(t, e, "reconnecting", func() bool { return textOf(c, "client-phase") == "reconnecting" })
	if err := e.Load(&Chat{}); err != nil {
		t.Fatal(err)
	}
	e.ConsumeAll()
	if got := fc.closeCalls(); len(got) != 0 {
		t.Errorf("closes after leaving the page = %+v, want none: the client keeps reconnecting", got)
	}
	if err := e.Load(c); err != nil {
		t.Fatal(err)
	}
	c.OnMount(c.mctx)
	eventually(t, e, "the client's phase", func() bool { return textOf(c, "client-phase") == "reconnecting" })
}
