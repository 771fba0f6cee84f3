//go:build !wasm

package serve

import (
	"bytes"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"io/fs"
	"log/slog"
	"net/http"
	"os"
	"path"
	"path/filepath"
	"strconv"
	"strings"

	"github.com/maxence-charriere/go-app/v10/pkg/app"

	"github.com/duplexgo/duplex/app/ui"
)

// Paths and names the app relies on.
const (
	// WasmFile is the app's program, in the web directory.
	WasmFile = "app.wasm"
	// wasmPath is the URL go-app's loader fetches the program from.
	wasmPath = "/web/" + WasmFile
	// WasmLengthHeader carries the uncompressed size of app.wasm, which
	// go-app's loader uses for its progress: Content-Length is the size of
	// the compressed body.
	WasmLengthHeader = "X-Wasm-Content-Length"
)

// Options configure the app's handler.
type Options struct {
	// WebDir is the directory of the static files served under /web/: the
	// stylesheet, the icons and app.wasm with its .br and .gz copies
	// (default "web").
	WebDir string
	// Version identifies the build: browsers (and go-app's service worker)
	// fetch the app again when it changes. Empty means a hash of the files
	// of WebDir, so that every new build gets a new version and restarts do
	// not.
	Version string
	// Logger receives a line about what is served. Nil means slog.Default().
	Logger *slog.Logger
}

// Handler serves the app: go-app's pages and resources, the files of the web
// directory under /web/, and app.wasm precompressed.
type Handler struct {
	app  *app.Handler
	wasm *wasmFile
	web  webDir
}

// New reads the web directory and returns the app's handler. It registers
// the app's routes (ui.Routes), so that go-app prerenders each page. It
// fails when app.wasm is missing: build it with make wasm.
func New(opts Options) (*Handler, error) {
	if opts.WebDir == "" {
		opts.WebDir = "web"
	}
	log := opts.Logger
	if log == nil {
		log = slog.Default()
	}
	dir, err := filepath.Abs(opts.WebDir)
	if err != nil {
		return nil, err
	}
	w, err := loadWasm(filepath.Join(dir, WasmFile), log)
	if err != nil {
		return nil, err
	}
	version := opts.Version
	if version == "" {
		if version, err = hashDir(dir); err != nil {
			return nil, err
		}
	}
	w.etag = version
	ui.Routes()
	web := webDir{dir: dir, files: http.FileServer(http.Dir(dir))}
	h := &Handler{
		wasm: w,
		web:  web,
		app: &app.Handler{
			Name:        "duplex",
			ShortName:   "duplex",
			Title:       "duplex — WebSocket console and chat",
			Description: "A live WebSocket console and a chat, written in Go with go-app and compiled to WebAssembly.",
			Lang:        "en",
			// Every resource is local: go-app's default icons load from
			// another host.
			Icon: app.Icon{
				Default:  "/web/icon-192.png",
				Large:    "/web/icon-512.png",
				Maskable: "/web/icon-512.png",
				SVG:      "/web/icon.svg",
			},
			Styles:                  []string{"/web/duplex.css"},
			Scripts:                 []string{"/web/theme.js"}, // the remembered theme, before the page is drawn
			BackgroundColor:         "#0f172a",
			ThemeColor:              "#0f172a",
			LoadingLabel:            "Loading duplex… {progress}%",
			Version:                 version,
			Resources:               web,
			WasmContentLengthHeader: WasmLengthHeader,
		},
	}
	log.Info("serving the app", "web", dir, "version", version,
		"wasm_bytes", len(w.raw), "wasm_br_bytes", len(w.br), "wasm_gzip_bytes", len(w.gz))
	return h, nil
}

// Version returns the build version the app is served with.
func (h *Handler) Version() string { return h.app.Version }

// ServeHTTP serves app.wasm itself, precompressed, and hands every other
// request to go-app.
func (h *Handler) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	if h.isWasm(r.URL.Path) {
		h.wasm.serve(w, r)
		return
	}
	if !ui.IsPage(r.URL.Path) {
		w = &notFoundWriter{ResponseWriter: w}
	}
	h.app.ServeHTTP(w, r)
}

// notFoundWriter turns the app's page for an unknown path (ui.NotFound,
// which go-app renders with 200 like any routed page) into a 404; go-app's
// other answers (its scripts, manifest, styles, /web/ files) pass unchanged.
type notFoundWriter struct {
	http.ResponseWriter
	wrote bool
}

// WriteHeader sends 404 instead of 200 for an HTML page.
func (w *notFoundWriter) WriteHeader(code int) {
	if !w.wrote && code == http.StatusOK && strings.HasPrefix(w.Header().Get("Content-Type"), "text/html") {
		code = http.StatusNotFound
	}
	w.wrote = true
	w.ResponseWriter.WriteHeader(code)
}

// Write sends the header first, as WriteHeader would.
func (w *notFoundWriter) Write(p []byte) (int, error) {
	if !w.wrote {
		w.WriteHeader(http.StatusOK)
	}
	return w.ResponseWriter.Write(p)
}

// Unwrap returns the wrapped ResponseWriter, for http.ResponseController.
func (w *notFoundWriter) Unwrap() http.ResponseWriter { return w.ResponseWriter }

// isWasm reports whether p is one of the paths go-app serves app.wasm at:
// /web/app.wasm (what its loader fetches), /app.wasm and /goapp.wasm
// (aliases), with or without the /VERSION prefix it accepts.
func (h *Handler) isWasm(p string) bool {
	p = strings.TrimPrefix(p, "/"+h.app.Version)
	return p == wasmPath || p == "/app.wasm" || p == "/goapp.wasm"
}

// webDir serves the web directory under /web/ for go-app (its Resources):
// Resolve keeps /web/ paths as they are, like app.LocalDir(""), whose
// resolution is the only one that works with another directory (LocalDir
// with a path would put that path into the URLs, breaking the one app.wasm
// is fetched from); ServeHTTP maps /web/NAME to a file of dir and refuses
// directory listings.
type webDir struct {
	dir   string
	files http.Handler
}

// Resolve returns the URL of a resource: /web/ paths and remote URLs are
// kept, "web/x" becomes "/web/x".
func (d webDir) Resolve(location string) string {
	switch {
	case location == "" || location == "/":
		return "/"
	case strings.HasPrefix(location, "http://"), strings.HasPrefix(location, "https://"):
		return location
	case strings.HasPrefix(location, "/web/"), location == "/web":
		return location
	case strings.HasPrefix(location, "web/"), location == "web":
		return "/" + location
	}
	return location
}

func (d webDir) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	_, rest, ok := strings.Cut(r.URL.Path, "/web/")
	if !ok || rest == "" || strings.HasSuffix(rest, "/") {
		http.NotFound(w, r)
		return
	}
	name := path.Clean("/" + rest)
	if fi, err := os.Stat(filepath.Join(d.dir, filepath.FromSlash(name))); err != nil || !fi.Mode().IsRegular() {
		http.NotFound(w, r)
		return
	}
	r2 := r.Clone(r.Context())
	r2.URL.Path = name
	r2.URL.RawPath = ""
	d.files.ServeHTTP(w, r2)
}

// wasmFile is app.wasm held in memory with its compressed copies.
type wasmFile struct {
	raw, br, gz []byte
	etag        string
}

// loadWasm reads app.wasm and its .br and .gz copies. A copy that is
// missing or does not decompress to app.wasm (left from an older build) is
// not served: gzip is then made in memory, brotli is skipped.
func loadWasm(p string, log *slog.Logger) (*wasmFile, error) {
	raw, err := os.ReadFile(p)
	if errors.Is(err, fs.ErrNotExist) {
		return nil, fmt.Errorf("%s is missing: build it with `make wasm`", p)
	}
	if err != nil {
		return nil, err
	}
	w := &wasmFile{raw: raw}
	for _, c := range []struct {
		coding string
		dst    *[]byte
	}{{codingBrotli, &w.br}, {codingGzip, &w.gz}} {
		file := p + map[string]string{codingBrotli: SuffixBrotli, codingGzip: SuffixGzip}[c.coding]
		data, err := os.ReadFile(file)
		if err != nil {
			log.Warn("no precompressed app.wasm; run `make wasm`", "file", file, "err", err)
			continue
		}
		plain, err := decompress(c.coding, data)
		if err != nil || !bytes.Equal(plain, raw) {
			log.Warn("stale precompressed app.wasm ignored; run `make wasm`", "file", file)
			continue
		}
		*c.dst = data
	}
	if w.gz == nil {
		if w.gz, err = CompressGzip(raw); err != nil {
			return nil, err
		}
	}
	return w, nil
}

// serve sends app.wasm in the coding the request prefers among brotli, gzip
// and identity, with Content-Encoding, Vary: Accept-Encoding and the
// Content-Length of what is sent (http.ServeContent would leave it out for
// an encoded body, and go-app's loader reads it). Each coding has its own
// ETag; a matching If-None-Match gets 304. Ranges are not offered.
func (f *wasmFile) serve(w http.ResponseWriter, r *http.Request) {
	if r.Method != http.MethodGet && r.Method != http.MethodHead {
		w.Header().Set("Allow", "GET, HEAD")
		http.Error(w, "method not allowed", http.StatusMethodNotAllowed)
		return
	}
	available := []string{codingBrotli, codingGzip, codingIdentity}
	if f.br == nil {
		available = available[1:]
	}
	coding := negotiateEncoding(r.Header.Get("Accept-Encoding"), available...)
	body := f.raw
	switch coding {
	case codingBrotli:
		body = f.br
	case codingGzip:
		body = f.gz
	}
	etag := strconv.Quote(f.etag + "-" + coding)
	h := w.Header()
	h.Add("Vary", "Accept-Encoding")
	h.Set("Cache-Control", "no-cache")
	h.Set("ETag", etag)
	if etagMatch(r.Header.Get("If-None-Match"), etag) {
		w.WriteHeader(http.StatusNotModified)
		return
	}
	h.Set("Content-Type", "application/wasm")
	h.Set("Accept-Ranges", "none")
	if coding != codingIdentity {
		h.Set("Content-Encoding", coding)
	}
	h.Set("Content-Length", strconv.Itoa(len(body)))
	h.Set(WasmLengthHeader, strconv.Itoa(len(f.raw)))
	w.WriteHeader(http.StatusOK)
	if r.Method == http.MethodGet {
		w.Write(body)
	}
}

// etagMatch reports whether an If-None-Match header lists etag (weakly
// compared, as RFC 9110 asks for If-None-Match) or is "*".
func etagMatch(header, etag string) bool {
	for _, t := range strings.Split(header, ",") {
		t = strings.TrimPrefix(strings.TrimSpace(t), "W/")
		if t == "*" || t == etag {
			return true
		}
	}
	return false
}

// hashDir returns a version for the files of dir: the first 16 hex digits
// of a SHA-256 over their names and contents (the .br and .gz copies of
// app.wasm excepted: they follow from it).
func hashDir(dir string) (string, error) {
	entries, err := os.ReadDir(dir)
	if err != nil {
		return "", err
	}
	sum := sha256.New()
	for _, e := range entries { // sorted by name
		name := e.Name()
		if !e.Type().IsRegular() || name == WasmFile+SuffixBrotli || name == WasmFile+SuffixGzip || strings.HasSuffix(name, ".tmp") {
			continue
		}
		data, err := os.ReadFile(filepath.Join(dir, name))
		if err != nil {
			return "", err
		}
		fmt.Fprintf(sum, "%s\x00%d\x00", name, len(data))
		sum.Write(data)
	}
	return hex.EncodeToString(sum.Sum(nil))[:16], nil
}
