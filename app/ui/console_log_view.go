package ui

import (
	"fmt"
	"strconv"

	"github.com/maxence-charriere/go-app/v10/pkg/app"
)

// renderLog renders the event log's card, a component of its own.
func (c *Console) renderLog() app.UI {
	return &logCard{Console: c, Rev: c.lg.rev}
}

// logCard is the event log's card: a component of its own, which go-app
// renders again only when Rev changes (or one of its own handlers runs),
// so that a key press elsewhere on the page does not render the log.
type logCard struct {
	app.Compo

	Console *Console
	Rev     uint64 // Console.lg.rev
}

// Render draws the card.
func (l *logCard) Render() app.UI { return l.Console.renderLogCard() }

// renderLogCard renders the event log: its count, controls (pause, export,
// clear, the filter and the search), the rows in view and the opened
// entry's detail pane.
func (c *Console) renderLogCard() app.UI {
	lg := &c.lg
	first, last := c.windowRows()
	rows := lg.view[first:last]
	openPos := int64(-1)
	if lg.open != nil {
		openPos = lg.open.pos
	}
	return app.Section().Class("card", "log-card").Body(
		app.Div().Class("row", "spread").Body(
			app.H2().Text("Event log"),
			c.renderLogCount(),
			app.Div().Class("row").Body(
				button("log-pause", map[bool]string{false: "Pause", true: "Resume"}[lg.paused], false, true, c.ToggleLogPause).
					Aria("pressed", strconv.FormatBool(lg.paused)).Title("Freeze the view; events are still logged and counted"),
				button("log-export", "Export", false, len(lg.view) > 0, c.ExportLog).
					Title("Download the entries shown as JSON lines"),
				button("clear", "Clear", false, true, c.ClearLog),
			),
		),
		c.renderLogControls(),
		c.renderPaused(),
		app.Div().ID("log").Class("log").Style("height", strconv.Itoa(logViewHeight)+"px").
			Attr("role", "list").Aria("label", "events").
			OnScroll(c.onLogScroll).Body(
			// Oldest first, like a terminal: the list follows new entries
			// while it is scrolled to the end. Only the rows in view (and
			// a few more) are in the DOM, between two spacers.
			app.Div().Class("log-spacer").Style("height", strconv.Itoa(first*logRowHeight)+"px"),
			app.Range(rows).Slice(func(i int) app.UI {
				// The handlers read the row's position from the row: go-app
				// keeps a handler whose code is the same, so a closure over
				// the position would stay with the row's first entry.
				pos := rows[i]
				return logRow(*c.entryAt(pos), pos, pos == openPos).
					OnClick(c.onLogRowClick).OnKeyDown(c.onLogRowKey)
			}),
			app.Div().Class("log-spacer").Style("height", strconv.Itoa((len(lg.view)-last)*logRowHeight)+"px"),
		),
		app.If(lg.open != nil, func() app.UI {
			return &logDetailPane{Console: c, Detail: lg.open}
		}),
	)
}

// renderPaused renders the paused view's note: how many entries came
// meanwhile. It is always in the DOM, hidden (only then: go-app would
// render hidden="false") while the view follows.
func (c *Console) renderPaused() app.UI {
	p := app.P().ID("log-paused").Class("paused-note").Aria("live", "polite").DataSet("new", c.lg.newPaused)
	if !c.lg.paused {
		return p.Hidden(true)
	}
	return p.Textf("Paused · %d new while paused", c.lg.newPaused)
}

// renderLogCount renders the log's counts: events logged, shown by the
// filter, dropped by the bounds.
func (c *Console) renderLogCount() app.UI {
	lg := &c.lg
	summary := fmt.Sprintf("%d events", c.logTotal)
	if lg.filter.active() {
		summary += fmt.Sprintf(" · %d shown", len(lg.view))
	}
	if lg.dropped > 0 {
		summary += fmt.Sprintf(" · %d dropped (the log keeps %d entries and %s)", lg.dropped, maxLogEntries, formatBytes(maxLogBytes))
	}
	return app.Span().ID("log-count").Class("hint").
		DataSet("total", c.logTotal).DataSet("kept", len(c.log)).DataSet("shown", len(lg.view)).
		DataSet("dropped", lg.dropped).DataSet("bytes", lg.bytes).
		Text(summary)
}

// renderLogControls renders the filter: directions, kinds and the search.
func (c *Console) renderLogControls() app.UI {
	f := &c.lg.filter
	check := func(name string) app.UI {
		id := "log-show-" + name
		in := app.Input().ID(id).Type("checkbox").OnChange(func(ctx app.Context, e app.Event) {
			on := ctx.JSSrc().Get("checked").Bool()
			c.setLogFilter(func(f *logFilter) { f.show(name, on) })
		})
		if f.shows(name) {
			in = in.Checked(true)
		}
		return app.Label().Class("check").For(id).Body(in, app.Text(" "+name))
	}
	group := func(legend string, names []string) app.UI {
		return app.FieldSet().Class("log-filter").Body(
			app.Legend().Text(legend),
			app.Range(names).Slice(func(i int) app.UI { return check(names[i]) }),
		)
	}
	re := app.Input().ID("log-regexp").Type("checkbox").OnChange(func(ctx app.Context, e app.Event) {
		on := ctx.JSSrc().Get("checked").Bool()
		c.setLogFilter(func(f *logFilter) { f.setSearch(f.search, on) })
	})
	if f.regexp {
		re = re.Checked(true)
	}
	return app.Div().Class("log-controls").Body(
		group("Direction", logDirs),
		group("Type", logKinds),
		app.Div().Class("log-search").Body(
			app.Label().For("log-search").Text("Search"),
			app.Input().ID("log-search").Type("search").Value(f.search).Placeholder("text or regexp").
				Spellcheck(false).AutoComplete(false).Class(invalidClass(f.err)).Aria("invalid", strconv.FormatBool(f.err != "")).
				OnInput(func(ctx app.Context, e app.Event) {
					s := ctx.JSSrc().Get("value").String()
					c.setLogFilter(func(f *logFilter) { f.setSearch(s, f.regexp) })
				}),
			app.Label().Class("check").For("log-regexp").Title("Search with a Go regular expression; (?i) ignores case").
				Body(re, app.Text(" regexp")),
		),
		inlineError("log-search-error", f.err),
	)
}

// logRow renders one log entry, at a position of the view; an open entry
// is marked. It is a button: a click, Enter or Space opens it.
func logRow(e logEntry, pos int64, open bool) app.HTMLDiv {
	arrow := map[string]string{dirIn: "↓ in", dirOut: "↑ out", dirEvent: "•"}[e.Dir]
	size := ""
	if e.Kind == kindText || e.Kind == kindBinary {
		size = formatBytes(int64(e.Size))
	}
	classes := []string{"entry", "kind-" + e.Kind, "dir-" + e.Dir}
	if open {
		classes = append(classes, "open")
	}
	row := app.Div().Class(classes...).
		DataSet("seq", e.Seq).DataSet("kind", e.Kind).DataSet("dir", e.Dir).DataSet("size", e.Size).
		DataSet("pos", pos).Attr("role", "button").TabIndex(0).Aria("expanded", strconv.FormatBool(open)).Aria("controls", "log-detail")
	if e.Kind == kindClose || e.Code != 0 {
		row = row.DataSet("code", int(e.Code)).DataSet("reason", e.Reason).DataSet("clean", e.WasClean)
	}
	if e.Queued {
		row = row.DataSet("queued", true)
	}
	return row.Body(
		app.Span().Class("time").Text(clockTime(e.Time)),
		app.Span().Class("dir").Text(arrow),
		app.Span().Class("kind").Text(e.Kind),
		app.Span().Class("size").Text(size),
		app.Span().Class("preview").Text(e.Preview),
	)
}

// logDetailPane shows an opened entry in full: its text, its JSON
// pretty-printed and coloured, or its bytes as a hex dump, with copy
// buttons. It is a component of its own so that the console's frames, which
// pass it the same Detail, do not render it again.
type logDetailPane struct {
	app.Compo

	Console *Console
	Detail  *logDetail

	copied string // what the last copy button did
}

// OnUpdate forgets the copy status of the previous entry.
func (p *logDetailPane) OnUpdate(ctx app.Context) { p.copied = "" }

// Render draws the pane.
func (p *logDetailPane) Render() app.UI {
	d := p.Detail
	if d == nil {
		return app.Section().ID("log-detail").Hidden(true)
	}
	isMsg := d.e.Kind == kindText || d.e.Kind == kindBinary
	copyButton := func(as, label string) app.UI {
		return button("log-copy-"+as, label, false, true, func(ctx app.Context) { p.copy(ctx, as) })
	}
	var body app.UI
	switch {
	case d.json != nil:
		body = app.Pre().ID("log-detail-json").Class("detail", "json").Body(
			app.Range(d.json).Slice(func(i int) app.UI {
				s := d.json[i]
				if s.Class == jsonNone {
					return app.Text(s.Text)
				}
				return app.Span().Class(s.Class).Text(s.Text)
			}),
		)
	case d.hex != "" || d.e.Kind == kindBinary:
		body = app.Pre().ID("log-detail-hex").Class("detail", "hex").Text(d.hex)
	default:
		body = app.Pre().ID("log-detail-text").Class("detail").Text(d.text)
	}
	return app.Section().ID("log-detail").Class("log-detail", "kind-"+d.e.Kind).
		DataSet("pos", d.pos).DataSet("kind", d.e.Kind).Aria("label", "the opened entry").Body(
		app.Div().Class("row", "spread").Body(
			app.Span().ID("log-detail-summary").Class("hint").Text(d.summary()),
			app.Div().Class("row").Body(
				copyButton("text", "Copy text"),
				app.If(isMsg, func() app.UI {
					return app.Div().Class("row").Body(copyButton("hex", "Copy hex"), copyButton("base64", "Copy base64"))
				}),
				app.Span().ID("log-copy-status").Class("hint").Aria("live", "polite").Text(p.copied),
				button("log-detail-close", "Hide", false, true, func(ctx app.Context) {
					p.Console.mctx.Dispatch(p.Console.CloseLogEntry)
				}),
			),
		),
		body,
	)
}

// copy copies the entry and says how it went.
func (p *logDetailPane) copy(ctx app.Context, as string) {
	s, ok := p.Detail.copyAs(as)
	if !ok {
		return
	}
	p.copied = "copying " + as + "…"
	writeClipboard(s, func(err error) {
		ctx.Dispatch(func(app.Context) {
			if err != nil {
				p.copied = "could not copy " + as + ": " + err.Error()
				return
			}
			p.copied = as + " copied"
		})
	})
}
