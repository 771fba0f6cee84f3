package wsclient

import (
	"errors"
	"fmt"
	"slices"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"
)

// fastBackoff keeps reconnect tests quick.
var fastBackoff = Backoff{Min: 10 * time.Millisecond, Max: 100 * time.Millisecond}

// phases records a Client's states.
type phases struct {
	mu     sync.Mutex
	states []ClientState
	change chan struct{}
}

func newPhases() *phases { return &phases{change: make(chan struct{}, 1)} }

func (p *phases) record(s ClientState) {
	p.mu.Lock()
	p.states = append(p.states, s)
	p.mu.Unlock()
	wake(p.change)
}

// waitFor waits until a recorded state satisfies ok, after the first skip
// states, and returns its index.
func (p *phases) waitFor(t *testing.T, skip int, what string, ok func(ClientState) bool) int {
	t.Helper()
	ctx := testCtx(t)
	for {
		p.mu.Lock()
		for i := skip; i < len(p.states); i++ {
			if ok(p.states[i]) {
				p.mu.Unlock()
				return i
			}
		}
		p.mu.Unlock()
		select {
		case <-p.change:
		case <-ctx.Done():
			t.Fatalf("never reached %s; states: %v", what, p.list())
		}
	}
}

func (p *phases) list() []string {
	p.mu.Lock()
	defer p.mu.Unlock()
	var out []string
	for _, s := range p.states {
		out = append(out, fmt.Sprintf("%v(%d,%v)", s.Phase, s.Attempt, s.Err))
	}
	return out
}

func isPhase(ph Phase) func(ClientState) bool {
	return func(s ClientState) bool { return s.Phase == ph }
}

func startClient(t *testing.T, url string, o *ClientOptions) (*Client, *phases) {
	t.Helper()
	p := newPhases()
	if o == nil {
		o = &ClientOptions{}
	}
	if o.Backoff == (Backoff{}) {
		o.Backoff = fastBackoff
	}
	o.OnStateChange = p.record
	c, err := NewClient(url, o)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() {
		c.Close(StatusNormalClosure, "test over")
		<-c.Done()
	})
	return c, p
}

// serverDown waits for the client to open, then takes the server behind the
// proxy down and waits for the client to notice.
func serverDown(t *testing.T, p *phases) {
	t.Helper()
	open := p.waitFor(t, 0, "open", isPhase(PhaseOpen))
	proxyDown(t, true)
	proxyCut(t)
	p.waitFor(t, open, "reconnecting", isPhase(PhaseReconnecting))
}

func readText(t *testing.T, c *Client) string {
	t.Helper()
	_, p, err := c.Read(testCtx(t))
	if err != nil {
		t.Fatal(err)
	}
	return string(p)
}

func TestClientSendsReadsAndCloses(t *testing.T) {
	c, p := startClient(t, wsURL("/ws/echo"), nil)
	if err := c.Send(Text, []byte("hello")); err != nil {
		t.Fatal(err)
	}
	if got := readText(t, c); got != "hello" {
		t.Fatalf("echo = %q", got)
	}
	p.waitFor(t, 0, "open", isPhase(PhaseOpen))
	// Without Key a message is settled once its bytes have left; Stats is
	// current without waiting for another send. Natively the writer counts
	// the bytes as gone when the write returns, which may be a moment after
	// the echo has been read.
	ctx := testCtx(t)
	for s := c.Stats(); s.Queued != 0 || s.Sent != 1; s = c.Stats() {
		select {
		case <-ctx.Done():
			t.Fatalf("stats after the echo = %+v, want nothing queued and 1 sent", s)
		case <-time.After(time.Millisecond):
		}
	}
	if err := c.Close(4000, "bye"); err != nil {
		t.Fatal(err)
	}
	<-c.Done()
	if c.State().Phase != PhaseClosed || c.Err() != nil {
		t.Fatalf("after Close: %+v, err %v", c.State(), c.Err())
	}
	if err := c.Send(Text, []byte("late")); !errors.Is(err, ErrClosed) || !strings.Contains(err.Error(), "bye") {
		t.Fatalf("Send after Close = %v", err)
	}
	if _, _, err := c.Read(testCtx(t)); !errors.Is(err, ErrClosed) {
		t.Fatalf("Read after Close = %v", err)
	}
}

func TestClientReconnectsAfterADrop(t *testing.T) {
	c, p := startClient(t, proxied(t, "/ws/echo"), nil)
	c.Send(Text, []byte("one"))
	if got := readText(t, c); got != "one" {
		t.Fatalf("echo = %q", got)
	}
	first := p.waitFor(t, 0, "open", isPhase(PhaseOpen))
	proxyCut(t)
	r := p.waitFor(t, first, "reconnecting", isPhase(PhaseReconnecting))
	if s := p.states[r]; s.Attempt != 1 || CloseStatus(s.Err) != StatusAbnormalClosure || s.NextTry.IsZero() {
		t.Fatalf("reconnecting state = %+v, want attempt 1 after a 1006", s)
	}
	p.waitFor(t, r, "open again", isPhase(PhaseOpen))
	c.Send(Text, []byte("two"))
	if got := readText(t, c); got != "two" {
		t.Fatalf("echo after reconnect = %q", got)
	}
	if n := c.Stats().Connects; n != 2 {
		t.Fatalf("Connects = %d, want 2", n)
	}
}

func TestClientQueuesWhileDownAndFlushesInOrder(t *testing.T) {
	c, p := startClient(t, proxied(t, "/ws/echo"), nil)
	serverDown(t, p)
	for i := range 100 {
		if err := c.Send(Text, []byte(strconv.Itoa(i))); err != nil {
			t.Fatal(err)
		}
	}
	if q := c.Stats().Queued; q != 100 {
		t.Fatalf("Queued while down = %d, want 100", q)
	}
	proxyDown(t, false)
	for i := range 100 {
		if got := readText(t, c); got != strconv.Itoa(i) {
			t.Fatalf("message %d came back as %q: order lost", i, got)
		}
	}
}

// OnWrite reports a message queued while disconnected only when the next
// connection writes it, in order, and before its echo arrives: a round trip
// can be measured from the flush.
func TestClientOnWriteReportsTheFlush(t *testing.T) {
	var (
		mu      sync.Mutex
		written []string
	)
	got := func() []string {
		mu.Lock()
		defer mu.Unlock()
		return slices.Clone(written)
	}
	c, p := startClient(t, proxied(t, "/ws/echo"), &ClientOptions{OnWrite: func(m Message) {
		mu.Lock()
		written = append(written, string(m.Data))
		mu.Unlock()
	}})
	serverDown(t, p)
	for _, s := range []string{"a", "b", "c"} {
		if err := c.Send(Text, []byte(s)); err != nil {
			t.Fatal(err)
		}
	}
	if w := got(); len(w) != 0 {
		t.Fatalf("OnWrite reported %q while no connection was open", w)
	}
	proxyDown(t, false)
	for i, want := range []string{"a", "b", "c"} {
		if echo := readText(t, c); echo != want {
			t.Fatalf("echo %d = %q, want %q", i, echo, want)
		}
		if w := got(); len(w) < i+1 || w[i] != want {
			t.Fatalf("after the echo of %q OnWrite had reported %q", want, w)
		}
	}
	if w := got(); !slices.Equal(w, []string{"a", "b", "c"}) {
		t.Fatalf("OnWrite reported %q, want [a b c]", w)
	}
}

func TestClientFullQueueIsAnError(t *testing.T) {
	c, p := startClient(t, proxied(t, "/ws/echo"), &ClientOptions{MaxQueueMessages: 5, MaxQueueBytes: 1 << 20})
	serverDown(t, p)
	for i := range 5 {
		if err := c.Send(Binary, []byte{byte(i)}); err != nil {
			t.Fatal(err)
		}
	}
	if err := c.Send(Binary, []byte{5}); !errors.Is(err, ErrQueueFull) {
		t.Fatalf("sixth Send = %v, want ErrQueueFull", err)
	}
	if err := c.Send(Binary, make([]byte, 2<<20)); !errors.Is(err, ErrQueueFull) {
		t.Fatalf("oversized Send = %v, want ErrQueueFull", err)
	}
}

func TestClientDropsVolatileSendsWhileDown(t *testing.T) {
	c, p := startClient(t, proxied(t, "/ws/echo"), nil)
	serverDown(t, p)
	for range 3 {
		if err := c.SendVolatile(Text, []byte("cursor")); err != nil {
			t.Fatal(err)
		}
	}
	if s := c.Stats(); s.Dropped != 3 || s.Queued != 0 {
		t.Fatalf("stats = %+v, want 3 dropped and nothing queued", s)
	}
}

func TestClientStopsOnTerminalCodesAndOwnClose(t *testing.T) {
	c, p := startClient(t, wsURL("/ws/close?code=1000&reason=done"), nil)
	p.waitFor(t, 0, "closed", isPhase(PhaseClosed))
	<-c.Done()
	if CloseStatus(c.Err()) != StatusNormalClosure || c.Stats().Connects != 1 {
		t.Fatalf("err = %v, connects = %d: a 1000 from the server must end the client", c.Err(), c.Stats().Connects)
	}

	// 1001, a server going away, reconnects.
	c2, p2 := startClient(t, wsURL("/ws/close?code=1001&reason=restart"), nil)
	i := p2.waitFor(t, 0, "reconnecting", isPhase(PhaseReconnecting))
	p2.waitFor(t, i, "open again", isPhase(PhaseOpen))
	c2.Close(StatusNormalClosure, "")
	p2.waitFor(t, 0, "closed", isPhase(PhaseClosed))
	if c2.Err() != nil {
		t.Fatalf("Err after own Close = %v, want nil", c2.Err())
	}

	// A code the application marks terminal.
	c3, p3 := startClient(t, wsURL("/ws/close?code=4404&reason=gone"), &ClientOptions{
		Terminal: func(code StatusCode) bool { return code == 4404 },
	})
	p3.waitFor(t, 0, "closed", isPhase(PhaseClosed))
	if CloseStatus(c3.Err()) != 4404 {
		t.Fatalf("Err = %v, want the terminal 4404", c3.Err())
	}
}

func TestClientAsksTheEndpointAtEveryAttempt(t *testing.T) {
	var mu sync.Mutex
	calls := 0
	c, p := startClient(t, "", &ClientOptions{
		Endpoint: func() (string, []string, error) {
			mu.Lock()
			defer mu.Unlock()
			calls++
			return proxied(t, "/ws/echo?token="+strconv.Itoa(calls)), []string{"chat"}, nil
		},
	})
	open := p.waitFor(t, 0, "open", isPhase(PhaseOpen))
	if conn := c.Conn(); conn == nil || !strings.HasSuffix(conn.URL(), "token=1") || conn.Protocol() != "chat" {
		t.Fatalf("first connection: %v", conn)
	}
	proxyCut(t)
	p.waitFor(t, open+1, "open again", isPhase(PhaseOpen))
	if conn := c.Conn(); conn == nil || !strings.HasSuffix(conn.URL(), "token=2") {
		t.Fatalf("second connection did not use a fresh token: %v", conn.URL())
	}
}

func TestClientGivesUpAfterMaxAttempts(t *testing.T) {
	c, p := startClient(t, wsURL("/ws/reject"), &ClientOptions{
		Backoff: Backoff{Min: time.Millisecond, Max: 5 * time.Millisecond, MaxAttempts: 3},
	})
	p.waitFor(t, 0, "closed", isPhase(PhaseClosed))
	if err := c.Err(); err == nil || !strings.Contains(err.Error(), "gave up after 3 attempts") {
		t.Fatalf("Err = %v", err)
	}
}

func TestClientReplacesAHalfOpenConnection(t *testing.T) {
	c, p := startClient(t, proxied(t, "/ws/echo"), &ClientOptions{
		Heartbeat: Heartbeat{
			Interval: 50 * time.Millisecond,
			Timeout:  200 * time.Millisecond,
			IsPong:   func(m Message) bool { return string(m.Data) == "ping" },
		},
	})
	open := p.waitFor(t, 0, "open", isPhase(PhaseOpen))
	proxyBlackhole(t, true) // nothing closes, nothing arrives
	r := p.waitFor(t, open, "reconnecting", isPhase(PhaseReconnecting))
	if err := p.states[r].Err; !errors.Is(err, ErrHeartbeatTimeout) {
		t.Fatalf("half-open connection ended with %v, want ErrHeartbeatTimeout", err)
	}
	proxyBlackhole(t, false)
	p.waitFor(t, r, "open again", isPhase(PhaseOpen))
	c.Send(Text, []byte("alive"))
	if got := readText(t, c); got != "alive" {
		t.Fatalf("echo = %q (pongs must not be delivered)", got)
	}
}

// 10,000 numbered messages through an echo server while the connection is
// dropped 20 times: every message is echoed back or reported as undelivered
// — none vanish, none both — and echoes keep their order.
func TestClientLosesNothingSilentlyAcross20Drops(t *testing.T) {
	t.Run("report", func(t *testing.T) { testDrops(t, false, Options{}) })
	// With Redeliver every message is echoed: the unconfirmed ones are sent
	// again on the next connection.
	t.Run("redeliver", func(t *testing.T) { testDrops(t, true, Options{}) })
}

// testDrops runs the test on connections made with base (the HTTP
// fallback's tests pass its options).
func testDrops(t *testing.T, redeliver bool, base Options) {
	const total, drops = 10000, 20
	var mu sync.Mutex
	reported := map[int]bool{}
	c, p := startClient(t, proxied(t, "/ws/echo"), &ClientOptions{
		Options:          base,
		Key:              func(m Message) string { return string(m.Data) },
		Redeliver:        redeliver,
		MaxQueueMessages: 256,
		OnUndelivered: func(m Message, err error) {
			if !errors.Is(err, ErrUndelivered) {
				t.Errorf("message %s reported with %v", m.Data, err)
			}
			n, _ := strconv.Atoi(string(m.Data))
			mu.Lock()
			reported[n] = true
			mu.Unlock()
		},
	})
	p.waitFor(t, 0, "open", isPhase(PhaseOpen))
	ctx := testCtx(t)
	go func() {
		for i := 0; i < total; {
			err := c.Send(Text, []byte(strconv.Itoa(i)))
			if errors.Is(err, ErrQueueFull) {
				time.Sleep(time.Millisecond) // the outbox is the sender's backpressure
				continue
			}
			if err != nil {
				t.Errorf("Send %d: %v", i, err)
				return
			}
			i++
		}
	}()
	echoed := map[int]bool{}
	last, cuts := -1, 0
	for {
		mu.Lock()
		accounted := len(echoed) + len(reported)
		mu.Unlock()
		if accounted == total {
			break
		}
		rctx, cancel := testCtxWithin(ctx, 2*time.Second)
		_, data, err := c.Read(rctx)
		cancel()
		if err != nil {
			if ctx.Err() != nil {
				t.Fatalf("accounted for %d of %d messages (%d echoed, %d reported)", accounted, total, len(echoed), len(reported))
			}
			continue // waiting for reports
		}
		n, _ := strconv.Atoi(string(data))
		if n <= last && !(redeliver && echoed[n]) {
			t.Fatalf("echo %d after %d: order lost", n, last)
		}
		if n < last {
			continue // a duplicate of a redelivered message
		}
		last = n
		mu.Lock()
		echoed[n] = true
		accounted = len(echoed) + len(reported)
		mu.Unlock()
		// Count only cuts that dropped a connection.
		if cuts < drops && accounted >= (cuts+1)*total/(drops+1) && proxyCut(t) > 0 {
			cuts++
		}
	}
	mu.Lock()
	defer mu.Unlock()
	for n := range reported {
		if echoed[n] {
			t.Fatalf("message %d was both echoed and reported undelivered", n)
		}
	}
	if cuts != drops {
		t.Fatalf("only %d drops happened", cuts)
	}
	if redeliver && len(reported) != 0 {
		t.Fatalf("%d messages reported undelivered with Redeliver on", len(reported))
	}
	// A cut can also land on a handshake in progress, so connections are
	// fewer than drops+1. On the HTTP fallback a cut request is asked
	// again: the connection may well survive every drop, losing nothing.
	fallback := base.Transport.httpTransport()
	if fallback && len(reported) != 0 {
		t.Fatalf("%d messages reported undelivered on the fallback", len(reported))
	}
	if s := c.Stats(); (s.Connects < 2 && !fallback) || s.Undelivered != int64(len(reported)) {
		t.Fatalf("stats = %+v; %d reported", s, len(reported))
	}
	t.Logf("%d echoed, %d reported undelivered, %d connections", len(echoed), len(reported), c.Stats().Connects)
}
