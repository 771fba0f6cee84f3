package ui

import (
	"net/url"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/maxence-charriere/go-app/v10/pkg/app"

	"github.com/duplexgo/duplex/server/chatproto"
	"github.com/duplexgo/duplex/wsclient"
)

// openChat joins r as n and plays the welcome, with the server's text
// limit maxText (0: a server that does not tell it).
func openChat(t *testing.T, maxText int) (*Chat, app.TestEngine, *fakeClient, *fakeSocket) {
	t.Helper()
	c, e, d := joinChat(t, "r", "n")
	fc := d.last(t)
	s := fc.open("")
	serverSays(fc, `{"type":"welcome","room":"r","you":"n","members":["n"],"history":[],"maxText":`+strconv.Itoa(maxText)+`}`)
	eventually(t, e, "the welcome", func() bool { return c.you == "n" })
	return c, e, fc, s
}

// messageTexts returns the texts of the message lines, with their status.
func messageTexts(c *Chat) string {
	var s []string
	for _, l := range c.lines {
		if l.Kind == "message" {
			s = append(s, l.Text+"/"+l.Status)
		}
	}
	return strings.Join(s, " ")
}

// A message the server rejects stays in the composer, the reason beside
// it; one that was queued goes back to an empty composer.
func TestChatDraftKeptOnError(t *testing.T) {
	c, e, fc, _ := openChat(t, 0)
	c.text = "hello"
	act(e, c.mctx, c.Send)
	serverSays(fc, `{"type":"error","text":"rate limit exceeded: slow down","cid":"t-1"}`)
	eventually(t, e, "the error", func() bool { return c.sendErr != "" })
	if c.text != "hello" || messageTexts(c) != "" || !strings.Contains(textOf(c, "chat-send-error"), "not sent: rate limit exceeded") {
		t.Errorf("after the error: composer %q, messages %q, #chat-send-error %q", c.text, messageTexts(c), textOf(c, "chat-send-error"))
	}
	if attrOf(c, "chat-send", "disabled") != "" {
		t.Errorf("Send is disabled after the error")
	}
	// Sent again, accepted: the composer empties.
	act(e, c.mctx, c.Send)
	serverSays(fc, `{"type":"message","id":1,"from":"n","text":"hello","time":"2026-01-02T03:04:05Z","cid":"t-2"}`)
	eventually(t, e, "the echo", func() bool { return c.text == "" })
	if messageTexts(c) != "hello/" {
		t.Errorf("messages %q", messageTexts(c))
	}

	// Queued while reconnecting, rejected once back: the composer is
	// empty, so the text returns there.
	fc.lose(goingAway, 1, time.Second)
	eventually(t, e, "reconnecting", func() bool { return c.phase == wsclient.PhaseReconnecting })
	c.text = "   \t"
	act(e, c.mctx, c.Send)
	c.text = "queued"
	act(e, c.mctx, c.Send)
	if c.text != "" || messageTexts(c) != "hello/ queued/pending" {
		t.Fatalf("queued: composer %q, messages %q", c.text, messageTexts(c))
	}
	fc.open("")
	serverSays(fc, `{"type":"welcome","room":"r","you":"n","members":["n"],"history":[]}`,
		`{"type":"error","text":"empty message","cid":"t-3"}`)
	eventually(t, e, "the error", func() bool { return c.text == "queued" })
	if messageTexts(c) != "hello/" || !strings.Contains(c.sendErr, "empty message") {
		t.Errorf("messages %q, error %q", messageTexts(c), c.sendErr)
	}
	// An error about no message of ours is the page's error.
	serverSays(fc, `{"type":"error","text":"malformed message"}`)
	eventually(t, e, "the error", func() bool { return strings.Contains(textOf(c, "chat-error"), "server: malformed message") })
}

// The counter shows the bytes left of the welcome's limit; past it Send is
// disabled and refuses.
func TestChatBytesLeft(t *testing.T) {
	c := &Chat{}
	load(t, c)
	if got := textOf(c, "chat-left"); got != strconv.Itoa(chatproto.DefaultMaxTextBytes)+" bytes left" {
		t.Errorf("before the welcome: %q", got)
	}
	c, e, _, s := openChat(t, 10)
	c.text = "ééééé" // 10 bytes
	act(e, c.mctx, func(app.Context) {})
	if got := textOf(c, "chat-left"); got != "0 bytes left" || attrOf(c, "chat-send", "disabled") != "" {
		t.Errorf("at the limit: %q, Send disabled %q", got, attrOf(c, "chat-send", "disabled"))
	}
	c.text = "ééééé!"
	act(e, c.mctx, func(app.Context) {})
	if got := textOf(c, "chat-left"); got != "1 bytes too many (at most 10)" || attrOf(c, "chat-send", "disabled") != "true" ||
		attrOf(c, "chat-text", "aria-invalid") != "true" {
		t.Errorf("past the limit: %q, Send disabled %q", got, attrOf(c, "chat-send", "disabled"))
	}
	act(e, c.mctx, c.Send) // Enter in the field
	if len(s.sentMessages()) != 0 || c.text != "ééééé!" || !strings.Contains(textOf(c, "chat-send-error"), "message too long: 11 bytes, at most 10") {
		t.Errorf("Send past the limit: sent %d, composer %q, error %q", len(s.sentMessages()), c.text, textOf(c, "chat-send-error"))
	}
}

// Messages posted while reconnecting show at once as pending, and are
// confirmed in place, whatever order the echoes come in, once only; a
// message whose echo was lost is confirmed by the history.
func TestChatPendingConfirmedInPlace(t *testing.T) {
	c, e, fc, _ := openChat(t, 0)
	serverSays(fc, `{"type":"message","id":1,"from":"bob","text":"before","time":"2026-01-02T03:04:05Z"}`)
	fc.lose(goingAway, 1, time.Second)
	eventually(t, e, "reconnecting", func() bool { return c.phase == wsclient.PhaseReconnecting })
	for _, text := range []string{"a", "b", "c"} {
		c.text = text
		act(e, c.mctx, c.Send)
	}
	if got := messageTexts(c); got != "before/ a/pending b/pending c/pending" {
		t.Fatalf("while reconnecting: %q", got)
	}
	if !strings.Contains(app.HTMLString(c), `data-status="pending"`) || !strings.Contains(app.HTMLString(c), "sending…") {
		t.Errorf("pending messages are not shown as such")
	}
	fc.open("")
	// a was posted before the connection dropped (its echo lost): the
	// history has it.
	serverSays(fc,
		`{"type":"welcome","room":"r","you":"n","members":["n"],"history":[`+
			`{"id":1,"from":"bob","text":"before","time":"2026-01-02T03:04:05Z"},`+
			`{"id":2,"from":"n","text":"a","time":"2026-01-02T03:04:06Z","cid":"t-1"}]}`,
		`{"type":"message","id":4,"from":"n","text":"c","time":"2026-01-02T03:04:08Z","cid":"t-3"}`,
		`{"type":"message","id":3,"from":"n","text":"b","time":"2026-01-02T03:04:07Z","cid":"t-2"}`,
		`{"type":"message","id":2,"from":"n","text":"a","time":"2026-01-02T03:04:06Z","cid":"t-1"}`, // a retry's answer
	)
	eventually(t, e, "the echoes", func() bool { return messageTexts(c) == "before/ a/ b/ c/" })
	var ids []uint64
	for _, l := range c.lines {
		if l.Kind == "message" {
			ids = append(ids, l.ID)
		}
	}
	if len(ids) != 4 || ids[1] != 2 || ids[2] != 3 || ids[3] != 4 {
		t.Errorf("ids %v", ids)
	}
}

func TestRenameReason(t *testing.T) {
	long := strings.Repeat("x", chatproto.MaxNameRunes+5)
	for _, tc := range []struct{ asked, given, want string }{
		{"ann", "ann", ""},
		{" ann ", "ann", ""},
		{"ann", "ann-2", `"ann" is taken in this room, so a number was added`},
		{long, long[:chatproto.MaxNameRunes], "cut to 32 characters"},
		{long, long[:chatproto.MaxNameRunes] + "-2", "cut to 32 characters; \"" + long[:chatproto.MaxNameRunes] + "\" is taken"},
		{"a\u200bnn\x07", "ann", "characters that cannot be shown were removed"},
		{"", "guest-3", "you did not pick a name"},
	} {
		got := renameReason(tc.asked, tc.given)
		if (tc.want == "") != (got == "") || !strings.Contains(got, tc.want) {
			t.Errorf("renameReason(%q, %q) = %q, want %q", tc.asked, tc.given, got, tc.want)
		}
	}
}

// The name field shows the name the server gave, and why.
func TestChatRenameExplained(t *testing.T) {
	c, e, d := joinChat(t, "r", "ann")
	fc := d.last(t)
	fc.open("")
	serverSays(fc, `{"type":"welcome","room":"r","you":"ann-2","members":["ann","ann-2"],"history":[]}`)
	eventually(t, e, "the welcome", func() bool { return c.you == "ann-2" })
	if c.name != "ann-2" || attrOf(c, "name", "value") != "ann-2" || !strings.Contains(textOf(c, "name-note"), "is taken in this room") {
		t.Errorf("name field %q, #name-note %q", c.name, textOf(c, "name-note"))
	}
}

// /chat?room=..&name=.. fills the fields and joins, once; the room and
// name joined are remembered for the next visit.
func TestChatLinkAndPrefs(t *testing.T) {
	d := &fakeClientDialer{}
	c := &Chat{DialClient: d.dial}
	e := load(t, c)
	u, _ := url.Parse("/chat?room=r9&name=zed")
	act(e, c.mctx, func(ctx app.Context) { c.joinFromLink(ctx, u) })
	fc := d.last(t)
	if q, _ := url.Parse(fc.url); q.Query().Get("room") != "r9" || q.Query().Get("name") != "zed" || c.room != "r9" || c.name != "zed" {
		t.Fatalf("the link joined %q; fields %q %q", fc.url, c.room, c.name)
	}
	act(e, c.mctx, c.Leave)
	fc.end(nil)
	eventually(t, e, "CLOSED", func() bool { return !c.connected() })
	act(e, c.mctx, func(ctx app.Context) { c.joinFromLink(ctx, u) })
	if len(d.clients) != 1 {
		t.Errorf("the same link was followed twice")
	}
	// No query: nothing happens.
	act(e, c.mctx, func(ctx app.Context) { c.joinFromLink(ctx, &url.URL{Path: "/chat"}) })
	if len(d.clients) != 1 {
		t.Errorf("a plain /chat joined")
	}

	next := &Chat{}
	next.mctx = c.mctx
	next.loadPrefs(c.mctx)
	if next.room != "r9" || next.name != "zed" {
		t.Errorf("remembered %q %q, want r9 zed", next.room, next.name)
	}
}

// New messages while the list is scrolled up are counted on a button
// instead of scrolling; the button shows them and clears the count, and so
// does a snapshot that finds the list at its end.
func TestChatNewMessagesButton(t *testing.T) {
	c, e, fc, _ := openChat(t, 0)
	atEnd := false
	c.atEnd = func(string) bool { return atEnd }
	serverSays(fc, `{"type":"message","id":1,"from":"bob","text":"one","time":"2026-01-02T03:04:05Z"}`)
	eventually(t, e, "one", func() bool { return c.unseen == 1 })
	if got := textOf(c, "chat-new"); got != "1 new message ↓" {
		t.Errorf("#chat-new = %q", got)
	}
	serverSays(fc, `{"type":"join","from":"cy"}`, `{"type":"message","id":2,"from":"bob","text":"two","time":"2026-01-02T03:04:06Z"}`,
		`{"type":"message","id":3,"from":"cy","text":"three","time":"2026-01-02T03:04:07Z"}`)
	eventually(t, e, "three", func() bool { return c.unseen == 3 })
	if got := textOf(c, "chat-new"); got != "3 new messages ↓" {
		t.Errorf("#chat-new = %q", got)
	}
	act(e, c.mctx, c.ShowNew)
	if c.unseen != 0 || strings.Contains(app.HTMLString(c), `id="chat-new"`) {
		t.Errorf("after the click: %d unseen", c.unseen)
	}
	// At the end of the list, new messages do not count.
	serverSays(fc, `{"type":"message","id":4,"from":"bob","text":"four","time":"2026-01-02T03:04:08Z"}`)
	eventually(t, e, "four", func() bool { return c.unseen == 1 })
	atEnd = true
	serverSays(fc, `{"type":"message","id":5,"from":"bob","text":"five","time":"2026-01-02T03:04:09Z"}`)
	eventually(t, e, "five", func() bool { return c.unseen == 0 })
}

// New messages are announced through the polite live region at most once
// a second: what comes meanwhile is summed up.
func TestChatAnnouncements(t *testing.T) {
	c, e, fc, _ := openChat(t, 0)
	now := time.Unix(1000, 0)
	c.now = func() time.Time { return now }
	serverSays(fc, `{"type":"message","id":1,"from":"bob","text":"one","time":"2026-01-02T03:04:05Z"}`)
	eventually(t, e, "the first announcement", func() bool { return textOf(c, "chat-announce") == "bob: one" })
	if attrOf(c, "chat-announce", "aria-live") != "polite" || attrOf(c, "messages", "aria-live") != "off" {
		t.Errorf("live regions: announcer %q, list %q", attrOf(c, "chat-announce", "aria-live"), attrOf(c, "messages", "aria-live"))
	}
	// Within the second: nothing now, one summary later.
	c.announce(c.mctx, chatLine{From: "bob", Text: "two"})
	c.announce(c.mctx, chatLine{From: "cy", Text: "three"})
	if c.announcement != "bob: one" || !c.announceThrottle.due {
		t.Errorf("announced again within the second: %q", c.announcement)
	}
	e.ConsumeAll() // runs the scheduled announcement
	eventually(t, e, "the summary", func() bool { return textOf(c, "chat-announce") == "2 new messages, the last from cy: three" })
	// A second later, a message is announced at once.
	now = now.Add(announceEvery)
	c.announce(c.mctx, chatLine{From: "bob", Text: "four"})
	if c.announcement != "bob: four" || c.announceThrottle.due {
		t.Errorf("a second later: %q", c.announcement)
	}
}

// Every control of the chat has a label, and the view one h1.
func TestChatAccessible(t *testing.T) {
	c := &Chat{}
	load(t, c)
	html := app.HTMLString(c)
	for _, id := range []string{"room", "name", "chat-text"} {
		if !strings.Contains(html, `for="`+id+`"`) {
			t.Errorf("#%s has no label", id)
		}
	}
	if n := strings.Count(html, "<h1"); n != 1 {
		t.Errorf("%d h1 elements, want 1", n)
	}
}
