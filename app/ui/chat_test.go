package ui

import (
	"net/url"
	"strings"
	"testing"

	"github.com/maxence-charriere/go-app/v10/pkg/app"

	"github.com/duplexgo/duplex/wsclient"
)

func joinChat(t *testing.T, room, name string) (*Chat, app.TestEngine, *fakeDialer) {
	t.Helper()
	d := &fakeDialer{}
	c := &Chat{Dial: d.dial}
	e := load(t, c)
	c.room, c.name = room, name
	act(e, c.mctx, c.Join)
	if got := textOf(c, "chat-state"); got != "CONNECTING" {
		t.Fatalf("chat state after Join = %q, want CONNECTING", got)
	}
	return c, e, d
}

func serverSays(o *wsclient.Options, frames ...string) {
	for _, f := range frames {
		o.OnMessage(wsclient.Message{Type: wsclient.Text, Data: []byte(f)})
	}
}

func TestChatRendersEveryControl(t *testing.T) {
	c := &Chat{}
	load(t, c)
	html := app.HTMLString(c)
	for _, id := range []string{"room", "name", "join", "leave", "members", "messages", "chat-text", "chat-send", "chat-state", "chat-error"} {
		if !strings.Contains(html, `id="`+id+`"`) {
			t.Errorf("no #%s", id)
		}
	}
	if c.room != "lobby" {
		t.Errorf("default room = %q", c.room)
	}
	if attrOf(c, "leave", "disabled") != "true" || attrOf(c, "chat-send", "disabled") != "true" {
		t.Errorf("leave and send are enabled before joining")
	}
}

func TestChatConversation(t *testing.T) {
	c, e, d := joinChat(t, "go & co", "ann")
	s, o := d.last(t)
	u, err := url.Parse(d.urls[0])
	if err != nil || u.Path != "/chat" || u.Query().Get("room") != "go & co" || u.Query().Get("name") != "ann" {
		t.Fatalf("dialed %q", d.urls[0])
	}
	open(s, o, "")
	serverSays(o,
		`{"type":"welcome","room":"go & co","you":"ann-2","members":["ann","ann-2"],"history":[{"id":1,"from":"ann","text":"earlier","time":"2026-01-02T03:04:05Z"}]}`,
		`{"type":"join","from":"bob","members":["ann","ann-2","bob"]}`,
		`{"type":"message","id":2,"from":"bob","text":"hi <all>","time":"2026-01-02T03:05:00Z"}`,
	)
	eventually(t, e, "the welcome and the events", func() bool { return len(c.members) == 3 && len(c.lines) == 4 })
	if got := textOf(c, "chat-state"); got != "OPEN" {
		t.Errorf("chat state = %q", got)
	}
	if got := textOf(c, "chat-where"); got != "in go &amp; co as ann-2" {
		t.Errorf("#chat-where = %q", got)
	}
	html := app.HTMLString(c)
	for _, want := range []string{`data-name="bob"`, `>bob joined<`, `>hi &lt;all&gt;<`, `>earlier<`, `datetime="2026-01-02T03:05:00Z"`} {
		if !strings.Contains(html, want) {
			t.Errorf("the page lacks %s", want)
		}
	}

	// Posting.
	c.text = "  hello bob  "
	act(e, c.mctx, c.Send)
	sent := s.sentMessages()
	if len(sent) != 1 || string(sent[0].Data) != `{"type":"message","text":"  hello bob  "}` {
		t.Fatalf("sent %q", sent)
	}
	if c.text != "" {
		t.Errorf("the composer kept %q", c.text)
	}
	c.text = "   "
	act(e, c.mctx, c.Send)
	if len(s.sentMessages()) != 1 {
		t.Errorf("blank text was sent")
	}
	serverSays(o, `{"type":"message","id":3,"from":"ann-2","text":"hello bob","time":"2026-01-02T03:06:00Z"}`)
	eventually(t, e, "our message", func() bool { return len(c.lines) == 5 })
	if l := c.lines[4]; !l.Mine || l.ID != 3 {
		t.Errorf("our message = %+v, want it marked as ours", l)
	}

	// The server's errors, and unreadable frames, are shown.
	serverSays(o, `{"type":"error","text":"message too long: 5000 bytes, at most 4096"}`)
	eventually(t, e, "the error", func() bool { return strings.Contains(textOf(c, "chat-error"), "server: message too long") })
	serverSays(o, `{"type":"surprise"}`)
	eventually(t, e, "the protocol error", func() bool { return strings.Contains(textOf(c, "chat-error"), "unknown frame type") })

	// Leaving.
	serverSays(o, `{"type":"leave","from":"bob","members":["ann","ann-2"]}`)
	eventually(t, e, "bob leaving", func() bool { return len(c.members) == 2 })
	act(e, c.mctx, c.Leave)
	if got := s.closeCalls(); len(got) != 1 || got[0].code != 1000 {
		t.Fatalf("closes = %+v", got)
	}
	closeWith(s, o, 1000, "bye", true)
	eventually(t, e, "CLOSED", func() bool { return textOf(c, "chat-state") == "CLOSED" })
	if attrOf(c, "join", "disabled") != "" {
		t.Errorf("join is disabled after leaving")
	}
}

func TestChatServerGoingAway(t *testing.T) {
	c, e, d := joinChat(t, "", "")
	s, o := d.last(t)
	if u, _ := url.Parse(d.urls[0]); u.Query().Get("room") != "lobby" {
		t.Errorf("an empty room joins %q, want lobby", u.Query().Get("room"))
	}
	open(s, o, "")
	serverSays(o, `{"type":"welcome","room":"lobby","you":"guest-1","members":["guest-1"],"history":[]}`)
	eventually(t, e, "the welcome", func() bool { return c.you == "guest-1" })
	closeWith(s, o, wsclient.StatusGoingAway, "server shutting down", true)
	eventually(t, e, "CLOSED", func() bool { return textOf(c, "chat-state") == "CLOSED" })
	if got := textOf(c, "chat-error"); !strings.Contains(got, "1001") || !strings.Contains(got, "server shutting down") {
		t.Errorf("#chat-error = %q", got)
	}
	if len(c.members) != 0 {
		t.Errorf("members still listed after the close: %q", c.members)
	}
}

func TestChatDismountLeaves(t *testing.T) {
	c, e, d := joinChat(t, "r", "n")
	s, o := d.last(t)
	open(s, o, "")
	eventually(t, e, "OPEN", func() bool { return c.state == wsclient.Open })
	if err := e.Load(&Console{}); err != nil {
		t.Fatal(err)
	}
	e.ConsumeAll()
	if got := s.closeCalls(); len(got) != 1 || got[0].code != 1000 {
		t.Errorf("closes after dismount = %+v", got)
	}
}

func TestRoutes(t *testing.T) {
	Routes()
	Routes() // twice is harmless
	for _, p := range []string{ConsolePath, ChatPath, ChatAliasPath} {
		e := app.NewTestEngine()
		var c app.Composer = &Console{}
		if p != ConsolePath {
			c = &Chat{}
		}
		if err := e.Load(c); err != nil {
			t.Fatal(err)
		}
	}
}
