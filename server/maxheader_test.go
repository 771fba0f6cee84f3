package server

import (
	"bufio"
	"fmt"
	"net"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/coder/websocket"
)

// headerStatus sends a WebSocket handshake for /echo with an extra header
// of size bytes over a raw connection, and returns the response's status.
// The request is written by a goroutine: the server may answer (and stop
// reading) before all of it is sent.
func headerStatus(t *testing.T, addr string, size int) int {
	t.Helper()
	nc, err := net.DialTimeout("tcp", addr, 10*time.Second)
	if err != nil {
		t.Fatal(err)
	}
	defer nc.Close()
	nc.SetDeadline(time.Now().Add(30 * time.Second))
	req := fmt.Sprintf("GET /echo HTTP/1.1\r\nHost: %s\r\nConnection: Upgrade\r\nUpgrade: websocket\r\n"+
		"Sec-WebSocket-Version: 13\r\nSec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\nX-Padding: %s\r\n\r\n",
		addr, strings.Repeat("a", size))
	go nc.Write([]byte(req))
	resp, err := http.ReadResponse(bufio.NewReader(nc), nil)
	if err != nil {
		t.Fatalf("handshake with a %d-byte header: %v", size, err)
	}
	resp.Body.Close()
	return resp.StatusCode
}

// Request headers are bounded by Config.MaxHeaderBytes (32 KiB by default),
// not Go's 1 MiB: a 100 KiB header gets 431, while a handshake with a large
// but sane header (cookies) still works.
func TestMaxHeaderBytes(t *testing.T) {
	ctx := testCtx(t)
	ts := startServer(t, Config{})
	if got := ts.srv.cfg.MaxHeaderBytes; got != DefaultMaxHeaderBytes {
		t.Fatalf("default MaxHeaderBytes = %d", got)
	}
	if status := headerStatus(t, ts.addr, 100<<10); status != http.StatusRequestHeaderFieldsTooLarge {
		t.Errorf("100 KiB header: status %d, want 431", status)
	}
	if status := headerStatus(t, ts.addr, 20<<10); status != http.StatusSwitchingProtocols {
		t.Errorf("20 KiB header: status %d, want 101", status)
	}
	cookie := http.Header{"Cookie": {"session=" + strings.Repeat("c", 8<<10)}}
	c := dial(t, ctx, ts.ws("/echo"), &websocket.DialOptions{HTTPHeader: cookie})
	echoOnce(t, ctx, c, "still fine")

	// A configured bound applies instead.
	small := startServer(t, Config{MaxHeaderBytes: 8 << 10})
	if status := headerStatus(t, small.addr, 20<<10); status != http.StatusRequestHeaderFieldsTooLarge {
		t.Errorf("20 KiB header with MaxHeaderBytes 8 KiB: status %d, want 431", status)
	}
	if status := headerStatus(t, small.addr, 2<<10); status != http.StatusSwitchingProtocols {
		t.Errorf("2 KiB header with MaxHeaderBytes 8 KiB: status %d, want 101", status)
	}

	if err := (Config{MaxHeaderBytes: 1000}).Validate(); err == nil || !strings.Contains(err.Error(), "MaxHeaderBytes") {
		t.Errorf("Validate(MaxHeaderBytes 1000) = %v", err)
	}
}
