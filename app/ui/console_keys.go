package ui

import (
	"slices"
	"strings"

	"github.com/maxence-charriere/go-app/v10/pkg/app"
)

// The console's keyboard and memory: Ctrl/Cmd+Enter sends the text field,
// Enter submits a single-line field, Alt+↑/↓ recalls the texts sent before,
// and the URLs and subprotocols connected to are remembered in the
// browser's localStorage and offered in their fields. A link can carry a
// connection: /?url=...&protocols=... fills the fields and connects.
const (
	maxSentHistory = 50 // texts Alt+↑/↓ can recall
	maxRecent      = 10 // URLs and subprotocol lists remembered

	recentURLsKey      = "duplex.console.urls"
	recentProtocolsKey = "duplex.console.protocols"
)

// sentHistory holds the texts sent, oldest first, and the position of a
// recall in progress.
type sentHistory struct {
	texts []string
	pos   int    // index of the text shown; len(texts) is the draft
	draft string // what the field held before the recall started
}

// add records a sent text (not twice in a row) and ends any recall.
func (h *sentHistory) add(s string) {
	if s != "" && (len(h.texts) == 0 || h.texts[len(h.texts)-1] != s) {
		h.texts = append(h.texts, s)
		if len(h.texts) > maxSentHistory {
			h.texts = h.texts[1:]
		}
	}
	h.pos = len(h.texts)
}

// recall returns the text one step older (or newer) than the one shown;
// current is the field's text, kept as the draft when a recall starts.
func (h *sentHistory) recall(older bool, current string) string {
	if h.pos >= len(h.texts) {
		h.pos, h.draft = len(h.texts), current
	}
	switch {
	case older && h.pos > 0:
		h.pos--
	case !older && h.pos < len(h.texts):
		h.pos++
	}
	if h.pos == len(h.texts) {
		return h.draft
	}
	return h.texts[h.pos]
}

// onTextKey handles the text field's keys: Ctrl/Cmd+Enter sends, Alt+↑/↓
// recall.
func (c *Console) onTextKey(ctx app.Context, e app.Event) {
	key := e.Get("key").String()
	switch {
	case key == "Enter" && (e.Get("ctrlKey").Bool() || e.Get("metaKey").Bool()):
		e.PreventDefault()
		if c.canSend() {
			c.SendText(ctx)
		}
	case e.Get("altKey").Bool() && (key == "ArrowUp" || key == "ArrowDown"):
		e.PreventDefault()
		c.text = c.sent.recall(key == "ArrowUp", c.text)
		ctx.JSSrc().Set("value", c.text) // go-app does not reset a textarea the user typed in
	}
}

// onEnter submits a single-line field with Enter.
func onEnter(submit func(app.Context)) app.EventHandler {
	return func(ctx app.Context, e app.Event) {
		if e.Get("key").String() == "Enter" && !e.Get("isComposing").Bool() {
			e.PreventDefault()
			submit(ctx)
		}
	}
}

// loadRecent reads the remembered URLs and subprotocol lists.
func (c *Console) loadRecent(ctx app.Context) {
	ctx.LocalStorage().Get(recentURLsKey, &c.recentURLs)
	ctx.LocalStorage().Get(recentProtocolsKey, &c.recentProtocols)
}

// remember puts s first in list, and stores the list under key.
func remember(ctx app.Context, key string, list *[]string, s string) {
	s = strings.TrimSpace(s)
	if s == "" {
		return
	}
	l := slices.DeleteFunc(slices.Clone(*list), func(x string) bool { return x == s })
	l = append([]string{s}, l...)
	if len(l) > maxRecent {
		l = l[:maxRecent]
	}
	*list = l
	ctx.LocalStorage().Set(key, l)
}

// datalist offers the remembered values to an input (List(id)).
func datalist(id string, values []string) app.UI {
	return app.DataList().ID(id).Body(
		app.Range(values).Slice(func(i int) app.UI { return app.Option().Value(values[i]) }),
	)
}

// connectFromLink fills the fields from /?url=...&protocols=... and
// connects, unless a session is already running.
func (c *Console) connectFromLink(ctx app.Context) {
	q := ctx.Page().URL().Query()
	target := q.Get("url")
	if target == "" || c.sess != nil {
		return
	}
	c.url, c.protocols = target, q.Get("protocols")
	c.Connect(ctx)
}
