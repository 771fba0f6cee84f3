package e2e

import (
	"fmt"
	"testing"
)

// Pages of the app keep their sessions across navigation, with real clicks
// on the navigation bar: the console's connection, log, counters and fields,
// and the chat's membership, lines and draft. Another member of the room
// sees no leave while the first is on the console, and what was said
// meanwhile is on the chat page when it comes back.
func TestSessionsSurviveNavigation(t *testing.T) {
	p := openTab(t, mainServer, "/")
	p.connect("echo")
	p.typeInto("text", "before the chat")
	p.click("send-text")
	p.wait(logHas(`[data-kind="text"][data-dir="in"]`, "before the chat"), "the echo in the log")
	p.typeInto("text", "a console draft")
	p.wait(`+document.getElementById("msgs-in").dataset.value === 1`, "1 message in")
	entries := eval[int](p, `document.querySelectorAll("#log .entry").length`)

	p.click("nav-Chat")
	p.wait(`!!document.getElementById("join")`, "the chat page")
	p.join("navigation", "navi")
	p.typeInto("chat-text", "a chat draft")

	watcher := openTab(t, mainServer, "/chat")
	watcher.join("navigation", "watcher")
	watcher.waitMembers("navi", "watcher")

	p.click("nav-Console")
	p.wait(`!!document.getElementById("connect")`, "the console page")
	p.wait(`document.getElementById("state").textContent.trim() === "OPEN"`, "readyState OPEN after coming back")
	if got := eval[int](p, `document.querySelectorAll("#log .entry").length`); got < entries {
		t.Errorf("log after coming back: %d entries, want the %d there were", got, entries)
	}
	for id, want := range map[string]string{"text": "a console draft", "url": "ws://" + mainServer.addr + "/echo", "protocols": "echo"} {
		if got := eval[string](p, fmt.Sprintf(`document.getElementById(%q).value`, id)); got != want {
			t.Errorf("#%s after coming back = %q, want %q", id, got, want)
		}
	}
	if got := p.intData("msgs-in", "value"); got != 1 {
		t.Errorf("messages in after coming back = %d, want 1", got)
	}
	// The connection still works.
	p.typeInto("text", "after the chat")
	p.click("send-text")
	p.wait(logHas(`[data-kind="text"][data-dir="in"]`, "after the chat"), "an echo after coming back")

	watcher.say("said while navi was away")

	p.click("nav-Chat")
	p.wait(`document.getElementById("chat-state").textContent.trim() === "OPEN"`, "the chat OPEN after coming back")
	p.wait(`document.getElementById("chat-where").textContent.includes("in navigation as navi")`, "the same room and name")
	p.waitMessage("watcher", "said while navi was away")
	if got := eval[string](p, `document.getElementById("chat-text").value`); got != "a chat draft" {
		t.Errorf("chat draft after coming back = %q", got)
	}
	p.waitMembers("navi", "watcher")
	if eval[bool](watcher, `[...document.querySelectorAll('#messages .sys[data-kind="leave"]')].some(e => e.dataset.from === "navi")`) {
		t.Error("the watcher saw navi leave the room on navigation")
	}
}
