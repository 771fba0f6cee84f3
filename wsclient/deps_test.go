//go:build !js

package wsclient

import (
	"maps"
	"os/exec"
	"path/filepath"
	"runtime"
	"slices"
	"strings"
	"testing"
)

// browserDeps returns the packages the js/wasm build of wsclient links
// (go list -deps), each with whether it is in the standard library.
func browserDeps(t *testing.T) map[string]bool {
	t.Helper()
	gocmd := filepath.Join(runtime.GOROOT(), "bin", "go")
	cmd := exec.Command(gocmd, "list", "-deps", "-f", "{{.ImportPath}} {{.Standard}}", ".")
	cmd.Env = append(cmd.Environ(), "GOOS=js", "GOARCH=wasm")
	out, err := cmd.Output()
	if err != nil {
		t.Fatalf("go list -deps: %v", err)
	}
	deps := map[string]bool{}
	for _, line := range strings.Split(strings.TrimSpace(string(out)), "\n") {
		path, std, _ := strings.Cut(line, " ")
		deps[path] = std == "true"
	}
	if _, ok := deps["syscall/js"]; !ok {
		t.Fatalf("go list -deps did not list syscall/js; output: %q", out)
	}
	return deps
}

// The browser build stays small: it must not link net/http (nor the
// libraries wsclient wraps elsewhere).
func TestBrowserBuildDoesNotLinkNetHTTP(t *testing.T) {
	deps := browserDeps(t)
	for _, banned := range []string{"net/http", "github.com/coder/websocket", "github.com/maxence-charriere/go-app/v10/pkg/app"} {
		if _, ok := deps[banned]; ok {
			t.Errorf("the js/wasm build of wsclient links %s", banned)
		}
	}
}

// browserStd is every standard package the js/wasm build may link, besides
// the runtime's own internal/... packages. Each one costs every program
// that uses wsclient; fmt (with reflect, os, io/fs and internal/poll) added
// 0.44 MB raw, 0.12 MB gzipped, to wsclient/internal/minimal, so error
// messages are built with strconv.
var browserStd = []string{
	"runtime",      // every Go program
	"unsafe",       // every Go program
	"syscall/js",   // the browser's API
	"syscall",      // imported by time; on js/wasm it is built on syscall/js
	"errors",       // error values, errors.Is and errors.As (internal/reflectlite)
	"sync",         // locks
	"sync/atomic",  // counters and flags
	"context",      // in the API (Dial, Read, Write)
	"time",         // timers (drain polling, heartbeat, backoff); imported by context
	"math",         // backoff's exponent
	"math/bits",    // the runtime's and strconv's
	"math/rand/v2", // backoff jitter, on the runtime's ChaCha8: no tables, no seeding
	"strconv",      // Itoa (and IsPrint, for quote) in error messages, in place of fmt
	"unicode/utf8", // the UTF-8 rules for text and close reasons
	// Not strings: with unicode, io and iter it costs about 14 KB raw, 4 KB
	// gzipped (hasByte does what wsclient needed of it).
}

// The js/wasm build links no package beyond browserStd: no fmt, reflect or
// os, no net/http or net/url (the browser parses URLs), no third-party
// module.
func TestBrowserBuildLinksOnlyAllowedPackages(t *testing.T) {
	const self = "github.com/duplexgo/duplex/wsclient"
	deps := browserDeps(t)
	for _, path := range slices.Sorted(maps.Keys(deps)) {
		switch std := deps[path]; {
		case path == self, path == self+"/internal/bridge": // the bridge module's bytes and names
		case path == self+"/fallbackproto", path == self+"/internal/wsframe": // the HTTP fallback's wire format and framing
		case !std:
			t.Errorf("the js/wasm build of wsclient links %s, which is not in the standard library", path)
		case strings.HasPrefix(path, "internal/"):
			// The runtime's and the allowed packages' internals: they come
			// only with a public package, which must be allowed.
		case !slices.Contains(browserStd, path):
			t.Errorf("the js/wasm build of wsclient links %s, not in browserStd (deps_test.go); fmt, reflect and os cost 0.44 MB", path)
		}
	}
}

// The HTTP fallback is linked only into programs that set
// Options.Fallback (it costs them about 0.23 MB): the smallest program,
// which does not, must not carry it. The linker's dependency dump of
// wsclient/internal/minimal names no fallback code.
func TestFallbackIsLinkedOnlyWhenUsed(t *testing.T) {
	if testing.Short() {
		t.Skip("links a js/wasm program")
	}
	gocmd := filepath.Join(runtime.GOROOT(), "bin", "go")
	cmd := exec.Command(gocmd, "build", "-o", filepath.Join(t.TempDir(), "minimal.wasm"), "-ldflags=-dumpdep", "./internal/minimal")
	cmd.Env = append(cmd.Environ(), "GOOS=js", "GOARCH=wasm")
	out, err := cmd.CombinedOutput()
	if err != nil {
		t.Fatalf("go build: %v\n%.2000s", err, out)
	}
	for _, name := range []string{"wsclient.(*fbSocket)", "wsclient.(*wsAttempt)", "wsframe.(*Reader)", "fallbackproto.(*Parser)"} {
		if strings.Contains(string(out), name) {
			t.Errorf("wsclient/internal/minimal links %s: a static reference to the fallback crept in", name)
		}
	}
}
