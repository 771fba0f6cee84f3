package wsclient

import (
	"context"
	"errors"
	"net/url"
	"strconv"
	"sync"
	"testing"
	"time"

	"github.com/duplexgo/duplex/wsclient/fallbackproto"
	"github.com/duplexgo/duplex/wsclient/internal/wsframe"
)

// fakeFallback is an in-memory fallback server for the transport's unit
// tests: an echo endpoint behind the fallback's protocol, with faults on
// demand. The tests with the real server (package server/fallback) are in
// fallback_e2e_test.go.
type fakeFallback struct {
	open      fallbackproto.Open
	openCode  int  // status of the open (0: 200)
	cutAfter  int  // a receive answer ends after this many records (0: never)
	dupBack   int  // receives start this many bytes before the client's ack
	buffering bool // stream answers bring nothing (a buffering proxy)
	holdSends bool // sends are answered without taking anything
	down404   bool // the session is gone: every request gets 404
	unreached bool // every request fails (after the open)

	mu      sync.Mutex
	down    []byte // every downstream byte
	up      []byte // every upstream byte taken
	upRead  int    // upstream bytes parsed into frames
	ended   bool
	gotCode int // the close code the client sent
	changed chan struct{}
	recvs   []string // modes of the receives
}

func newFakeFallback() *fakeFallback {
	return &fakeFallback{
		open: fallbackproto.Open{Session: "s1", Heartbeat: 200 * time.Millisecond,
			Poll: 300 * time.Millisecond, Window: 1 << 20, Idle: 5 * time.Second},
		changed: make(chan struct{}),
	}
}

// fakeConn makes a Conn on the fallback, talking to f.
func fakeConn(t *testing.T, f *fakeFallback, poll bool, o *Options) *Conn {
	t.Helper()
	opts := o.withDefaults()
	if opts.Fallback == nil {
		opts.Fallback = (&FallbackOptions{}).resolved()
	}
	c := &Conn{core: newCore(opts)}
	fb := newFallback(c.core, "ws://fake.test/ws/echo?room=1", poll)
	fb.be = f
	c.t = fb
	fb.start()
	c.start()
	t.Cleanup(func() { c.Close(StatusNormalClosure, "") })
	return c
}

// signalLocked wakes waiting receives.
func (f *fakeFallback) signalLocked() {
	close(f.changed)
	f.changed = make(chan struct{})
}

// write sends a frame to the client.
func (f *fakeFallback) write(op byte, p []byte) {
	f.mu.Lock()
	f.down = wsframe.AppendServerFrame(f.down, op, p)
	f.signalLocked()
	f.mu.Unlock()
}

// takeLocked parses the client's frames as an echo endpoint does.
func (f *fakeFallback) takeLocked() {
	for {
		b := f.up[f.upRead:]
		if len(b) < 6 {
			return
		}
		n, h := int(b[1]&0x7F), 2
		switch n {
		case 126:
			n, h = int(b[2])<<8|int(b[3]), 4
		case 127:
			n, h = int(b[6])<<24|int(b[7])<<16|int(b[8])<<8|int(b[9]), 10
		}
		if len(b) < h+4+n {
			return
		}
		p := append([]byte(nil), b[h+4:h+4+n]...)
		for i := range p {
			p[i] ^= b[h+i&3]
		}
		f.upRead += h + 4 + n
		switch op := b[0] & 0x0F; op {
		case 1, 2:
			f.down = wsframe.AppendServerFrame(f.down, op, p)
		case 8:
			f.gotCode = -1
			if len(p) >= 2 {
				f.gotCode = int(p[0])<<8 | int(p[1])
			}
			if !f.ended {
				f.down = wsframe.AppendServerFrame(f.down, 8, p) // the echo of a close
			}
			f.ended = true
		}
		f.signalLocked()
	}
}

func (f *fakeFallback) post(ctx context.Context, rawURL string, body []byte) (int, []byte, error) {
	u, _ := url.Parse(rawURL)
	q := u.Query()
	f.mu.Lock()
	defer f.mu.Unlock()
	if code, err := f.faultLocked(q.Get(fallbackproto.ParamOp)); code != 0 || err != nil {
		return code, nil, err
	}
	switch q.Get(fallbackproto.ParamOp) {
	case fallbackproto.OpOpen:
		if f.openCode != 0 {
			return f.openCode, nil, nil
		}
		return 200, f.open.Marshal(), nil
	case fallbackproto.OpSend:
		off, _ := strconv.Atoi(q.Get(fallbackproto.ParamOffset))
		if !f.holdSends && off <= len(f.up) && off+len(body) > len(f.up) {
			f.up = append(f.up, body[len(f.up)-off:]...)
			f.takeLocked()
		}
		return 200, fallbackproto.FormatAck(uint64(len(f.up))), nil
	}
	return 400, nil, nil
}

// faultLocked is the injected failure of a request for op, if any.
func (f *fakeFallback) faultLocked(op string) (int, error) {
	switch {
	case op == fallbackproto.OpOpen:
	case f.down404:
		return 404, nil
	case f.unreached:
		return 0, errors.New("unreachable")
	}
	return 0, nil
}

func (f *fakeFallback) get(ctx context.Context, rawURL string, chunk func([]byte)) (int, error) {
	u, _ := url.Parse(rawURL)
	q := u.Query()
	ack, _ := strconv.Atoi(q.Get(fallbackproto.ParamAck))
	mode := q.Get(fallbackproto.ParamMode)
	f.mu.Lock()
	f.recvs = append(f.recvs, mode)
	code, err := f.faultLocked(fallbackproto.OpRecv)
	f.mu.Unlock()
	if code != 0 || err != nil {
		return code, err
	}
	if f.buffering && mode == fallbackproto.ModeStream {
		<-ctx.Done()
		return 200, ctx.Err()
	}
	sent, records := max(ack-f.dupBack, 0), 0
	emit := func(b []byte) bool {
		chunk(b)
		records++
		return f.cutAfter == 0 || records < f.cutAfter
	}
	if !emit(fallbackproto.AppendHeartbeat(fallbackproto.AppendPadding(nil, 100), 0)) {
		return 200, errors.New("cut")
	}
	hb := time.NewTicker(f.open.Heartbeat)
	defer hb.Stop()
	for {
		f.mu.Lock()
		data := f.down[min(sent, len(f.down)):]
		// Split into small records so cuts land between them.
		rec := data[:min(len(data), 50)]
		ended, upN, ch := f.ended, len(f.up), f.changed
		unreached := f.unreached
		f.mu.Unlock()
		if unreached {
			return 200, errors.New("the network is gone")
		}
		if len(rec) > 0 {
			if !emit(fallbackproto.AppendData(nil, uint64(sent), rec)) {
				return 200, errors.New("cut")
			}
			sent += len(rec)
			continue
		}
		if ended {
			chunk(fallbackproto.AppendEnd(nil, uint64(sent)))
			return 200, nil
		}
		if mode == fallbackproto.ModePoll && sent > ack {
			return 200, nil
		}
		select {
		case <-ch:
		case <-hb.C:
			if !emit(fallbackproto.AppendHeartbeat(nil, uint64(upN))) {
				return 200, errors.New("cut")
			}
			if mode == fallbackproto.ModePoll {
				return 200, nil
			}
		case <-ctx.Done():
			return 200, ctx.Err()
		}
	}
}

// echoNumbered sends n numbered messages, text and binary in turn, and
// checks their echoes arrive once each, in order, with their types.
func echoNumbered(t *testing.T, c *Conn, n int) {
	t.Helper()
	ctx := testCtx(t)
	go func() {
		for i := range n {
			typ := Text
			if i%2 == 1 {
				typ = Binary
			}
			if err := c.Write(ctx, typ, []byte(strconv.Itoa(i))); err != nil {
				t.Errorf("write %d: %v", i, err)
				return
			}
		}
	}()
	for i := range n {
		typ, p, err := c.Read(ctx)
		if err != nil {
			t.Fatalf("read %d: %v", i, err)
		}
		if string(p) != strconv.Itoa(i) || (typ == Text) != (i%2 == 0) {
			t.Fatalf("message %d: %v %q", i, typ, p)
		}
	}
}

func TestFallbackTunnelDeliversInOrderAcrossCuts(t *testing.T) {
	f := newFakeFallback()
	f.cutAfter, f.dupBack = 4, 30
	f.open.Protocol = "echo" // offered below, so the browser's rule lets it in
	c := fakeConn(t, f, false, &Options{Protocols: []string{"echo"}})
	echoNumbered(t, c, 500)
	if c.Protocol() != "echo" || c.Transport() != TransportHTTPStream || c.Extensions() != "" {
		t.Fatalf("protocol %q, transport %v", c.Protocol(), c.Transport())
	}
	if c.URL() != "ws://fake.test/ws/echo?room=1" {
		t.Fatalf("URL() = %q", c.URL())
	}
	c.Close(4000, "done")
	if ce := waitDone(t, c); ce.Code != 4000 || ce.Reason != "done" || !ce.WasClean {
		t.Fatalf("closed with %+v", ce)
	}
}

func TestFallbackTunnelPollsBehindABufferingProxy(t *testing.T) {
	f := newFakeFallback()
	f.buffering = true
	c := fakeConn(t, f, false, &Options{Fallback: &FallbackOptions{BufferedAfter: 300 * time.Millisecond}})
	echoNumbered(t, c, 50)
	if c.Transport() != TransportHTTPPoll {
		t.Fatalf("transport %v", c.Transport())
	}
}

func TestFallbackTunnelServerClose(t *testing.T) {
	f := newFakeFallback()
	c := fakeConn(t, f, true, nil)
	waitOpened(t, c)
	f.write(8, []byte("\x0f\xa1bye")) // 4001
	ce := waitDone(t, c)
	if ce.Code != 4001 || ce.Reason != "bye" || !ce.WasClean {
		t.Fatalf("closed with %+v", ce)
	}
	f.mu.Lock()
	defer f.mu.Unlock()
	if f.gotCode != 4001 {
		t.Fatalf("the server got close %d", f.gotCode)
	}
}

func TestFallbackTunnelFailsOnBadText(t *testing.T) {
	f := newFakeFallback()
	c := fakeConn(t, f, false, nil)
	waitOpened(t, c)
	f.write(1, []byte{0xff})
	if ce := waitDone(t, c); ce.Code != StatusAbnormalClosure || ce.WasClean {
		t.Fatalf("closed with %+v", ce)
	}
	deadline := time.Now().Add(10 * time.Second)
	for {
		f.mu.Lock()
		got := f.gotCode
		f.mu.Unlock()
		if got == int(StatusInvalidFramePayloadData) {
			break
		}
		if time.Now().After(deadline) {
			t.Fatalf("the server got close %d", got)
		}
		time.Sleep(10 * time.Millisecond)
	}
}

func TestFallbackTunnelRefusedOpen(t *testing.T) {
	f := newFakeFallback()
	f.openCode = 403
	c := fakeConn(t, f, false, nil)
	if ce := waitDone(t, c); ce.Code != StatusAbnormalClosure {
		t.Fatalf("closed with %+v", ce)
	}
}

// BufferedAmount counts what the server has not acknowledged.
func TestFallbackTunnelBufferedAmountCountsUnacknowledged(t *testing.T) {
	f := newFakeFallback()
	f.holdSends = true
	c := fakeConn(t, f, false, nil)
	waitOpened(t, c)
	c.SendText("hello")
	c.SendBinary(make([]byte, 1000))
	if n := c.BufferedAmount(); n != 1005 {
		t.Fatalf("BufferedAmount = %d, want 1005", n)
	}
	f.mu.Lock()
	f.holdSends = false
	f.mu.Unlock()
	ctx := testCtx(t)
	for c.BufferedAmount() != 0 {
		if err := c.t.waitDrain(ctx, 0, 0); err != nil {
			t.Fatalf("BufferedAmount stays %d", c.BufferedAmount())
		}
	}
}

// A session that ends without a close frame (its end, or 404), or whose
// server stays unreachable past its idle timeout, ends the connection with
// 1006, as a dropped WebSocket.
func TestFallbackTunnelEndsWithoutCloseAs1006(t *testing.T) {
	for name, fault := range map[string]func(f *fakeFallback){
		"end":         func(f *fakeFallback) { f.ended = true; f.signalLocked() },
		"404":         func(f *fakeFallback) { f.down404 = true; f.signalLocked() },
		"unreachable": func(f *fakeFallback) { f.unreached = true; f.signalLocked() },
	} {
		t.Run(name, func(t *testing.T) {
			f := newFakeFallback()
			f.open.Idle = 500 * time.Millisecond
			c := fakeConn(t, f, false, nil)
			echoNumbered(t, c, 10)
			f.mu.Lock()
			fault(f)
			f.mu.Unlock()
			if ce := waitDone(t, c); ce.Code != StatusAbnormalClosure || ce.WasClean {
				t.Fatalf("closed with %+v", ce)
			}
		})
	}
}

// waitOpened waits for c to open, or fails the test after a bound.
func waitOpened(t *testing.T, c *Conn) {
	t.Helper()
	select {
	case <-c.opened:
	case <-c.done:
		t.Fatalf("ended before opening: %v", c.Err())
	case <-testCtx(t).Done():
		t.Fatal("never opened")
	}
}
