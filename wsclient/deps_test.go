//go:build !js

package wsclient

import (
	"os/exec"
	"path/filepath"
	"runtime"
	"slices"
	"strings"
	"testing"
)

// The browser build stays small: it must not link net/http (nor the
// libraries wsclient wraps elsewhere).
func TestBrowserBuildDoesNotLinkNetHTTP(t *testing.T) {
	gocmd := filepath.Join(runtime.GOROOT(), "bin", "go")
	cmd := exec.Command(gocmd, "list", "-deps", ".")
	cmd.Env = append(cmd.Environ(), "GOOS=js", "GOARCH=wasm")
	out, err := cmd.Output()
	if err != nil {
		t.Fatalf("go list -deps: %v", err)
	}
	deps := strings.Fields(string(out))
	if !slices.Contains(deps, "syscall/js") {
		t.Fatalf("go list -deps did not list syscall/js; output: %q", deps)
	}
	for _, banned := range []string{"net/http", "github.com/coder/websocket", "github.com/maxence-charriere/go-app/v10/pkg/app"} {
		if slices.Contains(deps, banned) {
			t.Errorf("the js/wasm build of wsclient links %s", banned)
		}
	}
}
