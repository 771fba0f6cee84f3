package wsclient

import (
	"bytes"
	"errors"
	"fmt"
	"math/rand/v2"
	"slices"
	"strings"
	"testing"
)

// messageSizes cover the frame-length encodings (7-bit, 16-bit, 64-bit) and
// the largest message wsclient promises.
var messageSizes = []int{0, 1, 125, 126, 127, 65535, 65536, 1 << 20, 16 << 20}

func TestBinaryEchoIsByteExact(t *testing.T) {
	c := dial(t, "/ws/echo", nil)
	rng := rand.New(rand.NewPCG(1, 2))
	for _, n := range messageSizes {
		p := make([]byte, n)
		for i := range p {
			p[i] = byte(rng.Uint32())
		}
		if err := c.SendBinary(p); err != nil {
			t.Fatalf("SendBinary(%d bytes): %v", n, err)
		}
		typ, got, err := c.Read(testCtx(t))
		if err != nil {
			t.Fatalf("Read after %d bytes: %v", n, err)
		}
		if typ != Binary || !bytes.Equal(got, p) {
			t.Fatalf("%d-byte binary echo came back as %v of %d bytes, different", n, typ, len(got))
		}
	}
}

// utf8Text returns exactly n bytes of valid UTF-8 mixing 1- to 4-byte runes.
func utf8Text(n int) string {
	runes := []string{"a", "é", "€", "𝄞"}
	var b strings.Builder
	for i := 0; b.Len() < n; i++ {
		r := runes[i%len(runes)]
		if b.Len()+len(r) > n {
			r = "a"
		}
		b.WriteString(r)
	}
	return b.String()
}

func TestTextEchoIsByteExact(t *testing.T) {
	c := dial(t, "/ws/echo", nil)
	for _, n := range messageSizes {
		s := utf8Text(n)
		if err := c.SendText(s); err != nil {
			t.Fatalf("SendText(%d bytes): %v", n, err)
		}
		typ, got, err := c.Read(testCtx(t))
		if err != nil {
			t.Fatalf("Read after %d bytes: %v", n, err)
		}
		if typ != Text || string(got) != s {
			t.Fatalf("%d-byte text echo came back as %v of %d bytes, different", n, typ, len(got))
		}
	}
}

func TestWriteKeepsTypeAndOrder(t *testing.T) {
	c := dial(t, "/ws/echo", nil)
	ctx := testCtx(t)
	const n = 200
	for i := range n {
		typ := Text
		if i%2 == 1 {
			typ = Binary
		}
		if err := c.Write(ctx, typ, []byte(fmt.Sprint(i))); err != nil {
			t.Fatal(err)
		}
	}
	for i := range n {
		typ, p, err := c.Read(ctx)
		if err != nil {
			t.Fatal(err)
		}
		want := Text
		if i%2 == 1 {
			want = Binary
		}
		if typ != want || string(p) != fmt.Sprint(i) {
			t.Fatalf("message %d = %v %q, want %v %q", i, typ, p, want, fmt.Sprint(i))
		}
	}
}

func TestFloodArrivesCompleteAndInOrder(t *testing.T) {
	const n, size = 5000, 16
	c := dial(t, fmt.Sprintf("/ws/flood?n=%d&size=%d", n, size), nil)
	ctx := testCtx(t)
	for i := range n {
		_, p, err := c.Read(ctx)
		if err != nil {
			t.Fatalf("Read %d: %v", i, err)
		}
		if len(p) != size || p[0] != byte(i) {
			t.Fatalf("message %d starts with %d (len %d)", i, p[0], len(p))
		}
	}
	if _, _, err := c.Read(ctx); CloseStatus(err) != StatusNormalClosure {
		t.Fatalf("after the flood, Read = %v, want close 1000", err)
	}
}

// A text message that is not UTF-8 fails the connection (RFC 6455 §8.1),
// as in Chromium: readyState CLOSED, then error, then close 1006 not clean.
// Read returns the messages before it, never it nor those after. A message
// in fragments is judged whole: "café" split inside the é is valid.
func TestInvalidUTF8TextFailsTheConnection(t *testing.T) {
	id := fmt.Sprint(rand.Uint64())
	r := newRecorder()
	opts := r.options()
	opts.OnMessage = nil // Read takes the messages
	c, err := Dial(testCtx(t), wsURL("/ws/badtext?id="+id), opts)
	if err != nil {
		t.Fatal(err)
	}
	for _, want := range []string{"before", "café"} {
		if typ, p, err := c.Read(testCtx(t)); err != nil || typ != Text || string(p) != want {
			t.Fatalf("Read = %v %q, %v; want text %q", typ, p, err, want)
		}
	}
	typ, p, err := c.Read(testCtx(t))
	var ce *CloseError
	if !errors.As(err, &ce) || ce.Code != StatusAbnormalClosure || ce.WasClean {
		t.Fatalf("Read after the invalid message = %v %q, %v; want close 1006, not clean", typ, p, err)
	}
	want := []string{"state OPEN", "open", "state CLOSED", "error " + ErrConnection.Error(), "close 1006  false"}
	if got := r.wait(t); !slices.Equal(got, want) {
		t.Fatalf("events = %q, want %q", got, want)
	}
	// RFC 6455 §7.1.7: the client tells the server why. Natively with 1007,
	// the code RFC 6455 §7.4.1 names for it; Chromium (156) sends 1002.
	wantCode := StatusInvalidFramePayloadData
	if inBrowser {
		wantCode = StatusProtocolError
	}
	if code := peerClose(t, id); code != int(wantCode) {
		t.Fatalf("the server received close code %d, want %d", code, wantCode)
	}
}
