package server

import (
	"context"
	"fmt"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/coder/websocket"

	"github.com/duplexgo/duplex/server/chatproto"
)

// member is a chat client whose events a goroutine reads and counts.
type member struct {
	c       *websocket.Conn
	name    string
	welcome chatproto.Event

	mu     sync.Mutex
	joins  int
	leaves int
	msgs   []string
	err    error // how reading ended
	done   chan struct{}
}

// joinMember joins room as name and reads its events until the end of the
// connection.
func joinMember(t *testing.T, ctx context.Context, ts *testServer, room, name string) *member {
	t.Helper()
	c, w := join(t, ctx, ts, room, name)
	m := &member{c: c, name: w.You, welcome: w, done: make(chan struct{})}
	go func() {
		defer close(m.done)
		for {
			_, b, err := c.Read(ctx)
			m.mu.Lock()
			if err != nil {
				m.err = err
				m.mu.Unlock()
				return
			}
			ev, derr := chatproto.DecodeEvent(b)
			switch {
			case derr != nil:
				m.err = derr
			case ev.Type == chatproto.TypeJoin && ev.Members == nil:
				m.joins++
			case ev.Type == chatproto.TypeLeave && ev.Members == nil:
				m.leaves++
			case ev.Type == chatproto.TypeMessage:
				m.msgs = append(m.msgs, ev.Text)
			default:
				m.err = fmt.Errorf("unexpected event %s", b)
			}
			m.mu.Unlock()
		}
	}()
	return m
}

// waitFor polls cond on m's counts until it holds.
func (m *member) waitFor(t *testing.T, what string, cond func(m *member) bool) {
	t.Helper()
	deadline := time.Now().Add(time.Minute)
	for {
		m.mu.Lock()
		ok, err := cond(m), m.err
		m.mu.Unlock()
		if ok {
			return
		}
		if err != nil || time.Now().After(deadline) {
			t.Fatalf("%s: %s not seen (err %v)", m.name, what, err)
		}
		time.Sleep(5 * time.Millisecond)
	}
}

// Hundreds of members join one room quickly: each welcome lists the room
// so far, every join is a small change, and a message reaches everyone.
// Before presence became changes, each join sent the whole list to every
// member: filling a room cost the square of its size.
func TestChatManyMembers(t *testing.T) {
	const n = 300
	ts := startServer(t, Config{})
	ctx := testCtx(t)
	members := make([]*member, n)
	for i := range members {
		members[i] = joinMember(t, ctx, ts, "big", fmt.Sprintf("m%d", i))
		if got := len(members[i].welcome.Members); got != i+1 {
			t.Fatalf("member %d's welcome lists %d members", i, got)
		}
	}
	// Every member hears of those who came after it.
	for i, m := range members {
		m.waitFor(t, fmt.Sprintf("%d joins", n-1-i), func(m *member) bool { return m.joins == n-1-i })
	}
	sendChat(t, ctx, members[0].c, "hello all")
	for _, m := range members {
		m.waitFor(t, "the message", func(m *member) bool { return len(m.msgs) == 1 && m.msgs[0] == "hello all" })
	}
	if got := ts.metric(t, "duplex_chat_slow_drops_total"); got != 0 {
		t.Fatalf("%v members dropped", got)
	}
}

// A member that stops reading falls behind in time and is dropped with
// 1008, while a member reading at its pace stays; the dropped one, once it
// reads again, finds what its socket held and then the close frame.
func TestChatStoppedReaderIsToldAndDropped(t *testing.T) {
	ts := startServer(t, Config{ChatRate: -1, ChatMaxLag: time.Second, ChatMaxTextBytes: 64 << 10, PingInterval: time.Hour})
	ctx := testCtx(t)
	stopped := rawDial(t, ts.addr, "/chat?room=r&name=stopped", nil)
	reader := joinMember(t, ctx, ts, "r", "reader")
	talker := joinMember(t, ctx, ts, "r", "talker")

	// The talker sends windows of big messages, each once the reader and
	// itself have them all: the reader keeps up, the stopped member's
	// socket buffers fill, then its lag grows past a second.
	text := strings.Repeat("z", 16<<10)
	const window = 16
	sent := 0
	for ts.metric(t, "duplex_chat_slow_drops_total") == 0 {
		if sent >= 20000 {
			t.Fatalf("the stopped member was not dropped after %d messages", sent)
		}
		for range window {
			sendChat(t, ctx, talker.c, text)
		}
		sent += window
		for _, m := range []*member{reader, talker} {
			m.waitFor(t, fmt.Sprintf("%d messages", sent), func(m *member) bool { return len(m.msgs) >= sent })
		}
	}
	t.Logf("dropped after %d messages of %d bytes", sent, len(text))

	// Now it reads: its frames, then the close frame.
	if reason := stopped.expectCloseFrame(t, int(websocket.StatusPolicyViolation)); reason != reasonTooSlow {
		t.Fatalf("close reason %q", reason)
	}
	reader.waitFor(t, "the leave", func(m *member) bool { return m.leaves == 1 })
	sendChat(t, ctx, talker.c, "still here")
	reader.waitFor(t, "the last message", func(m *member) bool { return m.msgs[len(m.msgs)-1] == "still here" })
	if got := ts.metric(t, "duplex_chat_slow_drops_total"); got != 1 {
		t.Fatalf("%v members dropped, want 1", got)
	}
	ts.logs.waitFor(t, "the close log", func(r map[string]any) bool {
		return r["msg"] == "websocket close" && r["name"] == "stopped" && r["code"] == 1008.0 && r["reason"] == reasonTooSlow
	})
}

// A dropped member that reads slowly, and keeps sending meanwhile, still
// finds the close frame after its frames: the server stops reading it only
// after it has had the time to take them (a socket closed with unread input
// is reset, and a reset discards what the peer has not received yet).
func TestChatSlowDroppedReaderStillToldWhileSending(t *testing.T) {
	if testing.Short() {
		t.Skip("reads slowly for several seconds")
	}
	ts := startServer(t, Config{ChatRate: -1, ChatMaxLag: time.Second, ChatMaxTextBytes: 64 << 10, PingInterval: time.Hour})
	ctx := testCtx(t)
	stopped := rawDial(t, ts.addr, "/chat?room=r&name=stopped", nil)
	talker := joinMember(t, ctx, ts, "r", "talker")
	text := strings.Repeat("z", 16<<10)
	for sent := 0; ts.metric(t, "duplex_chat_slow_drops_total") == 0; sent += 16 {
		if sent >= 20000 {
			t.Fatalf("not dropped after %d messages", sent)
		}
		for range 16 {
			sendChat(t, ctx, talker.c, text)
		}
		talker.waitFor(t, "its messages", func(m *member) bool { return len(m.msgs) >= sent+16 })
	}

	// Read a frame every 30 ms, and post now and then, for as long as it
	// takes (the sockets hold megabytes: several seconds).
	stopped.SetReadDeadline(time.Now().Add(time.Minute))
	post := frame(bitFin|opText, true, chatproto.EncodeClientMessage("still here?"))
	for n := 0; ; n++ {
		first, payload, err := stopped.readFrame()
		if err != nil {
			t.Fatalf("after %d frames: %v; want the close frame", n, err)
		}
		if first&0x0f == opClose {
			if code := int(payload[0])<<8 | int(payload[1]); code != int(websocket.StatusPolicyViolation) {
				t.Fatalf("close code %d", code)
			}
			t.Logf("close frame after %d frames", n)
			return
		}
		if n%20 == 0 {
			stopped.Write(post) // may fail once the server has closed: the read says why
		}
		time.Sleep(30 * time.Millisecond)
	}
}
