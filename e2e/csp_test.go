package e2e

import (
	"context"
	"encoding/json"
	"fmt"
	"iter"
	"net/http"
	"net/http/httptest"
	"net/http/httputil"
	"net/url"
	"os"
	"path/filepath"
	"runtime"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/chromedp"

	"github.com/duplexgo/duplex/e2e/internal/cspecho/result"
	"github.com/duplexgo/duplex/e2e/internal/strictcsp"
)

// wsclient's default transport needs nothing the policy
// script-src 'self' 'wasm-unsafe-eval' forbids: a page served with exactly
// that header runs e2e/internal/cspecho against the real duplexd's /echo
// (through a same-origin reverse proxy), which echoes a text and a binary
// message and sees a clean close with 1000, with no violation at all.
func TestWsclientUnderStrictCSP(t *testing.T) {
	srv := newCSPEchoServer(t)
	ctx, cancel := chromedp.NewContext(browserCtx)
	defer cancel()
	csp, err := strictcsp.Watch(ctx)
	if err != nil {
		t.Fatal(err)
	}
	ctx, cancelTimeout := context.WithTimeout(ctx, loadTimeout)
	defer cancelTimeout()
	messages := chromedp.Console(ctx)
	res, err := chromedp.Run(ctx, chromedp.NavigateResponse(srv.URL+"/"))
	if err != nil {
		t.Fatal(err)
	}
	if got := res.Headers["Content-Security-Policy"]; got != "script-src 'self' 'wasm-unsafe-eval'" {
		t.Fatalf("the browser got Content-Security-Policy %q", got)
	}
	untilConsole(t, messages, csp, "cspecho: done")
	if err := csp.Err(); err != nil {
		t.Error(err)
	}

	raw, err := chromedp.Run(ctx, chromedp.Evaluate[string](`document.getElementById("result").textContent`))
	if err != nil {
		t.Fatal(err)
	}
	var r result.Result
	if err := json.Unmarshal([]byte(raw), &r); err != nil {
		t.Fatalf("the page's result %q: %v", raw, err)
	}
	t.Logf("result: %s", raw)
	if r.Error != "" {
		t.Fatalf("the program failed: %s", r.Error)
	}
	if r.Protocol != "echo" {
		t.Errorf("protocol %q, want echo", r.Protocol)
	}
	if r.TextType != "text" || r.Text != result.Text {
		t.Errorf("text echo: %s %q", r.TextType, r.Text)
	}
	if r.BinaryType != "binary" || !slices.Equal(r.Binary, result.Binary) {
		t.Errorf("binary echo: %s % x, want binary % x", r.BinaryType, r.Binary, result.Binary)
	}
	if r.CloseCode != 1000 || r.CloseReason != result.CloseReason || !r.WasClean {
		t.Errorf("close: code %d reason %q wasClean %v, want 1000 %q true", r.CloseCode, r.CloseReason, r.WasClean, result.CloseReason)
	}
	// The server saw the same connection: two messages each way, closed by
	// the client with 1000.
	line := waitLogLine(t, mainServer, `msg="websocket close"`, `reason="`+result.CloseReason+`"`)
	for _, want := range []string{"path=/echo", "code=1000", "by=client", "msgs_in=2", "msgs_out=2"} {
		if !strings.Contains(line, want) {
			t.Errorf("server's close line lacks %s: %s", want, line)
		}
	}

	// The policy is enforced on this page, and a violation would have been
	// seen: new Function in a script of the page (DevTools' own evaluation
	// is exempt) fails, and is reported.
	messages = chromedp.Console(ctx)
	if err := chromedp.Do(ctx, chromedp.Evaluate[chromedp.Void](
		`document.head.appendChild(Object.assign(document.createElement("script"), {src: "/probe.js"}))`)); err != nil {
		t.Fatal(err)
	}
	if got := untilConsole(t, messages, csp, "cspecho: probed: "); got != "EvalError" {
		t.Errorf("new Function on the page: %s, want EvalError", got)
	}
	if vs := csp.Violations(); len(vs) != 1 || vs[0].BlockedURI != "eval" || vs[0].Directive != "script-src" {
		t.Errorf("after new Function: violations %v, want one: script-src blocking eval", vs)
	}
}

// untilConsole reads the console until a message starts with prefix, and
// returns the rest of it. The watcher records the violations reported
// meanwhile.
func untilConsole(t *testing.T, messages iter.Seq2[chromedp.ConsoleMessage, error], csp *strictcsp.Watcher, prefix string) string {
	t.Helper()
	for m, err := range messages {
		if err != nil {
			t.Fatalf("waiting for %q on the console: %v (violations: %v)", prefix, err, csp.Violations())
		}
		if v, ok := csp.Observe(m); ok {
			t.Logf("the page reports a violation: %s", v)
			continue
		}
		if rest, ok := strings.CutPrefix(m.Text, prefix); ok {
			return rest
		}
		t.Logf("console %s: %s", m.Type, m.Text)
	}
	t.Fatalf("the console ended before %q", prefix)
	return ""
}

// newCSPEchoServer serves e2e/internal/cspecho's page on 127.0.0.1 under the
// strict policy, with /echo proxied to the main duplexd.
func newCSPEchoServer(t *testing.T) *httptest.Server {
	t.Helper()
	dir := filepath.Join(repoRoot, "e2e", "internal", "cspecho")
	wasm := filepath.Join(t.TempDir(), "cspecho.wasm")
	if err := goCmd([]string{"GOOS=js", "GOARCH=wasm"}, "build", "-o", wasm, "./e2e/internal/cspecho"); err != nil {
		t.Fatal(err)
	}
	read := func(path string) []byte {
		b, err := os.ReadFile(path)
		if err != nil {
			t.Fatal(err)
		}
		return b
	}
	files := map[string][]byte{
		"/":             read(filepath.Join(dir, "index.html")),
		"/main.js":      read(filepath.Join(dir, "main.js")),
		"/wasm_exec.js": read(filepath.Join(runtime.GOROOT(), "lib", "wasm", "wasm_exec.js")),
		"/csp-watch.js": strictcsp.WatchJS,
		"/cspecho.wasm": read(wasm),
		"/probe.js": []byte(`let r = "allowed";
try { new Function("return 1"); } catch (e) { r = e.name; }
cspWatch.flush();
console.log("cspecho: probed: " + r);`),
	}
	duplexd, err := url.Parse(mainServer.url)
	if err != nil {
		t.Fatal(err)
	}
	mux := http.NewServeMux()
	mux.Handle("/echo", httputil.NewSingleHostReverseProxy(duplexd))
	mux.HandleFunc("/favicon.ico", func(w http.ResponseWriter, r *http.Request) {
		w.WriteHeader(http.StatusNoContent)
	})
	mux.HandleFunc("/", func(w http.ResponseWriter, r *http.Request) {
		body, ok := files[r.URL.Path]
		if !ok {
			http.NotFound(w, r)
			return
		}
		switch ext := filepath.Ext(r.URL.Path); ext {
		case ".js":
			w.Header().Set("Content-Type", "text/javascript")
		case ".wasm":
			w.Header().Set("Content-Type", "application/wasm")
		default:
			w.Header().Set("Content-Type", "text/html; charset=utf-8")
			strictcsp.SetHeader(w.Header())
		}
		w.Header().Set("Cache-Control", "no-store")
		w.Write(body)
	})
	srv := httptest.NewServer(mux)
	t.Cleanup(srv.Close)
	return srv
}

// waitLogLine waits for a line of the server's log that holds every part,
// and returns it.
func waitLogLine(t *testing.T, s *server, parts ...string) string {
	t.Helper()
	deadline := time.Now().Add(waitTimeout)
	for {
		for line := range strings.Lines(s.log.String()) {
			if !slices.ContainsFunc(parts, func(p string) bool { return !strings.Contains(line, p) }) {
				return strings.TrimSpace(line)
			}
		}
		if time.Now().After(deadline) {
			t.Fatalf("no line of the server's log holds all of %q:\n%s", parts, s.log)
		}
		time.Sleep(50 * time.Millisecond)
	}
}

// The app as duplexd serves it, with the strict policy added to every
// response by a same-origin reverse proxy (the server itself sends none):
// the console page loads, connects to /echo and echoes a message, and the
// chat page loads, joins a room and posts, with no violation. go-app's page loads only script files
// (wasm_exec.js, app.js, app-worker.js); the page has no watcher script, so
// DevTools' issues are the evidence.
func TestAppUnderStrictCSP(t *testing.T) {
	duplexd, err := url.Parse(mainServer.url)
	if err != nil {
		t.Fatal(err)
	}
	proxy := httputil.NewSingleHostReverseProxy(duplexd)
	proxy.ModifyResponse = func(res *http.Response) error {
		strictcsp.SetHeader(res.Header)
		return nil
	}
	srv := httptest.NewServer(proxy)
	defer srv.Close()

	ctx, cancel := chromedp.NewContext(browserCtx)
	defer cancel()
	csp, err := strictcsp.Watch(ctx)
	if err != nil {
		t.Fatal(err)
	}
	res, err := chromedp.Run(ctx, chromedp.NavigateResponse(srv.URL+"/"))
	if err != nil {
		t.Fatal(err)
	}
	if got := res.Headers["Content-Security-Policy"]; got != strictcsp.Policy {
		t.Fatalf("the browser got Content-Security-Policy %q", got)
	}
	p := &tab{t: t, ctx: ctx}
	p.waitLoaded()
	t.Logf("the page's scripts: %v", eval[[]string](p, `[...document.scripts].map(s => s.src || "inline: " + s.textContent.slice(0, 40))`))
	p.connect("echo")
	p.typeInto("text", "hello under a strict CSP")
	p.click("send-text")
	p.wait(logHas(`[data-kind="text"][data-dir="in"]`, "hello under a strict CSP"), "the echo in the log")
	if err := chromedp.Do(ctx, chromedp.Navigate(srv.URL+"/chat")); err != nil {
		t.Fatal(err)
	}
	p.waitLoaded()
	p.join(fmt.Sprintf("csp-%d", time.Now().UnixNano()), "csp")
	p.say("hello under a strict CSP")
	p.waitMessage("csp", "hello under a strict CSP")
	// DevTools reports an issue a moment after the violation.
	time.Sleep(time.Second)
	if err := csp.Err(); err != nil {
		t.Error(err)
	}

	// A violation on this page would have been seen: a script from a data:
	// URL is blocked, and DevTools reports it.
	if err := chromedp.Do(ctx, chromedp.Evaluate[chromedp.Void](
		`document.head.appendChild(Object.assign(document.createElement("script"), {src: "data:text/javascript,0"}))`)); err != nil {
		t.Fatal(err)
	}
	var vs []strictcsp.Violation
	for deadline := time.Now().Add(waitTimeout); len(vs) == 0 && time.Now().Before(deadline); time.Sleep(50 * time.Millisecond) {
		vs = csp.Violations()
	}
	if len(vs) != 1 || vs[0].Directive != "script-src-elem" || !strings.HasPrefix(vs[0].BlockedURI, "data") {
		t.Errorf("after a data: script: violations %v, want one: script-src-elem blocking data", vs)
	}
	t.Logf("the deliberate violation: %v", vs)
}
