package e2e

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"

	"github.com/chromedp/chromedp"

	"github.com/duplexgo/duplex/e2e/internal/chrome"
)

// Shared by the tests: built once by TestMain.
var (
	repoRoot   string          // the module's root directory
	serverBin  string          // the duplexd binary
	webDir     string          // a copy of web/ with app.wasm, .br and .gz
	mainServer *server         // the server most tests use
	browserCtx context.Context // a running headless Chromium
)

// e2eBrotliQuality is the brotli quality of the test build: the format and
// the serving are the same at every quality, and 9 compresses ten times
// faster than the release's 11.
const e2eBrotliQuality = "9"

func TestMain(m *testing.M) {
	code, err := run(m)
	if err != nil {
		fmt.Fprintln(os.Stderr, "e2e:", err)
		os.Exit(1)
	}
	os.Exit(code)
}

func run(m *testing.M) (int, error) {
	if _, err := chrome.Path(); err != nil {
		return 0, err
	}
	tmp, err := os.MkdirTemp("", "duplex-e2e-")
	if err != nil {
		return 0, err
	}
	defer os.RemoveAll(tmp)

	if repoRoot, err = filepath.Abs(".."); err != nil {
		return 0, err
	}
	if err := build(tmp); err != nil {
		return 0, err
	}

	if mainServer, err = startServer(); err != nil {
		return 0, err
	}
	defer mainServer.stop()

	actx, cancelAlloc, err := chrome.NewAllocator(context.Background())
	if err != nil {
		return 0, err
	}
	defer cancelAlloc()
	bctx, cancelBrowser := chromedp.NewContext(actx)
	defer cancelBrowser()
	if err := chromedp.Do(bctx); err != nil { // starts the browser
		return 0, fmt.Errorf("starting Chromium: %w", err)
	}
	browserCtx = bctx

	return m.Run(), nil
}

// build compiles the server and app.wasm, and prepares the web directory
// the way make build does (app.wasm, its .br and .gz, the static files).
func build(tmp string) error {
	serverBin = os.Getenv("DUPLEX_E2E_DUPLEXD")
	if serverBin == "" {
		serverBin = filepath.Join(tmp, "duplexd")
		if err := goCmd(nil, "build", "-o", serverBin, "./server/cmd/duplexd"); err != nil {
			return err
		}
	}
	webDir = filepath.Join(tmp, "web")
	if err := os.MkdirAll(webDir, 0o755); err != nil {
		return err
	}
	entries, err := os.ReadDir(filepath.Join(repoRoot, "web"))
	if err != nil {
		return err
	}
	for _, e := range entries {
		name := e.Name()
		if !e.Type().IsRegular() || strings.HasPrefix(name, "app.wasm") {
			continue // the build's own app.wasm comes next
		}
		data, err := os.ReadFile(filepath.Join(repoRoot, "web", name))
		if err != nil {
			return err
		}
		if err := os.WriteFile(filepath.Join(webDir, name), data, 0o644); err != nil {
			return err
		}
	}
	wasm := filepath.Join(webDir, "app.wasm")
	if err := goCmd([]string{"GOOS=js", "GOARCH=wasm"}, "build", "-trimpath", "-o", wasm, "./app/cmd/appwasm"); err != nil {
		return err
	}
	return goCmd(nil, "run", "./app/cmd/compress", "-q", e2eBrotliQuality, wasm)
}

// goCmd runs the go command in the module's root.
func goCmd(env []string, args ...string) error {
	cmd := exec.Command("go", args...)
	cmd.Dir = repoRoot
	cmd.Env = append(os.Environ(), env...)
	out, err := cmd.CombinedOutput()
	if err != nil {
		return fmt.Errorf("go %s: %v\n%s", strings.Join(args, " "), err, out)
	}
	return nil
}

// server is a running duplexd process.
type server struct {
	cmd  *exec.Cmd
	addr string // host:port
	url  string // http://host:port
	log  *syncBuffer
	done chan struct{} // closed when the process has exited
	err  error         // its exit status, once done
}

// startServer starts duplexd on a free port of 127.0.0.1 and waits until
// /healthz answers. A port taken between the probe and the start is
// retried with another. flags are added to duplexd's command line (a flag
// given twice takes its last value).
func startServer(flags ...string) (*server, error) {
	var lastErr error
	for range 3 {
		s, err := tryStartServer(flags)
		if err == nil {
			return s, nil
		}
		lastErr = err
	}
	return nil, lastErr
}

func tryStartServer(flags []string) (*server, error) {
	addr, err := freeAddr()
	if err != nil {
		return nil, err
	}
	return startServerAt(addr, flags...)
}

// startServerAt starts duplexd on addr, a 127.0.0.1 address, and waits
// until /healthz answers: a restart on the address of a server that has
// exited.
func startServerAt(addr string, flags ...string) (*server, error) {
	s := &server{addr: addr, url: "http://" + addr, log: &syncBuffer{}, done: make(chan struct{})}
	s.cmd = exec.Command(serverBin, append([]string{"-addr", addr, "-web", webDir}, flags...)...)
	s.cmd.Stdout, s.cmd.Stderr = s.log, s.log
	if err := s.cmd.Start(); err != nil {
		return nil, err
	}
	go func() {
		s.err = s.cmd.Wait()
		close(s.done)
	}()
	deadline := time.Now().Add(60 * time.Second)
	for time.Now().Before(deadline) {
		select {
		case <-s.done:
			return nil, fmt.Errorf("duplexd exited at start (%v):\n%s", s.err, s.log)
		default:
		}
		res, err := http.Get(s.url + "/healthz")
		if err == nil {
			io.Copy(io.Discard, res.Body)
			res.Body.Close()
			if res.StatusCode == http.StatusOK {
				return s, nil
			}
		}
		time.Sleep(50 * time.Millisecond)
	}
	s.kill()
	return nil, fmt.Errorf("duplexd did not answer /healthz on %s within 60s:\n%s", addr, s.log)
}

// freeAddr returns a 127.0.0.1 address with a port that was free a moment
// ago.
func freeAddr() (string, error) {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return "", err
	}
	defer ln.Close()
	return ln.Addr().String(), nil
}

// terminate sends SIGTERM, as a service manager would.
func (s *server) terminate() error {
	return s.cmd.Process.Signal(syscall.SIGTERM)
}

// wait waits for the process to exit, up to d.
func (s *server) wait(d time.Duration) error {
	select {
	case <-s.done:
		return s.err
	case <-time.After(d):
		return errors.New("duplexd did not exit in time")
	}
}

// stop terminates the server, killing it if it does not exit in 30s.
func (s *server) stop() {
	select {
	case <-s.done:
		return
	default:
	}
	s.terminate()
	if s.wait(30*time.Second) != nil {
		s.kill()
	}
}

func (s *server) kill() {
	s.cmd.Process.Kill()
	<-s.done
}

// syncBuffer is a bytes.Buffer safe for the process's writes and the test's
// reads.
type syncBuffer struct {
	mu sync.Mutex
	b  bytes.Buffer
}

func (b *syncBuffer) Write(p []byte) (int, error) {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.b.Write(p)
}

func (b *syncBuffer) String() string {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.b.String()
}
