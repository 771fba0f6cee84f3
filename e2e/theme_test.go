package e2e

import (
	"fmt"
	"testing"

	"github.com/chromedp/chromedp"
)

// contrastRatios measures the WCAG contrast ratio of the text of key
// elements against the background they are drawn on (the first opaque
// background among their ancestors), by name.
var contrastRatios = contrastScript(`{
		"body text": ".card .hint", "label": ".field > label", "heading": ".card h2", "input": "#url",
		"readyState": "#state .state, #state", "primary button": "button.primary", "button": "#disconnect",
		"nav": ".nav a", "log time": "#log .entry .time", "log in": "#log .entry.dir-in .dir",
		"log out": "#log .entry.dir-out .dir", "log preview": "#log .entry .preview", "log binary": "#log .entry.kind-binary .preview",
		"error": "#hex-error",
	}`)

// contrastScript returns a script that measures the WCAG contrast ratio of
// the text of the first element each selector of sels (a JavaScript object
// of names to selectors) matches against the background it is drawn on
// (the first opaque background among its ancestors): -1 when none matches.
func contrastScript(sels string) string {
	return fmt.Sprintf(`(() => {
	const rgb = (s) => (s.match(/[\d.]+/g) || []).map(Number);
	const lum = ([r, g, b]) => {
		const f = (c) => { c /= 255; return c <= 0.03928 ? c / 12.92 : Math.pow((c + 0.055) / 1.055, 2.4); };
		return 0.2126 * f(r) + 0.7152 * f(g) + 0.0722 * f(b);
	};
	const bg = (e) => {
		for (; e; e = e.parentElement) {
			const c = rgb(getComputedStyle(e).backgroundColor);
			if (c.length === 3 || (c.length === 4 && c[3] > 0.9)) return c.slice(0, 3);
		}
		return rgb(getComputedStyle(document.body).backgroundColor).slice(0, 3);
	};
	const out = {};
	const sels = %s;
	for (const [name, sel] of Object.entries(sels)) {
		const e = document.querySelector(sel);
		if (!e) { out[name] = -1; continue; }
		const a = lum(rgb(getComputedStyle(e).color).slice(0, 3)), b = lum(bg(e));
		out[name] = (Math.max(a, b) + 0.05) / (Math.min(a, b) + 0.05);
	}
	return out;
})()`, sels)
}

// Both themes are readable: the toggle (a real click) switches between
// light and dark, the choice survives a reload, and the text of every kind
// of element passes WCAG AA (4.5:1) against its background in both.
func TestThemes(t *testing.T) {
	p := openTab(t, mainServer, "/")
	p.connect("echo")
	p.typeInto("text", "themes")
	p.click("send-text")
	p.typeInto("hex", "00 ff")
	p.click("send-hex")
	p.wait(`!!document.querySelector("#log .entry.kind-binary.dir-in")`, "a binary echo in the log")
	p.typeInto("hex", "zz")
	p.click("send-hex") // shows the hex error
	p.wait(`!document.getElementById("hex-error").hidden`, "the hex error")

	theme := func() string {
		return eval[string](p, `document.documentElement.dataset.theme + "/" + getComputedStyle(document.body).backgroundColor`)
	}
	check := func(want string) {
		t.Helper()
		for name, ratio := range eval[map[string]float64](p, contrastRatios) {
			switch {
			case ratio < 0:
				t.Errorf("%s theme: no element for %q", want, name)
			case ratio < 4.5:
				t.Errorf("%s theme: %s has contrast %.2f:1, want at least 4.5:1", want, name, ratio)
			}
		}
	}
	// Headless Chromium prefers the light scheme unless told otherwise;
	// whatever the start, two clicks go through both themes.
	p.click("theme-toggle")
	first := eval[string](p, `document.documentElement.dataset.theme`)
	check(first)
	p.screenshot("console-" + first)
	before := theme()
	p.click("theme-toggle")
	second := eval[string](p, `document.documentElement.dataset.theme`)
	if first == second || theme() == before {
		t.Fatalf("the toggle did not switch the theme: %s then %s", before, theme())
	}
	check(second)
	p.screenshot("console-" + second)

	// The choice is remembered: a new page starts in it.
	if err := chromedp.Do(p.ctx, chromedp.Reload()); err != nil {
		t.Fatal(err)
	}
	p.waitLoaded()
	if got := eval[string](p, `document.documentElement.dataset.theme`); got != second {
		t.Errorf("after a reload the theme is %q, want %q", got, second)
	}
}
