package wsclient

import (
	"context"
	"errors"
	"fmt"
	"strconv"
	"testing"
	"time"
)

// fallbackOptions keep the tests' upgrades quick; the endpoints' fallback
// has a short heartbeat and poll (wstest.FallbackConfig). The buffering
// check keeps its default: a loaded machine must not pass for a buffering
// proxy.
func fallbackOptions() *FallbackOptions {
	return &FallbackOptions{RetryWebSocket: 200 * time.Millisecond}
}

// webSocketTransport is what a Conn uses when its WebSocket gets through.
func webSocketTransport() Transport {
	if testTransport == TransportStream {
		return TransportStream
	}
	return TransportWebSocket
}

// A hostile proxy's setting, and where it puts a Conn with Fallback.
type hostileCase struct {
	name  string
	env   string // the proxy
	query string // its mode, for the switchable proxy
	want  Transport
}

var hostileCases = []hostileCase{
	{"strip-400", "WSTEST_HOSTILE", "strip=400", TransportHTTPStream},
	{"strip-403", "WSTEST_HOSTILE_STRIP", "", TransportHTTPStream},
	{"strip-502", "WSTEST_HOSTILE", "strip=502", TransportHTTPStream},
	// A proxy that buffers responses lets the 101 of a WebSocket through;
	// one that also strips Upgrade leaves the fallback to poll.
	{"strip-buffer", "WSTEST_HOSTILE", "strip=502&buffer=1", TransportHTTPPoll},
	// Requests cut every 2s: the fallback's receive is asked again.
	{"strip-cut", "WSTEST_HOSTILE", "strip=403&cut=2s", TransportHTTPStream},
	// Buffering alone breaks nothing: the WebSocket gets through.
	{"buffer", "WSTEST_HOSTILE_BUFFER", "", 0},
}

// setUp points the case's proxy and clears the memory of its origin.
func (hc hostileCase) setUp(t *testing.T) (base string) {
	if hc.query != "" {
		hostileMode(t, hc.query)
	}
	base = hostileURL(t, hc.env, "")
	forget(t, base)
	return base
}

// Behind each kind of hostile proxy, a Conn with Fallback delivers every
// message both ways, once and in order, and reports the server's close
// codes as a WebSocket does.
func TestFallbackBehindHostileProxies(t *testing.T) {
	for _, hc := range hostileCases {
		t.Run(hc.name, func(t *testing.T) {
			want := hc.want
			if want == 0 {
				want = webSocketTransport()
			}
			base := hc.setUp(t)
			opens, cuts := fallbackOpens(t), hostileCuts(t)
			c := dialURL(t, base+"/ws/echo", &Options{Fallback: fallbackOptions(), Protocols: []string{"echo"}})
			if c.Protocol() != "echo" || c.Extensions() != "" && want.httpTransport() {
				t.Fatalf("Protocol() = %q, Extensions() = %q", c.Protocol(), c.Extensions())
			}
			echoNumbered(t, c, 300)
			if hc.name == "strip-cut" {
				// Keep going until requests have been cut under the Conn.
				for hostileCuts(t) < cuts+2 {
					echoNumbered(t, c, 20)
					time.Sleep(100 * time.Millisecond)
				}
				echoNumbered(t, c, 300)
			}
			// After the echoes: a buffered stream is found out meanwhile.
			if got := c.Transport(); got != want {
				t.Fatalf("Transport() = %v, want %v", got, want)
			}
			c.Close(4000, "done")
			if ce := waitDone(t, c); ce.Code != 4000 || ce.Reason != "done" || !ce.WasClean {
				t.Fatalf("closed with %+v", ce)
			}
			for _, code := range []int{4001, 1001, 1011} {
				c := dialURL(t, base+"/ws/close?code="+strconv.Itoa(code)+"&reason=x", &Options{Fallback: fallbackOptions()})
				if ce := waitDone(t, c); int(ce.Code) != code || ce.Reason != "x" || !ce.WasClean {
					t.Fatalf("closed with %+v, want %d x", ce, code)
				}
			}
			if opened := fallbackOpens(t) > opens; opened != want.httpTransport() {
				t.Fatalf("fallback opens: %d before, %d after", opens, fallbackOpens(t))
			}
		})
	}
}

// Without a proxy nothing changes: no fallback is tried.
func TestFallbackUnusedWithoutProxy(t *testing.T) {
	forget(t, wsURL("/"))
	opens := fallbackOpens(t)
	c := dial(t, "/ws/echo", &Options{Fallback: fallbackOptions()})
	echoNumbered(t, c, 50)
	if got := c.Transport(); got != webSocketTransport() {
		t.Fatalf("Transport() = %v", got)
	}
	c.Close(StatusNormalClosure, "")
	waitDone(t, c)
	if n := fallbackOpens(t); n != opens {
		t.Fatalf("%d fallback opens", n-opens)
	}
}

// Once the fallback worked for an origin, the next Conn goes to HTTP at
// once: it is on the fallback from its start, without a WebSocket attempt.
func TestFallbackIsRememberedPerOrigin(t *testing.T) {
	base := hostileCase{env: "WSTEST_HOSTILE", query: "strip=502"}.setUp(t)
	first := dialURL(t, base+"/ws/echo", &Options{Fallback: fallbackOptions()})
	if !first.Transport().httpTransport() {
		t.Fatalf("first Transport() = %v", first.Transport())
	}
	second, err := New(base+"/ws/echo", &Options{Fallback: fallbackOptions()})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { second.Close(StatusNormalClosure, "") })
	// Still CONNECTING, it is already on HTTP: no WebSocket attempt.
	if tr := second.Transport(); !tr.httpTransport() {
		t.Fatalf("second Transport() while connecting = %v", tr)
	}
	echoNumbered(t, second, 20)
	// Another origin (the endpoints themselves) is not affected.
	c := dial(t, "/ws/echo", &Options{Fallback: fallbackOptions()})
	if tr := c.Transport(); tr.httpTransport() {
		t.Fatalf("another origin: Transport() = %v", tr)
	}
}

// A Client behind a proxy that strips Upgrade works on the fallback, and
// moves back to a WebSocket when the proxy lets it through; messages flow
// once each, in order, throughout.
func TestFallbackClientUpgradesBack(t *testing.T) {
	base := hostileCase{env: "WSTEST_HOSTILE", query: "strip=403"}.setUp(t)
	c, p := startClient(t, base+"/ws/echo", &ClientOptions{Options: Options{Fallback: fallbackOptions()}})
	p.waitFor(t, 0, "open", isPhase(PhaseOpen))
	if conn := c.Conn(); conn == nil || !conn.Transport().httpTransport() {
		t.Fatal("the Client is not on the fallback")
	}
	const n = 400
	sent, got := 0, 0
	send := func(upTo int) {
		for ; sent < upTo; sent++ {
			if err := c.Send(Text, []byte(strconv.Itoa(sent))); err != nil {
				t.Fatal(err)
			}
		}
	}
	read := func(upTo int) {
		for ; got < upTo; got++ {
			if m := readText(t, c); m != strconv.Itoa(got) {
				t.Fatalf("message %s, want %d", m, got)
			}
		}
	}
	send(n / 2)
	read(n / 4)
	hostileMode(t, "") // the proxy lets WebSockets through now
	upgraded := p.waitFor(t, 0, "the upgrade", func(s ClientState) bool { return errors.Is(s.Err, ErrUpgradeToWebSocket) })
	p.waitFor(t, upgraded, "open again", isPhase(PhaseOpen))
	send(n)
	read(n)
	if conn := c.Conn(); conn == nil || conn.Transport() != webSocketTransport() {
		t.Fatal("the Client is still on the fallback")
	}
	if s := c.Stats(); s.Upgrades != 1 || s.Fallbacks != 1 || s.Undelivered != 0 {
		t.Fatalf("stats %+v", s)
	}
	if fallbackRemembered(originOf(base)) {
		t.Fatal("the fallback is still remembered")
	}
}

// A Client behind each kind of hostile proxy delivers every message, once
// and in order (numbered echoes, no message reported undelivered).
func TestFallbackClientBehindHostileProxies(t *testing.T) {
	for _, hc := range hostileCases {
		t.Run(hc.name, func(t *testing.T) {
			base := hc.setUp(t)
			o := fallbackOptions()
			o.RetryWebSocket = -1
			c, p := startClient(t, base+"/ws/echo", &ClientOptions{Options: Options{Fallback: o}})
			p.waitFor(t, 0, "open", isPhase(PhaseOpen))
			cuts := hostileCuts(t)
			// Rounds of 100 numbered messages; behind the cutting proxy,
			// until requests have been cut under the Client.
			for i, round := 0, 0; round < 5 || hc.name == "strip-cut" && hostileCuts(t) < cuts+2; round++ {
				end := i + 100
				for j := i; j < end; j++ {
					if err := c.Send(Text, []byte(strconv.Itoa(j))); err != nil {
						t.Fatalf("send %d: %v", j, err)
					}
				}
				for ; i < end; i++ {
					if m := readText(t, c); m != strconv.Itoa(i) {
						t.Fatalf("message %s, want %d", m, i)
					}
				}
				time.Sleep(100 * time.Millisecond)
			}
			if s := c.Stats(); s.Undelivered != 0 || s.Connects != 1 {
				t.Fatalf("stats %+v", s)
			}
		})
	}
}

// The reliability test on the fallback: its requests are cut 20 times.
func TestClientLosesNothingSilentlyAcross20DropsOnTheFallback(t *testing.T) {
	for _, tr := range []Transport{TransportHTTPStream, TransportHTTPPoll} {
		o := Options{Transport: tr, Fallback: fallbackOptions()}
		t.Run(tr.String()+"/report", func(t *testing.T) { testDrops(t, false, o) })
		t.Run(tr.String()+"/redeliver", func(t *testing.T) { testDrops(t, true, o) })
	}
}

// The browser fails a handshake whose answer selects none of the offered
// subprotocols (/ws/echo answers "nope" with none); the fallback fails it
// the same way, with 1006, rather than opening what a WebSocket would not.
func TestFallbackRefusesWhatTheBrowserWould(t *testing.T) {
	base := hostileCases[1].setUp(t) // strip-403
	opens := fallbackOpens(t)
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	c, err := Dial(ctx, base+"/ws/echo", &Options{Fallback: fallbackOptions(), Protocols: []string{"nope"}})
	if err == nil {
		c.Close(StatusNormalClosure, "")
		t.Fatalf("Dial offering nope opened with protocol %q over %v", c.Protocol(), c.Transport())
	}
	if code := CloseStatus(err); code != StatusAbnormalClosure {
		t.Errorf("Dial: %v (code %v), want 1006", err, code)
	}
	if fallbackOpens(t) == opens {
		t.Error("the fallback was not tried")
	}
}

// A burst far past the receive bounds reaches a slow reader whole over the
// fallback: the fallback stops reading the response while the bounds are
// full, and the server's writes wait (a WebSocket's burst waits in the
// browser's queue or in TCP instead).
func TestFallbackBurstWaitsForTheReader(t *testing.T) {
	const n, size = 2000, 8
	c := dialURL(t, wsURL(fmt.Sprintf("/ws/flood?n=%d&size=%d", n, size)), &Options{
		Transport: TransportHTTPStream, Fallback: fallbackOptions(), MaxPendingMessages: 16,
	})
	time.Sleep(300 * time.Millisecond) // the burst arrives while nothing reads
	for i := range n {
		_, p, err := c.Read(testCtx(t))
		if err != nil {
			t.Fatalf("message %d of %d: %v", i, n, err)
		}
		if len(p) != size || p[0] != byte(i) {
			t.Fatalf("message %d = % x, want %d bytes from %#x", i, p, size, byte(i))
		}
	}
	if ce := waitDone(t, c); ce.Code != StatusNormalClosure || ce.Reason != "flood done" {
		t.Errorf("closed with %v, want 1000 flood done", ce)
	}
}
