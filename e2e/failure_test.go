package e2e

import (
	"fmt"
	"strings"
	"testing"
)

// failedEntries returns the text of the log's error entries that explain a
// failed connection, and checks that the connection attempt produced no
// separate close entry.
func (p *tab) failedEntries() []string {
	p.t.Helper()
	if n := eval[int](p, `document.querySelectorAll('#log .entry[data-kind="close"]').length`); n != 0 {
		p.t.Errorf("%d close entries besides the failure's one entry", n)
	}
	return eval[[]string](p, `[...document.querySelectorAll('#log .entry[data-kind="error"]')].map(e => e.querySelector(".preview").textContent)`)
}

// connectTo types a URL (and subprotocols) and clicks Connect.
func (p *tab) connectTo(url, protocols string) {
	p.t.Helper()
	p.wait(`document.getElementById("url").value.startsWith("ws://")`, "the default URL")
	p.typeInto("url", url)
	if protocols != "" {
		p.typeInto("protocols", protocols)
	}
	p.click("connect")
}

// waitFailure waits for the one entry of a failed connection (code 1006,
// not clean) that contains text, and returns the error entries.
func (p *tab) waitFailure(text string) []string {
	p.t.Helper()
	p.wait(`document.getElementById("state").textContent.trim() === "CLOSED"`, "readyState CLOSED")
	p.wait(fmt.Sprintf(`[...document.querySelectorAll('#log .entry[data-kind="error"][data-code="1006"][data-clean="false"]')].some(e =>
		e.querySelector(".preview").textContent.includes(%s))`, jsString(text)), "the failure's entry: "+text)
	entries := p.failedEntries()
	if len(entries) != 1 {
		p.t.Errorf("error entries = %q, want exactly one", entries)
	}
	p.t.Logf("the entry: %s", entries)
	return entries
}

// Nothing listens: one entry naming the URL and saying nothing answers.
func TestConsoleFailureNothingListening(t *testing.T) {
	addr, err := freeAddr()
	if err != nil {
		t.Fatal(err)
	}
	url := "ws://" + addr + "/x"
	p := openTab(t, mainServer, "/")
	p.connectTo(url, "")
	got := p.waitFailure("Could not connect to " + url + ": nothing answers at that address")
	if !strings.Contains(got[0], "DevTools → Network → WS") {
		t.Errorf("entry = %q, want the pointer to DevTools", got[0])
	}
}

// A path with no endpoint: the probe gets 404.
func TestConsoleFailureNoEndpoint(t *testing.T) {
	p := openTab(t, mainServer, "/")
	p.connectTo("ws://"+mainServer.addr+"/nope", "")
	p.waitFailure("no WebSocket endpoint at that path")
}

// /echo negotiates only "echo": offered "nope", it answers the handshake
// without a subprotocol, which the browser must reject (it offered one), so
// the connection fails with 1006. The probe finds the endpoint (426), opens
// it offering nothing, and says the offer was refused.
func TestConsoleFailureSubprotocolRefused(t *testing.T) {
	p := openTab(t, mainServer, "/")
	p.connectTo("ws://"+mainServer.addr+"/echo", "nope")
	p.waitFailure("the server accepted no offered subprotocol (offered: nope)")
}

// A port browsers block: refused next to the URL, nothing dialed.
func TestConsoleFailureBlockedPort(t *testing.T) {
	p := openTab(t, mainServer, "/")
	p.connectTo("ws://127.0.0.1:6000/x", "")
	p.wait(`!document.getElementById("connect-error").hidden &&
		document.getElementById("connect-error").textContent.includes("refuse to connect to port 6000")`, "the inline error for port 6000")
	if got := p.text("state"); got != "—" {
		t.Errorf("#state = %q, want — (no connection)", got)
	}
	if n := eval[int](p, `document.querySelectorAll('#log .entry').length`); n != 0 {
		t.Errorf("%d log entries, want none: nothing was tried", n)
	}
}

// With auto-reconnect, the first failed attempt is explained too, in its
// one entry with the next try; the client then keeps trying until stopped.
func TestConsoleFailureWithAutoReconnect(t *testing.T) {
	p := openTab(t, mainServer, "/")
	p.wait(`document.getElementById("url").value.startsWith("ws://")`, "the default URL")
	p.typeInto("url", "ws://"+mainServer.addr+"/nope")
	p.click("auto-reconnect")
	p.click("connect")
	p.wait(`[...document.querySelectorAll('#log .entry[data-kind="error"][data-code="1006"]')].some(e => {
		const t = e.querySelector(".preview").textContent;
		return t.includes("no WebSocket endpoint at that path") && t.includes("reconnecting: attempt 1 in");
	})`, "the explained first attempt")
	p.click("disconnect")
	p.wait(`document.getElementById("client-phase").textContent.trim() === "closed"`, "the client closed")
}
