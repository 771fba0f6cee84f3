package e2e

import "testing"

// unlabelled lists the controls of the page that have no accessible name: no
// <label>, no aria-label or aria-labelledby, no text (buttons), no title.
const unlabelled = `[...document.querySelectorAll("input, select, textarea, button")].filter(e => {
	if (e.type === "hidden" || e.closest("[hidden]")) return false;
	if (e.labels && e.labels.length > 0) return false;
	if (e.getAttribute("aria-label") || e.getAttribute("aria-labelledby") || e.title) return false;
	if (e.tagName === "BUTTON" && e.textContent.trim() !== "") return false;
	return true;
}).map(e => e.tagName.toLowerCase() + (e.id ? "#" + e.id : "") + (e.type ? "[" + e.type + "]" : ""))`

// Every control of every view has a label a screen reader can say: the
// console with a connection and log entries, and the chat
// in a room.
func TestEveryControlHasALabel(t *testing.T) {
	p := openTab(t, mainServer, "/")
	p.connect("echo")
	p.typeInto("text", `{"labels": true}`)
	p.click("send-text")
	p.wait(logHas(`[data-kind="text"][data-dir="in"]`, "labels"), "the echo in the log")
	if got := eval[[]string](p, unlabelled); len(got) > 0 {
		t.Errorf("console: controls without a label: %q", got)
	}
	p.click("nav-Chat")
	p.wait(`!!document.getElementById("join")`, "the chat page")
	p.join("labels", "lab")
	if got := eval[[]string](p, unlabelled); len(got) > 0 {
		t.Errorf("chat: controls without a label: %q", got)
	}
}
