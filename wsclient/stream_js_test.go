//go:build js && wasm

package wsclient

import (
	"bytes"
	"errors"
	"fmt"
	"slices"
	"testing"
	"time"
)

// The WebSocketStream transport keeps Conn's semantics: these run the core
// behaviours on it explicitly (WSTEST_TRANSPORT=stream runs the whole suite).

func streamOpts(o *Options) *Options {
	if o == nil {
		o = &Options{}
	}
	o.Transport = TransportStream
	return o
}

func TestStreamEchoesBytesAndTypes(t *testing.T) {
	if !hasWebSocketStream() {
		t.Fatal("this Chromium has no WebSocketStream")
	}
	c := dial(t, "/ws/echo", streamOpts(&Options{Protocols: []string{"chat"}}))
	if _, ok := c.t.(*streamSocket); !ok {
		t.Fatalf("transport = %T, want *streamSocket", c.t)
	}
	if c.Protocol() != "chat" || c.ReadyState() != Open {
		t.Fatalf("protocol %q, state %v", c.Protocol(), c.ReadyState())
	}
	for _, n := range []int{0, 1, 126, 65536, 1 << 20} {
		p := bytes.Repeat([]byte{byte(n)}, n)
		if err := c.SendBinary(p); err != nil {
			t.Fatal(err)
		}
		typ, got, err := c.Read(testCtx(t))
		if err != nil || typ != Binary || !bytes.Equal(got, p) {
			t.Fatalf("%d-byte binary echo: %v %d bytes %v", n, typ, len(got), err)
		}
		s := utf8Text(n)
		if err := c.SendText(s); err != nil {
			t.Fatal(err)
		}
		typ, got, err = c.Read(testCtx(t))
		if err != nil || typ != Text || string(got) != s {
			t.Fatalf("%d-byte text echo: %v %d bytes %v", n, typ, len(got), err)
		}
	}
}

func TestStreamEventsAndCloseCodes(t *testing.T) {
	r := newRecorder()
	if _, err := New(wsURL("/ws/close?code=4001&reason=bye"), streamOpts(r.options())); err != nil {
		t.Fatal(err)
	}
	want := []string{"state OPEN", "open", "state CLOSED", "close 4001 bye true"}
	if got := r.wait(t); !slices.Equal(got, want) {
		t.Fatalf("events = %q, want %q", got, want)
	}
	r = newRecorder()
	if _, err := New(wsURL("/ws/reject"), streamOpts(r.options())); err != nil {
		t.Fatal(err)
	}
	want = []string{"state CLOSED", "error " + ErrConnection.Error(), "close 1006  false"}
	if got := r.wait(t); !slices.Equal(got, want) {
		t.Fatalf("failed connection events = %q, want %q", got, want)
	}
	c := dial(t, "/ws/echo", streamOpts(nil))
	if err := c.SendText("x"); err != nil {
		t.Fatal(err)
	}
	if err := c.Close(StatusGoingAway, ""); !errors.Is(err, ErrInvalidAccess) {
		t.Fatalf("Close(1001) = %v", err)
	}
	if err := c.Close(4002, "done"); err != nil {
		t.Fatal(err)
	}
	if ce := waitDone(t, c); ce.Code != 4002 || ce.Reason != "done" || !ce.WasClean {
		t.Fatalf("close = %+v", ce)
	}
	if err := c.SendText("late"); !errors.Is(err, ErrClosed) || CloseStatus(err) != 4002 {
		t.Fatalf("SendText after close = %v", err)
	}
}

func TestStreamWriteBackpressure(t *testing.T) {
	checkWriteBackpressure(t, streamOpts(nil))
}

func TestStreamReleasesItsCallbacks(t *testing.T) {
	waitQuiet(t)
	for range 50 {
		c := dial(t, "/ws/echo", streamOpts(nil))
		c.Close(StatusNormalClosure, "")
		waitDone(t, c)
	}
	if n := liveFuncs.Load(); n != 0 {
		t.Fatalf("%d callbacks live after 50 stream connections", n)
	}
}

// On WebSocketStream a reader that falls behind slows the sender: the
// bridge stops reading at the receive bound, so the connection stays open
// (no 4008) and every message arrives, in order, once Read resumes.
func TestStreamSlowReaderSlowsTheSender(t *testing.T) {
	const n, size, bound = 256, 64 << 10, 8 // 16 MiB sent, 8 messages may wait
	c := dial(t, fmt.Sprintf("/ws/flood?n=%d&size=%d", n, size), streamOpts(&Options{MaxPendingMessages: bound}))
	time.Sleep(1500 * time.Millisecond) // nobody reads
	if c.ReadyState() != Open {
		t.Fatalf("ReadyState = %v after a pause in reading, want OPEN", c.ReadyState())
	}
	if waiting, _ := c.pending(); waiting > bound+1 {
		t.Fatalf("%d messages waiting with a bound of %d", waiting, bound)
	}
	for i := range n {
		_, p, err := c.Read(testCtx(t))
		if err != nil || len(p) != size || p[0] != byte(i) {
			t.Fatalf("message %d: %d bytes, %v", i, len(p), err)
		}
	}
	if _, _, err := c.Read(testCtx(t)); CloseStatus(err) != StatusNormalClosure {
		t.Fatalf("after the flood, Read = %v, want close 1000", err)
	}
}

// A peer that closes while a large write is still going out: the close
// reports the peer's code, as Chromium's own WebSocketStream does, not 1006.
func TestStreamReportsThePeersCodeDuringALargeWrite(t *testing.T) {
	for _, tc := range []struct {
		code  StatusCode
		bytes int
	}{{4567, 20 << 20}, {StatusNormalClosure, 8 << 20}} {
		c := dial(t, fmt.Sprintf("/ws/close?code=%d&reason=busy&after=100ms", tc.code), streamOpts(nil))
		if err := c.SendBinary(make([]byte, tc.bytes)); err != nil {
			t.Fatal(err)
		}
		if ce := waitDone(t, c); ce.Code != tc.code || ce.Reason != "busy" {
			t.Fatalf("closing with %d during a %d-byte write: close = %+v", tc.code, tc.bytes, ce)
		}
	}
}
