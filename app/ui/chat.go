package ui

import (
	"errors"
	"fmt"
	"slices"
	"strings"
	"time"

	"github.com/maxence-charriere/go-app/v10/pkg/app"

	"github.com/duplexgo/duplex/app/live"
	"github.com/duplexgo/duplex/server/chatproto"
	"github.com/duplexgo/duplex/wsclient"
)

// maxChatLines is how many lines the chat page keeps.
const maxChatLines = 500

// chatLine is one line of the message list: a message, or a note such as
// "ann joined".
type chatLine struct {
	ID     uint64
	Kind   string // "message", "join", "leave", "note"
	From   string
	Text   string
	Time   string // RFC 3339, for messages
	Mine   bool
	Unread bool
	CID    string // ours: the id we sent it with
	Status string // ours: "" once the server posted it, statusPending, statusFailed
	Err    string // why it failed
}

// Chat is the chat page, served at ChatPath: pick a room and a name, see who
// is there, read and post messages. The connection is a wsclient.Client, so
// the chat survives a server restart or a network drop: it reconnects with
// backoff, rejoins under the same name, queues what is posted meanwhile,
// and merges the history the server replays without showing a message
// twice. The connection's state is always shown, and so are the errors the
// server reports.
type Chat struct {
	app.Compo

	// DialClient starts the chat's reconnecting client; nil means
	// wsclient.NewClient (live.Dialer.Client).
	DialClient func(url string, opts *wsclient.ClientOptions) (live.ClientSocket, error)
	// atEnd reports whether the message list shows its end; nil means
	// scrolledToEnd. Tests set it.
	atEnd func(id string) bool
	// now is the clock of the announcements; nil means time.Now.
	now func() time.Time

	mctx app.Context

	room, name string
	sess       *chatSession
	stopWatch  func() // stops watching the session's feed
	hasConn    bool
	phase      wsclient.Phase
	attempt    int    // while reconnecting
	joined     string // the room joined, from the welcome frame
	you        string // our name in it, as the server may have changed it
	welcomes   int    // welcome frames since Join: more than one after a reconnect
	members    []string
	lines      []chatLine
	text       string
	err        string // the last error, shown until the next action
	lost       bool   // err says the connection was lost; cleared when it is back
	status     string // how the last connection or attempt ended
	transport  wsclient.Transport

	maxText  int      // the server's text limit, from the welcome
	sendErr  string   // why the composer's text was not sent
	draftCID string   // the composer's text was sent with this cid: no answer yet
	cids     cidMaker // makes the cids
	asked    string   // the name asked for at Join
	nameNote string   // why the server changed it

	unseen  int // messages that arrived while the list was scrolled up
	arrived int // messages of others added by the events being applied

	announcement     string // the live region's text
	toAnnounce       int    // messages not announced yet
	lastFrom         string // the last of them
	lastText         string // ...
	announceThrottle throttle

	prefsLoaded bool   // the remembered room and name were read
	link        string // the query of the last link followed
}

// OnPreRender prepares the page the server sends and native tests drive.
func (c *Chat) OnPreRender(ctx app.Context) { c.setup(ctx) }

// OnMount keeps the component's context, for watching sessions, and when
// the page comes back to a membership that outlived its last visit (see
// Routes), watches it again: lines, members and draft are the component's
// own, and the feed hands over the frames that arrived meanwhile.
func (c *Chat) OnMount(ctx app.Context) {
	c.setup(ctx)
	c.loadPrefs(ctx)
	if c.sess != nil && c.stopWatch == nil {
		c.stopWatch = live.Watch(c.mctx, c.sess.feed, c.apply)
	}
	c.joinFromLink(ctx, ctx.Page().URL())
}

// OnNav follows a link to the chat while the page is shown:
// /chat?room=NAME&name=NICK fills the fields and joins.
func (c *Chat) OnNav(ctx app.Context) { c.joinFromLink(ctx, ctx.Page().URL()) }

func (c *Chat) setup(ctx app.Context) {
	c.mctx = ctx
	if c.room == "" {
		c.room = "lobby"
	}
}

// OnDismount stops watching the session. The member stays in the room:
// leaving is only ever the user's choice (Leave) or closing the tab.
func (c *Chat) OnDismount() {
	if c.stopWatch != nil {
		c.stopWatch()
		c.stopWatch = nil
	}
}

// connected reports whether the client runs: connecting, open, or between
// two connections.
func (c *Chat) connected() bool { return c.hasConn && c.phase != wsclient.PhaseClosed }

// Join connects to the room of the room field with the name of the name
// field.
func (c *Chat) Join(ctx app.Context) {
	if c.connected() {
		return
	}
	c.err, c.lost, c.status, c.sendErr, c.nameNote = "", false, "", "", ""
	if strings.TrimSpace(c.room) == "" {
		c.room = "lobby"
	}
	c.savePrefs(ctx)
	c.asked = c.name
	sess := newChatSession(c.room, c.name)
	d := live.Dialer{Client: c.DialClient, MaxEvents: maxChatPending}
	feed, err := d.DialClient(chatproto.JoinPath(c.room, c.name), sess.clientOptions())
	if err != nil {
		c.err = err.Error()
		return
	}
	sess.feed = feed
	if c.stopWatch != nil {
		c.stopWatch()
	}
	c.sess, c.hasConn, c.phase, c.attempt = sess, true, wsclient.PhaseConnecting, 0
	// The lines of the last room go, but not our messages that failed:
	// they wait for Retry.
	c.lines = slices.DeleteFunc(c.lines, func(l chatLine) bool { return l.Status != statusFailed })
	c.joined, c.you, c.welcomes, c.members, c.draftCID, c.unseen = "", "", 0, nil, "", 0
	c.stopWatch = live.Watch(c.mctx, feed, c.apply)
}

// Leave closes the connection normally; no reconnect follows.
func (c *Chat) Leave(ctx app.Context) {
	if !c.connected() {
		return
	}
	c.err, c.lost = "", false
	if err := c.sess.feed.Close(wsclient.StatusNormalClosure, "bye"); err != nil {
		c.err = err.Error()
	}
}

// apply shows the events of the session's feed since the previous
// snapshot, in order.
func (c *Chat) apply(ctx app.Context, s live.Snapshot) {
	c.transport = s.Transport
	if s.Dropped > 0 {
		c.addLine(chatLine{Kind: "note", Text: fmt.Sprintf("%d events were skipped: the page could not keep up", s.Dropped)})
	}
	atEnd := c.atEnd
	if atEnd == nil {
		atEnd = scrolledToEnd
	}
	follow := atEnd("messages")
	c.arrived = 0
	for _, e := range s.Events {
		c.applyItem(ctx, e)
	}
	if c.arrived > 0 || (follow && c.unseen > 0) {
		c.onNewMessages(ctx, c.arrived, follow)
	}
}

// applyItem shows one event: a frame from the server, a phase change of
// the client, a message it could not deliver.
func (c *Chat) applyItem(ctx app.Context, e live.Event) {
	switch e.Kind {
	case live.EventClientState:
		c.applyState(e.Client)
	case live.EventUndelivered:
		if !c.reject(frameCID(e.Message.Data), "not delivered: "+errText(e.Err), true) {
			c.err = fmt.Sprintf("not delivered: %q (%v)", sentText(e.Message.Data), e.Err)
		}
	case live.EventMessage:
		if e.Message.Type != wsclient.Text {
			c.err = "the server sent a binary frame"
			return
		}
		ev, err := chatproto.DecodeEvent(e.Message.Data)
		if err != nil {
			c.err = err.Error()
			return
		}
		c.applyEvent(ctx, ev)
	}
}

// applyState follows the client: open, lost (reconnecting), an attempt
// failed, ended.
func (c *Chat) applyState(st wsclient.ClientState) {
	prev := c.phase
	c.phase, c.attempt = st.Phase, st.Attempt
	switch st.Phase {
	case wsclient.PhaseOpen:
		if c.lost {
			c.err, c.lost = "", false
		}
		c.status = ""
	case wsclient.PhaseReconnecting:
		if prev == wsclient.PhaseOpen {
			c.err, c.lost = "connection lost: "+describeEnd(st.Err)+"; reconnecting", true
			c.members = nil
			if c.joined != "" {
				c.addLine(chatLine{Kind: "note", Text: "connection lost: " + describeEnd(st.Err)})
			}
		} else {
			c.status = fmt.Sprintf("attempt %d failed: %s", max(st.Attempt-1, 1), describeEnd(st.Err))
		}
	case wsclient.PhaseClosed:
		if c.lost { // not reconnecting any more
			c.err = ""
		}
		c.members, c.lost = nil, false
		if st.Err != nil {
			c.err = "connection closed: " + describeEnd(st.Err)
			c.status = "closed: " + describeEnd(st.Err)
		} else {
			c.status = "you left"
		}
	}
}

// describeEnd says why a connection ended or an attempt failed: its close
// code and reason when there is one.
func describeEnd(err error) string {
	var ce *wsclient.CloseError
	if !errors.As(err, &ce) {
		return errText(err)
	}
	s := ce.Code.String()
	if ce.Reason != "" {
		s += fmt.Sprintf(" %q", ce.Reason)
	}
	if !ce.WasClean {
		s += " (not clean)"
	}
	return s
}

func (c *Chat) applyEvent(ctx app.Context, e chatproto.Event) {
	switch e.Type {
	case chatproto.TypeWelcome:
		c.welcomes++
		c.joined, c.you, c.members, c.maxText = e.Room, e.You, e.Members, e.MaxText
		c.sess.setName(e.You)
		added := 0
		for _, m := range e.History {
			l := chatLine{ID: m.ID, Kind: "message", From: m.From, Text: m.Text, Time: m.Time, Mine: m.From == c.you, CID: m.CID}
			if (!l.Mine || !c.confirm(l)) && c.addMessage(l) {
				added++
				c.arrived++
			}
		}
		if c.welcomes == 1 {
			c.addLine(chatLine{Kind: "note", Text: fmt.Sprintf("you joined %s as %s", e.Room, e.You)})
			c.nameNote = renameReason(c.asked, e.You)
			c.name = e.You
			setInputValue("name", e.You)
			break
		}
		note := fmt.Sprintf("reconnected to %s as %s", e.Room, e.You)
		if added > 0 {
			note += fmt.Sprintf(" · %d messages you missed", added)
		}
		c.addLine(chatLine{Kind: "note", Text: note})
	case chatproto.TypeJoin, chatproto.TypeLeave:
		// A change to the list the welcome gave: a joiner goes at the end,
		// a leaver is removed.
		verb := "joined"
		if e.Type == chatproto.TypeLeave {
			verb = "left"
			c.members = slices.DeleteFunc(c.members, func(m string) bool { return m == e.From })
		} else if c.joined != "" && !slices.Contains(c.members, e.From) {
			c.members = append(c.members, e.From)
		}
		c.addLine(chatLine{Kind: e.Type, From: e.From, Text: e.From + " " + verb})
	case chatproto.TypeMessage:
		l := chatLine{ID: e.ID, Kind: "message", From: e.From, Text: e.Text, Time: e.Time, Mine: e.From == c.you, CID: e.CID}
		if l.Mine && c.confirm(l) {
			return
		}
		if c.addMessage(l) && !l.Mine {
			c.arrived++
			c.announce(ctx, l)
		}
	case chatproto.TypeError:
		if !c.reject(e.CID, e.Text, false) {
			c.err = "server: " + e.Text
		}
	}
}

// addMessage adds a message unless it is already shown: the welcome after
// a reconnect replays the room's history. A message is the same when its
// id, time, sender and text are: ids alone start again at 1 when the server
// restarts, with its rooms empty.
func (c *Chat) addMessage(l chatLine) bool {
	for i := len(c.lines) - 1; i >= 0; i-- {
		o := c.lines[i]
		if o.Kind == "message" && o.ID == l.ID && o.Time == l.Time && o.From == l.From && o.Text == l.Text {
			return false
		}
	}
	c.addLine(l)
	return true
}

func (c *Chat) addLine(l chatLine) {
	c.lines = append(c.lines, l)
	if n := len(c.lines) - maxChatLines; n > 0 {
		c.lines = append(c.lines[:0:0], c.lines[n:]...)
	}
}

// stateText names the client's state for the state chip: the readyState
// words while connecting and open, "reconnecting (attempt n)" between
// connections. class is the chip's CSS name.
func (c *Chat) stateText() (text, class string) {
	if !c.hasConn {
		return "—", "none"
	}
	switch c.phase {
	case wsclient.PhaseConnecting:
		return "CONNECTING", "connecting"
	case wsclient.PhaseOpen:
		if c.transport == wsclient.TransportHTTPStream || c.transport == wsclient.TransportHTTPPoll {
			return "OPEN · over HTTP", "open"
		}
		return "OPEN", "open"
	case wsclient.PhaseReconnecting:
		return fmt.Sprintf("reconnecting (attempt %d)", c.attempt), "reconnecting"
	}
	return "CLOSED", "closed"
}

// Render draws the chat page.
func (c *Chat) Render() app.UI {
	state, class := c.stateText()
	where := "not in a room"
	switch {
	case c.joined == "":
	case c.phase == wsclient.PhaseOpen:
		where = fmt.Sprintf("in %s as %s", c.joined, c.you)
	case c.phase == wsclient.PhaseReconnecting:
		where = fmt.Sprintf("reconnecting to %s as %s", c.joined, c.you)
	}
	return shell(ChatPath,
		app.Section().Class("card").Body(
			app.Div().Class("row", "spread").Body(
				app.H1().Class("view-title").Text("Chat"),
				app.Span().Body(
					app.Span().ID("chat-state").Class("state", "state-"+class).DataSet("state", class).
						DataSet("attempt", c.attempt).Text(state),
					app.Span().ID("chat-where").Class("hint").Text(" "+where),
				),
			),
			app.Div().Class("row", "wrap").Body(
				app.Div().Class("field").Body(
					app.Label().For("room").Text("Room"),
					lockedIf(app.Input().ID("room").Type("text").Value(c.room).Placeholder("lobby").
						OnInput(c.ValueTo(&c.room)), c.connected()),
				),
				app.Div().Class("field").Body(
					app.Label().For("name").Text("Name"),
					lockedIf(app.Input().ID("name").Type("text").Value(c.name).Placeholder("a guest name is chosen for you").
						Aria("describedby", "name-note").OnInput(c.ValueTo(&c.name)), c.connected()),
					hintIf("name-note", c.nameNote),
				),
				app.Div().Class("row", "end").Body(
					button("join", "Join", true, !c.connected(), c.Join),
					button("leave", "Leave", false, c.connected(), c.Leave),
				),
			),
			inlineError("chat-error", c.err),
			app.If(c.status != "", func() app.UI {
				return app.P().ID("chat-status").Class("hint").Text(c.status)
			}),
		),
		app.Div().Class("chat").Body(
			app.Section().Class("card", "members").Body(
				app.H2().Textf("Members (%d)", len(c.members)),
				app.Ul().ID("members").Body(
					app.Range(c.members).Slice(func(i int) app.UI {
						m := c.members[i]
						li := app.Li().DataSet("name", m).Text(m)
						if m == c.you {
							li = li.Class("you").Title("you")
						}
						return li
					}),
				),
			),
			app.Section().Class("card", "conversation").Aria("label", "Conversation").Body(
				app.Div().Class("messages-wrap").Body(
					app.Div().ID("messages").Class("messages").Role("log").Aria("live", "off").
						Aria("label", "Messages").TabIndex(0).Body(
						app.Range(c.lines).Slice(func(i int) app.UI {
							return c.chatRow(c.lines[i])
						}),
					),
					app.If(c.unseen > 0, func() app.UI {
						label := "1 new message"
						if c.unseen > 1 {
							label = fmt.Sprintf("%d new messages", c.unseen)
						}
						return app.Button().ID("chat-new").Type("button").Class("new-messages").
							DataSet("count", c.unseen).Text(label+" ↓").Aria("label", label+": show them").
							OnClick(func(ctx app.Context, e app.Event) { c.ShowNew(ctx) })
					}),
				),
				app.P().ID("chat-announce").Class("sr-only").Aria("live", "polite").Aria("atomic", true).Text(c.announcement),
				app.Form().Class("composer").OnSubmit(func(ctx app.Context, e app.Event) {
					e.PreventDefault()
					c.Send(ctx)
				}).Body(
					app.Label().For("chat-text").Class("sr-only").Text("Message"),
					app.Input().ID("chat-text").Type("text").Value(c.text).
						Placeholder("Write a message").AutoComplete(false).
						Aria("describedby", "chat-left chat-send-error").
						Aria("invalid", c.bytesLeft() < 0).
						OnInput(c.ValueTo(&c.text)).
						// Enter sends even past the limit, to say why not: a
						// form whose submit button is disabled ignores it.
						OnKeyDown(onEnter(c.Send)),
					chatSendButton(c.canSend()),
				),
				app.Div().Class("row", "spread", "composer-info").Body(
					inlineError("chat-send-error", c.sendErr),
					c.counter(),
				),
			),
		),
	)
}

// counter shows the bytes the composer may still hold.
func (c *Chat) counter() app.UI {
	left := c.bytesLeft()
	span := app.Span().ID("chat-left").Class("counter").DataSet("left", left)
	if left < 0 {
		return span.Class("over").Textf("%d bytes too many (at most %d)", -left, c.textLimit())
	}
	return span.Textf("%d bytes left", left)
}

// hintIf renders a hint that is always in the DOM, hidden when empty, and
// read politely when it changes.
func hintIf(id, text string) app.UI {
	p := app.P().ID(id).Class("hint").Aria("live", "polite")
	if text == "" {
		return p.Hidden(true)
	}
	return p.Text(text)
}

// chatSendButton is the composer's submit button.
func chatSendButton(enabled bool) app.UI {
	b := app.Button().ID("chat-send").Type("submit").Class("primary").Text("Send")
	if !enabled {
		b = b.Disabled(true)
	}
	return b
}

// chatRow renders one line of the message list. Our messages waiting for
// the server say so; failed ones say why and offer Retry.
func (c *Chat) chatRow(l chatLine) app.UI {
	if l.Kind != "message" {
		return app.Div().Class("line", "sys").DataSet("kind", l.Kind).DataSet("from", l.From).Text(l.Text)
	}
	short, full := messageTime(l.Time)
	cls := "line msg"
	if l.Mine {
		cls += " mine"
	}
	if l.Status != "" {
		cls += " " + l.Status
	}
	return app.Div().Class(cls).DataSet("kind", l.Kind).DataSet("id", l.ID).DataSet("from", l.From).
		DataSet("cid", l.CID).DataSet("status", l.Status).Body(
		app.Span().Class("from").Text(l.From),
		app.If(l.Status == "", func() app.UI {
			return app.Time().Class("time").DateTime(l.Time).Title(full).Text(short)
		}).ElseIf(l.Status == statusPending, func() app.UI {
			return app.Span().Class("status").Text("sending…")
		}).Else(func() app.UI {
			return app.Span().Class("status").Text(l.Err)
		}),
		app.Span().Class("text").Text(l.Text),
		app.If(l.Status == statusFailed, func() app.UI {
			cid := l.CID
			return app.Button().Type("button").Class("retry").DataSet("cid", cid).Text("Retry").
				Aria("label", "Retry sending "+l.Text).
				OnClick(func(ctx app.Context, e app.Event) { c.Retry(ctx, cid) })
		}),
	)
}
