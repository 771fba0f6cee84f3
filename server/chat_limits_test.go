package server

import (
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/coder/websocket"

	"github.com/duplexgo/duplex/server/chatproto"
)

// One address cannot take every room or every connection: past its limits
// its handshakes get 429 with a reason, counted in /metrics, while its
// existing rooms stay open to it.
func TestPerAddressLimits(t *testing.T) {
	ts := startServer(t, Config{MaxConnsPerIP: 3, ChatRoomsPerIP: 2})
	ctx := testCtx(t)
	a1, _ := join(t, ctx, ts, "a", "x")
	join(t, ctx, ts, "b", "x")

	status, body := dialStatus(t, ctx, chatURL(ts, "c", "x"), nil)
	if status != http.StatusTooManyRequests || !strings.Contains(body, "too many chat rooms from your address") {
		t.Fatalf("a third room: %d %q", status, body)
	}
	// A room it is in already is fine.
	join(t, ctx, ts, "a", "y")
	// Three connections open: the fourth is refused, on any path.
	for _, u := range []string{chatURL(ts, "a", "z"), ts.ws("/echo")} {
		status, body = dialStatus(t, ctx, u, nil)
		if status != http.StatusTooManyRequests || !strings.Contains(body, "too many connections from your address") {
			t.Fatalf("a fourth connection to %s: %d %q", u, status, body)
		}
	}
	if got := ts.metric(t, `duplex_handshakes_rejected_total{reason="ip_rooms"}`); got != 1 {
		t.Errorf("ip_rooms rejections %v", got)
	}
	if got := ts.metric(t, `duplex_handshakes_rejected_total{reason="ip_conns"}`); got != 2 {
		t.Errorf("ip_conns rejections %v", got)
	}

	// Leaving frees a connection, and room a is still held by y.
	a1.Close(websocket.StatusNormalClosure, "")
	ts.waitMetric(t, `duplex_connections_open{path="/chat"}`, 2)
	for i := 0; ; i++ {
		c, _, err := websocket.Dial(ctx, ts.ws("/echo"), nil)
		if err == nil {
			c.CloseNow()
			break
		}
		if i == 1000 {
			t.Fatalf("no connection after one closed: %v", err)
		}
		time.Sleep(10 * time.Millisecond) // the slot is given back just after the close
	}
	status, _ = dialStatus(t, ctx, chatURL(ts, "c", "x"), nil)
	if status != http.StatusTooManyRequests {
		t.Fatalf("a third room while in a and b: %d", status)
	}
}

// A full room answers the handshake 503 with a reason.
func TestChatRoomFull(t *testing.T) {
	ts := startServer(t, Config{ChatMaxMembers: 2})
	ctx := testCtx(t)
	join(t, ctx, ts, "r", "a")
	join(t, ctx, ts, "r", "b")
	status, body := dialStatus(t, ctx, chatURL(ts, "r", "c"), nil)
	if status != http.StatusServiceUnavailable || !strings.Contains(body, "room is full (2 members)") {
		t.Fatalf("a third member: %d %q", status, body)
	}
	join(t, ctx, ts, "other", "c")
	if got := ts.metric(t, `duplex_handshakes_rejected_total{reason="room_full"}`); got != 1 {
		t.Errorf("room_full rejections %v", got)
	}
}

// At the room limit, a room where nobody has posted for ChatRoomIdle makes
// way for a new one: its members are closed with 1000.
func TestChatIdleRoomEvicted(t *testing.T) {
	ts := startServer(t, Config{ChatMaxRooms: 1, ChatRoomIdle: time.Millisecond})
	ctx := testCtx(t)
	x, _ := join(t, ctx, ts, "old", "x")
	time.Sleep(20 * time.Millisecond) // longer than ChatRoomIdle
	y, w := join(t, ctx, ts, "new", "y")
	if w.Room != "new" {
		t.Fatalf("welcome %+v", w)
	}
	if ce := expectClose(t, ctx, x, websocket.StatusNormalClosure); ce.Reason != reasonRoomIdle {
		t.Fatalf("close reason %q", ce.Reason)
	}
	sendChat(t, ctx, y, "mine now")
	expectEvent(t, ctx, y, chatproto.TypeMessage, "y", "mine now")
	if got := ts.metric(t, `duplex_chat_rooms_evicted_total{state="idle"}`); got != 1 {
		t.Errorf("idle evictions %v", got)
	}
}

func TestHubLimits(t *testing.T) {
	h := newHub(hubConfig{maxRooms: 2, history: 10, maxMembers: 2, roomsPerIP: 1, idleAfter: time.Minute})
	now := time.Unix(1000, 0)
	h.now = func() time.Time { return now }
	stub := func(ip string) *stubClient {
		s := newStub(10)
		s.ip = ip
		return s
	}
	a, b := stub("192.0.2.1"), stub("192.0.2.2")
	ra, err := h.join("a", "a", a.chatClient)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := h.join("b", "a2", stub("192.0.2.1").chatClient); err != errIPRooms {
		t.Fatalf("a second room for one address: %v", err)
	}
	h.join("a", "b", b.chatClient)
	// Full: the handshake check and, should it be passed, the join.
	if err := h.admit("a", "192.0.2.3"); err != errRoomFull {
		t.Fatalf("admit to a full room: %v", err)
	}
	if _, err := h.join("a", "c", stub("192.0.2.3").chatClient); err != errRoomFull {
		t.Fatalf("join of a full room: %v", err)
	}
	c := stub("192.0.2.3")
	h.join("b", "c", c.chatClient)
	// Two rooms with members, neither idle: no third.
	if _, err := h.join("c", "d", stub("192.0.2.4").chatClient); err != errTooManyRooms {
		t.Fatalf("a third room: %v", err)
	}
	// a talks at 30 s; at 50 s nothing is idle yet; at 70 s b, silent
	// since its creation, is, and makes way.
	now = now.Add(30 * time.Second)
	ra.post(a.chatClient, "hi", "")
	now = now.Add(20 * time.Second)
	if err := h.admit("c", "192.0.2.4"); err != errTooManyRooms {
		t.Fatalf("a third room with no room idle for a minute: %v", err)
	}
	now = now.Add(20 * time.Second)
	if _, err := h.join("c", "d", stub("192.0.2.4").chatClient); err != nil {
		t.Fatalf("a third room with two idle ones: %v", err)
	}
	h.mu.Lock()
	_, hasA := h.rooms["a"]
	_, hasB := h.rooms["b"]
	h.mu.Unlock()
	if !hasA || hasB {
		t.Fatalf("after eviction: a %v, b %v", hasA, hasB)
	}
	// b's member from 192.0.2.3 was closed, and its address is free again.
	if err := h.admit("e", "192.0.2.3"); err != errTooManyRooms {
		t.Fatalf("the evicted member's address: %v", err)
	}
	if len(a.kicks)+len(b.kicks) != 0 {
		t.Fatalf("a's members kicked: %v %v", a.kicks, b.kicks)
	}
	if len(c.codes) != 1 || c.codes[0] != websocket.StatusNormalClosure || c.kicks[0] != reasonRoomIdle {
		t.Fatalf("the evicted room's member: %v %v", c.codes, c.kicks)
	}
}

func TestIPKey(t *testing.T) {
	for in, want := range map[string]string{
		"192.0.2.1:1234":                  "192.0.2.1",
		"[::ffff:192.0.2.1]:80":           "192.0.2.1",
		"[2001:db8:1:2:3:4:5:6]:443":      "2001:db8:1:2::/64",
		"[2001:db8:1:2:ffff::1]:443":      "2001:db8:1:2::/64",
		"[fe80::1%eth0]:80":               "fe80::/64",
		"not an address":                  "not an address",
		"[2001:db8:1:3::1]:1":             "2001:db8:1:3::/64",
		"127.0.0.1:0":                     "127.0.0.1",
		"[::1]:8000":                      "::/64",
		"[2001:db8:1:2:3:4:5:6%zone]:443": "2001:db8:1:2::/64",
	} {
		if got := ipKey(in); got != want {
			t.Errorf("ipKey(%q) = %q, want %q", in, got, want)
		}
	}
}
