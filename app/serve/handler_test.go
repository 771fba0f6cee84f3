//go:build !wasm

package serve

import (
	"bytes"
	"compress/gzip"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"testing"
)

// webDirWith writes a web directory with a fake app.wasm (compressible,
// like the real one) and the static files.
func webDirWith(t *testing.T, precompress bool) (string, []byte) {
	t.Helper()
	dir := t.TempDir()
	wasm := bytes.Repeat([]byte("\x00asm fake program "), 4096)
	files := map[string][]byte{
		"app.wasm":     wasm,
		"duplex.css":   []byte("body{}"),
		"icon.svg":     []byte("<svg/>"),
		"icon-192.png": []byte("png"),
		"icon-512.png": []byte("png"),
	}
	for name, data := range files {
		if err := os.WriteFile(filepath.Join(dir, name), data, 0o644); err != nil {
			t.Fatal(err)
		}
	}
	if precompress {
		if _, _, _, err := Precompress(filepath.Join(dir, "app.wasm"), 5); err != nil {
			t.Fatal(err)
		}
	}
	return dir, wasm
}

func quiet() *slog.Logger { return slog.New(slog.NewTextHandler(io.Discard, nil)) }

func newHandler(t *testing.T, dir string) *Handler {
	t.Helper()
	h, err := New(Options{WebDir: dir, Logger: quiet()})
	if err != nil {
		t.Fatal(err)
	}
	return h
}

func request(h http.Handler, method, path string, header map[string]string) *httptest.ResponseRecorder {
	req := httptest.NewRequest(method, path, nil)
	for k, v := range header {
		req.Header.Set(k, v)
	}
	rec := httptest.NewRecorder()
	h.ServeHTTP(rec, req)
	return rec
}

func TestWasmNegotiation(t *testing.T) {
	dir, wasm := webDirWith(t, true)
	h := newHandler(t, dir)
	for _, tc := range []struct {
		path, accept, encoding string
	}{
		{"/web/app.wasm", "gzip, deflate, br", "br"},
		{"/web/app.wasm", "gzip", "gzip"},
		{"/web/app.wasm", "br;q=0.1, gzip;q=0.9", "gzip"},
		{"/web/app.wasm", "", ""},
		{"/app.wasm", "br", "br"},
		{"/goapp.wasm", "gzip", "gzip"},
		{"/" + h.Version() + "/web/app.wasm", "br", "br"},
	} {
		rec := request(h, http.MethodGet, tc.path, map[string]string{"Accept-Encoding": tc.accept})
		res := rec.Result()
		body, _ := io.ReadAll(res.Body)
		if res.StatusCode != http.StatusOK {
			t.Fatalf("%s %q: %d", tc.path, tc.accept, res.StatusCode)
		}
		if got := res.Header.Get("Content-Encoding"); got != tc.encoding {
			t.Errorf("%s %q: Content-Encoding %q, want %q", tc.path, tc.accept, got, tc.encoding)
		}
		if got := res.Header.Get("Content-Length"); got != strconv.Itoa(len(body)) {
			t.Errorf("%s %q: Content-Length %s for %d bytes", tc.path, tc.accept, got, len(body))
		}
		if got := res.Header.Get(WasmLengthHeader); got != strconv.Itoa(len(wasm)) {
			t.Errorf("%s: %s = %s", tc.path, WasmLengthHeader, got)
		}
		if res.Header.Get("Vary") != "Accept-Encoding" || res.Header.Get("Content-Type") != "application/wasm" {
			t.Errorf("%s: Vary %q, Content-Type %q", tc.path, res.Header.Get("Vary"), res.Header.Get("Content-Type"))
		}
		coding := tc.encoding
		if coding == "" {
			coding = codingIdentity
		}
		plain := body
		if coding != codingIdentity {
			var err error
			if plain, err = decompress(coding, body); err != nil {
				t.Fatal(err)
			}
		}
		if !bytes.Equal(plain, wasm) {
			t.Errorf("%s %q: the body does not decode to app.wasm", tc.path, tc.accept)
		}
		// Revalidation with the ETag of that coding.
		etag := res.Header.Get("ETag")
		if !strings.Contains(etag, coding) {
			t.Errorf("ETag %s does not name the coding %s", etag, coding)
		}
		rec = request(h, http.MethodGet, tc.path, map[string]string{"Accept-Encoding": tc.accept, "If-None-Match": etag})
		if rec.Code != http.StatusNotModified || rec.Body.Len() != 0 {
			t.Errorf("revalidation: %d with %d bytes", rec.Code, rec.Body.Len())
		}
	}
	head := request(h, http.MethodHead, "/web/app.wasm", map[string]string{"Accept-Encoding": "gzip"})
	if head.Body.Len() != 0 || head.Header().Get("Content-Length") == "" {
		t.Errorf("HEAD: %d body bytes, Content-Length %q", head.Body.Len(), head.Header().Get("Content-Length"))
	}
	if rec := request(h, http.MethodPost, "/web/app.wasm", nil); rec.Code != http.StatusMethodNotAllowed {
		t.Errorf("POST: %d", rec.Code)
	}
}

func TestWasmWithoutPrecompressedCopies(t *testing.T) {
	dir, wasm := webDirWith(t, false)
	h := newHandler(t, dir)
	rec := request(h, http.MethodGet, "/web/app.wasm", map[string]string{"Accept-Encoding": "br, gzip"})
	if got := rec.Header().Get("Content-Encoding"); got != "gzip" {
		t.Fatalf("Content-Encoding %q: want gzip made at start when there is no .br", got)
	}
	zr, err := gzip.NewReader(rec.Body)
	if err != nil {
		t.Fatal(err)
	}
	if plain, _ := io.ReadAll(zr); !bytes.Equal(plain, wasm) {
		t.Error("gzip body is not app.wasm")
	}
}

func TestStaleCopiesAreNotServed(t *testing.T) {
	dir, _ := webDirWith(t, true)
	newer := bytes.Repeat([]byte("a new build "), 5000)
	if err := os.WriteFile(filepath.Join(dir, "app.wasm"), newer, 0o644); err != nil {
		t.Fatal(err)
	}
	if UpToDate(filepath.Join(dir, "app.wasm")) {
		t.Fatal("UpToDate with copies of an older build")
	}
	h := newHandler(t, dir)
	rec := request(h, http.MethodGet, "/web/app.wasm", map[string]string{"Accept-Encoding": "br, gzip"})
	if got := rec.Header().Get("Content-Encoding"); got != "gzip" {
		t.Fatalf("Content-Encoding %q with a stale .br", got)
	}
	plain, err := decompress(codingGzip, rec.Body.Bytes())
	if err != nil || !bytes.Equal(plain, newer) {
		t.Errorf("the stale .gz was served")
	}
	if _, _, _, err := Precompress(filepath.Join(dir, "app.wasm"), 5); err != nil {
		t.Fatal(err)
	}
	if !UpToDate(filepath.Join(dir, "app.wasm")) {
		t.Error("not UpToDate after Precompress")
	}
}

func TestMissingWasm(t *testing.T) {
	_, err := New(Options{WebDir: t.TempDir(), Logger: quiet()})
	if err == nil || !strings.Contains(err.Error(), "make wasm") {
		t.Errorf("New without app.wasm: %v", err)
	}
}

func TestPagesAndStaticFiles(t *testing.T) {
	dir, _ := webDirWith(t, true)
	h := newHandler(t, dir)
	for _, path := range []string{"/", "/chat", "/chat/"} {
		rec := request(h, http.MethodGet, path, nil)
		if rec.Code != http.StatusOK {
			t.Fatalf("GET %s: %d", path, rec.Code)
		}
		page := rec.Body.String()
		for _, want := range []string{`href="/web/duplex.css"`, `href="/web/icon.svg"`, `id="connect"`} {
			if path != "/" && want == `id="connect"` {
				want = `id="join"`
			}
			if !strings.Contains(page, want) {
				t.Errorf("GET %s lacks %s", path, want)
			}
		}
		// No resource from another host: only the empty og: metadata
		// (no Domain is configured) may name a scheme.
		for _, attr := range []string{`src="http`, `href="http`} {
			if strings.Contains(page, attr) {
				t.Errorf("GET %s loads from another host (%s)", path, attr)
			}
		}
	}
	// An unknown path gets the app's own page, with 404 and a way back.
	if rec := request(h, http.MethodGet, "/nowhere/else", nil); rec.Code != http.StatusNotFound ||
		!strings.HasPrefix(rec.Header().Get("Content-Type"), "text/html") ||
		!strings.Contains(rec.Body.String(), "Page not found") ||
		!strings.Contains(rec.Body.String(), `<code id="missing-path">/nowhere/else</code>`) ||
		!regexp.MustCompile(`<a (href="/" id="back-to-console"|id="back-to-console" href="/")>`).MatchString(rec.Body.String()) {
		t.Errorf("GET /nowhere/else: %d %s\n%s", rec.Code, rec.Header().Get("Content-Type"), rec.Body)
	}
	manifest := request(h, http.MethodGet, "/manifest.webmanifest", nil).Body.String()
	if strings.Contains(manifest, "http") || !strings.Contains(manifest, "/web/icon-512.png") {
		t.Errorf("manifest: %s", manifest)
	}
	appJS := request(h, http.MethodGet, "/app.js", nil).Body.String()
	if !strings.Contains(appJS, `"GOAPP_VERSION":"`+h.Version()+`"`) || !strings.Contains(appJS, WasmLengthHeader) {
		t.Errorf("app.js lacks the version or the length header")
	}
	if rec := request(h, http.MethodGet, "/web/duplex.css", nil); rec.Code != http.StatusOK || rec.Body.String() != "body{}" {
		t.Errorf("GET /web/duplex.css: %d %q", rec.Code, rec.Body.String())
	}
	for _, path := range []string{"/web/", "/web/../handler.go", "/web/nope.css"} {
		if rec := request(h, http.MethodGet, path, nil); rec.Code != http.StatusNotFound {
			t.Errorf("GET %s: %d, want 404", path, rec.Code)
		}
	}
}

func TestVersionFollowsTheFiles(t *testing.T) {
	dir, _ := webDirWith(t, true)
	v1 := newHandler(t, dir).Version()
	if v2 := newHandler(t, dir).Version(); v2 != v1 {
		t.Errorf("the version changed between starts: %s, %s", v1, v2)
	}
	if err := os.WriteFile(filepath.Join(dir, "duplex.css"), []byte("body{color:red}"), 0o644); err != nil {
		t.Fatal(err)
	}
	if v3 := newHandler(t, dir).Version(); v3 == v1 {
		t.Errorf("the version did not change with the stylesheet")
	}
	h, err := New(Options{WebDir: dir, Version: "v1.2.3", Logger: quiet()})
	if err != nil || h.Version() != "v1.2.3" {
		t.Errorf("Version option: %v, %v", h.Version(), err)
	}
}

func TestWebDirResolve(t *testing.T) {
	d := webDir{}
	for in, want := range map[string]string{
		"":                      "/",
		"/":                     "/",
		"/web/app.wasm":         "/web/app.wasm",
		"web/icon.svg":          "/web/icon.svg",
		"https://x.test/a":      "https://x.test/a",
		"/app.js":               "/app.js",
		"/manifest.webmanifest": "/manifest.webmanifest",
	} {
		if got := d.Resolve(in); got != want {
			t.Errorf("Resolve(%q) = %q, want %q", in, got, want)
		}
	}
}
