package e2e

import (
	"bytes"
	"compress/gzip"
	"io"
	"net/http"
	"net/url"
	"os"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"testing"

	"github.com/chromedp/chromedp"
)

// get fetches path from the main server with an Accept-Encoding header
// (none when empty) and returns the response with its body read.
func get(t *testing.T, path, acceptEncoding string) (*http.Response, []byte) {
	t.Helper()
	req, err := http.NewRequest(http.MethodGet, mainServer.url+path, nil)
	if err != nil {
		t.Fatal(err)
	}
	// Set the header ourselves: the transport would otherwise ask for gzip
	// and decompress behind our back.
	req.Header.Set("Accept-Encoding", acceptEncoding)
	if acceptEncoding == "" {
		req.Header.Set("Accept-Encoding", "identity")
	}
	res, err := http.DefaultTransport.RoundTrip(req)
	if err != nil {
		t.Fatal(err)
	}
	defer res.Body.Close()
	body, err := io.ReadAll(res.Body)
	if err != nil {
		t.Fatal(err)
	}
	return res, body
}

func TestWasmIsServedPrecompressed(t *testing.T) {
	raw, err := os.ReadFile(filepath.Join(webDir, "app.wasm"))
	if err != nil {
		t.Fatal(err)
	}
	for _, tc := range []struct {
		accept, want string
	}{
		{"gzip, deflate, br, zstd", "br"}, // what Chromium sends
		{"br;q=0.5, gzip;q=0.8", "gzip"},  // q-values decide
		{"gzip", "gzip"},
		{"br;q=0, gzip;q=0", ""},
		{"identity", ""},
		{"*", "br"},
	} {
		res, body := get(t, "/web/app.wasm", tc.accept)
		if res.StatusCode != http.StatusOK {
			t.Fatalf("Accept-Encoding %q: status %d", tc.accept, res.StatusCode)
		}
		if got := res.Header.Get("Content-Encoding"); got != tc.want {
			t.Errorf("Accept-Encoding %q: Content-Encoding %q, want %q", tc.accept, got, tc.want)
		}
		if got := res.Header.Get("Content-Length"); got != strconv.Itoa(len(body)) {
			t.Errorf("Accept-Encoding %q: Content-Length %q for a %d-byte body", tc.accept, got, len(body))
		}
		if !strings.Contains(res.Header.Get("Vary"), "Accept-Encoding") {
			t.Errorf("Accept-Encoding %q: Vary %q", tc.accept, res.Header.Get("Vary"))
		}
		if got := res.Header.Get("Content-Type"); got != "application/wasm" {
			t.Errorf("Content-Type %q", got)
		}
		if got := res.Header.Get("X-Wasm-Content-Length"); got != strconv.Itoa(len(raw)) {
			t.Errorf("X-Wasm-Content-Length %q, want %d", got, len(raw))
		}
		plain := body
		switch tc.want {
		case "gzip":
			zr, err := gzip.NewReader(bytes.NewReader(body))
			if err != nil {
				t.Fatal(err)
			}
			if plain, err = io.ReadAll(zr); err != nil {
				t.Fatal(err)
			}
		case "br":
			if len(body) >= len(raw)/3 {
				t.Errorf("brotli body is %d bytes for %d raw", len(body), len(raw))
			}
			continue // the standard library has no brotli decoder; the browser test decodes it
		}
		if !bytes.Equal(plain, raw) {
			t.Errorf("Accept-Encoding %q: the body is not app.wasm", tc.accept)
		}
	}
	t.Logf("app.wasm: %d bytes", len(raw))
}

// getPage fetches path from the main server as a browser navigation would
// (Accept: text/html) and returns the response with its body read.
func getPage(t *testing.T, path string) (*http.Response, []byte) {
	t.Helper()
	req, err := http.NewRequest(http.MethodGet, mainServer.url+path, nil)
	if err != nil {
		t.Fatal(err)
	}
	req.Header.Set("Accept", "text/html,application/xhtml+xml,application/xml;q=0.9,*/*;q=0.8")
	res, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer res.Body.Close()
	body, err := io.ReadAll(res.Body)
	if err != nil {
		t.Fatal(err)
	}
	return res, body
}

func TestPagesAreServedWithAVersion(t *testing.T) {
	for _, path := range []string{"/", "/chat", "/chat/"} {
		res, body := getPage(t, path)
		if res.StatusCode != http.StatusOK {
			t.Fatalf("GET %s: %d", path, res.StatusCode)
		}
		if !bytes.Contains(body, []byte(`id="main"`)) && !bytes.Contains(body, []byte(`class="content"`)) {
			t.Errorf("GET %s: the page is not prerendered", path)
		}
	}
	res, _ := get(t, "/nope", "")
	if res.StatusCode != http.StatusNotFound {
		t.Errorf("GET /nope: %d, want 404", res.StatusCode)
	}
	// The build version is in app.js and the service worker, and is not
	// go-app's per-start default: it survives a restart (it is a hash of
	// the files served).
	_, appJS := get(t, "/app.js", "")
	m := regexp.MustCompile(`"GOAPP_VERSION":"([^"]+)"`).FindSubmatch(appJS)
	if m == nil {
		t.Fatalf("no GOAPP_VERSION in app.js")
	}
	version := string(m[1])
	_, worker := get(t, "/app-worker.js", "")
	if !bytes.Contains(worker, []byte(version)) {
		t.Errorf("the service worker does not carry version %s", version)
	}
	srv, err := startServer()
	if err != nil {
		t.Fatal(err)
	}
	defer srv.stop()
	res2, err := http.Get(srv.url + "/app.js")
	if err != nil {
		t.Fatal(err)
	}
	appJS2, _ := io.ReadAll(res2.Body)
	res2.Body.Close()
	if !bytes.Contains(appJS2, []byte(`"GOAPP_VERSION":"`+version+`"`)) {
		t.Errorf("a restarted server serves another version than %s", version)
	}
}

// TestNoExternalRequests loads both pages and checks that every resource
// the page and its service worker fetched came from the server.
func TestNoExternalRequests(t *testing.T) {
	for _, path := range []string{"/", "/chat"} {
		p := openTab(t, mainServer, path)
		urls := eval[[]string](p, `[location.href, ...performance.getEntriesByType("resource").map(e => e.name),
			...[...document.querySelectorAll("link[href], script[src], img[src]")].map(e => e.href || e.src)]`)
		if len(urls) < 5 {
			t.Fatalf("%s: only %d resources seen: %q", path, len(urls), urls)
		}
		for _, raw := range urls {
			u, err := url.Parse(raw)
			if err != nil {
				t.Errorf("%s: bad URL %q", path, raw)
				continue
			}
			if u.Host != mainServer.addr {
				t.Errorf("%s: request to another host: %s", path, raw)
			}
		}
		// The browser gets app.wasm compressed, and decodes it.
		wasm, err := chromedp.Run(p.ctx, chromedp.Evaluate[[]string](`fetch("/web/app.wasm", {cache: "no-store"}).then(async r =>
			[r.headers.get("Content-Encoding") ?? "", r.headers.get("Content-Length") ?? "", r.headers.get("X-Wasm-Content-Length") ?? "",
			 String((await r.arrayBuffer()).byteLength)])`, chromedp.EvalAwaitPromise))
		if err != nil {
			t.Fatal(err)
		}
		if enc, length, raw, decoded := wasm[0], wasm[1], wasm[2], wasm[3]; enc != "br" && enc != "gzip" || length == raw || decoded != raw {
			t.Errorf("%s: app.wasm arrived with Content-Encoding %q, Content-Length %s, raw %s, decoded %s bytes; want it compressed",
				path, enc, length, raw, decoded)
		} else {
			t.Logf("%s: the browser got app.wasm as %s, %s bytes for %s", path, enc, length, raw)
		}
		// The manifest names local icons only.
		manifest, err := chromedp.Run(p.ctx, chromedp.Evaluate[string](`fetch("/manifest.webmanifest").then(r => r.text())`, chromedp.EvalAwaitPromise))
		if err != nil {
			t.Fatal(err)
		}
		if strings.Contains(manifest, "http://") || strings.Contains(manifest, "https://") {
			t.Errorf("the manifest names another host: %s", manifest)
		}
	}
}

// An unknown path shows the app's own page: 404, what was not found, and a
// link back that works (a real click).
func TestUnknownPathShowsTheAppsNotFoundPage(t *testing.T) {
	ctx, cancel := chromedp.NewContext(browserCtx)
	defer cancel()
	res, err := chromedp.Run(ctx, chromedp.NavigateResponse(mainServer.url+"/no/such/page"))
	if err != nil {
		t.Fatal(err)
	}
	if res.Status != http.StatusNotFound {
		t.Errorf("status %d, want 404", res.Status)
	}
	p := &tab{t: t, ctx: ctx}
	p.waitLoaded()
	// The app takes over the prerendered page; its component learns the
	// path from OnNav, just after its first render.
	p.wait(`(document.getElementById("missing-path")?.textContent ?? "") === "/no/such/page"`, "the page to name the missing path")
	if got := eval[string](p, `[...document.querySelectorAll("h1")].map(e => e.textContent).join("|")`); got != "Page not found" {
		t.Errorf("h1: %q", got)
	}
	p.click("back-to-console")
	p.wait(`location.pathname === "/" && !!document.getElementById("connect")`, "the console after the click")
}
