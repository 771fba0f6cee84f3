package e2e

import (
	"fmt"
	"io"
	"net/http"
	"strings"
	"testing"

	"github.com/chromedp/chromedp"
)

// join joins room as name on a chat tab and waits for the welcome.
func (p *tab) join(room, name string) {
	p.t.Helper()
	p.typeInto("room", room)
	p.typeInto("name", name)
	p.recordStates("chat-state")
	p.click("join")
	p.wait(`document.getElementById("chat-state").textContent.trim() === "OPEN"`, "the chat to be OPEN")
	p.wait(fmt.Sprintf(`document.getElementById("chat-where").textContent.includes(%s)`, jsString("in "+room+" as "+name)), "the welcome")
	states := eval[[]string](p, `window.__states`)
	if i := indexOf(states, "CONNECTING"); i < 0 || indexOf(states[i:], "OPEN") < 0 {
		p.t.Fatalf("chat state shown: %q; want CONNECTING, then OPEN", states)
	}
}

// members returns the member list shown.
func (p *tab) members() []string {
	p.t.Helper()
	return eval[[]string](p, `[...document.querySelectorAll("#members li")].map(e => e.dataset.name)`)
}

// waitMembers waits until the member list is exactly names, in order.
func (p *tab) waitMembers(names ...string) {
	p.t.Helper()
	p.wait(fmt.Sprintf(`JSON.stringify([...document.querySelectorAll("#members li")].map(e => e.dataset.name)) === %s`,
		jsString(`["`+strings.Join(names, `","`)+`"]`)), fmt.Sprintf("members %q", names))
}

// waitMessage waits for a message from from with text in the list.
func (p *tab) waitMessage(from, text string) {
	p.t.Helper()
	p.wait(fmt.Sprintf(`[...document.querySelectorAll('#messages .msg')].some(e =>
		e.dataset.from === %s && e.querySelector(".text").textContent === %s && (e.querySelector(".time")?.textContent ?? "").length > 0)`,
		jsString(from), jsString(text)), fmt.Sprintf("message %q from %s", text, from))
}

// pressEnter presses Enter in the element with the id.
func (p *tab) pressEnter(id string) {
	p.t.Helper()
	if err := chromedp.Do(p.ctx, chromedp.SendKeys(chromedp.ID(id), "\r")); err != nil {
		p.t.Fatalf("Enter in #%s: %v", id, err)
	}
}

// say posts text from the composer.
func (p *tab) say(text string) {
	p.t.Helper()
	p.typeInto("chat-text", text)
	p.clickWhenEnabled("chat-send")
	p.wait(`document.getElementById("chat-text").value === ""`, "the composer to clear")
}

// chatRuns numbers the runs of TestChatBetweenTwoTabs in this process
// (go test -count=N), so that each has a room of its own.
var chatRuns int

func TestChatBetweenTwoTabs(t *testing.T) {
	chatRuns++
	room := "gophers"
	if chatRuns > 1 {
		room = fmt.Sprintf("gophers-%d", chatRuns)
	}
	ann := openTab(t, mainServer, "/chat")
	ann.join(room, "ann")
	ann.waitMembers("ann")

	bob := openTab(t, mainServer, "/chat")
	bob.join(room, "bob")
	bob.waitMembers("ann", "bob")
	ann.waitMembers("ann", "bob")
	ann.wait(`[...document.querySelectorAll('#messages .sys[data-kind="join"]')].some(e => e.dataset.from === "bob")`, "ann to see bob join")

	bob.say("hi ann")
	ann.waitMessage("bob", "hi ann")
	bob.waitMessage("bob", "hi ann")
	ann.say("hello bob — all green here ✓")
	bob.waitMessage("ann", "hello bob — all green here ✓")
	if !eval[bool](ann, `[...document.querySelectorAll('#messages .msg.mine')].some(e => e.dataset.from === "ann")`) {
		t.Errorf("ann's own message is not marked as hers")
	}

	// A message over the server's 4096-byte limit (told in the welcome):
	// the counter says so, Send is disabled, and Enter keeps the draft with
	// the reason beside it.
	long := strings.Repeat("x", 5000)
	ann.setValue("chat-text", long)
	ann.wait(`document.getElementById("chat-send").disabled &&
		document.getElementById("chat-left").textContent.includes("904 bytes too many")`, "the counter and a disabled Send")
	ann.pressEnter("chat-text")
	ann.wait(`!document.getElementById("chat-send-error").hidden &&
		document.getElementById("chat-send-error").textContent.includes("message too long: 5000 bytes, at most 4096")`,
		"the error beside the composer")
	if got := eval[int](ann, `document.getElementById("chat-text").value.length`); got != len(long) {
		t.Errorf("the draft holds %d bytes after the error, want %d", got, len(long))
	}
	if got := ann.text("chat-state"); got != "OPEN" {
		t.Errorf("chat state after a rejected message = %q, want OPEN", got)
	}
	ann.setValue("chat-text", "")

	ann.screenshot("chat")

	// A newcomer gets the history.
	cy := openTab(t, mainServer, "/chat")
	cy.join(room, "cy")
	cy.waitMessage("bob", "hi ann")
	cy.waitMessage("ann", "hello bob — all green here ✓")
	cy.click("leave")
	cy.wait(`document.getElementById("chat-state").textContent.trim() === "CLOSED"`, "cy to leave")

	bob.click("leave")
	bob.wait(`document.getElementById("chat-state").textContent.trim() === "CLOSED"`, "bob's state CLOSED")
	if !eval[bool](bob, `document.getElementById("chat-error").hidden`) {
		t.Errorf("an error is shown after leaving normally: %q", bob.text("chat-error"))
	}
	ann.waitMembers("ann")
	ann.wait(`[...document.querySelectorAll('#messages .sys[data-kind="leave"]')].some(e => e.dataset.from === "bob")`, "ann to see bob leave")
}

// TestChatPageAtChat loads the chat page at /chat, the path of its
// WebSocket endpoint, reloads it, and checks the old /chat/ still works and
// that a plain HTTP client still gets 426 there.
func TestChatPageAtChat(t *testing.T) {
	p := openTab(t, mainServer, "/chat")
	isChat := `location.pathname === "/chat" && !!document.getElementById("join") &&
		document.getElementById("nav-Chat").classList.contains("active")`
	p.wait(isChat, "the chat page at /chat")
	// A reload asks the server for /chat again, as a page.
	p.setValue("room", "reloaded")
	if err := chromedp.Do(p.ctx, chromedp.Reload()); err != nil {
		t.Fatalf("reload: %v", err)
	}
	p.waitLoaded()
	// A room typed but not joined is not remembered.
	p.wait(isChat+` && document.getElementById("room").value !== "reloaded"`, "the chat page after a reload")
	p.join("after-reload", "rita")

	// The console's navigation link leads to /chat too.
	c := openTab(t, mainServer, "/")
	if href := eval[string](c, `document.getElementById("nav-Chat").getAttribute("href")`); href != "/chat" {
		t.Errorf("the chat link is %q, want /chat", href)
	}

	old := openTab(t, mainServer, "/chat/")
	old.wait(`!!document.getElementById("join")`, "the chat page at /chat/")

	res, err := http.Get(mainServer.url + "/chat")
	if err != nil {
		t.Fatal(err)
	}
	body, _ := io.ReadAll(res.Body)
	res.Body.Close()
	if res.StatusCode != http.StatusUpgradeRequired || !strings.Contains(string(body), "WebSocket endpoint") {
		t.Errorf("plain GET /chat: %d %q, want 426", res.StatusCode, body)
	}
}

// TestChatRenameExplained joins a room under a name already taken there:
// the name field shows the name the server gave, and says why.
func TestChatRenameExplained(t *testing.T) {
	room := fmt.Sprintf("dup-%d", chatRuns)
	first := openTab(t, mainServer, "/chat")
	first.join(room, "dana")
	p := openTab(t, mainServer, "/chat")
	p.typeInto("room", room)
	p.typeInto("name", "dana")
	p.click("join")
	p.wait(fmt.Sprintf(`document.getElementById("chat-where").textContent.includes(%s)`, jsString("in "+room+" as dana-2")), "the welcome as dana-2")
	p.wait(`document.getElementById("name").value === "dana-2" && !document.getElementById("name-note").hidden &&
		document.getElementById("name-note").textContent.includes('"dana" is taken in this room')`, "the rename explained")
}

// TestChatLink opens /chat?room=..&name=..: the page fills the fields and
// joins; the next visit finds them remembered.
func TestChatLink(t *testing.T) {
	room := fmt.Sprintf("r9-%d", chatRuns)
	p := openTab(t, mainServer, "/chat?room="+room+"&name=zed")
	p.wait(fmt.Sprintf(`document.getElementById("chat-where").textContent.includes(%s) &&
		document.getElementById("room").value === %s`, jsString("in "+room+" as zed"), jsString(room)), "the link to join")
	next := openTab(t, mainServer, "/chat")
	next.wait(fmt.Sprintf(`document.getElementById("room").value === %s && document.getElementById("name").value === "zed"`, jsString(room)),
		"the remembered room and name")
}

// TestChatNewMessagesButton reads older messages while new ones come: the
// list stays put and a button counts them; clicking it scrolls to the end.
func TestChatNewMessagesButton(t *testing.T) {
	room := fmt.Sprintf("scroll-%d", chatRuns)
	ann := openTab(t, mainServer, "/chat")
	ann.join(room, "ann")
	bob := openTab(t, mainServer, "/chat")
	bob.join(room, "bob")
	for i := range 20 {
		bob.say(fmt.Sprintf("line %d", i))
	}
	ann.waitMessage("bob", "line 19")
	ann.wait(`(() => { const m = document.getElementById("messages"); return m.scrollHeight > m.clientHeight + 200; })()`, "a list taller than its box")
	eval[bool](ann, `(() => { document.getElementById("messages").scrollTop = 0; return true; })()`)
	bob.say("news")
	ann.waitMessage("bob", "news")
	ann.wait(`!!document.getElementById("chat-new") && document.getElementById("chat-new").textContent.includes("1 new message")`, "the new-messages button")
	if eval[int](ann, `document.getElementById("messages").scrollTop`) != 0 {
		t.Errorf("the list moved while scrolled up")
	}
	ann.click("chat-new")
	ann.wait(`!document.getElementById("chat-new")`, "the button to go")
	ann.wait(`(() => { const m = document.getElementById("messages");
		return m.scrollHeight - m.scrollTop - m.clientHeight < 48; })()`, "the list at its end")
}
