package e2e

import (
	"context"
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"strconv"
	"testing"
	"time"

	"github.com/chromedp/chromedp"
)

// Timeouts are generous: a loaded two-core machine compiles the 8 MB
// app.wasm slowly, and nothing here measures speed.
const (
	loadTimeout = 90 * time.Second
	waitTimeout = 60 * time.Second
)

// tab is a browser tab on a page of the app.
type tab struct {
	t   *testing.T
	ctx context.Context
}

// openTab opens a new tab (in a window of its own, so that it gets animation
// frames) on path of srv, and waits until the app runs.
func openTab(t *testing.T, srv *server, path string) *tab {
	t.Helper()
	ctx, cancel := chromedp.NewContext(browserCtx)
	t.Cleanup(cancel)
	p := &tab{t: t, ctx: ctx}
	if err := chromedp.Do(ctx, chromedp.Navigate(srv.url+path)); err != nil {
		t.Fatalf("open %s: %v", path, err)
	}
	p.waitLoaded()
	return p
}

// waitLoaded waits for go-app to take over the prerendered page: its loader
// is removed once the wasm program runs.
func (p *tab) waitLoaded() {
	p.t.Helper()
	p.waitTimeout(`document.readyState === "complete" && !document.getElementById("app-wasm-loader") && !!document.querySelector("main.content")`, loadTimeout,
		"the app to load")
}

// eval evaluates a JavaScript expression and decodes its value into T.
func eval[T any](p *tab, expr string) T {
	p.t.Helper()
	v, err := chromedp.Run(p.ctx, chromedp.Evaluate[T](expr))
	if err != nil {
		p.t.Fatalf("evaluate %s: %v", expr, err)
	}
	return v
}

// wait polls a JavaScript predicate until it is true.
func (p *tab) wait(expr, what string) {
	p.t.Helper()
	p.waitTimeout(expr, waitTimeout, what)
}

func (p *tab) waitTimeout(expr string, d time.Duration, what string) {
	p.t.Helper()
	_, err := chromedp.Run(p.ctx, chromedp.Poll[chromedp.Void](expr,
		chromedp.WithPollingInterval(50*time.Millisecond),
		chromedp.WithPollingTimeout(d)))
	if err != nil {
		p.t.Fatalf("waiting for %s (%s): %v\n%s", what, expr, err, p.debug())
	}
}

// debug describes the page for a failure message.
func (p *tab) debug() string {
	ctx, cancel := context.WithTimeout(p.ctx, 5*time.Second)
	defer cancel()
	s, err := chromedp.Run(ctx, chromedp.Evaluate[string](`(() => {
		const q = (s) => { const e = document.querySelector(s); return e ? e.textContent.trim() : "(none)"; };
		const log = [...document.querySelectorAll("#log .entry")].slice(-8).map(e => e.textContent.replace(/\s+/g, " ")).join("\n  ");
		const errs = [...document.querySelectorAll(".error")].filter(e => !e.hidden).map(e => e.id + ": " + e.textContent).join("; ");
		return "page " + location.pathname + ": state=" + q("#state") + " chat-state=" + q("#chat-state") +
			" buffered=" + q("#buffered") + " errors=[" + errs + "]\n  log:\n  " + log;
	})()`))
	if err != nil {
		return "(page state unavailable: " + err.Error() + ")"
	}
	return s
}

// click clicks the element with the id.
func (p *tab) click(id string) {
	p.t.Helper()
	if err := chromedp.Do(p.ctx, chromedp.Click(chromedp.ID(id))); err != nil {
		p.t.Fatalf("click #%s: %v", id, err)
	}
}

// clickWhenEnabled waits until the button is enabled, then clicks it.
func (p *tab) clickWhenEnabled(id string) {
	p.t.Helper()
	p.wait(fmt.Sprintf(`(() => { const b = document.getElementById(%q); return !!b && !b.disabled; })()`, id), "#"+id+" to be enabled")
	p.click(id)
}

// typeInto replaces the value of an input by typing, so that the app sees
// input events, as from a user.
func (p *tab) typeInto(id, text string) {
	p.t.Helper()
	p.setValue(id, "")
	if err := chromedp.Do(p.ctx, chromedp.SendKeys(chromedp.ID(id), text)); err != nil {
		p.t.Fatalf("type into #%s: %v", id, err)
	}
	p.wait(fmt.Sprintf(`document.getElementById(%q).value === %s`, id, jsString(text)), "#"+id+" to hold the typed text")
}

// setValue sets an input's value at once and fires the input event, for
// values too long to type.
func (p *tab) setValue(id, value string) {
	p.t.Helper()
	eval[bool](p, fmt.Sprintf(`(() => {
		const e = document.getElementById(%q);
		e.value = %s;
		e.dispatchEvent(new Event("input", {bubbles: true}));
		return true;
	})()`, id, jsString(value)))
}

// text returns the trimmed text content of the element with the id.
func (p *tab) text(id string) string {
	p.t.Helper()
	return eval[string](p, fmt.Sprintf(`(document.getElementById(%q)?.textContent ?? "").trim()`, id))
}

// intData returns an integer data attribute of the element with the id.
func (p *tab) intData(id, name string) int64 {
	p.t.Helper()
	s := eval[string](p, fmt.Sprintf(`document.getElementById(%q)?.dataset[%q] ?? ""`, id, name))
	n, err := strconv.ParseInt(s, 10, 64)
	if err != nil {
		p.t.Fatalf("#%s data-%s = %q: %v", id, name, s, err)
	}
	return n
}

// screenshot saves the whole page as docs/screenshots/name.png.
func (p *tab) screenshot(name string) {
	p.t.Helper()
	png, err := chromedp.Run(p.ctx, chromedp.FullScreenshot(100))
	if err != nil {
		p.t.Fatalf("screenshot: %v", err)
	}
	dir := filepath.Join(repoRoot, "docs", "screenshots")
	if err := os.MkdirAll(dir, 0o755); err != nil {
		p.t.Fatal(err)
	}
	path := filepath.Join(dir, name+".png")
	if err := os.WriteFile(path, png, 0o644); err != nil {
		p.t.Fatal(err)
	}
	p.t.Logf("saved %s", path)
}

// jsString quotes s as a JavaScript string literal.
func jsString(s string) string {
	b, _ := json.Marshal(s)
	return string(b)
}
