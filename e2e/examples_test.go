package e2e

import (
	"context"
	"os"
	"path/filepath"
	"runtime"
	"testing"

	"github.com/chromedp/chromedp"
)

// The README's first program works exactly as the README says: built from
// wsclient/examples/echo with the one command given there, put beside its
// index.html and Go's wasm_exec.js, and served by duplexd -web DIR, it prints
// the echo and the clean close to the browser's console.
func TestReadmeEchoExample(t *testing.T) {
	dir := t.TempDir()
	copyFile(t, filepath.Join(repoRoot, "wsclient", "examples", "echo", "index.html"), filepath.Join(dir, "index.html"))
	copyFile(t, filepath.Join(runtime.GOROOT(), "lib", "wasm", "wasm_exec.js"), filepath.Join(dir, "wasm_exec.js"))
	if err := goCmd([]string{"GOOS=js", "GOARCH=wasm"}, "build", "-o", filepath.Join(dir, "main.wasm"), "./wsclient/examples/echo"); err != nil {
		t.Fatal(err)
	}
	srv, err := startServer("-web", dir)
	if err != nil {
		t.Fatal(err)
	}
	defer srv.stop()

	ctx, cancel := chromedp.NewContext(browserCtx)
	defer cancel()
	ctx, cancelTimeout := context.WithTimeout(ctx, loadTimeout)
	defer cancelTimeout()
	messages := chromedp.Console(ctx)
	if err := chromedp.Do(ctx, chromedp.Navigate(srv.url+"/")); err != nil {
		t.Fatal(err)
	}
	want := []string{
		"connected to ws://" + srv.addr + "/echo",
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
