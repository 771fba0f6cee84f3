package server

import (
	"bufio"
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"io"
	"log/slog"
	"net"
	"net/http"
	"regexp"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/coder/websocket"
)

// testTimeout bounds every test's context: generous, for a loaded machine.
const testTimeout = 2 * time.Minute

// testCtx returns a context cancelled at the end of the test or after
// testTimeout.
func testCtx(t *testing.T) context.Context {
	ctx, cancel := context.WithTimeout(t.Context(), testTimeout)
	t.Cleanup(cancel)
	return ctx
}

// logBuffer collects a server's JSON log lines.
type logBuffer struct {
	mu  sync.Mutex
	buf bytes.Buffer
}

func (b *logBuffer) Write(p []byte) (int, error) {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.buf.Write(p)
}

func (b *logBuffer) String() string {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.buf.String()
}

// records returns the log lines decoded.
func (b *logBuffer) records() []map[string]any {
	var out []map[string]any
	for line := range strings.SplitSeq(b.String(), "\n") {
		var m map[string]any
		if json.Unmarshal([]byte(line), &m) == nil {
			out = append(out, m)
		}
	}
	return out
}

// waitFor polls the logs until a record satisfies match, and returns it.
func (b *logBuffer) waitFor(t *testing.T, what string, match func(map[string]any) bool) map[string]any {
	t.Helper()
	deadline := time.Now().Add(30 * time.Second)
	for {
		for _, r := range b.records() {
			if match(r) {
				return r
			}
		}
		if time.Now().After(deadline) {
			t.Fatalf("no log record %s in:\n%s", what, b.String())
		}
		time.Sleep(10 * time.Millisecond)
	}
}

// testServer is a Server running on a 127.0.0.1 port for one test.
type testServer struct {
	srv    *Server
	addr   string // host:port
	scheme string // "http" or "https"
	logs   *logBuffer
	cancel context.CancelFunc
	done   chan error
}

// startServer runs New(cfg) on 127.0.0.1:0 until the end of the test, and
// checks that it then shuts down cleanly.
func startServer(t *testing.T, cfg Config) *testServer {
	t.Helper()
	logs := &logBuffer{}
	if cfg.Logger == nil {
		cfg.Logger = slog.New(slog.NewJSONHandler(logs, &slog.HandlerOptions{Level: slog.LevelDebug}))
	}
	if cfg.WebDir == "" {
		cfg.WebDir = t.TempDir()
	}
	srv := New(cfg)
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithCancel(context.Background())
	ts := &testServer{srv: srv, addr: ln.Addr().String(), scheme: "http", logs: logs, cancel: cancel, done: make(chan error, 1)}
	if cfg.TLSCert != "" {
		ts.scheme = "https"
	}
	go func() { ts.done <- srv.Serve(ctx, ln) }()
	t.Cleanup(func() {
		cancel()
		select {
		case err := <-ts.done:
			if err != nil {
				t.Errorf("Serve: %v", err)
			}
		case <-time.After(time.Minute):
			t.Errorf("Serve did not return after its context was cancelled")
		}
		if t.Failed() {
			t.Logf("server logs:\n%s", logs)
		}
	})
	return ts
}

// url returns the http(s) URL of path.
func (ts *testServer) url(path string) string {
	return ts.scheme + "://" + ts.addr + path
}

// ws returns the ws(s) URL of path.
func (ts *testServer) ws(path string) string {
	return strings.Replace(ts.scheme, "http", "ws", 1) + "://" + ts.addr + path
}

// metric returns the value of one sample of /metrics, or -1 if absent. A
// sample named without the transport label sums over the transports, as
// PromQL's sum without (transport).
func (ts *testServer) metric(t *testing.T, sample string) float64 {
	t.Helper()
	var buf bytes.Buffer
	ts.srv.metrics.writeText(&buf)
	sum, found := 0.0, false
	for line := range strings.SplitSeq(buf.String(), "\n") {
		name, value, ok := strings.Cut(line, " ")
		if !ok || name != sample && !(strings.Contains(name, `,transport="`) && !strings.Contains(sample, "transport=") &&
			transportLabel.ReplaceAllString(name, "") == sample) {
			continue
		}
		var v float64
		if err := json.Unmarshal([]byte(value), &v); err != nil {
			t.Fatalf("metric %s: %v", line, err)
		}
		sum, found = sum+v, true
	}
	if !found {
		return -1
	}
	return sum
}

// transportLabel matches the transport label after another.
var transportLabel = regexp.MustCompile(`,transport="[a-z]+"`)

// waitMetric polls until sample has value want.
func (ts *testServer) waitMetric(t *testing.T, sample string, want float64) {
	t.Helper()
	deadline := time.Now().Add(30 * time.Second)
	for {
		got := ts.metric(t, sample)
		if got == want {
			return
		}
		if time.Now().After(deadline) {
			t.Fatalf("metric %s = %v, want %v", sample, got, want)
		}
		time.Sleep(10 * time.Millisecond)
	}
}

// dial opens a WebSocket connection that is closed at the end of the test.
func dial(t *testing.T, ctx context.Context, url string, opts *websocket.DialOptions) *websocket.Conn {
	t.Helper()
	c, resp, err := websocket.Dial(ctx, url, opts)
	if err != nil {
		status := 0
		if resp != nil {
			status = resp.StatusCode
		}
		t.Fatalf("dial %s: %v (HTTP status %d)", url, err, status)
	}
	t.Cleanup(func() { c.CloseNow() })
	return c
}

// dialStatus dials and expects the handshake to fail with an HTTP status,
// which it returns with the response body.
func dialStatus(t *testing.T, ctx context.Context, url string, opts *websocket.DialOptions) (int, string) {
	t.Helper()
	c, resp, err := websocket.Dial(ctx, url, opts)
	if err == nil {
		c.CloseNow()
		t.Fatalf("dial %s succeeded, want an HTTP error", url)
	}
	if resp == nil {
		t.Fatalf("dial %s: %v, with no HTTP response", url, err)
	}
	var body bytes.Buffer
	if resp.Body != nil {
		body.ReadFrom(resp.Body)
	}
	return resp.StatusCode, body.String()
}

// expectClose reads (and discards) messages until the connection closes,
// and checks the close code.
func expectClose(t *testing.T, ctx context.Context, c *websocket.Conn, want websocket.StatusCode) websocket.CloseError {
	t.Helper()
	for {
		_, _, err := c.Read(ctx)
		if err == nil {
			continue
		}
		var ce websocket.CloseError
		if !errors.As(err, &ce) || ce.Code != want {
			t.Fatalf("connection ended with %v, want close code %d", err, want)
		}
		return ce
	}
}

// echoOnce checks that c echoes one text message.
func echoOnce(t *testing.T, ctx context.Context, c *websocket.Conn, text string) {
	t.Helper()
	if err := c.Write(ctx, websocket.MessageText, []byte(text)); err != nil {
		t.Fatalf("write: %v", err)
	}
	typ, got, err := c.Read(ctx)
	if err != nil || typ != websocket.MessageText || string(got) != text {
		t.Fatalf("echo of %q: %v %q %v", text, typ, got, err)
	}
}

// httpGet performs a GET with a client that trusts nothing special.
func httpGet(t *testing.T, ctx context.Context, client *http.Client, url string, header http.Header) (*http.Response, string) {
	t.Helper()
	if client == nil {
		client = http.DefaultClient
	}
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, url, nil)
	if err != nil {
		t.Fatal(err)
	}
	for k, v := range header {
		req.Header[k] = v
	}
	resp, err := client.Do(req)
	if err != nil {
		t.Fatalf("GET %s: %v", url, err)
	}
	defer resp.Body.Close()
	var body bytes.Buffer
	body.ReadFrom(resp.Body)
	return resp, body.String()
}

// rawConn is a WebSocket client written by hand, to send what well-behaved
// clients never do.
type rawConn struct {
	net.Conn
	br *bufio.Reader
}

// rawDial performs a handshake by hand and returns the connection after a
// 101 response.
func rawDial(t *testing.T, addr, path string, header http.Header) *rawConn {
	t.Helper()
	nc, err := net.DialTimeout("tcp", addr, 10*time.Second)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { nc.Close() })
	req, _ := http.NewRequest(http.MethodGet, "http://"+addr+path, nil)
	req.Header.Set("Connection", "Upgrade")
	req.Header.Set("Upgrade", "websocket")
	req.Header.Set("Sec-WebSocket-Version", "13")
	req.Header.Set("Sec-WebSocket-Key", "dGhlIHNhbXBsZSBub25jZQ==")
	for k, v := range header {
		req.Header[k] = v
	}
	nc.SetDeadline(time.Now().Add(30 * time.Second))
	if err := req.Write(nc); err != nil {
		t.Fatal(err)
	}
	br := bufio.NewReader(nc)
	resp, err := http.ReadResponse(br, req)
	if err != nil {
		t.Fatal(err)
	}
	if resp.StatusCode != http.StatusSwitchingProtocols {
		t.Fatalf("raw handshake: status %d", resp.StatusCode)
	}
	if got := resp.Header.Get("Sec-WebSocket-Accept"); got != "s3pPLMBiTxaQ9kYGzzhZRbK+xOo=" {
		t.Fatalf("Sec-WebSocket-Accept = %q", got)
	}
	nc.SetDeadline(time.Time{})
	return &rawConn{Conn: nc, br: br}
}

// Frame header bits.
const (
	bitFin  = 0x80
	bitRsv1 = 0x40
	bitRsv2 = 0x20
	bitRsv3 = 0x10
	opCont  = 0x0
	opText  = 0x1
	opBin   = 0x2
	opClose = 0x8
	opPing  = 0x9
	opPong  = 0xA
)

// frame encodes a frame: first is the FIN/RSV/opcode byte; a masked frame
// uses a fixed mask key.
func frame(first byte, masked bool, payload []byte) []byte {
	var b []byte
	b = append(b, first)
	maskBit := byte(0)
	if masked {
		maskBit = 0x80
	}
	switch n := len(payload); {
	case n < 126:
		b = append(b, maskBit|byte(n))
	case n <= 0xffff:
		b = append(b, maskBit|126, byte(n>>8), byte(n))
	default:
		b = append(b, maskBit|127, 0, 0, 0, 0, byte(n>>24), byte(n>>16), byte(n>>8), byte(n))
	}
	if !masked {
		return append(b, payload...)
	}
	key := []byte{0x12, 0x34, 0x56, 0x78}
	b = append(b, key...)
	for i, c := range payload {
		b = append(b, c^key[i%4])
	}
	return b
}

// send writes raw bytes.
func (rc *rawConn) send(t *testing.T, b []byte) {
	t.Helper()
	rc.SetWriteDeadline(time.Now().Add(30 * time.Second))
	if _, err := rc.Write(b); err != nil {
		t.Fatalf("raw write: %v", err)
	}
}

// readFrame reads one unmasked server frame.
func (rc *rawConn) readFrame() (first byte, payload []byte, err error) {
	var h [2]byte
	if _, err = io.ReadFull(rc.br, h[:]); err != nil {
		return 0, nil, err
	}
	n := int(h[1] & 0x7f)
	switch n {
	case 126:
		var e [2]byte
		if _, err = io.ReadFull(rc.br, e[:]); err != nil {
			return 0, nil, err
		}
		n = int(e[0])<<8 | int(e[1])
	case 127:
		var e [8]byte
		if _, err = io.ReadFull(rc.br, e[:]); err != nil {
			return 0, nil, err
		}
		n = 0
		for _, c := range e {
			n = n<<8 | int(c)
		}
	}
	payload = make([]byte, n)
	_, err = io.ReadFull(rc.br, payload)
	return h[0], payload, err
}

// expectCloseFrame reads frames until a close frame, checks its code, and
// answers it like a polite client.
func (rc *rawConn) expectCloseFrame(t *testing.T, want int) string {
	t.Helper()
	rc.SetReadDeadline(time.Now().Add(30 * time.Second))
	for {
		first, payload, err := rc.readFrame()
		if err != nil {
			t.Fatalf("reading frames: %v; want close frame %d", err, want)
		}
		if first&0x0f != opClose {
			continue
		}
		if len(payload) < 2 {
			t.Fatalf("close frame without code, want %d", want)
		}
		code := int(payload[0])<<8 | int(payload[1])
		if code != want {
			t.Fatalf("close code %d (%q), want %d", code, payload[2:], want)
		}
		rc.Write(frame(bitFin|opClose, true, payload[:2]))
		return string(payload[2:])
	}
}

// expectEOF reads until the server closes the TCP connection.
func (rc *rawConn) expectEOF(t *testing.T) {
	t.Helper()
	rc.SetReadDeadline(time.Now().Add(30 * time.Second))
	for {
		if _, _, err := rc.readFrame(); err != nil {
			if ne, ok := err.(net.Error); ok && ne.Timeout() {
				t.Fatal("server did not close the connection")
			}
			return
		}
	}
}
