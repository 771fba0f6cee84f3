package ui

import (
	"context"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/maxence-charriere/go-app/v10/pkg/app"

	"github.com/duplexgo/duplex/wsclient"
)

func TestBlockedPort(t *testing.T) {
	for _, tc := range []struct {
		url     string
		port    int
		blocked bool
	}{
		{"ws://127.0.0.1:6000/x", 6000, true},
		{"wss://example.test:25/", 25, true},
		{"ws://example.test:10080", 10080, true},
		{"ws://[::1]:6667/chat", 6667, true},
		{"ws://127.0.0.1:8080/echo", 8080, false},
		{"ws://example.test/echo", 0, false}, // the default port
		{"not a url:%%", 0, false},
	} {
		port, blocked := blockedPort(tc.url)
		if port != tc.port || blocked != tc.blocked {
			t.Errorf("blockedPort(%q) = %d, %t; want %d, %t", tc.url, port, blocked, tc.port, tc.blocked)
		}
	}
}

// The probe's findings, classified: each failure class has its own
// explanation, and every line names the URL.
func TestExplainFailure(t *testing.T) {
	const url = "ws://example.test:8080/x"
	for _, tc := range []struct {
		name      string
		url       string
		protocols []string
		r         probeResult
		probed    bool
		want      []string
		not       []string
	}{
		{name: "404", r: probeResult{Status: 404, StatusText: "Not Found"}, probed: true,
			want: []string{"no WebSocket endpoint at that path", "404 Not Found"}},
		{name: "426", r: probeResult{Status: 426}, probed: true,
			want: []string{"it is a WebSocket endpoint", "the handshake failed", "origin"},
			not:  []string{"subprotocol"}},
		{name: "400", r: probeResult{Status: 400, StatusText: "Bad Request"}, probed: true,
			want: []string{"it is a WebSocket endpoint", "400 Bad Request", "the handshake failed"}},
		{name: "protocol refused", protocols: []string{"x", "y"},
			r: probeResult{Status: 426, RetriedWithout: true, OpenedWithout: true}, probed: true,
			want: []string{"the server accepted no offered subprotocol (offered: x, y)"}},
		{name: "426 with protocols, no luck without", protocols: []string{"x"},
			r: probeResult{Status: 426, RetriedWithout: true}, probed: true,
			want: []string{"it is a WebSocket endpoint", "the subprotocols offered (x)"}},
		{name: "fetch error", r: probeResult{FetchErr: "TypeError: Failed to fetch"}, probed: true,
			want: []string{"nothing answers at that address", "connection refused", "DNS", "proxy", "DevTools → Network → WS"},
			not:  []string{"TLS"}},
		{name: "fetch error, wss", url: "wss://example.test/x", r: probeResult{FetchErr: "TypeError"}, probed: true,
			want: []string{"Could not connect to wss://example.test/x: nothing answers", "TLS"}},
		{name: "opaque", r: probeResult{Opaque: true}, probed: true,
			want: []string{"does not let this page read its answer", "cross-origin", "DevTools"}},
		{name: "403", r: probeResult{Status: 403, StatusText: "Forbidden"}, probed: true,
			want: []string{"refuses the request (403 Forbidden)", "origin"}},
		{name: "503", r: probeResult{Status: 503}, probed: true,
			want: []string{"503", "try again later"}},
		{name: "200", r: probeResult{Status: 200, StatusText: "OK"}, probed: true,
			want: []string{"no WebSocket endpoint at that path", "200 OK"}},
		{name: "no probe", want: []string{"the browser gives no reason (close code 1006)", "DevTools"}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			u := tc.url
			if u == "" {
				u = url
			}
			got := explainFailure(u, tc.protocols, tc.r, tc.probed)
			if !strings.HasPrefix(got, "Could not connect to "+u+": ") {
				t.Errorf("%q does not start with the URL", got)
			}
			for _, w := range tc.want {
				if !strings.Contains(got, w) {
					t.Errorf("%q lacks %q", got, w)
				}
			}
			for _, w := range tc.not {
				if strings.Contains(got, w) {
					t.Errorf("%q has %q", got, w)
				}
			}
		})
	}
}

func TestHTTPForm(t *testing.T) {
	for in, want := range map[string]string{
		"ws://h:1/x?y": "http://h:1/x?y",
		"wss://h/x":    "https://h/x",
		"http://h/x":   "http://h/x",
	} {
		if got := httpForm(in); got != want {
			t.Errorf("httpForm(%q) = %q, want %q", in, got, want)
		}
	}
}

// A blocked port is refused next to the URL field: nothing is dialed.
func TestConsoleRefusesBlockedPort(t *testing.T) {
	c, d, cd := newClientConsole()
	e := load(t, c)
	for _, auto := range []bool{false, true} {
		c.url, c.autoReconnect = "ws://127.0.0.1:6000/x", auto
		act(e, c.mctx, c.Connect)
		if !strings.Contains(c.connectErr, "refuse to connect to port 6000") || textOf(c, "connect-error") == "" {
			t.Errorf("auto-reconnect %t: connect error = %q", auto, c.connectErr)
		}
		if len(d.socks) != 0 || len(cd.clients) != 0 || c.hasConn || len(c.log) != 0 {
			t.Fatalf("auto-reconnect %t: dialed (%d, %d) or logged %+v", auto, len(d.socks), len(cd.clients), c.log)
		}
	}
}

// A connection that fails while CONNECTING is one log entry, written once
// the probe has found out why, keeping the close's code and wasClean.
func TestConsoleFailureIsOneEntry(t *testing.T) {
	c, d := newConsole()
	var (
		mu    sync.Mutex
		asked []string
	)
	c.probe = func(ctx context.Context, url string, protocols []string) probeResult {
		mu.Lock()
		asked = append(asked, url+" "+strings.Join(protocols, ","))
		mu.Unlock()
		return probeResult{Status: 404, StatusText: "Not Found"}
	}
	e := load(t, c)
	c.url, c.protocols = "ws://example.test/nope", "a, b"
	act(e, c.mctx, c.Connect)
	s, o := d.last(t)
	o.OnError(wsclient.ErrConnection)
	closeWith(s, o, wsclient.StatusAbnormalClosure, "", false)
	eventually(t, e, "the failure's entry", func() bool {
		return logHas(c, kindError, "Could not connect to ws://example.test/nope: no WebSocket endpoint at that path")
	})
	var errs, closes int
	for _, l := range c.log {
		switch l.Kind {
		case kindError:
			errs++
			if l.Code != wsclient.StatusAbnormalClosure || l.WasClean {
				t.Errorf("failure entry %+v, want code 1006, not clean", l)
			}
		case kindClose:
			closes++
		}
	}
	if errs != 1 || closes != 0 {
		t.Errorf("%d error and %d close entries, want one error entry: %+v", errs, closes, c.log)
	}
	if html := app.HTMLString(c); !strings.Contains(html, `data-code="1006"`) {
		t.Errorf("the entry lacks data-code=1006")
	}
	mu.Lock()
	defer mu.Unlock()
	if len(asked) != 1 || asked[0] != "ws://example.test/nope a,b" {
		t.Errorf("probed %q", asked)
	}
}

// Errors and closes of a connection that opened are logged as before.
func TestConsoleErrorAfterOpenIsLogged(t *testing.T) {
	c, e, s, o := connectConsole(t)
	c.probe = func(context.Context, string, []string) probeResult {
		t.Error("probed an open connection's end")
		return probeResult{}
	}
	o.OnError(wsclient.ErrConnection)
	closeWith(s, o, wsclient.StatusAbnormalClosure, "", false)
	eventually(t, e, "the close entry", func() bool { return logHas(c, kindClose, "code 1006") })
	if !logHas(c, kindError, wsclient.ErrConnection.Error()) {
		t.Errorf("the error is not logged: %+v", c.log)
	}
}

// fakeClock is a settable clock.
type fakeClock struct {
	mu sync.Mutex
	t  time.Time
}

func (f *fakeClock) now() time.Time          { f.mu.Lock(); defer f.mu.Unlock(); return f.t }
func (f *fakeClock) advance(d time.Duration) { f.mu.Lock(); f.t = f.t.Add(d); f.mu.Unlock() }

// A message sent while the client is disconnected is logged as queued,
// then as sent when the next connection writes it; its round trip counts
// from that write, not from the click.
func TestConsoleQueuedSendThenSent(t *testing.T) {
	c, _, cd := newClientConsole()
	clock := &fakeClock{t: time.Date(2026, 1, 2, 3, 4, 5, 0, time.UTC)}
	c.Now = clock.now
	e := load(t, c)
	c.url, c.autoReconnect = "ws://example.test/echo", true
	act(e, c.mctx, c.Connect)
	fc := cd.last(t)
	if fc.opts.OnWrite == nil {
		t.Fatal("the client options lack OnWrite")
	}
	eventually(t, e, "the queued note", func() bool { return textOf(c, "queued-hint") != "(no #queued-hint)" })

	c.text = "later"
	act(e, c.mctx, c.SendText)
	eventually(t, e, "the queued entry", func() bool { return logHas(c, kindText, "queued (sent once connected) · later") })
	if l := c.log[len(c.log)-1]; !l.Queued || l.Dir != dirOut {
		t.Errorf("queued entry = %+v", l)
	}

	clock.advance(2 * time.Second)
	s := fc.open("")
	eventually(t, e, "the sent entry", func() bool { return logHas(c, kindInfo, "sent after 2.0 s in the queue: later") })
	if sent := s.sentMessages(); len(sent) != 1 || string(sent[0].Data) != "later" {
		t.Fatalf("flushed %q", sent)
	}
	eventually(t, e, "the note gone", func() bool { return textOf(c, "queued-hint") == "(no #queued-hint)" })

	clock.advance(30 * time.Millisecond)
	fc.receive(wsclient.Text, "later")
	eventually(t, e, "the round trip", func() bool { return c.rtt.Count == 1 })
	if c.rtt.Last != 30*time.Millisecond {
		t.Errorf("round trip = %v, want 30ms: from the flush, not the click", c.rtt.Last)
	}

	// Sent on the open connection: not queued, measured from the send.
	c.text = "now"
	act(e, c.mctx, c.SendText)
	clock.advance(10 * time.Millisecond)
	fc.receive(wsclient.Text, "now")
	eventually(t, e, "the second round trip", func() bool { return c.rtt.Count == 2 })
	if c.rtt.Last != 10*time.Millisecond {
		t.Errorf("round trip = %v, want 10ms", c.rtt.Last)
	}
	for _, l := range c.log {
		if strings.Contains(l.Preview, "now") && l.Queued {
			t.Errorf("a send on an open connection is marked queued: %+v", l)
		}
	}
}

// With auto-reconnect, the first failed attempt since the last open is
// explained by the probe, in its one entry with what comes next; the next
// failures of the streak are not probed again; an open starts a new streak.
func TestConsoleClientFailureIsExplained(t *testing.T) {
	c, _, cd := newClientConsole()
	var probes atomic.Int32
	c.probe = func(context.Context, string, []string) probeResult {
		probes.Add(1)
		return probeResult{Status: 404, StatusText: "Not Found"}
	}
	e := load(t, c)
	c.url, c.autoReconnect = "ws://example.test/nope", true
	act(e, c.mctx, c.Connect)
	fc := cd.last(t)
	lost := &wsclient.CloseError{Code: wsclient.StatusAbnormalClosure}
	fc.lose(lost, 1, 0)
	eventually(t, e, "the explained attempt", func() bool {
		return logHas(c, kindError, "Could not connect to ws://example.test/nope: no WebSocket endpoint at that path") &&
			logHas(c, kindError, "; reconnecting: attempt 1 in")
	})
	fc.lose(lost, 2, 0)
	eventually(t, e, "the second attempt", func() bool { return logHas(c, kindError, "; reconnecting: attempt 2 in") })
	if n := probes.Load(); n != 1 {
		t.Errorf("%d probes for one streak of failures, want 1", n)
	}
	fc.open("")
	fc.lose(lost, 1, 0) // the open connection drops: not a failed attempt
	fc.lose(lost, 2, 0) // this attempt fails: a new streak
	eventually(t, e, "a second probe", func() bool { return probes.Load() == 2 })
}
