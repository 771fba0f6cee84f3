package strictcsp

import (
	"context"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/chromedp"

	"github.com/duplexgo/duplex/e2e/internal/chrome"
)

// pages are served under the policy; each says "done" on the console once
// cspWatch.flush() has run.
var pages = map[string]string{
	// An inline script above the watcher (seen by the Reporting API's
	// buffer), then new Function in a file of the page's origin.
	"/violating": `<!doctype html>
<script>document.title = "inline";</script>
<script src="/csp-watch.js"></script>
<script src="/eval.js"></script>`,
	"/eval.js": `try { new Function("return 1"); } catch (e) {}
cspWatch.flush();
console.log("done");`,

	// No watcher: only DevTools sees the inline script.
	"/unwatched": `<!doctype html>
<script>document.title = "inline";</script>
<script src="/done.js"></script>`,
	"/done.js": `console.log("done");`,

	"/clean": `<!doctype html>
<script src="/csp-watch.js"></script>
<script src="/clean.js"></script>`,
	"/clean.js": `WebAssembly.validate(new Uint8Array([0, 97, 115, 109, 1, 0, 0, 0]));
cspWatch.flush();
console.log("done");`,

	"/csp-watch.js": string(WatchJS),
}

func serve(w http.ResponseWriter, r *http.Request) {
	body, ok := pages[r.URL.Path]
	if !ok {
		http.NotFound(w, r)
		return
	}
	if strings.HasSuffix(r.URL.Path, ".js") {
		w.Header().Set("Content-Type", "text/javascript")
	} else {
		w.Header().Set("Content-Type", "text/html; charset=utf-8")
		SetHeader(w.Header())
	}
	w.Write([]byte(body))
}

// load opens path in a new tab of the browser, watched, and returns the
// watcher once the page has said "done".
func load(t *testing.T, browser context.Context, url string) *Watcher {
	t.Helper()
	tab, cancel := chromedp.NewContext(browser)
	defer cancel()
	w, err := Watch(tab)
	if err != nil {
		t.Fatal(err)
	}
	ctx, stop := context.WithTimeout(tab, time.Minute)
	defer stop()
	messages := chromedp.Console(ctx)
	if err := chromedp.Do(tab, chromedp.Navigate(url)); err != nil {
		t.Fatal(err)
	}
	for m, err := range messages {
		if err != nil {
			t.Fatalf("before the page said done: %v", err)
		}
		if v, ok := w.Observe(m); ok {
			t.Logf("page reported: %s", v)
			continue
		}
		if m.Text == "done" {
			break
		}
	}
	return w
}

func TestWatcher(t *testing.T) {
	if _, err := chrome.Path(); err != nil {
		t.Fatal(err)
	}
	ts := httptest.NewServer(http.HandlerFunc(serve))
	defer ts.Close()
	actx, cancelAlloc, err := chrome.NewAllocator(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	defer cancelAlloc()
	browser, cancelBrowser := chromedp.NewContext(actx)
	defer cancelBrowser()

	t.Run("violations", func(t *testing.T) {
		w := load(t, browser, ts.URL+"/violating")
		// DevTools' issues, which may come later, are the same two.
		time.Sleep(500 * time.Millisecond)
		vs := w.Violations()
		for _, v := range vs {
			t.Log(v)
		}
		if len(vs) != 2 {
			t.Fatalf("%d violations, want 2: the inline script and new Function", len(vs))
		}
		inline, eval := vs[0], vs[1]
		if inline.Via != "page" || inline.Directive != "script-src-elem" || inline.BlockedURI != "inline" ||
			inline.SourceFile != ts.URL+"/violating" || inline.Line != 2 {
			t.Errorf("first violation: %s; want the inline script at %s/violating:2", inline, ts.URL)
		}
		if eval.Via != "page" || eval.Directive != "script-src" || eval.BlockedURI != "eval" ||
			eval.SourceFile != ts.URL+"/eval.js" || eval.Line != 1 || eval.Disposition != "enforce" {
			t.Errorf("second violation: %s; want new Function in %s/eval.js:1", eval, ts.URL)
		}
		err := w.Err()
		if err == nil || !strings.Contains(err.Error(), `2 Content-Security-Policy violation(s) of "script-src 'self' 'wasm-unsafe-eval'"`) {
			t.Errorf("Err() = %v", err)
		}
	})

	t.Run("unwatched", func(t *testing.T) {
		w := load(t, browser, ts.URL+"/unwatched")
		var vs []Violation
		for deadline := time.Now().Add(10 * time.Second); len(vs) == 0 && time.Now().Before(deadline); time.Sleep(50 * time.Millisecond) {
			vs = w.Violations()
		}
		if len(vs) != 1 {
			t.Fatalf("violations %v, want the inline script, from DevTools", vs)
		}
		if v := vs[0]; v.Via != "devtools" || v.Directive != "script-src-elem" || v.BlockedURI != "inline" || v.SourceFile != ts.URL+"/unwatched" || v.Line != 2 {
			t.Errorf("%s; want the inline script at %s/unwatched:2, from DevTools", v, ts.URL)
		}
	})

	t.Run("clean", func(t *testing.T) {
		w := load(t, browser, ts.URL+"/clean")
		if err := w.Err(); err != nil {
			t.Error(err)
		}
	})
}
