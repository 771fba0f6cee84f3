package server

import (
	"context"
	"strings"
	"testing"

	"github.com/coder/websocket"

	"github.com/duplexgo/duplex/server/chatproto"
)

// readLine reads one frame of a plain-text client.
func readLine(t *testing.T, ctx context.Context, c *websocket.Conn) string {
	t.Helper()
	typ, b, err := c.Read(ctx)
	if err != nil || typ != websocket.MessageText {
		t.Fatalf("reading a line: %v %v", typ, err)
	}
	return string(b)
}

func expectLine(t *testing.T, ctx context.Context, c *websocket.Conn, want string) {
	t.Helper()
	if got := readLine(t, ctx, c); got != want {
		t.Fatalf("line %q, want %q", got, want)
	}
}

func sendLine(t *testing.T, ctx context.Context, c *websocket.Conn, text string) {
	t.Helper()
	if err := c.Write(ctx, websocket.MessageText, []byte(text)); err != nil {
		t.Fatal(err)
	}
}

// JSON and plain-text members share a room, its history and its limits:
// text clients send raw text and get lines; either is asked for with the
// chat.text subprotocol or with ?format=text.
func TestChatTextMode(t *testing.T) {
	ts := startServer(t, Config{ChatMaxTextBytes: 100})
	ctx := testCtx(t)
	ann, _ := join(t, ctx, ts, "r", "ann")
	sendChat(t, ctx, ann, "earlier")
	expectEvent(t, ctx, ann, chatproto.TypeMessage, "ann", "earlier")

	// bob asks with the subprotocol, as wscat -s chat.text would.
	bob := dial(t, ctx, chatURL(ts, "r", "bob"), &websocket.DialOptions{Subprotocols: []string{chatproto.TextSubprotocol}})
	if p := bob.Subprotocol(); p != chatproto.TextSubprotocol {
		t.Fatalf("subprotocol %q", p)
	}
	expectLine(t, ctx, bob, "* you joined r as bob; 2 members: ann, bob")
	expectLine(t, ctx, bob, "ann: earlier") // the history, as lines
	expectEvent(t, ctx, ann, chatproto.TypeJoin, "bob", "")

	sendLine(t, ctx, bob, "hi ann\n")
	expectLine(t, ctx, bob, "bob: hi ann")
	expectEvent(t, ctx, ann, chatproto.TypeMessage, "bob", "hi ann")

	// The same rules, errors as lines; nobody else sees the rejected frames.
	sendLine(t, ctx, bob, "   ")
	expectLine(t, ctx, bob, "! empty message")
	sendLine(t, ctx, bob, strings.Repeat("x", 101))
	expectLine(t, ctx, bob, "! message too long: 101 bytes, at most 100")
	sendLine(t, ctx, bob, `{"type":"message","text":"raw JSON is text here"}`)
	expectLine(t, ctx, bob, `bob: {"type":"message","text":"raw JSON is text here"}`)
	expectEvent(t, ctx, ann, chatproto.TypeMessage, "bob", `{"type":"message","text":"raw JSON is text here"}`)

	// cy asks with the query parameter.
	cy := dial(t, ctx, "ws://"+ts.addr+chatproto.TextJoinPath("r", "cy"), nil)
	expectLine(t, ctx, cy, "* you joined r as cy; 3 members: ann, bob, cy")
	for _, want := range []string{"ann: earlier", "bob: hi ann", `bob: {"type":"message","text":"raw JSON is text here"}`} {
		expectLine(t, ctx, cy, want)
	}
	expectLine(t, ctx, bob, "* cy joined")
	expectEvent(t, ctx, ann, chatproto.TypeJoin, "cy", "")

	sendChat(t, ctx, ann, "hello texters")
	expectEvent(t, ctx, ann, chatproto.TypeMessage, "ann", "hello texters")
	expectLine(t, ctx, bob, "ann: hello texters")
	expectLine(t, ctx, cy, "ann: hello texters")

	bob.Close(websocket.StatusNormalClosure, "")
	expectEvent(t, ctx, ann, chatproto.TypeLeave, "bob", "")
	expectLine(t, ctx, cy, "* bob left")

	// Binary frames and invalid UTF-8 close a text client as a JSON one.
	if err := cy.Write(ctx, websocket.MessageText, []byte("bad \xff")); err != nil {
		t.Fatal(err)
	}
	expectClose(t, ctx, cy, websocket.StatusInvalidFramePayloadData)
	expectEvent(t, ctx, ann, chatproto.TypeLeave, "cy", "")
	ts.logs.waitFor(t, "the text client's open log", func(r map[string]any) bool {
		return r["msg"] == "websocket open" && r["name"] == "cy" && r["mode"] == "text"
	})
}
