package e2e

import (
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/chromedp/chromedp"
)

// logHas returns a predicate that is true when the event log has an entry
// matching the CSS attribute selector sel whose preview contains text.
func logHas(sel, text string) string {
	return fmt.Sprintf(`[...document.querySelectorAll(%s)].some(e => e.querySelector(".preview").textContent.includes(%s))`,
		jsString("#log .entry"+sel), jsString(text))
}

// recordStates installs an observer that records every text #state shows,
// in order, in window.__states.
func (p *tab) recordStates(id string) {
	p.t.Helper()
	eval[bool](p, fmt.Sprintf(`(() => {
		window.__states = [];
		const rec = () => {
			const e = document.getElementById(%q);
			const v = e ? e.textContent.trim() : "";
			if (window.__states[window.__states.length - 1] !== v) window.__states.push(v);
		};
		rec();
		new MutationObserver(rec).observe(document.body, {subtree: true, childList: true, characterData: true, attributes: true});
		return true;
	})()`, id))
}

// connect connects the console to the server's /echo, offering protocols,
// and waits for OPEN. It checks that CONNECTING was shown first.
func (p *tab) connect(protocols string) {
	p.t.Helper()
	p.wait(`document.getElementById("url").value.startsWith("ws://")`, "the default URL")
	if protocols != "" {
		p.typeInto("protocols", protocols)
	}
	p.recordStates("state")
	p.click("connect")
	p.wait(`document.getElementById("state").textContent.trim() === "OPEN"`, "readyState OPEN")
	states := eval[[]string](p, `window.__states`)
	i := indexOf(states, "CONNECTING")
	if i < 0 || indexOf(states[i:], "OPEN") < 0 {
		p.t.Fatalf("readyState shown: %q; want CONNECTING, then OPEN", states)
	}
}

func indexOf(list []string, s string) int {
	for i, v := range list {
		if v == s {
			return i
		}
	}
	return -1
}

func TestConsoleConnectAndEcho(t *testing.T) {
	p := openTab(t, mainServer, "/")
	p.wait(fmt.Sprintf(`document.getElementById("url").value === %q`, "ws://"+mainServer.addr+"/echo"),
		"the URL to default to this origin's /echo")
	p.connect("echo")
	if got := p.text("protocol"); got != "echo" {
		t.Errorf("#protocol = %q, want echo", got)
	}
	if got := p.text("transport"); got != "WebSocket" {
		t.Errorf("#transport = %q without a proxy, want WebSocket", got)
	}
	if got := p.text("extensions"); got == "" {
		t.Errorf("#extensions is empty; want the negotiated extensions or a dash")
	}
	p.wait(logHas(`[data-kind="open"]`, "open"), "the open event in the log")

	// Text echo.
	p.typeInto("text", "hello, duplex ✓")
	p.click("send-text")
	p.wait(logHas(`[data-kind="text"][data-dir="out"]`, "hello, duplex ✓"), "the sent text in the log")
	p.wait(logHas(`[data-kind="text"][data-dir="in"]`, "hello, duplex ✓"), "the echoed text in the log")
	p.wait(`+document.getElementById("rtt").dataset.count >= 1`, "a round-trip time")
	if rtt := p.text("rtt"); !strings.Contains(rtt, "ms") && !strings.Contains(rtt, " s") {
		t.Errorf("#rtt = %q, want a duration", rtt)
	}

	// Binary echo from hex.
	p.typeInto("hex", "de ad be ef 00 ff")
	p.click("send-hex")
	p.wait(logHas(`[data-kind="binary"][data-dir="in"][data-size="6"]`, "de ad be ef 00 ff"), "the echoed bytes in the log")

	// Invalid hex is shown next to the field, and kept.
	p.typeInto("hex", "de ad zz")
	p.click("send-hex")
	p.wait(`!document.getElementById("hex-error").hidden && document.getElementById("hex-error").textContent.includes("not a hex digit")`, "the inline hex error")
	if v := eval[string](p, `document.getElementById("hex").value`); v != "de ad zz" {
		t.Errorf("#hex = %q after an error, want the input kept", v)
	}

	// Binary echo from a file.
	file := filepath.Join(t.TempDir(), "bytes.bin")
	data := make([]byte, 300)
	for i := range data {
		data[i] = byte(i)
	}
	if err := os.WriteFile(file, data, 0o644); err != nil {
		t.Fatal(err)
	}
	if err := chromedp.Do(p.ctx, chromedp.SetUploadFiles(chromedp.ID("file"), []string{file})); err != nil {
		t.Fatalf("choose file: %v", err)
	}
	p.wait(`(document.getElementById("file-info")?.textContent ?? "").includes("bytes.bin")`, "the chosen file")
	p.clickWhenEnabled("send-file")
	p.wait(logHas(`[data-kind="binary"][data-dir="in"][data-size="300"]`, "00 01 02 03"), "the echoed file in the log")

	// Counters: 3 messages each way (text, hex, file).
	p.wait(`+document.getElementById("msgs-in").dataset.value === 3 && +document.getElementById("msgs-out").dataset.value === 3`, "3 messages in and out")
	in, out := p.intData("bytes-in", "value"), p.intData("bytes-out", "value")
	want := int64(len("hello, duplex ✓") + 6 + 300)
	if in != want || out != want {
		t.Errorf("bytes in/out = %d/%d, want %d/%d", in, out, want, want)
	}

	// Clear empties the log.
	p.click("clear")
	p.wait(`document.querySelectorAll("#log .entry").length === 0`, "an empty log")
}

func TestConsoleBurst(t *testing.T) {
	p := openTab(t, mainServer, "/")
	p.connect("")
	// Record the largest bufferedAmount the page shows.
	eval[bool](p, `(() => {
		window.__maxBuffered = 0;
		const rec = () => {
			const v = +(document.getElementById("buffered")?.dataset.value ?? 0);
			if (v > window.__maxBuffered) window.__maxBuffered = v;
		};
		new MutationObserver(rec).observe(document.body, {subtree: true, childList: true, characterData: true, attributes: true});
		return true;
	})()`)
	const n, size = 200, 64 << 10
	p.typeInto("burst-n", fmt.Sprint(n))
	p.typeInto("burst-size", fmt.Sprint(size))
	p.click("send-burst")
	p.wait(`window.__maxBuffered > 0`, "bufferedAmount to rise above 0")
	p.wait(fmt.Sprintf(`+document.getElementById("msgs-in").dataset.value === %d`, n), "every echo of the burst")
	p.wait(`+document.getElementById("buffered").dataset.value === 0`, "bufferedAmount to drain to 0")
	if peak := p.intData("buffered-peak", "value"); peak <= 0 {
		t.Errorf("bufferedAmount peak = %d, want > 0", peak)
	}
	if got := p.intData("bytes-in", "value"); got != n*size {
		t.Errorf("bytes in = %d, want %d", got, n*size)
	}
	t.Logf("largest bufferedAmount shown: %d bytes", eval[int64](p, `window.__maxBuffered`))
	// Each message is logged each way (the page shows the latest ones).
	if total := p.intData("log-count", "total"); total < 2*n {
		t.Errorf("%d log events after a burst of %d echoed messages", total, n)
	}
	if got := p.text("state"); got != "OPEN" {
		t.Errorf("state after the burst = %q, want OPEN", got)
	}
}

func TestConsoleCloseWithCodeAndReason(t *testing.T) {
	p := openTab(t, mainServer, "/")
	p.connect("")
	p.typeInto("close-code", "4321")
	p.typeInto("close-reason", "done for today")
	p.click("close")
	p.wait(`document.getElementById("state").textContent.trim() === "CLOSED"`, "readyState CLOSED")
	p.wait(`[...document.querySelectorAll('#log .entry[data-kind="close"]')].some(e =>
		e.dataset.code === "4321" && e.dataset.reason === "done for today" && e.dataset.clean === "true")`,
		"the close entry with code 4321, the reason and wasClean")
	if !eval[bool](p, `document.getElementById("close-error").hidden`) {
		t.Errorf("#close-error shown after a valid close: %q", p.text("close-error"))
	}
	// Connect works again after a close.
	p.connect("")
}

func TestConsoleInvalidClose(t *testing.T) {
	p := openTab(t, mainServer, "/")
	p.connect("")

	// 1001 cannot be sent by a browser: the error is shown at once, and on
	// Close, and the connection stays open.
	p.typeInto("close-code", "1001")
	p.wait(`!document.getElementById("close-error").hidden && document.getElementById("close-error").textContent.includes("1001")`, "the inline error for 1001")
	p.click("close")
	if msg := p.text("close-error"); !strings.Contains(msg, "InvalidAccessError") {
		t.Errorf("#close-error = %q, want InvalidAccessError", msg)
	}
	if v := eval[string](p, `document.getElementById("close-code").value`); v != "1001" {
		t.Errorf("#close-code = %q, want the input kept", v)
	}
	if !eval[bool](p, `document.getElementById("close-code").classList.contains("invalid")`) {
		t.Errorf("#close-code is not marked invalid")
	}

	// A reason over 123 bytes.
	p.typeInto("close-code", "1000")
	p.wait(`document.getElementById("close-error").hidden`, "the code error to clear")
	p.setValue("close-reason", strings.Repeat("é", 62)) // 124 bytes
	p.wait(`!document.getElementById("close-error").hidden && document.getElementById("close-error").textContent.includes("124 bytes")`, "the inline error for a 124-byte reason")
	p.click("close")
	if got := p.text("state"); got != "OPEN" {
		t.Fatalf("state after invalid closes = %q, want OPEN", got)
	}
	if n := eval[int](p, `document.querySelectorAll('#log .entry[data-kind="close"]').length`); n != 0 {
		t.Errorf("%d close entries after invalid closes, want none", n)
	}

	// Fixing the reason closes.
	p.setValue("close-reason", strings.Repeat("é", 61)) // 122 bytes
	p.wait(`document.getElementById("close-error").hidden`, "the reason error to clear")
	p.click("close")
	p.wait(`document.querySelectorAll('#log .entry[data-kind="close"][data-code="1000"]').length === 1`, "the close entry")
}

// TestConsoleScreenshot leaves the console in a state worth a picture.
func TestConsoleScreenshot(t *testing.T) {
	p := openTab(t, mainServer, "/")
	p.connect("echo")
	p.typeInto("burst-n", "20")
	p.typeInto("burst-size", "4096")
	p.click("send-burst")
	p.wait(`+document.getElementById("msgs-in").dataset.value === 20`, "the burst's echoes")
	p.typeInto("text", "Hello from the duplex console")
	p.click("send-text")
	p.wait(`+document.getElementById("msgs-in").dataset.value === 21`, "the text's echo")
	p.typeInto("hex", "de ad be ef")
	p.click("send-hex")
	p.wait(`+document.getElementById("msgs-in").dataset.value === 22`, "the bytes' echo")
	p.typeInto("close-code", "1001")
	p.typeInto("close-reason", "see you")
	p.wait(`!document.getElementById("close-error").hidden`, "the inline error")
	p.screenshot("console")
}
