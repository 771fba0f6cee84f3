package e2e

import (
	"context"
	"fmt"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"testing"
	"time"

	"github.com/chromedp/chromedp"
)

// The README's first program works exactly as the README says: built from
// wsclient/examples/echo with the one command given there, put beside its
// index.html and Go's wasm_exec.js, and served either by duplexd -web DIR or
// by the example's own net/http server (go run ./serve, in that directory),
// it prints the echo and the clean close to the browser's console.
func TestReadmeEchoExample(t *testing.T) {
	dir := t.TempDir()
	example := filepath.Join(repoRoot, "wsclient", "examples", "echo")
	copyFile(t, filepath.Join(example, "index.html"), filepath.Join(dir, "index.html"))
	copyFile(t, filepath.Join(runtime.GOROOT(), "lib", "wasm", "wasm_exec.js"), filepath.Join(dir, "wasm_exec.js"))
	if err := goCmd([]string{"GOOS=js", "GOARCH=wasm"}, "build", "-o", filepath.Join(dir, "main.wasm"), "./wsclient/examples/echo"); err != nil {
		t.Fatal(err)
	}

	t.Run("duplexd", func(t *testing.T) {
		srv, err := startServer("-web", dir)
		if err != nil {
			t.Fatal(err)
		}
		defer srv.stop()
		expectEchoExample(t, srv.addr)
	})

	t.Run("net/http", func(t *testing.T) {
		serve := filepath.Join(t.TempDir(), "serve")
		if err := goCmd(nil, "build", "-o", serve, "./wsclient/examples/echo/serve"); err != nil {
			t.Fatal(err)
		}
		addr, err := freeAddr()
		if err != nil {
			t.Fatal(err)
		}
		log := &syncBuffer{}
		cmd := exec.Command(serve)
		cmd.Dir = dir
		cmd.Env = append(os.Environ(), "ADDR="+addr)
		cmd.Stdout, cmd.Stderr = log, log
		if err := cmd.Start(); err != nil {
			t.Fatal(err)
		}
		defer func() {
			cmd.Process.Kill()
			cmd.Wait()
			t.Logf("serve's log:\n%s", log)
		}()
		expectEchoExample(t, addr)
	})
}

// expectEchoExample opens the example's page on addr and checks what the
// program prints to the console.
func expectEchoExample(t *testing.T, addr string) {
	t.Helper()
	ctx, cancel := chromedp.NewContext(browserCtx)
	defer cancel()
	ctx, cancelTimeout := context.WithTimeout(ctx, loadTimeout)
	defer cancelTimeout()
	messages := chromedp.Console(ctx)
	// The example's server may still be starting.
	if err := waitHTTP(ctx, "http://"+addr+"/"); err != nil {
		t.Fatal(err)
	}
	if err := chromedp.Do(ctx, chromedp.Navigate("http://"+addr+"/")); err != nil {
		t.Fatal(err)
	}
	want := []string{
		"connected to ws://" + addr + "/echo",
		"echo: hello, duplex",
		"closed: 1000 (normal closure)",
	}
	var got []string
	for m, err := range messages {
		if err != nil {
			t.Fatalf("console so far %q, want %q: %v", got, want, err)
		}
		if m.IsException() {
			t.Fatalf("the page threw: %s", m)
		}
		if m.Type != "log" { // the browser's own entries, such as the 404 of /favicon.ico
			t.Logf("console %s: %s", m.Type, m.Text)
			continue
		}
		got = append(got, m.Text)
		if len(got) == len(want) {
			break
		}
	}
	for i := range want {
		if got[i] != want[i] {
			t.Errorf("console line %d: %q, want %q", i+1, got[i], want[i])
		}
	}
}

// copyFile copies the file at src to dst.
func copyFile(t *testing.T, src, dst string) {
	t.Helper()
	b, err := os.ReadFile(src)
	if err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(dst, b, 0o644); err != nil {
		t.Fatal(err)
	}
}

// waitHTTP polls url until it answers 200 or ctx is done.
func waitHTTP(ctx context.Context, url string) error {
	for {
		req, err := http.NewRequestWithContext(ctx, http.MethodGet, url, nil)
		if err != nil {
			return err
		}
		if res, err := http.DefaultClient.Do(req); err == nil {
			res.Body.Close()
			if res.StatusCode == http.StatusOK {
				return nil
			}
		}
		select {
		case <-ctx.Done():
			return fmt.Errorf("%s did not answer 200: %w", url, ctx.Err())
		case <-time.After(50 * time.Millisecond):
		}
	}
}
