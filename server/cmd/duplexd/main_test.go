package main

import (
	"bufio"
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"flag"
	"io"
	"net/http"
	"os"
	"os/exec"
	"runtime/debug"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"

	"github.com/coder/websocket"
)

// TestMain lets the test binary act as duplexd, for the signal tests.
func TestMain(m *testing.M) {
	if os.Getenv("DUPLEXD_TEST_MAIN") == "1" {
		main()
		os.Exit(0)
	}
	os.Exit(m.Run())
}

func env(vars map[string]string) func(string) string {
	return func(k string) string { return vars[k] }
}

func TestConfigure(t *testing.T) {
	cfg, err := configure(nil, env(nil), io.Discard)
	if err != nil {
		t.Fatal(err)
	}
	if cfg.Addr != ":8000" || cfg.WebDir != "web" || cfg.MaxMessageBytes != 16<<20 || cfg.MaxConns != 10000 ||
		cfg.TLSCert != "" || len(cfg.AllowedOrigins) != 0 || cfg.Logger == nil {
		t.Fatalf("defaults: %+v", cfg)
	}

	cfg, err = configure([]string{"-addr", ":9998", "-max-conns", "5"}, env(map[string]string{
		"DUPLEX_ADDR":          ":1111",
		"DUPLEX_TLS_CERT":      "c.pem",
		"DUPLEX_TLS_KEY":       "k.pem",
		"DUPLEX_ORIGINS":       " app.example.com, *.example.org ,,",
		"DUPLEX_MAX_MESSAGE":   "1MiB",
		"DUPLEX_MAX_CONNS":     "7",
		"DUPLEX_WEB":           "/srv/web",
		"DUPLEX_COMPRESS":      "true",
		"DUPLEX_CHAT_RATE":     "2.5",
		"DUPLEX_PING_INTERVAL": "5s",
	}), io.Discard)
	if err != nil {
		t.Fatal(err)
	}
	if cfg.Addr != ":9998" || cfg.MaxConns != 5 {
		t.Errorf("flags did not win over the environment: %+v", cfg)
	}
	if cfg.TLSCert != "c.pem" || cfg.TLSKey != "k.pem" || cfg.MaxMessageBytes != 1<<20 || cfg.WebDir != "/srv/web" ||
		!cfg.Compression || cfg.ChatRate != 2.5 || cfg.PingInterval != 5*time.Second ||
		strings.Join(cfg.AllowedOrigins, "|") != "app.example.com|*.example.org" {
		t.Errorf("environment not applied: %+v", cfg)
	}

	for _, tc := range []struct {
		args []string
		env  map[string]string
		want string
	}{
		{nil, map[string]string{"DUPLEX_MAX_CONNS": "many"}, "DUPLEX_MAX_CONNS"},
		{nil, map[string]string{"DUPLEX_MAX_MESSAGE": "big"}, "DUPLEX_MAX_MESSAGE"},
		{[]string{"-max-message", "0"}, nil, "positive"},
		{[]string{"-max-conns", "0"}, nil, "-1"},
		{[]string{"-tls-cert", "c.pem"}, nil, "TLSKey"},
		{[]string{"-origins", "[x"}, nil, "origin"},
		{[]string{"-log-format", "xml"}, nil, "xml"},
		{[]string{"-bogus"}, nil, "usage"},
		{[]string{"extra"}, nil, "unexpected"},
	} {
		_, err := configure(tc.args, env(tc.env), io.Discard)
		if err == nil || !strings.Contains(err.Error(), tc.want) {
			t.Errorf("configure(%q, %v) = %v, want an error about %q", tc.args, tc.env, err, tc.want)
		}
	}

	var usage bytes.Buffer
	if _, err := configure([]string{"-h"}, env(nil), &usage); !errors.Is(err, flag.ErrHelp) {
		t.Fatalf("-h: %v", err)
	}
	for _, want := range []string{"DUPLEX_ADDR", "DUPLEX_TLS_CERT", "DUPLEX_TLS_KEY", "DUPLEX_ORIGINS", "DUPLEX_MAX_MESSAGE", "DUPLEX_MAX_CONNS", "DUPLEX_WEB", "-addr"} {
		if !strings.Contains(usage.String(), want) {
			t.Errorf("usage lacks %s:\n%s", want, usage.String())
		}
	}
}

func TestByteSize(t *testing.T) {
	for in, want := range map[string]int64{
		"0": 0, "1048576": 1 << 20, "64KiB": 64 << 10, "16MiB": 16 << 20, "16M": 16 << 20, "16mb": 16 << 20,
		"1GiB": 1 << 30, "2 KiB": 2 << 10, "100B": 100,
	} {
		var b byteSize
		if err := b.Set(in); err != nil || int64(b) != want {
			t.Errorf("Set(%q) = %d, %v; want %d", in, b, err, want)
		}
	}
	for _, in := range []string{"", "-1", "MiB", "1.5MiB", "1TiB", "99999999999GiB"} {
		var b byteSize
		if err := b.Set(in); err == nil {
			t.Errorf("Set(%q) = %d, want an error", in, b)
		}
	}
	for n, want := range map[int64]string{16 << 20: "16MiB", 1000: "1000", 0: "0", 3 << 10: "3KiB"} {
		b := byteSize(n)
		if got := b.String(); got != want {
			t.Errorf("String(%d) = %q, want %q", n, got, want)
		}
	}
}

// lockedBuffer collects the program's output.
type lockedBuffer struct {
	mu  sync.Mutex
	buf bytes.Buffer
}

func (b *lockedBuffer) Write(p []byte) (int, error) {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.buf.Write(p)
}

func (b *lockedBuffer) String() string {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.buf.String()
}

// listenAddr waits for the "listening" log line in JSON output and returns
// its address.
func listenAddr(t *testing.T, output func() string) string {
	t.Helper()
	deadline := time.Now().Add(time.Minute)
	for time.Now().Before(deadline) {
		for line := range strings.SplitSeq(output(), "\n") {
			var rec struct{ Msg, Addr string }
			if json.Unmarshal([]byte(line), &rec) == nil && rec.Msg == "listening" {
				return rec.Addr
			}
		}
		time.Sleep(10 * time.Millisecond)
	}
	t.Fatalf("no listening line in:\n%s", output())
	return ""
}

func TestRun(t *testing.T) {
	addr, out, stop := startRun(t)
	c := echoVia(t, "ws://"+addr+"/echo", "hi")
	stop(c)
	if !strings.Contains(out.String(), `"msg":"shutdown complete"`) {
		t.Errorf("no shutdown line:\n%s", out.String())
	}
}

// startRun runs the program with args (and a 127.0.0.1 address, JSON logs
// and an empty web directory) until stop, which cancels its context,
// checks that c (when not nil) sees 1001 and that run returns nil.
func startRun(t *testing.T, args ...string) (addr string, out *lockedBuffer, stop func(c *websocket.Conn)) {
	t.Helper()
	ctx, cancel := context.WithCancel(t.Context())
	t.Cleanup(cancel)
	out = &lockedBuffer{}
	done := make(chan error, 1)
	go func() {
		done <- run(ctx, append([]string{"-addr", "127.0.0.1:0", "-log-format", "json", "-web", t.TempDir()}, args...), env(nil), out)
	}()
	addr = listenAddr(t, out.String)
	return addr, out, func(c *websocket.Conn) {
		t.Helper()
		cancel()
		if c != nil {
			if _, _, err := c.Read(t.Context()); websocket.CloseStatus(err) != websocket.StatusGoingAway {
				t.Fatalf("client saw %v, want 1001", err)
			}
		}
		select {
		case err := <-done:
			if err != nil {
				t.Fatalf("run: %v", err)
			}
		case <-time.After(time.Minute):
			t.Fatal("run did not return")
		}
	}
}

// echoVia dials url and checks that text comes back; the connection is
// closed at the end of the test.
func echoVia(t *testing.T, url, text string) *websocket.Conn {
	t.Helper()
	c, _, err := websocket.Dial(t.Context(), url, nil)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { c.CloseNow() })
	if err := c.Write(t.Context(), websocket.MessageText, []byte(text)); err != nil {
		t.Fatal(err)
	}
	if _, b, err := c.Read(t.Context()); err != nil || string(b) != text {
		t.Fatalf("echo: %q %v", b, err)
	}
	return c
}

func TestRunListenError(t *testing.T) {
	err := run(t.Context(), []string{"-addr", "127.0.0.1:-5"}, env(nil), io.Discard)
	if err == nil {
		t.Fatal("run on a bad address succeeded")
	}
}

// The real program, in a process of its own, shuts down gracefully on
// SIGTERM and SIGINT: its clients get 1001 and it exits with status 0.
func TestSignals(t *testing.T) {
	for _, sig := range []syscall.Signal{syscall.SIGTERM, syscall.SIGINT} {
		t.Run(sig.String(), func(t *testing.T) {
			cmd := exec.Command(os.Args[0], "-addr", "127.0.0.1:0", "-log-format", "json", "-web", t.TempDir())
			cmd.Env = append(os.Environ(), "DUPLEXD_TEST_MAIN=1")
			stderr, err := cmd.StderrPipe()
			if err != nil {
				t.Fatal(err)
			}
			if err := cmd.Start(); err != nil {
				t.Fatal(err)
			}
			defer cmd.Process.Kill()
			var out lockedBuffer
			copied := make(chan struct{})
			go func() {
				io.Copy(&out, bufio.NewReader(stderr))
				close(copied)
			}()
			addr := listenAddr(t, out.String)

			ctx := t.Context()
			var conns []*websocket.Conn
			for _, path := range []string{"/echo", "/echo", "/chat?name=a"} {
				c, _, err := websocket.Dial(ctx, "ws://"+addr+path, nil)
				if err != nil {
					t.Fatal(err)
				}
				defer c.CloseNow()
				conns = append(conns, c)
			}
			results := make(chan error, len(conns))
			for _, c := range conns {
				go func() {
					for {
						if _, _, err := c.Read(ctx); err != nil {
							results <- err
							return
						}
					}
				}()
			}
			if err := cmd.Process.Signal(sig); err != nil {
				t.Fatal(err)
			}
			for range conns {
				if err := <-results; websocket.CloseStatus(err) != websocket.StatusGoingAway {
					t.Errorf("client saw %v, want 1001", err)
				}
			}
			<-copied
			if err := cmd.Wait(); err != nil {
				t.Fatalf("duplexd exited with %v; output:\n%s", err, out.String())
			}
			if !strings.Contains(out.String(), `"msg":"shutdown complete"`) {
				t.Errorf("no shutdown line:\n%s", out.String())
			}
		})
	}
}

func TestConfigureRoutesAndLimits(t *testing.T) {
	cfg, proc, err := parseFlags(nil, env(nil), io.Discard)
	if err != nil {
		t.Fatal(err)
	}
	if cfg.Routes != nil || cfg.MaxHeaderBytes != 32<<10 || cfg.FreeMemoryInterval != 10*time.Second || proc.memoryLimit != 0 {
		t.Fatalf("defaults: routes %v, max header %d, free memory interval %v, memory limit %d",
			cfg.Routes, cfg.MaxHeaderBytes, cfg.FreeMemoryInterval, proc.memoryLimit)
	}

	cfg, proc, err = parseFlags([]string{
		"-route", "/socket/server/startDaemon.php=/echo", "-route", "/rooms=/chat",
		"-max-header", "16KiB", "-free-memory-interval", "-1s", "-memory-limit", "1GiB",
	}, env(nil), io.Discard)
	if err != nil {
		t.Fatal(err)
	}
	if len(cfg.Routes) != 2 || cfg.Routes["/socket/server/startDaemon.php"] != "/echo" || cfg.Routes["/rooms"] != "/chat" {
		t.Errorf("routes: %v", cfg.Routes)
	}
	if cfg.MaxHeaderBytes != 16<<10 || cfg.FreeMemoryInterval != -time.Second || proc.memoryLimit != 1<<30 {
		t.Errorf("max header %d, free memory interval %v, memory limit %d", cfg.MaxHeaderBytes, cfg.FreeMemoryInterval, proc.memoryLimit)
	}

	// The variable takes a comma-separated list; a -route replaces it.
	vars := map[string]string{"DUPLEX_ROUTE": "/a=/echo, /b=/chat", "DUPLEX_MAX_HEADER": "64KiB", "DUPLEX_MEMORY_LIMIT": "512MiB"}
	cfg, proc, err = parseFlags(nil, env(vars), io.Discard)
	if err != nil || len(cfg.Routes) != 2 || cfg.Routes["/a"] != "/echo" || cfg.Routes["/b"] != "/chat" ||
		cfg.MaxHeaderBytes != 64<<10 || proc.memoryLimit != 512<<20 {
		t.Errorf("from the environment: %v %d %d %v", cfg.Routes, cfg.MaxHeaderBytes, proc.memoryLimit, err)
	}
	cfg, err = configure([]string{"-route", "/c=/echo"}, env(vars), io.Discard)
	if err != nil || len(cfg.Routes) != 1 || cfg.Routes["/c"] != "/echo" {
		t.Errorf("-route over DUPLEX_ROUTE: %v %v", cfg.Routes, err)
	}

	for _, tc := range []struct {
		args []string
		env  map[string]string
		want string
	}{
		{[]string{"-route", "/x=/echo", "-route", "/x=/chat"}, nil, "/x is routed twice"},
		{[]string{"-route", "/x=/echo,/x=/echo"}, nil, "routed twice"},
		{[]string{"-route", "/x=/nope"}, nil, `"/nope" is not an endpoint (want /echo or /chat)`},
		{[]string{"-route", "/x"}, nil, "want PATH=ENDPOINT"},
		{[]string{"-route", "x=/echo"}, nil, "must start with /"},
		{[]string{"-route", "/healthz=/echo"}, nil, "served by the server itself"},
		{[]string{"-route", "/a//b=/echo"}, nil, "not clean"},
		{nil, map[string]string{"DUPLEX_ROUTE": "/x=/y"}, "DUPLEX_ROUTE"},
		{[]string{"-max-header", "1KiB"}, nil, "-max-header 1KiB is below the minimum of 4KiB"},
		{[]string{"-max-header", "2GiB"}, nil, "above 1GiB"},
		{[]string{"-free-memory-interval", "0"}, nil, "-1s"},
		{[]string{"-memory-limit", "lots"}, nil, "memory-limit"},
	} {
		_, err := configure(tc.args, env(tc.env), io.Discard)
		if err == nil || !strings.Contains(err.Error(), tc.want) {
			t.Errorf("configure(%q, %v) = %v, want an error about %q", tc.args, tc.env, err, tc.want)
		}
	}

	var usage bytes.Buffer
	configure([]string{"-h"}, env(nil), &usage)
	for _, want := range []string{"-route PATH=ENDPOINT", "DUPLEX_ROUTE", "-max-header", "DUPLEX_FREE_MEMORY_INTERVAL", "-memory-limit"} {
		if !strings.Contains(usage.String(), want) {
			t.Errorf("usage lacks %s:\n%s", want, usage.String())
		}
	}
}

// run serves the routes it is given and applies -memory-limit to the Go
// runtime, as /metrics shows.
func TestRunRouteAndMemoryLimit(t *testing.T) {
	defer debug.SetMemoryLimit(debug.SetMemoryLimit(-1))
	addr, _, stop := startRun(t, "-route", "/socket/server/startDaemon.php=/echo", "-memory-limit", "3GiB")
	c := echoVia(t, "ws://"+addr+"/socket/server/startDaemon.php", "routed")
	resp, err := http.Get("http://" + addr + "/metrics")
	if err != nil {
		t.Fatal(err)
	}
	body, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	if !strings.Contains(string(body), "\ngo_gc_gomemlimit_bytes 3221225472\n") {
		t.Errorf("/metrics does not show the memory limit:\n%s", body)
	}
	stop(c)
}

func TestConfigureFallback(t *testing.T) {
	cfg, err := configure(nil, env(nil), io.Discard)
	if err != nil {
		t.Fatal(err)
	}
	if cfg.DisableFallback || cfg.Fallback.Window != 1<<20 || cfg.Fallback.Idle != 45*time.Second || cfg.Fallback.MaxSessions != 10000 {
		t.Errorf("fallback defaults: %+v, disabled %v", cfg.Fallback, cfg.DisableFallback)
	}
	cfg, err = configure([]string{"-fallback=false", "-fallback-window", "64KiB", "-fallback-poll", "5s"},
		env(map[string]string{"DUPLEX_FALLBACK_IDLE": "20s", "DUPLEX_FALLBACK_HEARTBEAT": "3s", "DUPLEX_FALLBACK_MAX_SESSIONS": "7"}), io.Discard)
	if err != nil {
		t.Fatal(err)
	}
	if !cfg.DisableFallback || cfg.Fallback.Window != 64<<10 || cfg.Fallback.Poll != 5*time.Second ||
		cfg.Fallback.Idle != 20*time.Second || cfg.Fallback.Heartbeat != 3*time.Second || cfg.Fallback.MaxSessions != 7 {
		t.Errorf("fallback flags: %+v, disabled %v", cfg.Fallback, cfg.DisableFallback)
	}
	if _, err := configure([]string{"-fallback-idle", "0s"}, env(nil), io.Discard); err == nil {
		t.Error("-fallback-idle 0s accepted")
	}
}
