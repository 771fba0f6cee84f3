package server

import (
	"bytes"
	"fmt"
	"math/rand/v2"
	"net/http"
	"strings"
	"testing"
	"unicode/utf8"

	"github.com/coder/websocket"
)

// textPayload returns n bytes of valid UTF-8 mixing 1- to 4-byte runes, so
// that runes straddle the server's chunk boundaries.
func textPayload(n int) []byte {
	runes := []rune("héllo wörld, 日本語 🎉 ")
	b := make([]byte, 0, n)
	for i := 0; len(b) < n; i++ {
		r := runes[i%len(runes)]
		if len(b)+utf8.RuneLen(r) > n {
			r = 'x'
		}
		b = utf8.AppendRune(b, r)
	}
	return b
}

func binaryPayload(n int) []byte {
	r := rand.New(rand.NewPCG(uint64(n), 7))
	b := make([]byte, n)
	for i := range b {
		b[i] = byte(r.UintN(256))
	}
	return b
}

func TestEchoSizes(t *testing.T) {
	ts := startServer(t, Config{})
	ctx := testCtx(t)
	c := dial(t, ctx, ts.ws("/echo"), nil)
	c.SetReadLimit(32 << 20)
	var total int
	for _, typ := range []websocket.MessageType{websocket.MessageText, websocket.MessageBinary} {
		for _, n := range []int{0, 1, 64 << 10, 16 << 20} {
			t.Run(fmt.Sprintf("%v/%d", typ, n), func(t *testing.T) {
				msg := binaryPayload(n)
				if typ == websocket.MessageText {
					msg = textPayload(n)
				}
				if err := c.Write(ctx, typ, msg); err != nil {
					t.Fatal(err)
				}
				gotTyp, got, err := c.Read(ctx)
				if err != nil {
					t.Fatal(err)
				}
				if gotTyp != typ || !bytes.Equal(got, msg) {
					t.Fatalf("echo of %d bytes (%v): got %d bytes (%v), equal=%v", n, typ, len(got), gotTyp, bytes.Equal(got, msg))
				}
				total += n
			})
		}
	}
	c.Close(websocket.StatusNormalClosure, "")
	ts.waitMetric(t, `duplex_closes_total{code="1000"}`, 1)
	if got := ts.metric(t, `duplex_bytes_in_total{path="/echo"}`); got != float64(total) {
		t.Errorf("bytes in = %v, want %d", got, total)
	}
	if got := ts.metric(t, `duplex_messages_out_total{path="/echo"}`); got != 8 {
		t.Errorf("messages out = %v, want 8", got)
	}
}

// A message assembled from several frames, some around the server's chunk
// size, comes back whole.
func TestEchoFragmented(t *testing.T) {
	ts := startServer(t, Config{})
	ctx := testCtx(t)
	c := dial(t, ctx, ts.ws("/echo"), nil)
	c.SetReadLimit(1 << 20)
	msg := textPayload(200 << 10)
	w, err := c.Writer(ctx, websocket.MessageText)
	if err != nil {
		t.Fatal(err)
	}
	for _, part := range [][]byte{msg[:1], msg[1 : 64<<10+3], msg[64<<10+3 : 150<<10], msg[150<<10:]} {
		if _, err := w.Write(part); err != nil {
			t.Fatal(err)
		}
	}
	if err := w.Close(); err != nil {
		t.Fatal(err)
	}
	typ, got, err := c.Read(ctx)
	if err != nil || typ != websocket.MessageText || !bytes.Equal(got, msg) {
		t.Fatalf("fragmented echo: %v, %d bytes, %v", typ, len(got), err)
	}
}

func TestEchoOverLimit(t *testing.T) {
	ts := startServer(t, Config{MaxMessageBytes: 1024})
	ctx := testCtx(t)

	c := dial(t, ctx, ts.ws("/echo"), nil)
	msg := binaryPayload(1024)
	if err := c.Write(ctx, websocket.MessageBinary, msg); err != nil {
		t.Fatal(err)
	}
	if _, got, err := c.Read(ctx); err != nil || !bytes.Equal(got, msg) {
		t.Fatalf("a message at the limit was not echoed: %v", err)
	}
	if err := c.Write(ctx, websocket.MessageBinary, binaryPayload(1025)); err != nil {
		t.Fatal(err)
	}
	expectClose(t, ctx, c, websocket.StatusMessageTooBig)

	// The server carries on.
	c2 := dial(t, ctx, ts.ws("/echo"), nil)
	echoOnce(t, ctx, c2, "still here")
	ts.waitMetric(t, `duplex_closes_total{code="1009"}`, 1)
}

// The default limit is 16 MiB: one byte more closes with 1009.
func TestEchoOverDefaultLimit(t *testing.T) {
	ts := startServer(t, Config{})
	ctx := testCtx(t)
	c := dial(t, ctx, ts.ws("/echo"), nil)
	if err := c.Write(ctx, websocket.MessageBinary, make([]byte, DefaultMaxMessageBytes+1)); err != nil {
		t.Fatal(err)
	}
	expectClose(t, ctx, c, websocket.StatusMessageTooBig)
	echoOnce(t, ctx, dial(t, ctx, ts.ws("/echo"), nil), "next")
}

// Text that is not UTF-8 is not echoed (a browser would fail the connection
// on it): the connection is closed with 1007.
func TestEchoInvalidUTF8(t *testing.T) {
	ts := startServer(t, Config{})
	ctx := testCtx(t)
	for _, msg := range [][]byte{[]byte("ab\xffcd"), append(textPayload(64<<10-1), 0xe2, 0x82), []byte("\xed\xa0\x80")} {
		c := dial(t, ctx, ts.ws("/echo"), nil)
		c.SetReadLimit(1 << 20)
		if err := c.Write(ctx, websocket.MessageText, msg); err != nil {
			t.Fatal(err)
		}
		expectClose(t, ctx, c, websocket.StatusInvalidFramePayloadData)
	}
	// The same bytes as a binary message are fine.
	c := dial(t, ctx, ts.ws("/echo"), nil)
	if err := c.Write(ctx, websocket.MessageBinary, []byte("ab\xffcd")); err != nil {
		t.Fatal(err)
	}
	if _, got, err := c.Read(ctx); err != nil || string(got) != "ab\xffcd" {
		t.Fatalf("binary echo: %q %v", got, err)
	}
}

func TestEchoSubprotocol(t *testing.T) {
	ts := startServer(t, Config{})
	ctx := testCtx(t)
	for _, tc := range []struct {
		offer []string
		want  string
	}{
		{nil, ""},
		{[]string{"echo"}, "echo"},
		{[]string{"chat.v2", "echo"}, "echo"},
		{[]string{"chat.v2"}, ""},
	} {
		c := dial(t, ctx, ts.ws("/echo"), &websocket.DialOptions{Subprotocols: tc.offer})
		if got := c.Subprotocol(); got != tc.want {
			t.Errorf("offered %q: protocol %q, want %q", tc.offer, got, tc.want)
		}
		echoOnce(t, ctx, c, "hi")
		c.Close(websocket.StatusNormalClosure, "")
	}
	ts.logs.waitFor(t, `"websocket open" with proto echo`, func(r map[string]any) bool {
		return r["msg"] == "websocket open" && r["proto"] == "echo" && r["path"] == "/echo"
	})
}

// /echo is public: any Origin works, including "null" from a file:// page.
func TestEchoAnyOrigin(t *testing.T) {
	ts := startServer(t, Config{})
	ctx := testCtx(t)
	for _, origin := range []string{"null", "https://evil.example", "file://", "http://" + ts.addr} {
		c := dial(t, ctx, ts.ws("/echo"), &websocket.DialOptions{HTTPHeader: http.Header{"Origin": {origin}}})
		echoOnce(t, ctx, c, "from "+origin)
		c.Close(websocket.StatusNormalClosure, "")
	}
}

func TestEchoConcurrentClients(t *testing.T) {
	ts := startServer(t, Config{})
	ctx := testCtx(t)
	const clients = 20
	errs := make(chan error, clients)
	for i := range clients {
		go func() {
			c, _, err := websocket.Dial(ctx, ts.ws("/echo"), nil)
			if err != nil {
				errs <- err
				return
			}
			defer c.CloseNow()
			for j := range 20 {
				msg := strings.Repeat(fmt.Sprint(i, "-", j, " "), j+1)
				if err := c.Write(ctx, websocket.MessageText, []byte(msg)); err != nil {
					errs <- err
					return
				}
				if _, got, err := c.Read(ctx); err != nil || string(got) != msg {
					errs <- fmt.Errorf("client %d message %d: %q %v", i, j, got, err)
					return
				}
			}
			errs <- c.Close(websocket.StatusNormalClosure, "")
		}()
	}
	for range clients {
		if err := <-errs; err != nil {
			t.Error(err)
		}
	}
}

func TestEchoCompression(t *testing.T) {
	ts := startServer(t, Config{Compression: true})
	ctx := testCtx(t)
	c, resp, err := websocket.Dial(ctx, ts.ws("/echo"), &websocket.DialOptions{CompressionMode: websocket.CompressionNoContextTakeover})
	if err != nil {
		t.Fatal(err)
	}
	defer c.CloseNow()
	if ext := resp.Header.Get("Sec-WebSocket-Extensions"); !strings.Contains(ext, "permessage-deflate") {
		t.Fatalf("extensions %q", ext)
	}
	c.SetReadLimit(1 << 20)
	for _, n := range []int{10, 1000, 200 << 10} {
		msg := textPayload(n)
		if err := c.Write(ctx, websocket.MessageText, msg); err != nil {
			t.Fatal(err)
		}
		if _, got, err := c.Read(ctx); err != nil || !bytes.Equal(got, msg) {
			t.Fatalf("compressed echo of %d bytes: %d bytes, %v", n, len(got), err)
		}
	}
	// Without the option, nothing is negotiated.
	ts2 := startServer(t, Config{})
	c2, resp, err := websocket.Dial(ctx, ts2.ws("/echo"), &websocket.DialOptions{CompressionMode: websocket.CompressionNoContextTakeover})
	if err != nil {
		t.Fatal(err)
	}
	defer c2.CloseNow()
	if ext := resp.Header.Get("Sec-WebSocket-Extensions"); ext != "" {
		t.Fatalf("extensions %q negotiated with compression off", ext)
	}
}
