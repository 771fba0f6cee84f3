package e2e

import (
	"fmt"
	"net/http"
	"testing"

	"github.com/duplexgo/duplex/wsclient/wstest"
)

// behindProxy starts a hostile proxy in front of the main server and
// returns it as a server to open tabs on.
func behindProxy(t *testing.T, mode wstest.HostileMode) *server {
	t.Helper()
	proxy, err := wstest.NewHostileProxy(mainServer.url, mode)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { proxy.Close() })
	return &server{addr: proxy.Addr(), url: proxy.URL()}
}

// TestConsoleThroughAStrippingProxy: a proxy answers every WebSocket
// handshake with 403 and lets plain HTTP through. The console still
// connects, over the HTTP fallback, says so, echoes, and closes with the
// code and reason given, as over a WebSocket.
func TestConsoleThroughAStrippingProxy(t *testing.T) {
	via := behindProxy(t, wstest.HostileMode{StripUpgrade: http.StatusForbidden})
	p := openTab(t, via, "/")
	if !eval[bool](p, `document.getElementById("fallback").checked`) {
		t.Fatal("the HTTP fallback box is not ticked by default")
	}
	p.connect("echo")
	p.wait(`document.getElementById("transport").textContent.startsWith("HTTP fallback")`, "the HTTP fallback shown as the transport")
	if got := p.text("protocol"); got != "echo" {
		t.Errorf("#protocol = %q over the fallback, want echo", got)
	}
	p.typeInto("text", "through the proxy ✓")
	p.click("send-text")
	p.wait(logHas(`[data-kind="text"][data-dir="in"]`, "through the proxy ✓"), "the echo over the fallback")
	p.typeInto("hex", "00 ff 10")
	p.click("send-hex")
	p.wait(logHas(`[data-kind="binary"][data-dir="in"][data-size="3"]`, "00 ff 10"), "the binary echo over the fallback")

	p.typeInto("close-code", "4321")
	p.typeInto("close-reason", "bye over HTTP")
	p.click("close")
	p.wait(`[...document.querySelectorAll('#log .entry[data-kind="close"]')].some(e =>
		e.dataset.code === "4321" && e.dataset.reason === "bye over HTTP" && e.dataset.clean === "true")`,
		"the close entry with code 4321, the reason and wasClean")

	// Unticked, the console is the browser's WebSocket alone: the proxy
	// stops it, and the failure is one explained entry.
	p.click("fallback")
	p.click("connect")
	p.wait(`document.getElementById("state").textContent.trim() === "CLOSED"`, "the failed connection")
	p.wait(logHas(`[data-kind="error"]`, "Could not connect"), "the failure explained")
}

// TestChatThroughAStrippingProxy: two members behind a proxy that refuses
// WebSocket handshakes with 502 chat over the HTTP fallback, and the chat
// says it runs over HTTP.
func TestChatThroughAStrippingProxy(t *testing.T) {
	via := behindProxy(t, wstest.HostileMode{StripUpgrade: http.StatusBadGateway})
	room := fmt.Sprintf("proxied-%d", chatRuns)
	join := func(name string) *tab {
		p := openTab(t, via, "/chat")
		p.typeInto("room", room)
		p.typeInto("name", name)
		p.click("join")
		p.wait(`document.getElementById("chat-state").textContent.trim() === "OPEN · over HTTP"`, "the chat OPEN over HTTP")
		p.wait(fmt.Sprintf(`document.getElementById("chat-where").textContent.includes(%s)`, jsString("in "+room+" as "+name)), "the welcome")
		return p
	}
	ann := join("ann")
	bob := join("bob")
	ann.waitMembers("ann", "bob")
	bob.say("hi ann, over HTTP")
	ann.waitMessage("bob", "hi ann, over HTTP")
	ann.say("hello bob ✓")
	bob.waitMessage("ann", "hello bob ✓")
}
