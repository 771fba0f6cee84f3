package server

import (
	"context"
	"strings"
	"testing"

	"github.com/coder/websocket"

	"github.com/duplexgo/duplex/server/chatproto"
)

func writeFrame(t *testing.T, ctx context.Context, c *websocket.Conn, frame []byte) {
	t.Helper()
	if err := c.Write(ctx, websocket.MessageText, frame); err != nil {
		t.Fatalf("sending %s: %v", frame, err)
	}
}

// A client's ids come back: in the echo of an accepted message (to every
// member, and in the history), and in the error of a rejected one. A retry
// of a message still in the history is not posted twice; the welcome tells
// the text limit.
func TestChatClientIDs(t *testing.T) {
	ts := startServer(t, Config{ChatMaxTextBytes: 100})
	ctx := testCtx(t)
	obs, w := join(t, ctx, ts, "r", "obs")
	if w.MaxText != 100 {
		t.Errorf("welcome maxText = %d, want 100", w.MaxText)
	}
	ann, _ := join(t, ctx, ts, "r", "ann")
	expectEvent(t, ctx, obs, chatproto.TypeJoin, "ann", "")

	writeFrame(t, ctx, ann, chatproto.EncodeClientMessageCID("hi", "c1"))
	if ev := expectEvent(t, ctx, ann, chatproto.TypeMessage, "ann", "hi"); ev.CID != "c1" || ev.ID != 1 {
		t.Errorf("echo %+v, want cid c1, id 1", ev)
	}
	if ev := expectEvent(t, ctx, obs, chatproto.TypeMessage, "ann", "hi"); ev.CID != "c1" {
		t.Errorf("the others' copy %+v, want cid c1", ev)
	}

	for _, tc := range []struct {
		frame   []byte
		errText string
		cid     string
	}{
		{chatproto.EncodeClientMessageCID(strings.Repeat("x", 101), "c2"), "too long", "c2"},
		{chatproto.EncodeClientMessageCID("  ", "c3"), "empty", "c3"},
		{[]byte(`{"type":"shout","text":"hi","cid":"c4"}`), "unknown message type", "c4"},
		{chatproto.EncodeClientMessageCID("hi", strings.Repeat("c", chatproto.MaxCIDBytes+1)), "cid too long", ""},
		{[]byte(`{"type":"message","text":"hi","cid":7}`), "malformed", ""},
	} {
		writeFrame(t, ctx, ann, tc.frame)
		if ev := readEvent(t, ctx, ann); ev.Type != chatproto.TypeError || !strings.Contains(ev.Text, tc.errText) || ev.CID != tc.cid {
			t.Errorf("frame %.40s: %+v, want an error about %q with cid %q", tc.frame, ev, tc.errText, tc.cid)
		}
	}

	// A retry of c1 (its echo was lost, say): ann gets message 1 again,
	// nobody else sees anything.
	writeFrame(t, ctx, ann, chatproto.EncodeClientMessageCID("hi", "c1"))
	if ev := expectEvent(t, ctx, ann, chatproto.TypeMessage, "ann", "hi"); ev.CID != "c1" || ev.ID != 1 {
		t.Errorf("retry answered with %+v, want message 1 again", ev)
	}
	// The same cid from another member is that member's own.
	writeFrame(t, ctx, obs, chatproto.EncodeClientMessageCID("mine", "c1"))
	if ev := expectEvent(t, ctx, obs, chatproto.TypeMessage, "obs", "mine"); ev.ID != 2 {
		t.Errorf("obs's c1 = %+v, want a new message 2", ev)
	}
	expectEvent(t, ctx, ann, chatproto.TypeMessage, "obs", "mine")

	// The history keeps the ids; frames without one still work.
	sendChat(t, ctx, ann, "plain")
	if ev := expectEvent(t, ctx, ann, chatproto.TypeMessage, "ann", "plain"); ev.CID != "" {
		t.Errorf("cid of a message without one = %q", ev.CID)
	}
	_, w = join(t, ctx, ts, "r", "cy")
	if len(w.History) != 3 || w.History[0].CID != "c1" || w.History[1].CID != "c1" || w.History[2].CID != "" {
		t.Errorf("history %+v", w.History)
	}
}

// A frame over the rate limit gets an error with its cid.
func TestChatClientIDRateLimited(t *testing.T) {
	ts := startServer(t, Config{ChatRate: 0.001, ChatBurst: 1, ChatMaxRejects: 10})
	ctx := testCtx(t)
	c, _ := join(t, ctx, ts, "r", "ann")
	writeFrame(t, ctx, c, chatproto.EncodeClientMessageCID("one", "a"))
	if ev := expectEvent(t, ctx, c, chatproto.TypeMessage, "ann", "one"); ev.CID != "a" {
		t.Errorf("echo %+v", ev)
	}
	writeFrame(t, ctx, c, chatproto.EncodeClientMessageCID("two", "b"))
	if ev := readEvent(t, ctx, c); ev.Type != chatproto.TypeError || !strings.Contains(ev.Text, "rate limit") || ev.CID != "b" {
		t.Errorf("over the limit: %+v, want a rate-limit error with cid b", ev)
	}
}
