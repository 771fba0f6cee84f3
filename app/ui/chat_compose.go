package ui

import (
	"fmt"
	"net/url"
	"strings"
	"time"

	"github.com/maxence-charriere/go-app/v10/pkg/app"

	"github.com/duplexgo/duplex/server/chatproto"
	"github.com/duplexgo/duplex/wsclient"
)

// The chat never loses a word: a message is shown at once as pending, and
// stays so until the server answers it. The answer names the message by the
// cid it was sent with (see chatproto): its echo confirms it in place; an
// error rejects it, and its text goes back to the composer with the reason;
// a message the client gives up is marked failed, with a Retry button.
// While the connection is open the composer keeps the text until the echo
// comes; while it is not, the composer is emptied at once and the message
// waits in the client's queue.
const (
	statusPending = "pending"
	statusFailed  = "failed"

	// chatRoomKey and chatNameKey remember the last room and name joined.
	chatRoomKey = "duplex.chat.room"
	chatNameKey = "duplex.chat.name"
)

// textLimit is the longest text the server accepts, in bytes: as the
// welcome said, or chatproto's default.
func (c *Chat) textLimit() int {
	if c.maxText > 0 {
		return c.maxText
	}
	return chatproto.DefaultMaxTextBytes
}

// bytesLeft is what the composer may still hold; negative past the limit.
func (c *Chat) bytesLeft() int { return c.textLimit() - len(c.text) }

// canSend reports whether Send is enabled: connected, the text within the
// limit, and no earlier text of the composer waiting for its answer.
func (c *Chat) canSend() bool {
	return c.connected() && c.bytesLeft() >= 0 && c.draftCID == ""
}

// Send posts the composer's text with a new cid and shows it as pending.
// While the client is between connections the message waits in its queue
// and goes out once it is back.
func (c *Chat) Send(ctx app.Context) {
	text := c.text
	if strings.TrimSpace(text) == "" {
		return
	}
	if n := len(text); n > c.textLimit() {
		c.sendErr = fmt.Sprintf("message too long: %d bytes, at most %d", n, c.textLimit())
		return
	}
	if !c.connected() {
		c.sendErr = "not connected: join a room first"
		return
	}
	if c.draftCID != "" {
		return
	}
	cid := c.cids.next()
	if err := c.sess.feed.Send(wsclient.Text, chatproto.EncodeClientMessageCID(text, cid)); err != nil {
		c.sendErr = err.Error()
		return
	}
	c.sendErr = ""
	c.addLine(chatLine{Kind: "message", CID: cid, From: c.you, Text: text, Mine: true, Status: statusPending})
	ctx.Defer(func(app.Context) { scrollToEnd("messages") })
	c.unseen = 0
	if c.phase == wsclient.PhaseOpen {
		c.draftCID = cid // the composer keeps the text until the answer
		return
	}
	c.status = "your message will be sent once the connection is back"
	c.text = ""
	setInputValue("chat-text", "")
}

// Retry sends a failed message again, with its cid: should the server have
// posted it after all, it does not post it twice.
func (c *Chat) Retry(ctx app.Context, cid string) {
	i := c.findMine(cid)
	if i < 0 || c.lines[i].Status != statusFailed {
		return
	}
	if !c.connected() {
		c.sendErr = "not connected: join the room again to retry"
		return
	}
	l := &c.lines[i]
	if err := c.sess.feed.Send(wsclient.Text, chatproto.EncodeClientMessageCID(l.Text, cid)); err != nil {
		l.Err = err.Error()
		return
	}
	l.Status, l.Err = statusPending, ""
}

// findMine returns the index of our message with the cid, or -1.
func (c *Chat) findMine(cid string) int {
	if cid == "" {
		return -1
	}
	for i := len(c.lines) - 1; i >= 0; i-- {
		if l := c.lines[i]; l.Kind == "message" && l.Mine && l.CID == cid {
			return i
		}
	}
	return -1
}

// confirm applies a message from the server that answers one of ours: the
// pending line becomes the message, in place. It reports false when the
// message answers none of ours (it is someone else's, or has no cid).
func (c *Chat) confirm(m chatLine) bool {
	i := c.findMine(m.CID)
	if i < 0 {
		return false
	}
	l := &c.lines[i]
	if l.Status != "" {
		l.ID, l.From, l.Time, l.Status, l.Err = m.ID, m.From, m.Time, "", ""
	}
	if c.draftCID == m.CID {
		c.draftCID = ""
		if c.text == l.Text {
			c.text = ""
			setInputValue("chat-text", "")
		}
	}
	return true // a second answer to the same message is not shown twice
}

// reject handles a message of ours the server refused or the client gave
// up. The composer's own text stays there, with the reason beside it; a
// queued one goes back to an empty composer, or else is marked failed with
// a Retry button. It reports false when cid names none of our pending
// messages.
func (c *Chat) reject(cid, why string, retry bool) bool {
	i := c.findMine(cid)
	if i < 0 || c.lines[i].Status != statusPending {
		return false
	}
	text := c.lines[i].Text
	switch {
	case c.draftCID == cid:
		c.draftCID = ""
		c.lines = append(c.lines[:i], c.lines[i+1:]...)
		c.sendErr = "not sent: " + why
	case !retry && strings.TrimSpace(c.text) == "":
		c.lines = append(c.lines[:i], c.lines[i+1:]...)
		c.text = text
		setInputValue("chat-text", text)
		c.sendErr = "not sent: " + why
	default:
		c.lines[i].Status, c.lines[i].Err = statusFailed, why
	}
	return true
}

// onNewMessages follows the list: one that shows its end scrolls to new
// messages; one scrolled up to read is left alone, and the messages that
// arrived are counted on the "N new messages" button.
func (c *Chat) onNewMessages(ctx app.Context, n int, atEnd bool) {
	if atEnd {
		c.unseen = 0
		ctx.Defer(func(app.Context) { scrollToEnd("messages") })
		return
	}
	c.unseen += n
}

// ShowNew scrolls the list to its end and clears the count of new messages.
func (c *Chat) ShowNew(ctx app.Context) {
	c.unseen = 0
	scrollToEnd("messages")
}

// announce tells screen readers of new messages through the polite live
// region, at most once per announceEvery: what comes meanwhile is summed
// up in the next announcement.
func (c *Chat) announce(ctx app.Context, l chatLine) {
	c.toAnnounce++
	c.lastFrom, c.lastText = l.From, l.Text
	c.announceThrottle.run(ctx, c.clock, c.flushAnnounce)
}

func (c *Chat) flushAnnounce() {
	switch c.toAnnounce {
	case 0:
		return
	case 1:
		c.announcement = c.lastFrom + ": " + c.lastText
	default:
		c.announcement = fmt.Sprintf("%d new messages, the last from %s: %s", c.toAnnounce, c.lastFrom, c.lastText)
	}
	c.toAnnounce = 0
}

func (c *Chat) clock() time.Time {
	if c.now != nil {
		return c.now()
	}
	return time.Now()
}

// loadPrefs fills the room and name fields with the last ones joined, once.
func (c *Chat) loadPrefs(ctx app.Context) {
	if c.prefsLoaded || c.sess != nil {
		return
	}
	c.prefsLoaded = true
	var room, name string
	ctx.LocalStorage().Get(chatRoomKey, &room)
	ctx.LocalStorage().Get(chatNameKey, &name)
	if room != "" {
		c.room = room
	}
	if name != "" {
		c.name = name
	}
}

// savePrefs remembers the room and name joined.
func (c *Chat) savePrefs(ctx app.Context) {
	ctx.LocalStorage().Set(chatRoomKey, strings.TrimSpace(c.room))
	ctx.LocalStorage().Set(chatNameKey, strings.TrimSpace(c.name))
}

// joinFromLink fills the fields from /chat?room=...&name=... and joins,
// unless the chat is connected; a link is followed once.
func (c *Chat) joinFromLink(ctx app.Context, u *url.URL) {
	if u == nil {
		return
	}
	q := u.Query()
	if !q.Has("room") && !q.Has("name") {
		return
	}
	if u.RawQuery == c.link || c.connected() {
		return
	}
	c.link = u.RawQuery
	if q.Has("room") {
		c.room = q.Get("room")
	}
	if q.Has("name") {
		c.name = q.Get("name")
	}
	c.Join(ctx)
}

// setInputValue sets what an input shows. Setting its field is not enough
// once the user typed in it (see clearInput). Natively it does nothing.
func setInputValue(id, value string) {
	if el := app.Window().GetElementByID(id); el.Truthy() {
		el.Set("value", value)
	}
}
