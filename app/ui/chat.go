package ui

import (
	"context"
	"fmt"
	"strings"

	"github.com/maxence-charriere/go-app/v10/pkg/app"

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
}

// Chat is the chat page, served at ChatPath: pick a room and a name, see who
// is there, read and post messages. The connection's state is always shown,
// and so are the errors the server reports.
type Chat struct {
	app.Compo

	// Dial opens connections; nil means the browser's WebSocket.
	Dial Dialer

	mctx   app.Context
	ctx    context.Context
	cancel context.CancelFunc

	room, name string
	sess       *chatSession
	stopSess   context.CancelFunc
	hasConn    bool
	state      wsclient.State
	joined     string // the room joined, from the welcome frame
	you        string // our name in it, as the server may have changed it
	members    []string
	lines      []chatLine
	text       string
	err        string // the last error, shown until the next action
	status     string // how the last connection ended
}

// OnPreRender prepares the page the server sends and native tests drive.
func (c *Chat) OnPreRender(ctx app.Context) { c.setup(ctx) }

// OnMount starts the component's own context, cancelled on dismount.
func (c *Chat) OnMount(ctx app.Context) {
	c.setup(ctx)
	c.ctx, c.cancel = context.WithCancel(context.Background())
}

func (c *Chat) setup(ctx app.Context) {
	c.mctx = ctx
	if c.room == "" {
		c.room = "lobby"
	}
}

// OnDismount leaves the room and stops the session's loop.
func (c *Chat) OnDismount() {
	if c.sess != nil && c.sess.gate.lastState() < wsclient.Closing {
		_ = c.sess.sock.Close(wsclient.StatusNormalClosure, "page closed")
	}
	if c.cancel != nil {
		c.cancel()
	}
}

func (c *Chat) connected() bool { return c.hasConn && c.state < wsclient.Closing }

// Join connects to the room of the room field with the name of the name
// field.
func (c *Chat) Join(ctx app.Context) {
	if c.connected() {
		return
	}
	c.err, c.status = "", ""
	if strings.TrimSpace(c.room) == "" {
		c.room = "lobby"
	}
	dial := c.Dial
	if dial == nil {
		dial = browserDial
	}
	sess := &chatSession{}
	sock, err := dial(chatURL(c.room, c.name), sess.options())
	if err != nil {
		c.err = err.Error()
		return
	}
	sess.sock = sock
	if c.stopSess != nil {
		c.stopSess()
	}
	c.sess, c.hasConn, c.state = sess, true, wsclient.Connecting
	c.joined, c.you, c.members, c.lines = "", "", nil, nil

	sess.gate.pushState(wsclient.Connecting)
	sess.gate.nextState()
	sess.gate.hold()
	c.mctx.Defer(func(app.Context) { sess.gate.reopen() })

	if c.ctx == nil { // prerendered, not mounted: native tests
		c.ctx, c.cancel = context.WithCancel(context.Background())
	}
	sctx, stop := context.WithCancel(c.ctx)
	c.stopSess = stop
	mctx := c.mctx
	go runFrames(sctx, func() bool {
		return sess.tick(func() {
			mctx.Dispatch(func(ctx app.Context) { c.apply(ctx, sess) })
		})
	})
}

// Leave closes the connection normally.
func (c *Chat) Leave(ctx app.Context) {
	if !c.connected() {
		return
	}
	if err := c.sess.sock.Close(wsclient.StatusNormalClosure, "bye"); err != nil {
		c.err = err.Error()
	}
}

// Send posts the composer's text.
func (c *Chat) Send(ctx app.Context) {
	text := strings.TrimSpace(c.text)
	if text == "" {
		return
	}
	if !c.hasConn || c.state != wsclient.Open {
		c.err = "not connected: join a room first"
		return
	}
	if err := c.sess.sock.SendText(encodeChatMessage(c.text)); err != nil {
		c.err = err.Error()
		return
	}
	c.err = ""
	c.text = ""
	clearInput("chat-text")
}

// apply shows what the session collected since the last flush.
func (c *Chat) apply(ctx app.Context, sess *chatSession) {
	if sess != c.sess {
		return
	}
	f := sess.take()
	if f.hasState {
		c.state = f.state
	}
	if f.skipped > 0 {
		c.addLine(chatLine{Kind: "note", Text: fmt.Sprintf("%d events were skipped: the page could not keep up", f.skipped)})
	}
	if len(f.items) > 0 && scrolledToEnd("messages") {
		ctx.Defer(func(app.Context) { scrollToEnd("messages") })
	}
	for _, it := range f.items {
		c.applyItem(it)
	}
	ctx.Defer(func(app.Context) { sess.gate.reopen() })
}

func (c *Chat) applyItem(it chatItem) {
	switch {
	case it.open:
	case it.err != "":
		c.err = it.err
	case it.close != nil:
		ce := it.close
		c.status = fmt.Sprintf("closed: %v", ce.Code)
		if ce.Reason != "" {
			c.status += fmt.Sprintf(" %q", ce.Reason)
		}
		if !ce.WasClean {
			c.status += " (not clean)"
		}
		if ce.Code != wsclient.StatusNormalClosure || !ce.WasClean {
			c.err = "connection " + c.status
		}
		c.members = nil
	default:
		c.applyEvent(it.event)
	}
}

func (c *Chat) applyEvent(e chatEvent) {
	switch e.Type {
	case "welcome":
		c.joined, c.you, c.members = e.Room, e.You, e.Members
		c.lines = nil
		for _, m := range e.History {
			c.addLine(chatLine{ID: m.ID, Kind: "message", From: m.From, Text: m.Text, Time: m.Time, Mine: m.From == c.you})
		}
		c.addLine(chatLine{Kind: "note", Text: fmt.Sprintf("you joined %s as %s", e.Room, e.You)})
	case "join", "leave":
		c.members = e.Members
		verb := map[string]string{"join": "joined", "leave": "left"}[e.Type]
		c.addLine(chatLine{Kind: e.Type, From: e.From, Text: e.From + " " + verb})
	case "message":
		c.addLine(chatLine{ID: e.ID, Kind: "message", From: e.From, Text: e.Text, Time: e.Time, Mine: e.From == c.you})
	case "error":
		c.err = "server: " + e.Text
	}
}

func (c *Chat) addLine(l chatLine) {
	c.lines = append(c.lines, l)
	if n := len(c.lines) - maxChatLines; n > 0 {
		c.lines = append(c.lines[:0:0], c.lines[n:]...)
	}
}

// Render draws the chat page.
func (c *Chat) Render() app.UI {
	state := "—"
	if c.hasConn {
		state = c.state.String()
	}
	where := "not in a room"
	if c.joined != "" && c.connected() {
		where = fmt.Sprintf("in %s as %s", c.joined, c.you)
	}
	open := c.hasConn && c.state == wsclient.Open
	return shell(ChatPath,
		app.Section().Class("card").Body(
			app.Div().Class("row", "spread").Body(
				app.H2().Text("Chat"),
				app.Span().Body(
					app.Span().ID("chat-state").Class("state", "state-"+stateClass(c.hasConn, c.state)).DataSet("state", state).Text(state),
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
						OnInput(c.ValueTo(&c.name)), c.connected()),
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
			app.Section().Class("card", "conversation").Body(
				app.Div().ID("messages").Class("messages").Body(
					app.Range(c.lines).Slice(func(i int) app.UI {
						return chatRow(c.lines[i])
					}),
				),
				app.Form().Class("composer").OnSubmit(func(ctx app.Context, e app.Event) {
					e.PreventDefault()
					c.Send(ctx)
				}).Body(
					app.Input().ID("chat-text").Type("text").Value(c.text).
						Placeholder("Write a message").AutoComplete(false).
						OnInput(c.ValueTo(&c.text)),
					chatSendButton(open),
				),
			),
		),
	)
}

// chatSendButton is the composer's submit button.
func chatSendButton(enabled bool) app.UI {
	b := app.Button().ID("chat-send").Type("submit").Class("primary").Text("Send")
	if !enabled {
		b = b.Disabled(true)
	}
	return b
}

// chatRow renders one line of the message list.
func chatRow(l chatLine) app.UI {
	if l.Kind != "message" {
		return app.Div().Class("line", "sys").DataSet("kind", l.Kind).DataSet("from", l.From).Text(l.Text)
	}
	short, full := messageTime(l.Time)
	cls := "line msg"
	if l.Mine {
		cls += " mine"
	}
	return app.Div().Class(cls).DataSet("kind", l.Kind).DataSet("id", l.ID).DataSet("from", l.From).Body(
		app.Span().Class("from").Text(l.From),
		app.Time().Class("time").DateTime(l.Time).Title(full).Text(short),
		app.Span().Class("text").Text(l.Text),
	)
}
