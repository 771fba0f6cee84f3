package e2e

import (
	"fmt"
	"testing"

	"github.com/chromedp/chromedp"
)

// overflowing lists the elements whose box reaches past the viewport's
// right edge, and the page's scroll width.
const overflowing = `(() => {
	const w = document.documentElement.clientWidth;
	const out = [...document.querySelectorAll("body *")].filter(e => {
		const r = e.getBoundingClientRect();
		return r.width > 0 && r.right > w + 0.5;
	}).map(e => e.tagName.toLowerCase() + (e.id ? "#" + e.id : "") + (e.className ? "." + String(e.className).replace(/ +/g, ".") : ""));
	return {scrollWidth: document.documentElement.scrollWidth, width: w, out: out.slice(0, 12)};
})()`

type overflow struct {
	ScrollWidth int      `json:"scrollWidth"`
	Width       int      `json:"width"`
	Out         []string `json:"out"`
}

// Every page works on a phone: at 360 and 390 px wide nothing reaches past
// the viewport (no horizontal scrolling), and the console's log stays
// readable, each entry's preview at least 200 px wide.
func TestPhoneLayout(t *testing.T) {
	for _, width := range []int{360, 390} {
		t.Run(fmt.Sprint(width), func(t *testing.T) {
			ctx, cancel := chromedp.NewContext(browserCtx)
			defer cancel()
			if err := chromedp.Do(ctx, chromedp.EmulateViewport(int64(width), 844, chromedp.EmulateMobile),
				chromedp.Navigate(mainServer.url+"/")); err != nil {
				t.Fatal(err)
			}
			p := &tab{t: t, ctx: ctx}
			p.waitLoaded()
			p.connect("echo")
			p.typeInto("text", "a message long enough to wrap over several lines of a phone's narrow screen, to be read there")
			p.click("send-text")
			p.wait(logHas(`[data-kind="text"][data-dir="in"]`, "a message long enough"), "the echo in the log")
			checkNoOverflow(t, p, "the console")
			if widths := eval[[]float64](p, `[...document.querySelectorAll("#log .entry .preview")].map(e => e.getBoundingClientRect().width)`); len(widths) == 0 {
				t.Error("no log entries")
			} else {
				for i, w := range widths {
					if w < 200 {
						t.Errorf("log entry %d: preview %.0f px wide, want at least 200", i+1, w)
					}
				}
			}
			if width == 390 {
				p.screenshot("console-phone")
			}

			p.click("nav-Chat")
			p.wait(`!!document.getElementById("join")`, "the chat page")
			p.join(fmt.Sprint("phone-", width), "pat")
			p.say("hello from a phone")
			p.waitMessage("pat", "hello from a phone")
			checkNoOverflow(t, p, "the chat")
			p.click("leave")
		})
	}
}

// checkNoOverflow fails if the page scrolls sideways or an element reaches
// past the viewport.
func checkNoOverflow(t *testing.T, p *tab, page string) {
	t.Helper()
	o := eval[overflow](p, overflowing)
	if o.ScrollWidth > o.Width || len(o.Out) > 0 {
		t.Errorf("%s at %d px: scroll width %d; elements past the right edge: %q", page, o.Width, o.ScrollWidth, o.Out)
	}
}
