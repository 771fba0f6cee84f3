package e2e

import (
	"context"
	"fmt"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"strings"
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
		addr := startExample(t, serve, dir)
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

// The README's go-app program works as the README says: app/examples/echo
// built twice (web/app.wasm for the browser, a native binary that serves
// it), run from its directory; its component shows OPEN, and a real click on
// Send brings the echo back onto the page.
func TestReadmeGoAppExample(t *testing.T) {
	dir := t.TempDir()
	if err := goCmd([]string{"GOOS=js", "GOARCH=wasm"}, "build", "-o", filepath.Join(dir, "web", "app.wasm"), "./app/examples/echo"); err != nil {
		t.Fatal(err)
	}
	bin := filepath.Join(dir, "echo")
	if err := goCmd(nil, "build", "-o", bin, "./app/examples/echo"); err != nil {
		t.Fatal(err)
	}
	addr := startExample(t, bin, dir)

	ctx, cancel := chromedp.NewContext(browserCtx)
	defer cancel()
	wctx, cancelWait := context.WithTimeout(ctx, loadTimeout)
	defer cancelWait()
	if err := waitHTTP(wctx, "http://"+addr+"/"); err != nil {
		t.Fatal(err)
	}
	p := &tab{t: t, ctx: ctx}
	if err := chromedp.Do(ctx, chromedp.Navigate("http://"+addr+"/")); err != nil {
		t.Fatal(err)
	}
	p.waitTimeout(`(document.getElementById("state")?.textContent ?? "").startsWith("OPEN")`, loadTimeout, "the component to show OPEN")
	p.clickWhenEnabled("send")
	p.wait(`document.getElementById("state").textContent.endsWith('last "hello"')`, "the echo on the page")
	if got := p.text("state"); got != `OPEN · bufferedAmount 0 · last "hello"` {
		t.Errorf("the component shows %q", got)
	}
}

// README.md shows the examples' files as they are, so that its code cannot
// rot: each file, from its package clause on (its build constraint kept,
// its doc comment left out), appears in the README verbatim.
func TestReadmeShowsTheExamples(t *testing.T) {
	readme, err := os.ReadFile(filepath.Join(repoRoot, "README.md"))
	if err != nil {
		t.Fatal(err)
	}
	for _, name := range []string{
		"wsclient/examples/echo/main.go",
		"wsclient/examples/echo/index.html",
		"wsclient/examples/echo/serve/main.go",
		"app/examples/echo/echo.go",
		"app/examples/echo/main.go",
		"app/examples/echo/serve.go",
		"app/examples/echo/serve_wasm.go",
	} {
		b, err := os.ReadFile(filepath.Join(repoRoot, name))
		if err != nil {
			t.Fatal(err)
		}
		if !strings.Contains(string(readme), readmeForm(string(b))) {
			t.Errorf("README.md does not show %s as it is:\n%s", name, readmeForm(string(b)))
		}
	}
}

// readmeForm is a file as the README shows it: a Go file from its package
// clause on, after its build constraint if it has one.
func readmeForm(file string) string {
	i := strings.Index(file, "\npackage main\n")
	if i < 0 {
		return file
	}
	shown := file[i+1:]
	if first, _, _ := strings.Cut(file, "\n"); strings.HasPrefix(first, "//go:build ") {
		shown = first + "\n\n" + shown
	}
	return shown
}

// startExample starts an example's server program in dir, on a free
// 127.0.0.1 address given in ADDR, and returns the address; the program is
// killed, and its log shown, when the test ends.
func startExample(t *testing.T, bin, dir string) string {
	t.Helper()
	addr, err := freeAddr()
	if err != nil {
		t.Fatal(err)
	}
	log := &syncBuffer{}
	cmd := exec.Command(bin)
	cmd.Dir = dir
	cmd.Env = append(os.Environ(), "ADDR="+addr)
	cmd.Stdout, cmd.Stderr = log, log
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() {
		cmd.Process.Kill()
		cmd.Wait()
		t.Logf("%s's log:\n%s", filepath.Base(bin), log)
	})
	return addr
}
