package ui

import (
	"bytes"
	"encoding/base64"
	"fmt"
	"regexp"
	"strconv"
	"strings"
	"time"

	"github.com/maxence-charriere/go-app/v10/pkg/app"
)

// Bounds and geometry of the console's event log.
//
// The log keeps the newest maxLogEntries entries whose payloads add up to
// at most maxLogBytes (the newest entry is always kept, its payload cut to
// maxLogBytes); older ones are dropped and counted. The session's pending
// buffer, between two frames, has the same bounds.
//
// Only the rows in view are rendered (windowing): every row has the same
// height, logRowHeight, which CSS sets too (.entry), and the list is a
// scroll container of logViewHeight with a spacer above and below the
// rendered rows, so that a log of 10,000 entries costs a frame no more than
// one of 50. An opened entry is shown in a detail pane below the list,
// which keeps the rows' height fixed.
const (
	maxLogEntries = 10000    // entries kept
	maxLogBytes   = 16 << 20 // payload bytes kept, in all

	logRowHeight  = 24  // px: the height of a row (.entry in web/duplex.css)
	logViewHeight = 432 // px: the height of the list (.log), 18 rows
	logOverscan   = 6   // rows rendered above and below the view

	// maxDetailText is how much of a text message the detail pane shows
	// (copying and export have all of it); maxDetailHex, how many bytes of
	// a binary message its hex dump shows; maxJSONSpans, how many tokens
	// of a JSON message are coloured (a larger one is shown plain).
	maxDetailText = 256 << 10
	maxDetailHex  = 64 << 10
	maxJSONSpans  = 20000

	// maxSearchBytes is how much of each text message a search looks at.
	maxSearchBytes = 64 << 10
)

// logDirs and logKinds are the filter's choices, in the order shown.
var (
	logDirs  = []string{dirIn, dirOut, dirEvent}
	logKinds = []string{kindText, kindBinary, kindOpen, kindError, kindClose, kindInfo}
)

// logFilter selects the entries the log shows: by direction, by kind, and
// by a search in their text (a text message's payload, otherwise what the
// row shows), plain or as a regular expression.
type logFilter struct {
	hidden map[string]bool // directions and kinds unticked
	search string
	regexp bool
	re     *regexp.Regexp // the compiled search, in regexp mode
	err    string         // why the regexp does not compile
}

// setSearch sets the search and compiles it; an invalid regexp is
// reported in err, and the filter then ignores the search.
func (f *logFilter) setSearch(s string, isRegexp bool) {
	f.search, f.regexp, f.re, f.err = s, isRegexp, nil, ""
	if !isRegexp || s == "" {
		return
	}
	re, err := regexp.Compile(s)
	if err != nil {
		f.err = "invalid regular expression: " + strings.TrimPrefix(err.Error(), "error parsing regexp: ")
		return
	}
	f.re = re
}

// show ticks or unticks a direction or a kind.
func (f *logFilter) show(name string, on bool) {
	if f.hidden == nil {
		f.hidden = map[string]bool{}
	}
	f.hidden[name] = !on
}

// shows reports whether a direction or a kind is ticked.
func (f *logFilter) shows(name string) bool { return !f.hidden[name] }

// active reports whether the filter hides anything.
func (f *logFilter) active() bool {
	for _, v := range f.hidden {
		if v {
			return true
		}
	}
	return f.search != "" && f.err == ""
}

// match reports whether e passes the filter.
func (f *logFilter) match(e *logEntry) bool {
	if f.hidden[e.Dir] || f.hidden[e.Kind] {
		return false
	}
	if f.search == "" || f.err != "" {
		return true
	}
	if e.Kind == kindText {
		p := e.Data[:min(len(e.Data), maxSearchBytes)]
		if f.re != nil {
			return f.re.Match(p)
		}
		return bytes.Contains(p, []byte(f.search))
	}
	if f.re != nil {
		return f.re.MatchString(e.Preview)
	}
	return strings.Contains(e.Preview, f.search)
}

// logState is the event log's state beyond its entries (Console.log) and
// their count (Console.logTotal): the filter, the view, the scroll position,
// the paused view and the opened entry.
type logState struct {
	base    int64 // the number of entries ever removed from the front of Console.log
	bytes   int   // payload bytes of Console.log
	dropped int64 // entries dropped by the bounds

	filter logFilter
	view   []int64 // entries the filter shows, as base-relative positions (base+index)

	paused    bool
	newPaused int64 // entries logged while paused

	top      int  // #log's scrollTop, px
	viewH    int  // #log's clientHeight, px (0 means logViewHeight)
	unfollow bool // scrolled up: the list does not follow new entries

	open *logDetail // the opened entry

	// rev changes with everything the log card shows, so that go-app
	// renders the card (logCard) only then, and not when the rest of the
	// page changes, e.g. at each key press in the composer.
	rev uint64
}

// entryAt returns the entry at a position of the view.
func (c *Console) entryAt(pos int64) *logEntry {
	return &c.log[pos-c.lg.base]
}

// appendLog adds entries to the log, to the view those the filter shows
// (none while paused), and drops the oldest beyond the bounds. skipped
// counts entries dropped before reaching the page.
func (c *Console) appendLog(entries []logEntry, skipped int64) {
	lg := &c.lg
	lg.rev++
	c.logTotal += int64(len(entries)) + skipped
	lg.dropped += skipped
	for _, e := range entries {
		c.log = append(c.log, e)
		lg.bytes += len(e.Data)
		if lg.paused {
			lg.newPaused++
		} else if lg.filter.match(&c.log[len(c.log)-1]) {
			lg.view = append(lg.view, lg.base+int64(len(c.log)-1))
		}
	}
	drop := 0
	for len(c.log)-drop > maxLogEntries || lg.bytes > maxLogBytes && len(c.log)-drop > 1 {
		lg.bytes -= len(c.log[drop].Data)
		c.log[drop] = logEntry{} // let the payload go
		drop++
	}
	if drop == 0 {
		return
	}
	c.log = c.log[drop:]
	lg.base += int64(drop)
	lg.dropped += int64(drop)
	gone := 0
	for gone < len(lg.view) && lg.view[gone] < lg.base {
		gone++
	}
	lg.view = lg.view[gone:]
}

// refilter rebuilds the view from the log and the filter.
func (c *Console) refilter() {
	lg := &c.lg
	lg.view = lg.view[:0]
	for i := range c.log {
		if lg.filter.match(&c.log[i]) {
			lg.view = append(lg.view, lg.base+int64(i))
		}
	}
}

// ClearLog empties the event log and its counts, and closes the opened
// entry.
func (c *Console) ClearLog(ctx app.Context) {
	c.log, c.logTotal = nil, 0
	lg := &c.lg
	lg.rev++
	lg.base, lg.bytes, lg.dropped, lg.view, lg.newPaused, lg.top = 0, 0, 0, nil, 0, 0
	lg.open = nil // its position may be a new entry's
}

// ToggleLogPause freezes the view, or shows what came meanwhile: entries
// are still logged and counted while the view is paused.
func (c *Console) ToggleLogPause(ctx app.Context) {
	lg := &c.lg
	lg.rev++
	lg.paused = !lg.paused
	if !lg.paused {
		lg.newPaused = 0
		c.refilter()
		if !lg.unfollow {
			c.followLog(ctx)
		}
	}
}

// setLogFilter changes the filter and rebuilds the view.
func (c *Console) setLogFilter(change func(f *logFilter)) {
	change(&c.lg.filter)
	c.lg.rev++
	if !c.lg.paused {
		c.refilter()
	}
}

// OpenLogEntry opens the entry at a position of the view in the detail
// pane, or closes it when it is the one open.
func (c *Console) OpenLogEntry(pos int64) {
	if pos < c.lg.base || pos-c.lg.base >= int64(len(c.log)) {
		return
	}
	c.lg.rev++
	if c.lg.open != nil && c.lg.open.pos == pos {
		c.lg.open = nil
		return
	}
	c.lg.open = newLogDetail(pos, *c.entryAt(pos))
}

// CloseLogEntry closes the detail pane.
func (c *Console) CloseLogEntry(ctx app.Context) { c.lg.open, c.lg.rev = nil, c.lg.rev+1 }

// windowRows returns the rows of the view to render: [first, last).
func (c *Console) windowRows() (first, last int) {
	viewH := c.lg.viewH
	if viewH <= 0 {
		viewH = logViewHeight
	}
	return logWindow(len(c.lg.view), c.lg.top, viewH, logRowHeight, logOverscan)
}

// logWindow returns the rows [first, last) of a list of n rows of height
// rowH to render when it is scrolled to top and shows viewH pixels: the
// rows in view and overscan more on each side.
func logWindow(n, top, viewH, rowH, overscan int) (first, last int) {
	if n <= 0 || rowH <= 0 {
		return 0, 0
	}
	top = max(0, min(top, n*rowH-viewH))
	first = max(0, top/rowH-overscan)
	last = min(n, (top+viewH+rowH-1)/rowH+overscan)
	return first, last
}

// followLog shows the end of the log: the last rows are rendered, and the
// list is scrolled to its end once they are.
func (c *Console) followLog(ctx app.Context) {
	viewH := c.lg.viewH
	if viewH <= 0 {
		viewH = logViewHeight
	}
	c.lg.top = max(0, len(c.lg.view)*logRowHeight-viewH)
	c.lg.rev++
	ctx.Defer(func(app.Context) { scrollToEnd("log") })
}

// onLogScroll follows the list's scrolling: the page is rendered again only
// when other rows come into view.
func (c *Console) onLogScroll(ctx app.Context, e app.Event) {
	el := ctx.JSSrc()
	first, last := c.windowRows()
	c.lg.top = el.Get("scrollTop").Int()
	if h := el.Get("clientHeight").Int(); h > 0 {
		c.lg.viewH = h
	}
	c.lg.unfollow = el.Get("scrollHeight").Int()-c.lg.top-el.Get("clientHeight").Int() >= logRowHeight*2
	if f, l := c.windowRows(); f == first && l == last {
		ctx.PreventUpdate()
		return
	}
	c.lg.rev++
}

// onLogRowClick opens the clicked row's entry.
func (c *Console) onLogRowClick(ctx app.Context, e app.Event) {
	c.openRow(e)
}

// onLogRowKey opens the focused row's entry with Enter or Space.
func (c *Console) onLogRowKey(ctx app.Context, e app.Event) {
	switch e.Get("key").String() {
	case "Enter", " ":
		e.PreventDefault() // Space would scroll the list
		c.openRow(e)
	}
}

// openRow opens the entry of the row an event is for (its data-pos).
func (c *Console) openRow(e app.Event) {
	pos, err := strconv.ParseInt(e.Get("currentTarget").Get("dataset").Get("pos").String(), 10, 64)
	if err == nil {
		c.OpenLogEntry(pos)
	}
}

// ExportLog downloads the entries the view shows as JSON lines.
func (c *Console) ExportLog(ctx app.Context) {
	entries := make([]*logEntry, len(c.lg.view))
	for i, pos := range c.lg.view {
		entries[i] = c.entryAt(pos)
	}
	download(ctx, exportName(c.now()), "application/x-ndjson", exportLog(entries))
}

// logDetail is an entry opened in the detail pane, with what the pane shows
// of it, computed once.
type logDetail struct {
	pos  int64
	e    logEntry
	text string     // the text shown (cut at maxDetailText)
	json []jsonSpan // a JSON text message, pretty-printed
	hex  string     // a binary message's hex dump (its first maxDetailHex bytes)
	cut  bool       // the pane shows part of the payload
}

func newLogDetail(pos int64, e logEntry) *logDetail {
	d := &logDetail{pos: pos, e: e}
	switch e.Kind {
	case kindText:
		p := e.Data
		if looksLikeJSON(p) && len(p) <= maxDetailText {
			if spans, err := prettyJSON(p); err == nil {
				if len(spans) > maxJSONSpans {
					var b strings.Builder
					for _, s := range spans {
						b.WriteString(s.Text)
					}
					spans = []jsonSpan{{jsonNone, b.String()}}
				}
				d.json = spans
				return d
			}
		}
		if len(p) > maxDetailText {
			p, d.cut = p[:maxDetailText], true
		}
		d.text = textOfPayload(p)
	case kindBinary:
		p := e.Data
		if len(p) > maxDetailHex {
			p, d.cut = p[:maxDetailHex], true
		}
		d.hex = hexDump(p)
	default:
		d.text = e.Preview
	}
	d.cut = d.cut || e.Truncated
	return d
}

// copyAs returns what a copy button copies: as "text", a text message's
// text, a binary message's bytes read as UTF-8 or an event's description;
// as "hex" or "base64", a message's bytes so encoded.
func (d *logDetail) copyAs(as string) (string, bool) {
	isMsg := d.e.Kind == kindText || d.e.Kind == kindBinary
	switch {
	case as == "hex" && isMsg:
		return hexString(d.e.Data), true
	case as == "base64" && isMsg:
		return base64.StdEncoding.EncodeToString(d.e.Data), true
	case as == "text" && isMsg:
		return textOfPayload(d.e.Data), true
	case as == "text":
		return d.e.Preview, true
	}
	return "", false
}

// summary describes the opened entry in one line.
func (d *logDetail) summary() string {
	s := fmt.Sprintf("%s · %s · %s", clockTime(d.e.Time), d.e.Dir, d.e.Kind)
	if d.e.Kind == kindText || d.e.Kind == kindBinary {
		s += " · " + formatBytes(int64(d.e.Size))
		if d.json != nil {
			s += " · JSON"
		}
	}
	if d.cut {
		shown := len(d.e.Data)
		switch {
		case d.hex != "":
			shown = min(shown, maxDetailHex)
		case d.json == nil:
			shown = min(shown, maxDetailText)
		}
		s += fmt.Sprintf(" · first %s shown", formatBytes(int64(shown)))
		if d.e.Truncated {
			s += fmt.Sprintf(" (%s kept of the message)", formatBytes(int64(len(d.e.Data))))
		}
	}
	return s
}

// writeClipboard writes s to the clipboard with the Clipboard API
// (navigator.clipboard.writeText) and calls done with the outcome, from the
// browser's promise. Natively it reports that there is no clipboard.
func writeClipboard(s string, done func(error)) {
	if !app.IsClient {
		done(fmt.Errorf("no clipboard"))
		return
	}
	clip := app.Window().Get("navigator").Get("clipboard")
	if !clip.Truthy() {
		done(fmt.Errorf("the Clipboard API is not available (it needs a secure context)"))
		return
	}
	var ok, fail app.Func
	release := func() { ok.Release(); fail.Release() }
	ok = app.FuncOf(func(app.Value, []app.Value) any {
		release()
		done(nil)
		return nil
	})
	fail = app.FuncOf(func(_ app.Value, args []app.Value) any {
		release()
		msg := "refused"
		if len(args) > 0 && args[0].Truthy() {
			msg = args[0].Get("message").String()
		}
		done(fmt.Errorf("%s", msg))
		return nil
	})
	clip.Call("writeText", s).Call("then", ok, fail)
}

// downloadLinkID is the id of the link an export clicks; it stays in the
// page, hidden, until the next export.
const downloadLinkID = "log-download"

// download offers data as a file: a Blob, an object URL and a click on a
// link with a download attribute, from Go. The URL is revoked by the next
// download or a minute later.
func download(ctx app.Context, name, mime string, data []byte) {
	if !app.IsClient {
		return
	}
	w := app.Window()
	arr := w.Get("Uint8Array").New(len(data))
	app.CopyBytesToJS(arr, data)
	parts := w.Get("Array").New()
	parts.Call("push", arr)
	opts := w.Get("Object").New()
	opts.Set("type", mime)
	url := w.Get("URL").Call("createObjectURL", w.Get("Blob").New(parts, opts)).String()
	doc := w.Get("document")
	a := doc.Call("getElementById", downloadLinkID)
	if a.Truthy() {
		if old := a.Get("href").String(); strings.HasPrefix(old, "blob:") {
			w.Get("URL").Call("revokeObjectURL", old)
		}
	} else {
		a = doc.Call("createElement", "a")
		a.Set("id", downloadLinkID)
		a.Set("hidden", true)
		doc.Get("body").Call("appendChild", a)
	}
	a.Set("href", url)
	a.Set("download", name)
	a.Call("click")
	ctx.After(time.Minute, func(app.Context) {
		if a.Get("href").String() == url {
			w.Get("URL").Call("revokeObjectURL", url)
		}
	})
}
