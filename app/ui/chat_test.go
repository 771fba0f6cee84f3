package ui

import (
	"net/url"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/maxence-charriere/go-app/v10/pkg/app"

	"github.com/duplexgo/duplex/wsclient"
)

func joinChat(t *testing.T, room, name string) (*Chat, app.TestEngine, *fakeClientDialer) {
	t.Helper()
	d := &fakeClientDialer{}
	c := &Chat{DialClient: d.dial}
	c.cids.prefix = "t" // cids t-1, t-2, ...
	e := load(t, c)
	c.room, c.name = room, name
	act(e, c.mctx, c.Join)
	if got := textOf(c, "chat-state"); got != "CONNECTING" {
		t.Fatalf("chat state after Join = %q, want CONNECTING", got)
	}
	return c, e, d
}

func serverSays(fc *fakeClient, frames ...string) {
	for _, f := range frames {
		fc.receive(wsclient.Text, f)
	}
}

func TestChatRendersEveryControl(t *testing.T) {
	// In the browser, tests before this one joined rooms, which the page
	// remembers; the default is for a page with nothing remembered.
	if app.IsClient {
		for _, k := range []string{chatRoomKey, chatNameKey} {
			app.Window().Get("localStorage").Call("removeItem", k)
		}
	}
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
	fc := d.last(t)
	u, err := url.Parse(fc.url)
	if err != nil || u.Path != "/chat" || u.Query().Get("room") != "go & co" || u.Query().Get("name") != "ann" {
		t.Fatalf("dialed %q", fc.url)
	}
	s := fc.open("")
	serverSays(fc,
		`{"type":"welcome","room":"go & co","you":"ann-2","members":["ann","ann-2"],"history":[{"id":1,"from":"ann","text":"earlier","time":"2026-01-02T03:04:05Z"}]}`,
		`{"type":"join","from":"bob"}`,
		`{"type":"message","id":2,"from":"bob","text":"hi <all>","time":"2026-01-02T03:05:00Z"}`,
	)
	eventually(t, e, "the welcome and the events", func() bool { return len(c.members) == 3 && len(c.lines) == 4 })
	if !slices.Equal(c.members, []string{"ann", "ann-2", "bob"}) {
		t.Errorf("members after a join: %q", c.members)
	}
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

	// Posting: the message is pending, and the composer keeps its text,
	// until the echo.
	c.text = "  hello bob  "
	act(e, c.mctx, c.Send)
	sent := s.sentMessages()
	if len(sent) != 1 || string(sent[0].Data) != `{"type":"message","text":"  hello bob  ","cid":"t-1"}` {
		t.Fatalf("sent %q", sent)
	}
	if c.text != "  hello bob  " || attrOf(c, "chat-send", "disabled") != "true" || len(c.lines) != 5 || c.lines[4].Status != statusPending {
		t.Errorf("before the echo: composer %q, lines %+v; want the text kept, Send disabled, the message pending", c.text, c.lines[4:])
	}
	serverSays(fc, `{"type":"message","id":3,"from":"ann-2","text":"  hello bob  ","time":"2026-01-02T03:06:00Z","cid":"t-1"}`)
	eventually(t, e, "our message", func() bool { return c.lines[4].Status == "" })
	if l := c.lines[4]; !l.Mine || l.ID != 3 || len(c.lines) != 5 || c.text != "" {
		t.Errorf("our message = %+v (%d lines), composer %q; want it confirmed in place, the composer empty", l, len(c.lines), c.text)
	}
	c.text = "   "
	act(e, c.mctx, c.Send)
	if len(s.sentMessages()) != 1 {
		t.Errorf("blank text was sent")
	}

	// The server's errors, and unreadable frames, are shown.
	serverSays(fc, `{"type":"error","text":"message too long: 5000 bytes, at most 4096"}`)
	eventually(t, e, "the error", func() bool { return strings.Contains(textOf(c, "chat-error"), "server: message too long") })
	serverSays(fc, `{"type":"surprise"}`)
	eventually(t, e, "the protocol error", func() bool { return strings.Contains(textOf(c, "chat-error"), "unknown frame type") })

	// Leaving.
	// Presence frames are changes to the list: a leave removes the name
	// (the old frames' "members" field, should a server still send it, is
	// not read), a join of a listed name does not add it twice.
	serverSays(fc, `{"type":"leave","from":"ann","members":["ann-2","bob"]}`, `{"type":"join","from":"bob"}`, `{"type":"leave","from":"nobody"}`)
	eventually(t, e, "ann leaving", func() bool { return len(c.members) == 2 })
	serverSays(fc, `{"type":"leave","from":"bob"}`)
	eventually(t, e, "bob leaving", func() bool { return len(c.members) == 1 })
	if !slices.Equal(c.members, []string{"ann-2"}) {
		t.Errorf("members after the leaves: %q", c.members)
	}
	act(e, c.mctx, c.Leave)
	if got := fc.closeCalls(); len(got) != 1 || got[0].code != 1000 {
		t.Fatalf("closes = %+v", got)
	}
	fc.end(nil)
	eventually(t, e, "CLOSED", func() bool { return textOf(c, "chat-state") == "CLOSED" })
	if attrOf(c, "join", "disabled") != "" {
		t.Errorf("join is disabled after leaving")
	}
	if attrOf(c, "chat-error", "hidden") != "true" {
		t.Errorf("an error is shown after leaving: %q", textOf(c, "chat-error"))
	}
}

// TestChatSurvivesServerRestart plays a server restart: the chat shows it is
// reconnecting, with the attempt, keeps the lines it shows, queues what is
// posted meanwhile, rejoins under the name the server gave it, and does not
// show a replayed message twice.
func TestChatSurvivesServerRestart(t *testing.T) {
	c, e, d := joinChat(t, "", "")
	fc := d.last(t)
	if u, _ := url.Parse(fc.url); u.Query().Get("room") != "lobby" {
		t.Errorf("an empty room joins %q, want lobby", u.Query().Get("room"))
	}
	fc.open("")
	serverSays(fc,
		`{"type":"welcome","room":"lobby","you":"guest-1","members":["guest-1","bob"],"history":[{"id":1,"from":"bob","text":"before","time":"2026-01-02T03:04:05Z"}]}`,
		`{"type":"message","id":2,"from":"guest-1","text":"mine","time":"2026-01-02T03:04:06Z"}`)
	eventually(t, e, "the welcome and our message", func() bool { return c.you == "guest-1" && len(c.lines) == 3 })

	// The server goes away.
	fc.lose(goingAway, 1, time.Second)
	eventually(t, e, "reconnecting", func() bool { return textOf(c, "chat-state") == "reconnecting (attempt 1)" })
	if got := textOf(c, "chat-error"); !strings.Contains(got, "1001") || !strings.Contains(got, "server shutting down") || !strings.Contains(got, "reconnecting") {
		t.Errorf("#chat-error = %q", got)
	}
	if len(c.members) != 0 {
		t.Errorf("members still listed while disconnected: %q", c.members)
	}
	if got := textOf(c, "chat-where"); got != "reconnecting to lobby as guest-1" {
		t.Errorf("#chat-where = %q", got)
	}
	if attrOf(c, "chat-send", "disabled") != "" || attrOf(c, "leave", "disabled") != "" || attrOf(c, "join", "disabled") != "true" {
		t.Errorf("while reconnecting, send and leave must be enabled, join disabled")
	}
	// Posting now queues.
	c.text = "while away"
	act(e, c.mctx, c.Send)
	if fc.queued() != 1 || c.text != "" {
		t.Fatalf("queued %d, composer %q", fc.queued(), c.text)
	}
	if !strings.Contains(textOf(c, "chat-status"), "once the connection is back") {
		t.Errorf("#chat-status = %q", textOf(c, "chat-status"))
	}
	fc.lose(&wsclient.CloseError{Code: wsclient.StatusAbnormalClosure}, 2, time.Second)
	eventually(t, e, "attempt 2", func() bool { return textOf(c, "chat-state") == "reconnecting (attempt 2)" })
	if !strings.Contains(textOf(c, "chat-status"), "attempt 1 failed") {
		t.Errorf("#chat-status = %q", textOf(c, "chat-status"))
	}

	// The next attempt asks for our name, and the queued message goes out.
	u, _, err := fc.opts.Endpoint()
	if q, _ := url.Parse(u); err != nil || q.Query().Get("name") != "guest-1" || q.Query().Get("room") != "lobby" {
		t.Errorf("the next attempt joins %q (%v), want lobby as guest-1", u, err)
	}
	s := fc.open("")
	if sent := s.sentMessages(); len(sent) != 1 || string(sent[0].Data) != `{"type":"message","text":"while away","cid":"t-1"}` {
		t.Errorf("sent on reconnect: %q", sent)
	}
	// A restarted server has no history: its message 1 is new, not "before".
	serverSays(fc,
		`{"type":"welcome","room":"lobby","you":"guest-1","members":["guest-1"],"history":[]}`,
		`{"type":"message","id":1,"from":"guest-1","text":"while away","time":"2026-01-02T03:09:00Z","cid":"t-1"}`)
	eventually(t, e, "OPEN", func() bool { return textOf(c, "chat-state") == "OPEN" })
	eventually(t, e, "the new message", func() bool { return strings.Contains(app.HTMLString(c), ">while away<") })
	if attrOf(c, "chat-error", "hidden") != "true" {
		t.Errorf("#chat-error still shown: %q", textOf(c, "chat-error"))
	}
	if got := textOf(c, "chat-where"); got != "in lobby as guest-1" {
		t.Errorf("#chat-where = %q", got)
	}
	// A server that was not restarted replays what we saw, and what we
	// missed: only the missed message is added.
	fc.lose(&wsclient.CloseError{Code: wsclient.StatusAbnormalClosure}, 1, time.Second)
	eventually(t, e, "reconnecting", func() bool { return c.phase == wsclient.PhaseReconnecting })
	fc.open("")
	serverSays(fc, `{"type":"welcome","room":"lobby","you":"guest-1","members":["guest-1","bob"],"history":[`+
		`{"id":1,"from":"guest-1","text":"while away","time":"2026-01-02T03:09:00Z","cid":"t-1"},`+
		`{"id":2,"from":"bob","text":"missed","time":"2026-01-02T03:10:00Z"}]}`)
	eventually(t, e, "the missed message", func() bool { return strings.Contains(app.HTMLString(c), ">missed<") })
	var texts []string
	for _, l := range c.lines {
		if l.Kind == "message" {
			texts = append(texts, l.Text)
		}
	}
	if got := strings.Join(texts, "|"); got != "before|mine|while away|missed" {
		t.Errorf("messages shown: %s", got)
	}
	if last := c.lines[len(c.lines)-1]; last.Kind != "note" || !strings.Contains(last.Text, "reconnected to lobby as guest-1 · 1 messages you missed") {
		t.Errorf("last line = %+v", last)
	}
	for _, l := range c.lines {
		if l.Kind == "message" && l.Mine != (l.From == "guest-1") {
			t.Errorf("line %+v is marked wrongly", l)
		}
	}
}

// A close the client does not retry (a policy violation) ends the chat.
func TestChatTerminalClose(t *testing.T) {
	c, e, d := joinChat(t, "r", "n")
	fc := d.last(t)
	fc.open("")
	serverSays(fc, `{"type":"welcome","room":"r","you":"n","members":["n"],"history":[]}`)
	eventually(t, e, "the welcome", func() bool { return c.you == "n" })
	c.text = "lost"
	fc.end(&wsclient.CloseError{Code: wsclient.StatusPolicyViolation, Reason: "rate limit exceeded", WasClean: true})
	eventually(t, e, "CLOSED", func() bool { return textOf(c, "chat-state") == "CLOSED" })
	if got := textOf(c, "chat-error"); !strings.Contains(got, "1008") || !strings.Contains(got, "rate limit exceeded") {
		t.Errorf("#chat-error = %q", got)
	}
	if len(c.members) != 0 || attrOf(c, "join", "disabled") != "" || attrOf(c, "chat-send", "disabled") != "true" {
		t.Errorf("after the end: members %q, join or send in the wrong state", c.members)
	}
}

// A message the client could not deliver is marked failed, with Retry;
// joining again keeps it, and Retry sends it with its cid, confirmed in
// place by the echo.
func TestChatUndelivered(t *testing.T) {
	c, e, d := joinChat(t, "r", "n")
	fc := d.last(t)
	c.text = "never sent"
	act(e, c.mctx, c.Send)
	if c.text != "" || len(c.lines) != 1 || c.lines[0].Status != statusPending {
		t.Fatalf("sent while connecting: composer %q, lines %+v", c.text, c.lines)
	}
	act(e, c.mctx, c.Leave)
	fc.end(nil)
	eventually(t, e, "the failure", func() bool { return len(c.lines) == 1 && c.lines[0].Status == statusFailed })
	html := app.HTMLString(c)
	if !strings.Contains(html, `data-status="failed"`) || !strings.Contains(html, `>Retry<`) || !strings.Contains(c.lines[0].Err, "not delivered") {
		t.Errorf("the failed message is not shown with its reason and Retry: %+v", c.lines[0])
	}
	act(e, c.mctx, func(ctx app.Context) { c.Retry(ctx, "t-1") })
	if !strings.Contains(c.sendErr, "join the room again") {
		t.Errorf("Retry while not connected: %q", c.sendErr)
	}

	act(e, c.mctx, c.Join)
	fc = d.last(t)
	s := fc.open("")
	serverSays(fc, `{"type":"welcome","room":"r","you":"n","members":["n"],"history":[]}`)
	eventually(t, e, "the welcome", func() bool { return c.you == "n" })
	if len(c.lines) != 2 || c.lines[0].Status != statusFailed {
		t.Fatalf("after joining again: %+v", c.lines)
	}
	act(e, c.mctx, func(ctx app.Context) { c.Retry(ctx, "t-1") })
	if sent := s.sentMessages(); len(sent) != 1 || string(sent[0].Data) != `{"type":"message","text":"never sent","cid":"t-1"}` {
		t.Fatalf("retry sent %q", sent)
	}
	if c.lines[0].Status != statusPending {
		t.Errorf("after Retry: %+v", c.lines[0])
	}
	serverSays(fc, `{"type":"message","id":1,"from":"n","text":"never sent","time":"2026-01-02T03:04:05Z","cid":"t-1"}`)
	eventually(t, e, "the echo", func() bool { return c.lines[0].Status == "" })
	if len(c.lines) != 2 || c.lines[0].ID != 1 {
		t.Errorf("after the echo: %+v", c.lines)
	}
}

// Going to another page and back keeps the membership: the client is not
// closed, nothing is shown while away, and on return the frames that
// arrived meanwhile are there, with the lines and the draft kept.
func TestChatSurvivesNavigation(t *testing.T) {
	c, e, d := joinChat(t, "r", "n")
	fc := d.last(t)
	fc.open("")
	eventually(t, e, "OPEN", func() bool { return c.phase == wsclient.PhaseOpen })
	serverSays(fc, `{"type":"welcome","room":"r","you":"n","members":["n"],"history":[]}`)
	eventually(t, e, "the welcome", func() bool { return c.joined == "r" })
	c.text = "a draft"
	if err := e.Load(&Console{}); err != nil {
		t.Fatal(err)
	}
	e.ConsumeAll()
	if got := fc.closeCalls(); len(got) != 0 {
		t.Errorf("closes after leaving the page = %+v, want none: leaving the room is the user's choice", got)
	}
	lines := len(c.lines)
	serverSays(fc, `{"type":"message","id":1,"from":"late","text":"while away","time":"2026-01-02T03:04:05Z"}`)
	unchanged(t, e, "an event was shown", func() bool { return len(c.lines) != lines })

	if err := e.Load(c); err != nil {
		t.Fatal(err)
	}
	c.OnMount(c.mctx)
	eventually(t, e, "the message that arrived meanwhile", func() bool { return len(c.lines) == lines+1 })
	if c.joined != "r" || c.text != "a draft" || c.lines[lines].Text != "while away" {
		t.Errorf("after coming back: room %q, draft %q, last line %+v", c.joined, c.text, c.lines[len(c.lines)-1])
	}
}

// In the browser the app keeps one component per page for the tab's life;
// the server makes a new one per request.
func TestRoutes(t *testing.T) {
	Routes()
	Routes() // twice is harmless
	var page *Console
	if a, b := keep(&page), keep(&page); (a == b) != app.IsClient {
		t.Errorf("keep shares one page between calls: %v; want it in the browser only (the server prerenders a page per request)", a == b)
	}
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
