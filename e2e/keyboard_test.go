package e2e

import (
	"fmt"
	"net/url"
	"slices"
	"testing"

	"github.com/chromedp/chromedp"
	"github.com/chromedp/chromedp/kb"
)

// press sends one key, with modifiers, to the element with the id, as a
// user's key press (focus, then the key's down and up events).
func (p *tab) press(id, key string, modifiers ...chromedp.Modifier) {
	p.t.Helper()
	if err := chromedp.Do(p.ctx, chromedp.Focus(chromedp.ID(id)),
		chromedp.KeyEvent(key, chromedp.KeyModifiers(modifiers...))); err != nil {
		p.t.Fatalf("press a key in #%s: %v", id, err)
	}
}

// The console by keyboard, and what it remembers: a link carries the
// connection; Ctrl+Enter sends the text; Alt+↑/↓ recall the texts sent and
// come back to the draft; the URL and subprotocols connected to are offered
// on the next visit; Enter in the URL field connects.
func TestConsoleKeyboardAndMemory(t *testing.T) {
	echo := "ws://" + mainServer.addr + "/echo"
	p := openTab(t, mainServer, "/?url="+url.QueryEscape(echo)+"&protocols=echo")
	p.wait(`document.getElementById("state").textContent.trim() === "OPEN"`, "the link's connection to open")
	if got := p.text("protocol"); got != "echo" {
		t.Errorf("protocol %q, want echo (from the link)", got)
	}

	for _, text := range []string{"first", "second"} {
		p.typeInto("text", text)
		p.press("text", kb.Enter, chromedp.ModifierCtrl)
		p.wait(logHas(`[data-kind="text"][data-dir="in"]`, text), fmt.Sprintf("the echo of %q (Ctrl+Enter)", text))
	}
	p.typeInto("text", "a draft")
	value := func() string { return eval[string](p, `document.getElementById("text").value`) }
	for i, step := range []struct {
		key  string
		want string
	}{{kb.ArrowUp, "second"}, {kb.ArrowUp, "first"}, {kb.ArrowUp, "first"}, {kb.ArrowDown, "second"}, {kb.ArrowDown, "a draft"}} {
		p.press("text", step.key, chromedp.ModifierAlt)
		if got := value(); got != step.want {
			t.Errorf("after Alt+arrow %d: text %q, want %q", i+1, got, step.want)
		}
	}
	p.click("disconnect")
	p.wait(`document.getElementById("state").textContent.trim() === "CLOSED"`, "CLOSED")

	q := openTab(t, mainServer, "/")
	options := func(id string) []string {
		return eval[[]string](q, fmt.Sprintf(`[...document.querySelectorAll("#%s option")].map(o => o.value)`, id))
	}
	q.wait(`document.querySelectorAll("#recent-urls option").length > 0`, "the remembered URLs")
	if got := options("recent-urls"); !slices.Contains(got, echo) {
		t.Errorf("URLs offered %q, want %s among them", got, echo)
	}
	if got := options("recent-protocols"); !slices.Contains(got, "echo") {
		t.Errorf("subprotocols offered %q, want echo among them", got)
	}
	q.press("url", kb.Enter)
	q.wait(`document.getElementById("state").textContent.trim() === "OPEN"`, "Enter in the URL field to connect")
}
