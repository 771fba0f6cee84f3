package e2e

import (
	"fmt"
	"testing"
	"time"

	"github.com/chromedp/chromedp"
)

// restartServer stops srv with SIGTERM, waits for it to exit, and starts a
// new server on the same address.
func restartServer(t *testing.T, srv *server, between func()) *server {
	t.Helper()
	if err := srv.terminate(); err != nil {
		t.Fatal(err)
	}
	if err := srv.wait(30 * time.Second); err != nil {
		t.Fatalf("duplexd after SIGTERM: %v\n%s", err, srv.log)
	}
	between()
	next, err := startServerAt(srv.addr)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(next.stop)
	return next
}

// ownServer starts a server for one test, stopped at its end.
func ownServer(t *testing.T) *server {
	t.Helper()
	srv, err := startServer()
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(srv.stop)
	return srv
}

// TestConsoleSurvivesServerRestart connects the console with auto-reconnect
// on, restarts the server on the same port, and watches the page recover by
// itself: the close 1001, "reconnecting" with the attempt, a message queued
// meanwhile, then OPEN again and echoes.
func TestConsoleSurvivesServerRestart(t *testing.T) {
	srv := ownServer(t)
	p := openTab(t, srv, "/")
	p.click("auto-reconnect")
	p.wait(`document.getElementById("auto-reconnect").checked`, "auto-reconnect to be on")
	p.connect("echo")
	p.wait(`document.getElementById("client-phase").textContent.trim() === "open"`, "the client to be open")
	if got := p.text("protocol"); got != "echo" {
		t.Errorf("#protocol = %q, want echo", got)
	}
	p.typeInto("text", "before the restart")
	p.click("send-text")
	p.wait(logHas(`[data-kind="text"][data-dir="in"]`, "before the restart"), "the first echo")

	restartServer(t, srv, func() {
		p.wait(`document.querySelectorAll('#log .entry[data-kind="close"][data-code="1001"]').length === 1`, "the close entry with 1001")
		p.wait(`document.getElementById("client-phase").textContent.trim() === "reconnecting" &&
			+document.getElementById("client-attempt").dataset.value >= 1`, "reconnecting, with the attempt")
		p.wait(logHas(`[data-kind="info"]`, "reconnecting: attempt"), "the reconnecting entry")
		if state := p.text("state"); state != "CLOSED" && state != "CONNECTING" {
			t.Errorf("readyState between connections = %q", state)
		}
		// Sent while the server is down: queued.
		p.typeInto("text", "while the server is down")
		p.clickWhenEnabled("send-text")
		p.wait(`+document.getElementById("client-queued").dataset.value === 1`, "the message to be queued")
		p.wait(`!!document.querySelector('#log .entry[data-kind="text"][data-dir="out"][data-queued="true"]')`, "the queued entry")
		p.wait(`!!document.getElementById("queued-hint")`, "the composer's note that sends are queued")
		p.screenshot("console-reconnecting")
	})

	p.wait(`document.getElementById("client-phase").textContent.trim() === "open" &&
		document.getElementById("state").textContent.trim() === "OPEN"`, "the page to recover: open, readyState OPEN")
	p.wait(logHas(`[data-kind="open"]`, "reconnected"), "the reconnect in the log")
	p.wait(logHas(`[data-kind="info"][data-dir="out"][data-queued="true"]`, "while the server is down"), "the queued message's flush")
	p.wait(logHas(`[data-kind="text"][data-dir="in"]`, "while the server is down"), "the queued message's echo")
	if eval[bool](p, `!!document.getElementById("queued-hint")`) {
		t.Errorf("#queued-hint shown while open")
	}
	// #client-queued is wsclient's ClientStats.Queued: the queued message
	// has left, so nothing waits any more.
	p.wait(`+document.getElementById("client-queued").dataset.value === 0`, "the queue to empty")
	p.typeInto("text", "after the restart")
	p.click("send-text")
	p.wait(logHas(`[data-kind="text"][data-dir="in"]`, "after the restart"), "an echo after the restart")
	if got := p.text("protocol"); got != "echo" {
		t.Errorf("#protocol after the restart = %q, want echo", got)
	}
	p.wait(`+document.getElementById("msgs-in").dataset.value === 3`, "3 echoes in all")

	// Disconnect ends the client for good.
	p.click("disconnect")
	p.wait(`document.getElementById("client-phase").textContent.trim() === "closed" &&
		document.getElementById("state").textContent.trim() === "CLOSED"`, "the client to end")
	p.wait(`document.querySelectorAll('#log .entry[data-kind="close"][data-code="1000"]').length === 1`, "the close entry with 1000")
}

// TestChatSurvivesServerRestart posts, restarts the server on the same
// port, posts while it is down and after it is back: every message is shown
// once.
func TestChatSurvivesServerRestart(t *testing.T) {
	srv := ownServer(t)
	p := openTab(t, srv, "/chat")
	p.join("restart", "rex")
	p.say("before the restart")
	p.waitMessage("rex", "before the restart")

	restartServer(t, srv, func() {
		p.wait(`document.getElementById("chat-state").textContent.trim().startsWith("reconnecting (attempt ")`, "the chat to show it is reconnecting")
		p.wait(`document.getElementById("chat-error").textContent.includes("1001")`, "the chat to show 1001")
		p.say("while the server is down")
		p.wait(`[...document.querySelectorAll('#messages .msg.mine[data-status="pending"] .text')].some(e => e.textContent === "while the server is down")`,
			"the message shown at once as pending")
	})

	p.wait(`document.getElementById("chat-state").textContent.trim() === "OPEN"`, "the chat to be OPEN again")
	p.wait(`document.getElementById("chat-where").textContent.includes("in restart as rex")`, "the chat to rejoin as rex")
	p.waitMessage("rex", "while the server is down")
	p.wait(`document.querySelectorAll('#messages .msg[data-status="pending"], #messages .msg[data-status="failed"]').length === 0`, "no message left pending")
	p.say("after the restart")
	p.waitMessage("rex", "after the restart")
	p.waitMembers("rex")
	for _, text := range []string{"before the restart", "while the server is down", "after the restart"} {
		n := eval[int](p, fmt.Sprintf(`[...document.querySelectorAll('#messages .msg .text')].filter(e => e.textContent === %s).length`, jsString(text)))
		if n != 1 {
			t.Errorf("%q is shown %d times, want once", text, n)
		}
	}
	if !eval[bool](p, `document.getElementById("chat-error").hidden`) {
		t.Errorf("an error is still shown: %q", p.text("chat-error"))
	}
}

// A message the client gives up is never lost: posted while the server is
// down, then the user leaves, it is marked failed with a Retry button; once
// the server is back and the user has joined again, a click on Retry sends
// it, and it is confirmed in place, once.
func TestChatRetryAfterFailure(t *testing.T) {
	srv := ownServer(t)
	p := openTab(t, srv, "/chat")
	p.join("retry", "rio")
	if err := srv.terminate(); err != nil {
		t.Fatal(err)
	}
	if err := srv.wait(30 * time.Second); err != nil {
		t.Fatalf("duplexd after SIGTERM: %v", err)
	}
	p.wait(`document.getElementById("chat-state").textContent.trim().startsWith("reconnecting (attempt ")`, "the chat to show it is reconnecting")
	p.say("given up, then retried")
	p.wait(`!!document.querySelector('#messages .msg.mine[data-status="pending"]')`, "the message pending")
	p.click("leave")
	p.wait(`!!document.querySelector('#messages .msg.mine[data-status="failed"] button.retry')`, "the message marked failed, with Retry")

	next, err := startServerAt(srv.addr)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(next.stop)
	p.clickWhenEnabled("join")
	p.wait(`document.getElementById("chat-state").textContent.trim() === "OPEN"`, "the chat OPEN again")
	if err := chromedp.Do(p.ctx, chromedp.Click(chromedp.CSS(`#messages .msg.mine[data-status="failed"] button.retry`))); err != nil {
		t.Fatalf("click Retry: %v", err)
	}
	p.waitMessage("rio", "given up, then retried")
	p.wait(`document.querySelectorAll('#messages .msg[data-status="pending"], #messages .msg[data-status="failed"]').length === 0`, "nothing left pending or failed")
	n := eval[int](p, `[...document.querySelectorAll('#messages .msg .text')].filter(e => e.textContent === "given up, then retried").length`)
	if n != 1 {
		t.Errorf("the retried message is shown %d times, want once", n)
	}
}
