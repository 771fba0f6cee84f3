// Command wasmexec runs a GOOS=js GOARCH=wasm test binary inside headless
// Chromium, for `go test -exec`:
//
//	GOOS=js GOARCH=wasm go test -exec=$PWD/bin/wasmexec ./wsclient/
//
// Installed as go_js_wasm_exec on $PATH, `go test` finds it by itself.
// It serves the binary, Go's wasm_exec.js and a page that runs them from an
// HTTP server on 127.0.0.1, together with the WebSocket endpoints the tests
// connect to (package wsclient/wstest), relays the program's standard output and
// error, and exits with the program's exit code.
//
// The page is served with exactly the header
//
//	Content-Security-Policy: script-src 'self' 'wasm-unsafe-eval'
//
// (no eval, no new Function, no inline script: what Go's wasm_exec.js needs
// and no more). Any violation of it is printed — directive, blocked URI,
// source file and line, sample — and fails the run, with exit code 1 when
// the program itself exited 0 (package e2e/internal/strictcsp).
//
// The browser is $CHROME, or /usr/bin/chromium. WASMEXEC_TIMEOUT (a Go
// duration, default 30m) bounds the whole run.
package main

import (
	"context"
	_ "embed"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"log"
	"net"
	"net/http"
	"os"
	"path/filepath"
	"runtime"
	"strconv"
	"strings"
	"time"

	"github.com/chromedp/chromedp"

	"github.com/duplexgo/duplex/e2e/internal/chrome"
	"github.com/duplexgo/duplex/e2e/internal/strictcsp"
	"github.com/duplexgo/duplex/wsclient/wstest"
)

var (
	//go:embed page.html
	pageHTML []byte
	//go:embed memfs.js
	memfsJS []byte
	//go:embed run.js
	runJS []byte
)

// Markers the page puts before console text: stdout, stderr, exit code.
const (
	markStdout = "\x01o"
	markStderr = "\x01e"
	markExit   = "\x01x"
)

func main() {
	log.SetFlags(0)
	log.SetPrefix("wasmexec: ")
	if len(os.Args) < 2 {
		log.Fatal("usage: wasmexec test-binary [args...]")
	}
	timeout := 30 * time.Minute
	if s := os.Getenv("WASMEXEC_TIMEOUT"); s != "" {
		d, err := time.ParseDuration(s)
		if err != nil {
			log.Fatalf("WASMEXEC_TIMEOUT: %v", err)
		}
		timeout = d
	}
	ctx, cancel := context.WithTimeout(context.Background(), timeout)
	code, err := run(ctx, os.Args[1], os.Args[2:], os.Stdout, os.Stderr)
	cancel()
	if err != nil {
		log.Print(err)
		if code == 0 {
			code = 1
		}
	}
	os.Exit(code)
}

// config is what the page fetches to start the program.
type config struct {
	Argv []string          `json:"argv"`
	Env  map[string]string `json:"env"`
}

// run serves the binary, opens the page in a new headless Chromium and
// relays its output until the program exits; it returns the exit code. A
// violation of the page's Content-Security-Policy makes the error non-nil.
func run(ctx context.Context, binary string, args []string, stdout, stderr io.Writer) (int, error) {
	wasmExecJS, err := os.ReadFile(filepath.Join(runtime.GOROOT(), "lib", "wasm", "wasm_exec.js"))
	if err != nil {
		return 1, fmt.Errorf("reading Go's wasm_exec.js: %w", err)
	}
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return 1, err
	}
	defer ln.Close()
	origin := "http://" + ln.Addr().String()
	// A fault-injecting proxy in front of the same endpoints, driven by the
	// tests through /proxy/.
	proxy, err := wstest.NewProxy(ln.Addr().String())
	if err != nil {
		return 1, err
	}
	defer proxy.Close()

	cfg := config{
		Argv: append([]string{filepath.Base(binary)}, args...),
		Env:  map[string]string{"TMPDIR": "/tmp", "HOME": "/", "WSTEST_ORIGIN": origin, "WSTEST_PROXY": proxy.Addr()},
	}
	// Pass the caller's WSTEST_* settings through to the program.
	for _, kv := range os.Environ() {
		if k, v, ok := strings.Cut(kv, "="); ok && strings.HasPrefix(k, "WSTEST_") && cfg.Env[k] == "" {
			cfg.Env[k] = v
		}
	}

	mux := pageMux(binary, cfg, wasmExecJS)
	wstest.Register(mux)
	mux.Handle("/proxy/", http.StripPrefix("/proxy", proxy.Handler()))
	srv := &http.Server{Handler: mux, ReadHeaderTimeout: 10 * time.Second}
	go srv.Serve(ln)
	defer srv.Close()

	allocCtx, cancelAlloc, err := chrome.NewAllocator(ctx)
	if err != nil {
		return 1, err
	}
	defer cancelAlloc()
	tab, cancelTab := chromedp.NewContext(allocCtx)
	defer cancelTab()

	csp, err := strictcsp.Watch(tab)
	if err != nil {
		return 1, err
	}
	messages := chromedp.Console(tab)
	if err := chromedp.Do(tab, chromedp.Navigate(origin+"/")); err != nil {
		return 1, fmt.Errorf("opening the test page: %w", err)
	}
	for m, err := range messages {
		if err != nil {
			return 1, errors.Join(fmt.Errorf("the browser stopped before the program exited: %w", err), csp.Err())
		}
		if v, ok := csp.Observe(m); ok {
			fmt.Fprintf(stderr, "wasmexec: Content-Security-Policy violation: %s\n", v)
			continue
		}
		text, marked := markedText(m)
		switch {
		case !marked:
			// Anything else the page logs (an uncaught exception, a
			// browser warning) is worth seeing too.
			fmt.Fprintf(stderr, "[browser %s] %s\n", m.Type, m.Text)
		case strings.HasPrefix(text, markStdout):
			io.WriteString(stdout, text[len(markStdout):])
		case strings.HasPrefix(text, markStderr):
			io.WriteString(stderr, text[len(markStderr):])
		case strings.HasPrefix(text, markExit):
			code, err := strconv.Atoi(text[len(markExit):])
			if err != nil {
				return 1, errors.Join(fmt.Errorf("bad exit report %q", text), csp.Err())
			}
			// The page reported its violations before its exit.
			return code, csp.Err()
		}
	}
	return 1, errors.Join(errors.New("the console ended before the program exited"), csp.Err())
}

// pageMux serves the page that runs the binary, under the strict
// Content-Security-Policy, and what it loads.
func pageMux(binary string, cfg config, wasmExecJS []byte) *http.ServeMux {
	mux := http.NewServeMux()
	serveBytes(mux, "/", "text/html; charset=utf-8", pageHTML)
	serveBytes(mux, "/csp-watch.js", "text/javascript", strictcsp.WatchJS)
	serveBytes(mux, "/memfs.js", "text/javascript", memfsJS)
	serveBytes(mux, "/run.js", "text/javascript", runJS)
	serveBytes(mux, "/wasm_exec.js", "text/javascript", wasmExecJS)
	mux.HandleFunc("/favicon.ico", func(w http.ResponseWriter, r *http.Request) {
		w.WriteHeader(http.StatusNoContent)
	})
	mux.HandleFunc("/config.json", func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "application/json")
		_ = json.NewEncoder(w).Encode(cfg)
	})
	mux.HandleFunc("/test.wasm", func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "application/wasm")
		http.ServeFile(w, r, binary)
	})
	return mux
}

// markedText returns the first argument of a console.log call that the page
// made with one of the markers, unformatted.
func markedText(m chromedp.ConsoleMessage) (string, bool) {
	if m.Type != chromedp.ConsoleLog || len(m.Args) == 0 || m.Args[0].Value == nil {
		return "", false
	}
	var s string
	if err := json.Unmarshal([]byte(m.Args[0].Value), &s); err != nil {
		return "", false
	}
	if len(s) < 2 || s[0] != '\x01' {
		return "", false
	}
	return s, true
}

func serveBytes(mux *http.ServeMux, path, contentType string, body []byte) {
	mux.HandleFunc(path, func(w http.ResponseWriter, r *http.Request) {
		if path == "/" && r.URL.Path != "/" {
			http.NotFound(w, r)
			return
		}
		w.Header().Set("Content-Type", contentType)
		w.Header().Set("Cache-Control", "no-store")
		if path == "/" {
			strictcsp.SetHeader(w.Header())
		}
		w.Write(body)
	})
}
