// Command wasmexec runs a GOOS=js GOARCH=wasm program — a test binary or a
// main package — in headless Chromium, as go test -exec and go run -exec
// expect of a runner:
//
//	go install github.com/duplexgo/duplex/e2e/wasmexec@latest
//	GOOS=js GOARCH=wasm go test -exec=wasmexec ./...
//	GOOS=js GOARCH=wasm go run -exec=wasmexec ./cmd/x args...
//
// Built as go_js_wasm_exec on $PATH, go test and go run find it by
// themselves:
//
//	go build -o "$(go env GOPATH)/bin/go_js_wasm_exec" github.com/duplexgo/duplex/e2e/wasmexec
//
// It serves the program, Go's wasm_exec.js (from $GOROOT, else from the
// GOROOT of the go command on $PATH, which go test and go run put first) and
// a page that runs them, from an HTTP server on 127.0.0.1; the program gets
// its arguments and the environment. Its standard output and error are
// relayed byte for byte, each to its own stream, as it writes them, and the
// runner exits with its exit code (2 after a panic, as natively). The page
// gives the program an in-memory file system, which starts with copies of
// the files of the working directory and of its testdata (up to 64 MiB): the
// files that package testing writes for go test — the cover profile and
// coverage counters (go test -cover, -coverprofile), the other profiles,
// -test.artifacts — are written back to the host at exit, and $GOCOVERDIR's
// too.
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
// The same server has the WebSocket endpoints of package wsclient/wstest
// (which also serve the HTTP fallback) and a fault-injecting proxy in front
// of them: the program finds them through $WSTEST_ORIGIN
// (http://127.0.0.1:port) and $WSTEST_PROXY (127.0.0.1:port). HTTP proxies
// that break WebSockets (wstest.HostileProxy) stand in front of them too,
// each at the 127.0.0.1:port of a variable: $WSTEST_HOSTILE_STRIP answers
// every WebSocket handshake with 403, $WSTEST_HOSTILE_BUFFER delivers each
// response only once it has ended, $WSTEST_HOSTILE_CUT closes any request
// still running after 3s, and $WSTEST_HOSTILE does what the program sets
// with POST /hostile/mode?strip=403&buffer=1&cut=2s (nothing at first;
// GET /hostile/info tells the mode).
//
// The environment:
//
//	CHROME             the browser; else /usr/bin/chromium, or chromium,
//	                   google-chrome... on $PATH
//	WASMEXEC_TIMEOUT   a Go duration: how long the program may run; by
//	                   default -test.timeout plus 30s (so that the test's own
//	                   timeout panic comes first), else no limit; 0: no limit.
//	                   Past it the runner says so, stops the browser and
//	                   exits 1. Start-up (up to 2m) does not count.
//	WASMEXEC_HEADFUL   1: a visible window with DevTools open, for debugging
//	                   (needs a display; never in CI)
package main

import (
	"context"
	"crypto/rand"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"log"
	"net"
	"net/http"
	"os"
	"os/signal"
	"path/filepath"
	"runtime"
	"strconv"
	"strings"
	"syscall"
	"time"
	"unicode/utf8"

	"github.com/chromedp/chromedp"

	"github.com/duplexgo/duplex/e2e/internal/chrome"
	"github.com/duplexgo/duplex/e2e/internal/strictcsp"
	"github.com/duplexgo/duplex/wsclient/wstest"
)

// Markers the page puts before console text: stdout, stderr, the program's
// start, its exit code.
const (
	markStdout = "\x01o"
	markStderr = "\x01e"
	markStart  = "\x01s"
	markExit   = "\x01x"
)

const (
	// grace is added to -test.timeout, so that the test's own timeout
	// panic, with every goroutine's stack, comes first.
	grace = 30 * time.Second
	// startupLimit bounds the time before the program starts: the browser's
	// start and the page's load.
	startupLimit = 2 * time.Minute
)

func main() {
	log.SetFlags(0)
	log.SetPrefix("wasmexec: ")
	if len(os.Args) < 2 {
		log.Print("usage: wasmexec program.wasm [args...] (see go doc github.com/duplexgo/duplex/e2e/wasmexec)")
		os.Exit(2)
	}
	r, err := setup(os.Args[1], os.Args[2:])
	if err != nil {
		log.Print(err)
		os.Exit(1)
	}
	ctx, stop := context.WithCancelCause(context.Background())
	// go test sends SIGQUIT when a test binary overruns its timeout by a
	// minute: stop the browser first, as for an interrupt.
	sigs := make(chan os.Signal, 1)
	signal.Notify(sigs, os.Interrupt, syscall.SIGTERM, syscall.SIGQUIT)
	go func() {
		s := <-sigs
		stop(fmt.Errorf("got signal %v: the browser was stopped", s))
	}()
	code, err := r.run(ctx)
	stop(nil)
	if err != nil {
		log.Print(err)
		if code == 0 {
			code = 1
		}
	}
	os.Exit(code)
}

// hostileModes are the hostile proxies (wstest.HostileProxy) a run starts,
// by the environment variable that gives the program each one's
// "127.0.0.1:port". WSTEST_HOSTILE starts faithful; the tests set its mode
// through /hostile/mode.
var hostileModes = map[string]wstest.HostileMode{
	"WSTEST_HOSTILE":        {},
	"WSTEST_HOSTILE_STRIP":  {StripUpgrade: http.StatusForbidden},
	"WSTEST_HOSTILE_BUFFER": {Buffer: true},
	"WSTEST_HOSTILE_CUT":    {CutAfter: 3 * time.Second},
}

// runner runs one program.
type runner struct {
	binary     string
	args       []string
	dir        string // the working directory, the program's too
	test       testArgs
	wasmExecJS []byte
	headful    bool
	// limit bounds the program's run (0: none); limitWhy says where it
	// comes from.
	limit    time.Duration
	limitWhy string
	stdout   io.Writer
	stderr   io.Writer
}

// setup checks everything the run needs before anything starts: the
// browser, the display when headful, Go's wasm_exec.js, the program, the
// settings.
func setup(binary string, args []string) (*runner, error) {
	if _, err := chrome.Path(); err != nil {
		return nil, err
	}
	r := &runner{binary: binary, args: args, stdout: os.Stdout, stderr: os.Stderr}
	if v := os.Getenv("WASMEXEC_HEADFUL"); v != "" && v != "0" {
		r.headful = true
		if runtime.GOOS == "linux" && os.Getenv("DISPLAY") == "" && os.Getenv("WAYLAND_DISPLAY") == "" {
			return nil, errors.New("WASMEXEC_HEADFUL needs a display, and DISPLAY and WAYLAND_DISPLAY are not set")
		}
	}
	js, _, err := findWasmExecJS()
	if err != nil {
		return nil, err
	}
	r.wasmExecJS = js
	if _, err := os.Stat(binary); err != nil {
		return nil, err
	}
	if r.dir, err = os.Getwd(); err != nil {
		return nil, err
	}
	r.test = parseTestArgs(args, r.dir)
	if r.test.timeout > 0 {
		r.limit, r.limitWhy = r.test.timeout+grace, fmt.Sprintf("-test.timeout=%v plus %v", r.test.timeout, grace)
	}
	if s := os.Getenv("WASMEXEC_TIMEOUT"); s != "" {
		d, err := time.ParseDuration(s)
		if err != nil || d < 0 {
			return nil, fmt.Errorf("WASMEXEC_TIMEOUT=%s: want a Go duration such as 90s or 10m", s)
		}
		r.limit, r.limitWhy = d, "WASMEXEC_TIMEOUT="+s
	}
	return r, nil
}

// config returns what the page needs to start the program: its arguments,
// the environment, where its outputs go.
func (r *runner) config(origin string, endpoints map[string]string) config {
	cfg := config{
		Argv:       append([]string{filepath.Base(r.binary)}, r.args...),
		Env:        map[string]string{},
		Dir:        r.dir,
		PID:        os.Getpid(),
		PPID:       os.Getppid(),
		Outputs:    r.test.outputs,
		OutputDirs: r.test.outputDirs,
	}
	// The whole environment, as Node's go_js_wasm_exec passes it.
	for _, kv := range os.Environ() {
		if k, v, ok := strings.Cut(kv, "="); ok && k != "" {
			cfg.Env[k] = v
		}
	}
	cfg.Env["PWD"] = r.dir
	if cfg.Env["TMPDIR"] == "" {
		cfg.Env["TMPDIR"] = "/tmp"
	}
	cfg.Env["WSTEST_ORIGIN"] = origin
	for k, v := range endpoints {
		cfg.Env[k] = v
	}
	if d := cfg.Env["GOCOVERDIR"]; d != "" {
		if !filepath.IsAbs(d) {
			d = filepath.Join(r.dir, d)
		}
		cfg.OutputDirs = append(cfg.OutputDirs, filepath.Clean(d))
	}
	var skipped bool
	if cfg.HostFiles, skipped = hostFiles(r.dir); skipped {
		fmt.Fprintf(r.stderr, "wasmexec: the files of %s and its testdata are over %d MiB: some are left out of the program's file system\n", r.dir, maxHostFiles>>20)
	}
	cfg.Mkdirs = append([]string{cfg.Env["TMPDIR"]}, cfg.OutputDirs...)
	for _, f := range cfg.Outputs {
		cfg.Mkdirs = append(cfg.Mkdirs, filepath.Dir(f))
	}
	return cfg
}

// run serves the program, opens the page in a new Chromium and relays its
// output until the program exits; it returns the exit code. A violation of
// the page's Content-Security-Policy makes the error non-nil, and so does
// the end of ctx (a signal) or of the time limit: the browser is stopped.
func (r *runner) run(ctx context.Context) (int, error) {
	ctx, cancel := context.WithCancelCause(ctx)
	defer cancel(nil)
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

	// HTTP proxies that break WebSockets, in front of the same endpoints:
	// one per mode, and one the tests switch through /hostile/.
	endpoints := map[string]string{"WSTEST_PROXY": proxy.Addr()}
	var switchable *wstest.HostileProxy
	for env, mode := range hostileModes {
		hp, err := wstest.NewHostileProxy(origin, mode)
		if err != nil {
			return 1, err
		}
		defer hp.Close()
		endpoints[env] = hp.Addr()
		if env == "WSTEST_HOSTILE" {
			switchable = hp
		}
	}

	key := rand.Text()
	mux := pageMux(r.binary, key, r.config(origin, endpoints), r.wasmExecJS)
	wstest.Register(mux)
	mux.Handle("/proxy/", http.StripPrefix("/proxy", proxy.Handler()))
	mux.Handle("/hostile/", http.StripPrefix("/hostile", switchable.Handler()))
	srv := &http.Server{Handler: mux, ReadHeaderTimeout: 10 * time.Second}
	go srv.Serve(ln)
	defer srv.Close()

	// Until the program starts, the start-up limit; then the run's.
	limit := time.AfterFunc(startupLimit, func() {
		cancel(fmt.Errorf("the program did not start within %v: the browser was stopped", startupLimit))
	})
	defer func() { limit.Stop() }()

	var extra []chromedp.ExecAllocatorOption
	if r.headful {
		extra = append(extra, chromedp.VisibleWindow, chromedp.Flag("auto-open-devtools-for-tabs", true))
	}
	allocCtx, cancelAlloc, err := chrome.NewAllocator(ctx, extra...)
	if err != nil {
		return 1, err
	}
	defer cancelAlloc()
	tab, cancelTab := chromedp.NewContext(allocCtx)
	defer cancelTab()

	csp, err := strictcsp.Watch(tab)
	if err != nil {
		return 1, errors.Join(err, context.Cause(ctx))
	}
	messages := chromedp.Console(tab)
	if err := chromedp.Do(tab, chromedp.Navigate(origin+"/?key="+key)); err != nil {
		return 1, fmt.Errorf("opening the page: %w", errors.Join(err, context.Cause(ctx)))
	}
	for m, err := range messages {
		if err != nil {
			if cause := context.Cause(ctx); cause != nil {
				return 1, errors.Join(cause, csp.Err())
			}
			return 1, errors.Join(fmt.Errorf("the browser stopped before the program exited: %w", err), csp.Err())
		}
		if v, ok := csp.Observe(m); ok {
			fmt.Fprintf(r.stderr, "wasmexec: Content-Security-Policy violation: %s\n", v)
			continue
		}
		text, marked := markedText(m)
		switch {
		case !marked:
			// Anything else the page logs (an uncaught exception, a
			// browser warning) is worth seeing too.
			fmt.Fprintf(r.stderr, "[browser %s] %s\n", m.Type, m.Text)
		case strings.HasPrefix(text, markStdout):
			r.stdout.Write(bytesOf(text[len(markStdout):]))
		case strings.HasPrefix(text, markStderr):
			r.stderr.Write(bytesOf(text[len(markStderr):]))
		case text == markStart:
			limit.Stop()
			if r.limit > 0 {
				limit = time.AfterFunc(r.limit, func() {
					cancel(fmt.Errorf("timed out: the program ran longer than %v (%s): the browser was stopped", r.limit, r.limitWhy))
				})
			}
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

// bytesOf turns the page's text, one character per byte (U+0000 to U+00FF),
// back into the bytes; a character past U+00FF (not the page's) stays UTF-8.
func bytesOf(s string) []byte {
	b := make([]byte, 0, len(s))
	for _, c := range s {
		if c <= 0xff {
			b = append(b, byte(c))
		} else {
			b = utf8.AppendRune(b, c)
		}
	}
	return b
}
