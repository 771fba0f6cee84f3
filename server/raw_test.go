package server

import (
	"bufio"
	"context"
	"fmt"
	"net"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/coder/websocket"

	"github.com/duplexgo/duplex/server/chatproto"
)

// bystander is a well-behaved client on the same server, checked after each
// malformed connection to show it was not disturbed.
type bystander struct {
	t    *testing.T
	ctx  context.Context
	conn *websocket.Conn
	chat bool
	n    int
}

func newBystander(t *testing.T, ctx context.Context, ts *testServer, path string) *bystander {
	b := &bystander{t: t, ctx: ctx, chat: path == "/chat"}
	if b.chat {
		b.conn, _ = join(t, ctx, ts, "raw", "bystander")
	} else {
		b.conn = dial(t, ctx, ts.ws(path), nil)
	}
	return b
}

// check shows the bystander's connection still works.
func (b *bystander) check() {
	b.t.Helper()
	b.n++
	text := fmt.Sprint("still fine ", b.n)
	if !b.chat {
		echoOnce(b.t, b.ctx, b.conn, text)
		return
	}
	sendChat(b.t, b.ctx, b.conn, text)
	for { // skip the raw client's join and leave
		if ev := readEvent(b.t, b.ctx, b.conn); ev.Type == chatproto.TypeMessage {
			if ev.Text != text {
				b.t.Fatalf("bystander got %+v", ev)
			}
			return
		}
	}
}

func closePayload(code int, reason string) []byte {
	return append([]byte{byte(code >> 8), byte(code)}, reason...)
}

// Malformed frames close the offending connection with the right code, and
// only it. The codes are what coder/websocket v1.8.15 does (1002 for
// protocol errors, sending the close frame itself), except where the server
// steps in: an unmasked frame and a bad payload length, on which the
// library closes without a close frame, and invalid UTF-8 (1007), which the
// library does not check.
func TestMalformedFrames(t *testing.T) {
	long := []byte(strings.Repeat("p", 126))
	cases := []struct {
		name string
		send []byte
		want int
	}{
		{"unmasked client frame", frame(bitFin|opText, false, []byte("hello")), 1002},
		{"rsv1 without extension", frame(bitFin|bitRsv1|opText, true, []byte("hello")), 1002},
		{"rsv2", frame(bitFin|bitRsv2|opText, true, []byte("hello")), 1002},
		{"rsv3 on ping", frame(bitFin|bitRsv3|opPing, true, nil), 1002},
		{"reserved data opcode 3", frame(bitFin|0x3, true, []byte("x")), 1002},
		{"reserved control opcode 0xB", frame(bitFin|0xB, true, nil), 1002},
		{"fragmented ping", frame(opPing, true, []byte("p")), 1002},
		{"ping over 125 bytes", frame(bitFin|opPing, true, long), 1002},
		{"close over 125 bytes", frame(bitFin|opClose, true, long), 1002},
		{"continuation without a start", frame(bitFin|opCont, true, []byte("x")), 1002},
		{"new message inside a fragmented one", append(frame(opText, true, []byte("a")), frame(bitFin|opBin, true, []byte("b"))...), 1002},
		{"close payload of one byte", frame(bitFin|opClose, true, []byte{3}), 1002},
		{"close code 999", frame(bitFin|opClose, true, closePayload(999, "")), 1002},
		{"close code 1005", frame(bitFin|opClose, true, closePayload(1005, "")), 1002},
		{"close code 5000", frame(bitFin|opClose, true, closePayload(5000, "")), 1002},
		{"negative payload length", []byte{bitFin | opBin, 0x80 | 127, 0x80, 0, 0, 0, 0, 0, 0, 1, 1, 2, 3, 4}, 1002},
		{"invalid UTF-8 text", frame(bitFin|opText, true, []byte("\xff")), 1007},
		{"invalid UTF-8 across fragments", append(frame(opText, true, []byte("ok \xe2\x82")), frame(bitFin|opCont, true, []byte("("))...), 1007},
		{"close reason not UTF-8", frame(bitFin|opClose, true, closePayload(1000, "a\xffb")), 1007},
		{"client close 1000", frame(bitFin|opClose, true, closePayload(1000, "bye")), 1000},
		{"client close 4000", frame(bitFin|opClose, true, closePayload(4000, "app")), 4000},
	}
	for _, path := range []string{"/echo", "/chat"} {
		t.Run(path, func(t *testing.T) {
			ts := startServer(t, Config{})
			ctx := testCtx(t)
			by := newBystander(t, ctx, ts, path)
			for _, tc := range cases {
				t.Run(tc.name, func(t *testing.T) {
					rc := rawDial(t, ts.addr, path, nil)
					rc.send(t, tc.send)
					rc.expectCloseFrame(t, tc.want)
					rc.expectEOF(t)
					by.check()
				})
			}
			ts.waitMetric(t, `duplex_connections_open{path="`+path+`"}`, 1)
			if got := ts.metric(t, `duplex_closes_total{code="1002"}`); got != 16 {
				t.Errorf("1002 closes = %v, want 16", got)
			}
		})
	}
}

// A well-formed exchange by hand, as a control for the malformed cases:
// pings are answered, a fragmented message with a ping in between is
// echoed whole, and an empty close frame is answered.
func TestRawWellFormed(t *testing.T) {
	ts := startServer(t, Config{})
	rc := rawDial(t, ts.addr, "/echo", http.Header{"Sec-WebSocket-Protocol": {"x, echo"}})
	rc.send(t, frame(bitFin|opPing, true, []byte("are you there")))
	rc.SetReadDeadline(time.Now().Add(30 * time.Second))
	first, payload, err := rc.readFrame()
	if err != nil || first != bitFin|opPong || string(payload) != "are you there" {
		t.Fatalf("pong: %x %q %v", first, payload, err)
	}
	rc.send(t, frame(opText, true, []byte("hel")))
	rc.send(t, frame(bitFin|opPing, true, nil))
	rc.send(t, frame(bitFin|opCont, true, []byte("lo")))
	if first, payload, err = rc.readFrame(); err != nil || first&0x0f != opPong {
		t.Fatalf("pong inside a message: %x %v", first, err)
	}
	if first, payload, err = rc.readFrame(); err != nil || first != bitFin|opText || string(payload) != "hello" {
		t.Fatalf("echo: %x %q %v", first, payload, err)
	}
	rc.send(t, frame(bitFin|opClose, true, nil))
	if first, payload, err = rc.readFrame(); err != nil || first != bitFin|opClose || len(payload) != 0 {
		t.Fatalf("close: %x %q %v", first, payload, err)
	}
	rc.expectEOF(t)
	ts.waitMetric(t, `duplex_closes_total{code="1005"}`, 1)
}

// rawRequest sends a hand-written HTTP request and returns the response.
func rawRequest(t *testing.T, addr, request string) *http.Response {
	t.Helper()
	nc, err := net.DialTimeout("tcp", addr, 10*time.Second)
	if err != nil {
		t.Fatal(err)
	}
	defer nc.Close()
	nc.SetDeadline(time.Now().Add(30 * time.Second))
	if _, err := nc.Write([]byte(strings.ReplaceAll(request, "\n", "\r\n"))); err != nil {
		t.Fatal(err)
	}
	resp, err := http.ReadResponse(bufio.NewReader(nc), nil)
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	return resp
}

// Bad handshakes are answered with an HTTP error and never upgraded.
func TestBadHandshakes(t *testing.T) {
	ts := startServer(t, Config{})
	ctx := testCtx(t)
	by := newBystander(t, ctx, ts, "/echo")
	const ok = "Connection: Upgrade\nUpgrade: websocket\nSec-WebSocket-Version: 13\nSec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\n"
	cases := []struct {
		name, request string
		want          int
		header        string
	}{
		{"missing key", "GET /echo HTTP/1.1\nHost: x\nConnection: Upgrade\nUpgrade: websocket\nSec-WebSocket-Version: 13\n\n", 400, ""},
		{"key of 8 bytes", "GET /echo HTTP/1.1\nHost: x\nConnection: Upgrade\nUpgrade: websocket\nSec-WebSocket-Version: 13\nSec-WebSocket-Key: AAAAAAAAAAA=\n\n", 400, ""},
		{"key not base64", "GET /chat HTTP/1.1\nHost: x\nConnection: Upgrade\nUpgrade: websocket\nSec-WebSocket-Version: 13\nSec-WebSocket-Key: !!!\n\n", 400, ""},
		{"two keys", "GET /echo HTTP/1.1\nHost: x\n" + ok + "Sec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\n\n", 400, ""},
		{"version 8", "GET /echo HTTP/1.1\nHost: x\nConnection: Upgrade\nUpgrade: websocket\nSec-WebSocket-Version: 8\nSec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\n\n", 400, "Sec-Websocket-Version"},
		{"missing version", "GET /chat HTTP/1.1\nHost: x\nConnection: Upgrade\nUpgrade: websocket\nSec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\n\n", 400, ""},
		{"POST", "POST /echo HTTP/1.1\nHost: x\nContent-Length: 0\n" + ok + "\n", 405, ""},
		{"HTTP/1.0", "GET /echo HTTP/1.0\nHost: x\n" + ok + "\n", 426, ""},
		{"no Upgrade header", "GET /echo HTTP/1.1\nHost: x\nConnection: Upgrade\nSec-WebSocket-Version: 13\nSec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\n\n", 426, "Upgrade"},
		{"no Connection header", "GET /chat HTTP/1.1\nHost: x\nUpgrade: websocket\nSec-WebSocket-Version: 13\nSec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\n\n", 426, "Upgrade"},
	}
	for _, tc := range cases {
		resp := rawRequest(t, ts.addr, tc.request)
		if resp.StatusCode != tc.want {
			t.Errorf("%s: status %d, want %d", tc.name, resp.StatusCode, tc.want)
		}
		if tc.header != "" && resp.Header.Get(tc.header) == "" {
			t.Errorf("%s: no %s header in %v", tc.name, tc.header, resp.Header)
		}
		by.check()
	}
	if got := ts.metric(t, `duplex_connections_total{path="/echo"}`) + ts.metric(t, `duplex_connections_total{path="/chat"}`); got != 1 {
		t.Errorf("%v connections accepted, want only the bystander's", got)
	}
}
