package ui

import (
	"fmt"
	stdhtml "html"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/maxence-charriere/go-app/v10/pkg/app"

	"github.com/duplexgo/duplex/wsclient"
)

// renderedRows returns the data-pos of the log rows in c's HTML, in order.
func renderedRows(c *Console) []string {
	var pos []string
	for _, tag := range regexp.MustCompile(`<div [^>]*>`).FindAllString(app.HTMLString(c), -1) {
		if strings.Contains(tag, `class="entry `) {
			pos = append(pos, regexp.MustCompile(`data-pos="(\d+)"`).FindStringSubmatch(tag)[1])
		}
	}
	return pos
}

// receive plays n text messages arriving, and waits for the page to log
// them all.
func receive(t *testing.T, c *Console, e app.TestEngine, o *wsclient.Options, texts ...string) {
	t.Helper()
	want := c.snap.MessagesIn + int64(len(texts))
	for _, s := range texts {
		o.OnMessage(wsclient.Message{Type: wsclient.Text, Data: []byte(s)})
	}
	eventually(t, e, "the messages logged", func() bool { return c.snap.MessagesIn == want })
}

func TestLogWindow(t *testing.T) {
	for _, tc := range []struct {
		n, top, viewH, rowH, overscan int
		first, last                   int
	}{
		{0, 0, 432, 24, 6, 0, 0},
		{5, 0, 432, 24, 6, 0, 5},      // fewer rows than the view
		{50, 0, 432, 24, 6, 0, 24},    // top: 18 in view + 6 below
		{10000, 0, 432, 24, 6, 0, 24}, // the same, whatever the length
		{10000, 2400, 432, 24, 6, 94, 124},
		{10000, 2410, 432, 24, 6, 94, 125}, // a partly hidden row at each end
		{10000, 10000*24 - 432, 432, 24, 6, 9976, 10000},
		{10000, 1 << 30, 432, 24, 6, 9976, 10000}, // past the end: the end
		{10000, -50, 432, 24, 6, 0, 24},
		{50, 0, 432, 0, 6, 0, 0},
	} {
		first, last := logWindow(tc.n, tc.top, tc.viewH, tc.rowH, tc.overscan)
		if first != tc.first || last != tc.last {
			t.Errorf("logWindow(%d, %d, %d, %d, %d) = %d, %d; want %d, %d",
				tc.n, tc.top, tc.viewH, tc.rowH, tc.overscan, first, last, tc.first, tc.last)
		}
	}
}

func TestLogFilter(t *testing.T) {
	text := messageEntry(dirIn, wsclient.Text, []byte("Hello, World"), time.Time{})
	bin := messageEntry(dirOut, wsclient.Binary, []byte{0xde, 0xad}, time.Time{})
	info := logEntry{Dir: dirEvent, Kind: kindInfo, Preview: "connecting to ws://x"}
	match := func(f *logFilter) string {
		var s []string
		for _, e := range []*logEntry{&text, &bin, &info} {
			if f.match(e) {
				s = append(s, e.Kind)
			}
		}
		return strings.Join(s, ",")
	}
	var f logFilter
	if got := match(&f); got != "text,binary,info" || f.active() {
		t.Errorf("no filter: %s (active %t)", got, f.active())
	}
	f.show(dirOut, false)
	if got := match(&f); got != "text,info" || !f.active() {
		t.Errorf("out hidden: %s", got)
	}
	f.show(dirOut, true)
	f.show(kindInfo, false)
	if got := match(&f); got != "text,binary" {
		t.Errorf("info hidden: %s", got)
	}
	f.show(kindInfo, true)
	for _, tc := range []struct {
		search string
		regexp bool
		want   string
	}{
		{"World", false, "text"},
		{"world", false, ""},
		{"de ad", false, "binary"}, // a binary message's hex, as the row shows it
		{"ws://", false, "info"},
		{"(?i)^hello", true, "text"},
		{"o.*o", true, "text,info"},
		{"[", true, "text,binary,info"}, // invalid: the search is ignored
	} {
		f.setSearch(tc.search, tc.regexp)
		if got := match(&f); got != tc.want {
			t.Errorf("search %q (regexp %t): %s, want %s", tc.search, tc.regexp, got, tc.want)
		}
	}
	if !strings.HasPrefix(f.err, "invalid regular expression: missing closing ]") {
		t.Errorf("err = %q", f.err)
	}
	f.setSearch("[", false)
	if f.err != "" || match(&f) != "" {
		t.Errorf("plain [: err %q, matches %s", f.err, match(&f))
	}
}

// TestConsoleLogBounds fills the log past its bounds, by count and by
// bytes: the oldest entries go, and are counted.
func TestConsoleLogBounds(t *testing.T) {
	c := &Console{}
	var batch []logEntry
	for i := range maxLogEntries + 50 {
		batch = append(batch, logEntry{Seq: int64(i), Dir: dirIn, Kind: kindText, Data: []byte("x"), Size: 1})
	}
	c.appendLog(batch, 7)
	if len(c.log) != maxLogEntries || c.lg.dropped != 57 || c.logTotal != maxLogEntries+57 || c.log[0].Seq != 50 {
		t.Errorf("by count: %d kept, %d dropped, %d total, first %d", len(c.log), c.lg.dropped, c.logTotal, c.log[0].Seq)
	}
	if len(c.lg.view) != maxLogEntries || c.entryAt(c.lg.view[0]).Seq != 50 {
		t.Errorf("view: %d, first %d", len(c.lg.view), c.entryAt(c.lg.view[0]).Seq)
	}
	// 1 MiB payloads: 16 fit (with the small ones, fewer), the rest go.
	mib := make([]byte, 1<<20)
	for range 20 {
		c.appendLog([]logEntry{{Dir: dirOut, Kind: kindBinary, Data: mib, Size: len(mib)}}, 0)
	}
	if c.lg.bytes > maxLogBytes {
		t.Errorf("%d bytes kept, over %d", c.lg.bytes, maxLogBytes)
	}
	big := 0
	for _, e := range c.log {
		if len(e.Data) == len(mib) {
			big++
		}
	}
	if big != 15 && big != 16 {
		t.Errorf("%d mebibyte entries kept, want 15 or 16", big)
	}
	if c.lg.dropped != c.logTotal-int64(len(c.log)) {
		t.Errorf("dropped %d, total %d, kept %d", c.lg.dropped, c.logTotal, len(c.log))
	}
	for i := range c.lg.view {
		if c.lg.view[i] < c.lg.base || c.lg.view[i]-c.lg.base >= int64(len(c.log)) {
			t.Fatalf("view[%d] = %d outside the log (base %d, %d entries)", i, c.lg.view[i], c.lg.base, len(c.log))
		}
	}
	// A message larger than the whole bound is kept, cut.
	huge := messageEntry(dirIn, wsclient.Binary, make([]byte, maxLogBytes+10), time.Time{})
	if !huge.Truncated || len(huge.Data) != maxLogBytes || huge.Size != maxLogBytes+10 {
		t.Errorf("a huge message: truncated %t, %d bytes kept, size %d", huge.Truncated, len(huge.Data), huge.Size)
	}
	c.appendLog([]logEntry{huge}, 0)
	if len(c.log) != 1 || c.lg.bytes != maxLogBytes {
		t.Errorf("after a huge message: %d entries, %d bytes", len(c.log), c.lg.bytes)
	}
}

// TestConsoleSessionBounds: the session's pending buffer has the log's
// bounds too, and counts what it drops.
func TestConsoleSessionBounds(t *testing.T) {
	s := newConsoleSession(time.Now)
	p := make([]byte, 1<<20)
	for range 20 {
		s.onMessage(wsclient.Message{Type: wsclient.Binary, Data: p})
	}
	f := s.take()
	if len(f.entries) != 16 || f.dropped != 4 {
		t.Errorf("pending: %d entries, %d dropped; want 16 and 4", len(f.entries), f.dropped)
	}
	for range maxLogEntries + 3 {
		s.onMessage(wsclient.Message{Type: wsclient.Text, Data: []byte("x")})
	}
	if f := s.take(); len(f.entries) != maxLogEntries || f.dropped != 3 {
		t.Errorf("pending: %d entries, %d dropped; want %d and 3", len(f.entries), f.dropped, maxLogEntries)
	}
}

// TestConsoleLogWindowing renders 5,000 entries: only a window of rows is
// in the page, the newest while the list follows the end, the ones at the
// scroll position otherwise, between spacers as tall as the rows left out.
func TestConsoleLogWindowing(t *testing.T) {
	c, e, _, o := connectConsole(t)
	var texts []string
	for i := range 4998 {
		texts = append(texts, fmt.Sprintf("m%d", i))
	}
	receive(t, c, e, o, texts...) // + connecting, open
	rows := renderedRows(c)
	if len(rows) != logViewHeight/logRowHeight+logOverscan || rows[len(rows)-1] != "4999" {
		t.Errorf("following the end: rows %v", rows)
	}
	c.lg.top, c.lg.unfollow = 100*logRowHeight, true
	c.lg.rev++ // as the scroll handler does
	act(e, c.mctx, func(app.Context) {})
	rows = renderedRows(c)
	if len(rows) != logViewHeight/logRowHeight+2*logOverscan || rows[0] != "94" || rows[len(rows)-1] != "123" {
		t.Errorf("at row 100: rows %v", rows)
	}
	var spacers []string
	for _, tag := range regexp.MustCompile(`<div [^>]*>`).FindAllString(app.HTMLString(c), -1) {
		if strings.Contains(tag, `class="log-spacer"`) {
			spacers = append(spacers, regexp.MustCompile(`style="([^"]*)"`).FindStringSubmatch(tag)[1])
		}
	}
	if want := []string{fmt.Sprintf("height:%dpx", 94*logRowHeight), fmt.Sprintf("height:%dpx", (5000-124)*logRowHeight)}; fmt.Sprint(spacers) != fmt.Sprint(want) {
		t.Errorf("spacers %q, want %q", spacers, want)
	}
	// Scrolled up, new entries do not move the view.
	receive(t, c, e, o, "newer")
	if got := renderedRows(c); got[0] != "94" {
		t.Errorf("after a new entry, scrolled up: rows %v", got)
	}
}

// TestConsoleLogFilterAndSearch filters by direction and kind and searches,
// through the controls' state, and shows an invalid regexp's error.
func TestConsoleLogFilterAndSearch(t *testing.T) {
	c, e, _, o := connectConsole(t)
	c.text = "apple"
	act(e, c.mctx, c.SendText)
	receive(t, c, e, o, "apple", "banana", "cherry")
	eventually(t, e, "6 entries", func() bool { return len(c.log) == 6 }) // connecting, open, out, 3 in
	shown := func() int { return len(renderedRows(c)) }
	act(e, c.mctx, func(app.Context) {
		c.setLogFilter(func(f *logFilter) { f.show(dirOut, false); f.show(dirEvent, false) })
	})
	if n := shown(); n != 3 || attrOf(c, "log-count", "data-shown") != "3" || !strings.Contains(textOf(c, "log-count"), "6 events · 3 shown") {
		t.Errorf("in only: %d rows, #log-count %q", n, textOf(c, "log-count"))
	}
	if attrOf(c, "log-show-out", "checked") != "" || attrOf(c, "log-show-in", "checked") == "" {
		t.Errorf("the checkboxes do not show the filter")
	}
	act(e, c.mctx, func(app.Context) { c.setLogFilter(func(f *logFilter) { f.setSearch("an", false) }) })
	if n := shown(); n != 1 || !logShows(c, "banana") {
		t.Errorf("search an: %d rows", n)
	}
	act(e, c.mctx, func(app.Context) { c.setLogFilter(func(f *logFilter) { f.setSearch("(an", true) }) })
	if msg := textOf(c, "log-search-error"); !strings.Contains(msg, "invalid regular expression") || attrOf(c, "log-search-error", "hidden") != "" {
		t.Errorf("#log-search-error = %q", msg)
	}
	if n := shown(); n != 3 {
		t.Errorf("invalid regexp: %d rows, want the 3 the other filters show", n)
	}
	act(e, c.mctx, func(app.Context) { c.setLogFilter(func(f *logFilter) { f.setSearch("^(apple|cherry)$", true) }) })
	if n := shown(); n != 2 || attrOf(c, "log-search-error", "hidden") != "true" {
		t.Errorf("regexp: %d rows", n)
	}
	// New entries are filtered as they come.
	receive(t, c, e, o, "cherry", "date")
	if n := shown(); n != 3 {
		t.Errorf("after 2 more: %d rows, want 3", n)
	}
}

// logShows reports whether a rendered row's preview is text.
func logShows(c *Console, text string) bool {
	return strings.Contains(app.HTMLString(c), `<span class="preview">`+text+`</span>`)
}

// TestConsoleLogPause freezes the view while messages keep coming and
// being counted.
func TestConsoleLogPause(t *testing.T) {
	c, e, _, o := connectConsole(t)
	receive(t, c, e, o, "before")
	before := renderedRows(c)
	act(e, c.mctx, c.ToggleLogPause)
	if textOf(c, "log-pause") != "Resume" || attrOf(c, "log-paused", "hidden") != "" {
		t.Errorf("paused: button %q, note hidden %q", textOf(c, "log-pause"), attrOf(c, "log-paused", "hidden"))
	}
	receive(t, c, e, o, "during 1", "during 2", "during 3")
	if got := renderedRows(c); fmt.Sprint(got) != fmt.Sprint(before) {
		t.Errorf("rows while paused %v, want %v", got, before)
	}
	if got := textOf(c, "log-paused"); got != "Paused · 3 new while paused" || c.snap.MessagesIn != 4 || c.logTotal != 6 {
		t.Errorf("#log-paused %q, %d in, %d logged", got, c.snap.MessagesIn, c.logTotal)
	}
	act(e, c.mctx, c.ToggleLogPause)
	if !logShows(c, "during 3") || attrOf(c, "log-paused", "hidden") != "true" {
		t.Errorf("after resuming: rows %v", renderedRows(c))
	}
}

// TestConsoleLogDetail opens entries: a long text in full, JSON coloured,
// binary as a hex dump, an event; the same entry again closes it.
func TestConsoleLogDetail(t *testing.T) {
	c, e, _, o := connectConsole(t)
	long := strings.Repeat("0123456789", 300)
	receive(t, c, e, o, long, `{"a":[1,true,null,"x"]}`)
	o.OnMessage(wsclient.Message{Type: wsclient.Binary, Data: []byte("\x00\x01ABC")})
	eventually(t, e, "the binary message", func() bool { return len(c.log) == 5 })
	pos := func(i int) int64 { return c.lg.base + int64(i) }

	act(e, c.mctx, func(app.Context) { c.OpenLogEntry(pos(2)) })
	if got := textOf(c, "log-detail-text"); got != long {
		t.Errorf("#log-detail-text has %d characters, want %d", len(got), len(long))
	}
	if !strings.Contains(textOf(c, "log-detail-summary"), "in · text · 2.9 KiB") {
		t.Errorf("summary %q", textOf(c, "log-detail-summary"))
	}
	for _, tag := range regexp.MustCompile(`<div [^>]*data-pos="2"[^>]*>`).FindAllString(app.HTMLString(c), -1) {
		// (go-app writes an attribute whose value is "true" bare.)
		if !regexp.MustCompile(`aria-expanded(="true")?[ >]`).MatchString(tag) || !strings.Contains(tag, " open\"") {
			t.Errorf("the open row is not marked: %s", tag)
		}
	}

	act(e, c.mctx, func(app.Context) { c.OpenLogEntry(pos(3)) })
	html := stdhtml.UnescapeString(app.HTMLString(c))
	for _, span := range []string{`<span class="j-key">"a"</span>`, `<span class="j-num">1</span>`,
		`<span class="j-lit">true</span>`, `<span class="j-lit">null</span>`, `<span class="j-str">"x"</span>`} {
		if !strings.Contains(html, span) {
			t.Errorf("no %s in the JSON detail", span)
		}
	}

	act(e, c.mctx, func(app.Context) { c.OpenLogEntry(pos(4)) })
	if got := textOf(c, "log-detail-hex"); got != "00000000  00 01 41 42 43                                    |..ABC|" {
		t.Errorf("#log-detail-hex = %q", got)
	}
	if d := c.lg.open; d == nil {
		t.Fatal("nothing open")
	} else {
		for as, want := range map[string]string{"text": "\x00\x01ABC", "hex": "00 01 41 42 43", "base64": "AAFBQkM="} {
			if got, ok := d.copyAs(as); !ok || got != want {
				t.Errorf("copy %s = %q, want %q", as, got, want)
			}
		}
	}

	act(e, c.mctx, func(app.Context) { c.OpenLogEntry(pos(1)) }) // the open event
	if got := textOf(c, "log-detail-text"); got != "connection open" || strings.Contains(app.HTMLString(c), `id="log-copy-hex"`) {
		t.Errorf("an event: %q, hex copy offered", got)
	}
	act(e, c.mctx, func(app.Context) { c.OpenLogEntry(pos(1)) })
	if strings.Contains(app.HTMLString(c), `id="log-detail"`) {
		t.Errorf("the detail pane is still shown")
	}
}

// TestConsoleLogClear empties the log, its counts and its view.
func TestConsoleLogClearResetsCounts(t *testing.T) {
	c, e, _, o := connectConsole(t)
	receive(t, c, e, o, "a", "b")
	act(e, c.mctx, c.ClearLog)
	if len(c.log) != 0 || len(c.lg.view) != 0 || c.lg.dropped != 0 || c.lg.bytes != 0 || len(renderedRows(c)) != 0 {
		t.Errorf("after Clear: %d entries, view %d", len(c.log), len(c.lg.view))
	}
	receive(t, c, e, o, "c")
	if rows := renderedRows(c); len(rows) != 1 || !logShows(c, "c") {
		t.Errorf("after Clear and a message: rows %v", rows)
	}
}
