package e2e

import (
	"encoding/json"
	"fmt"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/chromedp/cdproto/browser"
	"github.com/chromedp/chromedp"
	"github.com/chromedp/chromedp/kb"
)

// clickOn clicks the first element matching a CSS selector, as a user
// would (a mouse event at its centre).
func (p *tab) clickOn(sel string) {
	p.t.Helper()
	p.wait(fmt.Sprintf(`!!document.querySelector(%s)`, jsString(sel)), sel)
	if err := chromedp.Do(p.ctx, chromedp.ScrollIntoView(chromedp.CSS(sel)), chromedp.Click(chromedp.CSS(sel))); err != nil {
		p.t.Fatalf("click %s: %v", sel, err)
	}
}

// sendOne sends one text message from the composer and waits for its echo
// in the log counters.
func (p *tab) sendOne(text string) {
	p.t.Helper()
	in := p.intData("msgs-in", "value")
	p.setValue("text", text)
	// Back to the top first: scrolled down to the log, the button would be
	// brought into view under the sticky top bar, which would take the click.
	eval[bool](p, `(scrollTo(0, 0), true)`)
	p.click("send-text")
	p.wait(fmt.Sprintf(`+document.getElementById("msgs-in").dataset.value === %d`, in+1), "the echo")
}

// recordConsole keeps the page's console messages, and prints them if the
// test fails: a panic of the Go program shows there.
func (p *tab) recordConsole() {
	var (
		mu   sync.Mutex
		msgs []string
	)
	messages := chromedp.Console(p.ctx)
	go func() {
		for m, err := range messages {
			if err != nil {
				return
			}
			mu.Lock()
			msgs = append(msgs, string(m.Type)+": "+m.Text)
			mu.Unlock()
		}
	}()
	p.t.Cleanup(func() {
		if p.t.Failed() {
			mu.Lock()
			defer mu.Unlock()
			p.t.Logf("the page's console:\n%s", strings.Join(msgs, "\n"))
		}
	})
}

// sendBurst sends n messages of size bytes from the burst form.
func (p *tab) sendBurst(n, size int) {
	p.t.Helper()
	p.typeInto("burst-n", fmt.Sprint(n))
	p.typeInto("burst-size", fmt.Sprint(size))
	p.click("send-burst")
}

// detailText returns the text of the opened entry's detail pane.
func (p *tab) detailText(id string) string {
	p.t.Helper()
	p.wait(fmt.Sprintf(`!!document.getElementById(%q)`, id), "#"+id)
	return eval[string](p, fmt.Sprintf(`document.getElementById(%q).textContent`, id))
}

// TestConsoleLogDetail opens entries with real clicks and key presses: a
// 3,000-character text in full, a JSON message pretty-printed and coloured,
// a binary message as a hex dump with offsets; and copies one.
func TestConsoleLogDetail(t *testing.T) {
	p := openTab(t, mainServer, "/")
	// Copying needs the clipboard permission, which a headless browser does
	// not grant by itself.
	for _, name := range []string{"clipboard-write", "clipboard-read"} {
		if _, err := chromedp.CallBrowser(p.ctx, browser.SetPermission, browser.SetPermissionParams{
			Permission: &browser.PermissionDescriptor{Name: name, AllowWithoutSanitization: true},
			Setting:    browser.PermissionSettingGranted, Origin: mainServer.url,
		}); err != nil {
			t.Logf("granting %s: %v", name, err)
		}
	}
	p.connect("")

	// A long text, opened with a click: all of it is shown.
	var long strings.Builder
	for i := 0; long.Len() < 3000; i++ {
		fmt.Fprintf(&long, "word%04d ", i)
	}
	text := long.String()[:2999] + "Ω" // 3,000 characters, not all ASCII
	p.sendOne(text)
	p.clickOn(`#log .entry[data-dir="in"][data-kind="text"]`)
	if got := p.detailText("log-detail-text"); got != text {
		t.Errorf("the detail pane shows %d characters, want the %d of the message (starts %q)", len([]rune(got)), len([]rune(text)), got[:min(len(got), 40)])
	}
	if s := p.text("log-detail-summary"); !strings.Contains(s, "in · text") {
		t.Errorf("#log-detail-summary = %q", s)
	}
	// Copy text: the page says so.
	p.click("log-copy-text")
	p.wait(`["text copied", "could not copy"].some(s => document.getElementById("log-copy-status").textContent.startsWith(s))`, "the copy status")
	if s := p.text("log-copy-status"); s != "text copied" {
		t.Logf("copy: %q (the headless browser's clipboard)", s)
	} else if got := awaitString(p, `navigator.clipboard.readText()`); got != text {
		t.Errorf("the clipboard holds %d characters, want the message's %d", len(got), len(text))
	}

	// JSON, opened from the keyboard: pretty-printed, keys, strings,
	// numbers and literals in their classes.
	p.sendOne(`{"name":"duplex","n":42,"ok":true,"none":null,"list":[1,"two"]}`)
	sel := `#log .entry[data-dir="in"][data-kind="text"][data-size="63"]`
	p.wait(fmt.Sprintf(`!!document.querySelector(%s)`, jsString(sel)), "the JSON echo")
	if err := chromedp.Do(p.ctx, chromedp.Focus(chromedp.CSS(sel)), chromedp.KeyEvent(kb.Enter)); err != nil {
		t.Fatal(err)
	}
	want := "{\n  \"name\": \"duplex\",\n  \"n\": 42,\n  \"ok\": true,\n  \"none\": null,\n  \"list\": [\n    1,\n    \"two\"\n  ]\n}"
	p.wait(`!!document.getElementById("log-detail-json")`, "the JSON detail")
	if got := p.detailText("log-detail-json"); got != want {
		t.Errorf("pretty JSON:\n%s\nwant:\n%s", got, want)
	}
	classes := eval[map[string][]string](p, `(() => {
		const m = {};
		for (const s of document.querySelectorAll("#log-detail-json span")) (m[s.className] ??= []).push(s.textContent);
		return m;
	})()`)
	for class, want := range map[string][]string{
		"j-key": {`"name"`, `"n"`, `"ok"`, `"none"`, `"list"`},
		"j-str": {`"duplex"`, `"two"`},
		"j-num": {"42", "1"},
		"j-lit": {"true", "null"},
	} {
		if fmt.Sprint(classes[class]) != fmt.Sprint(want) {
			t.Errorf("spans of class %s: %q, want %q", class, classes[class], want)
		}
	}
	colours := eval[map[string]string](p, `Object.fromEntries(["j-key", "j-str", "j-num", "j-lit"].map(c =>
		[c, getComputedStyle(document.querySelector("#log-detail-json ." + c)).color]))`)
	seen := map[string]string{}
	for class, colour := range colours {
		if other, ok := seen[colour]; ok {
			t.Errorf("%s and %s have the same colour %s", class, other, colour)
		}
		seen[colour] = class
	}
	// Readable in both themes (WCAG AA), as is the opened row.
	contrast := contrastScript(`{"key": "#log-detail-json .j-key", "string": "#log-detail-json .j-str",
		"number": "#log-detail-json .j-num", "literal": "#log-detail-json .j-lit", "punctuation": "#log-detail-json",
		"summary": "#log-detail-summary", "open row": "#log .entry.open .preview", "open row time": "#log .entry.open .time"}`)
	for range 2 {
		p.click("theme-toggle")
		theme := eval[string](p, `document.documentElement.dataset.theme`)
		for name, ratio := range eval[map[string]float64](p, contrast) {
			if ratio < 4.5 {
				t.Errorf("%s theme: %s has contrast %.2f:1, want at least 4.5:1 (-1: not found)", theme, name, ratio)
			}
		}
	}

	// Binary, opened with Space: a hex dump with offsets and ASCII.
	data := make([]byte, 40)
	for i := range data {
		data[i] = byte('A' + i)
	}
	data[0], data[1] = 0xde, 0xad
	p.typeInto("hex", fmt.Sprintf("% x", data))
	p.click("send-hex")
	sel = `#log .entry[data-dir="in"][data-kind="binary"][data-size="40"]`
	p.wait(fmt.Sprintf(`!!document.querySelector(%s)`, jsString(sel)), "the binary echo")
	if err := chromedp.Do(p.ctx, chromedp.Focus(chromedp.CSS(sel)), chromedp.KeyEvent(" ")); err != nil {
		t.Fatal(err)
	}
	p.wait(`!!document.getElementById("log-detail-hex")`, "the hex dump")
	dump := strings.Split(strings.TrimRight(p.detailText("log-detail-hex"), "\n"), "\n")
	wantDump := []string{
		"00000000  de ad 43 44 45 46 47 48  49 4a 4b 4c 4d 4e 4f 50  |..CDEFGHIJKLMNOP|",
		"00000010  51 52 53 54 55 56 57 58  59 5a 5b 5c 5d 5e 5f 60  |QRSTUVWXYZ[\\]^_`|",
		"00000020  61 62 63 64 65 66 67 68                           |abcdefgh|",
	}
	if strings.Join(dump, "\n") != strings.Join(wantDump, "\n") {
		t.Errorf("hex dump:\n%s\nwant:\n%s", strings.Join(dump, "\n"), strings.Join(wantDump, "\n"))
	}
	// The same key on the opened row closes it.
	if err := chromedp.Do(p.ctx, chromedp.Focus(chromedp.CSS(sel)), chromedp.KeyEvent(kb.Enter)); err != nil {
		t.Fatal(err)
	}
	p.wait(`!document.getElementById("log-detail-hex")`, "the detail pane to close")
}

// TestConsoleLogFilterSearchPause filters to one direction, searches (and
// shows an invalid regexp's error), pauses and resumes the view.
func TestConsoleLogFilterSearchPause(t *testing.T) {
	p := openTab(t, mainServer, "/")
	p.recordConsole()
	p.connect("")
	for _, s := range []string{"apple pie", "banana split", "cherry tart"} {
		p.sendOne(s)
	}
	rows := func(sel string) int {
		return eval[int](p, fmt.Sprintf(`document.querySelectorAll(%s).length`, jsString("#log .entry"+sel)))
	}

	// "in" only: untick out and event.
	p.click("log-show-out")
	p.click("log-show-event")
	p.wait(`document.querySelectorAll('#log .entry').length === 3`, "only the three echoes")
	if n := rows(`[data-dir="in"]`); n != 3 {
		t.Errorf("%d in rows, want 3", n)
	}
	if got := p.intData("log-count", "shown"); got != 3 {
		t.Errorf("data-shown = %d, want 3", got)
	}

	// Plain search.
	p.typeInto("log-search", "nana")
	p.wait(`document.querySelectorAll('#log .entry').length === 1`, "one match for nana")
	if !eval[bool](p, logHas("", "banana split")) {
		t.Errorf("the match is not banana split")
	}
	// An invalid regexp: an inline error, and the search is ignored.
	p.click("log-regexp")
	p.typeInto("log-search", "(ch")
	p.wait(`!document.getElementById("log-search-error").hidden`, "the regexp error")
	if msg := p.text("log-search-error"); !strings.Contains(msg, "invalid regular expression") {
		t.Errorf("#log-search-error = %q", msg)
	}
	if !eval[bool](p, `document.getElementById("log-search").classList.contains("invalid")`) {
		t.Errorf("#log-search is not marked invalid")
	}
	p.typeInto("log-search", "^(apple|cherry)")
	p.wait(`document.getElementById("log-search-error").hidden && document.querySelectorAll('#log .entry').length === 2`, "two regexp matches")

	// Everything again.
	p.typeInto("log-search", "")
	p.click("log-show-out")
	p.click("log-show-event")
	p.wait(`document.querySelectorAll('#log .entry').length === 8`, "every entry again (connecting, open, 3 out, 3 in)")

	// Pause: traffic goes on, the view does not.
	shown := eval[int](p, `document.querySelectorAll('#log .entry').length`)
	p.click("log-pause")
	p.wait(`!document.getElementById("log-paused").hidden`, "the paused note")
	p.sendOne("sent while paused")
	p.wait(`+document.getElementById("log-paused").dataset.new === 2`, "2 new while paused")
	if n := eval[int](p, `document.querySelectorAll('#log .entry').length`); n != shown {
		t.Errorf("%d rows while paused, want %d", n, shown)
	}
	if got := p.text("log-paused"); !strings.Contains(got, "2 new while paused") {
		t.Errorf("#log-paused = %q", got)
	}
	if got := p.text("msgs-in"); got != "4" {
		t.Errorf("messages in while paused = %s, want 4", got)
	}
	p.click("log-pause")
	p.wait(logHas(`[data-dir="in"]`, "sent while paused"), "the paused message after resuming")
	if !eval[bool](p, `document.getElementById("log-paused").hidden`) {
		t.Errorf("the paused note is still shown")
	}
}

// TestConsoleLogExport exports the log: the link's blob holds one JSON line
// per entry, text as text and binary as base64.
func TestConsoleLogExport(t *testing.T) {
	p := openTab(t, mainServer, "/")
	p.recordConsole()
	p.connect("")
	p.sendOne("hello export")
	p.typeInto("hex", "00 01 fe ff")
	p.click("send-hex")
	p.wait(`document.querySelectorAll('#log .entry[data-kind="binary"]').length === 2`, "the bytes and their echo")
	p.click("log-export")
	p.wait(`document.getElementById("log-download")?.href.startsWith("blob:")`, "the download link")
	if name := eval[string](p, `document.getElementById("log-download").download`); !strings.HasPrefix(name, "duplex-log-") || !strings.HasSuffix(name, ".jsonl") {
		t.Errorf("download name %q", name)
	}
	body := awaitString(p, `fetch(document.getElementById("log-download").href).then(r => r.text())`)
	lines := strings.Split(strings.TrimSuffix(body, "\n"), "\n")
	total := int(p.intData("log-count", "total"))
	if len(lines) != total {
		t.Errorf("%d lines exported, want %d (one an entry):\n%s", len(lines), total, body)
	}
	type line struct {
		Time, Direction, Type, Encoding, Payload string
		Size                                     int
	}
	var got []line
	for _, l := range lines {
		var v line
		if err := json.Unmarshal([]byte(l), &v); err != nil {
			t.Fatalf("line %q: %v", l, err)
		}
		if _, err := time.Parse("2006-01-02T15:04:05.000Z07:00", v.Time); err != nil {
			t.Errorf("time %q: %v", v.Time, err)
		}
		got = append(got, v)
	}
	want := map[line]bool{
		{Direction: "out", Type: "text", Encoding: "text", Payload: "hello export", Size: 12}:     true,
		{Direction: "in", Type: "text", Encoding: "text", Payload: "hello export", Size: 12}:      true,
		{Direction: "out", Type: "binary", Encoding: "base64", Payload: "AAH+/w==", Size: 4}:      true,
		{Direction: "in", Type: "binary", Encoding: "base64", Payload: "AAH+/w==", Size: 4}:       true,
		{Direction: "event", Type: "open", Encoding: "text", Payload: "connection open", Size: 0}: true,
	}
	for _, v := range got {
		v.Time = ""
		delete(want, v)
	}
	if len(want) > 0 {
		t.Errorf("missing from the export: %+v\n%s", want, body)
	}
}

// TestConsoleLogBurstIsWindowed sends 1,000 messages, 2,000 log entries
// with their echoes: the count says so, and only the rows in view are in
// the DOM; scrolling to the top shows the first entries.
func TestConsoleLogBurstIsWindowed(t *testing.T) {
	p := openTab(t, mainServer, "/")
	p.recordConsole()
	p.connect("")
	p.sendBurst(1000, 16)
	p.wait(`+document.getElementById("msgs-in").dataset.value === 1000`, "every echo")
	p.wait(`+document.getElementById("log-count").dataset.total >= 2000`, "2,000 entries counted")
	rows := eval[int](p, `document.querySelectorAll("#log .entry").length`)
	if rows < 10 || rows > 60 {
		t.Errorf("%d .entry rows in the DOM for %d entries, want a window of them", rows, p.intData("log-count", "total"))
	}
	if !strings.Contains(p.text("log-count"), "events") {
		t.Errorf("#log-count = %q", p.text("log-count"))
	}
	// Scrolling to the top renders the first entries instead.
	eval[bool](p, `(document.getElementById("log").scrollTop = 0, true)`)
	p.wait(`document.querySelector("#log .entry")?.dataset.pos === "0"`, "the first entry at the top")
	if n := eval[int](p, `document.querySelectorAll("#log .entry").length`); n > 60 {
		t.Errorf("%d rows at the top", n)
	}
	// A row that showed another entry before the scroll opens its own.
	p.clickOn(`#log .entry[data-pos="5"]`)
	p.wait(`document.getElementById("log-detail")?.dataset.pos === "5"`, "entry 5 open")
}

// TestConsoleLogTypingCost measures, without asserting anything, how long
// 60 key presses in the text field take with an empty log, with 188 entries,
// with 10,000, and while a burst of 500 × 64 KiB messages is echoed; and
// checks that no key press is lost.
func TestConsoleLogTypingCost(t *testing.T) {
	p := openTab(t, mainServer, "/")
	p.recordConsole()
	p.connect("")
	keys := strings.Repeat("abcdefghij", 6)
	typeKeys := func(what string, rounds int) {
		var took []time.Duration
		for range rounds {
			p.setValue("text", "")
			start := time.Now()
			if err := chromedp.Do(p.ctx, chromedp.SendKeys(chromedp.ID("text"), keys)); err != nil {
				t.Fatal(err)
			}
			p.wait(fmt.Sprintf(`document.getElementById("text").value === %q`, keys), "the 60 keys typed, none lost")
			took = append(took, time.Since(start).Round(time.Millisecond))
		}
		t.Logf("60 key presses, %s: %v (log: %s)", what, took, p.text("log-count"))
	}
	typeKeys("empty log", 5)
	p.sendBurst(93, 16) // 186 entries + connecting + open
	p.wait(`+document.getElementById("msgs-in").dataset.value === 93`, "the echoes")
	typeKeys("188 entries", 5)
	p.sendBurst(5000, 16)
	p.wait(`+document.getElementById("msgs-in").dataset.value === 5093`, "the echoes")
	typeKeys("10,000 entries", 5)
	p.sendBurst(500, 64<<10)
	typeKeys("during a 500 × 64 KiB burst", 1)
	p.wait(`+document.getElementById("msgs-in").dataset.value === 5593`, "the burst's echoes")
	typeKeys("after it", 5)
}

// awaitString evaluates a promise of a string.
func awaitString(p *tab, expr string) string {
	p.t.Helper()
	v, err := chromedp.Run(p.ctx, chromedp.Evaluate[string](expr, chromedp.EvalAwaitPromise))
	if err != nil {
		p.t.Fatalf("evaluate %s: %v", expr, err)
	}
	return v
}
